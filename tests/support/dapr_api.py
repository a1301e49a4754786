"""The daprd HTTP API's building blocks beyond pub/sub, for the sidecars of the Kubernetes emulator's pods, answering
as Dapr's API reference documents (status codes, errorCode values) and judging from the emulator's objects:

- state (``/v1.0/state/<store>``): the stores are the ``state.*`` Components of the pod's namespace whose scopes hold
  its app-id; none loaded: ERR_STATE_STORE_NOT_CONFIGURED (500); another name: ERR_STATE_STORE_NOT_FOUND (400).
  Save answers 204, get 200 with the value or 204 when absent, delete 204; keys are prefixed with the app-id (Dapr's
  default keyPrefix), so app-ids do not share them;
- secrets (``/v1.0/secrets/<store>/<key>``): ``secretstores.kubernetes`` Components scoped to the app-id and Dapr's
  built-in ``kubernetes`` store; none: ERR_SECRET_STORES_NOT_CONFIGURED (500); another name:
  ERR_SECRET_STORE_NOT_FOUND (401: the runtime's status, where the API reference's table says 400); the Secret is
  read with the pod's ServiceAccount, under the emulator's RBAC objects, and the API server's refusal or not-found
  is ERR_SECRET_GET (500); the answer maps each key to its value;
- invocation (``/v1.0/invoke/<app-id>/method/<method>``): the target app-id needs a running pod with a daprd
  sidecar in the namespace (else ERR_DIRECT_INVOKE, 500); the app answers its health path 200, or 503 when its
  container reports not ready, and Dapr passes the app's status on;
- metadata (``/v1.0/metadata``): id, runtimeVersion, components (name, type, version), subscriptions - and, as in
  Dapr, no Resiliency objects;
- jobs (``/v1.0-alpha1/jobs/<name>``): the Scheduler runs while a running pod labelled app=dapr-scheduler-server
  exists; without it scheduling fails (500). A one-shot job (dueTime, no schedule) is sent to its app-id
  (``POST /job/<name>``, recorded in ``triggered``) once due and then removed, so a get answers 500 "not found".
"""
from __future__ import annotations

import base64
import json
import re

from tests.support import kube_review

STATE = re.compile(r'^/v1\.0/state/([^/?]+)(?:/([^?]+))?(\?.*)?$')
SECRET = re.compile(r'^/v1\.0/secrets/([^/?]+)/([^/?]+)(\?.*)?$')
INVOKE = re.compile(r'^/v1\.0/invoke/([^/]+)/method/([^?]*)(\?.*)?$')
JOB = re.compile(r'^/v1\.0-alpha1/jobs/([^/?]+)$')
DURATION = re.compile(r'^(?:(\d+(?:\.\d+)?)(h|ms|m|s))+$')
UNITS = {'h': 3600.0, 'm': 60.0, 's': 1.0, 'ms': 0.001}
RUNTIME_VERSION = '1.16.2'


def dapr_error(status, code, message):
    return status, 'application/json', json.dumps({'errorCode': code, 'message': message}).encode()


def go_duration(text):
    """Seconds of a Go duration string ("2s", "1h30m", "500ms"); None when it is not one."""
    if not DURATION.match(text or ''):
        return None
    return sum(float(number) * UNITS[unit] for number, unit in re.findall(r'(\d+(?:\.\d+)?)(h|ms|m|s)', text))


class DaprBuildingBlocks:
    """Mixed into the Dapr stand-in: needs ``self.server`` (the emulator) and ``self.clock``."""

    def __init__(self):
        self.state: dict[tuple, dict] = {}  # (namespace, store) -> {prefixed key: value}
        self.jobs: dict[tuple, dict] = {}  # (namespace, app-id, name) -> {due, data, dueTime}
        self.triggered: list[tuple] = []  # (namespace, app-id, job name, data) as the app received them

    def _scoped(self, namespace, app_id, type_prefix):
        return {c['metadata']['name']: c for c in self.server.objects('Component', namespace)
                if c.get('spec', {}).get('type', '').startswith(type_prefix)
                and app_id in (c.get('scopes') or [app_id])}

    def building_block(self, pod, request):
        self._run_scheduler()
        namespace = pod['metadata']['namespace']
        app_id = pod['metadata'].get('annotations', {}).get('dapr.io/app-id')
        path, method = request['path'], request['method']
        for pattern, handler in ((STATE, self._state), (SECRET, self._secret), (INVOKE, self._invoke),
                                 (JOB, self._job)):
            match = pattern.match(path)
            if match:
                return handler(pod, namespace, app_id, method, match, request)
        if path == '/v1.0/metadata' and method == 'GET':
            return self._metadata(namespace, app_id)
        return 404, 'text/plain', b'404 page not found'

    # --- state --------------------------------------------------------------------------------------------------
    def _state(self, _pod, namespace, app_id, method, match, request):
        store, key = match.group(1), match.group(2)
        stores = self._scoped(namespace, app_id, 'state.')
        if not stores:
            return dapr_error(500, 'ERR_STATE_STORE_NOT_CONFIGURED', 'state store is not configured')
        if store not in stores:
            return dapr_error(400, 'ERR_STATE_STORE_NOT_FOUND', 'state store %s is not found' % store)
        data = self.state.setdefault((namespace, store), {})
        if key is None:
            if method != 'POST':
                return 405, 'text/plain', b'Method Not Allowed'
            try:
                items = json.loads(request['body'] or b'')
                assert isinstance(items, list) and all(isinstance(i, dict) and i.get('key') for i in items)
            except (ValueError, AssertionError):
                return dapr_error(400, 'ERR_MALFORMED_REQUEST', 'failed deserializing HTTP body: invalid state request')
            for item in items:
                data['%s||%s' % (app_id, item['key'])] = item.get('value')
            return 204, 'text/plain', b''
        prefixed = '%s||%s' % (app_id, key)
        if method == 'GET':
            if prefixed not in data:
                return 204, 'text/plain', b''
            return 200, 'application/json', json.dumps(data[prefixed]).encode()
        if method == 'DELETE':
            data.pop(prefixed, None)
            return 204, 'text/plain', b''
        return 405, 'text/plain', b'Method Not Allowed'

    # --- secrets ------------------------------------------------------------------------------------------------
    def _secret(self, pod, namespace, app_id, method, match, _request):
        if method != 'GET':
            return 405, 'text/plain', b'Method Not Allowed'
        store, key = match.group(1), match.group(2)
        stores = self._scoped(namespace, app_id, 'secretstores.kubernetes')
        stores.setdefault('kubernetes', {})  # loaded by every sidecar in Kubernetes mode
        if store not in stores:
            return dapr_error(401, 'ERR_SECRET_STORE_NOT_FOUND', 'failed finding secret store with key %s' % store)
        account = pod['spec'].get('serviceAccountName') or 'default'
        user = 'system:serviceaccount:%s:%s' % (namespace, account)
        rbac = [o for o in self.server.objects() if o.get('apiVersion', '').startswith(kube_review.RBAC)]
        allowed = kube_review.review(rbac, {'spec': {
            'user': user, 'groups': ['system:serviceaccounts', 'system:serviceaccounts:' + namespace,
                                     'system:authenticated'],
            'resourceAttributes': {'namespace': namespace, 'verb': 'get', 'resource': 'secrets', 'name': key}}})
        failed = 'failed getting secret with key %s from secret store %s: ' % (key, store)
        if not allowed['allowed']:
            return dapr_error(500, 'ERR_SECRET_GET', failed + 'secrets "%s" is forbidden: User "%s" cannot get '
                              'resource "secrets" in API group "" in the namespace "%s"' % (key, user, namespace))
        secret = self.server.get('v1', 'Secret', key, namespace)
        if secret is None:
            return dapr_error(500, 'ERR_SECRET_GET', failed + 'secrets "%s" not found' % key)
        values = {k: base64.b64decode(v).decode('utf-8', 'replace') for k, v in (secret.get('data') or {}).items()}
        values.update(secret.get('stringData') or {})
        return 200, 'application/json', json.dumps(values).encode()

    # --- service invocation -------------------------------------------------------------------------------------
    def _invoke(self, _pod, namespace, _app_id, _method, match, _request):
        target, method = match.group(1), match.group(2)
        if '.' in target:
            target, namespace = target.split('.', 1)
        pods = [p for p in self._pods(namespace)
                if p['metadata'].get('annotations', {}).get('dapr.io/app-id') == target]
        if not pods:
            host = '%s-dapr.%s.svc.cluster.local' % (target, namespace)
            return dapr_error(500, 'ERR_DIRECT_INVOKE', "failed to invoke, id: %s, err: failed to resolve address for "
                              "'%s': lookup %s: no such host" % (target, host, host))
        statuses = pods[0].get('status', {}).get('containerStatuses') or []
        ready = all(s.get('ready', True) for s in statuses if s.get('name') != 'daprd')
        if method.strip('/') not in ('health', 'healthz', 'ready'):
            return 404, 'text/plain', b'Not Found'
        if not ready:
            return 503, 'application/json', b'{"status":"unavailable"}'
        return 200, 'application/json', b'{"status":"ok"}'

    # --- metadata -----------------------------------------------------------------------------------------------
    def _metadata(self, namespace, app_id):
        components = [{'name': c['metadata']['name'], 'type': c['spec'].get('type'),
                       'version': c['spec'].get('version', 'v1'), 'capabilities': []}
                      for c in self.server.objects('Component', namespace)
                      if app_id in (c.get('scopes') or [app_id])]
        subscriptions = [{'pubsubname': s['spec'].get('pubsubname'), 'topic': s['spec'].get('topic'),
                          'deadLetterTopic': s['spec'].get('deadLetterTopic', ''), 'type': 'DECLARATIVE'}
                         for s in self.server.objects('Subscription', namespace)
                         if app_id in (s.get('scopes') or [app_id])]
        body = {'id': app_id, 'runtimeVersion': RUNTIME_VERSION, 'enabledFeatures': [], 'actors': [],
                'components': components, 'httpEndpoints': [], 'subscriptions': subscriptions,
                'extended': {'appCommand': '', 'daprRuntimeVersion': RUNTIME_VERSION},
                'appConnectionProperties': {'port': 0, 'protocol': 'http', 'channelAddress': '127.0.0.1'}}
        return 200, 'application/json', json.dumps(body).encode()

    # --- jobs ---------------------------------------------------------------------------------------------------
    def _scheduler_running(self):
        return any(p['metadata'].get('labels', {}).get('app') == 'dapr-scheduler-server'
                   and p.get('status', {}).get('phase', 'Running') == 'Running' for p in self.server.objects('Pod'))

    def _run_scheduler(self):
        if not self._scheduler_running():
            return
        now = self.clock()
        for key, job in list(self.jobs.items()):
            if job['due'] <= now and not job.get('schedule'):
                self.triggered.append(key + (job.get('data'),))  # the app got POST /job/<name>
                del self.jobs[key]

    def _job(self, _pod, namespace, app_id, method, match, request):
        key = (namespace, app_id, match.group(1))
        if method == 'POST':
            try:
                body = json.loads(request['body'] or b'{}')
            except ValueError:
                return dapr_error(400, 'ERR_MALFORMED_REQUEST', 'failed to decode job request body')
            if not body.get('schedule') and not body.get('dueTime'):
                return dapr_error(400, '', 'Set the job schedule or dueTime')
            if not self._scheduler_running():
                return dapr_error(500, '', 'failed to schedule job due to: rpc error: code = Unavailable desc = '
                                  'timeout waiting for scheduler connection')
            if key in self.jobs and not body.get('overwrite'):
                return dapr_error(500, '', 'failed to schedule job due to: rpc error: code = AlreadyExists desc = '
                                  'job already exists: %s' % key[2])
            delay = go_duration(body.get('dueTime')) if body.get('dueTime') else 0.0
            if delay is None:
                return dapr_error(400, '', 'failed to schedule job due to: invalid dueTime: %s' % body['dueTime'])
            self.jobs[key] = {'due': self.clock() + delay, 'dueTime': body.get('dueTime'),
                              'schedule': body.get('schedule'), 'data': body.get('data')}
            return 204, 'text/plain', b''
        if method == 'GET':
            job = self.jobs.get(key)
            if job is None:
                return dapr_error(500, '', 'failed to get job due to: rpc error: code = NotFound desc = job not '
                                  'found: app||%s||%s||%s' % key)
            answer = {'name': key[2], 'data': job['data']}
            answer.update({k: job[k] for k in ('dueTime', 'schedule') if job.get(k)})
            return 200, 'application/json', json.dumps(answer).encode()
        if method == 'DELETE':
            self.jobs.pop(key, None)
            return 204, 'text/plain', b''
        return 405, 'text/plain', b'Method Not Allowed'
