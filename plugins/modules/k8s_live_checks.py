#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_live_checks
short_description: Checkpoints of a running cluster through the Kubernetes API - nodes, access, Secrets, quotas, metrics
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Runs each check whose option is given and returns one checkpoint per check (C(name), C(required), C(passed),
    C(seconds), C(evidence)); the evidence names every failure's cause and never a Secret's value.
  - Reads only. The LimitRange check creates a pod with C(dryRun=All), which the API server admits and defaults but
    never stores; access is asked with SubjectAccessReviews. Needs C(create) on C(subjectaccessreviews) and C(pods)
    (dry run), and read access to what it checks (Secrets of the owned namespaces included).
extends_documentation_fragment:
  - eventstack.oke.read_only
  - eventstack.oke.kube_auth
options:
  nodes:
    description:
      - Every node Ready, at least C(count) of them; with C(ocpus), C(memory_gbs) and C(shape), each node's capacity
        against the shape (Arm A1 - one vCPU per OCPU, x86 two); a warning for a node whose allocatable is below
        C(minimum) (C(cpu), C(memory)) or, without it, the shape less C(reserved) (C(cpu), C(memory)).
    type: dict
  access:
    description:
      - SubjectAccessReviews of the ServiceAccount C(service_account) of C(namespace) with the groups its tokens
        carry - each of C(allowed) must be allowed, each of C(denied) denied. Items are C(verb), C(resource)
        (C(pods/log) for a subresource), C(group) (default core) and C(namespace) (default the account's; empty
        for cluster-wide).
    type: dict
  leaks:
    description:
      - No value of a Secret of C(namespaces) (values of C(min_length) characters or more, default 8) in a ConfigMap,
        an env literal of a pod or workload template, or an annotation in those namespaces.
    type: dict
  quotas:
    description:
      - C(quotas) maps a namespace to its quota (k8s_base's keys, e.g. C(limits_cpu)), which a ResourceQuota there
        must hold; C(limit_ranges) maps a namespace to its LimitRange defaults (C(default_cpu), C(default_memory),
        C(default_request_cpu), C(default_request_memory)), which a pod without resources (dry run) must get.
    type: dict
  metrics:
    description: C(metrics.k8s.io) reports every running pod of C(namespace).
    type: dict
  hpa:
    description: Every HorizontalPodAutoscaler of C(namespace) is C(ScalingActive), at least one.
    type: dict
  fail_on_failure:
    description: Fail when a required checkpoint fails.
    type: bool
    default: true
notes:
  - Each option also takes C(title) (the checkpoint's name) and C(required) (whether it decides the verdict).
"""

EXAMPLES = r"""
- name: The deployer's access, Secrets, quotas and metrics
  eventstack.oke.k8s_live_checks:
    access:
      service_account: eventstack-deployer
      namespace: todo-app
      allowed: [{verb: patch, group: apps, resource: deployments}]
      denied: [{verb: create, group: apps, resource: deployments, namespace: kube-system}]
    leaks: {namespaces: [todo-app]}
    quotas: {quotas: {todo-app: {limits_cpu: "12"}}, limit_ranges: {todo-app: {default_cpu: 500m}}}
    metrics: {namespace: todo-app}
    hpa: {namespace: todo-app}
"""

RETURN = r"""
checkpoints:
  description: One per check run - C(name), C(required), C(passed), C(seconds), C(evidence) (list of lines).
  returned: always
  type: list
  elements: dict
passed:
  description: Whether every required checkpoint passed.
  returned: always
  type: bool
requests:
  description: API requests made.
  returned: always
  type: int
elapsed:
  description: Seconds the checks took.
  returned: always
  type: float
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _checkpoint, _k8s_client, _verify_live


def main():
    module = AnsibleModule(argument_spec=_verify_live.ARGUMENT_SPEC, supports_check_mode=True)
    answer = _verify_live.check(module.params, lambda: _k8s_client.connect(module), module.check_mode)
    _checkpoint.exit_module(module, answer)


if __name__ == "__main__":
    main()
