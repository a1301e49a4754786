# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: Deployment rollouts, read as `kubectl rollout status` and undone as `kubectl rollout undo` do.

- rollout_state(deployment) -> (state, message), state "done", "progressing" or "failed" (progress deadline
  exceeded), with kubectl's conditions: the controller observed the generation, every replica is updated, no old
  replica is left and every updated replica is available.
- pod_reasons(pods, events) -> why pods are not ready: container waiting reasons (ErrImagePull, ImagePullBackOff,
  CrashLoopBackOff with the last exit, CreateContainerConfigError), running containers that are not ready,
  scheduling failures, and the newest Warning event of each pod (e.g. the failing probe's message);
  replica_failures(replicaset) -> why the newest ReplicaSet creates no pods (ReplicaFailure, e.g. a pod the
  namespace's Pod Security level refuses).
- previous_revision(deployment, replicasets) -> (revision, pod template) to roll back to: the ReplicaSet the
  Deployment owns with the highest revision below the current one, its template without pod-template-hash.
- watch(client, namespace, names, ...) waits, collects reasons and rolls back; the module is a thin wrapper.
"""

from __future__ import annotations

import copy
import time

from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeError, kube_auth_argspec

REVISION = "deployment.kubernetes.io/revision"
HASH_LABEL = "pod-template-hash"


def _revision(obj):
    try:
        return int(((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION, 0))
    except (TypeError, ValueError):
        return 0


def rollout_state(deployment):
    meta, spec, status = deployment.get("metadata") or {}, deployment.get("spec") or {}, deployment.get("status") or {}
    if status.get("observedGeneration", 0) < meta.get("generation", 0):
        return "progressing", "waiting for the Deployment controller to observe generation %s" % meta.get("generation")
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Progressing" and condition.get("reason") == "ProgressDeadlineExceeded":
            return "failed", "exceeded its progress deadline: %s" % condition.get("message", "")
    wanted = spec.get("replicas", 1)
    updated = status.get("updatedReplicas", 0)
    if updated < wanted:
        return "progressing", "%d of %d new replicas updated" % (updated, wanted)
    if status.get("replicas", 0) > updated:
        return "progressing", "%d old replicas pending termination" % (status.get("replicas", 0) - updated)
    if status.get("availableReplicas", 0) < updated:
        return "progressing", "%d of %d updated replicas available" % (status.get("availableReplicas", 0), updated)
    return "done", "successfully rolled out"


def _container_reasons(pod_name, statuses):
    reasons = []
    for status in statuses or []:
        state, name = status.get("state") or {}, status.get("name")
        waiting, last = state.get("waiting"), (status.get("lastState") or {}).get("terminated")
        if waiting and waiting.get("reason") not in (None, "ContainerCreating", "PodInitializing"):
            text = "pod %s container %s: %s" % (pod_name, name, waiting["reason"])
            if waiting.get("message"):
                text += " - %s" % waiting["message"]
            if last:
                text += " (last exit %s%s, %s restarts)" % (
                    last.get("exitCode"), ", " + last["reason"] if last.get("reason") else "",
                    status.get("restartCount", 0))
            reasons.append(text)
        elif state.get("terminated"):
            ended = state["terminated"]
            reasons.append("pod %s container %s: terminated (%s, exit %s)" % (
                pod_name, name, ended.get("reason", "unknown"), ended.get("exitCode")))
        elif "running" in state and not status.get("ready"):
            reasons.append("pod %s container %s: running but not ready (readiness probe failing)" % (pod_name, name))
    return reasons


def pod_reasons(pods, events=()):
    """Why each pod is not ready, then the newest Warning event of each pod (see the module docstring)."""
    reasons = []
    newest = {}
    for event in events or []:
        involved = event.get("involvedObject") or {}
        if event.get("type") != "Warning" or involved.get("kind", "Pod") != "Pod":
            continue
        stamp = event.get("lastTimestamp") or event.get("eventTime") or ""
        key = involved.get("name")
        if key not in newest or stamp >= newest[key][0]:
            newest[key] = (stamp, event)
    for pod in sorted(pods or [], key=lambda p: p["metadata"]["name"]):
        name, status = pod["metadata"]["name"], pod.get("status") or {}
        for condition in status.get("conditions") or []:
            if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
                reasons.append("pod %s: not scheduled (%s: %s)" % (name, condition.get("reason"),
                                                                   condition.get("message", "")))
        reasons += _container_reasons(name, status.get("initContainerStatuses"))
        reasons += _container_reasons(name, status.get("containerStatuses"))
        if name in newest:
            event = newest[name][1]
            reasons.append("pod %s event %s: %s" % (name, event.get("reason"), event.get("message", "")))
    return reasons


def replica_failures(replicaset):
    """Why a ReplicaSet cannot create its pods (its ReplicaFailure condition, e.g. a pod the namespace's Pod Security
    level refuses), as "replicaset <name>: <reason> - <message>"."""
    reasons = []
    for condition in ((replicaset or {}).get("status") or {}).get("conditions") or []:
        if condition.get("type") == "ReplicaFailure" and str(condition.get("status")) == "True":
            reasons.append("replicaset %s: %s - %s" % ((replicaset.get("metadata") or {}).get("name"),
                                                       condition.get("reason"), condition.get("message", "")))
    return reasons


def owned(deployment, objects):
    uid = (deployment.get("metadata") or {}).get("uid")
    return [obj for obj in objects or []
            if any(ref.get("uid") == uid and ref.get("kind") == "Deployment"
                   for ref in (obj.get("metadata") or {}).get("ownerReferences") or [])]


def current_replicaset(deployment, replicasets):
    revision = _revision(deployment)
    mine = owned(deployment, replicasets)
    exact = [rs for rs in mine if _revision(rs) == revision]
    if exact:
        return exact[0]
    return max(mine, key=_revision) if mine else None


def previous_revision(deployment, replicasets):
    current = _revision(deployment)
    older = [rs for rs in owned(deployment, replicasets) if 0 < _revision(rs) < current]
    if not older:
        return None, None
    target = max(older, key=_revision)
    template = copy.deepcopy((target.get("spec") or {}).get("template") or {})
    labels = (template.get("metadata") or {}).get("labels") or {}
    labels.pop(HASH_LABEL, None)
    return _revision(target), template


def selector_query(deployment):
    labels = (((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {})
    return ",".join("%s=%s" % item for item in sorted(labels.items()))


def _deployments_path(namespace, name=None):
    path = "/apis/apps/v1/namespaces/%s/deployments" % namespace
    return path + "/" + name if name else path


class Watch:
    """Waits for Deployments, explains the ones that fail and rolls them back (one object per namespace)."""

    def __init__(self, client, namespace, clock=time.monotonic, sleep=time.sleep):
        self.client, self.namespace, self.clock, self.sleep = client, namespace, clock, sleep

    def _deployments(self, names):
        items = self.client.request("GET", _deployments_path(self.namespace)).get("items") or []
        return {item["metadata"]["name"]: item for item in items if item["metadata"]["name"] in names}

    def wait(self, names, timeout, interval):
        """{name: (state, message, deployment)} once every Deployment is done or failed, or at the deadline."""
        deadline = self.clock() + timeout
        while True:
            found = self._deployments(names)
            states = {name: rollout_state(found[name]) + (found[name],) if name in found
                      else ("missing", "the Deployment does not exist", None) for name in names}
            if all(state in ("done", "failed") for state, _m, _d in states.values()) or self.clock() >= deadline:
                return states
            self.sleep(interval)

    def explain(self, deployment):
        selector = selector_query(deployment)
        query = {"labelSelector": selector} if selector else {}
        replicasets = self.client.request("GET", "/apis/apps/v1/namespaces/%s/replicasets" % self.namespace,
                                          query).get("items") or []
        pods = self.client.request("GET", "/api/v1/namespaces/%s/pods" % self.namespace, query).get("items") or []
        newest = current_replicaset(deployment, replicasets)
        if newest is not None:
            pods = owned_by_replicaset(newest, pods) or pods
        names = {pod["metadata"]["name"] for pod in pods}
        events = self.client.request("GET", "/api/v1/namespaces/%s/events" % self.namespace,
                                     {"fieldSelector": "involvedObject.kind=Pod"}).get("items") or []
        events = [e for e in events if (e.get("involvedObject") or {}).get("name") in names]
        return replica_failures(newest) + pod_reasons(pods, events), replicasets

    def rollback(self, deployment, replicasets):
        """Put the previous revision's template back; (revision or None, image list)."""
        revision, template = previous_revision(deployment, replicasets)
        if revision is None:
            return None, []
        body = copy.deepcopy(deployment)
        body["spec"]["template"] = template
        body.pop("status", None)
        body["metadata"].pop("managedFields", None)  # omitted: the server keeps the field owners as they are
        self.client.request("PUT", _deployments_path(self.namespace, deployment["metadata"]["name"]), body=body)
        images = [c.get("image") for c in (template.get("spec") or {}).get("containers") or []]
        return revision, images


def owned_by_replicaset(replicaset, pods):
    uid = (replicaset.get("metadata") or {}).get("uid")
    return [pod for pod in pods if any(ref.get("uid") == uid for ref in
                                       (pod.get("metadata") or {}).get("ownerReferences") or [])]


def watch(client, namespace, names, timeout, interval=5, rollback=True, rollback_timeout=None, **clock):
    """Wait for the rollouts; explain, roll back and re-wait the failed ones. Returns (results, changed)."""
    watcher = Watch(client, namespace, **clock)
    states = watcher.wait(names, timeout, interval)
    results, undone = [], []
    for name in names:
        state, message, deployment = states[name]
        result = {"name": name, "namespace": namespace, "state": state, "message": message,
                  "revision": _revision(deployment) if deployment else None, "reasons": []}
        if state != "done" and deployment is not None:
            result["reasons"], replicasets = watcher.explain(deployment)
            result["state"] = "failed"
            if rollback:
                revision, images = watcher.rollback(deployment, replicasets)
                result["rolled_back_to"] = revision
                result["rolled_back_images"] = images
                if revision is not None:
                    undone.append(name)
        elif state == "missing":
            result["state"] = "failed"
        results.append(result)
    if undone:
        again = watcher.wait(undone, timeout if rollback_timeout is None else rollback_timeout, interval)
        for result in results:
            if result["name"] in undone:
                result["rollback_state"], result["rollback_message"] = again[result["name"]][:2]
    return results, bool(undone)


def look(client, namespace, names):
    """Each Deployment's state now: [{name, state (done, progressing, failed, missing), message}]."""
    states = Watch(client, namespace).wait(names, 0, 0)
    return [{"name": name, "state": states[name][0], "message": states[name][1]} for name in names]


def progress(looked):
    """One line for a wait's progress: how many rolled out, and the others with kubectl's words."""
    pending = [item for item in looked if item["state"] != "done"]
    return "%d of %d rolled out; %s" % (len(looked) - len(pending), len(looked), "; ".join(
        "%s: %s" % (item["name"], item["message"] or item["state"]) for item in pending))


def looked_done(looked):
    """Whether the wait can stop: every Deployment done or failed (a missing one may still come)."""
    return all(item["state"] in ("done", "failed") for item in looked)


def failure_message(results, timeout):
    parts = []
    for result in results:
        if result["state"] == "done":
            continue
        text = "%s: not rolled out after %ss (%s)" % (result["name"], timeout, result["message"])
        if result["reasons"]:
            text += "; " + "; ".join(result["reasons"])
        if "rolled_back_to" in result:
            if result["rolled_back_to"] is None:
                text += "; no previous revision to roll back to"
            else:
                text += "; rolled back to revision %s (%s): %s" % (
                    result["rolled_back_to"], ", ".join(result["rolled_back_images"]),
                    result.get("rollback_message", ""))
        parts.append(text)
    return " | ".join(parts)


ARGUMENT_SPEC = kube_auth_argspec(
    namespace=dict(type="str", required=True),
    names=dict(type="list", elements="str", required=True),
    timeout=dict(type="int", default=300),
    interval=dict(type="int", default=5),
    rollback=dict(type="bool", default=True),
    rollback_timeout=dict(type="int"),
    progress_interval=dict(type="int", default=30),
    look_only=dict(type="bool", default=False),
)


def check(params, connect, check_mode=False):
    """k8s_rollout's answer (the module's or, on the controller, the action plugin's): one look (look_only), or the
    rollouts watched for `timeout` seconds, judged, and the failed ones rolled back (not in check mode), through the
    client connect() returns."""
    client = connect()
    try:
        if params["look_only"]:
            return dict(changed=False, deployments=look(client, params["namespace"], params["names"]),
                        requests=client.requests)
        if check_mode:
            results, changed = watch(client, params["namespace"], params["names"], 0, rollback=False)
        else:
            results, changed = watch(client, params["namespace"], params["names"], params["timeout"],
                                     params["interval"], params["rollback"], params["rollback_timeout"])
    except KubeError as exc:
        return dict(failed=True, msg=str(exc), requests=client.requests)
    except (KeyError, TypeError, ValueError) as exc:  # an object without what a Deployment or ReplicaSet has
        return dict(failed=True, msg="cannot watch the rollouts: %s" % exc, requests=client.requests)
    output = dict(changed=changed, deployments=results, requests=client.requests)
    if any(result["state"] != "done" for result in results) and not check_mode:
        output.update(failed=True, msg=failure_message(results, params["timeout"]))
    return output
