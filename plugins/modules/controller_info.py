#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: controller_info
short_description: Report what the Ansible controller has installed
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Reports the Python interpreter the module runs with, the versions of the named Ansible collections found on
    the given search path, the versions of the named Python distributions, and the path and version of the named
    binaries.
  - Read-only; the P(eventstack.oke.preflight#role) role compares the result with what the collection needs and
    fails with one message naming every missing piece and its fix.
  - Run it on the controller (C(connection=local)) with the interpreter that runs C(ansible-playbook).
attributes:
  check_mode:
    support: full
    description: Reads only; behaves the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
  action:
    support: full
    description:
      - On the controller (local connection), with the interpreter that runs C(ansible-playbook) as the module's and no
        task C(environment), the action plugin reads the same report in its own process instead of starting the module.
options:
  collections:
    description: Collections to look for, as C(namespace.name).
    type: list
    elements: str
    default: []
  collections_paths:
    description:
      - Directories searched in order for C(ansible_collections/<namespace>/<name>), as Ansible's
        C(COLLECTIONS_PATHS) setting lists them.
    type: list
    elements: path
    default: []
  python_packages:
    description: Python distributions whose installed version to report.
    type: list
    elements: str
    default: []
  binaries:
    description: Programs to look up on C(PATH); their version is read from C(<binary> version --short).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Read what the controller has
  eventstack.oke.controller_info:
    collections: [kubernetes.core, oracle.oci]
    collections_paths: "{{ lookup('ansible.builtin.config', 'COLLECTIONS_PATHS') }}"
    python_packages: [kubernetes]
    binaries: [helm]
  register: controller
"""

RETURN = r"""
python:
  description: The interpreter the module ran with.
  returned: always
  type: dict
  sample: {"version": "3.11.7", "executable": "/home/me/eventstack.oke/.venv/bin/python"}
collections:
  description: Per requested collection, its version and path, or null when not found.
  returned: always
  type: dict
  sample: {"kubernetes.core": {"version": "6.2.0", "path": "/home/me/.collections/ansible_collections/kubernetes/core"},
           "oracle.oci": null}
python_packages:
  description: Per requested distribution, its version or null.
  returned: always
  type: dict
  sample: {"kubernetes": "37.0.2"}
binaries:
  description: Per requested binary, its path and version, or null when not on PATH.
  returned: always
  type: dict
  sample: {"helm": {"path": "/usr/local/bin/helm", "version": "3.19.0"}}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _controller


def main():
    module = AnsibleModule(argument_spec=_controller.ARGUMENT_SPEC, supports_check_mode=True)
    answer = _controller.report(module.params)
    if answer.get("failed"):
        module.fail_json(**{key: value for key, value in answer.items() if key != "failed"})
    module.exit_json(**answer)


if __name__ == "__main__":
    main()
