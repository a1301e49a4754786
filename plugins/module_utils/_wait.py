# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller-side wait loop of the action plugins that wait with progress (oci_wait, k8s_checkpoint): look until
done, failed or out of time, and show what is awaited, its state and the elapsed time whenever the state changes and
at least every `progress` seconds, so a user never stares at a silent task."""

from __future__ import annotations

import time


def elapsed(seconds):
    """42s, 3m07s."""
    seconds = int(seconds)
    return "%dm%02ds" % divmod(seconds, 60) if seconds >= 60 else "%ds" % seconds


def poll(look, timeout, interval, progress, show, clock=time.monotonic, sleep=time.sleep):
    """Call look() until its answer has done or failed set, or `timeout` seconds have passed.

    look() -> dict with `done`, `failed` and `summary` (the state in one line). show(line) gets
    "waiting (<elapsed>): <summary>" for every look that is not the end, when the summary differs from the last one
    shown or `progress` seconds have passed since, and "done (<elapsed>): <summary>" when it ends done after more than
    one look. Returns (last answer, seconds waited, looks, timed_out)."""
    started = clock()
    shown, shown_at = None, None
    looks = 0
    while True:
        looks += 1
        answer = look()
        waited = clock() - started
        if answer.get("failed") or answer.get("done"):
            if answer.get("done") and looks > 1:
                show("  done (%s): %s" % (elapsed(waited), answer.get("summary", "")))
            return answer, waited, looks, False
        summary = answer.get("summary", "")
        if summary != shown or shown_at is None or clock() - shown_at >= progress:
            show("  waiting (%s): %s" % (elapsed(waited), summary))
            shown, shown_at = summary, clock()
        if waited >= timeout:
            return answer, waited, looks, True
        sleep(min(interval, max(timeout - waited, 0.1)))
