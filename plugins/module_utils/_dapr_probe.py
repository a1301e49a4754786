# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: checkpoints of Dapr's building blocks, asked through the daprd sidecars of the running apps (the
dapr_probe module).

Every request goes to a sidecar's HTTP API (port 3500, localhost only) through the API server's pods/portforward, as
event_flow_probe does, so no NetworkPolicy is opened for them. Each check takes a KubeClient and its settings and
returns a checkpoint ``{name, required, passed, seconds, evidence}``:

- ``state``: save, get and delete a probe key through ``/v1.0/state/<store>`` from the sidecar of an app-id the
  store is meant for (the first one with a running sidecar), with each round trip in ms; Dapr's error (e.g.
  ERR_STATE_STORE_NOT_FOUND when the Component's scopes leave the app out) is the evidence, with the scopes;
- ``store_reads`` (secrets): ``GET /v1.0/secrets/<store>/<key>`` for each Secret an app reads; the evidence names the keys of the
  answer, never a value;
- ``invocation``: ``/v1.0/invoke/<app-id>/method/<method>`` from one sidecar to another, and the Resiliency that
  applies to the call. Dapr's metadata API (``/v1.0/metadata``) lists components, subscriptions and HTTP endpoints but
  not Resiliency objects; the sidecar loads them when it starts (Kubernetes mode: from the operator, those whose
  scopes name its app-id or are empty). So the Resiliency is read through the Kubernetes API and judged loaded when it
  is scoped to the caller, targets the callee with policies it defines, and existed before the caller's pod started;
- ``jobs``: schedule a one-shot job (``dueTime``) through the Jobs API (``/v1.0-alpha1/jobs``); a one-shot job is
  removed from the Scheduler once triggered, so ``GET`` answering "not found" after its due time shows the trigger
  (the app's ``POST /job/<name>`` itself cannot be seen from outside); a second job, due much later, is deleted and
  must be gone.
"""

from __future__ import annotations

import datetime
import json
import time
import uuid

from ansible_collections.eventstack.oke.plugins.module_utils._checkpoint import finish
from ansible_collections.eventstack.oke.plugins.module_utils._event_probe import DAPR_HTTP_PORT, ProbeError, pick_pod
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeError, kube_auth_argspec

DAPR_API = "/apis/dapr.io/v1alpha1/namespaces/%s/%s/%s"
PROBE_PREFIX = "eventstack-verify-"


class DaprAnswer(Exception):
    """A sidecar answered with an unexpected status; str() is the evidence."""


def _ms(seconds):
    return int(round(seconds * 1000))


def dapr_error(status, body):
    """Dapr's error answer {errorCode, message} as one line (the body as text when it is not that)."""
    try:
        decoded = json.loads(body or b"{}")
    except (TypeError, ValueError):
        decoded = None
    if isinstance(decoded, dict) and ("errorCode" in decoded or "message" in decoded):
        code = decoded.get("errorCode") or ""
        return "HTTP %s%s: %s" % (status, " " + code if code else "", decoded.get("message", ""))
    return "HTTP %s: %s" % (status, (body or b"").decode("utf-8", "replace")[:300])


class Sidecar:
    """The daprd HTTP API of one running pod of an app-id, each call timed."""

    def __init__(self, client, namespace, app_id, clock=None):
        self.client, self.namespace, self.app_id = client, namespace, app_id
        self.clock = clock or time.monotonic
        self.pod = pick_pod(client, namespace, app_id=app_id)

    def call(self, method, path, payload=None):
        """(status, body bytes, seconds); raises DaprAnswer when the sidecar cannot be reached."""
        body = None if payload is None else json.dumps(payload).encode()
        started = self.clock()
        try:
            status, answer = self.client.pod_http(self.namespace, self.pod, DAPR_HTTP_PORT, method, path, body)
        except KubeError as exc:
            raise DaprAnswer("cannot reach the daprd sidecar of %s: %s" % (self.pod, exc.reason)) from exc
        return status, answer, self.clock() - started

    def expect(self, method, path, statuses, payload=None, what=""):
        status, answer, seconds = self.call(method, path, payload)
        if status not in statuses:
            raise DaprAnswer("%s %s: %s" % (what or method, path, dapr_error(status, answer)))
        return status, answer, seconds


def first_sidecar(client, namespace, app_ids, clock=None):
    """The sidecar of the first app-id with a running pod; ProbeError naming why none when none has."""
    reasons = []
    for app_id in app_ids:
        try:
            return Sidecar(client, namespace, app_id, clock)
        except ProbeError as exc:
            reasons.append(str(exc))
    raise ProbeError("; ".join(reasons) or "no app-id given")


def _component_scopes(client, namespace, name):
    """A line naming a Component's scopes (what decides which sidecars load it), or why it cannot be read."""
    try:
        component = client.request("GET", DAPR_API % (namespace, "components", name))
    except KubeError as exc:
        return "Component %s/%s: %s" % (namespace, name, "not found" if exc.status == 404 else exc.reason)
    scopes = ", ".join(component.get("scopes") or []) or "none (every app-id)"
    kind = (component.get("spec") or {}).get("type", "?")
    return "Component %s/%s (%s) scopes: %s" % (namespace, name, kind, scopes)


def state(client, spec, clock=None, new_key=None):
    namespace, store = spec["namespace"], spec["store"]
    try:
        sidecar = first_sidecar(client, namespace, spec["app_ids"], clock)
    except ProbeError as exc:
        return False, ["FAIL no sidecar to ask for state store %s: %s" % (store, exc)]
    key = (new_key or (lambda: PROBE_PREFIX + uuid.uuid4().hex[:12]))()
    value = {"probe": key}
    base = "/v1.0/state/%s" % store
    where = "%s (pod %s) -> state store %s" % (sidecar.app_id, sidecar.pod, store)
    timings = []
    try:
        timings.append(("save", sidecar.expect("POST", base, (200, 204), [{"key": key, "value": value}], "save")[2]))
        _status, answer, seconds = sidecar.expect("GET", "%s/%s" % (base, key), (200,), what="get")
        timings.append(("get", seconds))
        if json.loads(answer or b"null") != value:
            raise DaprAnswer("get %s/%s answered another value than the one saved" % (base, key))
        timings.append(("delete", sidecar.expect("DELETE", "%s/%s" % (base, key), (200, 204), what="delete")[2]))
        status, _answer, _seconds = sidecar.call("GET", "%s/%s" % (base, key))
        if status != 204:
            raise DaprAnswer("the key is still there after the delete: get answered HTTP %s, not 204" % status)
    except DaprAnswer as exc:
        return False, ["FAIL %s: %s" % (where, exc), _component_scopes(client, namespace, store)]
    total = sum(seconds for _name, seconds in timings)
    return True, ["pass %s: saved, read back and deleted key %s in %d ms (%s)" % (
        where, key, _ms(total), ", ".join("%s %d ms" % (name, _ms(seconds)) for name, seconds in timings))]


def secrets(client, spec, clock=None):
    namespace, store = spec["namespace"], spec["store"]
    lines, passed = [], True
    for reader in spec["readers"]:
        try:
            sidecar = Sidecar(client, namespace, reader["app_id"], clock)
        except ProbeError as exc:
            lines.append("FAIL no sidecar of %s to read secret store %s: %s" % (reader["app_id"], store, exc))
            passed = False
            continue
        for key in reader["names"]:
            status, answer, seconds = sidecar.call("GET", "/v1.0/secrets/%s/%s" % (store, key))
            if status == 200:
                names = sorted(json.loads(answer or b"{}"))
                lines.append("pass %s reads %s/%s in %d ms: key(s) %s (values not shown)" % (
                    sidecar.app_id, store, key, _ms(seconds), ", ".join(names) or "none"))
            else:
                passed = False
                lines.append("FAIL %s cannot read secret %s from store %s: %s" % (
                    sidecar.app_id, key, store, dapr_error(status, answer)))
    if not passed:
        lines.append(_component_scopes(client, namespace, store))
    return passed, lines


def _timestamp(value):
    """An RFC 3339 UTC timestamp of the API server (fractions dropped) as a naive datetime."""
    return datetime.datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S") if value else None


def _resiliency(client, namespace, name, caller, callee, pod_started):
    """(passed, line): whether the Resiliency applies to caller -> callee and was there when the caller started."""
    try:
        resiliency = client.request("GET", DAPR_API % (namespace, "resiliencies", name))
    except KubeError as exc:
        return False, "FAIL Resiliency %s/%s: %s" % (namespace, name, "not found" if exc.status == 404 else exc.reason)
    spec = resiliency.get("spec") or {}
    scopes = resiliency.get("scopes") or []
    if scopes and caller not in scopes:
        return False, "FAIL Resiliency %s is not loaded by %s: its scopes are %s" % (name, caller, ", ".join(scopes))
    target = ((spec.get("targets") or {}).get("apps") or {}).get(callee)
    if not target:
        return False, "FAIL Resiliency %s has no target for app %s: calls to it get no timeout, retry or breaker" % (
            name, callee)
    kinds = {"timeout": "timeouts", "retry": "retries", "circuitBreaker": "circuitBreakers"}
    policies = spec.get("policies") or {}
    undefined = ["%s %s" % (field, target[field]) for field, kind in kinds.items()
                 if target.get(field) and target[field] not in (policies.get(kind) or {})
                 and not (field == "timeout" and str(target[field])[:1].isdigit())]
    if undefined:
        return False, "FAIL Resiliency %s targets %s with undefined policies: %s" % (name, callee, ", ".join(undefined))
    created = _timestamp((resiliency.get("metadata") or {}).get("creationTimestamp"))
    applied = ", ".join("%s %s" % (field, target[field]) for field in kinds if target.get(field))
    if created and pod_started and created > pod_started:
        return False, ("FAIL Resiliency %s was created after the sidecar of %s started (%s > %s): daprd loads "
                       "Resiliency objects at start, so it is not applied until the pod restarts" % (
                           name, caller, created.isoformat(), pod_started.isoformat()))
    return True, "pass Resiliency %s applies to %s -> %s (%s), loaded at sidecar start" % (
        name, caller, callee, applied)


def invocation(client, spec, clock=None):
    namespace, lines, passed = spec["namespace"], [], True
    for call in spec["calls"]:
        caller, callee, method = call["from"], call["to"], call.get("method") or "health"
        try:
            sidecar = Sidecar(client, namespace, caller, clock)
        except ProbeError as exc:
            lines.append("FAIL no sidecar of %s to invoke %s from: %s" % (caller, callee, exc))
            passed = False
            continue
        status, answer, seconds = sidecar.call("GET", "/v1.0/invoke/%s/method/%s" % (callee, method))
        if 200 <= status < 300:
            lines.append("pass %s -> %s /%s: HTTP %s in %d ms" % (caller, callee, method, status, _ms(seconds)))
        else:
            passed = False
            lines.append("FAIL %s -> %s /%s: %s" % (caller, callee, method, dapr_error(status, answer)))
        status, answer, _seconds = sidecar.call("GET", "/v1.0/metadata")
        started = None
        if status == 200:
            metadata = json.loads(answer or b"{}")
            lines.append("%s sidecar metadata: app-id %s, Dapr %s, %d component(s) loaded" % (
                caller, metadata.get("id"), metadata.get("runtimeVersion", "?"), len(metadata.get("components") or [])))
            pod = client.request("GET", "/api/v1/namespaces/%s/pods/%s" % (namespace, sidecar.pod))
            started = _timestamp((pod.get("status") or {}).get("startTime")
                                 or (pod.get("metadata") or {}).get("creationTimestamp"))
        else:
            lines.append("%s sidecar metadata: %s" % (caller, dapr_error(status, answer)))
        if spec.get("resiliency"):
            ok, line = _resiliency(client, namespace, spec["resiliency"], caller, callee, started)
            passed = passed and ok
            lines.append(line)
    return passed, lines


def _job_gone(status, answer):
    """Dapr answers GET of a job that does not exist with HTTP 500 and a message saying not found (Jobs API)."""
    return status == 500 and b"not found" in (answer or b"").lower()


def jobs(client, spec, clock=None, new_name=None):
    namespace, app_id = spec["namespace"], spec["app_id"]
    clock = clock or time.monotonic
    due, wait, interval = float(spec.get("due_seconds", 2)), float(spec.get("wait", 30)), float(spec.get("interval", 1))
    try:
        sidecar = Sidecar(client, namespace, app_id, clock)
    except ProbeError as exc:
        return False, ["FAIL no sidecar to schedule jobs from: %s" % exc]
    name = (new_name or (lambda: PROBE_PREFIX + uuid.uuid4().hex[:12]))()
    path = "/v1.0-alpha1/jobs/%s" % name
    lines = []
    try:
        _status, _answer, seconds = sidecar.expect("POST", path, (204,), {
            "dueTime": "%gs" % due, "data": {"probe": name}}, "schedule")
        scheduled = clock()
        lines.append("%s (pod %s) scheduled one-shot job %s due in %g s (%d ms)" % (
            app_id, sidecar.pod, name, due, _ms(seconds)))
        deadline = scheduled + due + wait
        while True:
            status, answer, _seconds = sidecar.call("GET", path)
            now = clock()
            if _job_gone(status, answer) and now - scheduled >= due * 0.5:
                lines.insert(0, "pass job %s triggered: gone from the Scheduler %.1f s after scheduling" % (
                    name, now - scheduled))
                break
            if status != 200 and not _job_gone(status, answer):
                raise DaprAnswer("get %s: %s" % (path, dapr_error(status, answer)))
            if _job_gone(status, answer):
                raise DaprAnswer("job %s was gone %.1f s after scheduling, before its due time" % (name, now - scheduled))
            if now >= deadline:
                raise DaprAnswer("job %s never triggered: still scheduled %.1f s after scheduling (due in %g s)" % (
                    name, now - scheduled, due))
            client.sleep(min(interval, max(0.0, deadline - now)))
        later = name + "-delete"
        sidecar.expect("POST", "/v1.0-alpha1/jobs/%s" % later, (204,), {"dueTime": "1h"}, "schedule")
        seconds = sidecar.expect("DELETE", "/v1.0-alpha1/jobs/%s" % later, (204,), what="delete")[2]
        status, answer, _seconds = sidecar.call("GET", "/v1.0-alpha1/jobs/%s" % later)
        if not _job_gone(status, answer):
            raise DaprAnswer("job %s is still there after its delete: get answered HTTP %s" % (later, status))
        lines.append("job %s (due in 1 h) deleted in %d ms: get then answers %s" % (
            later, _ms(seconds), dapr_error(status, answer)))
    except DaprAnswer as exc:
        sidecar.call("DELETE", path)  # nothing left behind, whatever happened
        return False, ["FAIL %s" % exc] + lines
    return True, lines


def run(name, required, check, client, spec, clock=None):
    """The checkpoint of ``check(client, spec)``; an error that stops the check fails it with the error."""
    started = time.monotonic()
    try:
        passed, evidence = check(client, spec, clock=clock)
    except Exception as exc:  # KubeError and whatever a malformed answer raises: the check could not run
        passed, evidence = False, ["the check could not run: %s: %s" % (type(exc).__name__, exc)]
    return {"name": name, "required": required, "passed": bool(passed), "seconds": round(time.monotonic() - started, 3),
            "evidence": evidence}


# key: (checkpoint name, required, check, writes to the cluster)
CHECKS = {"state": ("State saved, read and deleted through a scoped Dapr sidecar", True, state, True),
          "store_reads": ("Apps read their secrets through Dapr", True, secrets, False),
          "invocation": ("Service invocation between apps, with the Resiliency applied", True, invocation, False),
          "jobs": ("A Dapr job is scheduled, triggered and deleted", True, jobs, True)}


def run_all(client, settings, check_mode=False, clock=None):
    """The checkpoints of every check whose settings are given, in CHECKS order; in check mode the ones that write
    (state, jobs) are reported as skipped, passing."""
    checkpoints = []
    for key, (name, required, check, writes) in CHECKS.items():
        spec = settings.get(key)
        if not spec:
            continue
        spec = dict(spec, namespace=spec.get("namespace") or settings["namespace"])
        if writes and check_mode:
            checkpoints.append({"name": name, "required": spec.get("required", required), "passed": True,
                                "seconds": 0.0, "evidence": ["skipped in check mode: it would write"]})
            continue
        checkpoints.append(run(name, spec.get("required", required), check, client, spec, clock))
    return checkpoints


ARGUMENT_SPEC = kube_auth_argspec(namespace=dict(type="str", required=True),
                                  fail_on_failure=dict(type="bool", default=True),
                                  **{key: dict(type="dict") for key in CHECKS})


def check(params, connect, check_mode=False):
    """dapr_probe's answer (the module's or, on the controller, the action plugin's): the checkpoints of the checks
    given, through the client connect() returns."""
    started = time.monotonic()
    client = connect()
    return finish(params, client, run_all(client, params, check_mode=check_mode), started)
