# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: which flows a set of Kubernetes NetworkPolicies allows, without a cluster.

The semantics are those of networking.k8s.io/v1 NetworkPolicy:

- A pod is isolated for ingress (egress) when at least one policy in its namespace selects it with
  "Ingress" ("Egress") in its policyTypes. policyTypes defaults to ["Ingress"], plus "Egress" when the
  policy has an egress section. A non-isolated pod allows everything in that direction.
- For an isolated pod, a connection is allowed when any selecting policy has a rule whose peers match
  the other end (no `from`/`to` = every peer) and whose ports match (no `ports` = every port).
- Peers: podSelector alone selects pods of the policy's namespace; namespaceSelector alone, every pod of
  the matching namespaces; both together, matching pods in matching namespaces; ipBlock, addresses in the
  CIDR minus `except` (pods are matched by their IP when they have one, external endpoints by theirs).
- Selectors: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist); {} matches everything.
  Namespaces always carry kubernetes.io/metadata.name.
- Ports: number or name (a named port resolves against the destination pod's container ports, for
  ingress and egress alike), protocol (default TCP), endPort ranges.
- A flow src -> dst:port is allowed when src's egress allows it and dst's ingress allows it.

Endpoints are dicts: pods {"name", "namespace", "labels", "ip"?, "ports": [{"name"?, "port", "protocol"?}],
"host_network"?} and external endpoints {"name", "ip", "external": True} (no namespace, never isolated). A pod on
the host's network is the node as far as policies go: no policy selects it and no pod or namespace selector peer
matches it (the Kubernetes documentation leaves host-network pods out of NetworkPolicy), so it is never isolated,
and the unexpected flows leave it out.
"""

from __future__ import annotations

import ipaddress

NAME_LABEL = "kubernetes.io/metadata.name"


class NetpolError(ValueError):
    """The input is not something the analysis can read; the message says where."""


def selector_matches(selector, labels):
    """True when a LabelSelector (dict, possibly empty) matches labels."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, operator, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if operator == "In":
            if labels.get(key) not in values:
                return False
        elif operator == "NotIn":
            if key in labels and labels[key] in values:
                return False
        elif operator == "Exists":
            if key not in labels:
                return False
        elif operator == "DoesNotExist":
            if key in labels:
                return False
        else:
            raise NetpolError("unknown matchExpressions operator %r" % (operator,))
    return True


def policy_types(policy):
    spec = policy.get("spec") or {}
    types = spec.get("policyTypes")
    if types:
        return set(types)
    return {"Ingress", "Egress"} if "egress" in spec else {"Ingress"}


class Cluster:
    """Pods, external endpoints, namespaces and policies, with the questions the analysis asks of them."""

    def __init__(self, policies, pods, namespaces=None, externals=None):
        self.namespaces = {}
        for namespace in namespaces or []:
            labels = dict(namespace.get("labels") or {})
            labels.setdefault(NAME_LABEL, namespace["name"])
            self.namespaces[namespace["name"]] = labels
        self.pods = [dict(pod) for pod in pods or []]
        for pod in self.pods:
            if not pod.get("namespace") or not pod.get("name"):
                raise NetpolError("every pod needs a name and a namespace: %r" % (pod,))
            self.namespaces.setdefault(pod["namespace"], {NAME_LABEL: pod["namespace"]})
        self.externals = [dict(ext, external=True) for ext in externals or []]
        self.policies = []
        for policy in policies or []:
            meta = policy.get("metadata") or {}
            if policy.get("kind", "NetworkPolicy") != "NetworkPolicy" or not meta.get("namespace"):
                raise NetpolError("not a namespaced NetworkPolicy: %s" % meta.get("name"))
            self.policies.append(policy)

    def endpoints(self):
        return self.pods + self.externals

    def _selecting(self, pod, direction):
        if pod.get("external") or pod.get("host_network"):
            return None
        selecting = [p for p in self.policies
                     if p["metadata"]["namespace"] == pod["namespace"]
                     and direction in policy_types(p)
                     and selector_matches((p.get("spec") or {}).get("podSelector") or {}, pod.get("labels"))]
        return selecting if selecting else None

    def isolating(self, pod):
        """The names of the policies that isolate a pod, in either direction (empty: not isolated)."""
        return sorted({p["metadata"]["name"] for direction in ("Ingress", "Egress")
                       for p in self._selecting(pod, direction) or []})

    def _peer_matches(self, peer, policy_namespace, other):
        if "ipBlock" in peer:
            address = other.get("ip")
            if not address:
                return False
            block = peer["ipBlock"]
            ip = ipaddress.ip_address(address)
            if ip not in ipaddress.ip_network(block["cidr"], strict=False):
                return False
            return not any(ip in ipaddress.ip_network(cidr, strict=False) for cidr in block.get("except") or [])
        if other.get("external") or other.get("host_network"):
            return False
        pod_selector, ns_selector = peer.get("podSelector"), peer.get("namespaceSelector")
        if ns_selector is None:
            if other["namespace"] != policy_namespace:
                return False
        elif not selector_matches(ns_selector, self.namespaces.get(other["namespace"], {})):
            return False
        return pod_selector is None or selector_matches(pod_selector, other.get("labels"))

    @staticmethod
    def _port_matches(rule_port, destination, port, protocol):
        if (rule_port.get("protocol") or "TCP") != protocol:
            return False
        wanted = rule_port.get("port")
        if wanted is None:
            return True
        if isinstance(wanted, str) and not wanted.isdigit():
            if destination.get("external"):
                return False
            return any(p.get("name") == wanted and int(p["port"]) == port
                       and (p.get("protocol") or "TCP") == protocol for p in destination.get("ports") or [])
        low = int(wanted)
        high = int(rule_port.get("endPort") or low)
        return low <= port <= high

    def _rules_allow(self, policies, direction, other, destination, port, protocol):
        key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
        for policy in policies:
            namespace = policy["metadata"]["namespace"]
            for rule in (policy.get("spec") or {}).get(key) or []:
                peers = rule.get(peers_key)
                if peers and not any(self._peer_matches(peer, namespace, other) for peer in peers):
                    continue
                ports = rule.get("ports")
                if ports and not any(self._port_matches(p, destination, port, protocol) for p in ports):
                    continue
                return True, policy["metadata"]["name"]
        return False, None

    def check(self, source, destination, port, protocol="TCP"):
        """(allowed, reason) for source -> destination:port."""
        egress = self._selecting(source, "Egress")
        if egress is not None:
            allowed, _name = self._rules_allow(egress, "Egress", destination, destination, port, protocol)
            if not allowed:
                return False, "egress of %s is isolated by %s and no rule allows it" % (
                    describe(source), ", ".join(sorted(p["metadata"]["name"] for p in egress)))
        ingress = self._selecting(destination, "Ingress")
        if ingress is not None:
            allowed, _name = self._rules_allow(ingress, "Ingress", source, destination, port, protocol)
            if not allowed:
                return False, "ingress of %s is isolated by %s and no rule allows it" % (
                    describe(destination), ", ".join(sorted(p["metadata"]["name"] for p in ingress)))
        return True, "allowed"

    def find(self, reference):
        """The endpoints a flow end refers to: {"external": name} or {"namespace", "labels"|"name"}."""
        if "external" in reference:
            return [e for e in self.externals if e["name"] == reference["external"]]
        found = []
        for pod in self.pods:
            if reference.get("namespace") and pod["namespace"] != reference["namespace"]:
                continue
            if "name" in reference and pod["name"] != reference["name"]:
                continue
            wanted = {"matchLabels": reference["labels"]} if "labels" in reference else {}
            if not selector_matches(wanted, pod.get("labels")):
                continue
            found.append(pod)
        return found


def describe(endpoint):
    if endpoint.get("external"):
        return "external %s" % endpoint["name"]
    return "%s/%s" % (endpoint["namespace"], endpoint["name"])


def _flow_key(source, destination, port, protocol):
    return (describe(source), describe(destination), int(port), protocol)


def analyse(policies, pods, namespaces=None, externals=None, intended=None, check_unexpected=True):
    """Compare what the policies allow with the intended flows.

    intended: [{"name"?, "from": ref, "to": ref, "port": int, "protocol"?}] where ref is
    {"namespace", "labels"} / {"namespace", "name"} / {"external": name}.
    Returns {"blocked": [...], "allowed_intended": [...], "unexpected": [...], "unresolved": [...]}:
    intended flows the policies block (with the reason), intended flows that work, flows between known
    endpoints on the destinations' declared ports that are allowed but were not intended, and intended
    flows naming endpoints that do not exist. Also "stranded": the pods the policies isolate (in either
    direction) that no intended flow names, so that everything they would do is denied - a component the
    flows forgot.
    """
    cluster = Cluster(policies, pods, namespaces, externals)
    result = {"blocked": [], "allowed_intended": [], "unexpected": [], "unresolved": [], "stranded": []}
    wanted = set()
    named = set()
    for flow in intended or []:
        protocol = flow.get("protocol") or "TCP"
        sources, destinations = cluster.find(flow["from"]), cluster.find(flow["to"])
        label = flow.get("name") or "%s -> %s:%s" % (flow["from"], flow["to"], flow["port"])
        if not sources or not destinations:
            result["unresolved"].append({"flow": label, "missing": "source" if not sources else "destination"})
            continue
        named.update(id(end) for end in sources + destinations)
        for source in sources:
            for destination in destinations:
                if source is destination:
                    continue
                key = _flow_key(source, destination, flow["port"], protocol)
                wanted.add(key)
                allowed, reason = cluster.check(source, destination, int(flow["port"]), protocol)
                entry = {"flow": label, "from": key[0], "to": key[1], "port": key[2], "protocol": protocol}
                if allowed:
                    result["allowed_intended"].append(entry)
                else:
                    result["blocked"].append(dict(entry, reason=reason))
    if check_unexpected:
        for source in cluster.endpoints():
            for destination in cluster.pods:
                if source is destination or source.get("host_network") or destination.get("host_network"):
                    continue
                for declared in destination.get("ports") or []:
                    protocol = declared.get("protocol") or "TCP"
                    key = _flow_key(source, destination, declared["port"], protocol)
                    if key in wanted:
                        continue
                    allowed, _reason = cluster.check(source, destination, int(declared["port"]), protocol)
                    if allowed:
                        result["unexpected"].append({"from": key[0], "to": key[1], "port": key[2],
                                                     "protocol": protocol})
    for pod in cluster.pods:
        isolating = cluster.isolating(pod)
        if isolating and id(pod) not in named:
            result["stranded"].append({"pod": describe(pod), "kind": pod.get("kind") or "Pod",
                                       "isolated_by": isolating})
    return result


_WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}


def from_objects(objects):
    """(policies, pods, namespaces) from Kubernetes objects: rendered manifests or what a cluster returns.

    Pods stand in for every workload (one per Deployment/StatefulSet/DaemonSet/ReplicaSet/Job, named after it,
    with its pod template's labels and container ports) next to real Pods.
    """
    policies, pods, namespaces = [], [], []
    for obj in objects or []:
        kind, meta = obj.get("kind"), obj.get("metadata") or {}
        if kind == "NetworkPolicy":
            policies.append(obj)
        elif kind == "Namespace":
            namespaces.append({"name": meta.get("name"), "labels": meta.get("labels") or {}})
        elif kind in _WORKLOADS or kind == "Pod":
            template = obj if kind == "Pod" else ((obj.get("spec") or {}).get("template") or {})
            spec = template.get("spec") or {}
            ports = [{"name": p.get("name"), "port": p.get("containerPort"), "protocol": p.get("protocol") or "TCP"}
                     for container in spec.get("containers") or [] for p in container.get("ports") or []]
            pods.append({"name": meta.get("name"), "namespace": meta.get("namespace") or "default",
                         "labels": (template.get("metadata") or {}).get("labels") or {},
                         "ip": (obj.get("status") or {}).get("podIP"), "ports": ports, "kind": kind,
                         "host_network": bool(spec.get("hostNetwork"))})
    return policies, pods, namespaces
