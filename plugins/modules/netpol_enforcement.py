#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: netpol_enforcement
short_description: Prove that the cluster enforces its NetworkPolicies with a connection they deny
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - NetworkPolicies are only as good as what enforces them (OKE's flannel and VCN-native CNIs enforce none), and no
    object says whether anything does. This module tries.
  - Checks first, with the NetworkPolicy semantics, that the namespace's policies deny a pod labelled
    C(app.kubernetes.io/name=eventstack-netpol-probe) the target Service's port while allowing it DNS, and that the
    Service has a ready pod - otherwise the probe could prove nothing, and says so.
  - Then creates a probe pod in the namespace (restricted security context, no service account token, small
    requests), waits until it runs, and through the API server's C(pods/exec) (as C(kubectl exec) does) resolves the
    Service's name - the allowed control - and tries a TCP connection to its port with C(nc -z -w). A refused or timed
    out connection passes (enforced); a connection that goes through fails, naming the policy engine DaemonSets found
    (or their absence) as the cause. The probe pod is deleted in every case.
  - Needs C(create), C(get) and C(delete) on C(pods) and C(create) on C(pods/exec) in the namespace, and reads
    Services, Pods, NetworkPolicies, Namespaces and DaemonSets. The image must provide C(nslookup), C(nc) and C(sleep)
    (busybox does) and run as uid 65534.
extends_documentation_fragment:
  - eventstack.oke.kube_auth
attributes:
  check_mode:
    support: full
    description: Creates nothing in check mode; the probe is reported as skipped.
  diff_mode:
    support: none
    description: The probe pod it creates is deleted again; nothing the collection manages changes.
options:
  namespace:
    description: Namespace of the target Service, where the probe pod runs (one the policies isolate).
    type: str
    required: true
  service:
    description: The Service whose port the policies deny the probe.
    type: str
    required: true
  port:
    description: The Service port to try.
    type: int
    required: true
  image:
    description: The probe pod's image.
    type: str
    required: true
  engines:
    description: Names of the DaemonSets of NetworkPolicy engines (e.g. C(calico-node)), reported as the cause.
    type: list
    elements: str
    default: []
  timeout:
    description: Seconds to wait for the probe pod to run.
    type: float
    default: 120
  connect_timeout:
    description: Seconds the connection attempt may take before it counts as denied.
    type: int
    default: 3
  fail_on_failure:
    description: Fail when the policies are not enforced or the probe cannot tell.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: A pod the policies deny todo-frontend's port cannot connect to it
  eventstack.oke.netpol_enforcement:
    namespace: todo-app
    service: todo-frontend
    port: 3000
    image: docker.io/library/busybox:1.37.0
    engines: [calico-node, cilium]
"""

RETURN = r"""
passed:
  description: Whether the denied connection failed.
  returned: always
  type: bool
enforced:
  description: True (denied), false (it connected), null (the probe could not tell; see reason).
  returned: always
  type: bool
reason:
  description: What happened, with the policies' verdict and the engines found.
  returned: always
  type: str
evidence:
  description: Lines for reports.
  returned: always
  type: list
  elements: str
pod:
  description: The probe pod (namespace/name), when one was created.
  returned: always
  type: str
deleted:
  description: Whether the probe pod was deleted again (null when none was created).
  returned: always
  type: bool
engines:
  description: The policy engine DaemonSets found, with their ready pods.
  returned: always
  type: list
  elements: str
requests:
  description: API requests made (each exec counts one).
  returned: always
  type: int
elapsed:
  description: Seconds the probe took.
  returned: always
  type: float
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _checkpoint, _enforcement, _k8s_client


def main():
    module = AnsibleModule(argument_spec=_enforcement.ARGUMENT_SPEC, supports_check_mode=True)
    answer = _enforcement.check(module.params, lambda: _k8s_client.connect(module), module.check_mode)
    _checkpoint.exit_module(module, answer)


if __name__ == "__main__":
    main()
