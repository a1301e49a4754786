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
    matching Pod runs the C(containers) named (init containers that keep running, native sidecars, count too), that a
    C(field) (a dotted path such as C(status.addresses)) holds a value on every matching object, or only that the
    objects exist. C(names) instead of C(name) asks for several objects, each of which must exist.
  - A failure's reason gives the condition's reason and message (with C(field), every condition that is not True),
    the object's C(status.phase), the waiting or terminated reasons of the pods behind a workload (image pull errors,
    crash loops, failing probes) and the newest Warning events about the object.
  - Reads only, through the kubernetes Python client; every list is read once per kind and namespace.
  - With O(wait_timeout), waits until every required expectation passes, showing what is still pending with the
    elapsed time at least every O(progress_interval) seconds; a wait that runs out of time fails with the reasons.
extends_documentation_fragment:
  - eventstack.oke.read_only
  - eventstack.oke.kube_auth
options:
  expectations:
    description:
      - The expectations, each with C(kind) and optionally C(api_version), C(namespace), C(name) or C(names),
        C(labels), C(min_count), C(condition), C(containers), C(field), C(title) (the line in the report) and
        C(required) (default true).
      - C(absent) true instead asks that none of the objects named (C(name), C(names) or C(labels)) exists any more;
        what is left is named, with the finalizers it is being deleted behind.
    type: list
    elements: dict
    required: true
  fail_on_failure:
    description: Fail when a required expectation fails (with O(wait_timeout), still failing at the end of the wait).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for every required expectation to pass; 0 judges once.
      - The wait runs in the action plugin, on the controller, so that it can show progress; each look is one run of
        the module with O(wait_timeout=0).
    type: int
    default: 0
  wait_interval:
    description: Seconds between two looks while waiting.
    type: int
    default: 10
  progress_interval:
    description:
      - While waiting, print what is still pending and the elapsed time whenever that changes and at least this
        often (seconds).
    type: int
    default: 30
  wait_setting:
    description:
      - The variable that sets O(wait_timeout), named in the failure message of a wait that ran out of time.
    type: str
    default: wait_timeout
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

- name: Wait up to ten minutes for Kafka and its topics, with progress
  eventstack.oke.k8s_checkpoint:
    expectations:
      - kind: Kafka
        api_version: kafka.strimzi.io/v1
        namespace: kafka
        name: todo-kafka
        condition: {type: Ready}
      - kind: KafkaTopic
        api_version: kafka.strimzi.io/v1
        namespace: kafka
        labels: {strimzi.io/cluster: todo-kafka}
        min_count: 6
        condition: {type: Ready}
    wait_timeout: 600
    wait_setting: strimzi_kafka_wait_timeout
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
  description: Seconds the checks took (with O(wait_timeout), the whole wait).
  returned: always
  type: float
polls:
  description: How many times the expectations were judged (with O(wait_timeout)).
  returned: when O(wait_timeout) is above 0
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _checkpoint, _k8s_client


def main():
    module = AnsibleModule(argument_spec=_checkpoint.ARGUMENT_SPEC, supports_check_mode=True)
    _checkpoint.exit_module(module, _checkpoint.check(module.params, lambda: _k8s_client.connect(module)))


if __name__ == "__main__":
    main()
