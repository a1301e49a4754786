"""controller_info's action plugin: on the controller, with ansible-playbook's own interpreter as the module's and no
task environment, the report is read in this process (the same as the module's); otherwise the module runs."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from ansible_collections.eventstack.oke.plugins.action import controller_info as action_plugin

from ._fake_task import make_action

ARGS = {"collections": ["kubernetes.core"], "collections_paths": [], "python_packages": ["PyYAML"],
        "binaries": []}


def action(**changes):
    """The plugin for a controller_info task (changes: transport, environment, become); .calls records module runs."""
    templar = SimpleNamespace(template=lambda value: value.replace("{{ ansible_playbook_python }}", sys.executable))
    return make_action(action_plugin.ActionModule, dict(ARGS), templar=templar, **changes)


def test_with_ansible_playbooks_python_the_report_is_read_here():
    plugin = action()
    result = plugin.run(task_vars={"ansible_python_interpreter": "{{ ansible_playbook_python }}"})
    assert plugin.calls == []
    assert result["python"]["executable"] == sys.executable and result["python_packages"]["PyYAML"]
    assert set(result["collections"]) == {"kubernetes.core"} and result["changed"] is False


@pytest.mark.parametrize("task_vars, changes", [
    ({"ansible_python_interpreter": "/usr/bin/python3-another"}, {}),  # another interpreter: its packages differ
    ({}, {}),                                                            # discovered by Ansible: not known here
    ({"ansible_python_interpreter": sys.executable}, {"transport": "ssh"}),
    ({"ansible_python_interpreter": sys.executable}, {"environment": [{"PATH": "/opt/tools/bin"}]}),
    ({"ansible_python_interpreter": sys.executable}, {"become": True}),
])
def test_anything_else_runs_the_module(task_vars, changes):
    plugin = action(**changes)
    result = plugin.run(task_vars=task_vars)
    assert plugin.calls == [("eventstack.oke.controller_info", ARGS)] and result["from"] == "the module"


def test_a_bad_collection_name_fails_here_as_in_the_module():
    plugin = action()
    plugin._task.args["collections"] = ["kubernetes"]  # pylint: disable=protected-access
    result = plugin.run(task_vars={"ansible_python_interpreter": sys.executable})
    assert result["failed"] and "namespace.name" in result["msg"] and plugin.calls == []
