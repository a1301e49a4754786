# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the network flows the stack needs, and the NetworkPolicies that allow exactly those.

``stack_flows(stack)`` derives the flows from the settings the other roles publish (the apps' services, the
ingress route, the Dapr, Kafka and database settings); ``network_policies(stack, flows)`` turns them into a
default deny per owned namespace, DNS for every pod, and one policy per component listing its inbound and
outbound flows. ``intended(flows)`` and ``endpoints(stack)`` give the same flows and the components' pods to
``_netpol.analyse``, which checks the result with the Kubernetes semantics.

Components are (namespace, pod labels, ports) of the pods the charts and operators create; their labels are
those of the pinned charts (Dapr 1.18, Strimzi 1.2, Envoy Gateway 1.9, CloudNativePG 1.30, ingress-nginx 4.15).
A flow is {"name", "from": end, "to": end, "ports": [[port, protocol]]}, an end being a component id or
{"cidrs": [...], "name": ...} outside the cluster (the API server, the internet, an external database).
"""

from __future__ import annotations

import ipaddress

NAME_LABEL = "kubernetes.io/metadata.name"
DAPR_LABEL = "eventstack.oke/dapr"
POLICY_PREFIX = "eventstack"


class FlowError(ValueError):
    """The stack description is incomplete; the message names the key."""


def _tcp(*ports):
    return [[int(port), "TCP"] for port in ports]


def components(stack):
    """id -> {"namespace", "labels", "ports": [[port, protocol, name]]} of every pod group the stack runs."""
    found = {}

    def add(cid, namespace, labels, ports=(), extra=None):
        if not namespace:
            raise FlowError("component %s has no namespace" % cid)
        if not labels:
            raise FlowError("component %s has no pod labels" % cid)
        found[cid] = {"namespace": namespace, "labels": dict(labels), "ports": [list(p) for p in ports],
                      "pod_labels": dict(labels, **(extra or {}))}

    app_ns = stack["app_namespace"]
    for app in stack.get("apps") or []:
        ports = [[int(app["port"]), "TCP", "http"]] if app.get("port") else []
        if app.get("dapr"):
            ports += [[3500, "TCP", "dapr-http"], [50001, "TCP", "dapr-grpc"], [50002, "TCP", "dapr-internal"],
                      [9090, "TCP", "dapr-metrics"]]
        add("app/%s" % app["name"], app_ns, app["labels"], ports, {DAPR_LABEL: "true"} if app.get("dapr") else None)
    if any(app.get("dapr") for app in stack.get("apps") or []):
        add("dapr-sidecars", app_ns, {DAPR_LABEL: "true"}, [[50002, "TCP", "dapr-internal"]])

    ingress = stack.get("ingress") or {}
    if ingress.get("enabled"):
        ns = ingress["namespace"]
        listener = [[port, "TCP", "listener"] for port in ingress["container_ports"]]
        if ingress["controller"] == "envoy_gateway":
            add("ingress/proxy", ns, {"app.kubernetes.io/component": "proxy",
                                      "gateway.envoyproxy.io/owning-gateway-name": ingress["gateway_name"],
                                      "gateway.envoyproxy.io/owning-gateway-namespace": ns},
                listener + [[19001, "TCP", "metrics"]])
            add("ingress/controller", ns, {"control-plane": "envoy-gateway"},
                [[18000, "TCP", "xds"], [18001, "TCP", "ratelimit-xds"], [18002, "TCP", "wasm"],
                 [9443, "TCP", "webhook"], [19001, "TCP", "metrics"]])
            add("ingress/certgen", ns, {"app": "certgen"})
        else:
            add("ingress/proxy", ns, {"app.kubernetes.io/name": "ingress-nginx",
                                      "app.kubernetes.io/component": "controller"},
                listener + [[8443, "TCP", "webhook"], [10254, "TCP", "metrics"]])
        if ingress.get("acme_solver"):
            add("ingress/acme-solver", ingress["solver_namespace"], {"acme.cert-manager.io/http01-solver": "true"},
                [[8089, "TCP", "http"]])
        cert_manager = ingress.get("cert_manager") or {}
        if cert_manager.get("installed"):
            # The cert-manager chart's pods (labels and ports of its v1.21 templates).
            ns, instance = cert_manager["namespace"], cert_manager.get("release") or "cert-manager"
            for part, name, ports in (
                    ("controller", "cert-manager", [[9402, "TCP", "metrics"], [9403, "TCP", "healthz"]]),
                    ("webhook", "webhook", [[10250, "TCP", "https"], [6080, "TCP", "healthz"],
                                            [9402, "TCP", "metrics"]]),
                    ("cainjector", "cainjector", [[9402, "TCP", "metrics"]]),
                    ("startupapicheck", "startupapicheck", [])):
                add("cert-manager/%s" % part, ns, {"app.kubernetes.io/name": name, "app.kubernetes.io/component": part,
                                                   "app.kubernetes.io/instance": instance}, ports)

    dapr = stack.get("dapr") or {}
    if dapr.get("enabled"):
        ns = dapr["namespace"]
        metrics = [9090, "TCP", "metrics"]
        add("dapr/operator", ns, {"app": "dapr-operator"}, [[6500, "TCP", "api"], [19443, "TCP", "webhook"], metrics])
        add("dapr/sentry", ns, {"app": "dapr-sentry"}, [[50001, "TCP", "grpc"], metrics])
        add("dapr/injector", ns, {"app": "dapr-sidecar-injector"}, [[4000, "TCP", "https"], metrics])
        add("dapr/placement", ns, {"app": "dapr-placement-server"},
            [[50005, "TCP", "api"], [8201, "TCP", "raft"], metrics])
        add("dapr/scheduler", ns, {"app": "dapr-scheduler-server"},
            [[50006, "TCP", "api"], [2379, "TCP", "etcd-client"], [2380, "TCP", "etcd-peer"], metrics])

    kafka = stack.get("kafka") or {}
    if kafka.get("enabled"):
        ns, cluster = kafka["namespace"], kafka["cluster"]
        add("kafka/operator", ns, {"name": "strimzi-cluster-operator"}, [[8080, "TCP", "http"]])
        add("kafka/brokers", ns, {"strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka"},
            [[9090, "TCP", "tcp-ctrlplane"], [9091, "TCP", "tcp-replication"], [8443, "TCP", "agent"],
             [9404, "TCP", "tcp-prometheus"]]
            + [[port, "TCP", "listener"] for port in kafka["client_ports"]])
        add("kafka/entity-operator", ns, {"strimzi.io/name": "%s-entity-operator" % cluster})
        if kafka.get("exporter"):
            add("kafka/exporter", ns, {"strimzi.io/name": "%s-kafka-exporter" % cluster},
                [[9404, "TCP", "tcp-prometheus"]])

    database = stack.get("database") or {}
    if database.get("mode") == "cloudnative_pg":
        add("database/instances", database["namespace"], database["pod_labels"],
            [[int(database["port"]), "TCP", "postgresql"], [8000, "TCP", "status"], [9187, "TCP", "metrics"]])
        add("database/operator", database["operator_namespace"], {"app.kubernetes.io/name": "cloudnative-pg"},
            [[9443, "TCP", "webhook-server"], [8080, "TCP", "metrics"]])

    prometheus = stack.get("prometheus") or {}
    if prometheus.get("enabled"):
        add("monitoring/prometheus", prometheus["namespace"], prometheus["labels"], [[9090, "TCP", "http-web"]])
    observability = stack.get("observability") or {}
    ns = observability.get("namespace")
    if observability.get("metrics_server"):
        add("monitoring/metrics-server", ns, {"app.kubernetes.io/name": "metrics-server"}, [[10250, "TCP", "https"]])
    if observability.get("prometheus"):
        add("monitoring/operator", ns, {"app": "kube-prometheus-stack-operator"}, [[10250, "TCP", "https"]])
        add("monitoring/kube-state-metrics", ns, {"app.kubernetes.io/name": "kube-state-metrics"},
            [[8080, "TCP", "http"], [8081, "TCP", "metrics"]])
        add("monitoring/admission-create", ns, {"app": "kube-prometheus-stack-admission-create"})
        add("monitoring/admission-patch", ns, {"app": "kube-prometheus-stack-admission-patch"})
        if observability.get("grafana"):
            add("monitoring/grafana", ns, {"app.kubernetes.io/name": "grafana"}, [[3000, "TCP", "grafana"]])
    if observability.get("log_shipping") == "loki":
        add("monitoring/fluent-bit", ns, {"app.kubernetes.io/name": "fluent-bit"}, [[2020, "TCP", "metrics"]])
    return found


def _external(name, cidrs):
    if not cidrs:
        raise FlowError("%s: no CIDR given" % name)
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError as exc:
            raise FlowError("%s: %s" % (name, exc)) from exc
    return {"name": name, "cidrs": list(cidrs)}


def database_users(apps):
    """The services that connect to PostgreSQL, themselves (database: true) or through the Dapr state store."""
    return [app for app in apps or [] if app.get("database") or (app.get("dapr") and app.get("state_store"))]


def stack_flows(stack):
    """The flows the stack needs, from the same settings the other roles render from."""
    comps = components(stack)
    flows = []

    def flow(name, source, destination, ports):
        for end in (source, destination):
            if isinstance(end, str) and end not in comps:
                return
        flows.append({"name": name, "from": source, "to": destination, "ports": [list(p) for p in ports]})

    api = _external("api-server", (stack.get("api_server") or {}).get("cidrs"))
    api_ports = _tcp(*(stack.get("api_server") or {}).get("ports") or [443, 6443])
    apps = stack.get("apps") or []
    dapr_apps = [app for app in apps if app.get("dapr")]

    ingress = stack.get("ingress") or {}
    if ingress.get("enabled"):
        public = _external("public", ingress.get("public_cidrs") or ["0.0.0.0/0"])
        flow("clients -> ingress proxy", public, "ingress/proxy", _tcp(*ingress["container_ports"]))
        for app in apps:
            if app.get("route"):
                flow("ingress proxy -> %s" % app["name"], "ingress/proxy", "app/%s" % app["name"], _tcp(app["port"]))
    ports = {app["name"]: app.get("port") for app in apps}
    for app in apps:
        for callee in app.get("calls") or []:
            if ports.get(callee):
                flow("%s -> %s (its ClusterIP Service)" % (app["name"], callee), "app/%s" % app["name"],
                     "app/%s" % callee, _tcp(ports[callee]))
        flow("envoy proxy -> gateway controller (xDS, Wasm)", "ingress/proxy", "ingress/controller",
             _tcp(18000, 18002))
        flow("gateway controller -> API server", "ingress/controller", api, api_ports)
        flow("API server -> gateway controller webhook", api, "ingress/controller", _tcp(9443))
        flow("certgen job -> API server", "ingress/certgen", api, api_ports)
        if ingress["controller"] != "envoy_gateway":
            flow("ingress-nginx -> API server", "ingress/proxy", api, api_ports)
            flow("API server -> ingress-nginx admission webhook", api, "ingress/proxy", _tcp(8443))
        flow("ingress proxy -> ACME HTTP-01 solver", "ingress/proxy", "ingress/acme-solver", _tcp(8089))
        # cert-manager (its chart's own NetworkPolicy values: the webhook's https port from the API server; egress
        # to the API server, and to 443 and 80: the ACME server, and the HTTP-01 self-check through the public
        # address).
        for part in ("controller", "cainjector", "webhook", "startupapicheck"):
            flow("cert-manager %s -> API server" % part, "cert-manager/%s" % part, api, api_ports)
        flow("API server -> cert-manager webhook", api, "cert-manager/webhook", _tcp(10250))
        if "cert-manager/controller" in comps:
            acme = _external("acme", ingress.get("acme_cidrs") or ["0.0.0.0/0"])
            flow("cert-manager controller -> ACME server, HTTP-01 self-check", "cert-manager/controller", acme,
                 _tcp(443, 80))

    dapr = stack.get("dapr") or {}
    if dapr.get("enabled"):
        control_plane = ["dapr/operator", "dapr/sentry", "dapr/injector", "dapr/placement", "dapr/scheduler"]
        flow("sidecars -> dapr sentry", "dapr-sidecars", "dapr/sentry", _tcp(50001))
        flow("sidecars -> dapr operator API", "dapr-sidecars", "dapr/operator", _tcp(6500))
        flow("sidecars -> dapr placement", "dapr-sidecars", "dapr/placement", _tcp(50005))
        flow("sidecars -> dapr scheduler", "dapr-sidecars", "dapr/scheduler", _tcp(50006))
        for app in dapr_apps:
            if app.get("kube_secrets"):
                flow("%s sidecar -> API server (Kubernetes secret store)" % app["name"], "app/%s" % app["name"], api,
                     api_ports)
        flow("sidecar <-> sidecar (service invocation)", "dapr-sidecars", "dapr-sidecars", _tcp(50002))
        for member in control_plane:
            flow("%s -> API server" % member, member, api, api_ports)
            if member != "dapr/sentry":
                flow("%s -> dapr sentry" % member, member, "dapr/sentry", _tcp(50001))
        flow("API server -> dapr sidecar injector", api, "dapr/injector", _tcp(4000))
        flow("API server -> dapr operator webhook", api, "dapr/operator", _tcp(19443))
        flow("placement raft peers", "dapr/placement", "dapr/placement", _tcp(8201))
        flow("scheduler etcd peers", "dapr/scheduler", "dapr/scheduler", _tcp(2379, 2380))

    kafka = stack.get("kafka") or {}
    if kafka.get("enabled"):
        for app in dapr_apps:
            if app.get("pubsub"):
                flow("%s sidecar -> Kafka bootstrap and brokers" % app["name"], "app/%s" % app["name"],
                     "kafka/brokers", _tcp(kafka["dapr_port"]))
        flow("Strimzi operator -> API server", "kafka/operator", api, api_ports)
        if kafka.get("rack"):
            # Rack awareness: the brokers' kafka-init container reads its node's topology label from the API
            # (Strimzi's strimzi-kafka-broker ClusterRole: get nodes).
            flow("brokers' kafka-init (rack awareness) -> API server", "kafka/brokers", api, api_ports)
        flow("Strimzi operator -> brokers (control plane, replication, agent)", "kafka/operator", "kafka/brokers",
             _tcp(9090, 9091, 8443))
        flow("brokers <-> brokers (KRaft, replication)", "kafka/brokers", "kafka/brokers", _tcp(9090, 9091))
        flow("entity operator -> API server", "kafka/entity-operator", api, api_ports)
        flow("entity operator -> brokers", "kafka/entity-operator", "kafka/brokers", _tcp(9091))
        flow("Kafka Exporter -> brokers", "kafka/exporter", "kafka/brokers", _tcp(9091))

    database = stack.get("database") or {}
    users = database_users(apps)
    if database.get("mode") == "cloudnative_pg":
        port = int(database["port"])
        for app in users:
            flow("%s -> PostgreSQL" % app["name"], "app/%s" % app["name"], "database/instances", _tcp(port))
        flow("PostgreSQL replication", "database/instances", "database/instances", _tcp(port))
        flow("CloudNativePG operator -> instances", "database/operator", "database/instances", _tcp(8000, port))
        flow("PostgreSQL instance manager -> API server", "database/instances", api, api_ports)
        flow("CloudNativePG operator -> API server", "database/operator", api, api_ports)
        flow("API server -> CloudNativePG webhooks", api, "database/operator", _tcp(9443))
    elif database.get("mode") == "external" and users:
        external = _external("database", database.get("cidrs") or [])
        for app in users:
            flow("%s -> external PostgreSQL" % app["name"], "app/%s" % app["name"], external,
                 _tcp(database["port"]))

    observability = stack.get("observability") or {}
    nodes = _external("nodes", (stack.get("nodes") or {}).get("cidrs") or ["0.0.0.0/0"])
    flow("metrics-server -> kubelets", "monitoring/metrics-server", nodes, _tcp(10250))
    flow("metrics-server -> API server", "monitoring/metrics-server", api, api_ports)
    flow("API server -> metrics-server (metrics.k8s.io)", api, "monitoring/metrics-server", _tcp(10250))
    flow("prometheus-operator -> API server", "monitoring/operator", api, api_ports)
    flow("API server -> prometheus-operator webhook", api, "monitoring/operator", _tcp(10250))
    flow("kube-state-metrics -> API server", "monitoring/kube-state-metrics", api, api_ports)
    flow("admission webhook certificate job -> API server", "monitoring/admission-create", api, api_ports)
    flow("admission webhook patch job -> API server", "monitoring/admission-patch", api, api_ports)
    flow("Grafana -> Prometheus", "monitoring/grafana", "monitoring/prometheus", _tcp(9090))
    flow("Grafana sidecars -> API server (dashboards)", "monitoring/grafana", api, api_ports)
    if observability.get("log_shipping") == "loki":
        loki = _external("loki", observability.get("loki_cidrs") or ["0.0.0.0/0"])
        loki_port = _tcp(int(observability.get("loki_port") or 443))
        flow("Fluent Bit -> Loki", "monitoring/fluent-bit", loki, loki_port)
        flow("Fluent Bit -> API server (pod metadata)", "monitoring/fluent-bit", api, api_ports)
        flow("Grafana -> Loki (datasource)", "monitoring/grafana", loki, loki_port)
    prometheus = stack.get("prometheus") or {}
    if prometheus.get("enabled"):
        flow("Prometheus -> kubelets and node-exporter", "monitoring/prometheus", nodes, _tcp(10250, 9100))
        flow("Prometheus -> kube-state-metrics", "monitoring/prometheus", "monitoring/kube-state-metrics",
             _tcp(8080, 8081))
        flow("Prometheus -> prometheus-operator", "monitoring/prometheus", "monitoring/operator", _tcp(10250))
        flow("Prometheus -> Grafana", "monitoring/prometheus", "monitoring/grafana", _tcp(3000))
        flow("Prometheus -> Fluent Bit", "monitoring/prometheus", "monitoring/fluent-bit", _tcp(2020))
        if observability.get("scrape_apps"):
            for app in apps:
                if app.get("port"):
                    flow("Prometheus -> %s metrics path" % app["name"], "monitoring/prometheus",
                         "app/%s" % app["name"], _tcp(app["port"]))
        for cid, comp in sorted(comps.items()):
            ports = [[p[0], p[1]] for p in comp["ports"]
                     if p[2] in ("metrics", "dapr-metrics", "tcp-prometheus")
                     or (cid == "kafka/operator" and p[2] == "http")]
            if ports and cid != "dapr-sidecars" and not cid.startswith("monitoring/"):
                flow("Prometheus -> %s metrics" % cid, "monitoring/prometheus", cid, ports)
        flow("Prometheus -> API server (service discovery)", "monitoring/prometheus", api, api_ports)
    return flows


_CIDR_VARIABLES = (("api_server", "cidrs", "hardening_api_server_cidrs"), ("nodes", "cidrs", "hardening_node_cidrs"),
                   ("ingress", "public_cidrs", "hardening_public_cidrs"),
                   ("ingress", "acme_cidrs", "hardening_acme_cidrs"),
                   ("database", "cidrs", "hardening_external_database_cidrs"),
                   ("observability", "loki_cidrs", "hardening_log_shipping_cidrs"))


def problems(stack):
    """Messages naming the variable and the fix, for settings the flows cannot be derived from."""
    found = []
    for section, key, variable in _CIDR_VARIABLES:
        for cidr in (stack.get(section) or {}).get(key) or []:
            try:
                ipaddress.ip_network(str(cidr), strict=False)
            except ValueError:
                found.append("%s: %r is not a CIDR (like 10.0.0.0/28)" % (variable, cidr))
    if not (stack.get("api_server") or {}).get("cidrs"):
        found.append("hardening_api_server_cidrs is empty: give the addresses pods reach the Kubernetes API at "
                     "(OKE: the API endpoint subnet), or 0.0.0.0/0")
    database = stack.get("database") or {}
    users = [app["name"] for app in database_users(stack.get("apps"))]
    if database.get("mode") == "external" and users and not database.get("cidrs"):
        found.append("hardening_external_database_cidrs is empty but %s connect to the external PostgreSQL: give its "
                     "address (e.g. [10.0.20.15/32]) so their egress can be allowed" % ", ".join(users))
    if not found:
        try:
            stack_flows(stack)
        except (FlowError, KeyError, TypeError, ValueError) as exc:
            found.append("the NetworkPolicies cannot be derived from the roles' settings: %s" % exc)
    return found


def _labels_json(labels):
    return {"matchLabels": dict(sorted(labels.items()))}


def _peer(end, comps, namespace):
    if isinstance(end, dict):
        return [{"ipBlock": {"cidr": cidr}} for cidr in end["cidrs"]]
    comp = comps[end]
    peer = {"podSelector": _labels_json(comp["labels"])}
    if comp["namespace"] != namespace:
        peer["namespaceSelector"] = {"matchLabels": {NAME_LABEL: comp["namespace"]}}
    return [peer]


def _ports(ports):
    return [{"port": port, "protocol": protocol} for port, protocol in ports]


def _policy(name, namespace, labels, spec):
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
            "spec": spec}


def _policy_name(cid):
    return "%s-%s" % (POLICY_PREFIX, cid.replace("/", "-"))


def network_policies(stack, flows, labels=None):
    """Default deny and DNS in each owned namespace, then one policy per component that has flows."""
    comps = components(stack)
    labels = labels or {}
    owned = sorted(set(stack.get("namespaces") or []))
    dns = stack.get("dns") or {"namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}, "port": 53}
    policies = []
    for namespace in owned:
        policies.append(_policy("%s-default-deny" % POLICY_PREFIX, namespace, labels,
                                {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}))
        policies.append(_policy("%s-allow-dns" % POLICY_PREFIX, namespace, labels, {
            "podSelector": {}, "policyTypes": ["Egress"],
            "egress": [{"to": [{"namespaceSelector": {"matchLabels": {NAME_LABEL: dns["namespace"]}},
                                "podSelector": _labels_json(dns["labels"])}],
                        "ports": [{"port": int(dns["port"]), "protocol": "UDP"},
                                  {"port": int(dns["port"]), "protocol": "TCP"}]}]}))
    rules = {}
    for flow in flows:
        for side, other, key in (("to", "from", "ingress"), ("from", "to", "egress")):
            end = flow[side]
            if isinstance(end, dict) or comps[end]["namespace"] not in owned:
                continue
            peers = _peer(flow[other], comps, comps[end]["namespace"])
            rules.setdefault(end, {"ingress": [], "egress": []})[key].append(
                {("from" if key == "ingress" else "to"): peers, "ports": _ports(flow["ports"])})
    for cid in sorted(rules):
        comp = comps[cid]
        spec = {"podSelector": _labels_json(comp["labels"]), "policyTypes": []}
        for key, policy_type in (("ingress", "Ingress"), ("egress", "Egress")):
            if rules[cid][key]:
                spec["policyTypes"].append(policy_type)
                spec[key] = _merge(rules[cid][key])
        policies.append(_policy(_policy_name(cid), comp["namespace"], labels, spec))
    return policies


def _merge(rules):
    """One rule per distinct peer list, its ports united in order (stable output for idempotent applies)."""
    merged = []
    for rule in rules:
        peer_key = "from" if "from" in rule else "to"
        for existing in merged:
            if existing[peer_key] == rule[peer_key]:
                for port in rule["ports"]:
                    if port not in existing["ports"]:
                        existing["ports"].append(port)
                break
        else:
            merged.append({peer_key: rule[peer_key], "ports": list(rule["ports"])})
    return merged


def _reference(end, comps):
    if isinstance(end, dict):
        return {"external": end["name"]}
    return {"namespace": comps[end]["namespace"], "labels": comps[end]["labels"]}


def intended(stack, flows):
    """The flows in ``_netpol.analyse``'s form, one per port."""
    comps = components(stack)
    return [{"name": flow["name"], "from": _reference(flow["from"], comps), "to": _reference(flow["to"], comps),
             "port": port, "protocol": protocol}
            for flow in flows for port, protocol in flow["ports"]]


def _stand_in_address(name, ends):
    """An address of the end's first CIDR that no smaller CIDR of another end holds, where there is one: the database
    inside the VCN must not stand where the API endpoint subnet is, or the API server's rules would seem to admit it.
    Falls back to the first host address."""
    network = ends[name][0]
    others = [other for key, cidrs in ends.items() if key != name for other in cidrs
              if other.version == network.version and not network.subnet_of(other)]
    first = network.network_address + (1 if network.num_addresses > 1 else 0)
    last = network.broadcast_address - (1 if network.num_addresses > 2 else 0)
    for candidate in (first, last, network.network_address + network.num_addresses // 2):
        if not any(candidate in other for other in others):
            return candidate
    return first


def endpoints(stack, flows):
    """Stand-in pods of every component and one address per external end, for ``_netpol.analyse``."""
    pods = [{"name": cid, "namespace": comp["namespace"], "labels": comp["pod_labels"],
             "ports": [{"name": name, "port": port, "protocol": protocol} for port, protocol, name in comp["ports"]]}
            for cid, comp in sorted(components(stack).items()) if cid != "dapr-sidecars"]
    ends = {}
    for flow in flows:
        for end in (flow["from"], flow["to"]):
            if isinstance(end, dict):
                ends[end["name"]] = [ipaddress.ip_network(cidr, strict=False) for cidr in end["cidrs"]]
    externals = {name: {"name": name, "ip": str(_stand_in_address(name, ends))} for name in ends}
    return pods, sorted(externals.values(), key=lambda e: e["name"])
