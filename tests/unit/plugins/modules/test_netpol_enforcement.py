"""The netpol_enforcement module: its verdict, its failure message, check mode (the probing is tested in
module_utils)."""

from __future__ import annotations

import json
import time

import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client
from ansible_collections.eventstack.oke.plugins.modules import netpol_enforcement

from ..module_utils.test_enforcement import FakeCluster

ARGS = {"namespace": "todo-app", "service": "todo-frontend", "port": 3000, "image": "busybox:1.37.0",
        "engines": ["calico-node"], "timeout": 5}


def run(capsys, monkeypatch, args, client):
    monkeypatch.setattr(_k8s_client, "KubeClient", lambda kubeconfig, context: client)
    monkeypatch.setattr(time, "monotonic", client.clock)
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        netpol_enforcement.main()
    return exc.value.code, json.loads(capsys.readouterr().out)


def test_enforced_policies_pass_unchanged_with_the_evidence(capsys, monkeypatch):
    code, result = run(capsys, monkeypatch, ARGS, FakeCluster())
    assert code == 0 and result["changed"] is False and result["passed"] is True and result["enforced"] is True
    assert result["evidence"][0].startswith("pass the probe pod todo-app/eventstack-netpol-probe-")
    assert result["deleted"] is True and result["requests"] > 5


def test_unenforced_policies_fail_with_the_reason_unless_told_not_to(capsys, monkeypatch):
    cluster = FakeCluster(daemonsets=(), answers={"todo-frontend": (0, "", "")})
    code, result = run(capsys, monkeypatch, ARGS, cluster)
    assert code == 1 and result["msg"].endswith("no policy engine DaemonSet (calico-node) runs")
    cluster = FakeCluster(daemonsets=(), answers={"todo-frontend": (0, "", "")})
    code, result = run(capsys, monkeypatch, dict(ARGS, fail_on_failure=False), cluster)
    assert code == 0 and result["passed"] is False and result["enforced"] is False


def test_check_mode_creates_no_pod(capsys, monkeypatch):
    cluster = FakeCluster()
    code, result = run(capsys, monkeypatch, dict(ARGS, _ansible_check_mode=True), cluster)
    assert code == 0 and result["skipped"] is True and cluster.requests == 0 and cluster.created == []
