#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: capacity_budget
short_description: Whether the stack's pods fit on the node pool, under the quotas and the budget
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Sums the requests and limits of every pod the stack runs, Dapr sidecars (their C(dapr.io/sidecar-*)
    annotations) and the chart components whose resources the collection sets included, per namespace and for the
    environment; DaemonSet pods count once per node.
  - Compares the sums with the namespaces' ResourceQuotas, the budget and the nodes' allocatable capacity, places
    every pod on a node (DaemonSet pods on each node, then the largest pods first where most room is left) and
    reports the headroom and the pods that fit nowhere.
  - Render mode reads a render's build directory and takes the nodes from the inventory; with O(from_cluster) the
    pods, nodes and quotas come from the cluster. Reads only.
extends_documentation_fragment:
  - eventstack.oke.read_only
  - eventstack.oke.kube_auth
attributes:
  action:
    support: full
    description: Assessing a render (no O(from_cluster)) runs in the controller's process for a local connection.
options:
  build_dir:
    description: A render's build directory (C(build/<env>)); its C(manifests/*.yaml) and C(helm/*.yaml) are read.
    type: path
  objects:
    description: Kubernetes objects to count, besides those of O(build_dir).
    type: list
    elements: dict
    default: []
  releases:
    description: Helm releases (C(name), C(namespace), C(values)) to count, besides those of O(build_dir).
    type: list
    elements: dict
    default: []
  nodes:
    description:
      - The nodes' allocatable capacity, each with C(cpu) and C(memory) (Kubernetes quantities) and an optional
        C(name). Ignored with O(from_cluster), which reads the schedulable nodes.
    type: list
    elements: dict
    default: []
  node_pool:
    description:
      - Used when O(nodes) is empty and not O(from_cluster) - an OKE node pool, C(count) nodes of C(shape) with
        C(ocpus) and C(memory_gbs) each, less C(reserved) (C(cpu), C(memory)) per node for the kubelet and the
        system. An OCPU is one Kubernetes CPU on Arm shapes (A1, A2) and two on x86 shapes.
    type: dict
  quotas:
    description:
      - Namespace name -> its quota as k8s_base takes it (C(requests_cpu), C(requests_memory), C(limits_cpu),
        C(limits_memory), C(pods)). With O(from_cluster) the ResourceQuotas' C(spec.hard) are read instead.
    type: dict
    default: {}
  budget:
    description: The environment's budget for requests, C(cpu) and C(memory) (eventstack_budget).
    type: dict
    default: {}
  from_cluster:
    description: Count the pods that run, on the nodes that exist, under the quotas that are set.
    type: bool
    default: false
  fail_on_problems:
    description: Fail when a quota or the budget is exceeded or a pod fits on no node.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Does the rendered dev stack fit on its one Always Free node?
  eventstack.oke.capacity_budget:
    build_dir: build/dev
    nodes: [{name: a1, cpu: 1830m, memory: 6.5Gi}]
    quotas: {todo-app: {requests_cpu: 1500m, requests_memory: 3Gi}}
    budget: {cpu: "1.6", memory: 6Gi}

- name: And the cluster as it runs
  eventstack.oke.capacity_budget:
    from_cluster: true
    kubeconfig: ~/.kube/eventstack-dev.config
"""

RETURN = r"""
requests:
  description: The environment's total requests and limits (C(requests.cpu) in cores, C(requests.memory) in bytes).
  returned: always
  type: dict
allocatable:
  description: The nodes' total allocatable C(cpu) and C(memory).
  returned: always
  type: dict
headroom:
  description: Allocatable minus requests, per resource (negative when the stack does not fit).
  returned: always
  type: dict
budget_headroom:
  description: The budget minus the requests, per resource given in O(budget).
  returned: always
  type: dict
namespaces:
  description: Namespace -> C(pods), C(used) (requests and limits), C(quota) and C(headroom) per quota key.
  returned: always
  type: dict
nodes:
  description: Each node's C(cpu) and C(memory) left after the placement, and its C(pods).
  returned: always
  type: list
  elements: dict
unschedulable:
  description: The pods that fit on no node (C(pod), C(namespace), C(node) for a DaemonSet pod beyond a node).
  returned: always
  type: list
  elements: dict
problems:
  description: What does not fit, one sentence each.
  returned: always
  type: list
  elements: str
pods:
  description: How many pods were counted.
  returned: always
  type: int
requests_made:
  description: API requests made (O(from_cluster)).
  returned: always
  type: int
elapsed:
  description: Seconds the assessment took, reading included.
  returned: always
  type: float
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _capacity, _k8s_client, _manifests


def _from_cluster(client):
    nodes = _capacity.nodes_from_api(client.request("GET", "/api/v1/nodes").get("items"))
    groups = _capacity.from_pods(client.request("GET", "/api/v1/pods").get("items"))
    quotas = {}
    for quota in client.request("GET", "/api/v1/resourcequotas").get("items") or []:
        hard = (quota.get("spec") or {}).get("hard") or {}
        entry = quotas.setdefault((quota.get("metadata") or {}).get("namespace"), {})
        for key, value in hard.items():
            entry[{"requests.cpu": "requests_cpu", "cpu": "requests_cpu", "requests.memory": "requests_memory",
                   "memory": "requests_memory", "limits.cpu": "limits_cpu", "limits.memory": "limits_memory",
                   "pods": "pods"}.get(key, key)] = value
    return groups, nodes, quotas


def main():
    module = AnsibleModule(
        argument_spec=_k8s_client.kube_auth_argspec(
            build_dir=dict(type="path"),
            objects=dict(type="list", elements="dict", default=[]),
            releases=dict(type="list", elements="dict", default=[]),
            nodes=dict(type="list", elements="dict", default=[]),
            node_pool=dict(type="dict"),
            quotas=dict(type="dict", default={}),
            budget=dict(type="dict", default={}),
            from_cluster=dict(type="bool", default=False),
            fail_on_problems=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    client = None
    started = time.monotonic()
    try:
        if params["from_cluster"]:
            client = _k8s_client.connect(module)
            groups, nodes, quotas = _from_cluster(client)
            result = _capacity.assess(groups, nodes, quotas, params["budget"])
            output = dict(_capacity.to_plain(result), changed=False, requests_made=client.requests,
                          elapsed=round(time.monotonic() - started, 3))
            message = "the stack does not fit: %s" % "; ".join(result["problems"]) if result["problems"] else None
        else:
            output, message = _capacity.check_render(params)
    except _k8s_client.KubeError as exc:
        module.fail_json(msg=str(exc), requests_made=client.requests if client else 0)
    except (_capacity.CapacityError, _manifests.ManifestError, KeyError, TypeError, ValueError) as exc:
        module.fail_json(msg="cannot assess the capacity: %s" % exc)
    if message and params["fail_on_problems"]:
        module.fail_json(msg=message, **output)
    module.exit_json(**output)


if __name__ == "__main__":
    main()
