# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: when an action plugin may do its module's Kubernetes work in its own process instead of starting the
module.

The stack's plays run on localhost with the local connection: the module would run on the controller anyway, as a new
Python process that imports the kubernetes package again (about 0.4 s a task). The action plugins that import
module_utils/_k8s_client.py at the top are loaded once in ansible-playbook's own process (the strategy loads an
action's class before it starts the task's worker), so the package is imported once per run and every worker process
inherits it. Any other connection, become, a task `environment` (which only a module's process would get), or a
controller Python without the package runs the module as before."""

from __future__ import annotations

import os
import sys
import traceback

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin

LOCAL = ("local", "ansible.builtin.local")


def is_local(action):
    """Whether the task's host is the controller itself, as the controller's own user (files may be written here)."""
    return action._connection.transport in LOCAL and not action._play_context.become


def kube_here(action):
    """Whether the action may talk to the Kubernetes API from its own process: on the controller, with the
    controller's own environment (a task or play `environment`, e.g. a proxy, goes to a module's process only)."""
    return is_local(action) and not has_environment(action._task) and _k8s_client.HAS_KUBERNETES


def runs_this_python(action, task_vars):
    """Whether a module of the task would run with this very interpreter (the inventories set ansible_python_interpreter
    to ansible_playbook_python): then what it reports of its Python, packages and files is what this process sees."""
    interpreter = (task_vars or {}).get("ansible_python_interpreter")
    if not interpreter:
        return False
    interpreter = action._templar.template(interpreter)
    return os.path.realpath(str(interpreter)) == os.path.realpath(sys.executable)


def has_environment(task):
    """Whether the task (or its play, block or role) sets an environment: Ansible keeps it as a list of the levels'
    settings ([{}] when none sets anything) or, once validated, one dict."""
    environment = task.environment or []
    return any(environment.values() if isinstance(environment, dict) else environment)


def module_or_here(action, module_name, task_vars, here, work):
    """What the task answers: the module's run with the task's arguments when `here` is false (is_local or kube_here
    said no), otherwise work(), the same work done in this process."""
    if not here:
        return action._execute_module(module_name=module_name, module_args=action._task.args, task_vars=task_vars)
    return work()


def check_here(module_name, spec, check, args, check_mode):
    """What the check module module_name answers for args (its argument spec `spec`, its work module_utils'
    check(params, connect, check_mode)), worked out in this process: the arguments validated as the module validates
    them (types, defaults, required ones; its first error, worded as its own), the cluster opened when the check first
    needs it, and an unexpected error answered as a failure with its traceback, as a module's would be."""
    validated = ArgumentSpecValidator(spec).validate(args)
    if validated.error_messages:
        msg = validated.errors.msg
        if isinstance(validated.errors[0], UnsupportedError):
            msg = "Unsupported parameters for (%s) module: %s" % (module_name, msg)
        return dict(failed=True, msg=msg)
    try:
        params = to_builtin(validated.validated_parameters)
        return check(params, _k8s_client.connector(params["kubeconfig"], params["context"]), check_mode)
    except _k8s_client.ConnectError as exc:
        return dict(failed=True, msg=str(exc))
    except Exception as exc:  # pylint: disable=broad-exception-caught  # a module's process would end the same way
        return dict(failed=True, msg="%s failed: %s: %s" % (module_name, type(exc).__name__, exc),
                    exception=traceback.format_exc())


def check_or_module(action, spec, check, args, task_vars):
    """The answer of action.MODULE for args: check_here on the controller (kube_here), else a run of the module."""
    if not kube_here(action):
        return action._execute_module(module_name=action.MODULE, module_args=args, task_vars=task_vars)
    return check_here(action.MODULE, spec, check, args, bool(action._task.check_mode))


class CheckAction(ActionBase):
    """The action plugin of a check module that only talks to the Kubernetes API (k8s_live_checks, the probes): on the
    controller, with its own environment (kube_here), the check runs in this process, which has the kubernetes
    package imported already; elsewhere the module runs. A subclass names MODULE, its SPEC (_VALID_ARGS from it) and
    `check`, module_utils' check function (a staticmethod)."""

    TRANSFERS_FILES = False
    MODULE = ""
    SPEC = {}

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        result.update(check_or_module(self, self.SPEC, self.check, dict(self._task.args), task_vars))
        return result

    @staticmethod
    def check(params, connect, check_mode):
        raise NotImplementedError
