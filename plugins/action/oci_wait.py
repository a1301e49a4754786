# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.oci_wait: the wait loop runs here, on the controller, so that progress can be
printed while it lasts. Each look is one run of the module with timeout 0; between looks the plugin sleeps
`interval` seconds, and it prints the module's summary with the elapsed time whenever the summary changes and at
least every `progress_interval` seconds (module_utils/_wait.py)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.eventstack.oke.plugins.module_utils import _wait

display = Display()


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        if self._task.check_mode:
            result.update(changed=False, resource={}, summary="check mode: nothing to wait for", elapsed=0, polls=0)
            return result
        timeout = float(args.get("timeout", 1800))
        interval = float(args.get("interval", 15))
        progress = float(args.get("progress_interval", 30))
        lastargs = dict(args, timeout=0)

        def look():
            return self._execute_module(module_name="eventstack.oke.oci_wait", module_args=lastargs,
                                        task_vars=task_vars)

        last, waited, polls, timed_out = _wait.poll(look, timeout, interval, progress, display.display)
        if timed_out:
            last.update(failed=True, msg="gave up after %s: %s (raise the wait timeout, or look at the resource in "
                        "the console)" % (_wait.elapsed(waited), last.get("summary", "")))
        last.update(elapsed=round(waited, 1), polls=polls, changed=False)
        result.update(last)
        return result
