"""Stand-ins for what event_flow_probe talks to in a cluster held by the Kubernetes emulator: the daprd sidecars'
HTTP API (port 3500) and the Strimzi Kafka Exporter (port 9404), over one Kafka log kept here.

They judge from the emulator's objects as the real ones would: a sidecar only exists in a Pod with a daprd
container; a publish needs the pub/sub Component in the namespace with the app-id in its scopes (else Dapr's
ERR_PUBSUB_NOT_FOUND) and the topic's KafkaTopic (else the broker's unknown-topic error). An event is delivered to
every app-id scoped by a Subscription of that topic whose pub/sub Component scopes it too (a sidecar loads only the
components that scope its app-id), in the consumer group Dapr's pubsub.kafka gives each sidecar: the component's
``consumerGroup``, else its ``consumerID``, else the app-id, with the templated values resolved per sidecar
(``{podName}``, ``{namespace}``, ``{appID}``, ``{uuid}``). As in Kafka, each group gets every event once, through one
of its members (the running sidecars in it: the one owning the event's partition), ``delay`` seconds after it was
written; ``received`` records which pod got which event. An app-id in ``failing`` rejects it, so Dapr writes it to
the Subscription's dead-letter topic and commits. The exporter renders kafka_exporter's metric families (topic
offsets; per consumer group current offset and lag, for the groups and topics the Kafka's groupRegex and topicRegex
let through, once the group has committed on the topic).

The sidecars also answer the building blocks verify asks for, as Dapr's HTTP API documents them (dapr_api.py):
state, secrets (Kubernetes secret stores, read with the pod's ServiceAccount under RBAC), service invocation, the
metadata API and the Jobs API over a Scheduler that runs while a dapr-scheduler-server pod runs.
"""
from __future__ import annotations

import json
import re
import time
import uuid
import zlib

from tests.support.dapr_api import DaprBuildingBlocks

PUBLISH = re.compile(r'^/v1\.0/publish/([^/?]+)/([^/?]+)(\?.*)?$')


def _dapr_error(status, code, message):
    return status, 'application/json', json.dumps({'errorCode': code, 'message': message}).encode()


class DaprKafkaStandIn(DaprBuildingBlocks):
    def __init__(self, server, delay=0.0, failing=(), clock=time.monotonic):
        self.server, self.delay, self.failing, self.clock = server, delay, set(failing), clock
        self.offsets: dict[str, list[int]] = {}  # topic -> next offset of each partition
        self.committed: dict[tuple, dict[int, int]] = {}  # (group, topic) -> partition -> committed offset
        self.pending: list[tuple] = []  # (due, group, topic, partition, offset, dead-letter topic, app-id, pod, id)
        self.published: list[dict] = []  # the CloudEvents received, as decoded
        self.received: dict[str, list[str]] = {}  # pod name -> ids of the events its app was handed
        self._uuids: dict[str, str] = {}  # pod uid -> its sidecar's {uuid}
        DaprBuildingBlocks.__init__(self)
        server.serve_pod_port(3500, self.daprd)
        server.serve_pod_port(9404, self.exporter)

    # --- daprd ----------------------------------------------------------------------------------------------------
    def _pods(self, namespace):
        return [p for p in self.server.objects('Pod', namespace)
                if any(c['name'] == 'daprd' for c in p['spec'].get('containers', []))
                and p.get('status', {}).get('phase', 'Running') == 'Running']

    def _topic(self, name):
        for topic in self.server.objects('KafkaTopic'):
            if topic['spec'].get('topicName', topic['metadata']['name']) == name:
                return topic
        return None

    def daprd(self, pod, request):
        if not any(c['name'] == 'daprd' for c in pod['spec'].get('containers', [])):
            raise ConnectionRefusedError
        namespace = pod['metadata']['namespace']
        app_id = pod['metadata'].get('annotations', {}).get('dapr.io/app-id')
        match = PUBLISH.match(request['path'])
        if request['method'] != 'POST' or not match:
            return self.building_block(pod, request)
        pubsub, topic = match.group(1), match.group(2)
        component = self.server.get('dapr.io/v1alpha1', 'Component', pubsub, namespace)
        if component is None or app_id not in component.get('scopes', [app_id]):
            return _dapr_error(404, 'ERR_PUBSUB_NOT_FOUND', 'pubsub %s is not found' % pubsub)
        kafka_topic = self._topic(topic)
        if kafka_topic is None:
            return _dapr_error(500, 'ERR_PUBSUB_PUBLISH_MESSAGE', (
                'error when publish to topic %s in pubsub %s: kafka server: Request was for a topic or partition '
                'that does not exist on this broker' % (topic, pubsub)))
        event = json.loads(request['body'] or b'{}')
        self.published.append(event)
        offset, partition = self._write(topic, kafka_topic['spec'].get('partitions', 1), str(event.get('id')))
        for subscription in self.server.objects('Subscription', namespace):
            spec = subscription['spec']
            if spec.get('topic') != topic:
                continue
            source = self.server.get('dapr.io/v1alpha1', 'Component', spec.get('pubsubname'), namespace)
            if source is None:
                continue
            for app_id in subscription.get('scopes', []):
                if app_id not in source.get('scopes', [app_id]):
                    continue  # the sidecar does not load that component
                for group, members in sorted(self._groups(source, app_id, namespace).items()):
                    member = members[partition % len(members)]
                    self.pending.append((self.clock() + self.delay, group, topic, partition, offset,
                                         spec.get('deadLetterTopic'), app_id, member, str(event.get('id'))))
        return 204, 'text/plain', b''

    def _groups(self, component, app_id, namespace):
        """Consumer group -> the running pods of app_id in it (sorted), as pubsub.kafka names the groups."""
        metadata = {m.get('name'): m.get('value') for m in component['spec'].get('metadata', [])}
        template = metadata.get('consumerGroup') or metadata.get('consumerID') or app_id
        groups: dict[str, list[str]] = {}
        for pod in self._pods(namespace):
            meta = pod['metadata']
            if meta.get('annotations', {}).get('dapr.io/app-id') != app_id:
                continue
            value = str(template).replace('{podName}', meta['name']).replace('{namespace}', namespace)
            value = value.replace('{appID}', app_id).replace(
                '{uuid}', self._uuids.setdefault(meta.get('uid', meta['name']), str(uuid.uuid4())))
            groups.setdefault(value, []).append(meta['name'])
        return {group: sorted(members) for group, members in groups.items()}

    def _write(self, topic, partitions, key):
        offsets = self.offsets.setdefault(topic, [0] * partitions)
        partition = zlib.crc32(key.encode()) % len(offsets)
        offsets[partition] += 1
        return offsets[partition] - 1, partition

    def _deliver(self):
        now, due = self.clock(), []
        for item in self.pending:
            (due if item[0] <= now else []).append(item)
        for item in due:
            self.pending.remove(item)
            _due, group, topic, partition, offset, dead_letter, app_id, member, event_id = item
            self.received.setdefault(member, []).append(event_id)
            if app_id in self.failing and dead_letter:
                self._write(dead_letter, 1, group)
            committed = self.committed.setdefault((group, topic), {})
            committed[partition] = max(committed.get(partition, 0), offset + 1)

    # --- Kafka Exporter ---------------------------------------------------------------------------------------------
    def _filtered(self, group, topic):
        """Whether the exporter reports a group on a topic: Strimzi passes the Kafka's spec.kafkaExporter groupRegex
        and topicRegex (default .*) as --group.filter and --topic.filter, which kafka_exporter matches unanchored."""
        settings = {}
        for kafka in self.server.objects('Kafka'):
            settings = kafka['spec'].get('kafkaExporter') or {}
        return (re.search(settings.get('groupRegex') or '.*', group) is not None
                and re.search(settings.get('topicRegex') or '.*', topic) is not None)

    def exporter(self, pod, request):
        if not pod['metadata'].get('labels', {}).get('strimzi.io/name', '').endswith('-kafka-exporter'):
            raise ConnectionRefusedError
        if request['method'] != 'GET' or request['path'] != '/metrics':
            return 404, 'text/plain', b'404 page not found'
        self._deliver()
        lines = ['# HELP kafka_topic_partition_current_offset Current Offset of a Broker at Topic/Partition',
                 '# TYPE kafka_topic_partition_current_offset gauge']
        for kafka_topic in self.server.objects('KafkaTopic'):  # the broker's metadata lists the empty ones too
            name = kafka_topic['spec'].get('topicName', kafka_topic['metadata']['name'])
            self.offsets.setdefault(name, [0] * kafka_topic['spec'].get('partitions', 1))
        for topic, offsets in sorted(self.offsets.items()):
            lines += ['kafka_topic_partition_current_offset{partition="%d",topic="%s"} %d' % (p, topic, o)
                      for p, o in enumerate(offsets)]
        # kafka_exporter's offset fetch gives every partition of a topic the group consumes (-1: nothing committed
        # there; its lag is then -1 too); a group that committed nothing on a topic is left out of it.
        current, lag = [], []
        for (group, topic), committed in sorted(self.committed.items()):
            if not (self._filtered(group, topic) and committed):
                continue
            for p, end in enumerate(self.offsets.get(topic, [])):
                offset = committed.get(p, -1)
                current.append('kafka_consumergroup_current_offset{consumergroup="%s",partition="%d",topic="%s"} %d'
                               % (group, p, topic, offset))
                lag.append('kafka_consumergroup_lag{consumergroup="%s",partition="%d",topic="%s"} %d'
                           % (group, p, topic, end - offset if offset >= 0 else -1))
        lines += ['# HELP kafka_consumergroup_current_offset Current Offset of a ConsumerGroup at Topic/Partition',
                  '# TYPE kafka_consumergroup_current_offset gauge'] + current
        lines += ['# HELP kafka_consumergroup_lag Current Approximate Lag of a ConsumerGroup at Topic/Partition',
                  '# TYPE kafka_consumergroup_lag gauge'] + lag
        return 200, 'text/plain; version=0.0.4; charset=utf-8', ('\n'.join(lines) + '\n').encode()
