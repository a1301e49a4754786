#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_checkpoint
short_description: Judge expectations about a cluster's objects, with what was observed and why they fail
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Each expectation names a C(kind) (C(api_version) outside the core, apps and batch groups), a C(namespace) and
    one object (C(name)) or every object of the kind there (only those whose labels include C(labels); at least
    C(min_count), default 1), then asks that a C(condition) (C(type), C(status) default C("True")) holds, that every
    matching Pod runs the C(containers) named (init containers that keep running, native sidecars, count too), or only
    that the objects exist.
  - A failure's reason gives the condition's reason and message, the waiting or terminated reasons of the pods behind
    a workload (image pull errors, crash loops, failing probes) and the newest Warning events about the object.
  - Reads only, through the kubernetes Python client; every list is read once per kind and namespace.
extends_documentation_fragment:
  - eventstack.oke.read_only
  - eventstack.oke.kube_auth
options:
  expectations:
    description:
      - The expectations, each with C(kind) and optionally C(api_version), C(namespace), C(name), C(labels),
        C(min_count), C(condition), C(containers), C(title) (the line in the report) and C(required) (default true).
    type: list
    elements: dict
    required: true
  fail_on_failure:
    description: Fail when a required expectation fails.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Apps running, with their sidecars
  eventstack.oke.k8s_checkpoint:
    expectations:
      - kind: Deployment
        namespace: todo-app
        condition: {type: Available}
      - kind: Pod
        namespace: todo-app
        labels: {eventstack.oke/dapr: "true"}
        containers: [daprd]
      - kind: Kafka
        api_version: kafka.strimzi.io/v1
        namespace: kafka
        name: todo-kafka
        condition: {type: Ready}
"""

RETURN = r"""
results:
  description: One per expectation - C(name), C(required), C(passed), C(observed) and, when failing, C(reason).
  returned: always
  type: list
  elements: dict
passed:
  description: Whether every required expectation passed.
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

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _checkpoint, _k8s_client


def main():
    module = AnsibleModule(
        argument_spec=_k8s_client.kube_auth_argspec(
            expectations=dict(type="list", elements="dict", required=True),
            fail_on_failure=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    started = time.monotonic()
    client = _k8s_client.connect(module)
    try:
        results = _checkpoint.judge_all(client, params["expectations"])
    except _k8s_client.KubeError as exc:
        module.fail_json(msg=str(exc), requests=client.requests)
    except (_checkpoint.CheckpointError, KeyError, TypeError, ValueError) as exc:
        module.fail_json(msg="cannot check: %s" % exc, requests=client.requests)
    passed = all(r["passed"] for r in results if r["required"])
    output = dict(changed=False, results=results, passed=passed, requests=client.requests,
                  elapsed=round(time.monotonic() - started, 3))
    if not passed and params["fail_on_failure"]:
        failing = [r for r in results if r["required"] and not r["passed"]]
        module.fail_json(msg="%d of %d checkpoints failed: %s" % (len(failing), len(results), "; ".join(
            "%s (%s%s)" % (r["name"], r["observed"], ": " + r["reason"] if r["reason"] else "") for r in failing)),
            **output)
    module.exit_json(**output)


if __name__ == "__main__":
    main()
