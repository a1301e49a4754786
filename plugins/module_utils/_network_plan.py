# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the OCI network an OKE cluster needs, computed from a few inventory settings.

plan_network(spec) validates the oci_network_* settings (every problem is collected, then one
PlanError carries them all) and returns a plain, JSON-able plan:

- subnets carved at fixed, aligned slots of the VCN CIDR, so a subnet never moves when another is
  added, removed or overridden (API endpoint /28, load balancers /24, workers /20, pods /18);
- gateways and route tables (internet gateway only when something is public; NAT and service
  gateways always);
- network security groups with the stateful rules OKE requires between the control plane, the
  workers, the pods (VCN-native pod networking only) and the load balancers, plus exactly the
  listener ports and API allow-list the inventory asks for;
- the VCN's default security list emptied, because the NSGs govern all traffic.

Rules and route rules use the option names of oracle.oci's security_rules and route_rules, so tasks
pass them straight through. References to things that only exist at apply time are symbolic:
"nsg:<key>" (NETWORK_SECURITY_GROUP), "gateway:internet|nat|service" (network_entity_id) and
"oci-services" (SERVICE_CIDR_BLOCK, the region's "All <region> Services in Oracle Services Network").
"""

from __future__ import annotations

import ipaddress

TCP = "6"
UDP = "17"
ICMP = "1"
ALL = "all"

OKE_PORTS = {
    "apiserver": 6443,
    "oke_control": 12250,
    "kubelet": 10250,
    "kube_proxy_health": 10256,
    "node_ports": (30000, 32767),
}
# ICMP type 3 (destination unreachable) code 4 (fragmentation needed): path MTU discovery.
PATH_MTU_ICMP = (3, 4)

ANYWHERE = "0.0.0.0/0"
OSN = "oci-services"

SUBNET_KEYS = ("api_endpoint", "load_balancers", "workers", "pods")
# Default carving: (prefix length, slot). The slot is the index of the block of that size counted from
# the start of the VCN, so 10.0.0.0/16 gives 10.0.0.0/28, 10.0.1.0/24, 10.0.16.0/20 and 10.0.64.0/18.
# The gaps are left for later subnets (bastion/operator /28s, an internal LB /24, a second workers /20).
DEFAULT_LAYOUT = {
    "api_endpoint": (28, 0),
    "load_balancers": (24, 1),
    "workers": (20, 1),
    "pods": (18, 1),
}
# OCI keeps the first two and the last address of every subnet.
RESERVED_ADDRESSES = 3
# OCI limits: VCN and subnet CIDRs are /16 to /30; an NSG holds at most 120 security rules.
VCN_PREFIXES = (16, 30)
SUBNET_PREFIXES = (16, 30)
MAX_RULES_PER_NSG = 120
MAX_PODS_PER_NODE = 110

DEFAULTS = {
    "vcn_cidr": "10.0.0.0/16",
    "pod_networking": "flannel",
    "api_endpoint_public": False,
    "api_allowed_cidrs": [],
    "lb_public": True,
    "lb_listener_ports": [80, 443],
    "lb_allowed_cidrs": None,
    "node_count": 1,
    "max_pods_per_node": 31,
    "subnets": {},
}
REQUIRED = ("name_prefix", "dns_label")
POD_NETWORKING = ("flannel", "vcn_native")

_SUBNET_NAMES = {"api_endpoint": "api-endpoint", "load_balancers": "load-balancers", "workers": "workers", "pods": "pods"}
_SUBNET_DNS_LABELS = {"api_endpoint": "api", "load_balancers": "lb", "workers": "workers", "pods": "pods"}


class PlanError(ValueError):
    """The settings cannot make a network; .problems lists every reason (str() joins them with '; ')."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _var(name):
    return "oci_network_" + name


# ---------------------------------------------------------------------------------------------------
# Checking the settings. Each check appends messages to problems and returns the normalised value,
# or None when the value is unusable (later checks that need it are then skipped).


def _as_int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _ipv4_network(value, variable, problems):
    if not isinstance(value, str):
        problems.append("%s: %r is not a CIDR block; write it as a string like 10.0.0.0/16" % (variable, value))
        return None
    try:
        net = ipaddress.ip_network(value.strip(), strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            problems.append("%s: %r is not a CIDR block (%s); write it like 10.0.0.0/16" % (variable, value, exc))
        else:
            problems.append("%s: %r has host bits set; did you mean %s?" % (variable, value, loose))
        return None
    if net.version != 4:
        problems.append("%s: %s is an IPv6 block; this network is IPv4 only, give an IPv4 CIDR" % (variable, net))
        return None
    return net


def _cidr_list(spec, name, problems):
    variable = _var(name)
    value = spec[name]
    if not isinstance(value, list):
        problems.append("%s: %r must be a list of CIDR blocks, like [\"203.0.113.0/24\"]" % (variable, value))
        return None
    found = []
    for index, item in enumerate(value):
        net = _ipv4_network(item, "%s[%d]" % (variable, index), problems)
        if net is None:
            continue
        if net in found:
            problems.append("%s[%d]: %s is listed twice; remove the duplicate" % (variable, index, net))
            continue
        found.append(net)
    return [str(net) for net in found]


def _check_dns_label(value, problems):
    if (not isinstance(value, str) or not 1 <= len(value) <= 15 or not value.isascii() or not value.isalnum()
            or not value[0].isalpha()):
        problems.append("%s: %r is not a valid OCI DNS label; use 1-15 letters and digits, starting with a letter "
                        "(for example eventstackdev)" % (_var("dns_label"), value))
        return None
    return value


def _check_int(spec, name, low, high, problems, hint):
    value = _as_int(spec[name])
    if value is None or value < low or (high is not None and value > high):
        problems.append("%s: %r must be a whole number %s; %s" % (
            _var(name), spec[name], "of at least %d" % low if high is None else "from %d to %d" % (low, high), hint))
        return None
    return value


def _check_bool(spec, name, problems):
    if not isinstance(spec[name], bool):
        problems.append("%s: %r must be true or false" % (_var(name), spec[name]))
        return None
    return spec[name]


def _check_ports(value, problems):
    variable = _var("lb_listener_ports")
    if not isinstance(value, list):
        problems.append("%s: %r must be a list of port numbers, like [80, 443]" % (variable, value))
        return None
    ports = []
    for index, item in enumerate(value):
        port = _as_int(item)
        if port is None or not 1 <= port <= 65535:
            problems.append("%s[%d]: %r is not a TCP port; use a number from 1 to 65535" % (variable, index, item))
        elif port in ports:
            problems.append("%s[%d]: port %d is listed twice; remove the duplicate" % (variable, index, port))
        else:
            ports.append(port)
    return ports


def _settings(spec, problems):
    """Validate spec; return the normalised settings (values None where unusable)."""
    if not isinstance(spec, dict):
        raise PlanError(["the oci_network settings must be a mapping of setting names to values, not %r" % (spec,)])
    for key in sorted(str(key) for key in spec if key not in DEFAULTS and key not in REQUIRED):
        problems.append("%s: unknown setting; the settings are %s (check the spelling)" % (
            _var(key), ", ".join(_var(name) for name in REQUIRED + tuple(DEFAULTS))))
    merged = dict(DEFAULTS)
    merged.update({key: value for key, value in spec.items() if value is not None or key == "lb_allowed_cidrs"})
    settings = {}

    prefix = merged.get("name_prefix")
    if not isinstance(prefix, str) or not prefix.strip() or len(prefix) > 200:
        problems.append("%s: %r must be a non-empty name (at most 200 characters) that starts every display name, "
                        "for example eventstack-dev" % (_var("name_prefix"), prefix))
        prefix = None
    settings["name_prefix"] = prefix
    settings["dns_label"] = _check_dns_label(merged.get("dns_label"), problems)

    vcn = _ipv4_network(merged["vcn_cidr"], _var("vcn_cidr"), problems)
    if vcn is not None and not VCN_PREFIXES[0] <= vcn.prefixlen <= VCN_PREFIXES[1]:
        problems.append("%s: %s is a /%d; OCI VCNs are /%d to /%d, use for example 10.0.0.0/16" % (
            _var("vcn_cidr"), vcn, vcn.prefixlen, VCN_PREFIXES[0], VCN_PREFIXES[1]))
        vcn = None
    settings["vcn"] = vcn

    pod_networking = merged["pod_networking"]
    if pod_networking not in POD_NETWORKING:
        problems.append("%s: %r is not one of %s" % (_var("pod_networking"), pod_networking, ", ".join(POD_NETWORKING)))
        pod_networking = None
    settings["vcn_native"] = pod_networking == "vcn_native"

    settings["node_count"] = _check_int(merged, "node_count", 1, None, problems,
                                        "set it to the number of worker nodes")
    settings["max_pods_per_node"] = _check_int(merged, "max_pods_per_node", 1, MAX_PODS_PER_NODE, problems,
                                               "OKE allows at most %d, use 31 (the OKE default) if unsure"
                                               % MAX_PODS_PER_NODE)
    settings["api_endpoint_public"] = _check_bool(merged, "api_endpoint_public", problems)
    settings["lb_public"] = _check_bool(merged, "lb_public", problems)
    settings["lb_listener_ports"] = _check_ports(merged["lb_listener_ports"], problems)
    settings["api_allowed_cidrs"] = _cidr_list(merged, "api_allowed_cidrs", problems)
    if settings["api_endpoint_public"] and merged["api_allowed_cidrs"] == []:
        problems.append("%s: empty, but %s is true; list the ranges that may reach the Kubernetes API on port %d "
                        "(your office or VPN range; 0.0.0.0/0 only if you really mean everyone), or make the "
                        "endpoint private" % (_var("api_allowed_cidrs"), _var("api_endpoint_public"),
                                              OKE_PORTS["apiserver"]))
    if merged["lb_allowed_cidrs"] is None:
        # Public load balancers answer everyone; internal ones whatever lives in the VCN.
        if settings["lb_public"] is not None:
            merged["lb_allowed_cidrs"] = [ANYWHERE] if settings["lb_public"] else ([str(vcn)] if vcn else [])
        else:
            merged["lb_allowed_cidrs"] = []
    settings["lb_allowed_cidrs"] = _cidr_list(merged, "lb_allowed_cidrs", problems)

    overrides = merged["subnets"]
    if not isinstance(overrides, dict):
        problems.append("%s: %r must be a mapping of subnet keys (%s) to CIDR blocks" % (
            _var("subnets"), overrides, ", ".join(SUBNET_KEYS)))
        overrides = {}
    unknown = sorted(str(key) for key in overrides if key not in SUBNET_KEYS)
    if unknown:
        problems.append("%s: unknown subnet key(s) %s; the keys are %s" % (
            _var("subnets"), ", ".join(unknown), ", ".join(SUBNET_KEYS)))
    if "pods" in overrides and pod_networking == "flannel":
        problems.append("%s.pods: a pod subnet is only used with %s: vcn_native (with flannel pods get overlay "
                        "addresses); remove it or switch to vcn_native" % (_var("subnets"), _var("pod_networking")))
    settings["overrides"] = {key: overrides[key] for key in SUBNET_KEYS if key in overrides}
    return settings


# ---------------------------------------------------------------------------------------------------
# Subnets


def _default_subnet(vcn, key):
    prefix, slot = DEFAULT_LAYOUT[key]
    size = 2 ** (32 - prefix)
    start = int(vcn.network_address) + slot * size
    net = ipaddress.ip_network("%s/%d" % (ipaddress.ip_address(start), prefix))
    return net if net.subnet_of(vcn) else None


def _needed_vcn_prefix(key):
    prefix, slot = DEFAULT_LAYOUT[key]
    span = (slot + 1) * 2 ** (32 - prefix)
    return 32 - (span - 1).bit_length()


def _carve(settings, keys, problems):
    vcn = settings["vcn"]
    subnets = {}
    misfits = []
    for key in keys:
        variable = "%s.%s" % (_var("subnets"), key)
        if key in settings["overrides"]:
            net = _ipv4_network(settings["overrides"][key], variable, problems)
            if net is None:
                continue
            if not net.subnet_of(vcn):
                problems.append("%s: %s is outside the VCN %s (%s); pick a block inside it" % (
                    variable, net, vcn, _var("vcn_cidr")))
                continue
            if not SUBNET_PREFIXES[0] <= net.prefixlen <= SUBNET_PREFIXES[1]:
                problems.append("%s: %s is a /%d; OCI subnets are /%d to /%d" % (
                    variable, net, net.prefixlen, SUBNET_PREFIXES[0], SUBNET_PREFIXES[1]))
                continue
            subnets[key] = net
        else:
            net = _default_subnet(vcn, key)
            if net is None:
                misfits.append(key)
            else:
                subnets[key] = net
    if misfits:
        needed = min(_needed_vcn_prefix(key) for key in misfits)
        problems.append("%s: %s is too small for the default %s subnet(s) (the default layout needs a /%d or larger); "
                        "use a larger VCN or give %s explicitly" % (
                            _var("vcn_cidr"), vcn, ", ".join(misfits), needed,
                            " and ".join("%s.%s" % (_var("subnets"), key) for key in misfits)))
    placed = list(subnets)
    for index, first in enumerate(placed):
        for second in placed[index + 1:]:
            if subnets[first].overlaps(subnets[second]):
                problems.append("%s: %s (%s) and %s (%s) overlap; give them separate ranges in %s" % (
                    _var("subnets"), first, subnets[first], second, subnets[second], _var("subnets")))
    return subnets


def _check_sizes(settings, subnets, problems):
    nodes = settings["node_count"]
    if nodes is None:
        return
    workers = subnets.get("workers")
    if workers is not None:
        usable = workers.num_addresses - RESERVED_ADDRESSES
        needed = 2 * nodes
        if usable < needed:
            problems.append("%s.workers: %s has %d usable addresses, %d needed (%d nodes plus as many again for a "
                            "rolling upgrade); use a larger block or lower %s" % (
                                _var("subnets"), workers, usable, needed, nodes, _var("node_count")))
    pods = subnets.get("pods")
    per_node = settings["max_pods_per_node"]
    if pods is not None and per_node is not None:
        usable = pods.num_addresses - RESERVED_ADDRESSES
        needed = nodes * per_node
        if usable < needed:
            problems.append("%s.pods: %s has %d usable addresses, %d needed (%d nodes x %d pods); use a larger block "
                            "or lower %s" % (_var("subnets"), pods, usable, needed, nodes, per_node,
                                             _var("max_pods_per_node")))


# ---------------------------------------------------------------------------------------------------
# Security rules, in the shape of oracle.oci's security_rules


def _peer_type(peer):
    if peer.startswith("nsg:"):
        return "NETWORK_SECURITY_GROUP"
    if peer == OSN:
        return "SERVICE_CIDR_BLOCK"
    return "CIDR_BLOCK"


def _rule(direction, protocol, peer, description, ports=None, icmp=None):
    side = "source" if direction == "INGRESS" else "destination"
    rule = {"direction": direction, "protocol": protocol, side: peer, side + "_type": _peer_type(peer),
            "is_stateless": False, "description": description}
    if ports is not None:
        low, high = ports if isinstance(ports, tuple) else (ports, ports)
        rule["tcp_options" if protocol == TCP else "udp_options"] = {"destination_port_range": {"min": low, "max": high}}
    if icmp is not None:
        rule["icmp_options"] = {"type": icmp[0], "code": icmp[1]}
    return rule


def _in(protocol, peer, description, ports=None, icmp=None):
    return _rule("INGRESS", protocol, peer, description, ports, icmp)


def _out(protocol, peer, description, ports=None, icmp=None):
    return _rule("EGRESS", protocol, peer, description, ports, icmp)


def _nsg_rules(settings):
    """The rules of each NSG (keys: api_endpoint, workers, load_balancers and, for vcn_native, pods)."""
    cp, workers, lbs, pods = "nsg:api_endpoint", "nsg:workers", "nsg:load_balancers", "nsg:pods"
    api, kubelet, control = OKE_PORTS["apiserver"], OKE_PORTS["kubelet"], OKE_PORTS["oke_control"]
    health, node_ports = OKE_PORTS["kube_proxy_health"], OKE_PORTS["node_ports"]
    native = settings["vcn_native"]

    control_plane = [
        _out(TCP, OSN, "Control plane to the Oracle Services Network"),
        _out(TCP, workers, "Control plane to the kubelets", kubelet),
        _out(TCP, workers, "Control plane to the workers (OKE control)", control),
        _out(TCP, cp, "Control plane to the Kubernetes API (itself)", api),
        _out(ICMP, workers, "Path MTU discovery to the workers", icmp=PATH_MTU_ICMP),
    ]
    if native:
        control_plane.append(_out(ALL, pods, "Control plane to the pods"))
    control_plane += [
        _in(TCP, workers, "Workers to the control plane (OKE control)", control),
        _in(TCP, cp, "Kubernetes API from the control plane (itself)", api),
        _in(TCP, workers, "Kubernetes API from the workers", api),
    ]
    if native:
        control_plane += [_in(TCP, pods, "Kubernetes API from the pods", api),
                          _in(TCP, pods, "Pods to the control plane (OKE control)", control)]
    control_plane.append(_in(ICMP, workers, "Path MTU discovery from the workers", icmp=PATH_MTU_ICMP))
    control_plane += [_in(TCP, cidr, "Kubernetes API from %s (oci_network_api_allowed_cidrs)" % cidr, api)
                      for cidr in settings["api_allowed_cidrs"]]

    node = [
        _out(TCP, OSN, "Workers to the Oracle Services Network"),
        _out(ALL, workers, "Workers to workers"),
        _out(TCP, cp, "Workers to the Kubernetes API", api),
        _out(TCP, cp, "Workers to the control plane (OKE control)", control),
        _out(TCP, cp, "Workers to the control plane kubelet port", kubelet),
        _out(ICMP, ANYWHERE, "Path MTU discovery", icmp=PATH_MTU_ICMP),
    ]
    if native:
        node.append(_out(ALL, pods, "Workers to the pods"))
    node += [
        _out(ALL, ANYWHERE, "Workers to the internet through the NAT gateway (images, packages)"),
        _in(ALL, workers, "Workers from workers"),
        _in(ALL, cp, "Control plane to the workers (kubelet, webhooks, exec, logs)"),
        _in(TCP, lbs, "NodePorts from the load balancers", node_ports),
        _in(UDP, lbs, "NodePorts from the load balancers", node_ports),
        _in(TCP, lbs, "kube-proxy health checks from the load balancers", health),
        _in(ICMP, ANYWHERE, "Path MTU discovery", icmp=PATH_MTU_ICMP),
    ]
    if native:
        node.append(_in(ALL, pods, "Pods to the workers"))

    balancers = [
        _out(TCP, workers, "Load balancers to the NodePorts", node_ports),
        _out(UDP, workers, "Load balancers to the NodePorts", node_ports),
        _out(TCP, workers, "Load balancers to kube-proxy health checks", health),
        _out(ICMP, workers, "Path MTU discovery to the workers", icmp=PATH_MTU_ICMP),
    ]
    if native:
        balancers.append(_out(ALL, pods, "Load balancers to the pods"))
    balancers += [_in(TCP, cidr, "Listener port %d from %s (oci_network_lb_listener_ports)" % (port, cidr), port)
                  for cidr in settings["lb_allowed_cidrs"] for port in settings["lb_listener_ports"]]

    rules = {"api_endpoint": control_plane, "workers": node, "load_balancers": balancers}
    if native:
        rules["pods"] = [
            _out(TCP, OSN, "Pods to the Oracle Services Network"),
            _out(ALL, pods, "Pods to pods"),
            _out(TCP, cp, "Pods to the Kubernetes API", api),
            _out(ALL, workers, "Pods to the workers"),
            _out(ALL, lbs, "Pods to the load balancers"),
            _out(ICMP, ANYWHERE, "Path MTU discovery", icmp=PATH_MTU_ICMP),
            _out(ALL, ANYWHERE, "Pods to the internet through the NAT gateway"),
            _in(ALL, pods, "Pods from pods"),
            _in(ALL, cp, "Control plane to the pods"),
            _in(ALL, workers, "Workers to the pods"),
            _in(ALL, lbs, "Load balancers to the pods"),
            _in(ICMP, ANYWHERE, "Path MTU discovery", icmp=PATH_MTU_ICMP),
        ]
    return rules


def _check_rule_counts(rules, problems):
    causes = {
        "load_balancers": "%s and %s (one rule per port and range)" % (_var("lb_listener_ports"), _var("lb_allowed_cidrs")),
        "api_endpoint": "%s (one rule per range)" % _var("api_allowed_cidrs"),
    }
    for key, listed in rules.items():
        if len(listed) > MAX_RULES_PER_NSG:
            problems.append("%s: the %s NSG would need %d rules and OCI allows %d per NSG; list fewer or wider "
                            "ranges or ports" % (causes.get(key, key), key, len(listed), MAX_RULES_PER_NSG))


# ---------------------------------------------------------------------------------------------------
# The plan


def plan_network(spec):
    """Return the network plan for spec (keys: the oci_network_ role variables without the prefix).

    Raises PlanError listing every problem when the settings cannot make a working network.
    """
    problems = []
    settings = _settings(spec, problems)
    keys = [key for key in SUBNET_KEYS if key != "pods" or settings["vcn_native"]]
    subnets = _carve(settings, keys, problems) if settings["vcn"] is not None else {}
    _check_sizes(settings, subnets, problems)
    rules = None
    if None not in (settings["lb_listener_ports"], settings["lb_allowed_cidrs"], settings["api_allowed_cidrs"]):
        rules = _nsg_rules(settings)
        _check_rule_counts(rules, problems)
    if problems:
        raise PlanError(problems)
    return _assemble(settings, subnets, rules)


def _assemble(settings, subnets, rules):
    prefix = settings["name_prefix"]
    public = {"api_endpoint": settings["api_endpoint_public"], "load_balancers": settings["lb_public"],
              "workers": False, "pods": False}
    any_public = settings["api_endpoint_public"] or settings["lb_public"]

    gateways = {}
    if any_public:
        gateways["internet"] = {"display_name": prefix + "-igw"}
    gateways["nat"] = {"display_name": prefix + "-nat"}
    gateways["service"] = {"display_name": prefix + "-sgw"}

    route_tables = {}
    if any_public:
        route_tables["public"] = {"display_name": prefix + "-public-rt", "route_rules": [
            {"destination": ANYWHERE, "destination_type": "CIDR_BLOCK", "network_entity_id": "gateway:internet",
             "description": "Internet through the internet gateway"}]}
    route_tables["private"] = {"display_name": prefix + "-private-rt", "route_rules": [
        {"destination": ANYWHERE, "destination_type": "CIDR_BLOCK", "network_entity_id": "gateway:nat",
         "description": "Internet through the NAT gateway"},
        {"destination": OSN, "destination_type": "SERVICE_CIDR_BLOCK", "network_entity_id": "gateway:service",
         "description": "Oracle Services Network through the service gateway"}]}

    subnet_list = [{
        "key": key,
        "display_name": "%s-%s" % (prefix, _SUBNET_NAMES[key]),
        "cidr_block": str(subnets[key]),
        "dns_label": _SUBNET_DNS_LABELS[key],
        "prohibit_public_ip_on_vnic": not public[key],
        "route_table": "public" if public[key] else "private",
        "nsg": key,
    } for key in SUBNET_KEYS if key in subnets]

    nsgs = {key: {"display_name": "%s-%s-nsg" % (prefix, _SUBNET_NAMES[key]), "rules": listed}
            for key, listed in rules.items()}
    vcn_name = prefix + "-vcn"
    return {
        "vcn": {"display_name": vcn_name, "cidr_block": str(settings["vcn"]), "dns_label": settings["dns_label"]},
        "gateways": gateways,
        "route_tables": route_tables,
        "subnets": subnet_list,
        "nsgs": nsgs,
        "security_lists": {"default": {"display_name": "Default Security List for " + vcn_name,
                                       "ingress_security_rules": [], "egress_security_rules": []}},
        "summary": {
            "subnets": len(subnet_list),
            "public_subnets": sum(1 for subnet in subnet_list if not subnet["prohibit_public_ip_on_vnic"]),
            "route_rules": {key: len(table["route_rules"]) for key, table in route_tables.items()},
            "nsg_rules": {key: len(nsg["rules"]) for key, nsg in nsgs.items()},
        },
    }


def _covers(rule, protocol, port):
    if rule["protocol"] == ALL:
        return True
    if rule["protocol"] != protocol:
        return False
    options = rule.get("tcp_options") or rule.get("udp_options")
    if port is None or options is None or "destination_port_range" not in options:
        return True
    span = options["destination_port_range"]
    return span["min"] <= port <= span["max"]


def rules_allowing(plan, nsg_key, direction, port=None, protocol=TCP, peer=None):
    """The rules of one NSG that let protocol traffic to port through in direction (INGRESS or EGRESS).

    port None matches any rule of that protocol; rules of protocol "all" and rules without port options
    match every port. peer, when given, must equal the rule's source (ingress) or destination (egress).
    An NSG the plan does not have allows nothing.
    """
    side = "source" if direction == "INGRESS" else "destination"
    nsg = plan["nsgs"].get(nsg_key) or {}
    return [rule for rule in nsg.get("rules", [])
            if rule["direction"] == direction and _covers(rule, protocol, port)
            and (peer is None or rule.get(side) == peer)]
