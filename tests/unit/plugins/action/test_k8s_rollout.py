"""k8s_rollout's action plugin: after the wait, one module run explains and rolls back without waiting, and the
rolled-back revisions are waited for here, with their progress shown ("rolling back: ...")."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.eventstack.oke.plugins.action import k8s_rollout
from ansible_collections.eventstack.oke.plugins.plugin_utils import _waiting

FAILED = {"name": "todo-backend", "state": "failed", "message": "1 old replicas pending termination",
          "revision": "2", "reasons": ["pod todo-backend-x: container app: ErrImagePull - manifest unknown"],
          "rolled_back_to": "1", "rolled_back_images": ["registry/todo-backend:0.1.0"],
          "rollback_state": "progressing", "rollback_message": "0 of 1 updated replicas are available"}
DONE = {"name": "todo-frontend", "state": "done", "message": "successfully rolled out", "revision": "2", "reasons": []}


def action(answers, **args):
    """The plugin for a task with args; its module answers `answers` in turn; .calls records the arguments."""
    task = SimpleNamespace(args=args, async_val=0, check_mode=False, action="eventstack.oke.k8s_rollout")
    # Over SSH: each look is a run of the module (on the controller the same looks run in the plugin's process,
    # test_check_actions.py).
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/tmp/unused"), transport="ssh")
    plugin = k8s_rollout.ActionModule(task, connection, None, None, None)
    plugin.calls = []

    def execute(module_name, module_args, task_vars):
        assert module_name == "eventstack.oke.k8s_rollout"
        plugin.calls.append(module_args)
        return dict(answers[min(len(plugin.calls), len(answers)) - 1])
    plugin._execute_module = execute  # pylint: disable=protected-access
    return plugin


def look(*items):
    return {"changed": False, "deployments": [dict(item) for item in items]}


def test_the_rolled_back_revision_is_waited_for_with_its_progress(monkeypatch):
    shown = []
    monkeypatch.setattr(_waiting.display, "display", shown.append)
    args = {"namespace": "todo-app", "names": ["todo-backend", "todo-frontend"], "timeout": 8, "interval": 0,
            "rollback_timeout": 30}
    plugin = action([
        look({"name": "todo-backend", "state": "failed", "message": "1 old replicas pending termination"},
             {"name": "todo-frontend", "state": "done", "message": "successfully rolled out"}),
        {"changed": True, "failed": True, "msg": "from the module", "deployments": [FAILED, DONE]},
        look({"name": "todo-backend", "state": "progressing", "message": "0 of 1 updated replicas are available"}),
        look({"name": "todo-backend", "state": "done", "message": "successfully rolled out"}),
    ], **args)
    result = plugin.run(task_vars={})
    # The judging run rolls back without waiting; the looks that follow ask for the rolled-back Deployment only.
    assert plugin.calls[1] == dict(args, timeout=0, rollback_timeout=0)
    assert plugin.calls[2] == plugin.calls[3] == dict(args, names=["todo-backend"], look_only=True)
    assert len(plugin.calls) == 4
    assert shown[0].startswith("  waiting (0s): rolling back: 0 of 1 rolled out; todo-backend: 0 of 1 updated"), shown
    assert shown[-1].startswith("  done (0s): rolling back: 1 of 1 rolled out")
    backend = result["deployments"][0]
    assert (backend["rollback_state"], backend["rollback_message"]) == ("done", "successfully rolled out")
    assert result["failed"] and result["changed"]
    assert ("todo-backend: not rolled out after 8s (1 old replicas pending termination); pod todo-backend-x: "
            "container app: ErrImagePull - manifest unknown; rolled back to revision 1 (registry/todo-backend:0.1.0): "
            "successfully rolled out") == result["msg"]


def test_without_a_previous_revision_nothing_more_is_waited_for(monkeypatch):
    monkeypatch.setattr(_waiting.display, "display", lambda line: None)
    first = dict(FAILED, rolled_back_to=None, rolled_back_images=[])
    first.pop("rollback_state")
    first.pop("rollback_message")
    plugin = action([look({"name": "todo-backend", "state": "failed", "message": "x"}),
                     {"changed": False, "failed": True, "deployments": [first]}],
                    namespace="todo-app", names=["todo-backend"], timeout=5, interval=0)
    result = plugin.run(task_vars={})
    assert len(plugin.calls) == 2
    assert result["msg"].endswith("; no previous revision to roll back to")
