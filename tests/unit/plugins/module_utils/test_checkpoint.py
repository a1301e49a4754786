from __future__ import annotations

import time

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _checkpoint
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeError

DISCOVERY = {
    "v1": [("pods", "Pod", True), ("events", "Event", True), ("namespaces", "Namespace", False)],
    "apps/v1": [("deployments", "Deployment", True), ("deployments/status", "Deployment", True)],
    "kafka.strimzi.io/v1": [("kafkas", "Kafka", True)],
}


class FakeClient:
    """Serves discovery and lists from a dict of path -> items, counting requests."""

    def __init__(self, lists):
        self.lists = lists
        self.requests = 0
        self.paths = []

    def discover(self, api_version):
        self.requests += 1
        resources = DISCOVERY.get(api_version)
        return None if resources is None else {
            "resources": [{"name": n, "kind": k, "namespaced": ns} for n, k, ns in resources]}

    def request(self, method, path, **_kwargs):
        assert method == "GET"
        self.requests += 1
        self.paths.append(path)
        if path not in self.lists:
            raise KubeError(method, path, 404, "not found")
        return {"items": self.lists[path]}


def deployment(name, available="True", reason="", message=""):
    condition = {"type": "Available", "status": available}
    condition.update({k: v for k, v in (("reason", reason), ("message", message)) if v})
    return {"metadata": {"name": name, "namespace": "todo-app"},
            "spec": {"selector": {"matchLabels": {"app": name}}}, "status": {"conditions": [condition]}}


def pod(name, app, containers=("app", "daprd"), waiting=None, native=False, labels=None):
    spec = {"containers": [{"name": c} for c in containers if not (native and c == "daprd")]}
    if native:
        spec["initContainers"] = [{"name": "daprd", "restartPolicy": "Always"}]
    statuses = [{"name": "app", "ready": waiting is None, "restartCount": 4 if waiting else 0,
                 "state": {"waiting": {"reason": waiting, "message": "back-off 5m0s"}} if waiting else {"running": {}}}]
    return {"metadata": {"name": name, "namespace": "todo-app", "labels": dict({"app": app}, **(labels or {}))},
            "spec": spec, "status": {"phase": "Running", "containerStatuses": statuses}}


LISTS = {
    "/apis/apps/v1/namespaces/todo-app/deployments": [deployment("todo-frontend"), deployment(
        "todo-backend", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")],
    "/api/v1/namespaces/todo-app/pods": [
        pod("todo-frontend-1", "todo-frontend", labels={"eventstack.oke/dapr": "true"}),
        pod("todo-backend-1", "todo-backend", waiting="CrashLoopBackOff", labels={"eventstack.oke/dapr": "true"}),
        pod("audit-1", "audit-worker", native=True, labels={"eventstack.oke/dapr": "true"}),
        pod("migrate-1", "migrate", containers=("app",))],
    "/api/v1/namespaces/todo-app/events": [
        {"type": "Warning", "reason": "BackOff", "message": "Back-off restarting failed container",
         "involvedObject": {"name": "todo-backend-1"}, "lastTimestamp": "2026-12-02T06:00:00Z"},
        {"type": "Warning", "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet has timed out progressing",
         "involvedObject": {"name": "todo-backend"}, "lastTimestamp": "2026-12-02T06:01:00Z"},
        {"type": "Normal", "reason": "ScalingReplicaSet", "message": "Scaled up", "involvedObject":
         {"name": "todo-backend"}}],
    "/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkas": [
        {"metadata": {"name": "todo-kafka"}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}}],
}


def test_a_failing_deployment_is_explained_by_its_pods_and_events():
    (result,) = _checkpoint.judge_all(FakeClient(LISTS), [
        {"kind": "Deployment", "namespace": "todo-app", "condition": {"type": "Available"}}])
    assert result["name"] == "every Deployment in todo-app: Available=True"
    assert result["passed"] is False and result["observed"] == "1 of 2 Available"
    assert result["reason"] == (
        "todo-backend Available=False reason: MinimumReplicasUnavailable message: Deployment does not have minimum "
        "availability.; pod todo-backend-1 container app waiting: CrashLoopBackOff (back-off 5m0s); "
        "event ProgressDeadlineExceeded: ReplicaSet has timed out progressing")


def test_named_objects_labels_and_containers():
    client = FakeClient(LISTS)
    results = _checkpoint.judge_all(client, [
        {"kind": "Deployment", "namespace": "todo-app", "name": "todo-frontend", "condition": {"type": "Available"}},
        {"kind": "Kafka", "api_version": "kafka.strimzi.io/v1", "namespace": "kafka", "name": "todo-kafka",
         "condition": {"type": "Ready"}},
        {"kind": "Pod", "namespace": "todo-app", "labels": {"eventstack.oke/dapr": "true"}, "containers": ["daprd"],
         "title": "Dapr sidecars injected"},
        {"kind": "Pod", "namespace": "todo-app", "containers": ["daprd"], "required": False},
        {"kind": "Deployment", "namespace": "todo-app", "name": "gone"},
        {"kind": "Deployment", "namespace": "empty", "min_count": 0, "condition": {"type": "Available"}}])
    assert [r["passed"] for r in results] == [True, True, True, False, False, True]
    assert results[2]["name"] == "Dapr sidecars injected" and results[2]["observed"] == "3 of 3 pods run daprd"
    assert results[3]["reason"].startswith("migrate-1 runs no daprd") and results[3]["required"] is False
    assert results[4]["observed"] == "0 found, 1 expected" and results[4]["reason"] == "not found"
    # One list per kind and namespace, whatever the number of expectations; the empty namespace is a 404.
    assert sorted(set(client.paths)) == sorted(client.paths)


def test_a_kind_the_cluster_does_not_serve_is_named():
    with pytest.raises(_checkpoint.CheckpointError, match="serves no gateway.networking.k8s.io/v1 Gateway"):
        _checkpoint.judge_all(FakeClient(LISTS), [{"kind": "Gateway", "api_version": "gateway.networking.k8s.io/v1"}])
    with pytest.raises(_checkpoint.CheckpointError, match="give api_version"):
        _checkpoint.judge_all(FakeClient(LISTS), [{"kind": "Cluster"}])


def test_names_each_must_exist_and_pass():
    client = FakeClient(LISTS)
    missing, failing, passing = _checkpoint.judge_all(client, [
        {"kind": "Deployment", "namespace": "todo-app", "names": ["todo-frontend", "gone", "also-gone"],
         "condition": {"type": "Available"}},
        {"kind": "Deployment", "namespace": "todo-app", "names": ["todo-frontend", "todo-backend"],
         "condition": {"type": "Available"}},
        {"kind": "Deployment", "namespace": "todo-app", "names": ["todo-frontend"], "condition": {"type": "Available"}}])
    assert missing["name"] == "Deployment todo-frontend, gone, also-gone in todo-app: Available=True"
    assert (missing["passed"], missing["observed"]) == (False, "1 of 3 found")
    assert missing["reason"] == "not found: gone, also-gone"
    assert failing["observed"] == "1 of 2 Available" and failing["reason"].startswith("todo-backend Available=False")
    assert passing["passed"] and passing["observed"] == "1 of 1 Available"


def test_absent_passes_once_the_objects_are_gone_and_names_what_holds_the_others():
    holding = {"name": "todo-frontend", "deletionTimestamp": "2026-12-05T10:00:00Z",
               "finalizers": ["service.kubernetes.io/load-balancer-cleanup"]}
    lists = {"/api/v1/namespaces/todo-app/pods": [{"metadata": holding}, {"metadata": {"name": "todo-backend"}}]}
    left, by_label, gone = _checkpoint.judge_all(FakeClient(lists), [
        {"kind": "Pod", "namespace": "todo-app", "names": ["todo-frontend", "todo-backend", "worker"], "absent": True},
        {"kind": "Pod", "namespace": "todo-app", "labels": {"app": "x"}, "absent": True},
        {"kind": "Pod", "namespace": "todo-app", "name": "worker", "absent": True}])
    assert left["name"] == "Pod todo-frontend, todo-backend, worker in todo-app: gone"
    assert (left["passed"], left["observed"]) == (False, "2 still there")
    assert left["reason"] == ("todo-backend not deleted; "
                              "todo-frontend deleting, waiting on service.kubernetes.io/load-balancer-cleanup")
    assert by_label["passed"] and by_label["observed"] == "gone"  # no pod carries the label
    assert gone["passed"] and gone["observed"] == "gone"


def test_a_phase_explains_an_operator_resource():
    lists = {"/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkas": [
        {"metadata": {"name": "todo-kafka"}, "status": {"phase": "Setting up primary", "phaseReason": "Creating",
                                                        "conditions": [{"type": "Ready", "status": "False"}]}}]}
    (result,) = _checkpoint.judge_all(FakeClient(lists), [
        {"kind": "Kafka", "api_version": "kafka.strimzi.io/v1", "namespace": "kafka", "name": "todo-kafka",
         "condition": {"type": "Ready"}}])
    assert result["reason"] == "todo-kafka Ready=False; phase Setting up primary - Creating"


def test_describe_and_progress_name_only_required_failures_and_cut_long_reasons():
    results = [{"name": "a", "required": True, "passed": True, "observed": "1 found", "reason": ""},
               {"name": "b", "required": True, "passed": False, "observed": "0 of 1 Ready", "reason": "x" * 300},
               {"name": "c", "required": False, "passed": False, "observed": "0 found", "reason": "too few"}]
    assert _checkpoint.failing(results) == [results[1]]
    assert _checkpoint.describe(results) == "b (0 of 1 Ready: %s)" % ("x" * 300)
    line = _checkpoint.progress(results)
    assert line.startswith("1 of 2 ready; pending: b (0 of 1 Ready: xxx") and line.endswith("...)")
    assert len(line) < 220


def test_a_field_must_hold_a_value_and_its_absence_shows_the_unmet_conditions():
    gateway = {"metadata": {"name": "eventstack"}, "status": {"conditions": [
        {"type": "Accepted", "status": "True"},
        {"type": "Programmed", "status": "False", "reason": "AddressNotAssigned",
         "message": "No addresses have been assigned to the Gateway"}]}}
    lists = {"/apis/gateway.networking.k8s.io/v1/namespaces/ingress/gateways": [gateway]}
    discovery = dict(DISCOVERY, **{"gateway.networking.k8s.io/v1": [("gateways", "Gateway", True)]})
    client = FakeClient(lists)
    client.discover = lambda api_version: {"resources": [
        {"name": n, "kind": k, "namespaced": ns} for n, k, ns in discovery[api_version]]}
    expectation = {"kind": "Gateway", "api_version": "gateway.networking.k8s.io/v1", "namespace": "ingress",
                   "name": "eventstack", "field": "status.addresses"}
    (result,) = _checkpoint.judge_all(client, [expectation])
    assert result["name"] == "Gateway eventstack in ingress: has status.addresses"
    assert (result["passed"], result["observed"]) == (False, "0 of 1 have status.addresses")
    assert result["reason"] == ("eventstack has no status.addresses yet; Programmed=False reason: AddressNotAssigned "
                                "message: No addresses have been assigned to the Gateway")
    gateway["status"]["addresses"] = [{"type": "IPAddress", "value": "203.0.113.80"}]
    (result,) = _checkpoint.judge_all(client, [expectation])
    assert result["passed"] and result["observed"] == "1 of 1 have status.addresses"


class Ended(Exception):
    """How FakeModule ends: .how is "exit" or "fail", .result what the module returned."""

    def __init__(self, how, result):
        super().__init__(how)
        self.how, self.result = how, result


class FakeModule:
    def exit_json(self, **result):
        raise Ended("exit", result)

    def fail_json(self, **result):
        raise Ended("fail", result)


def checkpoint(name, passed, required=True, evidence=()):
    return {"name": name, "passed": passed, "required": required, "evidence": list(evidence)}


def finished(checkpoints, started=None, **kwargs):
    """(how a module ends with finish's answer, what it returns)."""
    client = FakeClient({})
    client.requests = 7
    params = {"fail_on_failure": kwargs.pop("fail_on_failure", True)}
    answer = _checkpoint.finish(params, client, checkpoints, time.monotonic() if started is None else started, **kwargs)
    with pytest.raises(Ended) as ended:
        _checkpoint.exit_module(FakeModule(), answer)
    assert bool(answer.get("failed")) is (ended.value.how == "fail")
    return ended.value.how, ended.value.result


def test_finish_exits_when_every_required_checkpoint_passed_whatever_the_optional_ones_say():
    checkpoints = [checkpoint("a", True), checkpoint("b", False, required=False, evidence=["FAIL b"])]
    how, result = finished(checkpoints, started=time.monotonic() - 2)
    assert how == "exit" and "msg" not in result and "failed" not in result
    assert result["passed"] is True and result["changed"] is False and result["checkpoints"] == checkpoints
    assert result["requests"] == 7 and 2 <= result["elapsed"] < 60


def test_finish_fails_naming_each_failed_required_checkpoint_with_its_cause_lines_unless_told_not_to():
    checkpoints = [checkpoint("a", False, evidence=["looked at x", "FAIL x is down", "the check took 3s"]),
                   checkpoint("b", True, evidence=["FAIL not shown: b passed"]),
                   checkpoint("c", False, evidence=["the check could not run: 403"])]
    how, result = finished(checkpoints)
    assert how == "fail" and result["passed"] is False and result["checkpoints"] == checkpoints
    assert result["msg"] == "failing: a (FAIL x is down | the check took 3s); c (the check could not run: 403)"
    assert "failed" not in result, "fail_json sets it itself"
    how, result = finished(checkpoints, fail_on_failure=False)
    assert how == "exit" and result["passed"] is False and "msg" not in result


def test_finish_picks_the_cause_lines_a_module_names():
    checkpoints = [checkpoint("a", False, evidence=["nodes: FAIL 1 not Ready", "the check took 3s", "it could not"])]
    _how, result = finished(checkpoints, cause=lambda line: "FAIL" in line or "could not" in line)
    assert result["msg"] == "failing: a (nodes: FAIL 1 not Ready | it could not)"


@pytest.mark.parametrize("passed, fail_on_failure, failed", [
    (True, True, False), (False, True, True), (False, False, False)])
def test_verdict_fails_with_the_message_only_when_not_passed_and_told_to(passed, fail_on_failure, failed):
    output = {"passed": passed, "reason": "r"}
    answer = _checkpoint.verdict(output, "it connected", fail_on_failure)
    expected = dict(output, failed=True, msg="it connected") if failed else output
    assert answer == expected and output == {"passed": passed, "reason": "r"}, "the output given is not changed"
