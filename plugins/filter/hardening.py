# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's network flows and NetworkPolicies (docs in network_flows.yml and network_policies.yml)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.module_utils import _flows
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def network_flows(stack, form="flows"):
    stack = to_builtin(stack)
    if form == "problems":
        return _flows.problems(stack)
    try:
        flows = _flows.stack_flows(stack)
        if form == "intended":
            return _flows.intended(stack, flows)
        if form == "endpoints":
            pods, externals = _flows.endpoints(stack, flows)
            return {"pods": pods, "externals": externals}
        if form == "analysis":  # what netpol_reachability's flows option takes: both of the above from one derivation
            pods, externals = _flows.endpoints(stack, flows)
            return {"intended": _flows.intended(stack, flows), "pods": pods, "externals": externals}
    except (_flows.FlowError, KeyError) as exc:
        raise AnsibleFilterError("network_flows: %s" % exc) from exc
    return flows


def network_policies(stack, labels=None):
    stack = to_builtin(stack)
    try:
        return _flows.network_policies(stack, _flows.stack_flows(stack), to_builtin(labels or {}))
    except (_flows.FlowError, KeyError) as exc:
        raise AnsibleFilterError("network_policies: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"network_flows": network_flows, "network_policies": network_policies}
