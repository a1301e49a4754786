"""The emulator's pods/exec and the node stand-in (kubelet and pod network), through the real kubernetes client, and
the NetworkPolicy enforcement probe driven through them (what the verify playbook does in apply mode)."""
from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _enforcement
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeClient, KubeError
from tests.support.cni_standin import NodeStandIn
from tests.support.kube_emulator import KubeEmulator

NS = "todo-app"
DENY = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": "eventstack-default-deny", "namespace": NS},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}
DNS = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
       "metadata": {"name": "eventstack-allow-dns", "namespace": NS},
       "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{
           "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                   "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
           "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]}}
FRONTEND_IN = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
               "metadata": {"name": "eventstack-app-todo-frontend", "namespace": NS},
               "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "todo-frontend"}},
                        "policyTypes": ["Ingress"], "ingress": [{"from": [{"podSelector": {"matchLabels": {
                            "app.kubernetes.io/name": "todo-backend"}}}], "ports": [{"port": 3000}]}]}}


NC = ["nc", "-v", "-z", "-w", "3", "todo-frontend", "3000"]


def post(client, path, body):
    return client.request("POST", path, body=body)


@pytest.fixture(name="cluster")
def fixture_cluster(tmp_path):
    with KubeEmulator() as kube:
        client = KubeClient(kube.write_kubeconfig(tmp_path / "kubeconfig"))
        post(client, "/api/v1/namespaces", {"metadata": {"name": NS, "labels": {
            "pod-security.kubernetes.io/enforce": "restricted"}}})
        post(client, "/api/v1/namespaces", {"metadata": {"name": "calico-system"}})
        node = NodeStandIn(kube)
        post(client, "/api/v1/namespaces/%s/services" % NS, {"metadata": {"name": "todo-frontend"}, "spec": {
            "selector": {"app.kubernetes.io/name": "todo-frontend"},
            "ports": [{"name": "http", "port": 3000, "targetPort": "http"}]}})
        post(client, "/api/v1/namespaces/%s/pods" % NS, {"metadata": {
            "name": "todo-frontend-0", "labels": {"app.kubernetes.io/name": "todo-frontend"}}, "spec": {
                "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "app", "image": "todo-frontend:1", "ports": [{"name": "http",
                                                                                      "containerPort": 3000}],
                                "securityContext": {"allowPrivilegeEscalation": False,
                                                    "capabilities": {"drop": ["ALL"]}}}]}})
        for policy in (DENY, DNS, FRONTEND_IN):
            post(client, "/apis/networking.k8s.io/v1/namespaces/%s/networkpolicies" % NS, policy)
        yield kube, client, node


def engine(client, ready=1, desired=1, name="calico-node"):
    post(client, "/apis/apps/v1/namespaces/calico-system/daemonsets", {"metadata": {"name": name}, "spec": {
        "selector": {"matchLabels": {"k8s-app": name}}, "template": {"metadata": {"labels": {"k8s-app": name}},
                                                                     "spec": {"containers": [{"name": "node",
                                                                                              "image": "x"}]}}}})
    client.request("PATCH", "/apis/apps/v1/namespaces/calico-system/daemonsets/%s/status" % name,
                   body={"status": {"desiredNumberScheduled": desired, "numberReady": ready}},
                   content_type="application/merge-patch+json")


def probe(client, port=3000, service="todo-frontend"):
    return _enforcement.Prober(client, NS, service, port, "busybox:1.37.0", engines=["calico-node", "cilium"],
                               timeout=5, interval=0.1, new_name=lambda: "eventstack-netpol-probe-x1").run()


def test_exec_runs_the_nodes_command_and_reports_the_exit_code_as_the_kubelet_does(cluster):
    _kube, client, node = cluster
    code, out, err = client.pod_exec(NS, "todo-frontend-0", ["nslookup", "todo-frontend.todo-app.svc.cluster.local"])
    assert code == 0 and "Name:\ttodo-frontend.todo-app.svc.cluster.local" in out and err == ""
    code, _out, err = client.pod_exec(NS, "todo-frontend-0", ["frobnicate"])
    assert code == 127 and "not found" in err
    assert node.executed[-1] == ("todo-frontend-0", ["frobnicate"])
    with pytest.raises(KubeError) as missing:
        client.pod_exec(NS, "nope", ["true"])
    assert missing.value.status == 404
    client.request("PATCH", "/api/v1/namespaces/%s/pods/todo-frontend-0/status" % NS,
                   body={"status": {"phase": "Pending"}}, content_type="application/merge-patch+json")
    with pytest.raises(KubeError, match="is not running"):
        client.pod_exec(NS, "todo-frontend-0", ["true"])


def test_the_node_runs_new_pods_and_an_engine_makes_its_network_follow_the_policies(cluster):
    _kube, client, _node = cluster
    pod = client.request("GET", "/api/v1/namespaces/%s/pods/todo-frontend-0" % NS)
    assert pod["status"]["phase"] == "Running" and pod["status"]["podIP"].startswith("10.244.0.")
    # No engine: the policies are decoration; an engine not ready yet enforces nothing either.
    assert client.pod_exec(NS, "todo-frontend-0", NC)[0] == 0
    engine(client, ready=0)
    assert client.pod_exec(NS, "todo-frontend-0", NC)[0] == 0
    client.request("PATCH", "/apis/apps/v1/namespaces/calico-system/daemonsets/calico-node/status",
                   body={"status": {"numberReady": 1}}, content_type="application/merge-patch+json")
    code, _out, err = client.pod_exec(NS, "todo-frontend-0", NC)
    assert code == 1 and "Connection timed out" in err, "its own egress is denied by the default deny"
    assert client.pod_exec(NS, "todo-frontend-0", ["nslookup", "todo-frontend"])[0] == 0, "DNS stays allowed"
    assert client.pod_exec(NS, "todo-frontend-0", ["nc", "-v", "-z", "-w", "3", "kube-dns.kube-system", "53"]) == (
        0, "", "kube-dns.kube-system (10.96.0.10:53) open\n"), "so does DNS over TCP"


def test_nc_answers_as_busybox_netcat_does(cluster):
    """networking/nc_bloaty.c: silent without -v; -v reports an open port and a timeout but not a refusal; a name
    that does not resolve dies with 'bad address'; an option it lacks prints the usage (exit 1)."""
    _kube, client, _node = cluster
    assert client.pod_exec(NS, "todo-frontend-0", ["nc", "-z", "-w", "3", "todo-frontend", "3000"]) == (0, "", "")
    code, _out, err = client.pod_exec(NS, "todo-frontend-0", NC)
    assert code == 0 and err.startswith("todo-frontend (10.96.") and err.endswith(":3000) open\n")
    client.request("PATCH", "/api/v1/namespaces/%s/pods/todo-frontend-0/status" % NS,
                   body={"status": {"phase": "Failed"}}, content_type="application/merge-patch+json")
    post(client, "/api/v1/namespaces/%s/pods" % NS, {"metadata": {"name": "shell"}, "spec": {
        "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "sh", "image": "busybox:1.37.0", "securityContext": {
            "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}]}})
    assert client.pod_exec(NS, "shell", NC) == (1, "", ""), \
        "a Service without a running pod: kube-proxy rejects, and one -v does not print a refusal"
    client.request("PATCH", "/api/v1/namespaces/%s/pods/todo-frontend-0/status" % NS,
                   body={"status": {"phase": "Running"}}, content_type="application/merge-patch+json")
    assert client.pod_exec(NS, "todo-frontend-0", ["nc", "-v", "-z", "-w", "3", "nope", "80"]) == (
        1, "", "nc: bad address 'nope'\n")
    engine(client)
    assert client.pod_exec(NS, "todo-frontend-0", ["nc", "-z", "-w", "3", "todo-frontend", "3000"]) == (1, "", "")
    code, _out, err = client.pod_exec(NS, "todo-frontend-0", ["nc", "-x", "todo-frontend", "3000"])
    assert code == 1 and "Usage: nc" in err


def test_the_probe_passes_where_an_engine_enforces_and_deletes_its_pod(cluster):
    kube, client, node = cluster
    engine(client)
    result = probe(client)
    assert result["passed"] is True and result["enforced"] is True, result
    assert ("could not connect to todo-frontend:3000 (nc: todo-frontend.todo-app.svc.cluster.local (10.96."
            in result["reason"]) and "Connection timed out)" in result["reason"]
    assert "egress of todo-app/probe is isolated by eventstack-allow-dns, eventstack-default-deny" in result["reason"]
    assert result["reason"].endswith("enforced by calico-node in calico-system: 1 of 1 ready")
    assert [argv[0] for name, argv in node.executed if name == "eventstack-netpol-probe-x1"] == ["nslookup", "nc", "nc"]
    assert result["deleted"] is True and kube.get("v1", "Pod", "eventstack-netpol-probe-x1", NS) is None


def test_without_an_engine_the_probe_connects_and_fails_naming_the_cause(cluster):
    kube, client, _node = cluster
    result = probe(client)
    assert result["passed"] is False and result["enforced"] is False
    assert result["reason"] == (
        "the probe pod todo-app/eventstack-netpol-probe-x1 connected to todo-frontend:3000 although the NetworkPolicies "
        "deny it (egress of todo-app/probe is isolated by eventstack-allow-dns, eventstack-default-deny and no rule "
        "allows it): nothing enforces them - no policy engine DaemonSet (calico-node, cilium) runs")
    assert kube.get("v1", "Pod", "eventstack-netpol-probe-x1", NS) is None


@pytest.mark.parametrize("change, message", [
    ("allow", "the NetworkPolicies of todo-app allow a pod labelled app.kubernetes.io/managed-by=eventstack-oke,"),
    ("no-dns", "the NetworkPolicies of todo-app deny the probe DNS"),
    ("no-pods", "Service todo-app/todo-frontend has no ready pod"),
    ("no-port", "Service todo-app/todo-frontend has no port 4000"),
])
def test_a_probe_that_could_prove_nothing_says_why_and_creates_nothing(cluster, change, message):
    kube, client, _node = cluster
    engine(client)
    port = 3000
    if change == "allow":
        post(client, "/apis/networking.k8s.io/v1/namespaces/%s/networkpolicies" % NS, {
            "metadata": {"name": "open"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
                                                   "ingress": [{}], "egress": [{}]}})
    elif change == "no-dns":
        client.request("DELETE", "/apis/networking.k8s.io/v1/namespaces/%s/networkpolicies/eventstack-allow-dns" % NS)
    elif change == "no-pods":
        client.request("DELETE", "/api/v1/namespaces/%s/pods/todo-frontend-0" % NS)
    else:
        port = 4000
    result = probe(client, port=port)
    assert result["passed"] is False and result["enforced"] is None and result["reason"].startswith(message), result
    assert result["pod"] is None and kube.objects("Pod", NS) == [p for p in kube.objects("Pod", NS)
                                                                 if p["metadata"]["name"] == "todo-frontend-0"]
