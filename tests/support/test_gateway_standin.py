"""The emulator's services/proxy and the Envoy Gateway stand-in behind it, through the collection's own KubeClient:
the API server's answers (503 without a ready endpoint, 404 for an unknown Service), the endpoint's address as Host,
and Envoy's routing, redirect, headers and WebSocket upgrade as the ingress role programs it."""
from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils._gateway_probe import websocket_accept
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeClient
from tests.support.gateway_standin import GatewayStandIn
from tests.support.kube_emulator import KubeEmulator

NS = 'ingress'
PROXY_LABELS = {'app.kubernetes.io/component': 'proxy', 'gateway.envoyproxy.io/owning-gateway-name': 'eventstack',
                'gateway.envoyproxy.io/owning-gateway-namespace': NS}


def post(server, path, obj):
    server.call('POST', path, obj, 'application/json')


@pytest.fixture()
def cluster(tmp_path):
    with KubeEmulator() as server:
        for ns in (NS, 'todo-app'):
            post(server, '/api/v1/namespaces', {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': ns}})
        post(server, '/api/v1/namespaces/%s/services' % NS, {
            'apiVersion': 'v1', 'kind': 'Service', 'metadata': {'name': 'envoy-eventstack', 'namespace': NS},
            'spec': {'selector': PROXY_LABELS, 'ports': [{'name': 'http-80', 'port': 80, 'targetPort': 10080}]}})
        yield server, KubeClient(server.write_kubeconfig(tmp_path / 'kubeconfig'))


def test_the_service_proxy_answers_as_the_api_server_without_a_ready_endpoint_or_service(cluster):
    server, client = cluster
    status, _headers, body = client.service_http(NS, 'envoy-eventstack', 80, 'GET', '/')
    assert status == 503 and b'no endpoints available for service \\"envoy-eventstack:80\\"' in body
    status, _headers, body = client.service_http(NS, 'nothing', 80, 'GET', '/')
    assert status == 404 and b'services \\"nothing\\" not found' in body


def test_envoy_behind_the_service_proxy_routes_redirects_and_upgrades(cluster):
    server, client = cluster
    envoy = GatewayStandIn(server)
    gateway = {'apiVersion': 'gateway.networking.k8s.io/v1', 'kind': 'Gateway',
               'metadata': {'name': 'eventstack', 'namespace': NS}}
    # No Gateway API CRDs in a bare emulator: the stand-in reads objects through server.objects()/get().
    server._store[('gateway.networking.k8s.io', 'gateways', NS, 'eventstack')] = dict(
        gateway, spec={'listeners': [{'name': 'http', 'protocol': 'HTTP', 'port': 80}]},
        metadata=dict(gateway['metadata'], uid='g', resourceVersion='1'))
    server._store[('gateway.networking.k8s.io', 'httproutes', 'todo-app', 'apps')] = {
        'apiVersion': 'gateway.networking.k8s.io/v1', 'kind': 'HTTPRoute',
        'metadata': {'name': 'apps', 'namespace': 'todo-app', 'uid': 'r', 'resourceVersion': '2'},
        'spec': {'parentRefs': [{'name': 'eventstack', 'namespace': NS}], 'rules': [
            {'matches': [{'path': {'type': 'PathPrefix', 'value': '/ws'}}],
             'backendRefs': [{'name': 'websocket-worker', 'port': 8000}]}]}}
    post(server, '/api/v1/namespaces/%s/pods' % NS, {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {
        'name': 'envoy-eventstack-0', 'namespace': NS, 'labels': PROXY_LABELS}, 'spec': {'containers': [
            {'name': 'envoy', 'image': 'envoy'}]}})
    status, headers, body = client.service_http(NS, 'envoy-eventstack', 80, 'GET', '/ws')
    assert (status, body) == (503, b'no healthy upstream'), 'no websocket-worker Service or pod yet'
    assert headers['server'] == 'envoy'
    post(server, '/api/v1/namespaces/todo-app/services', {'apiVersion': 'v1', 'kind': 'Service', 'metadata': {
        'name': 'websocket-worker', 'namespace': 'todo-app'}, 'spec': {'selector': {'app': 'ws'}, 'ports': [
            {'port': 8000}]}})
    post(server, '/api/v1/namespaces/todo-app/pods', {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {
        'name': 'ws-0', 'namespace': 'todo-app', 'labels': {'app': 'ws'}}, 'spec': {'containers': [
            {'name': 'app', 'image': 'worker'}]}})
    key = 'dGhlIHNhbXBsZSBub25jZQ=='
    status, headers, _body = client.service_http(NS, 'envoy-eventstack', 80, 'GET', '/ws', headers={
        'Connection': 'Upgrade', 'Upgrade': 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': key})
    assert status == 101 and headers['sec-websocket-accept'] == websocket_accept(key)
    status, _headers, _body = client.service_http(NS, 'envoy-eventstack', 80, 'GET', '/ws')
    assert status == 426  # the worker wants an upgrade
    status, _headers, _body = client.service_http(NS, 'envoy-eventstack', 80, 'GET', '/other')
    assert status == 404  # no rule: Envoy's 404
    # The API server sent the endpoint's address as Host, as it does.
    assert envoy.requests[-1] == ('http', 'GET', '/other', 'envoy-eventstack-0:10080', 404)
