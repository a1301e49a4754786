"""The netpol_enforcement module: its verdict, its failure message, check mode (the probing is tested in
module_utils)."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.modules import netpol_enforcement

from ..module_utils.test_enforcement import FakeCluster

ARGS = {"namespace": "todo-app", "service": "todo-frontend", "port": 3000, "image": "busybox:1.37.0",
        "engines": ["calico-node"], "timeout": 5}


@pytest.fixture()
def run(run_module):
    """run(args, client): netpol_enforcement on the fake cluster client, waiting on its clock."""
    return lambda args, client: run_module(netpol_enforcement, args, client, client.clock)


def test_enforced_policies_pass_unchanged_with_the_evidence(run):
    code, result = run(ARGS, FakeCluster())
    assert code == 0 and result["changed"] is False and result["passed"] is True and result["enforced"] is True
    assert result["evidence"][0].startswith("pass the probe pod todo-app/eventstack-netpol-probe-")
    assert result["deleted"] is True and result["requests"] > 5


def test_unenforced_policies_fail_with_the_reason_unless_told_not_to(run):
    cluster = FakeCluster(daemonsets=(), answers={"todo-frontend": (0, "", "")})
    code, result = run(ARGS, cluster)
    assert code == 1 and result["msg"].endswith("no policy engine DaemonSet (calico-node) runs")
    cluster = FakeCluster(daemonsets=(), answers={"todo-frontend": (0, "", "")})
    code, result = run(dict(ARGS, fail_on_failure=False), cluster)
    assert code == 0 and result["passed"] is False and result["enforced"] is False


def test_check_mode_creates_no_pod(run):
    cluster = FakeCluster()
    code, result = run(dict(ARGS, _ansible_check_mode=True), cluster)
    assert code == 0 and result["skipped"] is True and cluster.requests == 0 and cluster.created == []
