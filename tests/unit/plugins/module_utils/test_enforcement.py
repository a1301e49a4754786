"""The enforcement probe's logic against a fake cluster: what it proves, what it cannot, and that its pod goes."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _enforcement, _pod_security
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeError

NS = "todo-app"
SERVICE = {"metadata": {"name": "todo-frontend", "namespace": NS},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 3000, "targetPort": "http"}]}}
WEB = {"metadata": {"name": "web-0", "namespace": NS, "labels": {"app": "web"}},
       "spec": {"containers": [{"name": "app", "ports": [{"name": "http", "containerPort": 3000}]}]},
       "status": {"phase": "Running", "podIP": "10.244.0.9", "conditions": [{"type": "Ready", "status": "True"}]}}
DENY = {"metadata": {"name": "deny", "namespace": NS}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}
DNS = {"metadata": {"name": "dns", "namespace": NS}, "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
    {"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
     "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]}}
UDP_DNS = copy.deepcopy(DNS)
UDP_DNS["spec"]["egress"][0]["ports"] = [{"port": 53, "protocol": "UDP"}]
OPEN = {"metadata": {"name": "open", "namespace": NS},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}], "egress": [{}]}}
CALICO = {"metadata": {"name": "calico-node", "namespace": "calico-system"},
          "status": {"numberReady": 3, "desiredNumberScheduled": 3}}


class FakeCluster:
    """The API's answers, a kubelet that starts the probe after `start_after` reads (or never, with a waiting
    reason), and exec answers per command (nc: per host, the cluster DNS's and the target's)."""

    def __init__(self, policies=(DENY, DNS), pods=(WEB,), daemonsets=(CALICO,), start_after=1, waiting=None,
                 answers=None, exec_error=None):
        self.policies, self.pods, self.daemonsets = list(policies), list(pods), list(daemonsets)
        self.start_after, self.waiting, self.exec_error = start_after, waiting, exec_error
        self.answers = dict({"nslookup": (0, "Name: todo-frontend", ""),
                             "kube-dns": (0, "", "kube-dns.kube-system.svc.cluster.local (10.96.0.10:53) open"),
                             "todo-frontend": (1, "", "nc: todo-frontend.todo-app.svc.cluster.local (10.96.4.2:3000): "
                                                      "Connection timed out")}, **(answers or {}))
        self.created, self.deleted, self.executed, self.reads, self.now = [], [], [], 0, 0.0
        self.requests = 0

    def request(self, method, path, query=None, body=None):
        self.requests += 1
        if method == "POST":
            self.created.append(copy.deepcopy(body))
            return body
        if method == "DELETE":
            self.deleted.append(path.rsplit("/", 1)[1])
            return {}
        if path.endswith("/services/todo-frontend"):
            return SERVICE
        if path.endswith("/services/nope"):
            raise KubeError(method, path, 404, "not found")
        if path.endswith("/networkpolicies"):
            return {"items": self.policies}
        if path == "/api/v1/namespaces":
            return {"items": [{"metadata": {"name": NS}}, {"metadata": {"name": "kube-system"}}]}
        if path == "/apis/apps/v1/daemonsets":
            return {"items": self.daemonsets}
        if path.endswith("/pods"):
            return {"items": self.pods}
        self.reads += 1  # the probe pod
        if self.waiting or self.reads <= self.start_after:
            state = {"waiting": self.waiting} if self.waiting else {}
            return {"status": {"phase": "Pending", "containerStatuses": [{"name": "probe", "state": state}]}}
        return {"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}

    def pod_exec(self, namespace, pod, command, timeout=30):
        self.executed.append(command)
        if self.exec_error:
            raise self.exec_error
        if command[0] == "nc":
            return self.answers[command[-2].split(".")[0]]
        return self.answers[command[0]]

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def run(cluster, service="todo-frontend", port=3000):
    return _enforcement.Prober(cluster, NS, service, port, "busybox:1.37.0", engines=["calico-node", "cilium"],
                               timeout=5, interval=1, clock=cluster.clock, new_name=lambda: "probe-1").run()


def test_a_denied_connection_passes_naming_the_engine_and_the_pod_is_deleted():
    cluster = FakeCluster()
    result = run(cluster)
    assert result["passed"] is True and result["enforced"] is True and result["deleted"] is True
    assert cluster.executed == [["nslookup", "todo-frontend.todo-app.svc.cluster.local"],
                                ["nc", "-v", "-z", "-w", "3", "kube-dns.kube-system.svc.cluster.local", "53"],
                                ["nc", "-v", "-z", "-w", "3", "todo-frontend.todo-app.svc.cluster.local", "3000"]]
    assert cluster.deleted == ["probe-1"]
    assert ("could not connect to todo-frontend:3000 (nc: todo-frontend.todo-app.svc.cluster.local (10.96.4.2:3000): "
            "Connection timed out)") in result["reason"]
    assert result["reason"].endswith("enforced by calico-node in calico-system: 3 of 3 ready")
    assert _enforcement.evidence(result) == ["pass " + result["reason"]]


def test_a_connection_that_goes_through_fails_naming_the_missing_engine():
    cluster = FakeCluster(daemonsets=(), answers={"todo-frontend": (0, "", "")})
    result = run(cluster)
    assert result["passed"] is False and result["enforced"] is False
    assert result["reason"].endswith("nothing enforces them - no policy engine DaemonSet (calico-node, cilium) runs")
    assert cluster.deleted == ["probe-1"]


@pytest.mark.parametrize("cluster, service, message", [
    (FakeCluster(policies=()), "todo-frontend", "the NetworkPolicies of todo-app allow a pod labelled"),
    (FakeCluster(policies=(DENY, DNS, OPEN)), "todo-frontend", "the NetworkPolicies of todo-app allow a pod labelled"),
    (FakeCluster(policies=(DENY,)), "todo-frontend", "the NetworkPolicies of todo-app deny the probe DNS"),
    (FakeCluster(policies=(DENY, UDP_DNS)), "todo-frontend", "the NetworkPolicies of todo-app deny the probe DNS (UDP "
                                                             "and TCP 53)"),
    (FakeCluster(pods=()), "todo-frontend", "Service todo-app/todo-frontend has no ready pod"),
    (FakeCluster(), "nope", "no Service nope in todo-app to probe"),
])
def test_a_probe_that_could_prove_nothing_creates_no_pod_and_says_why(cluster, service, message):
    result = run(cluster, service=service)
    assert result["passed"] is False and result["enforced"] is None and result["reason"].startswith(message)
    assert cluster.created == [] and result["deleted"] is None


def test_a_probe_pod_that_never_runs_fails_with_its_waiting_reason_and_is_deleted():
    cluster = FakeCluster(waiting={"reason": "ErrImagePull", "message": "docker.io: rate limited"})
    result = run(cluster)
    assert result["reason"] == ("the probe pod todo-app/probe-1 did not run within 5s: ErrImagePull: docker.io: rate "
                                "limited")
    assert cluster.deleted == ["probe-1"] and cluster.now >= 5


def test_a_denied_connection_with_no_known_engine_still_passes_and_says_so():
    result = run(FakeCluster(daemonsets=()))
    assert result["passed"] is True and result["reason"].endswith(
        "enforced by something other than the known policy engine DaemonSets (calico-node, cilium)")


@pytest.mark.parametrize("answers, message", [
    ({"kube-dns": (1, "", "nc: kube-dns.kube-system.svc.cluster.local (10.96.0.10:53): Connection timed out")},
     "could not connect to kube-dns.kube-system.svc.cluster.local:53 over TCP although the policies allow it (exit 1: "
     "nc: kube-dns.kube-system.svc.cluster.local (10.96.0.10:53): Connection timed out)"),
    # busybox built without netcat 1.10's -z prints its usage and exits 1: the control catches it, no false pass
    ({"kube-dns": (1, "", "BusyBox v1.37.0 multi-call binary.")}, "could not connect to kube-dns"),
    ({"kube-dns": (127, "", "exec: \"nc\": executable file not found in $PATH")},
     "the probe image busybox:1.37.0 cannot run nc (exit 127: exec: \"nc\": executable file not found in $PATH)"),
])
def test_a_failed_tcp_control_is_inconclusive_never_a_pass(answers, message):
    cluster = FakeCluster(answers=answers)
    result = run(cluster)
    assert result["passed"] is False and result["enforced"] is None and message in result["reason"], result
    assert cluster.deleted == ["probe-1"] and len(cluster.executed) == 2


def test_a_broken_pod_network_is_inconclusive_and_an_exec_refused_says_so():
    cluster = FakeCluster(answers={"nslookup": (1, ";; connection timed out", ""), "todo-frontend": (0, "", "")})
    assert "could not resolve todo-frontend.todo-app.svc.cluster.local although the policies allow it DNS (exit 1: " \
           ";; connection timed out)" in run(cluster)["reason"]
    cluster = FakeCluster(exec_error=KubeError("GET", "x", 403, 'pods "probe-1" is forbidden: cannot create pods/exec'))
    result = run(cluster)
    assert result["reason"] == ('cannot run nslookup todo-frontend.todo-app.svc.cluster.local in the probe pod: pods '
                                '"probe-1" is forbidden: cannot create pods/exec') and cluster.deleted == ["probe-1"]


def test_the_probe_pod_meets_restricted_and_mounts_no_token():
    pod = _enforcement.probe_pod("p", NS, "busybox:1.37.0")
    assert _pod_security.judge(pod, "restricted", _pod_security.parse_version("v1.34")) == []
    assert pod["spec"]["automountServiceAccountToken"] is False
    assert pod["metadata"]["labels"] == _enforcement.PROBE_LABELS


def test_an_undeletable_probe_pod_is_reported():
    assert _enforcement.evidence({"passed": True, "reason": "x", "deleted": False, "pod": "ns/p"}) == [
        "pass x", "the probe pod ns/p could not be deleted: delete it by hand"]
