# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: what eventstack.oke.helm_release shows while Helm waits for a release (helm upgrade --install --wait,
which says nothing until it ends): the release, and the pods of its namespace - how many are ready, and why the others
are not (module_utils/_rollout.py's pod_reasons).

Not a public API: the leading underscore says so.
"""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _rollout

ARGUMENT_SPEC = dict(
    helm=dict(type="dict", required=True),
    progress_interval=dict(type="int", default=30),
)


def waits(helm_args, check_mode):
    """Whether this run of kubernetes.core.helm waits (and so lasts): --wait asked, and not a check-mode dry run."""
    wait = helm_args.get("wait", False)
    wait = wait if isinstance(wait, bool) else str(wait).lower() in ("1", "true", "yes", "on")
    return wait and not check_mode


def _ready(pod):
    status = pod.get("status") or {}
    if status.get("phase") == "Succeeded":  # a hook's or a Job's pod that has done its work
        return True
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])


def _phase(pod):
    """Pending, or Pending (ContainerCreating): the phase, with what a waiting container says it is doing."""
    status = pod.get("status") or {}
    doing = [((c.get("state") or {}).get("waiting") or {}).get("reason")
             for c in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or [])]
    doing = sorted(set(reason for reason in doing if reason))
    return (status.get("phase") or "Pending") + (" (%s)" % ", ".join(doing) if doing else "")


def release_line(helm_args):
    """"release <name> (<chart> <version>) in <namespace>", from kubernetes.core.helm's arguments."""
    chart = helm_args.get("chart_ref") or ""
    version = helm_args.get("chart_version")
    return "release %s (%s%s) in %s" % (helm_args.get("name") or helm_args.get("release_name"), chart,
                                        " %s" % version if version else "",
                                        helm_args.get("release_namespace") or helm_args.get("namespace"))


def pods_line(pods, removing=False, limit=3):
    """The state of a namespace's pods in one line: "pods ready 1/3; pod a container b: ErrImagePull; ...", at most
    `limit` reasons (then "and N more"); "no pods yet" when there is none. Removing (helm uninstall --wait): how many
    pods are left, terminating or not."""
    if removing:
        left = pods or []
        going = sum(1 for pod in left if (pod.get("metadata") or {}).get("deletionTimestamp"))
        return "pods left %d (terminating %d)" % (len(left), going) if left else "no pods left"
    pods = [pod for pod in pods or [] if not (pod.get("metadata") or {}).get("deletionTimestamp")]
    if not pods:
        return "no pods yet"
    ready = sum(1 for pod in pods if _ready(pod))
    line = "pods ready %d/%d" % (ready, len(pods))
    reasons = []
    for pod in sorted((pod for pod in pods if not _ready(pod)), key=lambda p: p["metadata"]["name"]):
        reasons += _rollout.pod_reasons([pod]) or ["pod %s: %s" % (pod["metadata"]["name"], _phase(pod))]
    if reasons:
        line += "; " + "; ".join(reasons[:limit])
        if len(reasons) > limit:
            line += "; and %d more" % (len(reasons) - limit)
    return line
