# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replace the network plan's symbolic references with real ids (docs in oci_resolve_refs.yml)."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

_SYMBOL = re.compile(r"^(nsg|gateway):[a-z_]+$|^oci-services$")


def oci_resolve_refs(value, refs, strict=True):
    """Copy value, replacing every string that is a key of refs ('nsg:workers', 'gateway:nat', ...) by its id.

    Not strict (check mode, where what a run would create has no id yet), an unknown one becomes a placeholder."""
    if isinstance(value, dict):
        return {key: oci_resolve_refs(item, refs, strict) for key, item in value.items()}
    if isinstance(value, list):
        return [oci_resolve_refs(item, refs, strict) for item in value]
    if isinstance(value, str) and (value in refs or _SYMBOL.match(value)):
        if not refs.get(value):
            if not strict:
                return "(%s, created by this run)" % value
            raise AnsibleFilterError("no id known for %s: create it before the resources that refer to it" % value)
        return refs[value]
    return value


class FilterModule:
    def filters(self):
        return {"oci_resolve_refs": oci_resolve_refs}
