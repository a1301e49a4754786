"""Run this collection's playbooks the way a user does, for the render, converge and bad-input tests."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
_RECAP = re.compile(r"^localhost\s*:\s*(.*)$", re.MULTILINE)


@dataclasses.dataclass
class Run:
    rc: int
    output: str

    @property
    def recap(self):
        """The PLAY RECAP counters of localhost, e.g. {'ok': 12, 'changed': 0, 'failed': 0, ...}."""
        matches = _RECAP.findall(self.output)
        if not matches:
            return {}
        return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", matches[-1])}


def run_playbook(inventory, *args, extra_vars=None, env=None, playbook="playbooks/site.yml", timeout=600,
                 emulator=False):
    """Run ansible-playbook from the repository root; extra_vars (a dict) go in as JSON with -e. emulator: the run
    targets the Kubernetes API emulator, so kube_emulator.EMULATOR_VARS go in under extra_vars (which override them)
    and kube_emulator.EMULATOR_ENV under env."""
    if emulator:
        from tests.support.kube_emulator import EMULATOR_ENV, EMULATOR_VARS  # pylint: disable=import-outside-toplevel

        extra_vars = dict(EMULATOR_VARS, **(extra_vars or {}))
        env = dict(EMULATOR_ENV, **(env or {}))
    cmd = [os.path.join(BIN, "ansible-playbook"), playbook, "-i", inventory]
    if extra_vars:
        cmd += ["-e", yaml.safe_dump(extra_vars, default_flow_style=True, width=10 ** 6).strip()]
    cmd += list(args)
    proc = subprocess.run(cmd, cwd=REPO, env=playbook_env(env), capture_output=True, text=True, timeout=timeout,
                          check=False)
    return Run(proc.returncode, proc.stdout + proc.stderr)


def playbook_env(env=None):
    """The environment run_playbook gives ansible-playbook (and so its modules): this process's, the repository's
    ansible.cfg, no colour, this venv's bin first, then env."""
    full_env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                    ANSIBLE_FORCE_COLOR="0", PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    full_env.update(env or {})
    return full_env


def inventory_vars(env_name):
    """The group_vars/all of an inventory merged into one dict (plain YAML; templates left as text)."""
    merged = {}
    directory = os.path.join(REPO, "inventories", env_name, "group_vars", "all")
    for name in sorted(os.listdir(directory)):
        if name.endswith(".yml"):
            with open(os.path.join(directory, name), encoding="utf-8") as handle:
                merged.update(yaml.safe_load(handle) or {})
    return merged


def load_manifests(build_dir):
    """Every object rendered under build_dir/manifests, as (file name, object) pairs."""
    out = []
    directory = os.path.join(build_dir, "manifests")
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), encoding="utf-8") as handle:
            out.extend((name, doc) for doc in yaml.safe_load_all(handle) if doc)
    return out


# Render must not need a cluster: every Kubernetes client points at nothing.
NO_CLUSTER = {"KUBECONFIG": "/nonexistent/kubeconfig", "K8S_AUTH_KUBECONFIG": "/nonexistent/kubeconfig"}


def render(env_name, build_dir, *args, **extra_vars):
    """site.yml in render mode into build_dir (extra arguments such as --tags go through); returns
    ({manifest file: [objects]}, {release name: release}) after asserting the run succeeded."""
    run = run_playbook("inventories/" + env_name, *args, env=NO_CLUSTER, extra_vars=dict(
        {"eventstack_mode": "render", "eventstack_build_dir": str(build_dir)}, **extra_vars))
    assert run.rc == 0, run.output
    return load_render(build_dir)


def of_kind(by_file, kind, name):
    """The objects of one kind in one rendered manifest file ({file: [objects]} as load_render returns)."""
    return [obj for obj in by_file.get(name, []) if obj["kind"] == kind]


def load_render(build_dir):
    """What a render wrote: ({manifest file: [objects]}, {release name: release}); a release's "expanded" says whether
    the render wrote its chart output (chart_output reads it)."""
    from ansible_collections.eventstack.oke.plugins.module_utils import _manifests  # pylint: disable=import-outside-toplevel

    by_file = {}
    for name, obj in load_manifests(str(build_dir)):
        by_file.setdefault(name, []).append(obj)
    return by_file, {release["name"]: release for release in _manifests.load_releases(str(build_dir))}


def chart_output(build_dir, release, part="manifests"):
    """The objects of a release's chart output (part "manifests") or CRDs (part "crds"), [] when not written."""
    from ansible_collections.eventstack.oke.plugins.module_utils import _post_render  # pylint: disable=import-outside-toplevel

    path = os.path.join(str(build_dir), "helm", "%s.%s.yaml" % (release, part))
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [doc for doc in _post_render.load(handle.read()) if isinstance(doc, dict)]


def shared_render(env_name, root):
    """The whole site.yml rendered for an inventory once per test session, shared by every test module and every
    pytest-xdist worker (root: a directory all of them see; a lock makes one render it, the others wait).
    Returns (build directory, the run). Tests read it and must not write into it."""
    import fcntl  # pylint: disable=import-outside-toplevel

    build = os.path.join(str(root), "site-render-" + env_name)
    with open(build + ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        output = build + ".output"
        if not os.path.exists(output):
            run = run_playbook("inventories/" + env_name, env=NO_CLUSTER, extra_vars={
                "eventstack_mode": "render", "eventstack_build_dir": build})
            assert run.rc == 0, run.output
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(run.output)
        with open(output, encoding="utf-8") as handle:
            return build, Run(0, handle.read())


def oracle_oci_installed(tmp_path):
    """ANSIBLE_COLLECTIONS_PATH of a controller where oracle.oci is installed: this checkout's collections plus a
    directory of the test's own holding oracle.oci's manifest (what preflight's controller check reads)."""
    import json  # pylint: disable=import-outside-toplevel

    manifest = tmp_path / "collections/ansible_collections/oracle/oci/MANIFEST.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"collection_info": {"namespace": "oracle", "name": "oci", "version": "5.5.0"}}))
    return os.pathsep.join([os.path.join(REPO, ".collections"), str(tmp_path / "collections")])
