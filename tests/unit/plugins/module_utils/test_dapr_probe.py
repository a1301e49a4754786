"""dapr_probe's checks over a fake API and fake sidecars: the evidence of what passes and what fails, and never a
Secret's value (the checks against the daprd stand-in are in tests/support/test_dapr_api.py)."""

from __future__ import annotations

import json

from ansible_collections.eventstack.oke.plugins.module_utils import _dapr_probe
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeError

NS = "todo-app"


def pod(app_id, created="2026-12-05T04:00:00Z"):
    return {"metadata": {"name": app_id + "-0", "namespace": NS, "annotations": {"dapr.io/app-id": app_id},
                         "creationTimestamp": created},
            "spec": {"containers": [{"name": "app"}, {"name": "daprd"}]}, "status": {"phase": "Running"}}


class FakeClient:
    """Pods and Dapr objects by path; ``answer(pod, method, path, body)`` plays the sidecars."""

    def __init__(self, pods, answer, objects=None):
        self.pods, self.answer, self.objects, self.calls, self.now = pods, answer, objects or {}, [], 0.0
        self.requests = 0

    def request(self, method, path, query=None, body=None, **_kwargs):
        if path == "/api/v1/namespaces/%s/pods" % NS:
            return {"items": self.pods}
        for item in self.pods:
            if path.endswith("/pods/" + item["metadata"]["name"]):
                return item
        if path in self.objects:
            return self.objects[path]
        raise KubeError(method, path, 404, "not found")

    def pod_http(self, namespace, name, port, method, path, body=None, content_type=None):
        self.calls.append((name, method, path))
        return self.answer(name, method, path, body)

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def error(status, code, message):
    return status, json.dumps({"errorCode": code, "message": message}).encode()


def test_state_round_trip_passes_with_timings_and_a_wrong_value_fails():
    stored = {}

    def sidecar(_pod, method, path, body):
        if method == "POST":
            stored.update((i["key"], i["value"]) for i in json.loads(body))
            return 204, b""
        key = path.rsplit("/", 1)[1]
        if method == "DELETE":
            stored.pop(key, None)
            return 204, b""
        return (200, json.dumps(stored[key]).encode()) if key in stored else (204, b"")

    client = FakeClient([pod("todo-backend")], sidecar)
    spec = {"namespace": NS, "store": "statestore", "app_ids": ["nobody", "todo-backend"]}
    passed, lines = _dapr_probe.state(client, spec, clock=client.clock, new_key=lambda: "k1")
    assert passed, lines
    assert lines[0].startswith("pass todo-backend (pod todo-backend-0) -> state store statestore: saved, read back "
                               "and deleted key k1 in 0 ms (save 0 ms, get 0 ms, delete 0 ms)")
    assert [c[1] for c in client.calls] == ["POST", "GET", "DELETE", "GET"]

    def forgetful(_pod, method, _path, _body):
        return (200, b'"other"') if method == "GET" else (204, b"")

    passed, lines = _dapr_probe.state(FakeClient([pod("todo-backend")], forgetful), spec, new_key=lambda: "k1")
    assert not passed and "answered another value than the one saved" in lines[0]
    assert lines[1] == "Component todo-app/statestore: not found"


def test_a_store_the_app_is_not_scoped_to_fails_naming_dapr_s_error_and_the_scopes():
    refusal = error(400, "ERR_STATE_STORE_NOT_FOUND", "state store statestore is not found")
    client = FakeClient([pod("audit-worker")], lambda *_a: refusal,
                        {_dapr_probe.DAPR_API % (NS, "components", "statestore"): {
                            "spec": {"type": "state.postgresql"}, "scopes": ["todo-backend"]}})
    passed, lines = _dapr_probe.state(client, {"namespace": NS, "store": "statestore", "app_ids": ["audit-worker"]})
    assert not passed
    assert lines == ["FAIL audit-worker (pod audit-worker-0) -> state store statestore: save /v1.0/state/statestore: "
                     "HTTP 400 ERR_STATE_STORE_NOT_FOUND: state store statestore is not found",
                     "Component todo-app/statestore (state.postgresql) scopes: todo-backend"]
    passed, lines = _dapr_probe.state(client, {"namespace": NS, "store": "statestore", "app_ids": ["nobody"]})
    assert not passed and lines[0].startswith("FAIL no sidecar to ask for state store statestore: no running pod")


def test_secrets_evidence_names_keys_never_values_and_a_missing_key_names_store_and_key():
    def sidecar(_pod, _method, path, _body):
        if path.endswith("/jwt-secret"):
            return 200, json.dumps({"JWT_SECRET": "s3cr3t-value-123"}).encode()
        return error(500, "ERR_SECRET_GET", "failed getting secret with key gone from secret store kubernetes-secrets: "
                                            'secrets "gone" not found')

    client = FakeClient([pod("todo-backend")], sidecar)
    spec = {"namespace": NS, "store": "kubernetes-secrets",
            "readers": [{"app_id": "todo-backend", "names": ["jwt-secret", "gone"]}]}
    passed, lines = _dapr_probe.secrets(client, spec)
    assert not passed
    assert "s3cr3t-value-123" not in json.dumps(lines)
    assert lines[0].startswith("pass todo-backend reads kubernetes-secrets/jwt-secret in ")
    assert lines[0].endswith("key(s) JWT_SECRET (values not shown)")
    assert lines[1] == ("FAIL todo-backend cannot read secret gone from store kubernetes-secrets: HTTP 500 "
                        "ERR_SECRET_GET: failed getting secret with key gone from secret store kubernetes-secrets: "
                        'secrets "gone" not found')


RESILIENCY = {"metadata": {"creationTimestamp": "2026-12-05T03:00:00Z"}, "scopes": ["todo-frontend"],
              "spec": {"policies": {"timeouts": {"general": "5s"}, "circuitBreakers": {"cb": {}}},
                       "targets": {"apps": {"todo-backend": {"timeout": "general", "circuitBreaker": "cb"}}}}}


def invoke_answer(status):
    def sidecar(_pod, _method, path, _body):
        if path == "/v1.0/metadata":
            return 200, json.dumps({"id": "todo-frontend", "runtimeVersion": "1.16.2", "components": []}).encode()
        return status
    return sidecar


def test_invocation_passes_with_the_resiliency_and_fails_on_dapr_s_error_or_a_late_resiliency():
    path = _dapr_probe.DAPR_API % (NS, "resiliencies", "eventstack")
    spec = {"namespace": NS, "calls": [{"from": "todo-frontend", "to": "todo-backend"}], "resiliency": "eventstack"}
    client = FakeClient([pod("todo-frontend")], invoke_answer((200, b"ok")), {path: RESILIENCY})
    passed, lines = _dapr_probe.invocation(client, spec)
    assert passed, lines
    assert lines[0].startswith("pass todo-frontend -> todo-backend /health: HTTP 200 in ")
    assert lines[1] == "todo-frontend sidecar metadata: app-id todo-frontend, Dapr 1.16.2, 0 component(s) loaded"
    assert lines[2] == ("pass Resiliency eventstack applies to todo-frontend -> todo-backend (timeout general, "
                        "circuitBreaker cb), loaded at sidecar start")
    late = dict(RESILIENCY, metadata={"creationTimestamp": "2026-12-05T05:00:00Z"})
    failing = FakeClient([pod("todo-frontend")], invoke_answer(error(500, "ERR_DIRECT_INVOKE", "failed to invoke, id: "
                                                                     "todo-backend, err: no such host")), {path: late})
    passed, lines = _dapr_probe.invocation(failing, spec)
    assert not passed
    assert lines[0] == ("FAIL todo-frontend -> todo-backend /health: HTTP 500 ERR_DIRECT_INVOKE: failed to invoke, "
                        "id: todo-backend, err: no such host")
    assert lines[2].startswith("FAIL Resiliency eventstack was created after the sidecar of todo-frontend started")
    unscoped = dict(RESILIENCY, scopes=["todo-backend"])
    passed, lines = _dapr_probe.invocation(FakeClient([pod("todo-frontend")], invoke_answer((200, b"")),
                                                      {path: unscoped}), spec)
    assert not passed and lines[2] == ("FAIL Resiliency eventstack is not loaded by todo-frontend: its scopes are "
                                       "todo-backend")


def jobs_sidecar(triggers):
    jobs = {}

    def sidecar(_pod, method, path, body):
        name = path.rsplit("/", 1)[1]
        if method == "POST":
            jobs[name] = json.loads(body)
            return 204, b""
        if method == "DELETE":
            jobs.pop(name, None)
            return 204, b""
        if name in jobs and not (triggers and jobs[name]["dueTime"] == "2s" and triggers.pop()):
            return 200, json.dumps(dict(jobs[name], name=name)).encode()
        jobs.pop(name, None)
        return error(500, "", "failed to get job due to: rpc error: code = NotFound desc = job not found: " + name)
    return sidecar, jobs


def test_a_job_that_disappears_after_its_due_time_passes_and_one_that_stays_fails_as_never_triggered():
    sidecar, jobs = jobs_sidecar([True, False, False])  # popped from the end
    client = FakeClient([pod("todo-backend")], sidecar)
    spec = {"namespace": NS, "app_id": "todo-backend", "due_seconds": 2, "wait": 5}
    passed, lines = _dapr_probe.jobs(client, spec, clock=client.clock, new_name=lambda: "j1")
    assert passed, lines
    assert lines[0] == "pass job j1 triggered: gone from the Scheduler 2.0 s after scheduling"
    assert lines[2].startswith("job j1-delete (due in 1 h) deleted in 0 ms: get then answers HTTP 500: failed to get job")
    assert not jobs
    sidecar, jobs = jobs_sidecar([])
    client = FakeClient([pod("todo-backend")], sidecar)
    passed, lines = _dapr_probe.jobs(client, spec, clock=client.clock, new_name=lambda: "j2")
    assert not passed
    assert lines[0] == "FAIL job j2 never triggered: still scheduled 7.0 s after scheduling (due in 2 s)"
    assert not jobs, "the probe deletes its job whatever happened"


def test_check_mode_skips_the_checks_that_write_and_runs_the_others():
    client = FakeClient([pod("todo-frontend")], invoke_answer((200, b"")))
    checkpoints = _dapr_probe.run_all(client, {"namespace": NS, "state": {"store": "s", "app_ids": ["x"]},
                                               "invocation": {"calls": [{"from": "todo-frontend", "to": "b"}]},
                                               "jobs": {"app_id": "x"}}, check_mode=True)
    assert [(c["name"], c["passed"], c["evidence"][0][:26]) for c in checkpoints] == [
        ("State saved, read and deleted through a scoped Dapr sidecar", True, "skipped in check mode: it "),
        ("Service invocation between apps, with the Resiliency applied", True, "pass todo-frontend -> b /h"),
        ("A Dapr job is scheduled, triggered and deleted", True, "skipped in check mode: it ")]
    assert all(method == "GET" for _pod, method, _path in client.calls)
