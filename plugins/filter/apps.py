# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The application's workloads (docs in apps_services.yml, apps_problems.yml and apps_workload.yml)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _apps
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def apps_services(services, overrides=None, defaults=None):
    return _apps.effective_services(to_builtin(services or []), to_builtin(overrides or {}),
                                    to_builtin(defaults or {}))


def apps_problems(services, context=None):
    return _apps.apps_problems(to_builtin(services or []), to_builtin(context or {}))


def apps_workload(service):
    return _apps.workload(to_builtin(service))


class FilterModule:
    def filters(self):
        return {"apps_services": apps_services, "apps_problems": apps_problems, "apps_workload": apps_workload}
