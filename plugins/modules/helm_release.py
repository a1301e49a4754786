#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: helm_release
short_description: Install, upgrade or remove a Helm release with kubernetes.core.helm, showing progress while it waits
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Runs M(kubernetes.core.helm) with the arguments of O(helm), as they are, and answers what it answers.
  - Helm's C(--wait) says nothing until the release is ready or its timeout (minutes) has passed. While it waits
    (C(wait) true in O(helm), not in check mode), a line is shown when it starts and every O(progress_interval)
    seconds with the release, its chart and version, the state of the pods of its namespace and the time waited, and
    a last one when Helm is done, so a user never stares at a silent task. The pods' state is how many are ready and
    why the others are not (image pulls, scheduling, crash loops, failing readiness probes).
  - The pods are read from the controller's process with the release's C(kubeconfig) and C(context) of O(helm), when the
    task runs on the controller (local connection) and the C(kubernetes) Python package is there; otherwise Helm runs
    without the lines. When they cannot be read, the line says why, and Helm's wait goes on as before.
attributes:
  check_mode:
    support: full
    description: As M(kubernetes.core.helm) (a dry run); nothing is waited for.
  diff_mode:
    support: none
    description: kubernetes.core.helm shows no diff here.
  action:
    support: full
    description: The action plugin runs M(kubernetes.core.helm) and shows the progress.
options:
  helm:
    description:
      - The arguments of M(kubernetes.core.helm) (C(name), C(release_namespace), C(chart_ref), C(chart_version),
        C(release_values), C(release_state), C(wait), C(wait_timeout), C(atomic), C(kubeconfig), C(context), ...).
    type: dict
    required: true
  progress_interval:
    description: Seconds between two progress lines while Helm waits.
    type: int
    default: 30
notes:
  - Needs the kubernetes.core collection and the C(helm) binary, as M(kubernetes.core.helm) does.
"""

EXAMPLES = r"""
- name: Strimzi operator, waiting until its pods are ready (a line every 30 s meanwhile)
  eventstack.oke.helm_release:
    helm:
      name: strimzi
      release_namespace: kafka
      chart_ref: oci://quay.io/strimzi-helm/strimzi-kafka-operator
      chart_version: "0.48.0"
      wait: true
      wait_timeout: 10m
      atomic: true
"""

RETURN = r"""
elapsed:
  description: Seconds Helm took, when it waited with the progress lines shown.
  returned: when the progress lines were shown
  type: float
status:
  description: The release's status, as M(kubernetes.core.helm) returns it (with its other return values).
  returned: as kubernetes.core.helm returns it
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils._helm_wait import ARGUMENT_SPEC


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="eventstack.oke.helm_release runs as an action plugin, which runs kubernetes.core.helm")


if __name__ == "__main__":
    main()
