# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: role_timing
type: aggregate
short_description: End a run with the time each role took
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - At the end of a playbook run, prints one line per role - the tasks it started and the seconds they took, with
    their share of the run - slowest first, then the whole run's wall time.
  - A task counts for the outermost role it runs in, so the tasks of
    C(eventstack.oke.helm_releases) included by C(eventstack.oke.strimzi_kafka) count for C(strimzi_kafka). Tasks
    outside any role count as C((play)).
  - A task's time runs from its start to the start of the next task (or the end of the run), as
    C(ansible.posix.profile_tasks) measures it, so it includes the time spent on every host.
  - The collection's C(ansible.cfg) enables it; elsewhere add C(eventstack.oke.role_timing) to
    C(callbacks_enabled).
requirements:
  - enable in configuration (C(callbacks_enabled))
options:
  role_timing_rows:
    description: How many roles to show (the slowest); 0 shows every role.
    type: int
    default: 0
    env:
      - name: EVENTSTACK_ROLE_TIMING_ROWS
    ini:
      - section: callback_role_timing
        key: rows
"""

import time

from ansible.plugins.callback import CallbackBase

OUTSIDE = "(play)"


def stage_of(task):
    """The short name of the outermost role a task runs in (following include_role and blocks), or OUTSIDE."""
    outermost = None
    node, seen = task, 0
    while node is not None and seen < 100:
        role = getattr(node, "_role", None)
        if role is not None:
            outermost = role
        node = getattr(node, "_parent", None)
        seen += 1
    if outermost is None:
        return OUTSIDE
    name = outermost.get_name(include_role_fqcn=False) if hasattr(outermost, "get_name") else str(outermost)
    return name.rsplit(".", 1)[-1]


def table(stages, wall, rows=0):
    """The lines printed at the end: stages is {name: [tasks, seconds]}, wall the run's seconds."""
    ordered = sorted(stages.items(), key=lambda item: (-item[1][1], item[0]))
    shown = ordered[:rows] if rows > 0 else ordered
    hidden = [counts for name, counts in ordered[len(shown):]]
    width = max([len(name) for name, counts in shown] + [len("role"), len("total"), len("(99 more)")])
    lines = ["%s %6s %9s %6s" % ("role".ljust(width), "tasks", "seconds", "share")]
    for name, (tasks, seconds) in shown:
        lines.append("%s %6d %9.1f %5.0f%%" % (name.ljust(width), tasks, seconds, 100.0 * seconds / wall if wall else 0))
    if hidden:
        more = "(%d more)" % len(hidden)
        lines.append("%s %6d %9.1f" % (more.ljust(width), sum(c[0] for c in hidden), sum(c[1] for c in hidden)))
    lines.append("%s %6d %9.1f" % ("total".ljust(width), sum(c[0] for c in stages.values()), wall))
    return lines


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "eventstack.oke.role_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, clock=time.monotonic):
        super().__init__()
        self._clock = clock
        self._started = None
        self._current = None  # (stage, started)
        self.stages = {}

    def _close(self):
        now = self._clock()
        if self._current is not None:
            stage, started = self._current
            self.stages.setdefault(stage, [0, 0.0])[1] += now - started
            self._current = None
        return now

    def _start(self, task):
        now = self._close()
        if self._started is None:
            self._started = now
        stage = stage_of(task)
        self.stages.setdefault(stage, [0, 0.0])[0] += 1
        self._current = (stage, now)

    def v2_playbook_on_start(self, playbook):
        self._started = self._clock()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task)

    def v2_playbook_on_stats(self, stats):
        now = self._close()
        if not self.stages:
            return
        try:
            rows = int(self.get_option("role_timing_rows") or 0)
        except (KeyError, TypeError, ValueError):
            rows = 0
        self._display.banner("ROLE TIMING")
        for line in table(self.stages, now - (self._started if self._started is not None else now), rows):
            self._display.display(line)
