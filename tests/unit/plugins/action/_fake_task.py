"""An action plugin of this collection built around a fake task, as the strategy would build it, for the action tests:
its module runs are recorded in .calls (name, arguments) and answered by `answer`."""

from __future__ import annotations

from types import SimpleNamespace


def make_action(plugin_class, args, answer=None, transport="local", environment=None, become=False, check_mode=False,
                templar=None):
    """plugin_class (an ActionModule) for a task with args; answer(module_name, module_args) is what each module run
    answers (default {"changed": False, "from": "the module"})."""
    task = SimpleNamespace(args=args, async_val=0, check_mode=check_mode, diff=False, no_log=False,
                           environment=environment or [{}], action="eventstack.oke.test")
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/tmp/unused"), transport=transport)
    plugin = plugin_class(task, connection, SimpleNamespace(become=become), None, templar, None)
    plugin.calls = []

    def execute(module_name, module_args, task_vars):
        plugin.calls.append((module_name, module_args))
        return answer(module_name, module_args) if answer else {"changed": False, "from": "the module"}
    plugin._execute_module = execute  # pylint: disable=protected-access
    return plugin
