from __future__ import annotations

import json

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _verify

REACHABILITY = {
    "summary": {"allowed_intended": 12, "blocked": 1, "unresolved": 1, "policies": 9, "endpoints": 7},
    "blocked": [{"flow": "gateway -> todo-backend", "from": "envoy-gateway-system/proxy", "to": "todo-app/todo-backend",
                 "port": 8000, "protocol": "TCP", "reason": "no ingress rule of eventstack-app-todo-backend admits it"}],
    "unresolved": [{"flow": "x -> y", "missing": "destination"}],
    "unexpected": [{"from": "a", "to": "b", "port": p, "protocol": "TCP"} for p in range(12)],
}
CAPACITY = {"pods": 20, "requests": {"requests": {"cpu": "1.385", "memory": str(3 * 2 ** 30)}},
            "allocatable": {"cpu": "1.8", "memory": str(7 * 2 ** 30)},
            "headroom": {"cpu": "0.415", "memory": str(4 * 2 ** 30)},
            "budget_headroom": {"cpu": "0.215"},
            "namespaces": {"kafka": {"pods": 4, "quota": {"requests_cpu": "0.5"},
                                     "headroom": {"requests_cpu": "0.1", "pods": "2"}},
                           "dapr-system": {"pods": 5, "quota": {}, "headroom": {}}},
            "nodes": [{"name": "a1"}], "problems": ["namespace kafka: pods 6 exceeds its quota of 4"]}


def test_reachability_evidence_names_every_failure_and_counts_the_rest():
    lines = _verify.evidence(REACHABILITY, "reachability")
    assert lines[0] == "12 intended flows allowed, 1 blocked, 1 unresolved, over 9 policies and 7 endpoints"
    assert lines[1] == ("blocked: gateway -> todo-backend (envoy-gateway-system/proxy -> todo-app/todo-backend:8000/TCP):"
                        " no ingress rule of eventstack-app-todo-backend admits it")
    assert lines[2] == "unresolved: x -> y names no existing destination"
    assert lines[3] == "12 flows allowed that nobody asked for (information), e.g."
    assert len(lines) == 4 + _verify.UNEXPECTED_SHOWN


def test_capacity_evidence_gives_the_figures_and_the_problems():
    lines = _verify.evidence(CAPACITY, "capacity")
    assert lines == [
        "20 pods request 1.385 CPU / 3.00Gi of 1.8 CPU / 7.00Gi allocatable on 1 node(s): 0.415 CPU / 4.00Gi "
        "headroom",
        "budget (eventstack_budget) headroom: 0.215 CPU",
        "kafka: 4 pods; quota headroom pods 2, requests_cpu 0.1",
        "problem: namespace kafka: pods 6 exceeds its quota of 4"]


def test_a_check_that_could_not_run_or_was_skipped_says_so():
    assert _verify.evidence({"failed": False, "msg": "cannot assess the capacity: no nodes"}, "capacity") == [
        "the check could not run: cannot assess the capacity: no nodes"]
    assert _verify.evidence({"skipped": True, "skip_reason": "Conditional result was False"}, "reachability") == [
        "skipped: Conditional result was False"]
    with pytest.raises(ValueError):
        _verify.evidence({}, "dns")


def test_checkpoint_evidence_and_the_verdict_in_every_format():
    layers = {"results": [{"name": "Kafka ready", "passed": True, "observed": "1 of 1 Ready", "reason": ""},
                          {"name": "Deployments available in todo-app", "passed": False, "observed": "5 of 6 Available",
                           "reason": "todo-backend Available=False; pod todo-backend-0 container app waiting: "
                                     "CrashLoopBackOff"}]}
    lines = _verify.evidence(layers, "checkpoint")
    assert lines == ["pass Kafka ready: 1 of 1 Ready", "FAIL Deployments available in todo-app: 5 of 6 Available",
                     "  why: todo-backend Available=False; pod todo-backend-0 container app waiting: CrashLoopBackOff"]
    checkpoints = [{"name": "Every layer is ready", "required": True, "passed": False, "seconds": 0.1,
                    "evidence": lines},
                   {"name": "Unexpected flows <none>", "required": False, "passed": False, "seconds": 0.2,
                    "evidence": ["a | b"]},
                   {"name": "Capacity", "required": True, "passed": True, "seconds": 0.3, "evidence": []}]
    report = _verify.report(checkpoints, "dev", "apply", "2026-12-02T07:00:00+00:00")
    assert report["verdict"] == {"passed": False, "failed_required": ["Every layer is ready"],
                                 "summary": "FAIL: 1 of 3 checkpoints passed; required and failing: "
                                            "Every layer is ready"}
    data = json.loads(report["json"])
    assert data["checkpoints"] == checkpoints and data["environment"] == "dev"
    assert "| Every layer is ready | yes | **FAIL** | 0.1 |" in report["markdown"]
    assert "- a \\| b" in report["markdown"]  # a pipe in the evidence does not break the table's Markdown
    assert "Unexpected flows &lt;none&gt;" in report["html"] and "<none>" not in report["html"]
    assert _verify.verdict(checkpoints[1:])["passed"] is True, "a failing optional checkpoint does not fail"


def test_oke_evidence_counts_the_active_nodes_and_gives_oci_s_errors():
    result = {"ready": False, "cluster": {"name": "eventstack-dev", "lifecycle_state": "ACTIVE",
                                          "kubernetes_version": "v1.34.1"},
              "node_pools": [{"name": "pool1", "lifecycle_state": "ACTIVE", "nodes": [
                  {"lifecycle_state": "ACTIVE"}, {"lifecycle_state": "CREATING"}]}],
              "problems": ["node n2 of pool1 in AD-1 is CREATING: Out of host capacity"]}
    assert _verify.evidence(result, "oke") == [
        "cluster eventstack-dev ACTIVE, Kubernetes v1.34.1", "node pool pool1 ACTIVE: 1 of 2 nodes ACTIVE",
        "problem: node n2 of pool1 in AD-1 is CREATING: Out of host capacity"]


def test_probe_evidence_is_the_module_s_lines_and_a_probe_that_could_not_run_says_why():
    lines = ["pass todo-backend -> task-events: event e1 consumed by audit-worker in 2.0 s",
             "FAIL todo-backend -> reminders: landed in reminders, but not consumed within the timeout by x"]
    assert _verify.evidence({"evidence": lines, "results": [{}, {}]}, "probe") == lines
    assert _verify.evidence({"skipped": True, "skip_reason": "check mode publishes nothing"}, "probe") == [
        "skipped: check mode publishes nothing"]
    assert _verify.evidence({"failed": True, "msg": "kubeconfig gone"}, "probe") == [
        "the check could not run: kubeconfig gone"]
