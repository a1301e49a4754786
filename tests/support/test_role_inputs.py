"""How the roles take their inputs: product defaults read no environment variable (the tests set variables, as an
inventory does), the Kubernetes API emulator's switches are the same in the molecule scenario as in the other
converge runs, and a role reads eventstack_mode only through its own <role>_mode default."""

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


# eventstack_mode in a role's tasks, vars or templates; "-e eventstack_mode=render" in a message is not a read.
MODE_READ = re.compile(r"\beventstack_mode\b(?!=)")


def mode_reads(roles):
    """(file, line number, line) of every read of eventstack_mode outside a role's defaults/main.yml and meta/
    (comment lines left out)."""
    found = []
    for path in sorted(roles.rglob("*")):
        relative = path.relative_to(roles)
        if not path.is_file() or path.suffix not in (".yml", ".yaml", ".j2") or relative.parts[1] in ("defaults", "meta"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.lstrip().startswith("#") and MODE_READ.search(line):
                found.append((str(relative), number, line.strip()))
    return found


def test_roles_read_the_mode_through_their_own_defaults():
    assert mode_reads(REPO / "roles") == []
    for path in sorted((REPO / "roles").glob("*/defaults/main.yml")):
        defaults = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, value in defaults.items():
            if "eventstack_mode" in str(value):
                assert name.endswith("_mode") and value == "{{ eventstack_mode | default('apply') }}", (path, name)


def test_a_raw_mode_read_is_found(tmp_path):
    (tmp_path / "demo" / "tasks").mkdir(parents=True)
    (tmp_path / "demo" / "defaults").mkdir()
    (tmp_path / "demo" / "tasks" / "main.yml").write_text(
        "- when: eventstack_mode | default('apply') == 'apply'\n"
        "  msg: render with -e eventstack_mode=render\n"
        "# eventstack_mode is read once, in defaults\n- when: demo_mode == 'apply'\n", encoding="utf-8")
    (tmp_path / "demo" / "defaults" / "main.yml").write_text(
        "demo_mode: \"{{ eventstack_mode | default('apply') }}\"\n", encoding="utf-8")
    assert [(name, number) for name, number, _line in mode_reads(tmp_path)] == [("demo/tasks/main.yml", 1)]
