"""The pod_security module over a render's build directory and over a cluster (the rules and the operators' pods are
tested in module_utils)."""

from __future__ import annotations

import functools

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.modules import pod_security

from ..module_utils.test_pod_model import app_deployment, injector, kafka, operator, pool


def namespace(name, level):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {
        "pod-security.kubernetes.io/enforce": level, "pod-security.kubernetes.io/enforce-version": "v1.34"}}}


@pytest.fixture()
def run(run_module):
    """run(args, client=None): pod_security, on the fake cluster client when given (run_module:
    tests/unit/conftest.py)."""
    return functools.partial(run_module, pod_security)


@pytest.fixture(name="build_dir")
def fixture_build_dir(tmp_path):
    """A render: the namespaces and the Kafka in the role manifests, the operator and injector in chart output."""
    (tmp_path / "manifests").mkdir()
    (tmp_path / "helm").mkdir()
    manifests = [namespace("kafka", "restricted"), namespace("todo-app", "restricted"), kafka(), pool(),
                 app_deployment()]
    (tmp_path / "manifests" / "stack.yaml").write_text(yaml.safe_dump_all(manifests), encoding="utf-8")
    return tmp_path


def write_chart(build_dir, provider):
    (build_dir / "helm" / "operators.manifests.yaml").write_text(
        yaml.safe_dump_all([operator(provider), injector(True)]), encoding="utf-8")


def test_the_baseline_provider_gets_the_kafka_pods_refused_with_the_rules_named(run, build_dir):
    write_chart(build_dir, "baseline")
    code, result = run({"build_dir": str(build_dir)})
    assert code == 1 and result["failed"]
    refused = {r["pod"]: r for r in result["refused"]}
    assert set(refused) == {"todo-kafka-dual-role", "todo-kafka-entity-operator", "todo-kafka-kafka-exporter"}
    broker = refused["todo-kafka-dual-role"]
    assert broker["owner"] == "KafkaNodePool kafka/dual-role"
    assert broker["rules"] == ["allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot",
                               "seccompProfile_restricted"]
    assert broker["message"].startswith('pods "todo-kafka-dual-role" is forbidden: violates PodSecurity '
                                        '"restricted:v1.34": allowPrivilegeEscalation != false (container "kafka"')
    assert "3 pod(s) would be refused by Pod Security admission" in result["msg"]
    assert result["namespaces"] == {"kafka": "restricted:v1.34", "todo-app": "restricted:v1.34"}


def test_the_restricted_provider_gets_every_pod_admitted(run, build_dir):
    write_chart(build_dir, "restricted")
    code, result = run({"build_dir": str(build_dir)})
    assert code == 0, result
    # backend, operator, injector, the broker pool, the Entity Operator, Kafka Exporter
    assert result["refused"] == [] and result["summary"] == {"pods": 6, "refused": 0}
    backend = next(p for p in result["pods"] if p["name"] == "todo-backend")
    assert backend["level"] == "restricted" and backend["version"] == "v1.34" and not backend["refused"]


def test_namespaces_filter_and_fail_on_refused(run, build_dir):
    write_chart(build_dir, "baseline")
    code, result = run({"build_dir": str(build_dir), "namespaces": ["todo-app"]})
    assert code == 0 and result["refused"] == [] and {p["namespace"] for p in result["pods"]} == {"todo-app"}
    code, result = run({"build_dir": str(build_dir), "fail_on_refused": False})
    assert code == 0 and len(result["refused"]) == 3


def test_a_missing_build_dir_is_named(run, tmp_path):
    code, result = run({"build_dir": str(tmp_path / "nope")})
    assert code == 1 and "render first" in result["msg"]


class Cluster:
    """What apply mode reads: lists per path, and the events of refusals already recorded."""

    def __init__(self, lists):
        self.lists, self.requests, self.paths = lists, 0, []

    def request(self, method, path, query=None, body=None):
        assert method == "GET" and body is None
        self.requests += 1
        self.paths.append((path, dict(query or {})))
        return {"items": self.lists.get(path, [])}


def test_apply_mode_judges_live_templates_and_reports_recorded_refusals(run):
    bad = app_deployment()
    del bad["spec"]["template"]["spec"]["securityContext"]
    owned = {"kind": "Pod", "metadata": {"name": "todo-backend-1", "namespace": "todo-app", "ownerReferences": [
        {"kind": "ReplicaSet", "name": "todo-backend-x"}]}, "spec": {"containers": [{"name": "app"}]}}
    operator_pod = {"metadata": {"name": "todo-db-1", "namespace": "todo-app", "ownerReferences": [
        {"kind": "Cluster", "name": "todo-db"}]}, "spec": {"containers": [{"name": "postgres"}]}}
    event = {"type": "Warning", "reason": "FailedCreate",
             "involvedObject": {"kind": "StrimziPodSet", "namespace": "kafka", "name": "todo-kafka-dual-role"},
             "message": 'pods "todo-kafka-dual-role-0" is forbidden: violates PodSecurity "restricted:v1.34": x'}
    client = Cluster({"/api/v1/namespaces": [namespace("todo-app", "restricted"), namespace("kafka", "restricted")],
                      "/apis/apps/v1/deployments": [bad, injector(True)],
                      "/api/v1/pods": [owned, operator_pod], "/api/v1/events": [event]})
    code, result = run({"from_cluster": True, "namespaces": ["todo-app", "kafka"]}, client)
    assert code == 1
    refused = {r["owner"]: r for r in result["refused"]}
    assert set(refused) == {"Deployment todo-app/todo-backend", "Pod todo-app/todo-db-1",
                            "StrimziPodSet kafka/todo-kafka-dual-role"}
    assert "runAsNonRoot" in refused["Deployment todo-app/todo-backend"]["rules"]
    assert refused["StrimziPodSet kafka/todo-kafka-dual-role"]["message"] == event["message"]
    assert ("/api/v1/events", {"fieldSelector": "type=Warning"}) in client.paths
    assert result["requests_made"] == client.requests == 8
