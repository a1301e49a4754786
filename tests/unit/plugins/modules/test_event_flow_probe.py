"""The event_flow_probe module: its verdict, its failure message, check mode (the probing is tested in
module_utils)."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.modules import event_flow_probe

from ..module_utils.test_event_probe import EXPORTER_AT, PROBE, FakeCluster, healthy_pods

ARGS = {"namespace": "todo-app", "pubsub": "pubsub-kafka", "probes": [PROBE], "exporter": EXPORTER_AT,
        "timeout": 4, "interval": 2}


@pytest.fixture()
def run(run_module):
    """run(args, client=None): event_flow_probe on the fake cluster client, waiting on its clock."""
    return lambda args, client=None: run_module(event_flow_probe, args, client, client.clock if client else None)


def test_a_consumed_event_passes_unchanged_with_its_evidence_and_request_count(run):
    cluster = FakeCluster(healthy_pods(), subscribers=["recurring-worker", "audit-worker"])
    code, result = run(ARGS, cluster)
    assert code == 0 and result["changed"] is False and result["passed"] is True
    assert result["evidence"][0].startswith("pass todo-backend -> task-events: event eventstack-probe-")
    # the exporter's pods, a reading before, the publisher's pods, the publish, a reading after
    assert result["requests"] == 5
    assert result["results"][0]["consumed"] == {"recurring-worker": 0.0, "audit-worker": 0.0}


def test_a_failing_probe_fails_with_its_reason_unless_told_not_to(run):
    code, result = run(ARGS, FakeCluster(healthy_pods(), subscribers=["audit-worker"], lag=9))
    assert code == 1 and result["passed"] is False
    assert result["msg"] == ("FAIL todo-backend -> task-events: landed in task-events, but not consumed within the "
                             "timeout by recurring-worker, audit-worker")
    code, result = run(dict(ARGS, fail_on_failure=False),
                       FakeCluster(healthy_pods(), subscribers=["audit-worker"], lag=9))
    assert code == 0 and result["passed"] is False


def test_no_exporter_to_read_fails_the_module_naming_it(run):
    code, result = run(ARGS, FakeCluster(healthy_pods()[:2]))
    assert code == 1 and result["msg"].startswith("cannot probe: no running pod labelled strimzi.io/name=")


def test_check_mode_publishes_nothing(run):
    cluster = FakeCluster(healthy_pods())
    code, result = run(dict(ARGS, _ansible_check_mode=True), cluster)
    assert code == 0 and result["skipped"] is True and cluster.requests == 0
    assert result["evidence"] == ["skipped in check mode: 1 probe(s) not published"]


def test_a_probe_without_its_publisher_is_refused_by_the_argument_spec(run):
    code, result = run(dict(ARGS, probes=[{"topic": "task-events"}]), FakeCluster([]))
    assert code == 1 and "missing required arguments: publisher found in probes" in result["msg"]


def test_lag_is_returned_apart_from_the_probe_verdict_and_skipped_in_check_mode(run):
    cluster = FakeCluster(healthy_pods(), subscribers=["recurring-worker", "audit-worker"], lag_series=[])
    code, result = run(dict(ARGS, lag=True), cluster)
    assert code == 0 and result["passed"] is True
    assert result["lag"]["passed"] is False and len(result["lag"]["evidence"]) == 2
    assert result["lag"]["evidence"][0].startswith("FAIL no kafka_consumergroup_lag series for group recurring-worker")
    code, result = run(dict(ARGS, lag=True, _ansible_check_mode=True), FakeCluster(healthy_pods()))
    assert code == 0 and result["lag"] == {"passed": True, "seconds": 0.0, "evidence": [
        "skipped in check mode: the groups consumed no probe event to be seen"]}
    code, result = run(ARGS, FakeCluster(healthy_pods(), subscribers=["audit-worker"]))
    assert "lag" not in result
