#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: role_inputs
short_description: Check the inventory for every role of the collection, before anything changes
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - For each role of O(roles), validates the variables the task sees against the role's C(main) argument spec
    (C(roles/<role>/meta/argument_specs.yml) of this collection), templated as Ansible's role argument validation
    templates them, then reads the role's cross-checks - the list of messages its C(vars/main.yml) declares as
    C(<role>_input_problems), each naming the variable and the fix (the rules an argument spec cannot express).
  - Fails once, listing every problem of every role (role, source, message). The cross-checks of a role whose
    argument spec fails are not worked out (they read the values the spec refused).
  - The values of C(vault_) variables and of C(no_log) options never appear in a message.
  - Runs in the controller's process only; changes nothing. The roles' variables are in sight when they run in the
    same play (as in C(playbooks/site.yml)).
extends_documentation_fragment:
  - eventstack.oke.read_only
attributes:
  action:
    support: full
    description: The whole check is the action plugin, in the controller's process.
options:
  roles:
    description: Names of roles of this collection (without the C(eventstack.oke.) prefix) whose inputs to check.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Check the inventory for every role, before anything changes
  eventstack.oke.role_inputs:
    roles: [k8s_base, ingress, apps]
"""

RETURN = r"""
problems:
  description:
    - Every problem found, each with C(role), C(source) (C(argument spec) or the cross-check variable) and
      C(message).
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(roles=dict(type="list", elements="str", required=True)),
                           supports_check_mode=True)
    module.fail_json(msg="eventstack.oke.role_inputs runs as an action plugin, in the controller's process")


if __name__ == "__main__":
    main()
