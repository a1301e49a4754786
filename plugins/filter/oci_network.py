# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OCI network plan as a filter (docs in oci_network_plan.yml)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.module_utils import _network_plan


def _builtin(value):
    """Copy value into builtin types (Ansible hands filters its own subclasses of dict, list and str)."""
    if isinstance(value, Mapping):
        return {str(key): _builtin(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_builtin(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    for kind in (str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value


def oci_network_plan(settings):
    if not isinstance(settings, Mapping):
        raise AnsibleFilterError("oci_network_plan expects the oci_network settings as a mapping, got %s"
                                 % type(settings).__name__)
    try:
        return _network_plan.plan_network(_builtin(settings))
    except _network_plan.PlanError as exc:
        raise AnsibleFilterError("the OCI network settings have %d problem(s): %s" % (
            len(exc.problems), "; ".join(exc.problems))) from exc


class FilterModule:
    def filters(self):
        return {"oci_network_plan": oci_network_plan}
