"""Shared fixture of the converge tests that play a controller: the local inventory converged on a fresh emulator."""

from __future__ import annotations

import fcntl
import os
import pickle

import pytest

from tests.support.kube_emulator import KubeEmulator, platform_crds
from tests.support.playbook import NO_CLUSTER, run_playbook


@pytest.fixture(scope="session")
def converged_snapshot(tmp_path_factory):
    """What site.yml leaves in the emulator after converging the local inventory, once per test session: the first
    pytest-xdist worker to ask converges (under a lock) and keeps the snapshot in a directory every worker sees; the
    others read it."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    kept, failed = root / "converged-local.pickle", root / "converged-local.failed"
    with open(str(kept) + ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():  # another worker's converge failed: the same failure, not the same converge again
            pytest.fail(failed.read_text(encoding="utf-8"))
        if not kept.exists():
            with KubeEmulator(server_version="1.34", crds=platform_crds()) as server:
                kubeconfig = server.write_kubeconfig(str(tmp_path_factory.mktemp("converged") / "kubeconfig"))
                run = run_playbook("inventories/local", env={"K8S_AUTH_KUBECONFIG": kubeconfig}, emulator=True)
                if run.rc != 0 or not server.objects():
                    failed.write_text("the converge of the local inventory failed (rc=%d):\n%s" % (run.rc, run.output),
                                      encoding="utf-8")
                    pytest.fail(failed.read_text(encoding="utf-8"))
                kept.write_bytes(pickle.dumps(server.snapshot()))
        return pickle.loads(kept.read_bytes())


@pytest.fixture(scope="session")
def local_render(tmp_path_factory):
    """The build directory of site.yml rendered for the local inventory, once per test session (worker)."""
    build = str(tmp_path_factory.mktemp("local-render"))
    run = run_playbook("inventories/local", env=NO_CLUSTER,
                       extra_vars={"eventstack_mode": "render", "eventstack_build_dir": build})
    assert run.rc == 0, run.output
    return build


@pytest.fixture()
def converged(tmp_path, converged_snapshot):
    """(emulator, env): a fresh emulator holding what site.yml converged (every object exists, nothing is Ready
    yet); each test gets its own copy to change. Runs against it pass env and emulator=True to run_playbook."""
    with KubeEmulator(server_version="1.34", crds=platform_crds(), restore=converged_snapshot) as server:
        env = {"K8S_AUTH_KUBECONFIG": server.write_kubeconfig(str(tmp_path / "kubeconfig"))}
        yield server, env


@pytest.fixture()
def empty_cluster(tmp_path):
    """(emulator, env) of a fresh emulator holding nothing, and the environment pointing the modules at it."""
    with KubeEmulator(server_version="1.34") as server:
        yield server, {"K8S_AUTH_KUBECONFIG": server.write_kubeconfig(str(tmp_path / "kubeconfig"))}
