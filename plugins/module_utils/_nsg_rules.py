# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: NSG rules as OCI returns them compared with the rules the network plan wants.

oracle.oci's "add" action only adds what is missing, so a rule the inventory no longer asks for (a closed
listener port, a removed API allow-list range) would stay open. stale_rule_ids() names the rules in place
that match no wanted rule, for the "remove" action; missing_rules() the wanted rules not in place, for "add"
(so a run with nothing to change calls neither). Rules are compared on what decides traffic: direction,
protocol, the other end and its type, statelessness and the TCP/UDP port ranges or ICMP type/code. The
description is ignored. OCI's answers use None for absent options; the plan omits them.
"""

from __future__ import annotations

MAX_RULES_PER_CALL = 25  # AddNetworkSecurityGroupSecurityRules / Remove... accept at most 25 per request


def _range(options, name):
    value = (options or {}).get(name) or {}
    return (value.get("min"), value.get("max")) if value else None


def rule_key(rule):
    direction = rule.get("direction")
    peer, peer_type = (("source", "source_type") if direction == "INGRESS" else ("destination", "destination_type"))
    tcp, udp, icmp = rule.get("tcp_options"), rule.get("udp_options"), rule.get("icmp_options")
    return (
        direction, str(rule.get("protocol")), rule.get(peer), rule.get(peer_type) or "CIDR_BLOCK",
        bool(rule.get("is_stateless")),
        (_range(tcp, "destination_port_range"), _range(tcp, "source_port_range")) if tcp else None,
        (_range(udp, "destination_port_range"), _range(udp, "source_port_range")) if udp else None,
        ((icmp or {}).get("type"), (icmp or {}).get("code")) if icmp else None,
    )


def stale_rule_ids(existing, wanted):
    """Ids of the rules in place that no wanted rule matches."""
    keys = {rule_key(rule) for rule in wanted or []}
    return [rule["id"] for rule in existing or [] if rule_key(rule) not in keys]


def missing_rules(existing, wanted):
    """The wanted rules no rule in place matches (what the "add" action must send)."""
    keys = {rule_key(rule) for rule in existing or []}
    return [rule for rule in wanted or [] if rule_key(rule) not in keys]


def batches(rules, size=MAX_RULES_PER_CALL):
    rules = list(rules or [])
    return [rules[index:index + size] for index in range(0, len(rules), size)] or [[]]
