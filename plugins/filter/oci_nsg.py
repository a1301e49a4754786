# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NSG rule housekeeping for the oci_network role (docs in oci_nsg_changes.yml)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.filter.oci_refs import oci_resolve_refs
from ansible_collections.eventstack.oke.plugins.module_utils import _nsg_rules
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def oci_nsg_changes(found, wanted, refs, strict=True):
    """{remove: [{key, ids}], add: [{key, rules}]} in batches of at most 25, for every NSG of the plan.

    found: NSG key -> the NSG in place with its `rules` (absent for an NSG not created yet). wanted: the plan's
    NSGs (key -> {rules}), whose symbolic references refs resolves (placeholders when not strict)."""
    found, wanted, refs = to_builtin(found or {}), to_builtin(wanted or {}), to_builtin(refs or {})
    changes = {"remove": [], "add": []}
    for key, nsg in wanted.items():
        want = oci_resolve_refs(nsg.get("rules") or [], refs, strict)
        have = (found.get(key) or {}).get("rules") or []
        changes["remove"].extend({"key": key, "ids": chunk}
                                 for chunk in _nsg_rules.batches(_nsg_rules.stale_rule_ids(have, want)) if chunk)
        changes["add"].extend({"key": key, "rules": chunk}
                              for chunk in _nsg_rules.batches(_nsg_rules.missing_rules(have, want)) if chunk)
    return changes


class FilterModule:
    def filters(self):
        return {"oci_nsg_changes": oci_nsg_changes}
