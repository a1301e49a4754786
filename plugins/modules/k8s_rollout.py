#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_rollout
short_description: Wait for Deployment rollouts; explain and roll back the ones that fail
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Waits until every named Deployment of a namespace is rolled out, with the conditions of
    C(kubectl rollout status) (generation observed, every replica updated, no old replica left, every updated
    replica available), or until O(timeout).
  - For a Deployment that did not roll out it reads its pods and their Warning events and reports why (image pull
    errors, crash loops with the last exit code, containers running but not ready, scheduling failures, the
    failing probe's message), then, with O(rollback), puts the previous revision's pod template back as
    C(kubectl rollout undo) does and waits for that rollout too.
  - Fails when any Deployment did not roll out, naming each one with its reasons and the revision it was rolled
    back to.
  - The wait runs in the action plugin, on the controller, so that it can show progress - each Deployment's state,
    as C(kubectl rollout status) words it, with the elapsed time, whenever it changes and at least every
    O(progress_interval) seconds. Each look is one run of the module with O(look_only); at the end one run with
    O(timeout=0) explains, rolls back and waits for the rolled-back revisions.
attributes:
  check_mode:
    support: full
    description: Reads the Deployments once and reports their state; no wait and no rollback.
  diff_mode:
    support: none
    description: Reports no diff; a rollback is reported in RV(deployments).
options:
  namespace:
    description: Namespace of the Deployments.
    type: str
    required: true
  names:
    description: Deployment names.
    type: list
    elements: str
    required: true
  timeout:
    description: Seconds to wait for the rollouts.
    type: int
    default: 300
  interval:
    description: Seconds between two reads of the Deployments.
    type: int
    default: 5
  rollback:
    description: Roll a Deployment that did not roll out back to its previous revision.
    type: bool
    default: true
  rollback_timeout:
    description:
      - Seconds to wait for the rolled-back revision (default O(timeout)).
      - The action plugin waits for it as for the rollouts, showing "rolling back:" and the states while it lasts.
    type: int
  progress_interval:
    description: While waiting, print the rollouts' states at least this often (seconds), and whenever they change.
    type: int
    default: 30
  look_only:
    description:
      - Read each Deployment's state once and return it, with no explanation and no rollback (the action plugin's
        looks while it waits).
    type: bool
    default: false
extends_documentation_fragment:
  - eventstack.oke.kube_auth
seealso:
  - module: eventstack.oke.k8s_apply
"""

EXAMPLES = r"""
- name: Wait for the application, rolling back what does not come up
  eventstack.oke.k8s_rollout:
    namespace: todo-app
    names: [todo-frontend, todo-backend]
    timeout: 300
"""

RETURN = r"""
deployments:
  description: One entry per Deployment, in the order given.
  returned: always
  type: list
  elements: dict
  sample:
    - name: todo-backend
      namespace: todo-app
      state: failed
      message: 1 old replicas pending termination
      revision: 2
      reasons: ["pod todo-backend-6b9f-x2k4q container backend: ImagePullBackOff - Back-off pulling image"]
      rolled_back_to: 1
      rolled_back_images: ["fra.ocir.io/ns/todo-backend:4f2a9c1"]
      rollback_state: done
      rollback_message: successfully rolled out
requests:
  description: Number of API requests the module made.
  returned: always
  type: int
  sample: 4
elapsed:
  description: Seconds the action plugin waited for the rollouts (before any rollback).
  returned: when the action plugin waited
  type: float
polls:
  description: How many times the action plugin read the Deployments while waiting.
  returned: when the action plugin waited
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _checkpoint, _k8s_client, _rollout


def main():
    module = AnsibleModule(argument_spec=_rollout.ARGUMENT_SPEC, supports_check_mode=True)
    answer = _rollout.check(module.params, lambda: _k8s_client.connect(module), module.check_mode)
    _checkpoint.exit_module(module, answer)


if __name__ == "__main__":
    main()
