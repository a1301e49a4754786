#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dapr_probe
short_description: Checkpoints of Dapr's state, secrets, service invocation with resiliency, and jobs, asked through the sidecars
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Runs each check whose option is given, through the daprd sidecar (HTTP API, port 3500) of a running pod of an
    app-id, reached through the API server's C(pods/portforward) as C(kubectl port-forward) does - no NetworkPolicy
    is opened for it. Returns one checkpoint per check (C(name), C(required), C(passed), C(seconds), C(evidence)).
  - Secret values are never returned; the evidence names the keys a Secret read through Dapr holds.
  - Dapr's metadata API (C(/v1.0/metadata)) does not list Resiliency objects; a sidecar loads those scoped to its
    app-id when it starts. The Resiliency is therefore read through the Kubernetes API and judged applied when it is
    scoped to the caller, targets the callee with policies it defines, and is older than the caller's pod.
  - A one-shot job is removed from Dapr's Scheduler once triggered (Jobs API); the job check judges the trigger by
    C(GET /v1.0-alpha1/jobs/<name>) answering not found after the due time.
  - Needs C(create) on C(pods/portforward), C(list) and C(get) on C(pods), C(get) on Dapr's C(components) and
    C(resiliencies).
extends_documentation_fragment:
  - eventstack.oke.kube_auth
attributes:
  check_mode:
    support: full
    description: The checks that would write (state, jobs) are reported as skipped; the others run.
  diff_mode:
    support: none
    description: Nothing the collection manages changes; the probe key and jobs are removed again.
options:
  namespace:
    description: Namespace of the apps and their Dapr Components.
    type: str
    required: true
  state:
    description:
      - Save, get and delete a probe key through C(/v1.0/state/<store>) (C(store)) from the sidecar of the first of
        C(app_ids) (app-ids scoped to the store) with a running pod, with each round trip in ms.
    type: dict
  store_reads:
    description:
      - C(GET /v1.0/secrets/<store>/<name>) from sidecars - C(store) and C(readers), each C(app_id) with the
        C(names) it reads (for Kubernetes secret stores, Secret names).
    type: dict
  invocation:
    description:
      - C(calls), each C(from) and C(to) (app-ids) and C(method) (default C(health)) - invoked through the caller's
        sidecar (C(/v1.0/invoke/<to>/method/<method>)), which must answer 2xx; with C(resiliency), the name of the
        Resiliency that must apply to each call.
    type: dict
  jobs:
    description:
      - Schedule a one-shot job due in C(due_seconds) (default 2) through C(app_id)'s sidecar, wait up to C(wait)
        seconds (default 30) for it to trigger, then schedule and delete a second one.
    type: dict
  fail_on_failure:
    description: Fail when a required checkpoint fails.
    type: bool
    default: true
notes:
  - Each check's option also takes C(required) (whether it decides the verdict) and C(namespace).
"""

EXAMPLES = r"""
- name: Dapr's building blocks answer through the sidecars
  eventstack.oke.dapr_probe:
    namespace: todo-app
    state: {store: statestore, app_ids: [todo-backend]}
    store_reads: {store: kubernetes-secrets, readers: [{app_id: todo-backend, names: [jwt-secret]}]}
    invocation: {calls: [{from: todo-frontend, to: todo-backend}], resiliency: eventstack}
    jobs: {app_id: todo-backend}
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
  description: API requests made (each port-forwarded HTTP request counts one).
  returned: always
  type: int
elapsed:
  description: Seconds the checks took.
  returned: always
  type: float
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _checkpoint, _dapr_probe, _k8s_client


def main():
    module = AnsibleModule(argument_spec=_dapr_probe.ARGUMENT_SPEC, supports_check_mode=True)
    answer = _dapr_probe.check(module.params, lambda: _k8s_client.connect(module), module.check_mode)
    _checkpoint.exit_module(module, answer)


if __name__ == "__main__":
    main()
