"""The checkpoints of k8s_live_checks over a fake API: what passes, what fails and the evidence naming why."""

from __future__ import annotations

import base64

from ansible_collections.eventstack.oke.plugins.module_utils import _verify_live
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeError


class FakeClient:
    """GET answers lists from ``lists`` (path -> items; missing: 404); POST answers from ``post(path, body)``."""

    def __init__(self, lists, post=None):
        self.lists, self.post, self.sent = lists, post, []

    def request(self, method, path, query=None, body=None, **_kwargs):
        self.sent.append((method, path, query, body))
        if method == "POST":
            return self.post(path, body)
        if path not in self.lists:
            raise KubeError(method, path, 404, "the server could not find the requested resource")
        if isinstance(self.lists[path], Exception):
            raise self.lists[path]
        return {"items": self.lists[path]}


def node(name, cpu, memory, ready="True", allocatable=None):
    return {"metadata": {"name": name}, "status": {
        "capacity": {"cpu": cpu, "memory": memory}, "allocatable": allocatable or {"cpu": cpu, "memory": memory},
        "conditions": [{"type": "Ready", "status": ready}]}}


def test_nodes_against_an_a1_shape_fail_on_the_wrong_vcpu_count_and_warn_on_small_allocatable():
    lists = {"/api/v1/nodes": [node("a", "2", "12Gi"), node("b", "4", "11Gi", allocatable={"cpu": "1", "memory": "9Gi"})]}
    spec = {"count": 2, "shape": "VM.Standard.A1.Flex", "ocpus": 2, "memory_gbs": 12,
            "reserved": {"cpu": "200m", "memory": "1Gi"}}
    passed, lines = _verify_live.nodes(FakeClient(lists), spec)
    assert not passed
    assert lines[0] == "2 of 2 node(s) Ready; expected 2 node(s) of VM.Standard.A1.Flex 2 OCPU / 12 GB"
    assert "FAIL node b has 4 CPU; 2 OCPU of VM.Standard.A1.Flex are 2 vCPU" in lines
    assert any(line.startswith("warning: node b allocatable cpu 1 is below the 1.8") for line in lines), lines
    assert not any("node a" in line for line in lines if line.startswith(("FAIL", "warning"))), lines


def test_nodes_fail_when_fewer_than_the_pool_are_ready():
    lists = {"/api/v1/nodes": [node("a", "4", "16Gi", ready="False")]}
    passed, lines = _verify_live.nodes(FakeClient(lists), {"count": 2})
    assert not passed and "FAIL 0 of the node pool's 2 nodes are Ready" in lines
    assert "FAIL node a is not Ready" in lines


def b64(text):
    return base64.b64encode(text.encode()).decode()


def test_secret_values_found_name_the_place_never_the_value_and_skip_short_and_public_ones():
    secret = {"metadata": {"name": "jwt", "namespace": "app"}, "type": "Opaque",
              "data": {"KEY": b64("s3cr3t-value-123"), "USER": b64("todo")}}
    token = {"metadata": {"name": "sa-token", "namespace": "app"}, "type": "kubernetes.io/service-account-token",
             "data": {"ca.crt": b64("-----BEGIN CERTIFICATE----- shared"), "token": b64("eyJhbGciOi.token")}}
    lists = {"/api/v1/namespaces/app/secrets": [secret, token],
             "/api/v1/namespaces/app/configmaps": [{"metadata": {"name": "kube-root-ca.crt", "namespace": "app"},
                                                   "data": {"ca.crt": "-----BEGIN CERTIFICATE----- shared"}}],
             "/apis/apps/v1/namespaces/app/deployments": [{"metadata": {"name": "web", "namespace": "app"}, "spec": {
                 "template": {"spec": {"containers": [{"name": "app", "env": [
                     {"name": "USER", "value": "todo"}, {"name": "JWT", "value": "Bearer s3cr3t-value-123"}]}]}}}}],
             "/api/v1/namespaces/app/services": [{"metadata": {"name": "web", "namespace": "app", "annotations": {
                 "note": "token eyJhbGciOi.token"}}}]}
    passed, lines = _verify_live.secrets(FakeClient(lists), {"namespaces": ["app"]})
    assert not passed
    assert lines[1:] == ["FAIL Secret app/jwt key KEY: its value is in Deployment app/web container app env JWT",
                         "FAIL Secret app/sa-token key token: its value is in Service app/web annotation note"]
    assert "1 shorter than 8 characters not searched" in lines[0]
    assert not any("s3cr3t" in line or "eyJ" in line for line in lines)


def test_quota_and_defaults_compare_with_k8s_base_and_name_a_refusal():
    def post(path, body):
        if "/kafka/" in path:
            raise KubeError("POST", path, 403, 'pods "x" is forbidden: failed quota: q: must specify limits.cpu for: probe')
        return dict(body, spec=dict(body["spec"], containers=[dict(body["spec"]["containers"][0], resources={
            "limits": {"cpu": "1", "memory": "512Mi"}, "requests": {"cpu": "50m", "memory": "64Mi"}})]))
    lists = {"/api/v1/namespaces/app/resourcequotas": [{"metadata": {"name": "q"}, "spec": {"hard": {
        "limits.cpu": "12", "pods": "30"}}}], "/api/v1/namespaces/kafka/resourcequotas": []}
    client = FakeClient(lists, post)
    passed, lines = _verify_live.quotas(client, {
        "quotas": {"app": {"limits_cpu": "12", "pods": 20}, "kafka": {"limits_cpu": "2"}},
        "limit_ranges": {"app": {"default_cpu": "500m", "default_memory": "512Mi", "default_request_cpu": "50m"},
                         "kafka": {"default_cpu": "1"}}})
    assert not passed
    assert lines == [
        "FAIL app: ResourceQuota q differs: pods is 30, 20 expected",
        "FAIL app: a pod without resources (dry run) gets requests cpu=50m, memory=64Mi; limits cpu=1, memory=512Mi: "
        "limits.cpu is 1, the LimitRange default 500m",
        "FAIL kafka: no ResourceQuota (expected limits.cpu=2)",
        "FAIL kafka: a pod without resources is refused (dry run): HTTP 403: pods \"x\" is forbidden: failed quota: q: "
        "must specify limits.cpu for: probe"]
    assert all(query == {"dryRun": "All"} for method, _p, query, _b in client.sent if method == "POST")


def test_metrics_without_metrics_server_and_an_hpa_without_its_metric_fail_with_the_reason():
    lists = {"/api/v1/namespaces/app/pods": [{"metadata": {"name": "web-0"}}],
             "/apis/metrics.k8s.io/v1beta1/namespaces/app/pods": KubeError(
                 "GET", "/apis/metrics.k8s.io", 503, "the server is currently unable to handle the request"),
             "/apis/autoscaling/v2/namespaces/app/horizontalpodautoscalers": [{"metadata": {"name": "web"}, "status": {
                 "conditions": [{"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric"}]}}]}
    assert _verify_live.metrics(FakeClient(lists), {"namespace": "app"}) == (False, [
        "FAIL metrics.k8s.io does not answer for app (is metrics-server running?): HTTP 503: the server is currently "
        "unable to handle the request"])
    passed, lines = _verify_live.hpa(FakeClient(lists), {"namespace": "app"})
    assert not passed and lines == ["FAIL HPA web: ScalingActive=False reason: FailedGetResourceMetric, ? replica(s)"]
    assert _verify_live.hpa(FakeClient({"/apis/autoscaling/v2/namespaces/app/horizontalpodautoscalers": []}),
                            {"namespace": "app"}) == (False, ["FAIL no HorizontalPodAutoscaler in app"])


def test_access_asks_with_the_service_account_groups_and_fails_what_is_allowed_but_must_be_denied():
    def post(path, body):
        attributes = body["spec"]["resourceAttributes"]
        return {"status": {"allowed": attributes.get("namespace") == "app" or attributes["verb"] == "list",
                           "reason": "RBAC: allowed by X" if attributes.get("namespace") == "app" else ""}}
    client = FakeClient({}, post)
    passed, lines = _verify_live.access(client, {"service_account": "deployer", "namespace": "app",
                                                 "allowed": [{"verb": "patch", "group": "apps", "resource": "deployments"}],
                                                 "denied": [{"verb": "list", "resource": "nodes", "namespace": ""}]})
    assert not passed
    assert lines[1:] == ["pass allowed patch deployments.apps in app - RBAC: allowed by X",
                         "FAIL allowed list nodes cluster-wide (must be denied)"]
    spec = client.sent[0][3]["spec"]
    assert spec["user"] == "system:serviceaccount:app:deployer"
    assert spec["groups"] == ["system:serviceaccounts", "system:serviceaccounts:app", "system:authenticated"]


def test_run_all_runs_only_the_checks_given_and_turns_an_error_into_a_failed_checkpoint():
    checkpoints = _verify_live.run_all(FakeClient({}), {"nodes": None, "hpa": {"namespace": "gone", "required": False}})
    assert [(c["name"], c["required"], c["passed"]) for c in checkpoints] == [
        ("Every HPA reads its metrics (ScalingActive)", False, False)]
    assert checkpoints[0]["evidence"] == ["the check could not run: HTTP 404: the server could not find the requested "
                                          "resource"]
