from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _netpol

APP = "todo-app"
KAFKA = "kafka"


def pod(name, namespace, labels, ports=(), ip=None):
    return {"name": name, "namespace": namespace, "labels": labels, "ip": ip,
            "ports": [dict(p) for p in ports]}


def policy(name, namespace, spec):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


FRONTEND = pod("frontend", APP, {"app": "frontend"}, [{"name": "http", "port": 3000}], ip="10.244.0.10")
BACKEND = pod("backend", APP, {"app": "backend"}, [{"name": "http", "port": 8000}], ip="10.244.0.11")
BROKER = pod("broker", KAFKA, {"strimzi.io/kind": "Kafka"}, [{"name": "plain", "port": 9092}], ip="10.244.1.5")
NAMESPACES = [{"name": APP, "labels": {"tier": "apps"}}, {"name": KAFKA}]
DENY_ALL_APP = policy("default-deny", APP, {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})


def check(policies, source, destination, port, pods=(FRONTEND, BACKEND, BROKER), externals=None):
    cluster = _netpol.Cluster(policies, pods, NAMESPACES, externals)
    return cluster.check(source, destination, port)


def test_no_policy_allows_everything():
    assert check([], FRONTEND, BACKEND, 8000) == (True, "allowed")


def test_default_deny_blocks_both_directions_and_names_the_policy():
    allowed, reason = check([DENY_ALL_APP], FRONTEND, BACKEND, 8000)
    assert not allowed and "egress of todo-app/frontend is isolated by default-deny" in reason
    # Broker's namespace has no policy: egress from kafka to an isolated app pod fails on ingress.
    allowed, reason = check([DENY_ALL_APP], BROKER, BACKEND, 8000)
    assert not allowed and reason.startswith("ingress of todo-app/backend")


def test_ingress_only_policy_type_defaults():
    only_ingress = policy("ingress", APP, {"podSelector": {"matchLabels": {"app": "backend"}}, "ingress": []})
    assert _netpol.policy_types(only_ingress) == {"Ingress"}
    assert _netpol.policy_types(policy("e", APP, {"podSelector": {}, "egress": []})) == {"Ingress", "Egress"}
    assert not check([only_ingress], FRONTEND, BACKEND, 8000)[0]
    assert check([only_ingress], BACKEND, FRONTEND, 3000)[0], "frontend is not selected, so not isolated"


def test_pod_selector_peer_is_same_namespace_only():
    allow = policy("from-frontend", APP, {"podSelector": {"matchLabels": {"app": "backend"}},
                                          "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}]}]})
    assert check([allow], FRONTEND, BACKEND, 8000)[0]
    other = pod("frontend", "other", {"app": "frontend"})
    assert not check([allow], other, BACKEND, 8000, pods=(FRONTEND, BACKEND, other))[0]


def test_namespace_and_pod_selector_together_and_apart():
    both = policy("both", KAFKA, {"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"tier": "apps"}}, "podSelector": {"matchLabels": {"app": "backend"}}}]}]})
    assert check([both], BACKEND, BROKER, 9092)[0]
    assert not check([both], FRONTEND, BROKER, 9092)[0]
    apart = policy("apart", KAFKA, {"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"tier": "apps"}}}, {"podSelector": {"matchLabels": {"app": "backend"}}}]}]})
    assert check([apart], FRONTEND, BROKER, 9092)[0], "any pod of the apps namespace"


def test_namespace_name_label_is_implicit():
    by_name = policy("by-name", KAFKA, {"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": APP}}}]}]})
    assert check([by_name], FRONTEND, BROKER, 9092)[0]


def test_match_expressions():
    labels = {"app": "backend", "tier": "api"}
    assert _netpol.selector_matches({"matchExpressions": [{"key": "app", "operator": "In", "values": ["backend"]}]}, labels)
    assert not _netpol.selector_matches({"matchExpressions": [{"key": "app", "operator": "NotIn",
                                                               "values": ["backend"]}]}, labels)
    assert _netpol.selector_matches({"matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]}, labels)
    assert not _netpol.selector_matches({"matchExpressions": [{"key": "x", "operator": "Exists"}]}, labels)
    assert _netpol.selector_matches({}, labels)
    with pytest.raises(_netpol.NetpolError):
        _netpol.selector_matches({"matchExpressions": [{"key": "x", "operator": "Near"}]}, labels)


def test_ports_numbers_names_ranges_and_protocols():
    def rule(ports):
        return policy("p", APP, {"podSelector": {"matchLabels": {"app": "backend"}}, "ingress": [{"ports": ports}]})

    assert check([rule([{"port": 8000}])], FRONTEND, BACKEND, 8000)[0]
    assert not check([rule([{"port": 8001}])], FRONTEND, BACKEND, 8000)[0]
    assert check([rule([{"port": "http"}])], FRONTEND, BACKEND, 8000)[0], "named port of the destination"
    assert not check([rule([{"port": "grpc"}])], FRONTEND, BACKEND, 8000)[0]
    assert check([rule([{"port": 7000, "endPort": 9000}])], FRONTEND, BACKEND, 8000)[0]
    assert not check([rule([{"port": 8000, "protocol": "UDP"}])], FRONTEND, BACKEND, 8000)[0]
    assert check([rule([{"protocol": "TCP"}])], FRONTEND, BACKEND, 8000)[0], "no port = every port"


def test_egress_named_port_resolves_against_the_destination():
    egress = policy("to-kafka", APP, {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
        {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": KAFKA}}}],
         "ports": [{"port": "plain"}]}]})
    assert check([egress], BACKEND, BROKER, 9092)[0]
    assert not check([egress], BACKEND, FRONTEND, 3000)[0]


def test_ip_block_with_except_and_external_endpoints():
    internet = {"name": "internet", "ip": "203.0.113.7"}
    office = {"name": "office", "ip": "198.51.100.20"}
    allow = policy("lb", APP, {"podSelector": {"matchLabels": {"app": "frontend"}}, "ingress": [{"from": [
        {"ipBlock": {"cidr": "0.0.0.0/0", "except": ["198.51.100.0/24"]}}]}]})
    cluster = _netpol.Cluster([allow], [FRONTEND], NAMESPACES, [internet, office])
    assert cluster.check(cluster.externals[0], FRONTEND, 3000)[0]
    assert not cluster.check(cluster.externals[1], FRONTEND, 3000)[0]
    pod_without_ip = pod("x", APP, {"app": "x"})
    assert not check([allow], pod_without_ip, FRONTEND, 3000, pods=(FRONTEND, pod_without_ip))[0]


def test_analyse_reports_blocked_intended_and_unexpected_flows():
    policies = [
        DENY_ALL_APP,
        policy("frontend-to-backend", APP, {"podSelector": {"matchLabels": {"app": "backend"}},
                                            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}],
                                                         "ports": [{"port": 8000}]}]}),
        policy("frontend-egress", APP, {"podSelector": {"matchLabels": {"app": "frontend"}}, "policyTypes": ["Egress"],
                                        "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "backend"}}}]}]}),
    ]
    intended = [
        {"name": "frontend -> backend", "from": {"namespace": APP, "labels": {"app": "frontend"}},
         "to": {"namespace": APP, "labels": {"app": "backend"}}, "port": 8000},
        {"name": "backend -> kafka", "from": {"namespace": APP, "labels": {"app": "backend"}},
         "to": {"namespace": KAFKA, "labels": {"strimzi.io/kind": "Kafka"}}, "port": 9092},
        {"name": "ghost", "from": {"namespace": APP, "name": "nope"}, "to": {"namespace": APP, "name": "backend"},
         "port": 1},
    ]
    result = _netpol.analyse(policies, [FRONTEND, BACKEND, BROKER], NAMESPACES,
                             externals=[{"name": "internet", "ip": "203.0.113.7"}], intended=intended)
    assert [f["flow"] for f in result["allowed_intended"]] == ["frontend -> backend"]
    assert [f["flow"] for f in result["blocked"]] == ["backend -> kafka"]
    assert "egress of todo-app/backend" in result["blocked"][0]["reason"]
    assert result["unresolved"] == [{"flow": "ghost", "missing": "source"}]
    # kafka has no policy: the internet may reach the broker, which nobody asked for; the app pods' own egress
    # is locked, so they cannot.
    unexpected = {(f["from"], f["to"], f["port"]) for f in result["unexpected"]}
    assert unexpected == {("external internet", "kafka/broker", 9092)}
    assert not [f for f in result["unexpected"] if f["to"].startswith("todo-app/")], "app pods are locked"


def test_bad_input_is_named():
    with pytest.raises(_netpol.NetpolError, match="name and a namespace"):
        _netpol.Cluster([], [{"name": "x"}])
    with pytest.raises(_netpol.NetpolError, match="namespaced NetworkPolicy"):
        _netpol.Cluster([{"kind": "NetworkPolicy", "metadata": {"name": "x"}}], [])


def test_from_objects_reads_policies_namespaces_and_workload_templates():
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "backend", "namespace": APP},
                  "spec": {"template": {"metadata": {"labels": {"app": "backend"}}, "spec": {"containers": [
                      {"name": "backend", "ports": [{"name": "http", "containerPort": 8000}]},
                      {"name": "daprd", "ports": [{"name": "dapr-http", "containerPort": 3500}]}]}}}}
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": APP, "labels": {"tier": "apps"}}}
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": APP}}
    policies, pods, namespaces = _netpol.from_objects([DENY_ALL_APP, deployment, namespace, config_map])
    assert policies == [DENY_ALL_APP]
    assert namespaces == [{"name": APP, "labels": {"tier": "apps"}}]
    assert pods == [{"name": "backend", "namespace": APP, "labels": {"app": "backend"}, "ip": None, "kind": "Deployment",
                     "ports": [{"name": "http", "port": 8000, "protocol": "TCP"},
                               {"name": "dapr-http", "port": 3500, "protocol": "TCP"}], "host_network": False}]
    exporter = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "node-exporter", "namespace": APP},
                "spec": {"template": {"metadata": {"labels": {"app": "node-exporter"}},
                                      "spec": {"hostNetwork": True, "containers": [{"name": "e"}]}}}}
    assert _netpol.from_objects([exporter])[1][0]["host_network"] is True


def test_a_pod_on_the_hosts_network_is_never_isolated():
    """Policies select pods by label, but a host-network pod's traffic is the node's: no policy isolates it."""
    node_agent = dict(pod("node-exporter", APP, {"app": "backend"}, [{"port": 9100}]), host_network=True)
    cluster = _netpol.Cluster([DENY_ALL_APP], [FRONTEND, node_agent], NAMESPACES)
    assert cluster.isolating(node_agent) == []
    assert cluster.isolating(FRONTEND) == ["default-deny"]
    assert cluster.check(node_agent, BROKER, 9092) == (True, "allowed")
    by_label = policy("backend-peers", APP, {"podSelector": {"matchLabels": {"app": "frontend"}},
                                             "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "backend"}}}]}]})
    cluster = _netpol.Cluster([by_label], [FRONTEND, node_agent], NAMESPACES)
    assert cluster.check(node_agent, FRONTEND, 3000)[0] is False, "its labels do not make the node's traffic a pod's"
    result = _netpol.analyse([], [FRONTEND, node_agent], NAMESPACES, externals=[{"name": "x", "ip": "192.0.2.1"}])
    assert [f for f in result["unexpected"] if "node-exporter" in f["to"] + f["from"]] == []


def test_analyse_names_the_isolated_pods_no_intended_flow_names():
    """A component the flows forgot: the default deny isolates it and nothing allows it anything (cert-manager's
    controller in the ingress namespace was one). Pods some flow names, pods outside isolated namespaces and pods
    on the host's network are not stranded."""
    forgotten = pod("cert-manager", APP, {"app": "cert-manager"}, [{"name": "http-metrics", "port": 9402}])
    node_agent = dict(pod("node-exporter", APP, {"app": "node-exporter"}, [{"port": 9100}]), host_network=True)
    intended = [{"name": "frontend -> backend", "from": {"namespace": APP, "labels": {"app": "frontend"}},
                 "to": {"namespace": APP, "labels": {"app": "backend"}}, "port": 8000}]
    result = _netpol.analyse([DENY_ALL_APP], [FRONTEND, BACKEND, BROKER, forgotten, node_agent], NAMESPACES,
                             intended=intended)
    assert result["stranded"] == [{"pod": "todo-app/cert-manager", "kind": "Pod", "isolated_by": ["default-deny"]}]
    intended.append({"name": "cert-manager -> API server", "from": {"namespace": APP, "labels": {"app": "cert-manager"}},
                     "to": {"external": "api-server"}, "port": 6443})
    result = _netpol.analyse([DENY_ALL_APP], [FRONTEND, BACKEND, BROKER, forgotten, node_agent], NAMESPACES,
                             externals=[{"name": "api-server", "ip": "10.0.0.2"}], intended=intended)
    assert result["stranded"] == []
