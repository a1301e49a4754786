"""The rendered NetworkPolicies, checked with the Kubernetes semantics (module_utils/_netpol) against what the other
roles render: the apps' Deployments, the route, the Dapr components' scopes, the Kafka and PostgreSQL clusters.

The pods of Helm releases and operators are stood in for with the labels their pinned charts give them, written
out here rather than taken from the generator, so a wrong label in either place shows up as a blocked flow.
"""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _netpol
from tests.support.playbook import inventory_vars, of_kind


def every(by_file, kind):
    return [obj for objs in by_file.values() for obj in objs if obj.get("kind") == kind]


def stand_ins(env_name, by_file):
    """Pods the charts and operators start, with their upstream labels and ports."""
    names = inventory_vars(env_name)["eventstack_namespaces"]
    pods = []

    def add(name, namespace, labels, *ports):
        pods.append({"name": name, "namespace": namespace, "labels": labels,
                     "ports": [{"port": port} for port in ports]})

    dapr = names["dapr"]
    add("dapr-sentry", dapr, {"app": "dapr-sentry", "app.kubernetes.io/name": "dapr"}, 50001, 9090)
    add("dapr-operator", dapr, {"app": "dapr-operator"}, 6500, 19443, 9090)
    add("dapr-sidecar-injector", dapr, {"app": "dapr-sidecar-injector"}, 4000, 9090)
    add("dapr-placement-server", dapr, {"app": "dapr-placement-server"}, 50005, 8201, 9090)
    add("dapr-scheduler-server", dapr, {"app": "dapr-scheduler-server"}, 50006, 2379, 2380, 9090)
    for kafka in every(by_file, "Kafka"):
        cluster, namespace = kafka["metadata"]["name"], kafka["metadata"]["namespace"]
        for pool in every(by_file, "KafkaNodePool"):
            add("%s-%s-0" % (cluster, pool["metadata"]["name"]), namespace,
                {"strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka", "strimzi.io/broker-role": "true",
                 "strimzi.io/name": "%s-%s" % (cluster, pool["metadata"]["name"]),
                 "strimzi.io/pool-name": pool["metadata"]["name"]},
                9090, 9091, 8443, 9404, *[listener["port"] for listener in kafka["spec"]["kafka"]["listeners"]])
        add("%s-entity-operator" % cluster, namespace,
            {"strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka", "strimzi.io/name": "%s-entity-operator" % cluster})
        add("strimzi-cluster-operator", namespace, {"name": "strimzi-cluster-operator",
                                                    "strimzi.io/kind": "cluster-operator"}, 8080)
    for db in every(by_file, "Cluster"):
        add("%s-1" % db["metadata"]["name"], db["metadata"]["namespace"],
            {"cnpg.io/cluster": db["metadata"]["name"], "cnpg.io/instanceRole": "primary"}, 5432, 8000, 9187)
    for gateway in every(by_file, "Gateway"):
        add("envoy-%s" % gateway["metadata"]["name"], gateway["metadata"]["namespace"],
            {"app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy",
             "gateway.envoyproxy.io/owning-gateway-name": gateway["metadata"]["name"],
             "gateway.envoyproxy.io/owning-gateway-namespace": gateway["metadata"]["namespace"]}, 10080, 10443)
        add("envoy-gateway", gateway["metadata"]["namespace"], {"control-plane": "envoy-gateway"}, 18000, 9443)
    return pods


def network(env_name, by_file):
    objects = [obj for objs in by_file.values() for obj in objs]
    policies, pods, namespaces = _netpol.from_objects(objects)
    pods = [p for p in pods if p["kind"] == "Deployment"] + stand_ins(env_name, by_file)
    externals = [{"name": "internet", "ip": "198.51.100.20"}]
    return _netpol.Cluster(policies, pods, namespaces, externals), policies


def pod(net, name):
    (found,) = [p for p in net.endpoints() if p["name"] == name]
    return found


def test_every_namespace_the_collection_creates_denies_by_default(rendered_site):
    _env_name, by_file = rendered_site
    namespaces = [ns["metadata"]["name"] for ns in of_kind(by_file, "Namespace", "k8s_base.yaml")]
    policies = of_kind(by_file, "NetworkPolicy", "hardening.yaml")
    assert namespaces
    for namespace in namespaces:
        deny = [p for p in policies if p["metadata"]["namespace"] == namespace and p["spec"]["podSelector"] == {}
                and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"} and not p["spec"].get("ingress")
                and not p["spec"].get("egress")]
        assert deny, "%s has no default-deny policy" % namespace


def test_routed_services_are_reachable_from_the_gateway_and_nothing_else_from_outside(rendered_site):
    env_name, by_file = rendered_site
    net, _policies = network(env_name, by_file)
    routes = every(by_file, "HTTPRoute")
    assert routes
    services = {s["metadata"]["name"]: s for s in every(by_file, "Service")}
    (gateway,) = every(by_file, "Gateway")
    proxy = pod(net, "envoy-%s" % gateway["metadata"]["name"])
    routed = set()
    for route in routes:
        for rule in route["spec"]["rules"]:
            for ref in rule.get("backendRefs", []):
                service = services[ref["name"]]
                port = next(p for p in service["spec"]["ports"] if p["port"] == ref["port"])["targetPort"]
                target = service["spec"]["selector"]["app.kubernetes.io/name"]
                routed.add(target)
                if not str(port).isdigit():
                    port = next(p["port"] for p in pod(net, target)["ports"] if p["name"] == port)
                allowed, reason = net.check(proxy, pod(net, target), int(port))
                assert allowed, reason
    internet = pod(net, "internet")
    listener_ports = [10443 if listener["protocol"] == "HTTPS" else 10080 for listener in gateway["spec"]["listeners"]]
    for port in listener_ports:
        assert net.check(internet, proxy, port)[0]
    for deployment in every(by_file, "Deployment"):
        name = deployment["metadata"]["name"]
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            for declared in container.get("ports", []):
                assert not net.check(internet, pod(net, name), declared["containerPort"])[0], name
                if name not in routed:
                    assert not net.check(proxy, pod(net, name), declared["containerPort"])[0], name


def test_sidecars_reach_the_control_plane_each_other_and_only_the_stores_their_scopes_allow(rendered_site):
    env_name, by_file = rendered_site
    net, _policies = network(env_name, by_file)
    components = {c["metadata"]["name"]: c for c in every(by_file, "Component")}
    dapr_apps = {d["spec"]["template"]["metadata"]["annotations"]["dapr.io/app-id"]: d["metadata"]["name"]
                 for d in every(by_file, "Deployment")
                 if d["spec"]["template"]["metadata"].get("annotations", {}).get("dapr.io/enabled") == "true"}
    assert dapr_apps
    for app_id, name in dapr_apps.items():
        source = pod(net, name)
        for target, port in (("dapr-sentry", 50001), ("dapr-operator", 6500), ("dapr-placement-server", 50005),
                             ("dapr-scheduler-server", 50006)):
            allowed, reason = net.check(source, pod(net, target), port)
            assert allowed, reason
        assert not net.check(source, pod(net, "dapr-sidecar-injector"), 4000)[0]
        for other in dapr_apps.values():
            if other != name:
                assert net.check(source, pod(net, other), 50002)[0], "sidecar %s -> %s" % (name, other)
    pubsubs = [c for c in components.values() if c["spec"]["type"] == "pubsub.kafka"]
    (port,) = {int(m["value"].rpartition(":")[2]) for c in pubsubs for m in c["spec"]["metadata"] if m["name"] == "brokers"}
    scoped = {app_id for c in pubsubs for app_id in c["scopes"]}
    (broker,) = [p for p in net.endpoints() if p.get("labels", {}).get("strimzi.io/broker-role") == "true"]
    for app_id, name in dapr_apps.items():
        allowed, reason = net.check(pod(net, name), broker, port)
        assert allowed == (app_id in scoped), (name, reason)
    databases = every(by_file, "Cluster")
    for db in databases:
        instance = pod(net, "%s-1" % db["metadata"]["name"])
        store = [c for c in components.values() if c["spec"]["type"].startswith("state.postgresql")]
        store_ids = set(store[0]["scopes"]) if store else set()
        for app_id, name in dapr_apps.items():
            deployment = next(d for d in every(by_file, "Deployment") if d["metadata"]["name"] == name)
            env = [e["name"] for c in deployment["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])]
            wants = app_id in store_ids or "DATABASE_URL" in env
            allowed, reason = net.check(pod(net, name), instance, 5432)
            assert allowed == wants, (name, reason)


def api_endpoint_subnet(build):
    path = os.path.join(str(build), "oci-plan.d", "10-network.yaml")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        subnets = yaml.safe_load(handle)["network"]["subnets"]
    return next(s["cidr_block"] for s in subnets if s["key"] == "api_endpoint")


def test_operators_reach_their_operands_and_the_api_server_reaches_the_webhooks(rendered_site, site_render):
    env_name, by_file = rendered_site
    net, policies = network(env_name, by_file)
    for kafka in every(by_file, "Kafka"):
        (broker,) = [p for p in net.endpoints() if p.get("labels", {}).get("strimzi.io/broker-role") == "true"]
        for source in ("strimzi-cluster-operator", "%s-entity-operator" % kafka["metadata"]["name"]):
            allowed, reason = net.check(pod(net, source), broker, 9091)
            assert allowed, reason
    cidrs = {peer["ipBlock"]["cidr"] for p in policies for rule in p["spec"].get("ingress", [])
             for peer in rule["from"] if "ipBlock" in peer and p["metadata"]["name"] == "eventstack-dapr-injector"}
    assert cidrs, "the injector admits the API server"
    assert cidrs == {api_endpoint_subnet(site_render(env_name)[0]) or "0.0.0.0/0"}
    api = {"name": "api-server", "ip": sorted(cidrs)[0].replace("0/", "1/").partition("/")[0], "external": True}
    for target, port in (("dapr-sidecar-injector", 4000), ("dapr-operator", 19443), ("envoy-gateway", 9443)):
        allowed, reason = net.check(api, pod(net, target), port)
        assert allowed, reason


@pytest.mark.parametrize("selector_of", ["Deployment"])
def test_every_rendered_workload_is_selected_by_a_policy_with_flows(rendered_site, selector_of):
    _env_name, by_file = rendered_site
    policies = [p for p in of_kind(by_file, "NetworkPolicy", "hardening.yaml") if p["spec"]["podSelector"]]
    for deployment in every(by_file, selector_of):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selecting = [p for p in policies if p["metadata"]["namespace"] == deployment["metadata"]["namespace"]
                     and _netpol.selector_matches(p["spec"]["podSelector"], labels)]
        assert selecting, "%s is denied everything" % deployment["metadata"]["name"]


def test_a_service_reaches_the_services_it_calls_through_their_rendered_service(rendered_site):
    """Seed 002: the frontend calls the backend through its ClusterIP Service (server-side rendering): the address it
    is given is a rendered Service and port, whose target the policies let it reach; nobody else gets that flow."""
    env_name, by_file = rendered_site
    net, _policies = network(env_name, by_file)
    services = {s["metadata"]["name"]: s for s in every(by_file, "Service")}
    callers = [s for s in inventory_vars(env_name)["eventstack_services"] if s.get("calls")]
    assert [s["name"] for s in callers] == ["todo-frontend"]
    for caller in callers:
        for callee in caller["calls"]:
            service = services[callee]
            (port,) = service["spec"]["ports"]
            target = port["targetPort"]
            if not str(target).isdigit():
                target = next(p["port"] for p in pod(net, callee)["ports"] if p["name"] == target)
            allowed, reason = net.check(pod(net, caller["name"]), pod(net, callee), int(target))
            assert allowed, reason
            url = caller["env"]["API_INTERNAL_BASE"]
            assert url.startswith("http://%s:%d/" % (callee, port["port"])), url
            for other in every(by_file, "Deployment"):
                name = other["metadata"]["name"]
                if name not in (caller["name"], callee) and other["metadata"]["namespace"] == "todo-app":
                    assert not net.check(pod(net, name), pod(net, callee), int(target))[0], name
