#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: netpol_reachability
short_description: Compare the flows NetworkPolicies allow with the flows a stack needs
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Pure analysis, no cluster needed. From NetworkPolicies, pods (or the pod templates of workloads) and namespaces,
    computes whether each intended flow (source, destination, port) is allowed, and which flows between the known
    endpoints on the destinations' declared ports are allowed although nobody asked for them.
  - Follows the Kubernetes NetworkPolicy semantics - isolation per direction by selecting policies, C(policyTypes)
    defaults, podSelector / namespaceSelector / ipBlock peers (with C(except)), empty selectors, named ports resolved
    against the destination's container ports, protocols and C(endPort) ranges.
  - Runs on rendered manifests (render mode) and on objects read from a cluster (apply mode).
extends_documentation_fragment:
  - eventstack.oke.read_only
  - eventstack.oke.kube_auth
options:
  build_dir:
    description: A render's build directory (C(build/<env>)); the objects of its C(manifests/*.yaml) are added to
      O(objects).
    type: path
  from_cluster:
    description:
      - Add the cluster's NetworkPolicies, Namespaces, Pods, Deployments, StatefulSets and DaemonSets (every
        namespace) to O(objects), read through the kubernetes Python client (apply mode).
    type: bool
    default: false
  objects:
    description:
      - Kubernetes objects; NetworkPolicies, Namespaces, Pods and the pod templates of Deployments, StatefulSets,
        DaemonSets, ReplicaSets and Jobs are used, everything else is ignored.
    type: list
    elements: dict
    default: []
  pods:
    description:
      - Stand-in pods besides those of O(objects), each with C(name), C(namespace), C(labels) and C(ports) (C(name),
        C(port), C(protocol)) - what the charts start, as P(eventstack.oke.network_flows#filter) gives them.
    type: list
    elements: dict
    default: []
  externals:
    description: Endpoints outside the cluster, each with C(name) and C(ip), matched by C(ipBlock) peers.
    type: list
    elements: dict
    default: []
  intended:
    description:
      - The flows the stack needs. C(from) and C(to) each hold C(namespace) with C(labels) or C(name), or
        C(external) naming an external endpoint; C(port) is a number; C(protocol) defaults to TCP; C(name) labels
        the flow in the report.
    type: list
    elements: dict
    default: []
  check_unexpected:
    description: Also list allowed flows that are not intended.
    type: bool
    default: true
  fail_on_blocked:
    description: Fail when an intended flow is blocked or names an endpoint that does not exist, or when a pod the
      policies isolate is in no intended flow.
    type: bool
    default: true
  fail_on_unexpected:
    description: Fail when a flow nobody asked for is allowed.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Check the rendered policies of the app namespace
  eventstack.oke.netpol_reachability:
    objects: "{{ lookup('ansible.builtin.file', 'build/dev/manifests/hardening.yaml') | ansible.builtin.from_yaml_all }}"
    intended:
      - name: frontend -> backend
        from: {namespace: todo-app, labels: {app: frontend}}
        to: {namespace: todo-app, labels: {app: backend}}
        port: 8000
"""

RETURN = r"""
blocked:
  description: Intended flows the policies block, each with C(flow), C(from), C(to), C(port), C(protocol), C(reason).
  returned: always
  type: list
  elements: dict
allowed_intended:
  description: Intended flows that are allowed.
  returned: always
  type: list
  elements: dict
unexpected:
  description: Allowed flows nobody asked for (empty when check_unexpected is false).
  returned: always
  type: list
  elements: dict
unresolved:
  description: Intended flows whose source or destination matches no endpoint.
  returned: always
  type: list
  elements: dict
stranded:
  description:
    - Pods the policies isolate (in either direction) that no intended flow names, each with C(pod), C(kind) and
      C(isolated_by) (the policies' names) - a component the flows forgot, whose every connection is denied. Pods on
      the host's network are never isolated.
  returned: always
  type: list
  elements: dict
summary:
  description: Counts of policies, endpoints and of each list above.
  returned: always
  type: dict
elapsed:
  description: Seconds the analysis took, reading included.
  returned: always
  type: float
requests:
  description: API requests made (O(from_cluster)).
  returned: always
  type: int
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client, _manifests, _netpol
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_apply import collection_path

# What the analysis reads from a cluster: (api_version, plural).
CLUSTER_KINDS = (("networking.k8s.io/v1", "networkpolicies"), ("v1", "namespaces"), ("v1", "pods"),
                 ("apps/v1", "deployments"), ("apps/v1", "statefulsets"), ("apps/v1", "daemonsets"))
KINDS = {"networkpolicies": "NetworkPolicy", "namespaces": "Namespace", "pods": "Pod", "deployments": "Deployment",
         "statefulsets": "StatefulSet", "daemonsets": "DaemonSet"}


def _read_cluster(module, params):
    client = _k8s_client.connect(module)
    objects = []
    try:
        for api_version, plural in CLUSTER_KINDS:
            for item in client.request("GET", collection_path(api_version, plural)).get("items") or []:
                objects.append(dict(item, kind=KINDS[plural]))  # list items carry no kind
    except _k8s_client.KubeError as exc:
        module.fail_json(msg="cannot read the cluster's objects: %s" % exc, requests=client.requests)
    return objects, client.requests


def main():
    module = AnsibleModule(
        argument_spec=_k8s_client.kube_auth_argspec(**{
            "build_dir": {"type": "path"},
            "from_cluster": {"type": "bool", "default": False},
            "objects": {"type": "list", "elements": "dict", "default": []},
            "pods": {"type": "list", "elements": "dict", "default": []},
            "externals": {"type": "list", "elements": "dict", "default": []},
            "intended": {"type": "list", "elements": "dict", "default": []},
            "check_unexpected": {"type": "bool", "default": True},
            "fail_on_blocked": {"type": "bool", "default": True},
            "fail_on_unexpected": {"type": "bool", "default": False},
        }),
        supports_check_mode=True,
    )
    params = module.params
    started = time.monotonic()
    try:
        objects = list(params["objects"])
        if params["build_dir"]:
            if not os.path.isdir(os.path.join(params["build_dir"], "manifests")):
                module.fail_json(msg="build_dir %s has no manifests: render first (make plan ENV=<env>)"
                                 % params["build_dir"])
            objects += _manifests.load_build(params["build_dir"])[0]
        requests = 0
        if params["from_cluster"]:
            live, requests = _read_cluster(module, params)
            objects += live
        policies, pods, namespaces = _netpol.from_objects(objects)
        pods += params["pods"]
        result = _netpol.analyse(policies, pods, namespaces, params["externals"], params["intended"],
                                 params["check_unexpected"])
    except (_netpol.NetpolError, KeyError, TypeError, ValueError) as exc:
        module.fail_json(msg="cannot analyse the policies: %s" % exc)
    result["summary"] = dict({"policies": len(policies), "endpoints": len(pods) + len(params["externals"])},
                             **{key: len(value) for key, value in result.items()})
    result["elapsed"] = round(time.monotonic() - started, 3)
    result["requests"] = requests
    problems = []
    if params["fail_on_blocked"]:
        problems += ["%s is blocked (%s -> %s:%s): %s" % (f["flow"], f["from"], f["to"], f["port"], f["reason"])
                     for f in result["blocked"]]
        problems += ["%s names no existing %s" % (f["flow"], f["missing"]) for f in result["unresolved"]]
        problems += ["%s %s is isolated by %s but in no intended flow" % (s["kind"], s["pod"], ", ".join(s["isolated_by"]))
                     for s in result["stranded"]]
    if params["fail_on_unexpected"]:
        problems += ["%s -> %s:%s/%s is allowed but not intended" % (f["from"], f["to"], f["port"], f["protocol"])
                     for f in result["unexpected"]]
    if problems:
        module.fail_json(msg="%d network policy problem(s): %s" % (len(problems), "; ".join(problems)), **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
