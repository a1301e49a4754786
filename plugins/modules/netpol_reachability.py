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
  - On the controller (local connection) the action plugin of the same name does the work in its own process,
    without starting the module.
attributes:
  action:
    support: full
    description: The action plugin analyses on the controller when the connection is local.
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
  flows:
    description:
      - O(intended), O(pods) and O(externals) in one dictionary (keys C(intended), C(pods), C(externals)), added to
        those options, as the hardening role's C(hardening_network.flows) gives them.
      - One argument is worked out once where three would each derive the stack's flows anew.
    type: dict
    default: {}
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

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client, _netpol_run


def main():
    module = AnsibleModule(argument_spec=_netpol_run.ARGUMENT_SPEC, supports_check_mode=True)
    output = _netpol_run.reachability(module.params, lambda: (_k8s_client.connect(module), None))
    if output.pop("failed", False):
        module.fail_json(**output)
    module.exit_json(**output)


if __name__ == "__main__":
    main()
