# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.oci_stack_info: the module runs once, as asked; with wait_for_leftovers, the stack
is read (with leftovers) until nothing OCI is deleting is left in the stack's subnets (module_utils/_oci_stack.py's
leftovers: load balancers DELETING, volumes TERMINATING), the wait running here so that what is pending and the time
waited are shown while it lasts (module_utils/_wait.py, through plugin_utils/_waiting.py)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _oci_stack, _wait
from ansible_collections.eventstack.oke.plugins.plugin_utils._waiting import WaitingAction

WAIT = "wait_for_leftovers"


def _number(options, key, default):
    value = options.get(key)
    return float(default if value in (None, "") else value)


class ActionModule(WaitingAction):
    MODULE = "eventstack.oke.oci_stack_info"

    def once(self, args):
        return not args.get(WAIT) or bool(self._task.check_mode)

    def module(self, args, task_vars):
        """One read: the module with the task's arguments, the wait's own left out."""
        return super().module({key: value for key, value in args.items() if key != WAIT}, task_vars)

    def wait(self, args, task_vars):
        wait = args[WAIT]
        view, tags = wait.get("view") or {}, args.get("tags") or {}

        def summarize(answer):
            pending = _oci_stack.leftovers(answer.get("stack") or {}, view, tags)["pending"]
            return not pending, "%d pending: %s" % (len(pending), "; ".join(pending)) if pending else "nothing pending"
        last, waited, looks, timed_out = self.poll(dict(args, leftovers=True), task_vars, _number(wait, "timeout", 1800),
                                                   _number(wait, "interval", 15),
                                                   _number(wait, "progress_interval", 30), summarize)
        summary = last.pop("summary", "")
        last.pop("done", None)
        if timed_out:
            last.update(failed=True, msg="still deleting in the stack's subnets after %s (%s): %s; OCI deletes them "
                        "on its own: run destroy again later, or raise %s" % (
                            _wait.elapsed(waited), wait.get("setting") or "wait_for_leftovers.timeout", summary,
                            wait.get("setting") or "wait_for_leftovers.timeout"))
        last.update(elapsed=round(waited, 1), polls=looks, changed=False)
        return last
