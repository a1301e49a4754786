# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's OCI resources as the roles see them (docs in the oci_stack_tags, oci_network_view, oci_network_ids,
oci_network_leftovers and oke_cluster_plan .yml files beside this one); the logic is in module_utils/_oci_stack.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.module_utils import _oci_stack
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def oci_stack_tags(stack, environment):
    return _oci_stack.stack_tags(stack, environment)


def oci_network_view(read, plan, tags, adopt=False):
    try:
        return _oci_stack.network_view(to_builtin(read or {}), to_builtin(plan), to_builtin(tags or {}), bool(adopt))
    except _oci_stack.StackError as exc:
        raise AnsibleFilterError(str(exc)) from exc


def oci_network_leftovers(read, view, tags):
    return _oci_stack.leftovers(to_builtin(read or {}), to_builtin(view or {}), to_builtin(tags or {}))


def oci_network_ids(view):
    return _oci_stack.network_ids(to_builtin(view or {}))


def oke_bastion_plan(read, name, tags, desired, adopt=False):
    return _oci_stack.bastion_plan(to_builtin(read or {}), name, to_builtin(tags or {}), to_builtin(desired or {}),
                                   bool(adopt))


def oke_cluster_plan(read, names, tags, desired, adopt=False):
    read = to_builtin(read or {})
    try:
        view = _oci_stack.cluster_view(read, to_builtin(names), to_builtin(tags or {}), bool(adopt))
    except _oci_stack.StackError as exc:
        raise AnsibleFilterError(str(exc)) from exc
    plan = _oci_stack.cluster_plan(view, to_builtin(desired), read.get("kubernetes_versions") or [],
                                   read.get("work_requests") or [])
    plan.update(cluster_found=view["cluster"] or {}, node_pool_found=view["node_pool"] or {})
    return plan


class FilterModule:
    def filters(self):
        return {"oci_stack_tags": oci_stack_tags, "oci_network_view": oci_network_view,
                "oci_network_ids": oci_network_ids, "oci_network_leftovers": oci_network_leftovers,
                "oke_cluster_plan": oke_cluster_plan, "oke_bastion_plan": oke_bastion_plan}
