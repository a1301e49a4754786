from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.filter.oci_nsg import FilterModule

FILTERS = FilterModule().filters()
CHANGES = FILTERS["oci_nsg_changes"]
PORT_6443 = {"destination_port_range": {"min": 6443, "max": 6443}}
API = {"direction": "INGRESS", "protocol": "6", "source": "203.0.113.0/24", "source_type": "CIDR_BLOCK",
       "is_stateless": False, "description": "Kubernetes API", "tcp_options": PORT_6443}
MTU = {"direction": "INGRESS", "protocol": "1", "source": "nsg:workers", "source_type": "NETWORK_SECURITY_GROUP",
       "is_stateless": False, "icmp_options": {"type": 3, "code": 4}}
OSN = {"direction": "EGRESS", "protocol": "6", "destination": "oci-services",
       "destination_type": "SERVICE_CIDR_BLOCK", "is_stateless": False}
REFS = {"nsg:workers": "ocid1.networksecuritygroup.oc1..w", "oci-services": "all-fra-services-in-oracle-services-network"}


def in_place(rule, rule_id, **changes):
    """A rule as OCI returns it: references resolved, every option present, None when unset, another description."""
    found = {"id": rule_id, "direction": None, "protocol": None, "source": None, "source_type": None,
             "destination": None, "destination_type": None, "is_stateless": None, "tcp_options": None,
             "udp_options": None, "icmp_options": None, "description": "set by hand", "is_valid": True}
    found.update({k: REFS.get(v, v) if isinstance(v, str) else v for k, v in rule.items() if k != "description"})
    if found.get("tcp_options"):
        found["tcp_options"] = dict({"source_port_range": None}, **found["tcp_options"])
    found.update(changes)
    return found


def test_an_nsg_holding_the_plans_rules_needs_no_call_whatever_the_descriptions():
    found = {"api": {"rules": [in_place(API, "a"), in_place(MTU, "b"), in_place(OSN, "c", is_stateless=None)]}}
    assert CHANGES(found, {"api": {"rules": [API, MTU, OSN]}}, REFS) == {"remove": [], "add": []}


def test_a_closed_port_and_a_removed_range_are_removed_and_the_new_rule_added():
    found = {"api": {"rules": [
        in_place(API, "old-range", source="198.51.100.0/24"),
        in_place(API, "old-port", tcp_options={"destination_port_range": {"min": 8443, "max": 8443},
                                               "source_port_range": None}),
        in_place(MTU, "other-icmp", icmp_options={"type": 3, "code": None}),
        in_place(MTU, "b")]}}
    changes = CHANGES(found, {"api": {"rules": [API, MTU]}}, REFS)
    assert changes["remove"] == [{"key": "api", "ids": ["old-range", "old-port", "other-icmp"]}]
    assert changes["add"] == [{"key": "api", "rules": [API]}]


def test_a_new_nsg_gets_every_rule_in_batches_of_25_with_references_resolved():
    wanted = {"workers": {"rules": [dict(API, source="10.0.%d.0/24" % i) for i in range(27)] + [MTU]}}
    changes = CHANGES({}, wanted, REFS)
    assert changes["remove"] == []
    assert [(c["key"], len(c["rules"])) for c in changes["add"]] == [("workers", 25), ("workers", 3)]
    assert changes["add"][1]["rules"][-1]["source"] == "ocid1.networksecuritygroup.oc1..w"


def test_stale_rules_come_in_batches_of_25():
    found = {"lb": {"rules": [in_place(OSN, "x%d" % i, destination="10.1.%d.0/24" % i) for i in range(27)]}}
    changes = CHANGES(found, {"lb": {"rules": []}}, REFS)
    assert [len(c["ids"]) for c in changes["remove"]] == [25, 2]


def test_an_unknown_reference_fails_unless_not_strict():
    with pytest.raises(AnsibleFilterError, match="no id known for nsg:pods"):
        CHANGES({}, {"w": {"rules": [dict(MTU, source="nsg:pods")]}}, REFS)
    changes = CHANGES({}, {"w": {"rules": [dict(MTU, source="nsg:pods")]}}, REFS, False)
    assert changes["add"][0]["rules"][0]["source"] == "(nsg:pods, created by this run)"
