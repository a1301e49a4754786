# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.oci_wait: the wait loop runs here, on the controller, so that progress can be
printed while it lasts. Each look is one run of the module with timeout 0; between looks the plugin sleeps
`interval` seconds, and it prints the module's summary with the elapsed time whenever the summary changes and at
least every `progress_interval` seconds (module_utils/_wait.py, through plugin_utils/_waiting.py)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _wait
from ansible_collections.eventstack.oke.plugins.plugin_utils._waiting import WaitingAction


class ActionModule(WaitingAction):
    MODULE = "eventstack.oke.oci_wait"

    def wait(self, args, task_vars):
        if self._task.check_mode:
            return dict(changed=False, resource={}, summary="check mode: nothing to wait for", elapsed=0, polls=0)
        timeout = float(args.get("timeout", 1800))
        last, waited, polls, timed_out = self.poll(dict(args, timeout=0), task_vars, timeout,
                                                   float(args.get("interval", 15)),
                                                   float(args.get("progress_interval", 30)))
        if timed_out:
            last.update(failed=True, msg="gave up after %s: %s (raise the wait timeout, or look at the resource in "
                        "the console)" % (_wait.elapsed(waited), last.get("summary", "")))
        last.update(elapsed=round(waited, 1), polls=polls, changed=False)
        return last
