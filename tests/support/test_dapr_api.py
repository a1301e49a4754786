"""The daprd stand-in's building blocks (state, secrets, invocation, metadata, jobs) answering as Dapr documents,
through the emulator's pods/portforward and the real kubernetes client, and dapr_probe's checks driven through them."""
from __future__ import annotations

import base64
import json

from ansible_collections.eventstack.oke.plugins.module_utils import _dapr_probe
from tests.support.dapr_api import go_duration
from tests.support.dapr_standin import DaprKafkaStandIn
from tests.support.test_dapr_standin import NS, fixture_cluster, pod  # noqa: F401 pylint: disable=unused-import

RBAC = '/apis/rbac.authorization.k8s.io/v1/namespaces/%s/' % NS
VALUE = 'a-jwt-signing-value-never-shown'


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _setup(kube, client, scheduler=True):
    clock = Clock()
    bus = DaprKafkaStandIn(kube, clock=clock)
    objects = [
        ('/apis/dapr.io/v1alpha1/namespaces/%s/components' % NS, {
            'apiVersion': 'dapr.io/v1alpha1', 'kind': 'Component', 'metadata': {'name': 'statestore'},
            'spec': {'type': 'state.postgresql', 'version': 'v1', 'metadata': []}, 'scopes': ['todo-backend']}),
        ('/apis/dapr.io/v1alpha1/namespaces/%s/components' % NS, {
            'apiVersion': 'dapr.io/v1alpha1', 'kind': 'Component', 'metadata': {'name': 'kubernetes-secrets'},
            'spec': {'type': 'secretstores.kubernetes', 'version': 'v1', 'metadata': []}, 'scopes': ['todo-backend']}),
        ('/api/v1/namespaces/%s/secrets' % NS, {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'jwt-secret'},
                                                'data': {'JWT_SECRET': base64.b64encode(VALUE.encode()).decode()}}),
        ('/api/v1/namespaces/%s/secrets' % NS, {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'other'},
                                                'data': {'X': base64.b64encode(b'xxxxxxxxxx').decode()}}),
        (RBAC + 'roles', {'apiVersion': 'rbac.authorization.k8s.io/v1', 'kind': 'Role',
                          'metadata': {'name': 'todo-backend-secrets'},
                          'rules': [{'apiGroups': [''], 'resources': ['secrets'], 'verbs': ['get'],
                                     'resourceNames': ['jwt-secret', 'missing']}]}),
        (RBAC + 'rolebindings', {'apiVersion': 'rbac.authorization.k8s.io/v1', 'kind': 'RoleBinding',
                                 'metadata': {'name': 'todo-backend-secrets'},
                                 'roleRef': {'apiGroup': 'rbac.authorization.k8s.io', 'kind': 'Role',
                                             'name': 'todo-backend-secrets'},
                                 'subjects': [{'kind': 'ServiceAccount', 'name': 'todo-backend'}]}),
        ('/apis/dapr.io/v1alpha1/namespaces/%s/resiliencies' % NS, {
            'apiVersion': 'dapr.io/v1alpha1', 'kind': 'Resiliency', 'metadata': {'name': 'eventstack'},
            'spec': {'policies': {'timeouts': {'general': '5s'}, 'retries': {'constant': {
                'policy': 'constant', 'duration': '5s', 'maxRetries': 3}}},
                'targets': {'apps': {'todo-backend': {'timeout': 'general', 'retry': 'constant'}}}},
            'scopes': ['todo-backend', 'todo-frontend']}),
        ('/api/v1/namespaces/%s/pods' % NS, dict(pod('todo-frontend-0', 'todo-frontend'))),
    ]
    if scheduler:
        scheduler_pod = pod('dapr-scheduler-server-0', daprd=False, labels={'app': 'dapr-scheduler-server'})
        objects.append(('/api/v1/namespaces/%s/pods' % NS, scheduler_pod))
    for path, body in objects:
        client.request('POST', path, body=body)
    client.request('PATCH', '/api/v1/namespaces/%s/pods/todo-backend-0' % NS,
                   body={'spec': {'serviceAccountName': 'todo-backend'}}, content_type='application/merge-patch+json')
    return bus, clock


def call(client, app_pod, method, path, body=None):
    status, answer = client.pod_http(NS, app_pod, 3500, method, path, None if body is None else json.dumps(body).encode())
    return status, json.loads(answer) if answer else None


def test_state_answers_as_dapr_documents_and_keeps_keys_per_app_id(cluster):
    kube, client = cluster
    bus, _clock = _setup(kube, client)
    assert call(client, 'todo-backend-0', 'POST', '/v1.0/state/statestore', [{'key': 'k', 'value': {'a': 1}}]) == (204, None)
    assert call(client, 'todo-backend-0', 'GET', '/v1.0/state/statestore/k') == (200, {'a': 1})
    assert bus.state[(NS, 'statestore')] == {'todo-backend||k': {'a': 1}}
    assert call(client, 'todo-backend-0', 'DELETE', '/v1.0/state/statestore/k') == (204, None)
    assert call(client, 'todo-backend-0', 'GET', '/v1.0/state/statestore/k') == (204, None)
    assert call(client, 'todo-backend-0', 'GET', '/v1.0/state/other/k') == (400, {
        'errorCode': 'ERR_STATE_STORE_NOT_FOUND', 'message': 'state store other is not found'})
    assert call(client, 'audit-worker-0', 'GET', '/v1.0/state/statestore/k') == (500, {
        'errorCode': 'ERR_STATE_STORE_NOT_CONFIGURED', 'message': 'state store is not configured'})


def test_secrets_are_read_with_the_pods_service_account_under_rbac(cluster):
    kube, client = cluster
    _setup(kube, client)
    assert call(client, 'todo-backend-0', 'GET', '/v1.0/secrets/kubernetes-secrets/jwt-secret') == (
        200, {'JWT_SECRET': VALUE})
    status, answer = call(client, 'todo-backend-0', 'GET', '/v1.0/secrets/kubernetes-secrets/missing')
    assert (status, answer['errorCode']) == (500, 'ERR_SECRET_GET')
    assert answer['message'] == ('failed getting secret with key missing from secret store kubernetes-secrets: '
                                 'secrets "missing" not found')
    status, answer = call(client, 'todo-backend-0', 'GET', '/v1.0/secrets/kubernetes-secrets/other')
    assert (status, answer['errorCode']) == (500, 'ERR_SECRET_GET')
    assert 'secrets "other" is forbidden: User "system:serviceaccount:todo-app:todo-backend"' in answer['message']
    assert call(client, 'audit-worker-0', 'GET', '/v1.0/secrets/kubernetes-secrets/jwt-secret') == (401, {
        'errorCode': 'ERR_SECRET_STORE_NOT_FOUND', 'message': 'failed finding secret store with key kubernetes-secrets'})


def test_invocation_reaches_a_running_app_and_metadata_lists_no_resiliency(cluster):
    kube, client = cluster
    _setup(kube, client)
    assert call(client, 'todo-frontend-0', 'GET', '/v1.0/invoke/todo-backend/method/health') == (200, {'status': 'ok'})
    status, answer = call(client, 'todo-frontend-0', 'GET', '/v1.0/invoke/nobody/method/health')
    assert (status, answer['errorCode']) == (500, 'ERR_DIRECT_INVOKE')
    assert answer['message'].startswith('failed to invoke, id: nobody, err: failed to resolve address')
    status, metadata = call(client, 'todo-backend-0', 'GET', '/v1.0/metadata')
    assert status == 200 and metadata['id'] == 'todo-backend'
    assert sorted(c['name'] for c in metadata['components']) == ['kubernetes-secrets', 'pubsub-kafka', 'statestore']
    assert 'resiliencies' not in metadata


def test_a_one_shot_job_triggers_once_due_and_disappears(cluster):
    kube, client = cluster
    bus, clock = _setup(kube, client)
    assert go_duration('1h30m') == 5400.0 and go_duration('500ms') == 0.5 and go_duration('soon') is None
    assert call(client, 'todo-backend-0', 'POST', '/v1.0-alpha1/jobs/j', {'dueTime': '2s', 'data': 1}) == (204, None)
    assert call(client, 'todo-backend-0', 'GET', '/v1.0-alpha1/jobs/j') == (
        200, {'name': 'j', 'data': 1, 'dueTime': '2s'})
    clock.now += 2
    status, answer = call(client, 'todo-backend-0', 'GET', '/v1.0-alpha1/jobs/j')
    assert status == 500 and 'job not found' in answer['message']
    assert bus.triggered == [(NS, 'todo-backend', 'j', 1)]
    assert call(client, 'todo-backend-0', 'POST', '/v1.0-alpha1/jobs/j', {})[0] == 400


def test_dapr_probe_passes_every_check_through_the_stand_in(cluster):
    kube, client = cluster
    bus, clock = _setup(kube, client)
    client.sleep = lambda seconds: setattr(clock, 'now', clock.now + seconds)
    settings = {'namespace': NS, 'state': {'store': 'statestore', 'app_ids': ['todo-backend']},
                'store_reads': {'store': 'kubernetes-secrets', 'readers': [{'app_id': 'todo-backend',
                                                                            'names': ['jwt-secret']}]},
                'invocation': {'calls': [{'from': 'todo-frontend', 'to': 'todo-backend'}], 'resiliency': 'eventstack'},
                'jobs': {'app_id': 'todo-backend', 'due_seconds': 2, 'wait': 10}}
    checkpoints = _dapr_probe.run_all(client, settings, clock=clock)
    assert [c['passed'] for c in checkpoints] == [True] * 4, checkpoints
    text = json.dumps(checkpoints)
    assert VALUE not in text
    assert 'pass todo-backend reads kubernetes-secrets/jwt-secret in ' in text and 'key(s) JWT_SECRET (values not shown)' in text
    assert 'pass Resiliency eventstack applies to todo-frontend -> todo-backend (timeout general, retry constant)' in text
    assert [t[2] for t in bus.triggered] == [checkpoints[3]['evidence'][0].split()[2]]
    assert not bus.jobs and bus.state[(NS, 'statestore')] == {}


def test_dapr_probe_names_each_cause_on_a_broken_cluster(cluster):
    kube, client = cluster
    _setup(kube, client, scheduler=False)
    client.request('DELETE', '/api/v1/namespaces/%s/pods/todo-backend-0' % NS)
    client.request('POST', '/api/v1/namespaces/%s/pods' % NS, body=pod('todo-backend-1', 'todo-backend'))
    settings = {'namespace': NS, 'state': {'store': 'statestore', 'app_ids': ['audit-worker']},
                'store_reads': {'store': 'kubernetes-secrets', 'readers': [{'app_id': 'todo-backend',
                                                                            'names': ['jwt-secret']}]},
                'invocation': {'calls': [{'from': 'todo-frontend', 'to': 'audit-worker'}], 'resiliency': 'eventstack'},
                'jobs': {'app_id': 'todo-backend'}}
    checkpoints = _dapr_probe.run_all(client, settings)
    evidence = {c['name']: '\n'.join(c['evidence']) for c in checkpoints if not c['passed']}
    assert len(evidence) == 4, checkpoints
    state, store, invoke, jobs = evidence.values()
    assert ('FAIL audit-worker (pod audit-worker-0) -> state store statestore: save /v1.0/state/statestore: HTTP 500 '
            'ERR_STATE_STORE_NOT_CONFIGURED: state store is not configured') in state, state
    assert 'Component todo-app/statestore (state.postgresql) scopes: todo-backend' in state
    assert ('FAIL todo-backend cannot read secret jwt-secret from store kubernetes-secrets: HTTP 500 ERR_SECRET_GET: '
            'failed getting secret with key jwt-secret from secret store kubernetes-secrets: secrets "jwt-secret" is '
            'forbidden') in store, store
    assert 'FAIL Resiliency eventstack is not loaded by todo-frontend: its scopes are todo-backend' not in invoke
    assert 'FAIL Resiliency eventstack has no target for app audit-worker' in invoke, invoke
    assert ('FAIL schedule /v1.0-alpha1/jobs/eventstack-verify-' in jobs and 'HTTP 500: failed to schedule job due '
            'to: rpc error: code = Unavailable') in jobs, jobs
