"""The emulator's pods/portforward and the daprd / Kafka Exporter stand-ins, through the real kubernetes client, and
event_flow_probe's logic driven through them (what the verify playbook does in apply mode)."""
from __future__ import annotations

import json

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _event_probe
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeClient, KubeError
from tests.support.dapr_standin import DaprKafkaStandIn
from tests.support.kube_emulator import KubeEmulator
from tests.support.reference import crd_file, crd_files

NS = 'todo-app'


def _crds():
    return [crd_file('strimzi/043-Crd-kafkatopic.yaml')] + crd_files('dapr/')


def pod(name, app_id=None, labels=None, daprd=True, namespace=NS):
    containers = [{'name': 'app', 'image': 'todo'}] + ([{'name': 'daprd', 'image': 'daprd'}] if daprd else [])
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {
        'name': name, 'namespace': namespace, 'labels': labels or {},
        'annotations': {'dapr.io/app-id': app_id} if app_id else {}}, 'spec': {'containers': containers}}


@pytest.fixture(name='cluster')
def fixture_cluster(tmp_path):
    with KubeEmulator(crds=_crds()) as kube:
        client = KubeClient(kube.write_kubeconfig(tmp_path / 'kubeconfig'))
        for namespace in (NS, 'kafka'):
            client.request('POST', '/api/v1/namespaces', body={'metadata': {'name': namespace}})
        objects = [
            ('/apis/dapr.io/v1alpha1/namespaces/%s/components' % NS, {
                'apiVersion': 'dapr.io/v1alpha1', 'kind': 'Component', 'metadata': {'name': 'pubsub-kafka'},
                'spec': {'type': 'pubsub.kafka', 'version': 'v1', 'metadata': []},
                'scopes': ['todo-backend', 'audit-worker']}),
            ('/apis/dapr.io/v2alpha1/namespaces/%s/subscriptions' % NS, {
                'apiVersion': 'dapr.io/v2alpha1', 'kind': 'Subscription', 'metadata': {'name': 'audit-task-events'},
                'spec': {'pubsubname': 'pubsub-kafka', 'topic': 'task-events', 'routes': {'default': '/events'},
                         'deadLetterTopic': 'task-events-dlq'}, 'scopes': ['audit-worker']}),
            ('/apis/kafka.strimzi.io/v1/namespaces/kafka/kafkatopics', {
                'apiVersion': 'kafka.strimzi.io/v1', 'kind': 'KafkaTopic', 'metadata': {'name': 'task-events'},
                'spec': {'partitions': 3}}),
            ('/api/v1/namespaces/%s/pods' % NS, pod('todo-backend-0', 'todo-backend')),
            ('/api/v1/namespaces/%s/pods' % NS, pod('audit-worker-0', 'audit-worker')),
            ('/api/v1/namespaces/kafka/pods', pod('todo-kafka-kafka-exporter-0', namespace='kafka', daprd=False,
                                                  labels={'strimzi.io/name': 'todo-kafka-kafka-exporter'})),
        ]
        for path, body in objects:
            client.request('POST', path, body=body)
        yield kube, client


def test_port_forward_reaches_a_pod_port_and_a_closed_port_is_refused_as_the_kubelet_says(cluster):
    kube, client = cluster
    kube.serve_pod_port(8080, lambda pod, request: (200, 'application/json', json.dumps(
        {'pod': pod['metadata']['name'], 'method': request['method'], 'body': request['body'].decode()}).encode()))
    status, body = client.pod_http(NS, 'todo-backend-0', 8080, 'POST', '/x', b'{"a": 1}')
    assert (status, json.loads(body)) == (200, {'pod': 'todo-backend-0', 'method': 'POST', 'body': '{"a": 1}'})
    with pytest.raises(KubeError, match='failed to connect to localhost:9999: connection refused'):
        client.pod_http(NS, 'todo-backend-0', 9999, 'GET', '/')
    with pytest.raises(KubeError) as missing:
        client.pod_http(NS, 'nope', 8080, 'GET', '/')
    assert missing.value.status == 404
    assert [r['path'] for r in kube.requests if r['path'].endswith('/portforward')] == [
        '/api/v1/namespaces/todo-app/pods/todo-backend-0/portforward'] * 2 + [
        '/api/v1/namespaces/todo-app/pods/nope/portforward']


def test_the_daprd_stand_in_answers_as_dapr_does(cluster):
    kube, client = cluster
    DaprKafkaStandIn(kube)
    event = json.dumps(_event_probe.cloud_event('e1', 'task-events', 'now')).encode()
    assert client.pod_http(NS, 'todo-backend-0', 3500, 'POST', '/v1.0/publish/pubsub-kafka/task-events', event)[0] \
        == 204
    status, body = client.pod_http(NS, 'todo-backend-0', 3500, 'POST', '/v1.0/publish/other/task-events', event)
    assert (status, json.loads(body)['errorCode']) == (404, 'ERR_PUBSUB_NOT_FOUND')
    status, body = client.pod_http(NS, 'todo-backend-0', 3500, 'POST', '/v1.0/publish/pubsub-kafka/nope', event)
    assert status == 500 and 'does not exist on this broker' in json.loads(body)['message']
    with pytest.raises(KubeError, match='connection refused'):  # no sidecar, nothing listens on 3500
        client.pod_http('kafka', 'todo-kafka-kafka-exporter-0', 3500, 'POST', '/v1.0/publish/pubsub-kafka/x')
    status, body = client.pod_http('kafka', 'todo-kafka-kafka-exporter-0', 9404, 'GET', '/metrics')
    metrics = _event_probe.parse_metrics(body.decode())
    assert sum(_event_probe.topic_offsets(metrics, 'task-events').values()) == 1
    # The partition that took the event is committed past it; the others, never committed, read -1 (kafka_exporter's
    # current offset where a group has none).
    assert sorted(_event_probe.group_offsets(metrics, 'audit-worker', 'task-events').values()) == [-1, -1, 1]


def run_probe(client, subscribers=('audit-worker',), timeout=3.0):
    prober = _event_probe.Prober(client, NS, 'pubsub-kafka', timeout=timeout, interval=0.2, exporter={
        'namespace': 'kafka', 'labels': {'strimzi.io/name': 'todo-kafka-kafka-exporter'}, 'port': 9404})
    return prober.run([{'topic': 'task-events', 'publisher': 'todo-backend', 'subscribers': list(subscribers),
                        'dead_letter_topic': 'task-events-dlq'}])[0]


def test_a_probe_through_the_real_client_sees_the_event_land_and_be_consumed(cluster):
    kube, client = cluster
    bus = DaprKafkaStandIn(kube, delay=0.3)
    result = run_probe(client)
    assert result['passed'] is True, result
    assert bus.published[0]['id'] == result['event_id'] and result['event_id'].startswith('eventstack-probe-')
    assert 0.2 <= result['round_trip'] < 3.0 and result['consumed']['audit-worker'] == result['round_trip']


def test_a_probe_names_the_subscriber_that_does_not_consume_and_the_one_that_dead_letters(cluster):
    kube, client = cluster
    DaprKafkaStandIn(kube)
    late = run_probe(client, subscribers=('audit-worker', 'notification-worker'), timeout=0.5)
    assert late['passed'] is False
    assert late['reason'] == 'landed in task-events, but not consumed within the timeout by notification-worker'
    DaprKafkaStandIn(kube, failing=['audit-worker'])
    dead = run_probe(client)
    assert dead['reason'] == '1 event(s) went to the dead-letter topic task-events-dlq during the probe'


def _fan_out(client, consumer_id=None):
    """Two replicas of the websocket worker subscribed to task-updates through a component of their own."""
    metadata = [{'name': 'consumerID', 'value': consumer_id}] if consumer_id else []
    for path, body in (
            ('/apis/dapr.io/v1alpha1/namespaces/%s/components' % NS, {
                'apiVersion': 'dapr.io/v1alpha1', 'kind': 'Component', 'metadata': {'name': 'pubsub-kafka-broadcast'},
                'spec': {'type': 'pubsub.kafka', 'version': 'v1', 'metadata': metadata},
                'scopes': ['websocket-worker']}),
            ('/apis/dapr.io/v2alpha1/namespaces/%s/subscriptions' % NS, {
                'apiVersion': 'dapr.io/v2alpha1', 'kind': 'Subscription', 'metadata': {'name': 'ws-task-events'},
                'spec': {'pubsubname': 'pubsub-kafka-broadcast', 'topic': 'task-events',
                         'routes': {'default': '/events'}}, 'scopes': ['websocket-worker']}),
            ('/api/v1/namespaces/%s/pods' % NS, pod('websocket-worker-a', 'websocket-worker')),
            ('/api/v1/namespaces/%s/pods' % NS, pod('websocket-worker-b', 'websocket-worker'))):
        client.request('POST', path, body=body)


def _publish_many(client, count):
    for number in range(count):
        event = json.dumps(_event_probe.cloud_event('e%d' % number, 'task-events', 'now')).encode()
        assert client.pod_http(NS, 'todo-backend-0', 3500, 'POST', '/v1.0/publish/pubsub-kafka/task-events',
                               event)[0] == 204
    client.pod_http('kafka', 'todo-kafka-kafka-exporter-0', 9404, 'GET', '/metrics')  # deliveries are due


def test_replicas_in_one_consumer_group_split_the_events_and_the_probe_names_the_ones_left_out(cluster):
    """pubsub.kafka without consumerGroup or consumerID: the group is the app-id, so Kafka hands each event to one of
    the two replicas - a client connected to the other misses it. The per-replica probe fails naming both replicas'
    groups, which never appear."""
    kube, client = cluster
    _fan_out(client)
    bus = DaprKafkaStandIn(kube)
    _publish_many(client, 12)
    got = {name: set(ids) for name, ids in bus.received.items() if name.startswith('websocket-worker')}
    assert set(got) == {'websocket-worker-a', 'websocket-worker-b'}, "both replicas are members"
    assert not got['websocket-worker-a'] & got['websocket-worker-b'], "each event went to one replica only"
    assert len(got['websocket-worker-a'] | got['websocket-worker-b']) == 12
    result = _event_probe.Prober(client, NS, 'pubsub-kafka', timeout=0.6, interval=0.2, exporter={
        'namespace': 'kafka', 'labels': {'strimzi.io/name': 'todo-kafka-kafka-exporter'}, 'port': 9404}).run([
            {'topic': 'task-events', 'publisher': 'todo-backend', 'subscribers': ['websocket-worker'],
             'consumer_groups': {'websocket-worker': '{podName}'}}])[0]
    assert result['passed'] is False
    assert result['reason'] == ('landed in task-events, but not consumed within the timeout by '
                                'websocket-worker/websocket-worker-a (group websocket-worker-a), '
                                'websocket-worker/websocket-worker-b (group websocket-worker-b)')


def test_a_consumer_id_per_pod_gives_every_replica_every_event_and_the_probe_follows_each(cluster):
    kube, client = cluster
    _fan_out(client, consumer_id='{podName}')
    bus = DaprKafkaStandIn(kube)
    _publish_many(client, 5)
    assert set(bus.received['websocket-worker-a']) == set(bus.received['websocket-worker-b']) == {
        'e0', 'e1', 'e2', 'e3', 'e4'}
    result = _event_probe.Prober(client, NS, 'pubsub-kafka', timeout=3.0, interval=0.2, exporter={
        'namespace': 'kafka', 'labels': {'strimzi.io/name': 'todo-kafka-kafka-exporter'}, 'port': 9404}).run([
            {'topic': 'task-events', 'publisher': 'todo-backend', 'subscribers': ['audit-worker', 'websocket-worker'],
             'consumer_groups': {'websocket-worker': '{podName}'}}])[0]
    assert result['passed'] is True, result
    assert sorted(result['consumed']) == ['audit-worker', 'websocket-worker/websocket-worker-a',
                                          'websocket-worker/websocket-worker-b']


def test_a_subscription_whose_component_does_not_scope_the_app_delivers_nothing(cluster):
    """A sidecar loads only the components that scope its app-id: the subscription to a component it cannot load
    gets nothing (Dapr logs the pub/sub as not found for it)."""
    kube, client = cluster
    _fan_out(client, consumer_id='{podName}')
    client.request('PATCH', '/apis/dapr.io/v1alpha1/namespaces/%s/components/pubsub-kafka-broadcast' % NS,
                   body={'scopes': ['audit-worker']}, content_type='application/merge-patch+json')
    bus = DaprKafkaStandIn(kube)
    _publish_many(client, 2)
    assert not [name for name in bus.received if name.startswith('websocket-worker')]
