"""Rollout status, failure reasons and rollback (module_utils/_rollout.py), against an in-memory API."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _rollout

NS = "todo-app"
UID = "d-uid"


def deployment(name="todo-backend", generation=2, observed=2, replicas=1, updated=1, available=1, total=None,
               revision=2, image="reg/todo-backend:2", conditions=()):
    return {"metadata": {"name": name, "namespace": NS, "uid": UID, "generation": generation,
                         "resourceVersion": "7", "annotations": {_rollout.REVISION: str(revision)},
                         "managedFields": [{"manager": "eventstack-oke"}]},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                     "template": {"metadata": {"labels": {"app.kubernetes.io/name": name}},
                                  "spec": {"containers": [{"name": "app", "image": image}]}}},
            "status": {"observedGeneration": observed, "replicas": updated if total is None else total,
                       "updatedReplicas": updated, "availableReplicas": available,
                       "conditions": list(conditions)}}


def replicaset(revision, image, owner=UID, name=None):
    labels = {"app.kubernetes.io/name": "todo-backend", _rollout.HASH_LABEL: "h%d" % revision}
    return {"metadata": {"name": name or "todo-backend-h%d" % revision, "uid": "rs%d" % revision, "labels": labels,
                         "annotations": {_rollout.REVISION: str(revision)},
                         "ownerReferences": [{"kind": "Deployment", "uid": owner}]},
            "spec": {"template": {"metadata": {"labels": dict(labels)},
                                  "spec": {"containers": [{"name": "app", "image": image}]}}}}


def pod(name, rs_uid, container_status, conditions=()):
    return {"metadata": {"name": name, "ownerReferences": [{"kind": "ReplicaSet", "uid": rs_uid}]},
            "status": {"conditions": list(conditions), "containerStatuses": [container_status]}}


@pytest.mark.parametrize("kwargs, state, message", [
    ({}, "done", "successfully rolled out"),
    ({"observed": 1}, "progressing", "waiting for the Deployment controller to observe generation 2"),
    ({"replicas": 3, "updated": 1, "available": 1}, "progressing", "1 of 3 new replicas updated"),
    ({"total": 2}, "progressing", "1 old replicas pending termination"),
    ({"available": 0}, "progressing", "0 of 1 updated replicas available"),
    ({"available": 0, "conditions": [{"type": "Progressing", "reason": "ProgressDeadlineExceeded",
                                      "message": "ReplicaSet has timed out progressing."}]},
     "failed", "exceeded its progress deadline: ReplicaSet has timed out progressing."),
])
def test_rollout_state_follows_kubectl(kwargs, state, message):
    assert _rollout.rollout_state(deployment(**kwargs)) == (state, message)


def test_pod_reasons_name_the_container_the_reason_and_the_newest_warning():
    pods = [
        pod("b-2", "rs2", {"name": "app", "restartCount": 4, "state": {"waiting": {
            "reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}),
        pod("b-1", "rs2", {"name": "app", "state": {"waiting": {
            "reason": "ImagePullBackOff", "message": "Back-off pulling image"}}}),
        pod("b-3", "rs2", {"name": "app", "ready": False, "state": {"running": {}}}),
        pod("b-4", "rs2", {"name": "app", "state": {"waiting": {"reason": "ContainerCreating"}}},
            [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
              "message": "0/1 nodes are available: 1 Insufficient cpu."}]),
    ]
    events = [
        {"type": "Warning", "reason": "Unhealthy", "message": "old", "lastTimestamp": "2026-12-01T10:00:00Z",
         "involvedObject": {"kind": "Pod", "name": "b-3"}},
        {"type": "Warning", "reason": "Unhealthy", "message": "Readiness probe failed: HTTP probe failed with "
         "statuscode: 503", "lastTimestamp": "2026-12-01T10:01:00Z", "involvedObject": {"kind": "Pod", "name": "b-3"}},
        {"type": "Normal", "reason": "Pulled", "message": "ignored", "involvedObject": {"kind": "Pod", "name": "b-1"}},
    ]
    assert _rollout.pod_reasons(pods, events) == [
        "pod b-1 container app: ImagePullBackOff - Back-off pulling image",
        "pod b-2 container app: CrashLoopBackOff - back-off 40s restarting failed container (last exit 1, Error, "
        "4 restarts)",
        "pod b-3 container app: running but not ready (readiness probe failing)",
        "pod b-3 event Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503",
        "pod b-4: not scheduled (Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.)",
    ]


def test_a_replicaset_that_cannot_create_its_pods_says_why():
    refused = ('pods "b-x-0" is forbidden: violates PodSecurity "restricted:v1.34": runAsNonRoot != true (pod or '
               'container "app" must set securityContext.runAsNonRoot=true)')
    replicaset = {"metadata": {"name": "b-x"}, "status": {"conditions": [
        {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": refused}]}}
    assert _rollout.replica_failures(replicaset) == ["replicaset b-x: FailedCreate - " + refused]
    replicaset["status"]["conditions"][0]["status"] = "False"
    assert _rollout.replica_failures(replicaset) == [] and _rollout.replica_failures(None) == []


def test_previous_revision_is_the_highest_owned_one_below_the_current():
    sets = [replicaset(1, "reg/todo-backend:1"), replicaset(3, "reg/todo-backend:3"),
            replicaset(2, "reg/todo-backend:2"), replicaset(9, "reg/other:9", owner="someone-else")]
    revision, template = _rollout.previous_revision(deployment(revision=3), sets)
    assert revision == 2
    assert template["spec"]["containers"][0]["image"] == "reg/todo-backend:2"
    assert _rollout.HASH_LABEL not in template["metadata"]["labels"]
    assert _rollout.previous_revision(deployment(revision=1), sets) == (None, None)


class FakeApi:
    """Serves Deployments, ReplicaSets, pods and events of one namespace; records writes; can play a controller."""

    def __init__(self, deployments, replicasets=(), pods=(), events=(), on_put=None):
        self.deployments = {d["metadata"]["name"]: d for d in deployments}
        self.replicasets, self.pods, self.events = list(replicasets), list(pods), list(events)
        self.puts, self.queries, self.on_put = [], [], on_put

    def request(self, method, path, query=None, body=None):
        self.queries.append((method, path, query))
        base = "/apis/apps/v1/namespaces/%s/deployments" % NS
        if method == "PUT":
            self.puts.append(copy.deepcopy(body))
            self.deployments[body["metadata"]["name"]] = self.on_put(body) if self.on_put else body
            return body
        if path == base:
            return {"items": [copy.deepcopy(d) for d in self.deployments.values()]}
        if path.endswith("/replicasets"):
            return {"items": self.replicasets}
        if path.endswith("/pods"):
            return {"items": self.pods}
        if path.endswith("/events"):
            return {"items": self.events}
        raise AssertionError(path)


def test_watch_returns_at_once_when_everything_rolled_out(clock):
    api = FakeApi([deployment(), deployment(name="todo-frontend")])
    results, changed = _rollout.watch(api, NS, ["todo-backend", "todo-frontend"], 60, 5, clock=clock,
                                      sleep=clock.sleep)
    assert [r["state"] for r in results] == ["done", "done"] and changed is False
    assert clock.now == 0 and len(api.queries) == 1  # one list of the namespace's Deployments


def test_a_stuck_rollout_is_explained_rolled_back_and_re_waited(clock):
    stuck = deployment(revision=2, available=0, total=2, image="reg/todo-backend:2")
    sets = [replicaset(1, "reg/todo-backend:1"), replicaset(2, "reg/todo-backend:2")]
    pods = [pod("todo-backend-h2-x", "rs2", {"name": "app", "state": {"waiting": {
        "reason": "ErrImagePull", "message": "manifest unknown"}}}),
        pod("todo-backend-h1-y", "rs1", {"name": "app", "ready": True, "state": {"running": {}}})]

    def controller(body):  # the old template comes back as revision 3 and is available at once
        done = copy.deepcopy(body)
        done["metadata"]["generation"] += 1
        done["metadata"]["annotations"][_rollout.REVISION] = "3"
        done["status"] = {"observedGeneration": done["metadata"]["generation"], "replicas": 1,
                          "updatedReplicas": 1, "availableReplicas": 1}
        return done

    api = FakeApi([stuck], sets, pods, on_put=controller)
    results, changed = _rollout.watch(api, NS, ["todo-backend"], 20, 5, clock=clock, sleep=clock.sleep)
    [result] = results
    assert changed is True and clock.now == 20
    assert result["state"] == "failed" and result["message"] == "1 old replicas pending termination"
    assert result["reasons"] == ["pod todo-backend-h2-x container app: ErrImagePull - manifest unknown"]
    assert (result["rolled_back_to"], result["rolled_back_images"]) == (1, ["reg/todo-backend:1"])
    assert (result["rollback_state"], result["rollback_message"]) == ("done", "successfully rolled out")
    [put] = api.puts
    assert put["spec"]["template"]["spec"]["containers"][0]["image"] == "reg/todo-backend:1"
    assert put["metadata"]["resourceVersion"] == "7" and "managedFields" not in put["metadata"]
    assert "status" not in put
    assert ("GET", "/api/v1/namespaces/%s/pods" % NS, {"labelSelector": "app.kubernetes.io/name=todo-backend"}) \
        in api.queries
    message = _rollout.failure_message(results, 20)
    assert message == ("todo-backend: not rolled out after 20s (1 old replicas pending termination); pod "
                       "todo-backend-h2-x container app: ErrImagePull - manifest unknown; rolled back to revision 1 "
                       "(reg/todo-backend:1): successfully rolled out")


def test_a_first_revision_that_fails_has_nothing_to_roll_back_to(clock):
    api = FakeApi([deployment(revision=1, available=0)], [replicaset(1, "reg/todo-backend:1")])
    results, changed = _rollout.watch(api, NS, ["todo-backend"], 10, 5, clock=clock, sleep=clock.sleep)
    assert changed is False and api.puts == []
    assert results[0]["rolled_back_to"] is None
    assert _rollout.failure_message(results, 10).endswith("; no previous revision to roll back to")


def test_without_rollback_nothing_is_written_and_a_missing_deployment_fails(clock):
    api = FakeApi([deployment(revision=2, available=0)], [replicaset(1, "a"), replicaset(2, "b")])
    results, changed = _rollout.watch(api, NS, ["todo-backend", "gone"], 10, 5, rollback=False, clock=clock,
                                      sleep=clock.sleep)
    assert changed is False and api.puts == []
    assert [(r["name"], r["state"]) for r in results] == [("todo-backend", "failed"), ("gone", "failed")]
    assert "rolled_back_to" not in results[0]
    assert "gone: not rolled out after 10s (the Deployment does not exist)" in _rollout.failure_message(results, 10)


def test_a_look_reads_once_and_says_what_is_pending_in_kubectl_words():
    api = FakeApi([deployment(), deployment(name="todo-frontend", revision=2, available=0)])
    looked = _rollout.look(api, NS, ["todo-backend", "todo-frontend", "gone"])
    assert len(api.queries) == 1 and api.puts == []
    assert [(item["name"], item["state"]) for item in looked] == [
        ("todo-backend", "done"), ("todo-frontend", "progressing"), ("gone", "missing")]
    assert _rollout.progress(looked) == ("1 of 3 rolled out; todo-frontend: 0 of 1 updated replicas available; "
                                         "gone: the Deployment does not exist")
    # A missing Deployment may still come (the wait goes on); a failed one ends it, to be explained and rolled back.
    assert not _rollout.looked_done(looked)
    assert _rollout.looked_done([{"name": "a", "state": "done"}, {"name": "b", "state": "failed"}])
