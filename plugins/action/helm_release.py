# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.helm_release: kubernetes.core.helm, run as it is, and while Helm waits (--wait
prints nothing until it ends, up to its timeout) a line every progress_interval seconds with the release, the state of
its namespace's pods and the time waited (module_utils/_helm_wait.py for the line, module_utils/_wait.py's poll for the
loop, on a thread while this one runs Helm)."""

from __future__ import annotations

import threading
import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.eventstack.oke.plugins.module_utils import _helm_wait, _k8s_client, _k8s_read, _wait
from ansible_collections.eventstack.oke.plugins.plugin_utils import _in_controller

display = Display()
MODULE = "kubernetes.core.helm"


def namespace_pods(helm_args):
    """look() -> the pods of the release's namespace, read with the release's kubeconfig and context; a line saying
    why they cannot be read instead (the wait goes on: only what is shown suffers)."""
    client, error = _k8s_client.open_client(helm_args.get("kubeconfig"), helm_args.get("context"))

    def look():
        if error:
            return error
        pods = {"api_version": "v1", "kind": "Pod", "namespace": helm_args.get("release_namespace")}
        answer = _k8s_read.read(client, lists=[pods])
        return answer["msg"] if answer.get("failed") else answer["lists"][0]
    return look


def report(helm_args, look, stop, interval, show):
    """Until `stop` is set, _wait.poll's lines ("waiting (<elapsed>): <release>: <pods>", then "done (...)"), a look
    every `interval` seconds."""
    removing = helm_args.get("release_state") == "absent"
    release = _helm_wait.release_line(helm_args)

    def state():
        pods = look()
        return {"done": stop.is_set(), "summary": "%s: %s" % (
            release, pods if isinstance(pods, str) else _helm_wait.pods_line(pods, removing))}
    _wait.poll(state, float("inf"), interval, interval, show, sleep=stop.wait)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_helm_wait.ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _spec, args = self.validate_argument_spec(argument_spec=_helm_wait.ARGUMENT_SPEC)
        helm_args = args["helm"]
        reporter, stop = None, threading.Event()
        # The pods are read from this process: on the controller (elsewhere Helm runs as before, without the lines).
        # A task environment goes to Helm's process only; if the cluster needs it, the lines say the pods cannot be
        # read, and the wait itself is Helm's as before.
        if (_helm_wait.waits(helm_args, self._task.check_mode) and _in_controller.is_local(self)
                and _k8s_client.HAS_KUBERNETES):
            reporter = threading.Thread(target=report, daemon=True, args=(
                helm_args, namespace_pods(helm_args), stop, max(args["progress_interval"], 1), display.display))
            reporter.start()
        started = time.monotonic()
        try:
            result.update(self._execute_module(module_name=MODULE, module_args=helm_args, task_vars=task_vars))
        finally:
            stop.set()
            if reporter is not None:
                reporter.join(5)
        if reporter is not None:
            result["elapsed"] = round(time.monotonic() - started, 1)
        return result
