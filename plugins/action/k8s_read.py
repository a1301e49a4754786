# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.k8s_read: on the controller (local connection) it reads in this process
(plugin_utils/_in_controller.py); elsewhere it runs the module."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client, _k8s_read
from ansible_collections.eventstack.oke.plugins.plugin_utils import _in_controller


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_k8s_read.ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _spec, args = self.validate_argument_spec(argument_spec=_k8s_read.ARGUMENT_SPEC)

        def here():
            client, error = _k8s_client.open_client(args["kubeconfig"], args["context"])
            return dict(failed=True, msg=error) if error else _k8s_read.read(
                client, args["version"], args["objects"], args["lists"])
        result.update(_in_controller.module_or_here(self, "eventstack.oke.k8s_read", task_vars,
                                                    _in_controller.kube_here(self), here))
        return result
