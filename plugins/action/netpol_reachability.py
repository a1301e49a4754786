# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.netpol_reachability: on the controller (local connection) the analysis runs in
this process, reading the cluster too when from_cluster and the kubernetes package is there
(plugin_utils/_in_controller.py); elsewhere it runs the module."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client, _netpol_run
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin
from ansible_collections.eventstack.oke.plugins.plugin_utils import _in_controller


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_netpol_run.ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _spec, args = self.validate_argument_spec(argument_spec=_netpol_run.ARGUMENT_SPEC)
        here = _in_controller.kube_here(self) if args["from_cluster"] else _in_controller.is_local(self)
        result.update(_in_controller.module_or_here(
            self, "eventstack.oke.netpol_reachability", task_vars, here, lambda: _netpol_run.reachability(
                to_builtin(args), lambda: _k8s_client.open_client(args["kubeconfig"], args["context"]))))
        return result
