from __future__ import annotations

import copy

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _flows, _netpol

OWNED = ["todo-app", "kafka", "dapr-system", "monitoring", "envoy-gateway-system", "cnpg-system"]


def app(name, port=8000, **kwargs):
    entry = {"name": name, "labels": {"app.kubernetes.io/name": name}, "port": port, "dapr": True, "route": ""}
    entry.update(kwargs)
    return entry


STACK = {
    "namespaces": OWNED,
    "app_namespace": "todo-app",
    "apps": [app("todo-frontend", 3000, route="/", calls=["todo-backend"]),
             app("todo-backend", route="/api", database=True, state_store=True, pubsub=True, kube_secrets=True),
             app("notification-worker", pubsub=True),
             app("audit-worker", pubsub=True, state_store=True)],
    "ingress": {"enabled": True, "controller": "envoy_gateway", "namespace": "envoy-gateway-system",
                "gateway_name": "eventstack", "container_ports": [10080, 10443]},
    "dapr": {"enabled": True, "namespace": "dapr-system"},
    "kafka": {"enabled": True, "namespace": "kafka", "cluster": "todo-kafka", "client_ports": [9092, 9093],
              "dapr_port": 9092, "exporter": True},
    "database": {"mode": "cloudnative_pg", "namespace": "todo-app", "pod_labels": {"cnpg.io/cluster": "todo-db"},
                 "port": 5432, "operator_namespace": "cnpg-system"},
    "prometheus": {"enabled": True, "namespace": "monitoring", "labels": {"app.kubernetes.io/name": "prometheus"}},
    "api_server": {"cidrs": ["10.0.0.0/28"], "ports": [443, 6443]},
}


def build(stack=None):
    stack = stack or STACK
    flows = _flows.stack_flows(stack)
    return flows, _flows.network_policies(stack, flows)


def cluster(stack=None, policies=None):
    stack = stack or STACK
    flows, rendered = build(stack)
    pods, externals = _flows.endpoints(stack, flows)
    externals.append({"name": "internet", "ip": "203.0.113.7"})
    return _netpol.Cluster(rendered if policies is None else policies, pods, [{"name": n} for n in OWNED], externals)


def pod(net, name):
    found = [p for p in net.endpoints() if p["name"] == name]
    assert found, name
    return found[0]


def test_every_owned_namespace_gets_default_deny_and_dns():
    _flows_list, policies = build()
    by_ns = {}
    for policy in policies:
        by_ns.setdefault(policy["metadata"]["namespace"], {})[policy["metadata"]["name"]] = policy
    assert sorted(by_ns) == sorted(OWNED)
    for namespace in OWNED:
        deny = by_ns[namespace]["eventstack-default-deny"]["spec"]
        assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        dns = by_ns[namespace]["eventstack-allow-dns"]["spec"]["egress"][0]
        assert {(p["port"], p["protocol"]) for p in dns["ports"]} == {(53, "UDP"), (53, "TCP")}
        assert dns["to"][0]["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}


def test_generated_policies_allow_every_intended_flow_and_nothing_else():
    flows, policies = build()
    pods, externals = _flows.endpoints(STACK, flows)
    result = _netpol.analyse(policies, pods, [{"name": n} for n in OWNED], externals,
                             _flows.intended(STACK, flows))
    assert result["blocked"] == [] and result["unresolved"] == []
    assert len(result["allowed_intended"]) > 60
    # 0.0.0.0/0 on the public listener covers the API server's address too; everything else is closed.
    assert {(f["to"], f["port"]) for f in result["unexpected"]} <= {
        ("envoy-gateway-system/ingress/proxy", 10080), ("envoy-gateway-system/ingress/proxy", 10443)}


@pytest.mark.parametrize("source,destination,port", [
    ("ingress/proxy", "app/todo-frontend", 3000),
    ("ingress/proxy", "app/todo-backend", 8000),
    ("app/todo-backend", "database/instances", 5432),
    ("app/audit-worker", "database/instances", 5432),
    ("app/notification-worker", "kafka/brokers", 9092),
    ("app/todo-frontend", "dapr/sentry", 50001),
    ("app/todo-frontend", "app/todo-backend", 50002),
    ("app/todo-backend", "dapr/scheduler", 50006),
    ("kafka/operator", "kafka/brokers", 9091),
    ("kafka/exporter", "kafka/brokers", 9091),
    ("database/operator", "database/instances", 8000),
    ("monitoring/prometheus", "kafka/brokers", 9404),
    ("monitoring/prometheus", "app/todo-backend", 9090),
    ("dapr/injector", "dapr/sentry", 50001),
])
def test_flows_the_stack_needs_are_allowed(source, destination, port):
    net = cluster()
    allowed, reason = net.check(pod(net, source), pod(net, destination), port)
    assert allowed, reason


@pytest.mark.parametrize("source,destination,port", [
    ("app/todo-frontend", "database/instances", 5432),      # the frontend has no database access
    ("app/notification-worker", "database/instances", 5432),
    ("app/todo-frontend", "kafka/brokers", 9092),           # publishes nothing
    ("app/todo-backend", "app/todo-frontend", 3000),         # apps talk through their sidecars, or as `calls` says
    ("app/todo-frontend", "app/audit-worker", 8000),
    ("kafka/brokers", "app/todo-backend", 8000),
    ("app/todo-backend", "dapr/injector", 4000),
    ("app/todo-backend", "kafka/brokers", 9091),            # replication listener is for Strimzi's own pods
    ("monitoring/prometheus", "database/instances", 5432),
    ("ingress/proxy", "app/audit-worker", 8000),            # not routed
])
def test_flows_nobody_asked_for_are_blocked(source, destination, port):
    net = cluster()
    allowed, _reason = net.check(pod(net, source), pod(net, destination), port)
    assert not allowed


def test_the_api_server_reaches_the_webhooks_and_the_internet_only_the_listener():
    net = cluster()
    api = pod(net, "api-server")
    internet = pod(net, "internet")
    assert api["ip"] == "10.0.0.1"
    assert net.check(api, pod(net, "dapr/injector"), 4000)[0]
    assert net.check(api, pod(net, "dapr/operator"), 19443)[0]
    assert net.check(api, pod(net, "database/operator"), 9443)[0]
    assert net.check(internet, pod(net, "ingress/proxy"), 10443)[0]
    assert not net.check(internet, pod(net, "dapr/injector"), 4000)[0]
    assert not net.check(internet, pod(net, "app/todo-backend"), 8000)[0]
    assert net.check(pod(net, "app/todo-backend"), api, 6443)[0]          # Kubernetes secret store
    assert not net.check(pod(net, "app/audit-worker"), api, 6443)[0]      # reads no Secrets through Dapr


def test_a_deliberately_broken_policy_is_found():
    flows, policies = build()
    broken = copy.deepcopy(policies)
    sentry = next(p for p in broken if p["metadata"]["name"] == "eventstack-dapr-sentry")
    sentry["spec"]["ingress"] = [rule for rule in sentry["spec"]["ingress"]
                                 if rule["from"][0].get("podSelector", {}).get("matchLabels")
                                 != {_flows.DAPR_LABEL: "true"}]
    pods, externals = _flows.endpoints(STACK, flows)
    result = _netpol.analyse(broken, pods, [{"name": n} for n in OWNED], externals, _flows.intended(STACK, flows),
                             check_unexpected=False)
    blocked = {(f["flow"], f["from"]) for f in result["blocked"]}
    assert blocked == {("sidecars -> dapr sentry", "todo-app/app/%s" % a["name"]) for a in STACK["apps"]}
    assert all("ingress of dapr-system/dapr/sentry is isolated" in f["reason"] for f in result["blocked"])


def test_components_outside_the_owned_namespaces_get_no_policy():
    stack = dict(STACK, namespaces=["todo-app"])
    _flows_list, policies = build(stack)
    assert {p["metadata"]["namespace"] for p in policies} == {"todo-app"}
    # the app side of a cross-namespace flow is still written
    backend = next(p for p in policies if p["metadata"]["name"] == "eventstack-app-todo-backend")
    peers = [rule["to"][0] for rule in backend["spec"]["egress"]]
    assert {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kafka"}},
            "podSelector": {"matchLabels": {"strimzi.io/cluster": "todo-kafka", "strimzi.io/kind": "Kafka"}}} in peers


def test_disabled_layers_add_no_flows():
    external = {"mode": "external", "cidrs": ["10.0.20.15/32"], "port": 5432}
    stack = dict(STACK, kafka={"enabled": False}, database=external, prometheus={"enabled": False})
    flows = _flows.stack_flows(stack)
    names = [f["name"] for f in flows]
    assert not any("Kafka" in n or "Strimzi" in n or "Prometheus" in n for n in names)
    external = [f for f in flows if f["name"] == "todo-backend -> external PostgreSQL"]
    assert external and external[0]["to"] == {"name": "database", "cidrs": ["10.0.20.15/32"]}


def test_ingress_nginx_gets_its_admission_webhook_and_the_acme_solver():
    stack = dict(STACK, ingress={"enabled": True, "controller": "ingress_nginx", "namespace": "envoy-gateway-system",
                                 "gateway_name": "eventstack", "container_ports": [80, 443], "acme_solver": True,
                                 "solver_namespace": "todo-app"})
    flows = _flows.stack_flows(stack)
    by_name = {f["name"]: f for f in flows}
    assert by_name["API server -> ingress-nginx admission webhook"]["ports"] == [[8443, "TCP"]]
    assert by_name["ingress proxy -> ACME HTTP-01 solver"]["to"] == "ingress/acme-solver"
    assert "envoy proxy -> gateway controller (xDS, Wasm)" not in by_name


def test_merged_rules_are_stable():
    _flows_list, first = build()
    _flows_list, second = build(copy.deepcopy(STACK))
    assert first == second
    backend = next(p for p in first if p["metadata"]["name"] == "eventstack-app-todo-backend")
    peers = [repr(rule["to"]) for rule in backend["spec"]["egress"]]
    assert len(peers) == len(set(peers))


def test_problems_name_the_variable():
    assert _flows.problems(STACK) == []
    bad = dict(STACK, api_server={"cidrs": ["10.0.0.300/28"]})
    assert _flows.problems(bad) == ["hardening_api_server_cidrs: '10.0.0.300/28' is not a CIDR (like 10.0.0.0/28)"]
    assert "hardening_api_server_cidrs is empty" in _flows.problems(dict(STACK, api_server={"cidrs": []}))[0]
    external = dict(STACK, database={"mode": "external", "port": 5432, "cidrs": []})
    message = _flows.problems(external)[0]
    assert message.startswith("hardening_external_database_cidrs is empty but todo-backend, audit-worker connect")
    broken = dict(STACK, kafka={"enabled": True, "namespace": "kafka"})
    assert "cannot be derived" in _flows.problems(broken)[0] and "cluster" in _flows.problems(broken)[0]


def test_kube_prometheus_stack_and_metrics_server_get_their_flows():
    stack = dict(STACK, observability={"namespace": "monitoring", "prometheus": True, "grafana": True,
                                       "metrics_server": True, "scrape_apps": True},
                 nodes={"cidrs": ["10.0.10.0/24"]})
    net = cluster(stack)
    prometheus, grafana = pod(net, "monitoring/prometheus"), pod(net, "monitoring/grafana")
    nodes, api = pod(net, "nodes"), pod(net, "api-server")
    assert net.check(prometheus, pod(net, "monitoring/kube-state-metrics"), 8080)[0]
    assert net.check(prometheus, pod(net, "app/todo-backend"), 8000)[0]      # the apps' /metrics
    assert net.check(prometheus, nodes, 9100)[0] and net.check(prometheus, nodes, 10250)[0]
    assert net.check(grafana, prometheus, 9090)[0]
    assert not net.check(grafana, pod(net, "app/todo-backend"), 8000)[0]
    assert net.check(pod(net, "monitoring/metrics-server"), nodes, 10250)[0]
    assert net.check(api, pod(net, "monitoring/metrics-server"), 10250)[0]
    assert net.check(api, pod(net, "monitoring/operator"), 10250)[0]
    assert not net.check(pod(net, "app/todo-backend"), prometheus, 9090)[0]
    flows, policies = build(stack)
    pods, externals = _flows.endpoints(stack, flows)
    result = _netpol.analyse(policies, pods, [{"name": n} for n in OWNED], externals, _flows.intended(stack, flows))
    assert result["blocked"] == [] and result["unresolved"] == []
    assert {(f["to"], f["port"]) for f in result["unexpected"]} <= {
        ("envoy-gateway-system/ingress/proxy", 10080), ("envoy-gateway-system/ingress/proxy", 10443)}


def test_without_prometheus_nothing_may_scrape():
    net = cluster(dict(STACK, prometheus={"enabled": False}))
    assert not [p for p in net.endpoints() if p["name"] == "monitoring/prometheus"]
    assert "Prometheus" not in " ".join(f["name"] for f in _flows.stack_flows(dict(STACK, prometheus={"enabled": False})))


def test_log_shipping_reaches_loki_and_the_api_server_and_nothing_else():
    stack = dict(STACK, observability={"namespace": "monitoring", "prometheus": True, "grafana": True,
                                       "log_shipping": "loki", "loki_port": 443, "loki_cidrs": ["198.51.100.0/24"]})
    net = cluster(stack)
    shipper, loki = pod(net, "monitoring/fluent-bit"), pod(net, "loki")
    assert net.check(shipper, loki, 443)[0] and net.check(pod(net, "monitoring/grafana"), loki, 443)[0]
    assert net.check(shipper, pod(net, "api-server"), 6443)[0]
    assert net.check(pod(net, "monitoring/prometheus"), shipper, 2020)[0]
    assert not net.check(shipper, loki, 3100)[0]
    assert not net.check(shipper, pod(net, "internet"), 443)[0]      # only the Loki CIDRs
    assert not net.check(shipper, pod(net, "app/todo-backend"), 8000)[0]
    assert not net.check(pod(net, "app/todo-backend"), loki, 443)[0]
    bad = dict(stack, observability=dict(stack["observability"], loki_cidrs=["logs.example.com"]))
    assert _flows.problems(bad) == ["hardening_log_shipping_cidrs: 'logs.example.com' is not a CIDR (like 10.0.0.0/28)"]
    assert "monitoring/fluent-bit" not in _flows.components(dict(stack, observability={"namespace": "monitoring"}))


def test_an_external_end_does_not_stand_inside_a_smaller_one():
    stack = dict(STACK, database={"mode": "external", "port": 5432, "cidrs": ["10.0.0.0/16"]},
                 api_server={"cidrs": ["10.0.0.0/28"], "ports": [443, 6443]})
    _pods, externals = _flows.endpoints(stack, _flows.stack_flows(stack))
    addresses = {e["name"]: e["ip"] for e in externals}
    assert addresses["api-server"] == "10.0.0.1"
    assert addresses["database"] == "10.0.255.254", "not inside the API endpoint subnet"
    net = cluster(stack)
    # So the API server's webhook rules do not seem to admit the database.
    assert not net.check(pod(net, "database"), pod(net, "dapr/injector"), 4000)[0]
    assert net.check(pod(net, "api-server"), pod(net, "dapr/injector"), 4000)[0]


CERT_MANAGER = dict(STACK, ingress=dict(STACK["ingress"], acme_solver=True, solver_namespace="envoy-gateway-system",
                                        cert_manager={"installed": True, "namespace": "envoy-gateway-system",
                                                      "release": "cert-manager"}))


def test_cert_manager_reaches_the_api_server_and_acme_and_the_api_server_its_webhook():
    """cert-manager v1.21 chart's own NetworkPolicy values say what its pods need: the controller, CA injector,
    webhook and start-up check egress to the API server (its 443/6443), the controller to 443 and 80 anywhere (the
    ACME server, the HTTP-01 self-check through the public address), the API server to the webhook's https port
    (10250); nothing else reaches them."""
    net = cluster(CERT_MANAGER)
    api = pod(net, "api-server")
    acme = pod(net, "acme")
    for part in ("controller", "cainjector", "webhook", "startupapicheck"):
        source = pod(net, "cert-manager/%s" % part)
        for port in (443, 6443):
            assert net.check(source, api, port)[0], (part, port)
        assert net.check(source, acme, 443)[0] is (part == "controller"), part
    assert net.check(pod(net, "cert-manager/controller"), acme, 80)[0]
    webhook = pod(net, "cert-manager/webhook")
    assert net.check(api, webhook, 10250)[0]
    assert not net.check(pod(net, "internet"), webhook, 10250)[0]
    assert not net.check(pod(net, "app/todo-backend"), webhook, 10250)[0]
    assert not net.check(pod(net, "cert-manager/controller"), pod(net, "app/todo-backend"), 8000)[0]
    labels = {(p["name"], tuple(sorted(p["labels"].items()))) for p in net.pods if p["name"].startswith("cert-manager/")}
    assert ("cert-manager/webhook", (("app.kubernetes.io/component", "webhook"), ("app.kubernetes.io/instance",
                                     "cert-manager"), ("app.kubernetes.io/name", "webhook"))) in labels
    flows, policies = build(CERT_MANAGER)
    pods, externals = _flows.endpoints(CERT_MANAGER, flows)
    result = _netpol.analyse(policies, pods, [{"name": n} for n in OWNED], externals,
                             _flows.intended(CERT_MANAGER, flows))
    assert result["blocked"] == [] and result["stranded"] == []


def test_without_cert_manager_installed_by_the_collection_it_gets_no_policy():
    stack = dict(CERT_MANAGER, ingress=dict(CERT_MANAGER["ingress"], cert_manager={"installed": False}))
    flows, policies = build(stack)
    assert not [f for f in flows if "cert-manager" in f["name"]]
    assert not [p for p in policies if "cert-manager" in p["metadata"]["name"]]


def test_rack_aware_brokers_reach_the_api_server_for_their_zone_label():
    """Strimzi's kafka-init container (rack awareness) reads the node's topology label: the chart's
    strimzi-kafka-broker ClusterRole grants get on nodes. Without rack awareness the brokers never call the API."""
    rack = dict(STACK, kafka=dict(STACK["kafka"], rack=True))
    broker = "kafka/brokers"
    for stack, wanted in ((rack, True), (STACK, False)):
        net = cluster(stack)
        assert net.check(pod(net, broker), pod(net, "api-server"), 6443)[0] is wanted


def test_a_direct_call_reaches_the_callee_on_its_port_and_nothing_else():
    """Seed 002: the frontend (Next.js, rendering on the server) calls the backend through its ClusterIP Service."""
    net = cluster()
    frontend, backend = pod(net, "app/todo-frontend"), pod(net, "app/todo-backend")
    assert net.check(frontend, backend, 8000)[0]
    assert not net.check(frontend, backend, 3500)[0], "the backend's sidecar HTTP port stays closed"
    assert not net.check(frontend, pod(net, "app/audit-worker"), 8000)[0]
    assert not net.check(backend, frontend, 3000)[0], "calls go one way"
    quiet = dict(STACK, apps=[dict(a, calls=[]) for a in STACK["apps"]])
    net = cluster(quiet)
    assert not net.check(pod(net, "app/todo-frontend"), pod(net, "app/todo-backend"), 8000)[0]
