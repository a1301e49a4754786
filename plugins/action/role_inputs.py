# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.role_inputs: every role's inputs, checked in the controller's process before
anything changes (the logic is in plugin_utils/_role_inputs.py)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible_collections.eventstack.oke.plugins.plugin_utils import _filters_once  # noqa: F401 pylint: disable=unused-import
from ansible_collections.eventstack.oke.plugins.plugin_utils import _role_inputs

ARGUMENT_SPEC = dict(roles=dict(type="list", elements="str", required=True))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        _spec, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            problems = _role_inputs.check_roles(args["roles"], self._templar.template, task_vars)
        except _role_inputs.RoleInputsError as exc:
            result.update(failed=True, msg="cannot check the roles' inputs: %s" % exc)
            return result
        result.update(changed=False, problems=problems)
        message = _role_inputs.failure(problems)
        if message:
            result.update(failed=True, msg=message)
        else:
            result["msg"] = "the inputs of %d role(s) are fine" % len(args["roles"])
        return result
