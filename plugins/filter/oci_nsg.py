# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NSG rule housekeeping for the oci_network role (docs in oci_nsg_stale_rules.yml and oci_nsg_batches.yml)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.eventstack.oke.plugins.filter.oci_refs import oci_resolve_refs
from ansible_collections.eventstack.oke.plugins.module_utils import _nsg_rules
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def oci_nsg_stale_rules(existing, wanted, refs=None):
    """Ids of stale rules. existing: the rules in place, or the registered results of the facts task (each with
    item.key, item.value.rules and network_security_group_security_rules), then batched as [{key, ids}]."""
    existing = to_builtin(existing or [])
    if existing and isinstance(existing[0], Mapping) and "network_security_group_security_rules" in existing[0]:
        out = []
        for result in existing:
            nsg = result["item"]
            want = oci_resolve_refs(nsg["value"]["rules"], to_builtin(refs or {}))
            ids = _nsg_rules.stale_rule_ids(result["network_security_group_security_rules"], want)
            out.extend({"key": nsg["key"], "ids": chunk} for chunk in _nsg_rules.batches(ids) if chunk)
        return out
    return _nsg_rules.stale_rule_ids(existing, to_builtin(wanted or []))


def oci_nsg_batches(rules, size=_nsg_rules.MAX_RULES_PER_CALL):
    """Batches of at most `size`; for a mapping of NSGs (key -> {rules}), [{key, rules}] per batch."""
    rules = to_builtin(rules)
    if isinstance(rules, Mapping):
        return [{"key": key, "rules": chunk} for key, nsg in rules.items()
                for chunk in _nsg_rules.batches(nsg.get("rules"), int(size)) if chunk]
    return _nsg_rules.batches(rules or [], int(size))


class FilterModule:
    def filters(self):
        return {"oci_nsg_stale_rules": oci_nsg_stale_rules, "oci_nsg_batches": oci_nsg_batches}
