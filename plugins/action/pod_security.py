# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.pod_security: judging a render (no from_cluster) on a local connection runs in the
controller's process; the cluster, or any other connection, goes through the module as usual."""

from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible_collections.eventstack.oke.plugins.module_utils import _admission, _manifests, _pod_model, _pod_security
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin

LOCAL = ("local", "ansible.builtin.local")
ARGUMENT_SPEC = dict(
    build_dir=dict(type="path"),
    objects=dict(type="list", elements="dict", default=[]),
    from_cluster=dict(type="bool", default=False),
    namespaces=dict(type="list", elements="str", default=[]),
    fail_on_refused=dict(type="bool", default=True),
    kubeconfig=dict(type="path"),
    context=dict(type="str"),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        if self._connection.transport not in LOCAL or self._play_context.become or boolean(
                self._task.args.get("from_cluster", False), strict=False):
            result.update(self._execute_module(module_name="eventstack.oke.pod_security", task_vars=task_vars))
            return result
        _spec, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            out = _admission.render_result(args["build_dir"], to_builtin(args["objects"]), args["namespaces"])
        except (_admission.AdmissionError, _pod_security.PodSecurityError, _pod_model.ModelError,
                _manifests.ManifestError, KeyError, TypeError, ValueError) as exc:
            result.update(failed=True, msg="cannot judge the pods: %s" % exc)
            return result
        result.update(out)
        message = _admission.failure(out)
        if message and args["fail_on_refused"]:
            result.update(failed=True, msg=message)
        return result
