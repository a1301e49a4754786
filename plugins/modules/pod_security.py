#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pod_security
short_description: Judge every pod the stack will run against its namespace's Pod Security level
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Applies the controls of the Kubernetes Pod Security Standards (baseline and restricted, each from the Kubernetes
    version it was introduced in) to every pod, at the level and version its namespace enforces
    (C(pod-security.kubernetes.io/enforce) and C(enforce-version) labels; a namespace without them is privileged), as
    the Pod Security Admission controller would, and names each pod it would refuse with the controls it breaks.
  - Render mode (O(build_dir)) judges the pod templates of the role manifests and of the charts' rendered output
    (C(helm/*.manifests.yaml)), the pods the operators will create from the rendered custom resources (Strimzi with
    the pod security provider its operator runs with, CloudNativePG instances and bootstrap jobs, Envoy Gateway's
    proxies, Prometheus), modelled from each operator's documented defaults, and the Dapr sidecar the injector adds.
  - Apply mode (O(from_cluster)) judges the pod templates of the cluster's Deployments, StatefulSets, DaemonSets,
    Jobs and CronJobs and the pods no such controller owns, against the live namespaces' labels, and reports the
    refusals the admission controller already recorded (Warning events saying C(violates PodSecurity)).
extends_documentation_fragment:
  - eventstack.oke.read_only
  - eventstack.oke.kube_auth
attributes:
  action:
    support: full
    description: Judging a render (no O(from_cluster)) runs in the controller's process for a local connection.
options:
  build_dir:
    description: A render's build directory (C(build/<env>)); with O(from_cluster) its objects are added to the
      cluster's.
    type: path
  objects:
    description: Kubernetes objects to judge besides those of O(build_dir) (Namespaces give the levels).
    type: list
    elements: dict
    default: []
  from_cluster:
    description: Read the namespaces, workloads, pods and events of the cluster (apply mode).
    type: bool
    default: false
  namespaces:
    description: Only these namespaces (empty - every namespace).
    type: list
    elements: str
    default: []
  fail_on_refused:
    description: Fail when a pod would be refused (or was, apply mode).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Would the rendered dev stack be admitted?
  eventstack.oke.pod_security:
    build_dir: build/dev

- name: Is anything refused in the cluster?
  eventstack.oke.pod_security:
    from_cluster: true
    namespaces: [todo-app, kafka]
    fail_on_refused: false
"""

RETURN = r"""
pods:
  description: Every pod group judged - C(name), C(namespace), C(owner) (the object it comes from), C(level) and
    C(version) of its namespace, whether it is C(refused), and its C(violations) (C(rule), C(control), C(level),
    C(reason), C(detail)).
  returned: always
  type: list
  elements: dict
refused:
  description: The pods that would be refused (and, apply mode, were) - C(pod), C(namespace), C(owner), C(rules) and
    the admission controller's C(message).
  returned: always
  type: list
  elements: dict
namespaces:
  description: Namespace -> its enforced C(level:version).
  returned: always
  type: dict
summary:
  description: Counts of pods judged and refused.
  returned: always
  type: dict
requests_made:
  description: API requests made (O(from_cluster)).
  returned: always
  type: int
elapsed:
  description: Seconds the check took, reading included.
  returned: always
  type: float
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _admission, _k8s_client, _manifests, _pod_model
from ansible_collections.eventstack.oke.plugins.module_utils import _pod_security
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_apply import collection_path

# What apply mode reads: (api_version, plural, kind).
CLUSTER_KINDS = (("v1", "namespaces", "Namespace"), ("v1", "pods", "Pod"), ("apps/v1", "deployments", "Deployment"),
                 ("apps/v1", "statefulsets", "StatefulSet"), ("apps/v1", "daemonsets", "DaemonSet"),
                 ("batch/v1", "jobs", "Job"), ("batch/v1", "cronjobs", "CronJob"))
ARGUMENT_SPEC = dict(
    build_dir=dict(type="path"),
    objects=dict(type="list", elements="dict", default=[]),
    from_cluster=dict(type="bool", default=False),
    namespaces=dict(type="list", elements="str", default=[]),
    fail_on_refused=dict(type="bool", default=True),
)


def _read_cluster(client):
    objects = []
    for api_version, plural, kind in CLUSTER_KINDS:
        for item in client.request("GET", collection_path(api_version, plural)).get("items") or []:
            objects.append(dict(item, kind=kind))
    events = client.request("GET", "/api/v1/events", {"fieldSelector": "type=Warning"}).get("items") or []
    return objects, [e for e in events if _admission.REFUSED in (e.get("message") or "")]


def main():
    module = AnsibleModule(argument_spec=_k8s_client.kube_auth_argspec(**ARGUMENT_SPEC), supports_check_mode=True)
    params = module.params
    started = time.monotonic()
    client = None
    try:
        if params["from_cluster"]:
            client = _k8s_client.connect(module)
            objects, recorded = _read_cluster(client)
            if params["build_dir"]:
                objects += _manifests.load_build(params["build_dir"])[0]
            objects += params["objects"]
            out = _admission.result(_admission.live_groups(objects), objects, params["namespaces"], recorded)
            out.update(changed=False, requests_made=client.requests,
                       elapsed=round(time.monotonic() - started, 3))
        else:
            out = _admission.render_result(params["build_dir"], params["objects"], params["namespaces"])
    except _k8s_client.KubeError as exc:
        module.fail_json(msg=str(exc), requests_made=client.requests if client else 0)
    except (_admission.AdmissionError, _pod_security.PodSecurityError, _pod_model.ModelError,
            _manifests.ManifestError, KeyError, TypeError, ValueError) as exc:
        module.fail_json(msg="cannot judge the pods: %s" % exc)
    message = _admission.failure(out)
    if message and params["fail_on_refused"]:
        module.fail_json(msg=message, **out)
    module.exit_json(**out)


if __name__ == "__main__":
    main()
