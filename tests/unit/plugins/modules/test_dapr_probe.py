"""The dapr_probe module: checkpoints of the checks given, its verdict and check mode (the checks are tested in
module_utils)."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client
from ansible_collections.eventstack.oke.plugins.modules import dapr_probe

from ..module_utils.test_dapr_probe import FakeClient, error, pod

STATE = {"store": "statestore", "app_ids": ["audit-worker"]}


def run(capsys, monkeypatch, args, client):
    monkeypatch.setattr(_k8s_client, "KubeClient", lambda kubeconfig, context: client)
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        dapr_probe.main()
    return exc.value.code, json.loads(capsys.readouterr().out)


def refusing():
    return FakeClient([pod("audit-worker")], lambda *_a: error(400, "ERR_STATE_STORE_NOT_FOUND",
                                                               "state store statestore is not found"))


def test_a_failing_checkpoint_fails_the_module_with_dapr_s_error_unless_told_not_to(capsys, monkeypatch):
    code, result = run(capsys, monkeypatch, {"namespace": "todo-app", "state": STATE}, refusing())
    assert code == 1 and result["passed"] is False
    assert result["msg"] == ("failing: State saved, read and deleted through a scoped Dapr sidecar (FAIL audit-worker "
                             "(pod audit-worker-0) -> state store statestore: save /v1.0/state/statestore: HTTP 400 "
                             "ERR_STATE_STORE_NOT_FOUND: state store statestore is not found)")
    code, result = run(capsys, monkeypatch, {"namespace": "todo-app", "state": STATE, "fail_on_failure": False},
                       refusing())
    assert code == 0 and result["changed"] is False and [c["passed"] for c in result["checkpoints"]] == [False]


def test_check_mode_writes_nothing(capsys, monkeypatch):
    client = refusing()
    code, result = run(capsys, monkeypatch, {"namespace": "todo-app", "state": STATE, "_ansible_check_mode": True},
                       client)
    assert code == 0 and result["passed"] is True and client.calls == []
    assert result["checkpoints"][0]["evidence"] == ["skipped in check mode: it would write"]
