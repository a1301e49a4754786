"""A stand-in for one node's kubelet and pod network, for the NetworkPolicy enforcement probe against the emulator.

As a node does, it starts every Pod created while it is installed (phase Running, Ready, an address from the pod
CIDR, the node's on the host's network) and runs what is exec'd into a pod, here the two commands the probe uses, as
busybox prints them:

- ``nslookup <name>``: answers for a Service (``<svc>``, ``<svc>.<ns>``, ``<svc>.<ns>.svc[.cluster.local]``), if the
  pod may reach the cluster DNS (the kube-system pods labelled ``k8s-app: kube-dns``, UDP 53);
- ``nc [-v] -z -w <s> <host> <port>``: connects to the Service's first ready pod on the targeted container port. As
  busybox's nc (networking/nc_bloaty.c, netcat 1.10) does: an unresolvable host dies with ``nc: bad address '<host>'``;
  ``-z`` closes at once; exit 0 on a connection (``-v``: ``<host> (<ip>:<port>) open`` on stderr), 1 otherwise; with
  one ``-v`` a timeout prints ``nc: <host> (<ip>:<port>): Connection timed out`` and a refusal prints nothing; without
  ``-v`` nothing is printed. A connection the policies deny times out (Calico drops it); a Service without a ready
  pod refuses it (kube-proxy's REJECT).

On install it creates what every cluster runs for DNS: the ``kube-dns`` Service and a CoreDNS pod in kube-system
(with CoreDNS's own requests, 100m CPU and 70Mi), as kubeadm and OKE name them.

The pod network decides like the CNI it stands for. Where a NetworkPolicy engine runs - a DaemonSet of ``ENGINES``
(Calico's calico-node, Cilium, ...) whose pods are all ready - every connection is judged by the NetworkPolicies of
both ends, following the Kubernetes documentation (a pod is isolated for a direction when a policy of its namespace
selects it with that policy type; then only a rule whose peers and ports match lets the connection through; peers by
podSelector in the policy's namespace, namespaceSelector, both, or ipBlock). Without one, as with OKE's flannel or
VCN-native CNI, every connection goes through whatever the policies say. This judgement is written here, apart from the
collection's own analysis (module_utils/_netpol), so a mistake in one does not hide in the other.
"""
from __future__ import annotations

import ipaddress
import itertools
import zlib

ENGINES = ("calico-node", "cilium", "antrea-agent", "kube-router", "weave-net", "canal", "kindnet")
DNS = {"namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}, "port": 53}
NODE_IP = "10.0.10.2"


def _matches(selector, labels):
    if selector is None:
        return False
    labels = labels or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, values = expression["key"], expression.get("values") or []
        present = key in labels
        if {"In": not (present and labels[key] in values), "NotIn": present and labels[key] in values,
                "Exists": not present, "DoesNotExist": present}[expression["operator"]]:
            return False
    return True


class NodeStandIn:
    def __init__(self, server, pod_cidr="10.244.0.0/24", cluster_domain="cluster.local"):
        self.server, self.domain = server, cluster_domain
        self._addresses = (str(ip) for ip in itertools.islice(ipaddress.ip_network(pod_cidr).hosts(), 10, None))
        self.executed: list[tuple[str, list]] = []  # (pod, argv) of every exec
        server.start_pods(self._start)
        server.serve_pod_exec(self._exec)
        if not [s for s in server.objects("Service", DNS["namespace"]) if s["metadata"]["name"] == "kube-dns"]:
            meta = {"namespace": DNS["namespace"], "labels": DNS["labels"]}
            service = {"apiVersion": "v1", "kind": "Service", "metadata": dict(meta, name="kube-dns"),
                       "spec": {"clusterIP": "10.96.0.10", "selector": DNS["labels"], "ports": [
                           {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                           {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}]}}
            coredns = {"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.3",
                       "resources": {"requests": {"cpu": "100m", "memory": "70Mi"}, "limits": {"memory": "170Mi"}},
                       "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"},
                                 {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}]}
            pod = {"apiVersion": "v1", "kind": "Pod", "metadata": dict(meta, name="coredns-7db6d8ff4d-x7k2p"),
                   "spec": {"containers": [coredns]}}
            server.call("POST", "/api/v1/namespaces/kube-system/services", service, "application/json")
            server.call("POST", "/api/v1/namespaces/kube-system/pods", pod, "application/json")

    # --- kubelet ------------------------------------------------------------------------------------------------
    def _start(self, pod):
        address = NODE_IP if pod["spec"].get("hostNetwork") else next(self._addresses)
        return {"phase": "Running", "podIP": address, "hostIP": NODE_IP,
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [{"name": c["name"], "ready": True, "state": {"running": {}}}
                                      for c in pod["spec"].get("containers", [])]}

    def _exec(self, pod, argv):
        self.executed.append((pod["metadata"]["name"], argv))
        if argv[:1] == ["nslookup"] and len(argv) == 2:
            return self._nslookup(pod, argv[1])
        if argv[:1] == ["nc"]:
            verbose = argv.count("-v")
            rest = [a for a in argv[1:] if a != "-v"]
            if len(rest) == 5 and rest[:2] == ["-z", "-w"]:
                return self._nc(pod, rest[3], int(rest[4]), verbose)
            return 1, b"", b"BusyBox v1.37.0 multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\n"
        return 127, b"", ("sh: %s: not found\n" % argv[0]).encode()

    # --- the pod network --------------------------------------------------------------------------------------
    def enforcing(self):
        """The engine DaemonSets whose every pod is ready."""
        return [d["metadata"]["name"] for d in self.server.objects("DaemonSet") if d["metadata"]["name"] in ENGINES
                and (d.get("status") or {}).get("desiredNumberScheduled", 0) > 0
                and d["status"].get("numberReady", 0) == d["status"]["desiredNumberScheduled"]]

    def _service(self, host):
        parts = host.split(".")
        if host.endswith(".svc." + self.domain):
            parts = parts[:-len(self.domain.split("."))]
        if len(parts) >= 3 and parts[2] != "svc":
            return None
        name, namespace = parts[0], parts[1] if len(parts) > 1 else None
        for service in self.server.objects("Service"):
            if service["metadata"]["name"] == name and namespace in (None, service["metadata"]["namespace"]):
                return service
        return None

    @staticmethod
    def _cluster_ip(service):
        return service["spec"].get("clusterIP") or "10.96.%d.%d" % divmod(
            zlib.crc32(service["metadata"]["name"].encode()) % 65000 + 10, 256)

    def _namespace_labels(self, name):
        for namespace in self.server.objects("Namespace"):
            if namespace["metadata"]["name"] == name:
                return dict(namespace["metadata"].get("labels") or {}, **{"kubernetes.io/metadata.name": name})
        return {"kubernetes.io/metadata.name": name}

    def _policies(self, pod, direction):
        namespace, labels = pod["metadata"]["namespace"], pod["metadata"].get("labels") or {}
        found = []
        for policy in self.server.objects("NetworkPolicy", namespace):
            spec = policy["spec"]
            types = spec.get("policyTypes") or (["Ingress", "Egress"] if "egress" in spec else ["Ingress"])
            if direction in types and _matches(spec.get("podSelector") or {}, labels):
                found.append(policy)
        return found

    def _peer(self, peer, policy_namespace, other):
        if "ipBlock" in peer:
            address = (other.get("status") or {}).get("podIP")
            block = peer["ipBlock"]
            return bool(address) and ipaddress.ip_address(address) in ipaddress.ip_network(block["cidr"]) and not any(
                ipaddress.ip_address(address) in ipaddress.ip_network(c) for c in block.get("except") or [])
        namespace = other["metadata"]["namespace"]
        if "namespaceSelector" in peer:
            if not _matches(peer["namespaceSelector"], self._namespace_labels(namespace)):
                return False
        elif namespace != policy_namespace:
            return False
        return "podSelector" not in peer or _matches(peer["podSelector"], other["metadata"].get("labels"))

    @staticmethod
    def _port(rule_port, destination, port, protocol):
        if (rule_port.get("protocol") or "TCP") != protocol:
            return False
        wanted = rule_port.get("port")
        if wanted is None:
            return True
        if isinstance(wanted, str) and not wanted.isdigit():
            return any(p.get("name") == wanted and p["containerPort"] == port for c in destination["spec"]["containers"]
                       for p in c.get("ports") or [])
        return int(wanted) <= port <= int(rule_port.get("endPort") or wanted)

    def _allows(self, policies, key, peers_key, other, destination, port, protocol):
        for policy in policies:
            for rule in policy["spec"].get(key) or []:
                peers = rule.get(peers_key)
                if peers and not any(self._peer(p, policy["metadata"]["namespace"], other) for p in peers):
                    continue
                ports = rule.get("ports")
                if ports and not any(self._port(p, destination, port, protocol) for p in ports):
                    continue
                return True
        return False

    def reaches(self, source, destination, port, protocol="TCP"):
        """Whether the network carries source -> destination:port (both pods)."""
        if not self.enforcing() or source["spec"].get("hostNetwork"):
            return True
        egress = self._policies(source, "Egress")
        if egress and not self._allows(egress, "egress", "to", destination, destination, port, protocol):
            return False
        ingress = [] if destination["spec"].get("hostNetwork") else self._policies(destination, "Ingress")
        return not ingress or self._allows(ingress, "ingress", "from", source, destination, port, protocol)

    def _dns_pods(self):
        return [p for p in self.server.objects("Pod", DNS["namespace"])
                if _matches({"matchLabels": DNS["labels"]}, p["metadata"].get("labels"))]

    def _nslookup(self, pod, host):
        servers = self._dns_pods()
        if not servers or not self.reaches(pod, servers[0], DNS["port"], "UDP"):
            return 1, b";; connection timed out; no servers could be reached\n\n", b""
        service = self._service(host)
        if service is None:
            return 1, ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find %s: NXDOMAIN\n\n"
                       % host).encode(), b""
        return 0, ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\t%s\nAddress: %s\n\n"
                   % (host, self._cluster_ip(service))).encode(), b""

    def _nc(self, pod, host, port, verbose):
        service = self._service(host)
        if service is None:
            return 1, b"", ("nc: bad address '%s'\n" % host).encode()
        entry = [p for p in service["spec"].get("ports") or [] if p["port"] == port
                 and (p.get("protocol") or "TCP") == "TCP"]
        backends = [p for p in self.server.objects("Pod", service["metadata"]["namespace"])
                    if service["spec"].get("selector") and _matches({"matchLabels": service["spec"]["selector"]},
                                                                    p["metadata"].get("labels"))
                    and (p.get("status") or {}).get("phase", "Running") == "Running"]
        address = "%s (%s:%d)" % (host, self._cluster_ip(service), port)
        refused = (1, b"", b"")  # ECONNREFUSED: printed from two -v on only
        if not entry or not backends:
            return refused
        backend = sorted(backends, key=lambda p: p["metadata"]["name"])[0]
        target = entry[0].get("targetPort", port)
        if isinstance(target, str) and not target.isdigit():
            named = [p["containerPort"] for c in backend["spec"]["containers"] for p in c.get("ports") or []
                     if p.get("name") == target]
            if not named:
                return refused
            target = named[0]
        if not self.reaches(pod, backend, int(target)):
            return 1, b"", ("nc: %s: Connection timed out\n" % address).encode() if verbose else b""
        return 0, b"", ("%s open\n" % address).encode() if verbose else b""
