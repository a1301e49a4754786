"""The emulator's RBAC authorizer (SubjectAccessReview), LimitRanger and ResourceQuota admission of Pods, and the
metrics.k8s.io aggregated API, over HTTP as the API server answers them."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.support.kube_emulator import KubeEmulator
from tests.support.metrics_standin import MetricsServerStandIn

SA = "system:serviceaccount:app:deployer"
RBAC = "/apis/rbac.authorization.k8s.io/v1"


def send(kube, method, path, body=None):
    request = urllib.request.Request(kube.url + path, method=method, headers={"Content-Type": "application/json"},
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def sar(kube, user, verb, resource, namespace=None, group="", groups=(), subresource=None):
    attributes = {"verb": verb, "resource": resource, "group": group}
    attributes.update({k: v for k, v in (("namespace", namespace), ("subresource", subresource)) if v})
    return send(kube, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
        "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
        "spec": {"user": user, "groups": list(groups), "resourceAttributes": attributes}})


@pytest.fixture()
def kube():
    with KubeEmulator() as server:
        for namespace in ("app",):
            server.call("POST", "/api/v1/namespaces", {"metadata": {"name": namespace}}, "application/json")
        server.call("POST", RBAC + "/namespaces/app/roles", {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "deployer"},
            "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "patch"]},
                      {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}]}, "application/json")
        server.call("POST", RBAC + "/namespaces/app/rolebindings", {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "deployer"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "deployer"},
            "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "app"}]}, "application/json")
        yield server


def test_a_role_binding_allows_its_rules_in_its_namespace_only(kube):
    status, answer = sar(kube, SA, "patch", "deployments", "app", "apps")
    assert status == 201 and answer["status"] == {"allowed": True, "reason": (
        'RBAC: allowed by RoleBinding "deployer/app" of Role "deployer" to ServiceAccount "deployer/app"')}
    assert answer["kind"] == "SubjectAccessReview" and answer["spec"]["user"] == SA
    assert sar(kube, SA, "patch", "deployments", "kube-system", "apps")[1]["status"] == {"allowed": False}
    assert sar(kube, SA, "delete", "deployments", "app", "apps")[1]["status"] == {"allowed": False}
    assert sar(kube, SA, "get", "pods", "app", subresource="log")[1]["status"]["allowed"] is True
    assert sar(kube, SA, "get", "pods", "app")[1]["status"] == {"allowed": False}
    assert sar(kube, "system:serviceaccount:app:other", "get", "deployments", "app", "apps")[1]["status"] == {
        "allowed": False}


def test_a_cluster_role_binding_to_a_group_allows_everywhere_for_members_the_review_names(kube):
    kube.call("POST", RBAC + "/clusterroles", {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "all"},
        "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}, "application/json")
    kube.call("POST", RBAC + "/clusterrolebindings", {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "sa-all"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "all"},
        "subjects": [{"kind": "Group", "name": "system:serviceaccounts:app"}]}, "application/json")
    assert sar(kube, SA, "create", "secrets", "kube-system")[1]["status"] == {"allowed": False}, \
        "groups are only those the review names"
    answer = sar(kube, SA, "create", "secrets", "kube-system", groups=["system:serviceaccounts:app"])[1]
    assert answer["status"] == {"allowed": True, "reason": (
        'RBAC: allowed by ClusterRoleBinding "sa-all" of ClusterRole "all" to Group "system:serviceaccounts:app"')}


def test_a_review_without_user_or_attributes_is_invalid(kube):
    status, answer = send(kube, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
        "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
        "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}})
    assert status == 422 and "at least one of user or group must be specified" in answer["message"]


POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare"},
       "spec": {"containers": [{"name": "c", "image": "pause"}]}}


def test_limit_ranger_defaults_a_pod_without_resources_and_the_quota_refuses_one_without_a_limit_range(kube):
    kube.call("POST", "/api/v1/namespaces/app/resourcequotas", {
        "apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"},
        "spec": {"hard": {"limits.cpu": "2", "requests.memory": "1Gi", "pods": "10"}}}, "application/json")
    status, answer = send(kube, "POST", "/api/v1/namespaces/app/pods?dryRun=All", POD)
    assert status == 403 and answer["reason"] == "Forbidden"
    assert answer["message"] == ('pods "bare" is forbidden: failed quota: q: must specify limits.cpu for: c; '
                                 'requests.memory for: c')
    kube.call("POST", "/api/v1/namespaces/app/limitranges", {
        "apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "d"},
        "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"},
                             "defaultRequest": {"cpu": "50m"}}]}}, "application/json")
    status, pod = send(kube, "POST", "/api/v1/namespaces/app/pods?dryRun=All", POD)
    assert status == 201, pod
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "500m", "memory": "512Mi"},
                                                         "requests": {"cpu": "50m", "memory": "512Mi"}}
    assert pod["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c")
    assert send(kube, "GET", "/api/v1/namespaces/app/pods/bare")[0] == 404, "a dry run stores nothing"


def test_metrics_answer_503_without_metrics_server_and_leave_out_unscraped_pods(kube):
    kube.call("POST", "/api/v1/namespaces/app/pods", dict(POD, metadata={"name": "web"}), "application/json")
    kube.call("POST", "/api/v1/namespaces/app/pods", dict(POD, metadata={"name": "new"}), "application/json")
    status, answer = send(kube, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/app/pods")
    assert status == 503 and answer["message"] == "the server is currently unable to handle the request"
    MetricsServerStandIn(kube, unscraped=["new"])
    status, answer = send(kube, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/app/pods")
    assert status == 200 and answer["kind"] == "PodMetricsList"
    assert [i["metadata"]["name"] for i in answer["items"]] == ["web"]
    assert answer["items"][0]["containers"] == [{"name": "c", "usage": {"cpu": "2000000n", "memory": "16384Ki"}}]
    assert send(kube, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/app/pods/new")[0] == 404
