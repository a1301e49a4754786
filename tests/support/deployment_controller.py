"""A stand-in for the Deployment controller and the kubelet, for converge tests against the emulator.

It runs in a thread beside the test and, whenever a Deployment's generation is ahead of its observedGeneration,
does what the real controllers do on one node, in one step:

- finds or creates the ReplicaSet of the pod template (pod-template-hash, ownerReferences, the next
  deployment.kubernetes.io/revision; a template that comes back, as after a rollback, reuses its ReplicaSet and
  gets the new revision), and writes the revision onto the Deployment;
- creates the pods of that ReplicaSet from its pod template, through the API, so the emulator's Pod Security admission
  judges them; a pod it refuses is not created and, as the ReplicaSet controller does, the ReplicaSet gets the
  ``ReplicaFailure`` condition (reason ``FailedCreate``, the admission's message) and a ``FailedCreate`` Warning event;
- ``failure(deployment)`` decides the created pods' fate: None (they become Ready) or a
  dict with ``reason`` and ``message`` of the app container's waiting state (``ErrImagePull``,
  ``CrashLoopBackOff``, ...) or ``{"not_ready": "<probe message>"}`` (running, readiness probe failing), which also
  records a Warning event on the pod;
- sets the Deployment's status: a healthy template replaces the old pods; a failing one leaves the old ReplicaSet's
  pods available (maxUnavailable 0) and the new one unavailable, as a stuck rolling update looks.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import time
import urllib.error

NOW = "2026-12-01T10:00:00Z"


def _hash(template):
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()[:10]


class DeploymentController:
    def __init__(self, server, namespace, failure=lambda deployment: None, interval=0.1):
        self.server, self.namespace, self.failure, self.interval = server, namespace, failure, interval
        self.errors = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="deployment-controller", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self):
        while not self._stop.is_set():
            try:
                for deployment in self.server.objects("Deployment", self.namespace):
                    status = deployment.get("status") or {}
                    if status.get("observedGeneration", 0) < deployment["metadata"].get("generation", 1):
                        self.reconcile(deployment)
            except Exception as exc:  # pylint: disable=broad-except  # reported by the test
                self.errors.append(repr(exc))
            time.sleep(self.interval)

    # --- one reconcile -----------------------------------------------------------------------
    def _path(self, plural, name=None, group="apps/v1"):
        base = "/apis/%s/namespaces/%s/%s" % (group, self.namespace, plural) if group != "v1" else \
            "/api/v1/namespaces/%s/%s" % (self.namespace, plural)
        return base + ("/" + name if name else "")

    def reconcile(self, deployment):
        meta, spec = deployment["metadata"], deployment["spec"]
        name, template = meta["name"], spec["template"]
        digest = _hash(template)
        mine = [rs for rs in self.server.objects("ReplicaSet", self.namespace)
                if any(ref.get("uid") == meta["uid"] for ref in rs["metadata"].get("ownerReferences") or [])]
        revisions = [int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]) for rs in mine]
        revision = max(revisions, default=0) + 1
        current = next((rs for rs in mine if rs["metadata"]["labels"]["pod-template-hash"] == digest), None)
        if current is not None and int(current["metadata"]["annotations"]["deployment.kubernetes.io/revision"]) \
                == max(revisions):
            revision = max(revisions)  # the template did not change (e.g. a metadata-only write)
        labels = dict(template["metadata"]["labels"], **{"pod-template-hash": digest})
        rs_name = "%s-%s" % (name, digest)
        owner = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": meta["uid"],
                  "controller": True}]
        rs_meta = {"name": rs_name, "namespace": self.namespace, "labels": labels, "ownerReferences": owner,
                   "annotations": {"deployment.kubernetes.io/revision": str(revision)}}
        rs_template = dict(template, metadata=dict(template["metadata"], labels=labels))
        if current is None:
            self.server.call("POST", self._path("replicasets"), {
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": rs_meta,
                "spec": {"replicas": spec.get("replicas", 1), "selector": {"matchLabels": labels},
                         "template": rs_template}}, "application/json")
        else:
            self.server.call("PATCH", self._path("replicasets", rs_name),
                             {"metadata": {"annotations": rs_meta["annotations"]}})
        self.server.call("PATCH", self._path("deployments", name),
                         {"metadata": {"annotations": {"deployment.kubernetes.io/revision": str(revision)}}})
        rs_uid = self.server.get("apps/v1", "ReplicaSet", rs_name, self.namespace)["metadata"]["uid"]
        failure = self.failure(deployment)
        refused = self._pods(name, digest, labels, rs_uid, spec.get("replicas", 1), failure, template)
        if refused:
            self._failed_create(rs_name, refused)
            failure = failure or {"refused": refused}
        wanted = spec.get("replicas", 1)
        old = 0 if failure is None else (wanted if len(mine) > (0 if current is None else 1) else 0)
        available = wanted if failure is None else old
        condition = {"type": "Available", "status": "True" if available >= wanted else "False",
                     "reason": "MinimumReplicasAvailable" if available >= wanted else "MinimumReplicasUnavailable",
                     "lastTransitionTime": NOW, "lastUpdateTime": NOW}
        self.server.call("PATCH", self._path("deployments", name) + "/status", {"status": {
            "observedGeneration": self.server.get("apps/v1", "Deployment", name, self.namespace)["metadata"]
            ["generation"], "replicas": wanted + old, "updatedReplicas": wanted, "readyReplicas": available,
            "availableReplicas": available, "unavailableReplicas": wanted + old - available,
            "conditions": [condition] + ([{"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate",
                                           "message": refused, "lastTransitionTime": NOW}] if refused else [])}})

    def _pods(self, name, digest, labels, rs_uid, replicas, failure, template):
        """Create the ReplicaSet's missing pods; the admission's message when it refuses them, else None."""
        for pod in self.server.objects("Pod", self.namespace):
            if pod["metadata"]["name"].startswith(name + "-") and \
                    pod["metadata"]["labels"].get("pod-template-hash") != digest and failure is None:
                self.server.call("DELETE", self._path("pods", pod["metadata"]["name"], "v1"), {})
        for index in range(replicas):
            pod_name = "%s-%s-%05d" % (name, digest, index)
            if self.server.get("v1", "Pod", pod_name, self.namespace) is not None:
                continue
            try:
                self.server.call("POST", self._path("pods", group="v1"), {
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": pod_name, "namespace": self.namespace, "labels": labels,
                                 "annotations": (template.get("metadata") or {}).get("annotations") or {},
                                 "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "uid": rs_uid,
                                                      "name": "%s-%s" % (name, digest), "controller": True}]},
                    "spec": copy.deepcopy(template.get("spec") or {})}, "application/json")
            except urllib.error.HTTPError as exc:
                if exc.code != 403:
                    raise
                return json.loads(exc.read().decode() or "{}").get("message", str(exc))
            self.server.call("PATCH", self._path("pods", pod_name, "v1") + "/status",
                             {"status": self._pod_status(failure)})
            if failure and failure.get("not_ready"):
                self.server.call("POST", self._path("events", group="v1"), {
                    "apiVersion": "v1", "kind": "Event",
                    "metadata": {"name": pod_name + ".unhealthy", "namespace": self.namespace},
                    "involvedObject": {"kind": "Pod", "name": pod_name, "namespace": self.namespace},
                    "type": "Warning", "reason": "Unhealthy", "message": failure["not_ready"],
                    "lastTimestamp": NOW}, "application/json")

    def _failed_create(self, rs_name, message):
        """What the ReplicaSet controller records when a pod it creates is refused."""
        self.server.call("PATCH", self._path("replicasets", rs_name) + "/status", {"status": {"conditions": [
            {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": message,
             "lastTransitionTime": NOW}]}})
        event = "%s.failedcreate" % rs_name
        if self.server.get("v1", "Event", event, self.namespace) is None:
            self.server.call("POST", self._path("events", group="v1"), {
                "apiVersion": "v1", "kind": "Event", "metadata": {"name": event, "namespace": self.namespace},
                "involvedObject": {"kind": "ReplicaSet", "name": rs_name, "namespace": self.namespace},
                "type": "Warning", "reason": "FailedCreate", "message": "Error creating: " + message,
                "lastTimestamp": NOW}, "application/json")

    @staticmethod
    def _pod_status(failure):
        if failure is None:
            return {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                    "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0,
                                           "state": {"running": {"startedAt": NOW}}}]}
        if failure.get("not_ready"):
            return {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}],
                    "containerStatuses": [{"name": "app", "ready": False, "restartCount": 0,
                                           "state": {"running": {"startedAt": NOW}}}]}
        status = {"name": "app", "ready": False, "restartCount": failure.get("restarts", 0),
                  "state": {"waiting": {"reason": failure["reason"], "message": failure.get("message", "")}}}
        if failure.get("exit_code") is not None:
            status["lastState"] = {"terminated": {"exitCode": failure["exit_code"], "reason": "Error"}}
        return {"phase": "Pending" if "Image" in failure["reason"] else "Running",
                "conditions": [{"type": "Ready", "status": "False"}], "containerStatuses": [status]}
