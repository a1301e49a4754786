#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: build_files
short_description: Write a set of text files, each only when its content or mode differs
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Writes every file of O(files) whose content or mode differs from what is on disk, creating missing parent
    directories, each file replaced atomically. Reports which files changed.
  - The collection writes its render (manifests, Helm releases, the verification report) with it. When the target
    is the controller (connection C(local)), its action plugin does the work in the controller's process instead of
    running this module, which saves two module runs per file compared with M(ansible.builtin.copy).
attributes:
  check_mode:
    support: full
    description: Reports the files that would change and writes nothing.
  diff_mode:
    support: full
    description: The before and after text of every file that changes.
  action:
    support: full
    description: Runs in the controller's process for a local connection.
options:
  files:
    description: The files, each with C(path) and C(content) (text).
    type: list
    elements: dict
    required: true
  mode:
    description: Permissions of every file (octal string).
    type: str
    default: "0644"
seealso:
  - module: ansible.builtin.copy
"""

EXAMPLES = r"""
- name: Write the report
  eventstack.oke.build_files:
    files:
      - path: build/dev/report.md
        content: "{{ report.markdown }}"
      - path: build/dev/report.json
        content: "{{ report.json }}"
"""

RETURN = r"""
files:
  description: One per file, with its absolute C(path) and whether it C(changed).
  returned: always
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _build_files


def main():
    module = AnsibleModule(
        argument_spec=dict(files=dict(type="list", elements="dict", required=True),
                           mode=dict(type="str", default="0644")),
        supports_check_mode=True,
    )
    try:
        result = _build_files.build(module.params["files"], module.params["mode"], module.check_mode, module._diff)
    except (_build_files.BuildFilesError, KeyError, ValueError) as exc:
        module.fail_json(msg="build_files: %s" % exc)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
