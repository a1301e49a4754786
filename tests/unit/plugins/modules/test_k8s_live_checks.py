"""The k8s_live_checks module: checkpoints of the checks given, and its verdict (the checks are tested in
module_utils)."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client
from ansible_collections.eventstack.oke.plugins.modules import k8s_live_checks

from ..module_utils.test_verify_live import FakeClient, node

NODES = {"/api/v1/nodes": [node("a", "2", "12Gi", ready="False")]}


def run(capsys, monkeypatch, args, client):
    client.requests = 0
    monkeypatch.setattr(_k8s_client, "KubeClient", lambda kubeconfig, context: client)
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        k8s_live_checks.main()
    return exc.value.code, json.loads(capsys.readouterr().out)


def test_a_failing_required_checkpoint_fails_the_module_with_its_cause_unless_told_not_to(capsys, monkeypatch):
    code, result = run(capsys, monkeypatch, {"nodes": {"count": 1}}, FakeClient(NODES))
    assert code == 1 and result["passed"] is False
    assert result["msg"] == ("failing: Every node Ready with its node pool's shape (FAIL node a is not Ready | "
                             "FAIL 0 of the node pool's 1 nodes are Ready)")
    code, result = run(capsys, monkeypatch, {"nodes": {"count": 1}, "fail_on_failure": False}, FakeClient(NODES))
    assert code == 0 and result["changed"] is False and [c["passed"] for c in result["checkpoints"]] == [False]


def test_no_check_given_runs_nothing(capsys, monkeypatch):
    code, result = run(capsys, monkeypatch, {}, FakeClient({}))
    assert code == 0 and result["checkpoints"] == [] and result["passed"] is True
