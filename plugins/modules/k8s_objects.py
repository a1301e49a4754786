#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_objects
short_description: Render or converge a role's Kubernetes objects in one task, Secret values hidden
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - The render engine of the collection's roles; every role hands its objects to it, so what render mode writes is
    what apply mode sends.
  - With O(mode=render) writes the objects, sorted (P(eventstack.oke.k8s_sort#filter)) and with every Secret value
    redacted (P(eventstack.oke.k8s_manifest#filter)), to C(<build_dir>/manifests/<name>.yaml), only when the file
    differs. Nothing is written for O(state=absent).
  - With O(mode=apply) converges them with M(eventstack.oke.k8s_apply) - one batched server-side apply of the
    objects without secret values, which sends only what differs. Secrets that carry values (C(data) or
    C(stringData)) go in a run of their own, after the other objects for O(state=present) and before them for
    O(state=absent).
  - That run is made with C(no_log), and with O(hide_secrets) the task's result shows of it only whether it
    changed or failed, its message and warnings with every secret value masked, and per Secret its kind,
    namespace, name and action - never its arguments, its diff or its output, at any verbosity.
  - This module is implemented by the action plugin of the same name, on the controller; it cannot run alone.
attributes:
  check_mode:
    support: full
    description: As M(eventstack.oke.k8s_apply) and M(eventstack.oke.build_files) do it; nothing is written.
  diff_mode:
    support: full
    description:
      - Render mode shows the manifest's before and after; apply mode the objects that change, except the Secrets
        with values (their run's output is hidden).
  action:
    support: full
    description: Runs in the action plugin on the controller.
options:
  name:
    description: Manifest file name, usually the calling role's name.
    type: str
    required: true
  definitions:
    description:
      - The Kubernetes objects, each with C(apiVersion), C(kind) and C(metadata.name).
      - Exactly one of O(definitions) and O(template) is required.
    type: list
    elements: dict
  template:
    description:
      - A template of the calling role (looked up in its C(templates/) as M(ansible.builtin.template) looks up its
        C(src)) that renders the objects as one YAML list; rendered on the controller with the task's variables.
      - The same as O(definitions) set to C(lookup('ansible.builtin.template', template) | from_yaml), without the
        lookup's deep copy of every variable (about 0.3 s a task with the stack's variables). A template that renders
        nothing gives no objects.
    type: str
  state:
    description: C(present) converges the objects; C(absent) deletes those that exist (Secrets first).
    type: str
    choices: [present, absent]
    default: present
  mode:
    description: C(render) writes the manifest and talks to nothing; C(apply) talks to the cluster.
    type: str
    choices: [apply, render]
    default: apply
  build_dir:
    description: Where render mode writes (C(<build_dir>/manifests/)); required with O(mode=render).
    type: path
  field_manager:
    description: Server-side apply field manager that owns the fields (conflicts are forced).
    type: str
    default: eventstack-oke
  hide_secrets:
    description:
      - Hide the arguments, diff and output of the run that handles the Secrets with values. Turn off only while
        debugging (the collection passes C(eventstack_no_log)).
    type: bool
    default: true
extends_documentation_fragment:
  - eventstack.oke.kube_auth
seealso:
  - module: eventstack.oke.k8s_apply
  - module: eventstack.oke.build_files
"""

EXAMPLES = r"""
- name: The role's objects, rendered or converged as eventstack_mode says
  eventstack.oke.k8s_objects:
    name: apps
    template: objects.yml.j2
    state: present
    mode: apply
    kubeconfig: ~/.kube/eventstack-dev.config
"""

RETURN = r"""
results:
  description:
    - Apply mode, one entry per object in the order handled, with the action taken (create, update, delete or
      unchanged); the Secrets with values come last for O(state=present) and first for O(state=absent).
  returned: mode apply
  type: list
  elements: dict
  sample: [{"kind": "Secret", "namespace": "todo-app", "name": "db-credentials", "action": "unchanged"}]
requests:
  description: Number of API requests the runs of M(eventstack.oke.k8s_apply) made.
  returned: mode apply
  type: int
  sample: 9
files:
  description: Render mode, the manifest written, with whether it changed.
  returned: mode render
  type: list
  elements: dict
  sample: [{"path": "/home/me/eventstack/build/dev/manifests/apps.yaml", "changed": false}]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_objects


def main():
    module = AnsibleModule(argument_spec=_k8s_objects.ARGUMENT_SPEC, mutually_exclusive=_k8s_objects.ONE_OF,
                           required_one_of=_k8s_objects.ONE_OF, supports_check_mode=True)
    module.fail_json(msg="eventstack.oke.k8s_objects runs in its action plugin, on the controller; it cannot run "
                         "as a module alone")


if __name__ == "__main__":
    main()
