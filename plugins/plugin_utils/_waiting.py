# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the part the waiting action plugins (oci_wait, k8s_checkpoint, k8s_rollout) share. Each runs its module
on the controller's side of a wait: once, as asked, when `once()` says so; otherwise `wait()` looks at the module
repeatedly through module_utils/_wait.py's poll, showing progress while it lasts."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.eventstack.oke.plugins.module_utils import _wait

display = Display()


class WaitingAction(ActionBase):
    """A subclass names its MODULE and defines wait(args, task_vars) (the answer the task returns); once(args) says
    when the module runs a single time with the task's arguments instead (default: never)."""

    TRANSFERS_FILES = False
    MODULE = ""

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        result.update(self.module(args, task_vars) if self.once(args) else self.wait(args, task_vars))
        return result

    def once(self, args):  # pylint: disable=unused-argument
        return False

    def wait(self, args, task_vars):
        raise NotImplementedError

    def module(self, args, task_vars):
        """One run of MODULE with args."""
        return self._execute_module(module_name=self.MODULE, module_args=args, task_vars=task_vars)

    def poll(self, args, task_vars, timeout, interval, progress, summarize=None):
        """_wait.poll over runs of MODULE with args; summarize(answer) -> (done, summary) for each answer that did not
        fail (None: the module's own `done` and `summary`). Returns (last answer, seconds waited, looks, timed_out)."""
        def look():
            answer = self.module(args, task_vars)
            if summarize is not None and not answer.get("failed"):
                done, summary = summarize(answer)
                answer.update(done=done, summary=summary)
            return answer

        return _wait.poll(look, timeout, interval, progress, display.display)
