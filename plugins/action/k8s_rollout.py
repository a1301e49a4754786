# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.k8s_rollout: the wait runs here, on the controller, so that the rollouts' states
can be shown while it lasts (module_utils/_wait.py, through plugin_utils/_waiting.py). Each look is one run of the
module with look_only; when every Deployment is done or failed, or the timeout is spent, one run with timeout 0
explains, rolls back and waits for the rolled-back revisions, as the module alone would. In check mode, or with
timeout 0, the module runs once, as asked."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _rollout
from ansible_collections.eventstack.oke.plugins.plugin_utils._waiting import WaitingAction


def _summarize(answer):
    looked = answer.get("deployments", [])
    return _rollout.looked_done(looked), _rollout.progress(looked)


class ActionModule(WaitingAction):
    MODULE = "eventstack.oke.k8s_rollout"

    def once(self, args):
        return self._task.check_mode or int(args.get("timeout", 300)) <= 0 or args.get("look_only")

    def wait(self, args, task_vars):
        timeout = int(args.get("timeout", 300))
        last, waited, polls, _timed_out = self.poll(dict(args, look_only=True), task_vars, timeout,
                                                    int(args.get("interval", 5)),
                                                    int(args.get("progress_interval", 30)), _summarize)
        if last.get("failed"):
            last.update(elapsed=round(waited, 1), polls=polls)
            return last
        # The deadline (or an early failure) is reached: judge, explain and roll back once, without waiting again
        # for the first rollouts (the rolled-back ones get their own wait, rollback_timeout).
        final = self.module(dict(args, timeout=0, rollback_timeout=args.get("rollback_timeout") or timeout), task_vars)
        if final.get("failed") and final.get("deployments"):
            final["msg"] = _rollout.failure_message(final["deployments"], timeout)
        final.update(elapsed=round(waited, 1), polls=polls)
        return final
