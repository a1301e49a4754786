# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the verify role's evidence lines and its report.

``evidence(result, kind)`` turns a check module's result into the lines a reader needs (what was checked, the
figures, every failure with its reason); ``report(checkpoints, environment, mode, generated)`` gives the verdict
and the report as JSON, Markdown and a self-contained HTML page. A checkpoint is ``{name, required, passed,
evidence, seconds}``; the verdict fails when a required checkpoint fails.
"""

from __future__ import annotations

import html
import json
from decimal import Decimal

from ansible_collections.eventstack.oke.plugins.module_utils._capacity import show

# How many allowed-but-not-intended flows the evidence lists by name (the count is always given).
UNEXPECTED_SHOWN = 10


def _gib(value):
    return show(Decimal(str(value)), "memory")


def _cpu(value):
    return show(Decimal(str(value)), "cpu")


def _reachability(result):
    summary = result.get("summary") or {}
    lines = ["%d intended flows allowed, %d blocked, %d unresolved, over %d policies and %d endpoints" % (
        summary.get("allowed_intended", 0), summary.get("blocked", 0), summary.get("unresolved", 0),
        summary.get("policies", 0), summary.get("endpoints", 0))]
    lines += ["blocked: %s (%s -> %s:%s/%s): %s" % (
        f["flow"], f["from"], f["to"], f["port"], f.get("protocol", "TCP"), f["reason"])
        for f in result.get("blocked") or []]
    lines += ["unresolved: %s names no existing %s" % (f["flow"], f["missing"]) for f in result.get("unresolved") or []]
    lines += ["stranded: %s %s is isolated by %s and no intended flow names it, so everything it does is denied" % (
        s["kind"], s["pod"], ", ".join(s["isolated_by"])) for s in result.get("stranded") or []]
    unexpected = result.get("unexpected") or []
    if unexpected:
        lines.append("%d flows allowed that nobody asked for (information)%s" % (
            len(unexpected), ", e.g." if len(unexpected) > UNEXPECTED_SHOWN else ":"))
        lines += ["  %s -> %s:%s/%s" % (f["from"], f["to"], f["port"], f["protocol"])
                  for f in unexpected[:UNEXPECTED_SHOWN]]
    return lines


def _capacity(result):
    requests, allocatable = result["requests"]["requests"], result["allocatable"]
    nodes = result.get("nodes") or []
    lines = ["%d pods request %s CPU / %s of %s CPU / %s allocatable on %d node(s): %s CPU / %s headroom" % (
        result.get("pods", 0), _cpu(requests["cpu"]), _gib(requests["memory"]), _cpu(allocatable["cpu"]),
        _gib(allocatable["memory"]), len(nodes), _cpu(result["headroom"]["cpu"]), _gib(result["headroom"]["memory"]))]
    budget = result.get("budget_headroom") or {}
    if budget:
        lines.append("budget (eventstack_budget) headroom: %s" % ", ".join(
            ("%s CPU" % _cpu(budget[name])) if name == "cpu" else _gib(budget[name])
            for name in ("cpu", "memory") if name in budget))
    for namespace, entry in sorted((result.get("namespaces") or {}).items()):
        if entry.get("quota"):
            lines.append("%s: %d pods; quota headroom %s" % (namespace, entry["pods"], ", ".join(
                "%s %s" % (key, _gib(value) if "memory" in key else (value if key == "pods" else _cpu(value)))
                for key, value in sorted(entry["headroom"].items()))))
    lines += ["problem: %s" % problem for problem in result.get("problems") or []]
    return lines


def _checkpoint(result):
    lines = []
    for item in result.get("results") or []:
        lines.append("%s %s: %s" % ("pass" if item["passed"] else "FAIL", item["name"], item["observed"]))
        if not item["passed"] and item.get("reason"):
            lines.append("  why: %s" % item["reason"])
    return lines


def _oke(result):
    cluster = result.get("cluster") or {}
    lines = ["cluster %s %s, Kubernetes %s" % (cluster.get("name"), cluster.get("lifecycle_state"),
                                               cluster.get("kubernetes_version"))]
    for pool in result.get("node_pools") or []:
        nodes = pool.get("nodes") or []
        lines.append("node pool %s %s: %d of %d nodes ACTIVE" % (
            pool.get("name"), pool.get("lifecycle_state"),
            sum(1 for node in nodes if node.get("lifecycle_state") == "ACTIVE"), len(nodes)))
    lines += ["problem: %s" % problem for problem in result.get("problems") or []]
    return lines


def _pod_security(result):
    summary = result.get("summary") or {}
    levels = ", ".join("%s %s" % item for item in sorted((result.get("namespaces") or {}).items()))
    lines = ["%d pod groups judged, %d refused; namespaces enforce: %s" % (
        summary.get("pods", 0), summary.get("refused", 0), levels or "none rendered")]
    for refused in result.get("refused") or []:
        lines.append("refused: %s (from %s)%s" % (refused["message"], refused["owner"], " [rules: %s]" % ", ".join(
            refused["rules"]) if refused.get("rules") else ""))
    return lines


def _probe(result):
    return list(result.get("evidence") or [])


def _enforcement(result):
    lines = list(result.get("evidence") or [])
    if not result.get("passed") and result.get("required") is False:
        lines.append("not required: hardening_cni_enforces_policies is false (nothing is expected to enforce them)")
    return lines


# kind -> (the lines, the key a result that ran always has).
EVIDENCE = {"reachability": (_reachability, "summary"), "capacity": (_capacity, "allocatable"),
            "probe": (_probe, "evidence"), "checkpoint": (_checkpoint, "results"), "oke": (_oke, "cluster"),
            "pod_security": (_pod_security, "summary"), "enforcement": (_enforcement, "evidence")}


def evidence(result, kind):
    if kind not in EVIDENCE:
        raise ValueError("no evidence for %r; one of %s" % (kind, ", ".join(sorted(EVIDENCE))))
    lines, key = EVIDENCE[kind]
    result = result or {}
    if result.get("skipped"):
        return ["skipped: %s" % result.get("skip_reason", "not applicable")]
    if key not in result:
        return ["the check could not run: %s" % result.get("msg", "unknown error")]
    return lines(result)


def verdict(checkpoints):
    failed = [c["name"] for c in checkpoints if c.get("required") and not c.get("passed")]
    return {"passed": not failed, "failed_required": failed,
            "summary": "%s: %d of %d checkpoints passed%s" % (
                "PASS" if not failed else "FAIL", sum(1 for c in checkpoints if c.get("passed")), len(checkpoints),
                "" if not failed else "; required and failing: " + ", ".join(failed))}


def _markdown(data):
    lines = ["# Verification report: %s (%s mode)" % (data["environment"], data["mode"]), "",
             "Generated %s. **%s**" % (data["generated"], data["verdict"]["summary"]), "",
             "| checkpoint | required | result | seconds |", "|---|---|---|---|"]
    for point in data["checkpoints"]:
        lines.append("| %s | %s | %s | %s |" % (
            point["name"], "yes" if point["required"] else "no", "pass" if point["passed"] else "**FAIL**",
            point.get("seconds", "")))
    for point in data["checkpoints"]:
        lines += ["", "## %s: %s" % (point["name"], "pass" if point["passed"] else "FAIL"), ""]
        lines += ["- %s" % line.replace("|", "\\|") for line in point.get("evidence") or []]
    return "\n".join(lines) + "\n"


_STYLE = ("body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#1b1f24}"
          "table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left}"
          ".pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}"
          "pre{background:#f6f8fa;padding:.6rem;white-space:pre-wrap}")


def _html(data):
    esc = html.escape
    state = "pass" if data["verdict"]["passed"] else "fail"
    rows = "".join("<tr><td>%s</td><td>%s</td><td class=\"%s\">%s</td><td>%s</td></tr>" % (
        esc(p["name"]), "yes" if p["required"] else "no", "pass" if p["passed"] else "fail",
        "pass" if p["passed"] else "FAIL", esc(str(p.get("seconds", "")))) for p in data["checkpoints"])
    sections = "".join("<h2>%s: <span class=\"%s\">%s</span></h2><pre>%s</pre>" % (
        esc(p["name"]), "pass" if p["passed"] else "fail", "pass" if p["passed"] else "FAIL",
        esc("\n".join(p.get("evidence") or []))) for p in data["checkpoints"])
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title><style>%s</style>"
            "</head><body><h1>Verification report: %s (%s mode)</h1><p>Generated %s. <span class=\"%s\">%s</span></p>"
            "<table><tr><th>checkpoint</th><th>required</th><th>result</th><th>seconds</th></tr>%s</table>%s"
            "</body></html>\n") % (
        esc("eventstack %s: %s" % (data["environment"], "PASS" if data["verdict"]["passed"] else "FAIL")), _STYLE,
        esc(data["environment"]), esc(data["mode"]), esc(data["generated"]), state, esc(data["verdict"]["summary"]),
        rows, sections)


def report(checkpoints, environment, mode, generated):
    """{verdict, json, markdown, html} of the checkpoints."""
    data = {"environment": environment, "mode": mode, "generated": generated, "verdict": verdict(checkpoints),
            "checkpoints": checkpoints}
    return {"verdict": data["verdict"], "json": json.dumps(data, indent=2, sort_keys=True) + "\n",
            "markdown": _markdown(data), "html": _html(data)}
