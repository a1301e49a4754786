"""The waiting action plugins' shared part: the module once as asked, or a wait of looks at it with progress."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.eventstack.oke.plugins.plugin_utils import _waiting


class Waiting(_waiting.WaitingAction):
    """Runs once when told `once`; its wait polls and returns (last answer, looks)."""

    MODULE = "eventstack.oke.example"
    summarize = None

    def once(self, args):
        return args.get("once")

    def wait(self, args, task_vars):
        last, _waited, looks, timed_out = self.poll(dict(args, look=True), task_vars, args.get("timeout", 60), 0, 30,
                                                    self.summarize)
        return dict(last, looks=looks, timed_out=timed_out)


def action(answers, check_mode=False, **args):
    """A Waiting action for a task with args whose module answers `answers` in turn (the last one repeated); its
    .calls record each run's module name and arguments."""
    task = SimpleNamespace(args=args, async_val=0, check_mode=check_mode, action="eventstack.oke.example")
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/tmp/unused"))
    plugin = Waiting(task, connection, None, None, None)
    plugin.calls = []

    def execute(module_name, module_args, task_vars):
        assert task_vars == {"inventory_hostname": "localhost"}
        plugin.calls.append((module_name, module_args))
        return dict(answers[min(len(plugin.calls), len(answers)) - 1])
    plugin._execute_module = execute  # pylint: disable=protected-access
    return plugin


def test_once_runs_the_module_a_single_time_with_the_task_s_arguments():
    plugin = action([{"passed": True}], once=True, name="x")
    assert plugin.run(task_vars={"inventory_hostname": "localhost"}) == {"passed": True}
    assert plugin.calls == [("eventstack.oke.example", {"once": True, "name": "x"})]


def test_a_wait_looks_until_the_module_says_done(monkeypatch):
    shown = []
    monkeypatch.setattr(_waiting.display, "display", shown.append)
    plugin = action([{"summary": "a"}, {"summary": "a"}, {"done": True, "summary": "b"}], name="x")
    result = plugin.run(task_vars={"inventory_hostname": "localhost"})
    assert (result["summary"], result["looks"], result["timed_out"]) == ("b", 3, False)
    assert plugin.calls == [("eventstack.oke.example", {"name": "x", "look": True})] * 3
    assert [line.split(":")[0] for line in shown] == ["  waiting (0s)", "  done (0s)"]


def test_summarize_judges_each_answer_that_did_not_fail(monkeypatch):
    monkeypatch.setattr(_waiting.display, "display", lambda line: None)
    plugin = action([{"n": 1}, {"n": 2}, {"failed": True, "msg": "cannot read"}])
    plugin.summarize = lambda answer: (answer["n"] >= 2, "n=%d" % answer["n"])
    result = plugin.run(task_vars={"inventory_hostname": "localhost"})
    assert (result["done"], result["summary"], result["looks"]) == (True, "n=2", 2)
    plugin = action([{"n": 1}, {"failed": True, "msg": "cannot read"}])
    plugin.summarize = lambda answer: (answer["n"] >= 2, "n=%d" % answer["n"])
    result = plugin.run(task_vars={"inventory_hostname": "localhost"})
    assert result == {"failed": True, "msg": "cannot read", "looks": 2, "timed_out": False}
