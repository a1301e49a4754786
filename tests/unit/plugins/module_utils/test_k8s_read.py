"""_k8s_read: the server's version asked live, named objects read (None when absent or not served)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_read

from .._fake_kube import FakeError

APIREG = {"resources": [{"name": "apiservices", "kind": "APIService", "namespaced": False}]}
CORE = {"resources": [{"name": "configmaps", "kind": "ConfigMap", "namespaced": True}]}
APPS = {"resources": [{"name": "daemonsets", "kind": "DaemonSet", "namespaced": True}]}
METRICS = {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
           "metadata": {"name": "v1beta1.metrics.k8s.io"}, "spec": {"service": {"name": "metrics-server"}}}


class Reader:
    """Serves /version, discovery and objects by path; counts requests as KubeClient does."""

    def __init__(self, objects=None, fail=None, version=None):
        self.objects, self.fail, self.requests, self.paths = objects or {}, fail, 0, []
        self.version = version or {"major": "1", "minor": "34+", "gitVersion": "v1.34.1-oke"}

    def discover(self, api_version):
        return {"v1": CORE, "apiregistration.k8s.io/v1": APIREG, "apps/v1": APPS}.get(api_version)

    def request(self, method, path):
        assert method == "GET"
        self.requests += 1
        self.paths.append(path)
        if self.fail:
            raise self.fail
        if path == "/version":
            return dict(self.version)
        if path not in self.objects:
            raise FakeError(404, "not found")
        return self.objects[path]


def test_the_version_is_asked_each_time_and_its_minor_version_given():
    client = Reader()
    first = _k8s_read.read(client, version=True)
    client.version = {"major": "1", "minor": "35", "gitVersion": "v1.35.0"}
    second = _k8s_read.read(client, version=True)
    assert first["version"]["minor_version"] == "1.34" and first["version"]["gitVersion"] == "v1.34.1-oke"
    assert second["version"]["minor_version"] == "1.35"
    assert client.paths == ["/version", "/version"]


def test_objects_are_read_by_reference_none_when_absent_or_not_served():
    client = Reader({"/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io": METRICS})
    refs = [{"api_version": "apiregistration.k8s.io/v1", "kind": "APIService", "name": "v1beta1.metrics.k8s.io"},
            {"api_version": "apiregistration.k8s.io/v1", "kind": "APIService", "name": "v1beta1.custom.metrics.k8s.io"},
            {"api_version": "example.com/v1", "kind": "Widget", "name": "w"}]
    answer = _k8s_read.read(client, objects=refs)
    assert answer["objects"] == [METRICS, None, None]
    assert "version" not in answer and answer["requests"] == 2 and answer["changed"] is False


def test_a_namespaced_kind_without_namespace_and_an_api_error_fail_with_a_message():
    namespaced = _k8s_read.read(Reader(), objects=[{"api_version": "v1", "kind": "ConfigMap", "name": "c"}])
    assert namespaced["failed"] and "ConfigMap c is namespaced: set its namespace" in namespaced["msg"]
    refused = _k8s_read.read(Reader(fail=FakeError(0, "GET /version: HTTP 0: connection refused")), version=True)
    assert refused == {"failed": True, "msg": "GET /version: HTTP 0: connection refused", "requests": 1}


def test_lists_give_each_kinds_objects_with_their_kind_in_all_namespaces_or_one():
    calico = {"metadata": {"name": "calico-node", "namespace": "calico-system"}}
    client = Reader({"/apis/apps/v1/daemonsets": {"items": [calico]},
                     "/apis/apps/v1/namespaces/kube-system/daemonsets": {"items": []}})
    answer = _k8s_read.read(client, lists=[{"api_version": "apps/v1", "kind": "DaemonSet"},
                                           {"api_version": "apps/v1", "kind": "DaemonSet", "namespace": "kube-system"},
                                           {"api_version": "example.com/v1", "kind": "Widget"}])
    assert answer["lists"] == [[dict(calico, apiVersion="apps/v1", kind="DaemonSet")], [], []]
    assert client.paths == ["/apis/apps/v1/daemonsets", "/apis/apps/v1/namespaces/kube-system/daemonsets"]
