# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the pod_security check - which pods are judged, at which level, and its result.

``render_result(build_dir, objects, only)`` judges what a render will run (``_pod_model.pods``); ``live_groups``
gives apply mode's pods (the controllers' templates and the pods no controller owns, Dapr's sidecar added where the
cluster's injector would add it); ``result(groups, objects, only, recorded)`` judges groups against the Namespaces
among the objects and adds the refusals the admission controller recorded (Warning events).
"""

from __future__ import annotations

import os
import time

from ansible_collections.eventstack.oke.plugins.module_utils import _manifests, _pod_model, _pod_security

CONTROLLERS = ("ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
REFUSED = "violates PodSecurity"


class AdmissionError(ValueError):
    """The check cannot run (the message says why)."""


def judge(groups, namespaces, only=()):
    """(pods, refused, policies): each group judged at its namespace's level and version."""
    policies = {name: _pod_security.namespace_policy(labels) for name, labels in namespaces.items()}
    pods, refused = [], []
    for group in groups:
        namespace = group["namespace"]
        if only and namespace not in only:
            continue
        level, version = policies.get(namespace, ("privileged", _pod_security.LATEST))
        violations = _pod_security.judge({"metadata": group["metadata"], "spec": group["spec"]}, level, version)
        pods.append({"name": group["name"], "namespace": namespace, "owner": group["owner"], "level": level,
                     "version": _pod_security.show_version(version), "refused": bool(violations),
                     "violations": violations})
        if violations:
            refused.append({"pod": group["name"], "namespace": namespace, "owner": group["owner"],
                            "rules": [v["rule"] for v in violations],
                            "message": _pod_security.refusal(group["name"], level, version, violations)})
    return pods, refused, {name: "%s:%s" % (level, _pod_security.show_version(version))
                           for name, (level, version) in sorted(policies.items()) if not only or name in only}


def live_groups(objects):
    """Apply mode: the controllers' templates and the pods no controller owns (operators' pods)."""
    groups = _pod_model.template_pods([o for o in objects if o.get("kind") in CONTROLLERS])
    for pod in (o for o in objects if o.get("kind") == "Pod"):
        owners = (pod.get("metadata") or {}).get("ownerReferences") or []
        if not any(ref.get("kind") in CONTROLLERS for ref in owners):
            groups += _pod_model.template_pods([pod])
    return _pod_model.inject_dapr(groups, _pod_model.dapr_injector_settings(objects))


def result(groups, objects, only=(), recorded=()):
    """The module result: pods, refused (with the recorded refusals), namespaces, summary."""
    namespaces = {(o.get("metadata") or {}).get("name"): (o.get("metadata") or {}).get("labels") or {}
                  for o in objects if o.get("kind") == "Namespace"}
    pods, refused, policies = judge(groups, namespaces, only)
    for event in recorded:
        involved = event.get("involvedObject") or {}
        if only and involved.get("namespace") not in only:
            continue
        refused.append({"pod": None, "namespace": involved.get("namespace"),
                        "owner": "%s %s/%s" % (involved.get("kind"), involved.get("namespace"), involved.get("name")),
                        "rules": [], "message": event.get("message")})
    return {"pods": pods, "refused": refused, "namespaces": policies,
            "summary": {"pods": len(pods), "refused": len(refused)}}


def render_result(build_dir, objects=(), only=()):
    """The check over a render's build directory (and further objects)."""
    started = time.monotonic()
    objects = list(objects)
    releases = []
    if build_dir:
        if not os.path.isdir(os.path.join(build_dir, "manifests")):
            raise AdmissionError("build_dir %s has no manifests: render first (make plan ENV=<env>)" % build_dir)
        built, releases = _manifests.load_build(build_dir)
        objects += built
    named = {(o.get("metadata") or {}).get("name") for o in objects if o.get("kind") == "Namespace"}
    objects += [ns for ns in _pod_model.operator_namespaces(objects) if ns["metadata"]["name"] not in named]
    out = result(_pod_model.pods(objects, releases), objects, only)
    out.update(changed=False, requests_made=0, elapsed=round(time.monotonic() - started, 3))
    return out


def failure(out):
    """The failure message when a pod would be (or was) refused, else None."""
    if not out["refused"]:
        return None
    return "%d pod(s) would be refused by Pod Security admission: %s" % (
        len(out["refused"]), "; ".join("%s (%s)" % (r["message"], r["owner"]) for r in out["refused"]))
