from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.filter.oci_nsg import FilterModule

FILTERS = FilterModule().filters()
PORT_6443 = {"destination_port_range": {"min": 6443, "max": 6443}}
API = {"direction": "INGRESS", "protocol": "6", "source": "203.0.113.0/24", "source_type": "CIDR_BLOCK",
       "is_stateless": False, "description": "Kubernetes API", "tcp_options": PORT_6443}
MTU = {"direction": "INGRESS", "protocol": "1", "source": "ocid1.nsg.w", "source_type": "NETWORK_SECURITY_GROUP",
       "is_stateless": False, "icmp_options": {"type": 3, "code": 4}}
OSN = {"direction": "EGRESS", "protocol": "6", "destination": "all-fra-services-in-oracle-services-network",
       "destination_type": "SERVICE_CIDR_BLOCK", "is_stateless": False}


def in_place(rule, rule_id, **changes):
    """A rule as OCI returns it: every option present, None when unset, a different description."""
    found = {"id": rule_id, "direction": None, "protocol": None, "source": None, "source_type": None,
             "destination": None, "destination_type": None, "is_stateless": None, "tcp_options": None,
             "udp_options": None, "icmp_options": None, "description": "set by hand", "is_valid": True}
    found.update({k: v for k, v in rule.items() if k != "description"})
    if found.get("tcp_options"):
        found["tcp_options"] = dict({"source_port_range": None}, **found["tcp_options"])
    found.update(changes)
    return found


def test_rules_matching_the_plan_are_kept_whatever_their_description():
    existing = [in_place(API, "a"), in_place(MTU, "b"), in_place(OSN, "c", is_stateless=None)]
    assert FILTERS["oci_nsg_stale_rules"](existing, [API, MTU, OSN]) == []


def test_a_closed_port_and_a_removed_range_are_stale():
    existing = [in_place(API, "a"),
                in_place(API, "old-range", source="198.51.100.0/24"),
                in_place(API, "old-port", tcp_options={"destination_port_range": {"min": 8443, "max": 8443},
                                                       "source_port_range": None}),
                in_place(MTU, "other-icmp", icmp_options={"type": 3, "code": None}),
                in_place(API, "stateless", is_stateless=True)]
    expected = ["old-range", "old-port", "other-icmp", "stateless"]
    assert FILTERS["oci_nsg_stale_rules"](existing, [API, MTU]) == expected


def test_batches_of_25():
    rules = list(range(60))
    batches = FILTERS["oci_nsg_batches"](rules)
    assert [len(b) for b in batches] == [25, 25, 10]
    assert sum(batches, []) == rules
    assert FILTERS["oci_nsg_batches"]([]) == [[]]
    assert [len(b) for b in FILTERS["oci_nsg_batches"](rules, 30)] == [30, 30]


def test_batches_per_nsg_skip_empty_ones():
    nsgs = {"api": {"rules": list(range(30))}, "empty": {"rules": []}, "lb": {"rules": [1]}}
    assert [(b["key"], len(b["rules"])) for b in FILTERS["oci_nsg_batches"](nsgs)] == [("api", 25), ("api", 5),
                                                                                       ("lb", 1)]


def test_registered_results_give_removals_per_nsg_with_refs_resolved():
    wanted = dict(MTU, source="nsg:workers")
    results = [{"item": {"key": "api", "value": {"rules": [API, wanted]}},
                "network_security_group_security_rules": [in_place(API, "a"), in_place(MTU, "b"),
                                                          in_place(API, "gone", source="0.0.0.0/0")]},
               {"item": {"key": "lb", "value": {"rules": []}},
                "network_security_group_security_rules": [in_place(OSN, "x%d" % i) for i in range(27)]}]
    removals = FILTERS["oci_nsg_stale_rules"](results, None, {"nsg:workers": "ocid1.nsg.w"})
    assert [(r["key"], len(r["ids"])) for r in removals] == [("api", 1), ("lb", 25), ("lb", 2)]
    assert removals[0]["ids"] == ["gone"]
