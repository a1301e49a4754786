#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oci_wait
short_description: Wait for an OKE cluster or node pool to reach what was asked, showing progress
version_added: 0.2.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Read-only, through the OCI Python SDK. Follows a cluster or node pool that a create, update (upgrade, resize,
    node cycling) or delete is working on, until it is there as asked or gone.
  - Done for O(state=present) means ACTIVE, no work request ACCEPTED or IN_PROGRESS for it, and O(expect) holds
    (for a node pool every one of its C(size) nodes ACTIVE on the pool's Kubernetes version). It fails, with
    OCI's own node and work request errors, when the resource ends FAILED or NEEDS_ATTENTION, settles without what
    was expected, or O(timeout) passes.
  - On the controller the action plugin of the same name polls every O(interval) seconds and prints the resource,
    its lifecycle state, its work request and the elapsed time at least every O(progress_interval) seconds, so a
    wait of many minutes is never silent. Elsewhere the module waits on its own, without progress lines.
  - In check mode nothing is being changed, so it returns at once.
extends_documentation_fragment:
  - eventstack.oke.oci_auth
attributes:
  check_mode:
    support: full
    description: Returns at once without reading anything.
  diff_mode:
    support: none
    description: Nothing is changed, so there is nothing to show.
options:
  kind:
    description: What to wait for.
    type: str
    choices: [cluster, node_pool, bastion]
    required: true
  id:
    description: OCID of the resource. Without it, the newest live resource named O(name) in O(compartment_id).
    type: str
  compartment_id:
    description: Compartment of the resource (to find it by O(name), and to list its work requests).
    type: str
    required: true
  name:
    description: Name of the resource, when O(id) is not known (a create started without waiting).
    type: str
  state:
    description: C(present) waits until it is there as asked, C(absent) until it is gone.
    type: str
    choices: [present, absent]
    default: present
  expect:
    description:
      - What must hold besides ACTIVE; keys C(kubernetes_version) and, for a node pool, C(size) and
        C(nodes_on_version) (default true; false where OKE does not cycle nodes, on basic clusters).
    type: dict
    default: {}
  timeout:
    description: Seconds to wait in all; C(0) looks once.
    type: int
    default: 1800
  interval:
    description: Seconds between two looks.
    type: float
    default: 15
  progress_interval:
    description: The action plugin prints a progress line at least this often (seconds), and whenever the state changes.
    type: float
    default: 30
"""

EXAMPLES = r"""
- name: Wait for the node pool, with progress
  eventstack.oke.oci_wait:
    kind: node_pool
    compartment_id: "{{ oke_cluster_compartment_id }}"
    name: eventstack-dev-pool1
    expect:
      size: 2
      kubernetes_version: v1.34.2
    timeout: 3600
"""

RETURN = r"""
resource:
  description: The cluster or node pool as OCI last reported it (empty once deleted).
  returned: success
  type: dict
summary:
  description: The last progress line, e.g. C(node pool eventstack-dev-pool1 ACTIVE, 2 of 2 nodes ACTIVE).
  returned: always
  type: str
elapsed:
  description: Seconds waited.
  returned: always
  type: float
polls:
  description: How many times OCI was asked.
  returned: always
  type: int
"""

import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.eventstack.oke.plugins.module_utils import _oci_client, _oci_wait, _wait

ARGUMENT_SPEC = _oci_client.oci_auth_argspec(
    kind={"type": "str", "choices": ["cluster", "node_pool", "bastion"], "required": True},
    id={"type": "str"},
    compartment_id={"type": "str", "required": True},
    name={"type": "str"},
    state={"type": "str", "choices": ["present", "absent"], "default": "present"},
    expect={"type": "dict", "default": {}},
    timeout={"type": "int", "default": 1800},
    interval={"type": "float", "default": 15},
    progress_interval={"type": "float", "default": 30},
)


def look(api, params):
    """One look: {done, failed, summary, message, resource, id}."""
    resource_id = params["id"] or _oci_wait.find_id(api, params["kind"], params["compartment_id"], params["name"])
    if not resource_id:
        gone = params["state"] == "absent"
        return {"done": gone, "failed": False, "summary": "%s %s: not found" % (params["kind"], params["name"]),
                "message": "", "resource": {}, "id": ""}
    resource, requests = _oci_wait.poll(api, params["kind"], resource_id, params["compartment_id"])
    verdict = _oci_wait.judge(params["kind"], resource, requests, params["state"], params["expect"])
    verdict.update(resource=resource or {}, id=resource_id)
    return verdict


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, required_one_of=[("id", "name")], supports_check_mode=True)
    if module.check_mode:
        module.exit_json(changed=False, resource={}, summary="check mode: nothing to wait for", elapsed=0, polls=0)
    if not _oci_client.HAS_OCI:
        module.fail_json(msg=missing_required_lib("oci"), exception=str(_oci_client.OCI_IMPORT_ERROR))
    params = module.params
    started, polls = time.monotonic(), 0
    try:
        api = _oci_client.OciApi(params)
        while True:
            polls += 1
            verdict = look(api, params)
            waited = time.monotonic() - started
            if verdict["done"] or verdict["failed"] or waited >= params["timeout"]:
                break
            time.sleep(params["interval"])
    except _oci_client.OciCallError as exc:
        module.fail_json(msg=str(exc), summary="", elapsed=round(time.monotonic() - started, 1), polls=polls)
    out = {"resource": verdict["resource"], "summary": verdict["summary"], "elapsed": round(waited, 1),
           "polls": polls, "id": verdict["id"], "done": verdict["done"]}
    if verdict["failed"]:
        module.fail_json(msg=verdict["message"], **out)
    if not verdict["done"] and params["timeout"] > 0:
        module.fail_json(msg="gave up after %s: %s (raise the wait timeout, or look at the resource in the console)"
                         % (_wait.elapsed(waited), verdict["summary"]), **out)
    module.exit_json(changed=False, **out)


if __name__ == "__main__":
    main()
