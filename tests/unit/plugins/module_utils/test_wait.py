"""The controller-side wait loop: progress lines on every change and at least every `progress` seconds, a done line,
the timeout, a failure ending the wait at once."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _wait


@pytest.fixture()
def run(clock):
    """run(answers, timeout, interval, progress): poll over the answers in turn (the last one repeated) on the fake
    clock; returns (poll's result, lines shown, the times of the looks)."""
    def run_(answers, timeout=100, interval=10, progress=30):
        shown, asked = [], []

        def look():
            asked.append(clock.now)
            return answers[min(len(asked), len(answers)) - 1]
        result = _wait.poll(look, timeout, interval, progress, shown.append, clock=clock, sleep=clock.sleep)
        return result, shown, asked
    return run_


def test_elapsed_reads_like_a_clock():
    assert [_wait.elapsed(s) for s in (5, 60, 754)] == ["5s", "1m00s", "12m34s"]


def test_done_at_once_prints_nothing(run):
    (last, waited, looks, timed_out), shown, _asked = run([{"done": True, "summary": "ready"}])
    assert (last["summary"], waited, looks, timed_out, shown) == ("ready", 0, 1, False, [])


def test_progress_on_every_change_and_at_least_every_interval_then_done(run):
    answers = [{"summary": "a"}] * 5 + [{"summary": "b"}] * 3 + [{"done": True, "summary": "c"}]
    (last, waited, looks, timed_out), shown, asked = run(answers, progress=30)
    assert asked == [0, 10, 20, 30, 40, 50, 60, 70, 80]
    assert shown == ["  waiting (0s): a", "  waiting (30s): a", "  waiting (50s): b", "  done (1m20s): c"]
    assert (last["summary"], waited, looks, timed_out) == ("c", 80, 9, False)


def test_timeout_returns_the_last_answer_and_never_sleeps_past_it(run):
    (last, waited, looks, timed_out), shown, asked = run([{"summary": "pending"}], timeout=25, interval=10)
    assert asked == [0, 10, 20, 25] and timed_out and waited == 25 and looks == 4
    assert last == {"summary": "pending"} and shown == ["  waiting (0s): pending"]  # unchanged, under 30 s


def test_a_failure_ends_the_wait_without_a_done_line(run):
    answers = [{"summary": "a"}, {"failed": True, "msg": "cannot read"}]
    (last, _waited, looks, timed_out), shown, _asked = run(answers)
    assert last["failed"] and looks == 2 and not timed_out and shown == ["  waiting (0s): a"]
