"""The dapr_probe module: checkpoints of the checks given, its verdict and check mode (the checks are tested in
module_utils)."""

from __future__ import annotations

import functools

import pytest

from ansible_collections.eventstack.oke.plugins.modules import dapr_probe

from ..module_utils.test_dapr_probe import FakeClient, error, pod

STATE = {"store": "statestore", "app_ids": ["audit-worker"]}


@pytest.fixture()
def run(run_module):
    """run(args, client): dapr_probe on the fake cluster client (run_module: tests/unit/conftest.py)."""
    return functools.partial(run_module, dapr_probe)


def refusing():
    return FakeClient([pod("audit-worker")], lambda *_a: error(400, "ERR_STATE_STORE_NOT_FOUND",
                                                               "state store statestore is not found"))


def test_a_failing_checkpoint_fails_the_module_with_dapr_s_error_unless_told_not_to(run):
    code, result = run({"namespace": "todo-app", "state": STATE}, refusing())
    assert code == 1 and result["passed"] is False
    assert result["msg"] == ("failing: State saved, read and deleted through a scoped Dapr sidecar (FAIL audit-worker "
                             "(pod audit-worker-0) -> state store statestore: save /v1.0/state/statestore: HTTP 400 "
                             "ERR_STATE_STORE_NOT_FOUND: state store statestore is not found)")
    code, result = run({"namespace": "todo-app", "state": STATE, "fail_on_failure": False},
                       refusing())
    assert code == 0 and result["changed"] is False and [c["passed"] for c in result["checkpoints"]] == [False]


def test_check_mode_writes_nothing(run):
    client = refusing()
    code, result = run({"namespace": "todo-app", "state": STATE, "_ansible_check_mode": True},
                       client)
    assert code == 0 and result["passed"] is True and client.calls == []
    assert result["checkpoints"][0]["evidence"] == ["skipped in check mode: it would write"]
