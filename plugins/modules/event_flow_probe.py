#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: event_flow_probe
short_description: Publish a test event through Dapr pub/sub and confirm it lands in Kafka and is consumed
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - For each probe, publishes one uniquely identified CloudEvent (type C(io.eventstack.oke.probe)) to a topic
    through the daprd sidecar of a running pod of the publishing app-id, and reports Dapr's answer.
  - With O(exporter), follows the event through the Strimzi Kafka Exporter's metrics - the topic's offsets show it
    landed; each subscriber's consumer group (Dapr's default group is the subscriber's app-id; per replica with a
    C({podName}) consumer ID) reaching those offsets shows it was consumed; a growing O(probes[].dead_letter_topic) shows a subscriber gave up on it - and
    reports the round-trip time, measured to the metrics reading that first showed every subscriber caught up
    (resolution O(interval)).
  - Reaches the sidecar's HTTP API (port 3500, which listens on localhost) and the exporter (port 9404) through the
    API server's C(pods/portforward), as C(kubectl port-forward) does, so it needs C(create) on C(pods/portforward)
    and C(list) on C(pods) in both namespaces, and no NetworkPolicy opening.
  - Subscribers receive the probe event like any other; they should acknowledge events of this type (HTTP 200 or
    Dapr's C(DROP)) without acting on them.
extends_documentation_fragment:
  - eventstack.oke.kube_auth
attributes:
  check_mode:
    support: full
    description: Publishes nothing in check mode; every probe is reported as skipped.
  diff_mode:
    support: none
    description: Nothing the collection manages changes; a probe only adds a test event to a topic.
options:
  namespace:
    description: Namespace of the application's pods and its Dapr pub/sub component.
    type: str
    required: true
  pubsub:
    description: Name of the Dapr pub/sub component.
    type: str
    required: true
  probes:
    description: The events to send.
    type: list
    elements: dict
    required: true
    suboptions:
      topic:
        description: Topic to publish to.
        type: str
        required: true
      publisher:
        description: Dapr app-id whose sidecar publishes (one of its running pods with a daprd container).
        type: str
        required: true
      subscribers:
        description: App-ids that must consume the event (each as its consumer group, see O(probes[].consumer_groups)).
        type: list
        elements: str
        default: []
      consumer_groups:
        description:
          - Per subscriber app-id, the consumer group its pub/sub component makes, as Dapr's templated metadata value
            (C(consumerGroup), else C(consumerID)); default C({appID}), Dapr's own default.
          - C({appID}) and C({namespace}) make one group; C({podName}) makes one group per pod, and then every replica
            running when the event is sent must consume it in its own group (a fan-out subscriber).
          - C({uuid}) cannot be followed and fails the probe.
        type: dict
        default: {}
      dead_letter_topic:
        description: Dead-letter topic of the subscriptions; growing during the probe fails it.
        type: str
      title:
        description: The line in the report (default C(<publisher> -> <topic>)).
        type: str
  exporter:
    description:
      - Where the Kafka Exporter runs. Without it the probe only publishes and reports Dapr's answer.
    type: dict
    suboptions:
      namespace:
        description: Its namespace.
        type: str
        required: true
      labels:
        description: Labels of its pod.
        type: dict
        required: true
      port:
        description: Its metrics port.
        type: int
        default: 9404
  timeout:
    description: Seconds to wait for every probe to be consumed.
    type: float
    default: 60
  latency_max:
    description:
      - Seconds within which every subscriber must have consumed its probe event; a slower round trip fails the
        probe. Measured to the metrics reading that showed it, so to O(interval) seconds.
    type: float
  lag:
    description:
      - Also judge whether consumer lag is observable - after the probes, one more reading of the exporter must hold
        C(kafka_consumergroup_lag) for every partition of each probed topic, for each subscriber's consumer group
        (the groups the probe followed). Returned as RV(lag). Needs O(exporter).
    type: bool
    default: false
  interval:
    description: Seconds between two metrics readings.
    type: float
    default: 2
  fail_on_failure:
    description: Fail when a probe fails.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: A task event reaches both of its subscribers
  eventstack.oke.event_flow_probe:
    namespace: todo-app
    pubsub: pubsub-kafka
    probes:
      - topic: task-events
        publisher: todo-backend
        subscribers: [recurring-worker, audit-worker]
        dead_letter_topic: task-events-dlq
      - topic: task-updates
        publisher: todo-backend
        subscribers: [audit-worker, websocket-worker]
        # every websocket-worker replica consumes every update (its component's consumerID is {podName})
        consumer_groups: {websocket-worker: "{podName}"}
    exporter:
      namespace: kafka
      labels: {strimzi.io/name: todo-kafka-kafka-exporter}
"""

RETURN = r"""
results:
  description:
    - One per probe - C(title), C(topic), C(publisher), C(pod), C(event_id), C(published), C(landed),
      C(groups) (the consumer group of each subscriber, or of each replica of a per-pod subscriber as
      C(<app-id>/<pod>)), C(consumed) (seconds per entry of C(groups), null when it did not), C(dead_lettered),
      C(round_trip) (seconds),
      C(passed) and, when failing, C(reason).
  returned: always
  type: list
  elements: dict
evidence:
  description: One line per probe, for reports.
  returned: always
  type: list
  elements: str
lag:
  description:
    - With O(lag) - C(passed), C(seconds) and C(evidence) (one line per consumer group and topic - the lag summed
      over the partitions, or which series is missing and why it can be).
  returned: when O(lag) is true
  type: dict
passed:
  description: Whether every probe passed.
  returned: always
  type: bool
requests:
  description: API requests made (each port-forwarded HTTP request counts one).
  returned: always
  type: int
elapsed:
  description: Seconds the probes took.
  returned: always
  type: float
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _checkpoint, _event_probe, _k8s_client


def main():
    module = AnsibleModule(argument_spec=_event_probe.ARGUMENT_SPEC, supports_check_mode=True)
    answer = _event_probe.check(module.params, lambda: _k8s_client.connect(module), module.check_mode)
    _checkpoint.exit_module(module, answer)


if __name__ == "__main__":
    main()
