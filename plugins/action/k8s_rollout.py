# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.k8s_rollout: the wait runs here, on the controller, so that the rollouts' states
can be shown while it lasts (module_utils/_wait.py). Each look is one run of the module with look_only; when every
Deployment is done or failed, or the timeout is spent, one run with timeout 0 explains, rolls back and waits for the
rolled-back revisions, as the module alone would. In check mode, or with timeout 0, the module runs once, as asked."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.eventstack.oke.plugins.module_utils import _rollout, _wait

display = Display()

MODULE = "eventstack.oke.k8s_rollout"


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        timeout = int(args.get("timeout", 300))
        if self._task.check_mode or timeout <= 0 or args.get("look_only"):
            result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
            return result

        def look():
            answer = self._execute_module(module_name=MODULE, module_args=dict(args, look_only=True),
                                          task_vars=task_vars)
            if not answer.get("failed"):
                looked = answer.get("deployments", [])
                answer.update(done=_rollout.looked_done(looked), summary=_rollout.progress(looked))
            return answer

        last, waited, polls, _timed_out = _wait.poll(look, timeout, int(args.get("interval", 5)),
                                                     int(args.get("progress_interval", 30)), display.display)
        if last.get("failed"):
            last.update(elapsed=round(waited, 1), polls=polls)
            result.update(last)
            return result
        # The deadline (or an early failure) is reached: judge, explain and roll back once, without waiting again
        # for the first rollouts (the rolled-back ones get their own wait, rollback_timeout).
        final_args = dict(args, timeout=0, rollback_timeout=args.get("rollback_timeout") or timeout)
        final = self._execute_module(module_name=MODULE, module_args=final_args, task_vars=task_vars)
        if final.get("failed") and final.get("deployments"):
            final["msg"] = _rollout.failure_message(final["deployments"], timeout)
        final.update(elapsed=round(waited, 1), polls=polls)
        result.update(final)
        return result
