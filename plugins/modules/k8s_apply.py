#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_apply
short_description: Server-side apply (or delete) a batch of Kubernetes objects, sending only what differs
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Applies a list of Kubernetes objects with server-side apply, in the order given (use
    P(eventstack.oke.k8s_sort#filter)).
  - Reads the live objects with one list request per kind and namespace and sends an apply only for objects that
    are missing, differ in a field the definition sets, or still carry a field this field manager applied earlier
    and the definition no longer sets. A batch that changes nothing costs one request per kind and namespace plus
    one discovery request per API group-version.
  - Kinds the cluster does not serve fail the task before anything is sent, unless the batch also holds their
    CustomResourceDefinition; then the module waits for it to be served.
  - The objects M(eventstack.oke.k8s_objects) renders are exactly what it sends.
  - With O(state=absent) deletes the objects that exist, in reverse order (foreground propagation).
attributes:
  check_mode:
    support: full
    description:
      - Sends every apply with C(dryRun=All) and reports what would change. An object in a namespace that does
        not exist yet is reported as created, with a warning, because the server cannot dry-run it.
  diff_mode:
    support: full
    description: Before and after of every object that changes; Secret values are always redacted.
options:
  definitions:
    description: The objects, each with C(apiVersion), C(kind) and C(metadata.name).
    type: list
    elements: dict
    required: true
  state:
    description: C(present) applies the objects, C(absent) deletes those that exist.
    type: str
    choices: [present, absent]
    default: present
  field_manager:
    description: Server-side apply field manager that owns the fields.
    type: str
    default: eventstack-oke
  force_conflicts:
    description: Take over fields another manager owns (server-side apply C(force)).
    type: bool
    default: true
  crd_wait:
    description: Seconds to wait for a CustomResourceDefinition of this batch to be served.
    type: int
    default: 30
extends_documentation_fragment:
  - eventstack.oke.kube_auth
notes:
  - Secret values never appear in the result or the diff; hide the task's output with C(no_log) anyway when
    the batch holds Secrets, because Ansible shows module arguments at high verbosity.
seealso:
  - module: kubernetes.core.k8s
"""

EXAMPLES = r"""
- name: Apply the objects a role built
  eventstack.oke.k8s_apply:
    definitions: "{{ objects | eventstack.oke.k8s_sort }}"
    kubeconfig: ~/.kube/eventstack-dev.config
  register: applied
"""

RETURN = r"""
results:
  description: One entry per object, in the order handled, with the action taken (create, update, delete or unchanged).
  returned: always
  type: list
  elements: dict
  sample: [{"kind": "Namespace", "namespace": null, "name": "kafka", "action": "unchanged"}]
requests:
  description: Number of API requests the module made.
  returned: always
  type: int
  sample: 9
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_apply, _k8s_client


def main():
    module = AnsibleModule(
        argument_spec=_k8s_client.kube_auth_argspec(
            definitions=dict(type="list", elements="dict", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            field_manager=dict(type="str", default="eventstack-oke"),
            force_conflicts=dict(type="bool", default=True),
            crd_wait=dict(type="int", default=30),
        ),
        supports_check_mode=True,
    )
    if not _k8s_client.HAS_KUBERNETES:
        module.fail_json(msg=missing_required_lib("kubernetes"))
    params = module.params
    client = _k8s_client.connect(module)
    output = _k8s_apply.run(client, params["definitions"], params["state"], params["field_manager"],
                            params["force_conflicts"], params["crd_wait"], module.check_mode, module._diff)
    for warning in output.pop("warnings", []):
        module.warn(warning)
    if output.get("failed"):
        module.fail_json(**output)
    module.exit_json(**output)


if __name__ == "__main__":
    main()
