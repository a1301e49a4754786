"""The k8s_live_checks module: checkpoints of the checks given, and its verdict (the checks are tested in
module_utils)."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.modules import k8s_live_checks

from ..module_utils.test_verify_live import FakeClient, node

NODES = {"/api/v1/nodes": [node("a", "2", "12Gi", ready="False")]}


@pytest.fixture()
def run(run_module):
    """run(args, client): k8s_live_checks on the fake cluster client, its request count reset first."""
    def run_(args, client):
        client.requests = 0
        return run_module(k8s_live_checks, args, client)
    return run_


def test_a_failing_required_checkpoint_fails_the_module_with_its_cause_unless_told_not_to(run):
    code, result = run({"nodes": {"count": 1}}, FakeClient(NODES))
    assert code == 1 and result["passed"] is False
    assert result["msg"] == ("failing: Every node Ready with its node pool's shape (FAIL node a is not Ready | "
                             "FAIL 0 of the node pool's 1 nodes are Ready)")
    code, result = run({"nodes": {"count": 1}, "fail_on_failure": False}, FakeClient(NODES))
    assert code == 0 and result["changed"] is False and [c["passed"] for c in result["checkpoints"]] == [False]


def test_no_check_given_runs_nothing(run):
    code, result = run({}, FakeClient({}))
    assert code == 0 and result["checkpoints"] == [] and result["passed"] is True
