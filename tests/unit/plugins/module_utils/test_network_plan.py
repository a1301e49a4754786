from __future__ import annotations

import copy
import ipaddress
import json

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _network_plan as np

# Like inventories/dev: one node, flannel, public API endpoint with an allow-list, public LB on 80/443.
DEV = {"name_prefix": "eventstack-dev", "vcn_cidr": "10.0.0.0/16", "dns_label": "eventstackdev",
       "pod_networking": "flannel", "node_count": 1, "max_pods_per_node": 31, "api_endpoint_public": True,
       "api_allowed_cidrs": ["203.0.113.0/24"], "lb_public": True, "lb_listener_ports": [80, 443]}
# Like inventories/prod: three nodes, VCN-native pods, private API endpoint reachable from the VCN and a VPN
# range, public LB for the ingress.
PROD = dict(DEV, name_prefix="eventstack-prod", dns_label="eventstackprod", pod_networking="vcn_native",
            node_count=3, api_endpoint_public=False, api_allowed_cidrs=["10.0.0.0/16", "192.168.100.0/24"])
# Everything private: internal API endpoint, internal LB (listeners reachable from the VCN only).
INTERNAL = dict(PROD, name_prefix="eventstack-int", api_endpoint_public=False, lb_public=False,
                api_allowed_cidrs=["192.168.100.0/24"])
SPECS = {"dev": DEV, "prod": PROD, "internal": INTERNAL}

WORKERS, CP, LB, PODS = "nsg:workers", "nsg:api_endpoint", "nsg:load_balancers", "nsg:pods"
NODE_PORTS = (30000, 32767)
MTU = ("icmp", 3, 4)


def plan(spec):
    return np.plan_network(copy.deepcopy(spec))


def cidrs(result):
    return {subnet["key"]: subnet["cidr_block"] for subnet in result["subnets"]}


def problems(spec):
    with pytest.raises(np.PlanError) as exc:
        np.plan_network(spec)
    assert str(exc.value) == "; ".join(exc.value.problems)
    return exc.value.problems


def signature(rule):
    """(direction, protocol, peer, ports-or-icmp) of a rule, for comparing rule sets."""
    peer = rule.get("source") if rule["direction"] == "INGRESS" else rule.get("destination")
    if "icmp_options" in rule:
        detail = ("icmp", rule["icmp_options"]["type"], rule["icmp_options"].get("code"))
    else:
        options = rule.get("tcp_options") or rule.get("udp_options")
        span = options["destination_port_range"] if options else None
        detail = None if span is None else (span["min"], span["max"])
    return rule["direction"], rule["protocol"], peer, detail


def signatures(result, nsg):
    return sorted(signature(rule) for rule in result["nsgs"][nsg]["rules"])


def ingress_from_cidrs(result):
    return [(key, rule) for key, nsg in result["nsgs"].items() for rule in nsg["rules"]
            if rule["direction"] == "INGRESS" and rule["source_type"] == "CIDR_BLOCK"]


# --- layout ----------------------------------------------------------------------------------------


def test_default_layout_for_10_0_0_0_16():
    assert cidrs(plan(PROD)) == {"api_endpoint": "10.0.0.0/28", "load_balancers": "10.0.1.0/24",
                                 "workers": "10.0.16.0/20", "pods": "10.0.64.0/18"}
    assert cidrs(plan(DEV)) == {"api_endpoint": "10.0.0.0/28", "load_balancers": "10.0.1.0/24",
                                "workers": "10.0.16.0/20"}


@pytest.mark.parametrize("vcn, expected", [
    ("172.16.0.0/16", {"api_endpoint": "172.16.0.0/28", "load_balancers": "172.16.1.0/24",
                       "workers": "172.16.16.0/20", "pods": "172.16.64.0/18"}),
    ("10.20.128.0/17", {"api_endpoint": "10.20.128.0/28", "load_balancers": "10.20.129.0/24",
                        "workers": "10.20.144.0/20", "pods": "10.20.192.0/18"}),
])
def test_default_layout_is_relative_to_the_vcn(vcn, expected):
    assert cidrs(plan(dict(PROD, vcn_cidr=vcn, api_allowed_cidrs=[]))) == expected


def test_flannel_fits_a_19_and_vcn_native_needs_a_17():
    assert cidrs(plan(dict(DEV, vcn_cidr="10.0.0.0/19")))["workers"] == "10.0.16.0/20"
    found = problems(dict(PROD, vcn_cidr="10.0.0.0/18", api_allowed_cidrs=[]))
    assert found == ["oci_network_vcn_cidr: 10.0.0.0/18 is too small for the default pods subnet(s) (the default "
                     "layout needs a /17 or larger); use a larger VCN or give oci_network_subnets.pods explicitly"]


@pytest.mark.parametrize("change", [
    {"pod_networking": "vcn_native"},
    {"subnets": {"workers": "10.0.32.0/20"}},
    {"subnets": {"load_balancers": "10.0.2.0/24"}},
    {"subnets": {"api_endpoint": "10.0.0.16/28"}},
    {"pod_networking": "vcn_native", "subnets": {"pods": "10.0.128.0/18"}},
    {"lb_public": False},
    {"api_endpoint_public": False},
    {"node_count": 40},
], ids=["add-pods", "move-workers", "move-lb", "move-api", "own-pods", "internal-lb", "private-api", "more-nodes"])
def test_a_subnet_never_moves_when_another_changes(change):
    before = cidrs(plan(DEV))
    after = cidrs(plan(dict(DEV, **change)))
    moved = set(change.get("subnets", {}))
    for key, cidr in before.items():
        if key not in moved:
            assert after[key] == cidr, key
    for key in moved:
        assert after[key] == change["subnets"][key]


def test_subnets_are_inside_the_vcn_and_disjoint():
    for spec in SPECS.values():
        result = plan(spec)
        vcn = ipaddress.ip_network(result["vcn"]["cidr_block"])
        nets = [ipaddress.ip_network(cidr) for cidr in cidrs(result).values()]
        assert all(net.subnet_of(vcn) for net in nets)
        assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])


@pytest.mark.parametrize("name", sorted(SPECS))
def test_subnet_fields(name):
    result = plan(SPECS[name])
    labels = [subnet["dns_label"] for subnet in result["subnets"]]
    assert len(set(labels)) == len(labels)
    assert all(1 <= len(label) <= 15 and label.isalnum() and label[0].isalpha() for label in labels)
    names = [subnet["display_name"] for subnet in result["subnets"]]
    assert len(set(names)) == len(names) and all(n.startswith(SPECS[name]["name_prefix"] + "-") for n in names)
    for subnet in result["subnets"]:
        assert subnet["nsg"] == subnet["key"] and subnet["nsg"] in result["nsgs"]
        assert subnet["route_table"] in result["route_tables"]
        assert subnet["prohibit_public_ip_on_vnic"] == (subnet["route_table"] == "private")


# --- gateways and routing --------------------------------------------------------------------------


@pytest.mark.parametrize("api_public, lb_public, public_keys", [
    (True, True, {"api_endpoint", "load_balancers"}),
    (True, False, {"api_endpoint"}),
    (False, True, {"load_balancers"}),
    (False, False, set()),
])
def test_public_parts_get_the_internet_gateway(api_public, lb_public, public_keys):
    result = plan(dict(DEV, api_endpoint_public=api_public, lb_public=lb_public))
    assert {s["key"] for s in result["subnets"] if s["route_table"] == "public"} == public_keys
    assert {s["key"] for s in result["subnets"] if not s["prohibit_public_ip_on_vnic"]} == public_keys
    assert ("internet" in result["gateways"]) == bool(public_keys)
    assert ("public" in result["route_tables"]) == bool(public_keys)
    assert set(result["gateways"]) - {"internet"} == {"nat", "service"}
    if public_keys:
        assert result["route_tables"]["public"]["route_rules"] == [
            {"destination": "0.0.0.0/0", "destination_type": "CIDR_BLOCK", "network_entity_id": "gateway:internet",
             "description": "Internet through the internet gateway"}]


def test_private_route_table_uses_nat_and_the_service_gateway():
    rules = plan(PROD)["route_tables"]["private"]["route_rules"]
    assert [(r["destination"], r["destination_type"], r["network_entity_id"]) for r in rules] == [
        ("0.0.0.0/0", "CIDR_BLOCK", "gateway:nat"), ("oci-services", "SERVICE_CIDR_BLOCK", "gateway:service")]
    assert all(r["description"] for r in rules)


def test_workers_and_pods_are_private():
    subnets = {s["key"]: s for s in plan(PROD)["subnets"]}
    for key in ("workers", "pods"):
        assert subnets[key]["prohibit_public_ip_on_vnic"] is True and subnets[key]["route_table"] == "private"


def test_default_security_list_is_locked_down():
    lists = plan(DEV)["security_lists"]
    assert list(lists) == ["default"]
    assert lists["default"]["ingress_security_rules"] == [] and lists["default"]["egress_security_rules"] == []


def test_names_and_vcn():
    result = plan(DEV)
    assert result["vcn"] == {"display_name": "eventstack-dev-vcn", "cidr_block": "10.0.0.0/16",
                             "dns_label": "eventstackdev"}
    names = ([g["display_name"] for g in result["gateways"].values()]
             + [t["display_name"] for t in result["route_tables"].values()]
             + [n["display_name"] for n in result["nsgs"].values()])
    assert len(set(names)) == len(names) and all(n.startswith("eventstack-dev-") for n in names)


# --- NSG rules -------------------------------------------------------------------------------------

# The stateful rule set of oci.md section c for flannel (no bastion, operator or FSS rules).
FLANNEL_RULES = {
    "api_endpoint": [
        ("EGRESS", np.TCP, "oci-services", None),
        ("EGRESS", np.TCP, WORKERS, (10250, 10250)),
        ("EGRESS", np.TCP, WORKERS, (12250, 12250)),
        ("EGRESS", np.TCP, CP, (6443, 6443)),
        ("EGRESS", np.ICMP, WORKERS, MTU),
        ("INGRESS", np.TCP, WORKERS, (12250, 12250)),
        ("INGRESS", np.TCP, CP, (6443, 6443)),
        ("INGRESS", np.TCP, WORKERS, (6443, 6443)),
        ("INGRESS", np.ICMP, WORKERS, MTU),
    ],
    "workers": [
        ("EGRESS", np.TCP, "oci-services", None),
        ("EGRESS", np.ALL, WORKERS, None),
        ("EGRESS", np.TCP, CP, (6443, 6443)),
        ("EGRESS", np.TCP, CP, (12250, 12250)),
        ("EGRESS", np.TCP, CP, (10250, 10250)),
        ("EGRESS", np.ICMP, "0.0.0.0/0", MTU),
        ("EGRESS", np.ALL, "0.0.0.0/0", None),
        ("INGRESS", np.ALL, WORKERS, None),
        ("INGRESS", np.ALL, CP, None),
        ("INGRESS", np.TCP, LB, NODE_PORTS),
        ("INGRESS", np.UDP, LB, NODE_PORTS),
        ("INGRESS", np.TCP, LB, (10256, 10256)),
        ("INGRESS", np.ICMP, "0.0.0.0/0", MTU),
    ],
    "load_balancers": [
        ("EGRESS", np.TCP, WORKERS, NODE_PORTS),
        ("EGRESS", np.UDP, WORKERS, NODE_PORTS),
        ("EGRESS", np.TCP, WORKERS, (10256, 10256)),
        ("EGRESS", np.ICMP, WORKERS, MTU),
    ],
}
# What VCN-native pod networking adds.
VCN_NATIVE_RULES = {
    "api_endpoint": [
        ("EGRESS", np.ALL, PODS, None),
        ("INGRESS", np.TCP, PODS, (6443, 6443)),
        ("INGRESS", np.TCP, PODS, (12250, 12250)),
    ],
    "workers": [("EGRESS", np.ALL, PODS, None), ("INGRESS", np.ALL, PODS, None)],
    "load_balancers": [("EGRESS", np.ALL, PODS, None)],
    "pods": [
        ("EGRESS", np.TCP, "oci-services", None),
        ("EGRESS", np.ALL, PODS, None),
        ("EGRESS", np.TCP, CP, (6443, 6443)),
        ("EGRESS", np.ALL, WORKERS, None),
        ("EGRESS", np.ALL, LB, None),
        ("EGRESS", np.ICMP, "0.0.0.0/0", MTU),
        ("EGRESS", np.ALL, "0.0.0.0/0", None),
        ("INGRESS", np.ALL, PODS, None),
        ("INGRESS", np.ALL, CP, None),
        ("INGRESS", np.ALL, WORKERS, None),
        ("INGRESS", np.ALL, LB, None),
        ("INGRESS", np.ICMP, "0.0.0.0/0", MTU),
    ],
}


def expected_rules(spec):
    native = spec["pod_networking"] == "vcn_native"
    expected = {key: list(rules) for key, rules in FLANNEL_RULES.items()}
    if native:
        for key, rules in VCN_NATIVE_RULES.items():
            expected.setdefault(key, []).extend(rules)
    expected["api_endpoint"] += [("INGRESS", np.TCP, cidr, (6443, 6443)) for cidr in spec["api_allowed_cidrs"]]
    lb_cidrs = spec.get("lb_allowed_cidrs") or (["0.0.0.0/0"] if spec["lb_public"] else [spec["vcn_cidr"]])
    expected["load_balancers"] += [("INGRESS", np.TCP, cidr, (port, port))
                                   for cidr in lb_cidrs for port in spec["lb_listener_ports"]]
    return {key: sorted(rules, key=repr) for key, rules in expected.items()}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_nsgs_hold_exactly_the_oke_rule_set_plus_what_was_asked(name):
    result = plan(SPECS[name])
    got = {key: sorted((signature(rule) for rule in nsg["rules"]), key=repr) for key, nsg in result["nsgs"].items()}
    assert got == expected_rules(SPECS[name])


@pytest.mark.parametrize("nsg, direction, protocol, port, peer", [
    ("api_endpoint", "INGRESS", np.TCP, 6443, WORKERS),
    ("api_endpoint", "INGRESS", np.TCP, 12250, WORKERS),
    ("api_endpoint", "INGRESS", np.TCP, 6443, CP),
    ("api_endpoint", "EGRESS", np.TCP, 10250, WORKERS),
    ("api_endpoint", "EGRESS", np.TCP, 12250, WORKERS),
    ("api_endpoint", "EGRESS", np.TCP, 443, "oci-services"),
    ("workers", "EGRESS", np.TCP, 6443, CP),
    ("workers", "EGRESS", np.TCP, 12250, CP),
    ("workers", "EGRESS", np.TCP, 10250, CP),
    ("workers", "INGRESS", np.TCP, 10250, CP),
    ("workers", "INGRESS", np.TCP, 10256, LB),
    ("workers", "INGRESS", np.TCP, 30000, LB),
    ("workers", "INGRESS", np.TCP, 32767, LB),
    ("workers", "INGRESS", np.UDP, 30000, LB),
    ("workers", "INGRESS", np.UDP, 32767, LB),
    ("workers", "EGRESS", np.TCP, 443, "oci-services"),
    ("workers", "EGRESS", np.TCP, 443, "0.0.0.0/0"),
    ("workers", "EGRESS", np.UDP, 53, WORKERS),
    ("load_balancers", "EGRESS", np.TCP, 31000, WORKERS),
    ("load_balancers", "EGRESS", np.UDP, 31000, WORKERS),
    ("load_balancers", "EGRESS", np.TCP, 10256, WORKERS),
])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_oke_required_rule_is_present(name, nsg, direction, protocol, port, peer):
    assert np.rules_allowing(plan(SPECS[name]), nsg, direction, port, protocol, peer), (nsg, direction, port, peer)


@pytest.mark.parametrize("nsg, direction, peer", [
    ("api_endpoint", "EGRESS", WORKERS), ("api_endpoint", "INGRESS", WORKERS),
    ("workers", "EGRESS", "0.0.0.0/0"), ("workers", "INGRESS", "0.0.0.0/0"),
    ("load_balancers", "EGRESS", WORKERS),
])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_path_mtu_icmp(name, nsg, direction, peer):
    found = np.rules_allowing(plan(SPECS[name]), nsg, direction, protocol=np.ICMP, peer=peer)
    assert {"type": 3, "code": 4} in [rule.get("icmp_options") for rule in found]


@pytest.mark.parametrize("nsg, direction, port, protocol, peer", [
    ("workers", "INGRESS", 22, np.TCP, None),  # no SSH from anywhere
    ("workers", "INGRESS", 30080, np.TCP, "0.0.0.0/0"),  # NodePorts only from the LB NSG
    ("api_endpoint", "INGRESS", 6443, np.TCP, "0.0.0.0/0"),  # not asked for
    ("api_endpoint", "INGRESS", 10250, np.TCP, WORKERS),
    ("load_balancers", "INGRESS", 8080, np.TCP, None),
    ("load_balancers", "INGRESS", 443, np.UDP, None),
    ("load_balancers", "EGRESS", 443, np.TCP, "0.0.0.0/0"),
])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_what_is_not_open(name, nsg, direction, port, protocol, peer):
    found = np.rules_allowing(plan(SPECS[name]), nsg, direction, port, protocol, peer)
    if nsg == "workers" and peer is None and port == 22:
        # Workers accept everything from the control plane, the other workers (and pods): never from a CIDR.
        found = [rule for rule in found if rule["source_type"] == "CIDR_BLOCK"]
    assert found == []


@pytest.mark.parametrize("name", sorted(SPECS))
def test_nothing_from_a_cidr_beyond_what_was_asked(name):
    spec = SPECS[name]
    lb_cidrs = spec.get("lb_allowed_cidrs") or (["0.0.0.0/0"] if spec["lb_public"] else [spec["vcn_cidr"]])
    for key, rule in ingress_from_cidrs(plan(spec)):
        if rule["protocol"] == np.ICMP:
            # The one exception: path MTU discovery messages (ICMP 3/4), which open no port.
            assert key in ("workers", "pods") and rule["icmp_options"] == {"type": 3, "code": 4}
            continue
        assert rule["protocol"] == np.TCP, rule
        span = rule["tcp_options"]["destination_port_range"]
        assert span["min"] == span["max"], rule
        if key == "load_balancers":
            assert rule["source"] in lb_cidrs and span["min"] in spec["lb_listener_ports"]
        else:
            assert key == "api_endpoint" and rule["source"] in spec["api_allowed_cidrs"] and span["min"] == 6443


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_internet_reaches_only_the_listed_listener_ports(name):
    spec = SPECS[name]
    world = sorted((key, rule["tcp_options"]["destination_port_range"]["min"])
                   for key, rule in ingress_from_cidrs(plan(spec))
                   if rule["source"] == "0.0.0.0/0" and rule["protocol"] != np.ICMP)
    expected = sorted(("load_balancers", port) for port in spec["lb_listener_ports"]) if spec["lb_public"] else []
    assert world == expected


def test_api_open_to_everyone_only_when_asked():
    result = plan(dict(DEV, api_allowed_cidrs=["0.0.0.0/0"]))
    assert np.rules_allowing(result, "api_endpoint", "INGRESS", 6443, peer="0.0.0.0/0")
    assert not np.rules_allowing(plan(DEV), "api_endpoint", "INGRESS", 6443, peer="0.0.0.0/0")


def test_a_private_endpoint_can_have_no_allow_list():
    result = plan(dict(PROD, api_allowed_cidrs=[]))
    assert [rule for key, rule in ingress_from_cidrs(result) if key == "api_endpoint"] == []


@pytest.mark.parametrize("change, expected", [
    ({"lb_listener_ports": [443], "lb_allowed_cidrs": ["198.51.100.0/24"]}, [("198.51.100.0/24", 443)]),
    ({"lb_listener_ports": [80, 443, 8443], "lb_allowed_cidrs": ["198.51.100.0/24", "192.0.2.0/25"]},
     [(cidr, port) for cidr in ("198.51.100.0/24", "192.0.2.0/25") for port in (80, 443, 8443)]),
    ({"lb_listener_ports": []}, []),
    ({"lb_allowed_cidrs": []}, []),
    ({}, [("0.0.0.0/0", 80), ("0.0.0.0/0", 443)]),
    ({"lb_public": False}, [("10.0.0.0/16", 80), ("10.0.0.0/16", 443)]),
    ({"lb_public": False, "vcn_cidr": "172.16.0.0/16", "api_allowed_cidrs": ["172.16.0.0/16"]},
     [("172.16.0.0/16", 80), ("172.16.0.0/16", 443)]),
    ({"lb_allowed_cidrs": None}, [("0.0.0.0/0", 80), ("0.0.0.0/0", 443)]),
])
def test_listener_ports_follow_the_inventory(change, expected):
    rules = plan(dict(DEV, **change))["nsgs"]["load_balancers"]["rules"]
    listeners = [r for r in rules if r["direction"] == "INGRESS"]
    assert [(r["source"], r["tcp_options"]["destination_port_range"]["min"]) for r in listeners] == expected
    assert all(r["protocol"] == np.TCP and r["source_type"] == "CIDR_BLOCK" and r["description"] for r in listeners)


def test_allowed_cidrs_are_written_in_cidr_form():
    result = plan(dict(DEV, api_allowed_cidrs=["203.0.113.7"], lb_allowed_cidrs=[" 198.51.100.0/24"]))
    assert np.rules_allowing(result, "api_endpoint", "INGRESS", 6443, peer="203.0.113.7/32")
    assert np.rules_allowing(result, "load_balancers", "INGRESS", 80, peer="198.51.100.0/24")


def test_pod_rules_only_with_vcn_native():
    dev, prod = plan(DEV), plan(PROD)
    assert set(dev["nsgs"]) == {"api_endpoint", "workers", "load_balancers"}
    assert list(prod["nsgs"]) == ["api_endpoint", "workers", "load_balancers", "pods"]
    assert not [r for nsg in dev["nsgs"].values() for r in nsg["rules"] if PODS in r.values()]
    assert "pods" not in cidrs(dev)
    for nsg, direction, port in [("api_endpoint", "INGRESS", 6443), ("api_endpoint", "INGRESS", 12250),
                                 ("api_endpoint", "EGRESS", 8080), ("workers", "EGRESS", 8080),
                                 ("workers", "INGRESS", 8080), ("load_balancers", "EGRESS", 8080)]:
        assert np.rules_allowing(prod, nsg, direction, port, peer=PODS), (nsg, direction, port)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_rules_are_well_formed(name):
    keys = {"direction", "protocol", "source", "source_type", "destination", "destination_type", "is_stateless",
            "description", "tcp_options", "udp_options", "icmp_options"}
    result = plan(SPECS[name])
    for key, nsg in result["nsgs"].items():
        seen = set()
        for rule in nsg["rules"]:
            assert set(rule) <= keys, rule
            assert rule["direction"] in ("INGRESS", "EGRESS") and rule["protocol"] in (np.TCP, np.UDP, np.ICMP, np.ALL)
            assert rule["is_stateless"] is False and rule["description"]
            side = "source" if rule["direction"] == "INGRESS" else "destination"
            other = "destination" if side == "source" else "source"
            assert other not in rule and other + "_type" not in rule
            peer, peer_type = rule[side], rule[side + "_type"]
            if peer_type == "NETWORK_SECURITY_GROUP":
                assert peer.startswith("nsg:") and peer[4:] in result["nsgs"]
            elif peer_type == "SERVICE_CIDR_BLOCK":
                assert peer == "oci-services"
            else:
                assert peer_type == "CIDR_BLOCK" and str(ipaddress.ip_network(peer)) == peer
            if "tcp_options" in rule:
                assert rule["protocol"] == np.TCP
            if "udp_options" in rule:
                assert rule["protocol"] == np.UDP
            if "icmp_options" in rule:
                assert rule["protocol"] == np.ICMP
            assert signature(rule) not in seen, "duplicate rule in %s: %s" % (key, rule)
            seen.add(signature(rule))


def test_arguments_pass_oracle_oci_validation():
    from tests.support import oci_argspecs  # pylint: disable=import-outside-toplevel

    oci_argspecs.require()
    for spec in SPECS.values():
        result = plan(spec)
        errors = oci_argspecs.validate_task("oracle.oci.oci_network_vcn", {
            "compartment_id": "ocid1.compartment.oc1..x", "display_name": result["vcn"]["display_name"],
            "cidr_blocks": [result["vcn"]["cidr_block"]], "dns_label": result["vcn"]["dns_label"]})
        for nsg in result["nsgs"].values():
            errors += oci_argspecs.validate_task("oracle.oci.oci_network_security_group_security_rule_actions", {
                "network_security_group_id": "ocid1.networksecuritygroup.oc1..x", "action": "add",
                "security_rules": nsg["rules"]})
        for table in result["route_tables"].values():
            errors += oci_argspecs.validate_task("oracle.oci.oci_network_route_table", {
                "compartment_id": "ocid1.compartment.oc1..x", "vcn_id": "ocid1.vcn.oc1..x",
                "display_name": table["display_name"], "route_rules": table["route_rules"]})
        for subnet in result["subnets"]:
            errors += oci_argspecs.validate_task("oracle.oci.oci_network_subnet", {
                "compartment_id": "ocid1.compartment.oc1..x", "vcn_id": "ocid1.vcn.oc1..x",
                "display_name": subnet["display_name"], "cidr_block": subnet["cidr_block"],
                "dns_label": subnet["dns_label"], "prohibit_public_ip_on_vnic": subnet["prohibit_public_ip_on_vnic"]})
        lists = result["security_lists"]["default"]
        errors += oci_argspecs.validate_task("oracle.oci.oci_network_security_list", {
            "security_list_id": "ocid1.securitylist.oc1..x", "ingress_security_rules": lists["ingress_security_rules"],
            "egress_security_rules": lists["egress_security_rules"]})
        assert errors == []


# --- rules_allowing ---------------------------------------------------------------------------------


def test_rules_allowing():
    result = plan(PROD)
    everything = np.rules_allowing(result, "workers", "INGRESS", 9999, np.UDP, WORKERS)
    assert [r["protocol"] for r in everything] == [np.ALL]
    assert np.rules_allowing(result, "load_balancers", "EGRESS", 29999, peer=WORKERS) == []
    assert len(np.rules_allowing(result, "load_balancers", "EGRESS", 30000, np.UDP, WORKERS)) == 1
    assert np.rules_allowing(result, "nonexistent", "INGRESS", 80) == []
    assert np.rules_allowing(plan(DEV), "pods", "INGRESS") == []
    osn = np.rules_allowing(result, "api_endpoint", "EGRESS", 1, peer="oci-services")
    assert [r["destination_type"] for r in osn] == ["SERVICE_CIDR_BLOCK"]


def test_oke_ports():
    assert np.OKE_PORTS == {"apiserver": 6443, "oke_control": 12250, "kubelet": 10250, "kube_proxy_health": 10256,
                            "node_ports": (30000, 32767)}


# --- sizes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers, nodes, ok", [
    ("10.0.16.0/29", 2, True),   # 8 - 3 = 5 usable >= 2 x 2
    ("10.0.16.0/29", 3, False),  # 5 < 6
    ("10.0.16.0/28", 6, True),   # 13 >= 12
    ("10.0.16.0/28", 7, False),
    ("10.0.16.0/30", 1, False),  # 1 < 2: a single node still needs room for its replacement
])
def test_workers_subnet_holds_nodes_and_a_surge(workers, nodes, ok):
    spec = dict(DEV, node_count=nodes, subnets={"workers": workers})
    if ok:
        assert cidrs(plan(spec))["workers"] == workers
    else:
        found = problems(spec)
        assert len(found) == 1 and found[0].startswith("oci_network_subnets.workers: %s has " % workers)
        assert "oci_network_node_count" in found[0]


@pytest.mark.parametrize("pods, nodes, per_node, ok", [
    ("10.0.64.0/26", 3, 20, True),   # 64 - 3 = 61 >= 60
    ("10.0.64.0/26", 3, 21, False),  # 61 < 63
    ("10.0.64.0/25", 3, 31, True),   # 125 >= 93
    ("10.0.64.0/26", 2, 31, False),  # 61 < 62
])
def test_pods_subnet_holds_every_pod(pods, nodes, per_node, ok):
    spec = dict(PROD, node_count=nodes, max_pods_per_node=per_node, subnets={"pods": pods})
    if ok:
        assert cidrs(plan(spec))["pods"] == pods
    else:
        assert problems(spec) == [
            "oci_network_subnets.pods: %s has 61 usable addresses, %d needed (%d nodes x %d pods); use a larger "
            "block or lower oci_network_max_pods_per_node" % (pods, nodes * per_node, nodes, per_node)]


def test_pods_subnet_is_not_sized_for_flannel():
    assert "pods" not in cidrs(plan(dict(DEV, node_count=600, max_pods_per_node=110)))


# --- rejections ------------------------------------------------------------------------------------


@pytest.mark.parametrize("change, variable, fragment", [
    ({"vcn_cidr": "10.0.0.0/33"}, "oci_network_vcn_cidr", "is not a CIDR block"),
    ({"vcn_cidr": "ten"}, "oci_network_vcn_cidr", "is not a CIDR block"),
    ({"vcn_cidr": 10}, "oci_network_vcn_cidr", "is not a CIDR block"),
    ({"vcn_cidr": "10.0.0.1/16"}, "oci_network_vcn_cidr", "did you mean 10.0.0.0/16"),
    ({"vcn_cidr": "fd00::/48"}, "oci_network_vcn_cidr", "IPv4 only"),
    ({"vcn_cidr": "10.0.0.0/8"}, "oci_network_vcn_cidr", "OCI VCNs are /16 to /30"),
    ({"vcn_cidr": "10.0.0.0/15"}, "oci_network_vcn_cidr", "OCI VCNs are /16 to /30"),
    ({"vcn_cidr": "10.0.0.0/31"}, "oci_network_vcn_cidr", "OCI VCNs are /16 to /30"),
    ({"vcn_cidr": "10.0.0.0/24"}, "oci_network_vcn_cidr", "needs a /19 or larger"),
    ({"vcn_cidr": "10.0.0.0/24"}, "oci_network_vcn_cidr", "give oci_network_subnets.load_balancers and "
                                                          "oci_network_subnets.workers explicitly"),
    ({"subnets": {"workers": "10.1.0.0/20"}}, "oci_network_subnets.workers", "10.1.0.0/20 is outside the VCN"),
    ({"subnets": {"workers": "10.0.16.1/20"}}, "oci_network_subnets.workers", "did you mean 10.0.16.0/20"),
    ({"subnets": {"workers": "10.0.16.0/31"}}, "oci_network_subnets.workers", "OCI subnets are /16 to /30"),
    ({"subnets": {"workers": "10.0.1.0/24"}}, "oci_network_subnets",
     "load_balancers (10.0.1.0/24) and workers (10.0.1.0/24) overlap"),
    ({"subnets": {"workers": "10.0.0.0/20"}}, "oci_network_subnets",
     "api_endpoint (10.0.0.0/28) and workers (10.0.0.0/20) overlap"),
    ({"subnets": {"workers": "10.0.16.0/29"}, "node_count": 3}, "oci_network_subnets.workers",
     "5 usable addresses, 6 needed"),
    ({"subnets": {"pods": "10.0.64.0/24"}}, "oci_network_subnets.pods", "only used with oci_network_pod_networking"),
    ({"subnets": {"dmz": "10.0.2.0/24"}}, "oci_network_subnets", "unknown subnet key(s) dmz"),
    ({"subnets": ["10.0.2.0/24"]}, "oci_network_subnets", "must be a mapping"),
    ({"lb_listener_ports": [443, 0]}, "oci_network_lb_listener_ports[1]", "0 is not a TCP port"),
    ({"lb_listener_ports": [443, 70000]}, "oci_network_lb_listener_ports[1]", "70000 is not a TCP port"),
    ({"lb_listener_ports": [443, "https"]}, "oci_network_lb_listener_ports[1]", "is not a TCP port"),
    ({"lb_listener_ports": [443, True]}, "oci_network_lb_listener_ports[1]", "is not a TCP port"),
    ({"lb_listener_ports": [80, 443, 443]}, "oci_network_lb_listener_ports[2]", "port 443 is listed twice"),
    ({"lb_listener_ports": 443}, "oci_network_lb_listener_ports", "must be a list"),
    ({"lb_listener_ports": list(range(2000, 2120))}, "oci_network_lb_listener_ports", "OCI allows 120 per NSG"),
    ({"lb_allowed_cidrs": ["anywhere"]}, "oci_network_lb_allowed_cidrs[0]", "is not a CIDR block"),
    ({"lb_allowed_cidrs": "0.0.0.0/0"}, "oci_network_lb_allowed_cidrs", "must be a list"),
    ({"api_allowed_cidrs": []}, "oci_network_api_allowed_cidrs", "empty, but oci_network_api_endpoint_public is true"),
    ({"api_allowed_cidrs": ["everyone"]}, "oci_network_api_allowed_cidrs[0]", "is not a CIDR block"),
    ({"api_allowed_cidrs": ["203.0.113.0/24", "203.0.113.0/24"]}, "oci_network_api_allowed_cidrs[1]",
     "listed twice"),
    ({"api_allowed_cidrs": ["2001:db8::/32"]}, "oci_network_api_allowed_cidrs[0]", "IPv4 only"),
    ({"api_allowed_cidrs": ["%d.0.0.0/8" % n for n in range(1, 120)]}, "oci_network_api_allowed_cidrs",
     "OCI allows 120 per NSG"),
    ({"api_endpoint_public": "yes"}, "oci_network_api_endpoint_public", "must be true or false"),
    ({"lb_public": 1}, "oci_network_lb_public", "must be true or false"),
    ({"dns_label": "event-stack"}, "oci_network_dns_label", "1-15 letters and digits"),
    ({"dns_label": "averyveryverylonglabel"}, "oci_network_dns_label", "1-15 letters and digits"),
    ({"dns_label": "1stack"}, "oci_network_dns_label", "starting with a letter"),
    ({"dns_label": ""}, "oci_network_dns_label", "not a valid OCI DNS label"),
    ({"dns_label": "évent"}, "oci_network_dns_label", "not a valid OCI DNS label"),
    ({"dns_label": None}, "oci_network_dns_label", "not a valid OCI DNS label"),
    ({"name_prefix": ""}, "oci_network_name_prefix", "must be a non-empty name"),
    ({"node_count": 0}, "oci_network_node_count", "at least 1"),
    ({"node_count": -2}, "oci_network_node_count", "at least 1"),
    ({"node_count": "three"}, "oci_network_node_count", "whole number"),
    ({"node_count": 1.5}, "oci_network_node_count", "whole number"),
    ({"node_count": True}, "oci_network_node_count", "whole number"),
    ({"max_pods_per_node": 0}, "oci_network_max_pods_per_node", "from 1 to 110"),
    ({"max_pods_per_node": 111}, "oci_network_max_pods_per_node", "from 1 to 110"),
    ({"pod_networking": "calico"}, "oci_network_pod_networking", "is not one of flannel, vcn_native"),
    ({"vnc_cidr": "10.0.0.0/16"}, "oci_network_vnc_cidr", "unknown setting; the settings are"),
])
def test_rejections_name_the_variable(change, variable, fragment):
    found = problems(dict(DEV, **change))
    assert any(problem.startswith(variable) and fragment in problem for problem in found), found


@pytest.mark.parametrize("missing", ["name_prefix", "dns_label"])
def test_required_settings(missing):
    found = problems({k: v for k, v in DEV.items() if k != missing})
    assert [p for p in found if p.startswith("oci_network_" + missing + ":")], found


def test_every_problem_is_reported_at_once():
    found = problems(dict(DEV, dns_label="Bad-label", lb_listener_ports=[99999, 80, 80], api_allowed_cidrs=[],
                          node_count=0, max_pods_per_node=500, subnets={"workers": "10.9.0.0/20", "pods": "x"}))
    starts = ["oci_network_dns_label:", "oci_network_node_count:", "oci_network_max_pods_per_node:",
              "oci_network_lb_listener_ports[0]:", "oci_network_lb_listener_ports[2]:",
              "oci_network_api_allowed_cidrs:", "oci_network_subnets.pods:", "oci_network_subnets.workers:"]
    for start in starts:
        assert [p for p in found if p.startswith(start)], (start, found)
    assert len(found) == len(starts)


def test_messages_say_how_to_fix():
    found = problems(dict(DEV, vcn_cidr="10.0.0.0/8", dns_label="x-y", node_count=0, lb_listener_ports=[0],
                          api_allowed_cidrs=[]))
    assert len(found) == 5
    for problem in found:
        assert problem.startswith("oci_network_")
        assert any(word in problem for word in ("use", "list", "give", "pick", "remove", "write", "make", "set")), problem


def test_not_a_mapping():
    with pytest.raises(np.PlanError, match="must be a mapping"):
        np.plan_network(["10.0.0.0/16"])


# --- output ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SPECS))
def test_deterministic_and_json_serialisable(name):
    spec = SPECS[name]
    first = json.dumps(plan(spec))
    reordered = dict(reversed(list(copy.deepcopy(spec).items())))
    assert json.dumps(np.plan_network(reordered)) == first
    assert json.loads(first) == plan(spec)
    assert list(json.loads(first)) == ["vcn", "gateways", "route_tables", "subnets", "nsgs", "security_lists",
                                       "summary"]


def test_input_is_not_changed():
    spec = copy.deepcopy(PROD)
    np.plan_network(spec)
    assert spec == PROD


def test_defaults():
    result = np.plan_network({"name_prefix": "demo", "dns_label": "demo"})
    assert result["vcn"]["cidr_block"] == "10.0.0.0/16"
    assert cidrs(result) == {"api_endpoint": "10.0.0.0/28", "load_balancers": "10.0.1.0/24",
                             "workers": "10.0.16.0/20"}
    # Private API endpoint, public load balancer listening on 80 and 443 for everyone.
    assert {s["key"]: s["route_table"] for s in result["subnets"]}["api_endpoint"] == "private"
    assert not [r for key, r in ingress_from_cidrs(result) if key == "api_endpoint"]
    assert np.rules_allowing(result, "load_balancers", "INGRESS", 443, peer="0.0.0.0/0")


def test_integers_given_as_strings_are_accepted():
    assert plan(dict(DEV, node_count="3", lb_listener_ports=["80", 443])) == plan(dict(DEV, node_count=3))


@pytest.mark.parametrize("name, counts", [
    ("dev", {"api_endpoint": 10, "workers": 13, "load_balancers": 6}),
    ("prod", {"api_endpoint": 14, "workers": 15, "load_balancers": 7, "pods": 12}),
    ("internal", {"api_endpoint": 13, "workers": 15, "load_balancers": 7, "pods": 12}),
])
def test_summary(name, counts):
    result = plan(SPECS[name])
    assert result["summary"]["nsg_rules"] == counts
    assert result["summary"]["subnets"] == len(result["subnets"])
    assert result["summary"]["public_subnets"] == sum(not s["prohibit_public_ip_on_vnic"] for s in result["subnets"])
    assert result["summary"]["route_rules"] == {k: len(t["route_rules"]) for k, t in result["route_tables"].items()}
