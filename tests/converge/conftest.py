"""Shared fixture of the converge tests that play a controller: the local inventory converged on a fresh emulator."""

from __future__ import annotations

import pytest

from tests.support.kube_emulator import NO_HELM, KubeEmulator, platform_crds
from tests.support.playbook import run_playbook


@pytest.fixture()
def converged(tmp_path):
    """(emulator, env) after site.yml converged the local inventory: every object exists, nothing is Ready yet."""
    with KubeEmulator(server_version="1.34", crds=platform_crds()) as server:
        env = {"K8S_AUTH_KUBECONFIG": server.write_kubeconfig(str(tmp_path / "kubeconfig")), **NO_HELM}
        run = run_playbook("inventories/local", env=env)
        assert run.rc == 0, run.output
        assert server.objects()
        yield server, env
