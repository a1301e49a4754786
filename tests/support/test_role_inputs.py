"""How the roles take their inputs: product defaults read no environment variable (the tests set variables, as an
inventory does), and the Kubernetes API emulator's switches are the same in the molecule scenario as in the other
converge runs."""

from __future__ import annotations

import pathlib
import re

import yaml

from tests.support.kube_emulator import EMULATOR_VARS

REPO = pathlib.Path(__file__).resolve().parents[2]
ENV_LOOKUP = re.compile(r"""(lookup|query|q)\(\s*['"](ansible\.builtin\.)?env['"]""")


def env_reads(root):
    """(file, line number, line) of every environment lookup in the YAML and templates under root."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".yml", ".yaml", ".j2"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if ENV_LOOKUP.search(line):
                    found.append((str(path.relative_to(root)), number, line.strip()))
    return found


def test_no_role_or_playbook_reads_the_environment():
    assert env_reads(REPO / "roles") == []
    assert env_reads(REPO / "playbooks") == []


def test_an_environment_lookup_is_found(tmp_path):
    (tmp_path / "defaults").mkdir()
    (tmp_path / "defaults" / "main.yml").write_text(
        "x_wait: \"{{ lookup('ansible.builtin.env', 'X_WAIT', default='true') | bool }}\"\n"
        "y: \"{{ lookup( 'env', 'HOME') }}\"\nz: \"{{ q('ansible.builtin.env', 'Z') }}\"\nfine: environment\n",
        encoding="utf-8")
    assert [number for _file, number, _line in env_reads(tmp_path)] == [1, 2, 3]


def test_the_molecule_scenario_sets_the_emulator_variables():
    host_vars = yaml.safe_load((REPO / "molecule" / "default" / "host_vars" / "localhost.yml").read_text(encoding="utf-8"))
    assert EMULATOR_VARS == {"helm_releases_enabled": False, "eventstack_wait": False}
    assert {name: host_vars.get(name) for name in EMULATOR_VARS} == EMULATOR_VARS
