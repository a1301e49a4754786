# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.build_files: for a local connection the files are written in the controller's
process; for any other connection the module runs on the target as usual."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible_collections.eventstack.oke.plugins.module_utils import _build_files

LOCAL = ("local", "ansible.builtin.local")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("files", "mode"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        if self._connection.transport not in LOCAL or self._play_context.become:
            result.update(self._execute_module(module_name="eventstack.oke.build_files", task_vars=task_vars))
            return result
        _spec, args = self.validate_argument_spec(argument_spec=dict(
            files=dict(type="list", elements="dict", required=True), mode=dict(type="str", default="0644")))
        try:
            result.update(_build_files.build(args["files"], args["mode"], self._task.check_mode, self._task.diff))
        except (_build_files.BuildFilesError, KeyError, ValueError) as exc:
            result.update(failed=True, msg="build_files: %s" % exc)
        return result
