# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.k8s_checkpoint: with wait_timeout, the wait runs here, on the controller, so that
what is still pending can be shown while it lasts (module_utils/_wait.py, through plugin_utils/_waiting.py). Each
look is one judgement with wait_timeout 0 and fail_on_failure false; without wait_timeout it judges once, as asked. On
the controller (local connection) each judgement runs in this process (plugin_utils/_in_controller.py); elsewhere it
is a run of the module."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _checkpoint
from ansible_collections.eventstack.oke.plugins.plugin_utils import _in_controller
from ansible_collections.eventstack.oke.plugins.plugin_utils._waiting import WaitingAction


def _summarize(answer):
    return bool(answer.get("passed")), _checkpoint.progress(answer.get("results", []))


class ActionModule(WaitingAction):
    MODULE = "eventstack.oke.k8s_checkpoint"
    _VALID_ARGS = frozenset(_checkpoint.ARGUMENT_SPEC)

    def module(self, args, task_vars):
        """One judgement: on the controller in this process (plugin_utils/_in_controller.py), else a run of the
        module."""
        return _in_controller.check_or_module(self, _checkpoint.ARGUMENT_SPEC, _checkpoint.check, args, task_vars)

    def once(self, args):
        return int(args.get("wait_timeout") or 0) <= 0

    def wait(self, args, task_vars):
        timeout = int(args.get("wait_timeout") or 0)
        fail = args.get("fail_on_failure", True)
        fail = fail if isinstance(fail, bool) else str(fail).lower() in ("1", "true", "yes", "on")
        last, waited, polls, timed_out = self.poll(dict(args, wait_timeout=0, fail_on_failure=False), task_vars,
                                                   timeout, int(args.get("wait_interval") or 10),
                                                   int(args.get("progress_interval") or 30), _summarize)
        last.pop("done", None)
        last.pop("summary", None)
        last.update(elapsed=round(waited, 1), polls=polls, changed=False)
        if timed_out and fail:
            last.update(failed=True, msg="not ready after %ds (%s): %s" % (
                timeout, args.get("wait_setting") or "wait_timeout", _checkpoint.describe(last.get("results", []))))
        return last
