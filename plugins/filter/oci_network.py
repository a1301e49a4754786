# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OCI network plan as a filter (docs in oci_network_plan.yml)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.module_utils import _network_plan
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def oci_network_plan(settings):
    if not isinstance(settings, Mapping):
        raise AnsibleFilterError("oci_network_plan expects the oci_network settings as a mapping, got %s"
                                 % type(settings).__name__)
    try:
        settings = to_builtin(settings)
    except TypeError as exc:
        raise AnsibleFilterError("oci_network settings: %s" % exc) from exc
    try:
        return _network_plan.plan_network(settings)
    except _network_plan.PlanError as exc:
        raise AnsibleFilterError("the OCI network settings have %d problem(s): %s" % (
            len(exc.problems), "; ".join(exc.problems))) from exc


class FilterModule:
    def filters(self):
        return {"oci_network_plan": oci_network_plan}
