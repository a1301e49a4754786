"""eventstack.oke.role_timing: tasks counted for the outermost role they run in, times from one task's start to the
next, the table slowest first (tests/render/test_render.py reads the table a whole site.yml run ends with)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.callback import role_timing


class FakeRole:
    def __init__(self, name):
        self.name = name

    def get_name(self, include_role_fqcn=True):
        return ("eventstack.oke." + self.name) if include_role_fqcn else self.name


class Node:
    def __init__(self, role=None, parent=None):
        self._role = role
        self._parent = parent


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Display:
    def __init__(self):
        self.lines = []

    def banner(self, text):
        self.lines.append("== " + text)

    def display(self, text):
        self.lines.append(text)


def test_a_task_counts_for_the_outermost_role():
    kafka = Node(FakeRole("strimzi_kafka"))
    include = Node(FakeRole("strimzi_kafka"), parent=Node(parent=kafka))
    inner = Node(FakeRole("k8s_objects"), parent=Node(FakeRole("k8s_objects"), parent=include))
    assert role_timing.stage_of(inner) == "strimzi_kafka"
    assert role_timing.stage_of(Node(FakeRole("k8s_objects"))) == "k8s_objects"
    assert role_timing.stage_of(Node(parent=Node())) == role_timing.OUTSIDE


def test_times_run_from_one_task_start_to_the_next_and_the_table_is_slowest_first():
    clock, display = Clock(), Display()
    callback = role_timing.CallbackModule(clock=clock)
    callback._display = display
    callback.v2_playbook_on_start(None)
    clock.now += 0.5  # parsing and the play's start before the first task
    for role, seconds in (("preflight", 2.0), ("strimzi_kafka", 1.0), ("strimzi_kafka", 5.0), (None, 0.5),
                          ("dapr", 1.5)):
        callback.v2_playbook_on_task_start(Node(FakeRole(role) if role else None), False)
        clock.now += seconds
    callback.v2_playbook_on_stats(None)
    assert callback.stages == {"preflight": [1, 2.0], "strimzi_kafka": [2, 6.0], role_timing.OUTSIDE: [1, 0.5],
                               "dapr": [1, 1.5]}
    assert display.lines[0] == "== ROLE TIMING"
    rows = [line.split() for line in display.lines[1:]]
    assert [row[0] for row in rows] == ["role", "strimzi_kafka", "preflight", "dapr", role_timing.OUTSIDE, "total"]
    assert rows[1] == ["strimzi_kafka", "2", "6.0", "57%"]  # 6 of the run's 10.5 s
    assert rows[-1] == ["total", "5", "10.5"]


def test_rows_limits_the_table_and_sums_the_rest():
    lines = role_timing.table({"a": [3, 9.0], "b": [2, 4.0], "c": [1, 1.0]}, 15.0, rows=1)
    assert [line.split()[:3] for line in lines] == [["role", "tasks", "seconds"], ["a", "3", "9.0"],
                                                    ["(2", "more)", "3"], ["total", "6", "15.0"]]
    assert lines[2].split()[-1] == "5.0"


def test_nothing_printed_for_a_run_without_tasks():
    callback, display = role_timing.CallbackModule(), Display()
    callback._display = display
    callback.v2_playbook_on_stats(None)
    assert display.lines == []
