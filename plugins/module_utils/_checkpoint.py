# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: expectations about a cluster's objects, each judged pass or fail with what was observed and why.

An expectation names ``kind`` (``api_version`` for kinds outside the core and apps groups), ``namespace`` and
one object (``name``), several (``names``: each must exist), or every object of the kind there (optionally only those
whose labels include ``labels``; at least ``min_count`` of them, default 1). It then asks for one of:

- ``condition``: ``{type, status}`` (status default ``"True"``) in ``status.conditions``;
- ``containers``: names every matching Pod runs (containers, or init containers that keep running: native
  sidecars such as daprd with ``dapr.io/enable-native-sidecar``);
- ``field``: a dotted path (``status.addresses``) that must hold a non-empty value on every matching object; a
  failing object's reason adds its conditions that are not True (a Gateway's ``Programmed=False AddressNotAssigned``);
- nothing: the objects exist;
- ``absent: true`` instead: none of them exists any more (what is still there is named, with the finalizers it is
  being deleted behind: a load balancer, a volume).

A failure's reason names the condition's own reason and message, the object's ``status.phase`` (and
``phaseReason``) where it has one, the waiting or terminated reasons of the pods behind a workload (image pull
errors, crash loops) and the newest Warning events about the object. Every list is
read once per (kind, namespace), whatever the number of expectations.

It also holds k8s_checkpoint's argument spec and run, and the tail every check ends with (``finish``, ``verdict``): the
output, failed when a required checkpoint failed and ``fail_on_failure`` is set, which a module ends with
(``exit_module``) and the action plugin running the check in the controller's process returns.
"""

from __future__ import annotations

import time

from ansible_collections.eventstack.oke.plugins.module_utils._k8s_apply import collection_path, discovery_index
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeError, kube_auth_argspec
from ansible_collections.eventstack.oke.plugins.module_utils._netpol import selector_matches

DEFAULT_API_VERSIONS = {"Pod": "v1", "Service": "v1", "Namespace": "v1", "Node": "v1", "PersistentVolumeClaim": "v1",
                        "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1",
                        "Job": "batch/v1"}
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job")
EVENTS_SHOWN = 3


class CheckpointError(ValueError):
    pass


class Reader:
    """Lists kinds through a KubeClient, once per (api_version, kind, namespace)."""

    def __init__(self, client):
        self.client = client
        self._lists = {}
        self._index = {}

    def _plural(self, api_version, kind):
        if api_version not in self._index:
            document = self.client.discover(api_version)
            self._index[api_version] = discovery_index(document) if document else {}
        info = self._index[api_version].get(kind)
        if info is None:
            raise CheckpointError("the cluster serves no %s %s (is its CRD installed?)" % (api_version, kind))
        return info

    def items(self, api_version, kind, namespace=None):
        key = (api_version, kind, namespace)
        if key not in self._lists:
            info = self._plural(api_version, kind)
            path = collection_path(api_version, info["plural"], namespace if info["namespaced"] else None)
            try:
                listing = self.client.request("GET", path)
            except Exception as exc:  # KubeError: a namespace that does not exist has nothing
                if getattr(exc, "status", 0) == 404:
                    listing = {}
                else:
                    raise
            self._lists[key] = listing.get("items") or []
        return self._lists[key]


def _labels_match(wanted, labels):
    return selector_matches({"matchLabels": wanted or {}}, labels)


def _condition(obj, wanted):
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if condition.get("type") == wanted["type"]:
            return condition
    return None


def _pod_reasons(pods):
    reasons = []
    for pod in pods:
        name = (pod.get("metadata") or {}).get("name")
        status = pod.get("status") or {}
        for container in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
            state = container.get("state") or {}
            for kind in ("waiting", "terminated"):
                detail = state.get(kind)
                if detail and detail.get("reason") not in (None, "Completed"):
                    reasons.append("pod %s container %s %s: %s%s" % (
                        name, container.get("name"), kind, detail.get("reason"),
                        " (%s)" % detail["message"] if detail.get("message") else ""))
            if container.get("ready") is False and not state.get("waiting") and not state.get("terminated") \
                    and (container.get("restartCount") or 0) > 0:
                reasons.append("pod %s container %s not ready after %d restarts" % (
                    name, container.get("name"), container["restartCount"]))
        if not reasons and status.get("phase") == "Pending":
            for condition in status.get("conditions") or []:
                if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
                    reasons.append("pod %s unschedulable: %s" % (name, condition.get("message")))
    return reasons


def _events(reader, obj, namespace):
    name = (obj.get("metadata") or {}).get("name")
    try:
        events = reader.items("v1", "Event", namespace)
    except CheckpointError:
        return []
    warnings = [e for e in events if e.get("type") == "Warning" and (e.get("involvedObject") or {}).get("name") == name]
    warnings.sort(key=lambda e: e.get("lastTimestamp") or e.get("eventTime") or "", reverse=True)
    return ["event %s: %s" % (e.get("reason"), e.get("message")) for e in warnings[:EVENTS_SHOWN]]


def _workload_pods(reader, obj, namespace):
    selector = (((obj.get("spec") or {}).get("selector") or {}).get("matchLabels")) or {}
    if not selector:
        return []
    return [pod for pod in reader.items("v1", "Pod", namespace)
            if _labels_match(selector, (pod.get("metadata") or {}).get("labels"))]


def _why(reader, obj, kind, namespace):
    reasons = []
    status = obj.get("status") or {}
    if kind != "Pod" and status.get("phase"):
        reasons.append("phase %s%s" % (status["phase"], " - %s" % status["phaseReason"]
                                       if status.get("phaseReason") else ""))
    if kind in WORKLOADS:
        reasons += _pod_reasons(_workload_pods(reader, obj, namespace))
    elif kind == "Pod":
        reasons += _pod_reasons([obj])
    return reasons + _events(reader, obj, namespace)


def _field(obj, path):
    value = obj
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _unmet_conditions(obj):
    return ["%s=%s%s" % (c.get("type"), c.get("status"), "".join(
        " %s: %s" % (key, c[key]) for key in ("reason", "message") if c.get(key)))
        for c in (obj.get("status") or {}).get("conditions") or [] if str(c.get("status")) != "True"]


def _running_containers(pod):
    spec = pod.get("spec") or {}
    names = {c.get("name") for c in spec.get("containers") or []}
    names |= {c.get("name") for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"}
    return names


def _label(expectation):
    if expectation.get("name") or expectation.get("names"):
        what = expectation.get("name") or ", ".join(expectation["names"])
    else:
        what = "every %s%s" % (expectation["kind"], (
            " labelled %s" % ",".join("%s=%s" % item for item in sorted(expectation["labels"].items()))
            if expectation.get("labels") else ""))
    where = " in %s" % expectation["namespace"] if expectation.get("namespace") else ""
    if expectation.get("absent"):
        want = "gone"
    elif expectation.get("condition"):
        want = "%s=%s" % (expectation["condition"]["type"], expectation["condition"].get("status", "True"))
    elif expectation.get("containers"):
        want = "runs %s" % ", ".join(expectation["containers"])
    elif expectation.get("field"):
        want = "has %s" % expectation["field"]
    else:
        want = "exists"
    return "%s %s%s: %s" % (expectation["kind"], what, where, want) \
        if expectation.get("name") or expectation.get("names") else \
        "%s%s: %s" % (what, where, want)


def _judge_gone(result, items, expectation):
    """An absent expectation: none of the objects it names (name, names, or labels) exists any more. What is still
    there says whether it is being deleted and what it waits for (its finalizers: a cloud load balancer, a volume)."""
    wanted = [expectation["name"]] if expectation.get("name") else list(expectation.get("names") or [])
    left = [i for i in items if ((i.get("metadata") or {}).get("name") in wanted if wanted else
                                 _labels_match(expectation.get("labels"), (i.get("metadata") or {}).get("labels")))]
    result["observed"] = "%d still there" % len(left) if left else "gone"
    if not left:
        result["passed"] = True
        return result
    reasons = []
    for obj in sorted(left, key=lambda o: (o.get("metadata") or {}).get("name", "")):
        meta = obj.get("metadata") or {}
        if meta.get("deletionTimestamp"):
            reasons.append("%s deleting%s" % (meta.get("name"), ", waiting on %s" % ", ".join(meta["finalizers"])
                                              if meta.get("finalizers") else ""))
        else:
            reasons.append("%s not deleted" % meta.get("name"))
    result["reason"] = "; ".join(reasons)
    return result


def gone(objects):
    """Absent expectations, one per object (kind, apiVersion, namespace, name as the cluster listed it): each passes
    once that object no longer exists."""
    out = []
    for obj in objects or []:
        meta = obj.get("metadata") or {}
        expectation = {"kind": obj.get("kind"), "api_version": obj.get("apiVersion") or "v1", "name": meta.get("name"),
                       "absent": True}
        if meta.get("namespace"):
            expectation["namespace"] = meta["namespace"]
        out.append(expectation)
    return out


def judge(reader, expectation):
    """{name, required, passed, observed, reason} for one expectation."""
    kind = expectation.get("kind")
    if not kind:
        raise CheckpointError("an expectation needs a kind: %r" % expectation)
    api_version = expectation.get("api_version") or DEFAULT_API_VERSIONS.get(kind)
    if not api_version:
        raise CheckpointError("%s: give api_version (it is not a core or apps kind)" % kind)
    namespace = expectation.get("namespace")
    result = {"name": expectation.get("title") or _label(expectation), "required": expectation.get("required", True),
              "passed": False, "observed": "", "reason": ""}
    items = reader.items(api_version, kind, namespace)
    if expectation.get("absent"):
        return _judge_gone(result, items, expectation)
    if expectation.get("name"):
        items = [i for i in items if (i.get("metadata") or {}).get("name") == expectation["name"]]
        minimum = 1
    elif expectation.get("names"):
        wanted_names = list(expectation["names"])
        items = [i for i in items if (i.get("metadata") or {}).get("name") in wanted_names]
        missing = [n for n in wanted_names if n not in {(i.get("metadata") or {}).get("name") for i in items}]
        if missing:
            result["observed"] = "%d of %d found" % (len(wanted_names) - len(missing), len(wanted_names))
            result["reason"] = "not found: %s" % ", ".join(missing)
            return result
        minimum = len(wanted_names)
    else:
        items = [i for i in items if _labels_match(expectation.get("labels"), (i.get("metadata") or {}).get("labels"))]
        minimum = int(expectation.get("min_count", 1))
    if len(items) < minimum:
        result["observed"] = "%d found, %d expected" % (len(items), minimum)
        result["reason"] = "not found" if expectation.get("name") else "too few"
        return result
    failing = []
    if expectation.get("condition"):
        wanted = dict({"status": "True"}, **expectation["condition"])
        for obj in items:
            condition = _condition(obj, wanted)
            if condition is None or str(condition.get("status")) != str(wanted["status"]):
                detail = "no %s condition yet" % wanted["type"] if condition is None else "%s=%s%s" % (
                    wanted["type"], condition.get("status"), "".join(
                        " %s: %s" % (key, condition[key]) for key in ("reason", "message") if condition.get(key)))
                failing.append((obj, detail))
        result["observed"] = "%d of %d %s" % (len(items) - len(failing), len(items), wanted["type"])
    elif expectation.get("containers"):
        wanted = set(expectation["containers"])
        for obj in items:
            missing = wanted - _running_containers(obj)
            if missing:
                failing.append((obj, "runs no %s" % ", ".join(sorted(missing))))
        result["observed"] = "%d of %d pods run %s" % (
            len(items) - len(failing), len(items), ", ".join(sorted(wanted)))
    elif expectation.get("field"):
        for obj in items:
            if not _field(obj, expectation["field"]):
                failing.append((obj, "has no %s yet%s" % (expectation["field"], "".join(
                    "; " + condition for condition in _unmet_conditions(obj)))))
        result["observed"] = "%d of %d have %s" % (len(items) - len(failing), len(items), expectation["field"])
    else:
        result["observed"] = "%d found" % len(items)
    if failing:
        reasons = []
        for obj, detail in failing:
            reasons.append("%s %s" % ((obj.get("metadata") or {}).get("name"), detail))
            reasons += _why(reader, obj, kind, namespace or (obj.get("metadata") or {}).get("namespace"))
        result["reason"] = "; ".join(reasons)
        return result
    result["passed"] = True
    return result


def judge_all(client, expectations):
    reader = Reader(client)
    return [judge(reader, expectation) for expectation in expectations or []]


def failing(results):
    """The required results that did not pass."""
    return [r for r in results if r["required"] and not r["passed"]]


def describe(results, limit=0):
    """The failing required results in one line: name (observed: reason); ... Each reason cut at `limit` characters
    (0: whole)."""
    parts = []
    for result in failing(results):
        reason = result["reason"]
        if limit and len(reason) > limit:
            reason = reason[:limit - 3].rstrip() + "..."
        parts.append("%s (%s%s)" % (result["name"], result["observed"], ": " + reason if reason else ""))
    return "; ".join(parts)


def progress(results):
    """What a wait shows while it lasts: how many expectations pass, and the pending ones with short reasons."""
    pending = failing(results)
    required = [r for r in results if r["required"]]
    return "%d of %d ready; pending: %s" % (len(required) - len(pending), len(required), describe(results, 160))


def evidence_cause(line):
    """Whether an evidence line says why a checkpoint failed (a probe's FAIL lines and its "the check ..." lines)."""
    return line.startswith(("FAIL", "the check"))


def verdict(output, msg, fail_on_failure):
    """output, failed with msg when output["passed"] is false and fail_on_failure is set (what the module or the action
    plugin running the check in the controller's process answers)."""
    if not output["passed"] and fail_on_failure:
        output = dict(output, failed=True, msg=msg)
    return output


def finish(params, client, checkpoints, started, cause=evidence_cause):
    """The answer of a checkpoint check: passed when every required checkpoint passed; the output names the
    checkpoints, the client's requests and the seconds since `started` (time.monotonic()); a failure (when
    params["fail_on_failure"]) says "failing: " and, per failed required checkpoint, its name and the evidence lines
    `cause` picks."""
    passed = all(c["passed"] for c in checkpoints if c["required"])
    output = dict(changed=False, checkpoints=checkpoints, passed=passed, requests=client.requests,
                  elapsed=round(time.monotonic() - started, 3))
    return verdict(output, "failing: %s" % "; ".join(
        "%s (%s)" % (c["name"], " | ".join(line for line in c["evidence"] if cause(line)))
        for c in checkpoints if c["required"] and not c["passed"]), params["fail_on_failure"])


def exit_module(module, output):
    """End a check module with the answer its run gave: fail_json when it failed, else exit_json."""
    if output.get("failed"):
        module.fail_json(**{key: value for key, value in output.items() if key != "failed"})
    module.exit_json(**output)


ARGUMENT_SPEC = kube_auth_argspec(
    expectations=dict(type="list", elements="dict", required=True),
    fail_on_failure=dict(type="bool", default=True),
    # The wait runs in the action plugin (plugins/action/k8s_checkpoint.py); a run of the check judges once.
    wait_timeout=dict(type="int", default=0),
    wait_interval=dict(type="int", default=10),
    progress_interval=dict(type="int", default=30),
    wait_setting=dict(type="str", default="wait_timeout"),
)


def check(params, connect, check_mode=False):  # pylint: disable=unused-argument
    """k8s_checkpoint's answer (the module's or, on the controller, the action plugin's): every expectation judged once
    through the client connect() returns. It only reads, so check mode changes nothing."""
    started = time.monotonic()
    client = connect()
    try:
        results = judge_all(client, params["expectations"])
    except KubeError as exc:
        return dict(failed=True, msg=str(exc), requests=client.requests)
    except (CheckpointError, KeyError, TypeError, ValueError) as exc:
        return dict(failed=True, msg="cannot check: %s" % exc, requests=client.requests)
    passed = all(r["passed"] for r in results if r["required"])
    output = dict(changed=False, results=results, passed=passed, requests=client.requests,
                  elapsed=round(time.monotonic() - started, 3))
    return verdict(output, "%d of %d checkpoints failed: %s" % (len(failing(results)), len(results), describe(results)),
                   params["fail_on_failure"])
