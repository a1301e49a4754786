# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.helm_render: for a local connection the releases are expanded and the files
written in the controller's process; for any other connection the module runs on the target as usual."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible_collections.eventstack.oke.plugins.module_utils import _build_files, _helm_render

LOCAL = ("local", "ansible.builtin.local")
ARGUMENT_SPEC = dict(
    releases=dict(type="list", elements="dict", required=True),
    kube_version=dict(type="str", required=True),
    build_dir=dict(type="path"),
    chart_dir=dict(type="path"),
    helm=dict(type="str", default="helm"),
    source=dict(type="str", default=""),
    output=dict(type="str", choices=["files", "crds"], default="files"),
)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        if self._connection.transport not in LOCAL or self._play_context.become:
            result.update(self._execute_module(module_name="eventstack.oke.helm_render", task_vars=task_vars))
            return result
        _spec, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC,
                                                  required_if=[("output", "files", ("build_dir",))])
        try:
            result.update(_helm_render.run(args, self._task.check_mode, self._task.diff))
        except (_helm_render.HelmRenderError, _build_files.BuildFilesError, KeyError, ValueError) as exc:
            result.update(failed=True, msg="helm_render: %s" % exc)
        return result
