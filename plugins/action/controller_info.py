# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.controller_info: on the controller, with the interpreter that runs ansible-playbook
as the module's (as the inventories set it) and the controller's own environment, the same report is read in this
process instead of a module's (plugin_utils/_in_controller.py); otherwise the module runs."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible_collections.eventstack.oke.plugins.module_utils import _controller
from ansible_collections.eventstack.oke.plugins.plugin_utils import _in_controller


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_controller.ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _spec, args = self.validate_argument_spec(argument_spec=_controller.ARGUMENT_SPEC)
        here = (_in_controller.is_local(self) and not _in_controller.has_environment(self._task)
                and _in_controller.runs_this_python(self, task_vars))
        result.update(_in_controller.module_or_here(self, "eventstack.oke.controller_info", task_vars, here,
                                                    lambda: _controller.report(args)))
        return result
