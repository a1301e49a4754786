# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.k8s_checkpoint: with wait_timeout, the wait runs here, on the controller, so that
what is still pending can be shown while it lasts (module_utils/_wait.py). Each look is one run of the module with
wait_timeout 0 and fail_on_failure false; without wait_timeout the module runs once, as asked."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.eventstack.oke.plugins.module_utils import _checkpoint, _wait

display = Display()

MODULE = "eventstack.oke.k8s_checkpoint"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        timeout = int(args.get("wait_timeout") or 0)
        if timeout <= 0:
            result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
            return result
        fail = args.get("fail_on_failure", True)
        fail = fail if isinstance(fail, bool) else str(fail).lower() in ("1", "true", "yes", "on")
        look_args = dict(args, wait_timeout=0, fail_on_failure=False)

        def look():
            answer = self._execute_module(module_name=MODULE, module_args=look_args, task_vars=task_vars)
            if not answer.get("failed"):
                answer.update(done=bool(answer.get("passed")), summary=_checkpoint.progress(answer.get("results", [])))
            return answer

        last, waited, polls, timed_out = _wait.poll(look, timeout, int(args.get("wait_interval") or 10),
                                                    int(args.get("progress_interval") or 30), display.display)
        last.pop("done", None)
        last.pop("summary", None)
        last.update(elapsed=round(waited, 1), polls=polls, changed=False)
        if timed_out and fail:
            last.update(failed=True, msg="not ready after %ds (%s): %s" % (
                timeout, args.get("wait_setting") or "wait_timeout", _checkpoint.describe(last.get("results", []))))
        result.update(last)
        return result
