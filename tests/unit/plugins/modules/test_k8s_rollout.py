"""The k8s_rollout module: exit, failure report and check mode (the waiting logic is tested in module_utils)."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.modules import k8s_rollout

from ..module_utils.test_rollout import NS, FakeApi, deployment, replicaset


@pytest.fixture()
def run(run_module):
    """run(api, **args): k8s_rollout of todo-backend on the fake API server api (request count reset
    first), no waiting unless args say so."""
    def run_(api, **args):
        api.requests = 0
        return run_module(k8s_rollout, dict({"namespace": NS, "names": ["todo-backend"], "timeout": 0}, **args), api)
    return run_


def test_rolled_out_deployments_pass_unchanged(run):
    code, result = run(FakeApi([deployment()]))
    assert code == 0 and result["changed"] is False
    assert result["deployments"][0]["state"] == "done"


def test_a_failed_rollout_fails_the_task_with_its_reasons_and_rolls_back(run):
    sets = [replicaset(1, "reg/todo-backend:1"), replicaset(2, "reg/todo-backend:2")]
    api = FakeApi([deployment(revision=2, available=0)], sets)
    code, result = run(api, rollback_timeout=0)
    assert code == 1 and result["failed"] is True and result["changed"] is True
    assert result["msg"].startswith("todo-backend: not rolled out after 0s (0 of 1 updated replicas available); "
                                    "rolled back to revision 1 (reg/todo-backend:1)")
    assert len(api.puts) == 1


def test_check_mode_reports_without_waiting_or_rolling_back(run):
    api = FakeApi([deployment(revision=2, available=0)], [replicaset(1, "a"), replicaset(2, "b")])
    code, result = run(api, _ansible_check_mode=True)
    assert code == 0 and result["changed"] is False and api.puts == []
    assert result["deployments"][0]["state"] == "failed"
