# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.k8s_rollout: the wait runs here, on the controller, so that the rollouts' states
can be shown while it lasts (module_utils/_wait.py, through plugin_utils/_waiting.py). Each look is one run of the
module with look_only; when every Deployment is done or failed, or the timeout is spent, one run with timeout 0
explains and rolls back (with rollback_timeout 0, so that it does not wait), and the rolled-back revisions are waited
for here in the same way, "rolling back: ..." shown while it lasts. In check mode, or with timeout 0, the module runs
once, as asked (waiting for its rolled-back revisions itself). On the controller (local connection) each run is done
in this process (plugin_utils/_in_controller.py); elsewhere it is a run of the module."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _rollout
from ansible_collections.eventstack.oke.plugins.plugin_utils import _in_controller
from ansible_collections.eventstack.oke.plugins.plugin_utils._waiting import WaitingAction


def _summarize(answer):
    looked = answer.get("deployments", [])
    return _rollout.looked_done(looked), _rollout.progress(looked)


def _summarize_rollback(answer):
    done, summary = _summarize(answer)
    return done, "rolling back: " + summary


class ActionModule(WaitingAction):
    MODULE = "eventstack.oke.k8s_rollout"
    _VALID_ARGS = frozenset(_rollout.ARGUMENT_SPEC)

    def module(self, args, task_vars):
        """One look or judgement: on the controller in this process (plugin_utils/_in_controller.py), else a run of
        the module."""
        return _in_controller.check_or_module(self, _rollout.ARGUMENT_SPEC, _rollout.check, args, task_vars)

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
        # The deadline (or an early failure) is reached: judge, explain and roll back once, without waiting, neither
        # for the first rollouts nor for the rolled-back revisions: those get a wait of their own here,
        # rollback_timeout, with its progress shown as the first one's.
        final = self.module(dict(args, timeout=0, rollback_timeout=0), task_vars)
        rolled_back = [result["name"] for result in final.get("deployments", [])
                       if result.get("rolled_back_to") is not None]
        if rolled_back:
            again, _waited, _polls, _timed_out = self.poll(
                dict(args, names=rolled_back, look_only=True), task_vars,
                int(args.get("rollback_timeout") or timeout), int(args.get("interval", 5)),
                int(args.get("progress_interval", 30)), _summarize_rollback)
            states = {item["name"]: item for item in again.get("deployments", [])}
            for result in final["deployments"]:
                if result["name"] in states:
                    result["rollback_state"] = states[result["name"]]["state"]
                    result["rollback_message"] = states[result["name"]]["message"]
        if final.get("failed") and final.get("deployments"):
            final["msg"] = _rollout.failure_message(final["deployments"], timeout)
        final.update(elapsed=round(waited, 1), polls=polls)
        return final
