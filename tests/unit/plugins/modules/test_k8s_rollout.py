"""The k8s_rollout module: exit, failure report and check mode (the waiting logic is tested in module_utils)."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client
from ansible_collections.eventstack.oke.plugins.modules import k8s_rollout

from ..module_utils.test_rollout import NS, FakeApi, deployment, replicaset


def run(capsys, monkeypatch, api, **args):
    api.requests = 0
    monkeypatch.setattr(_k8s_client, "KubeClient", lambda kubeconfig, context: api)
    with patch_module_args(dict({"namespace": NS, "names": ["todo-backend"], "timeout": 0}, **args)), \
            pytest.raises(SystemExit) as exc:
        k8s_rollout.main()
    return exc.value.code, json.loads(capsys.readouterr().out)


def test_rolled_out_deployments_pass_unchanged(capsys, monkeypatch):
    code, result = run(capsys, monkeypatch, FakeApi([deployment()]))
    assert code == 0 and result["changed"] is False
    assert result["deployments"][0]["state"] == "done"


def test_a_failed_rollout_fails_the_task_with_its_reasons_and_rolls_back(capsys, monkeypatch):
    sets = [replicaset(1, "reg/todo-backend:1"), replicaset(2, "reg/todo-backend:2")]
    api = FakeApi([deployment(revision=2, available=0)], sets)
    code, result = run(capsys, monkeypatch, api, rollback_timeout=0)
    assert code == 1 and result["failed"] is True and result["changed"] is True
    assert result["msg"].startswith("todo-backend: not rolled out after 0s (0 of 1 updated replicas available); "
                                    "rolled back to revision 1 (reg/todo-backend:1)")
    assert len(api.puts) == 1


def test_check_mode_reports_without_waiting_or_rolling_back(capsys, monkeypatch):
    api = FakeApi([deployment(revision=2, available=0)], [replicaset(1, "a"), replicaset(2, "b")])
    code, result = run(capsys, monkeypatch, api, _ansible_check_mode=True)
    assert code == 0 and result["changed"] is False and api.puts == []
    assert result["deployments"][0]["state"] == "failed"
