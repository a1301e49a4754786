# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks used by the preflight role (docs in the sidecar .yml files)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _preflight
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def k8s_base_problems(namespaces, wanted_namespaces=None, secrets=None, pull_secret=None, defined_vars=None,
                      require_values=True):
    return (_preflight.namespace_problems(namespaces, wanted_namespaces)
            + _preflight.secret_problems(secrets, pull_secret, namespaces, defined_vars, require_values))


def controller_problems(info, ansible_core_version, min_python, min_ansible_core, collections=None, packages=None,
                        binaries=None):
    return _preflight.controller_problems(info, ansible_core_version, min_python, min_ansible_core,
                                          collections, packages, binaries)


def stack_volumes(settings):
    return _preflight.stack_volumes(to_builtin(settings or {}))


class FilterModule:
    def filters(self):
        return {"k8s_base_problems": k8s_base_problems, "controller_problems": controller_problems,
                "stack_volumes": stack_volumes}
