"""Envoy Gateway's proxy for the Kubernetes emulator: what a Gateway of the ingress role serves, judged from the
emulator's objects at each request as Envoy is programmed from them, and the apps behind it.

- Listeners: the Gateway's (HTTP on port 80, HTTPS on 443; in the proxy pod 10080 and 10443). A listener with a
  ``hostname`` answers only that Host (else 404, no virtual host); so does a route with ``hostnames``.
- Routes: the HTTPRoutes attached to the listener (``parentRefs`` name, namespace, ``sectionName``); the longest
  ``PathPrefix`` match (element-wise, as the Gateway API defines it) takes the request; none: 404 with no body. A
  ``RequestRedirect`` rule answers its ``statusCode`` (default 302) with ``Location`` in its scheme; a backend rule
  goes to a ready pod of the Service (Running and Ready, matching its selector), none: 503 ``no healthy upstream``.
- ClientTrafficPolicy ``headers.lateResponseHeaders.set`` of the Gateway on every answer, Envoy's own too.
- HTTPS: the certificate of the listener's ``certificateRefs`` Secret (``tls.crt``/``tls.key``), read at every
  connection; without it the listener has no certificate and the handshake fails.
- WebSocket: Envoy Gateway lets upgrades through; the backend answers them.

The apps answer as their frameworks do (``APPS``): the Next.js frontend HTML at every path (its 404 page under
``/api``, which it does not serve) with ``X-Powered-By: Next.js``; the FastAPI backend ``{"status": "ok"}`` at
``/api/health`` and ``{"detail": "Not Found"}`` elsewhere; the websocket worker the RFC 6455 handshake on ``/ws``
(101 with Sec-WebSocket-Accept; 426 without an upgrade request, 400 without a valid key).

It serves the proxy pods' ports to the emulator (the API server's service proxy and port-forward reach it) and,
with ``listen()``, real HTTP and HTTPS sockets on 127.0.0.1 standing for the load balancer's address.
``make_ca()`` and ``issue()`` make a test CA and its certificates with ``cryptography``.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import http.server
import json
import os
import socket
import ssl
import tempfile
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.eventstack.oke.plugins.module_utils import _pod_model

WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
LISTENER_PORTS = {80: 'http', 443: 'https'}
CONTAINER_PORTS = {10080: 80, 10443: 443}  # Envoy shifts listener ports under 1024 by 10000
OWNER = 'gateway.envoyproxy.io/owning-gateway-name'
OWNER_NS = 'gateway.envoyproxy.io/owning-gateway-namespace'


# --- certificates -------------------------------------------------------------------------------------------------
def make_ca(name='eventstack test CA'):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def issue(ca, names, days=(-1, 90)):
    """(certificate PEM, key PEM) for DNS ``names``, valid from ``days[0]`` to ``days[1]`` days from now."""
    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + datetime.timedelta(days=days[0]))
            .not_valid_after(now + datetime.timedelta(days=days[1]))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def ca_pem(ca):
    return ca[0].public_bytes(serialization.Encoding.PEM)


def tls_secret(namespace, name, cert_pem, key_pem):
    return {'apiVersion': 'v1', 'kind': 'Secret', 'type': 'kubernetes.io/tls',
            'metadata': {'name': name, 'namespace': namespace},
            'data': {'tls.crt': base64.b64encode(cert_pem).decode(), 'tls.key': base64.b64encode(key_pem).decode()}}


# --- the apps ----------------------------------------------------------------------------------------------------
def _json(status, body, headers=None):
    return status, dict({'content-type': 'application/json'}, **(headers or {})), json.dumps(body).encode()


def nextjs_frontend(request):
    path = request['path'].split('?')[0]
    headers = {'content-type': 'text/html; charset=utf-8', 'x-powered-by': 'Next.js'}
    if path == '/api' or path.startswith('/api/'):
        return 404, headers, b'<!DOCTYPE html><html><head><title>404: This page could not be found.</title></head></html>'
    return 200, headers, b'<!DOCTYPE html><html><head><title>Todo</title></head><body><div id="__next"></div></body></html>'


def fastapi_backend(request):
    if request['path'].split('?')[0] == '/api/health':
        return _json(200, {'status': 'ok'})
    return _json(404, {'detail': 'Not Found'})


def websocket_worker(request):
    headers = request['headers']
    if request['path'].split('?')[0] != '/ws':
        return _json(404, {'detail': 'Not Found'})
    if headers.get('upgrade', '').lower() != 'websocket' or 'upgrade' not in headers.get('connection', '').lower():
        return 426, {'content-type': 'text/plain', 'upgrade': 'websocket'}, b'Upgrade Required'
    key = headers.get('sec-websocket-key', '')
    try:
        valid = len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        valid = False
    if not valid or headers.get('sec-websocket-version') != '13':
        return 400, {'content-type': 'text/plain'}, b'Bad Request'
    accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
    return 101, {'upgrade': 'websocket', 'connection': 'Upgrade', 'sec-websocket-accept': accept}, b''


APPS = {'todo-frontend': nextjs_frontend, 'todo-backend': fastapi_backend, 'websocket-worker': websocket_worker}


def _prefix_matches(prefix, path):
    path, prefix = path.split('?')[0], prefix.rstrip('/')
    return prefix == '' or path == prefix or path.startswith(prefix + '/')


def _host_matches(pattern, host):
    if pattern.startswith('*.'):
        head, _dot, rest = host.partition('.')
        return bool(head) and rest == pattern[2:]
    return pattern == host


def envoy_proxy(server, namespace=None):
    """Create what Envoy Gateway creates for each Gateway of its class: the proxy pod (the pod model of its
    Deployment) and its LoadBalancer Service (ports 80/443 to 10080/10443), in the controller's namespace."""
    objects = server.objects()
    for group in _pod_model.envoy_pods(objects):
        labels = dict(group['metadata']['labels'])
        labels.update({'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/managed-by': 'envoy-gateway'})
        gateway = server.get('gateway.networking.k8s.io/v1', 'Gateway', labels[OWNER], labels[OWNER_NS])
        ports = sorted({l['port'] for l in gateway['spec']['listeners']})
        ns = namespace or group['namespace']
        name = '%s-%s' % (group['name'], hashlib.sha256(group['name'].encode()).hexdigest()[:8])
        spec = dict(group['spec'], nodeName='kind-control-plane')
        spec['containers'][0]['ports'] = [{'name': '%s-%d' % (LISTENER_PORTS.get(p, 'tcp'), p),
                                           'containerPort': p + 10000 if p < 1024 else p} for p in ports]
        server.call('POST', '/api/v1/namespaces/%s/pods' % ns, {
            'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': name + '-5d8c7b9f4-q2w8e', 'namespace': ns,
                                                            'labels': labels}, 'spec': spec}, 'application/json')
        server.call('POST', '/api/v1/namespaces/%s/services' % ns, {
            'apiVersion': 'v1', 'kind': 'Service', 'metadata': {'name': name, 'namespace': ns, 'labels': labels},
            'spec': {'type': 'LoadBalancer', 'externalTrafficPolicy': 'Local', 'selector': labels, 'ports': [
                {'name': '%s-%d' % (LISTENER_PORTS.get(p, 'tcp'), p), 'port': p, 'protocol': 'TCP',
                 'targetPort': p + 10000 if p < 1024 else p} for p in ports]}}, 'application/json')


class GatewayStandIn:
    def __init__(self, server, apps=None):
        self.server, self.apps = server, dict(APPS, **(apps or {}))
        self.requests: list[tuple] = []  # (listener, method, path, host, status)
        self._servers: list = []
        self.ports: dict[str, int] = {}
        for port in CONTAINER_PORTS:
            server.serve_pod_port(port, self._pod_port(port))

    # --- Envoy ------------------------------------------------------------------------------------------------
    def _pod_port(self, container_port):
        def handler(pod, request):
            labels = pod['metadata'].get('labels') or {}
            if labels.get('app.kubernetes.io/component') != 'proxy' or OWNER not in labels:
                raise ConnectionRefusedError
            gateway = self.server.get('gateway.networking.k8s.io/v1', 'Gateway', labels[OWNER], labels[OWNER_NS])
            status, headers, body = self.answer(gateway, CONTAINER_PORTS[container_port], request)
            return status, headers.pop('content-type', ''), body, headers
        return handler

    def _gateway(self):
        gateways = self.server.objects('Gateway')
        return gateways[0] if gateways else None

    def listener(self, gateway, port):
        return next((l for l in (gateway or {}).get('spec', {}).get('listeners', []) if l.get('port') == port), None)

    def _late_headers(self, gateway):
        headers = {}
        for policy in self.server.objects('ClientTrafficPolicy', gateway['metadata']['namespace']):
            if any(ref.get('kind') == 'Gateway' and ref.get('name') == gateway['metadata']['name']
                   for ref in policy['spec'].get('targetRefs') or []):
                for item in ((policy['spec'].get('headers') or {}).get('lateResponseHeaders') or {}).get('set') or []:
                    headers[item['name'].lower()] = item['value']
        return headers

    def _rules(self, gateway, listener):
        gw_ns, gw_name = gateway['metadata']['namespace'], gateway['metadata']['name']
        for route in self.server.objects('HTTPRoute'):
            ns = route['metadata']['namespace']
            if not any(ref.get('name') == gw_name and ref.get('namespace', ns) == gw_ns
                       and ref.get('sectionName') in (None, listener['name'])
                       for ref in route['spec'].get('parentRefs') or []):
                continue
            for rule in route['spec'].get('rules') or [{}]:
                for match in rule.get('matches') or [{'path': {'type': 'PathPrefix', 'value': '/'}}]:
                    path = match.get('path') or {'type': 'PathPrefix', 'value': '/'}
                    yield route, rule, path.get('value', '/')

    def answer(self, gateway, port, request):
        """(status, {lower-case header: value}, body) of Envoy for a request on the listener of ``port``."""
        status, headers, body = self._route(gateway, port, request)
        headers = dict(headers, server='envoy')
        if gateway is not None:
            headers.update(self._late_headers(gateway))
        self.requests.append((LISTENER_PORTS.get(port), request['method'], request['path'],
                              request['headers'].get('host'), status))
        return status, headers, body

    def _route(self, gateway, port, request):
        listener = self.listener(gateway, port)
        if listener is None:
            return 404, {}, b''
        host = request['headers'].get('host', '').rsplit(':', 1)[0] if ']' not in request['headers'].get(
            'host', '') else request['headers']['host']
        if listener.get('hostname') and not _host_matches(listener['hostname'], host):
            return 404, {}, b''
        matching = [(route, rule, prefix) for route, rule, prefix in self._rules(gateway, listener)
                    if _prefix_matches(prefix, request['path'])
                    and (not route['spec'].get('hostnames')
                         or any(_host_matches(h, host) for h in route['spec']['hostnames']))]
        if not matching:
            return 404, {}, b''
        route, rule, _prefix = max(matching, key=lambda m: len(m[2].rstrip('/')))
        for rule_filter in rule.get('filters') or []:
            if rule_filter.get('type') == 'RequestRedirect':
                redirect = rule_filter['requestRedirect']
                scheme = redirect.get('scheme') or LISTENER_PORTS.get(port, 'http')
                location = '%s://%s%s%s' % (scheme, redirect.get('hostname') or host, (
                    ':%d' % redirect['port']) if redirect.get('port') else '', request['path'])
                return redirect.get('statusCode', 302), {'location': location, 'content-length': '0'}, b''
        backends = rule.get('backendRefs') or []
        if not backends:
            return 500, {'content-type': 'text/plain'}, b''
        service_ns = backends[0].get('namespace', route['metadata']['namespace'])
        service = self.server.get('v1', 'Service', backends[0]['name'], service_ns)
        selector = (service or {}).get('spec', {}).get('selector') or {}
        ready = [p for p in self.server.objects('Pod', service_ns) if selector
                 and all((p['metadata'].get('labels') or {}).get(k) == v for k, v in selector.items())
                 and (p.get('status') or {}).get('phase', 'Running') == 'Running'
                 and all(c.get('status') == 'True' for c in (p.get('status') or {}).get('conditions') or []
                         if c.get('type') == 'Ready')]
        app = self.apps.get(backends[0]['name'])
        if not ready or app is None:
            return 503, {'content-type': 'text/plain'}, b'no healthy upstream'
        status, headers, body = app(request)
        if status != 101:
            headers = dict(headers, **{'x-envoy-upstream-service-time': '2'})
        return status, headers, body

    # --- the load balancer's address --------------------------------------------------------------------------
    def listen(self):
        """Serve HTTP and HTTPS on 127.0.0.1 (``self.ports``) as the load balancer in front of the proxy would."""
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def version_string(self):
                return 'envoy'

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                port = 443 if isinstance(self.connection, ssl.SSLSocket) else 80
                request = {'method': 'GET', 'path': self.path, 'body': b'',
                           'headers': {k.lower(): v for k, v in self.headers.items()}}
                status, headers, body = standin.answer(standin._gateway(), port, request)
                self.send_response(status)
                for name, value in headers.items():
                    if name not in ('server', 'date', 'content-length'):
                        self.send_header(name, value)
                if status != 101:
                    self.send_header('content-length', str(len(body)))
                self.send_header('connection', 'close')
                self.end_headers()
                if status != 101:
                    self.wfile.write(body)
                self.close_connection = True

        class TLSServer(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):
                sock, address = super().get_request()
                context = standin._tls_context()
                if context is None:  # no certificate: the listener is not programmed, the handshake fails
                    sock.close()
                    raise OSError('no certificate')
                return context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

            def handle_error(self, request, client_address):
                pass

        class PlainServer(http.server.ThreadingHTTPServer):
            daemon_threads = True

        for name, cls in (('http', PlainServer), ('https', TLSServer)):
            httpd = cls(('127.0.0.1', 0), Handler)
            self.ports[name] = httpd.server_address[1]
            threading.Thread(target=httpd.serve_forever, daemon=True, name='gateway-' + name).start()
            self._servers.append(httpd)
        return self

    def _tls_context(self):
        listener = self.listener(self._gateway(), 443)
        refs = ((listener or {}).get('tls') or {}).get('certificateRefs') or []
        if not refs:
            return None
        gateway = self._gateway()
        namespace = refs[0].get('namespace', gateway['metadata']['namespace'])
        secret = self.server.get('v1', 'Secret', refs[0]['name'], namespace)
        if secret is None or 'tls.crt' not in secret.get('data', {}):
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2  # the ClientTrafficPolicy's tls.minVersion
        with tempfile.TemporaryDirectory() as tmp:
            for key in ('tls.crt', 'tls.key'):
                with open(os.path.join(tmp, key), 'wb') as handle:
                    handle.write(base64.b64decode(secret['data'][key]))
            context.load_cert_chain(os.path.join(tmp, 'tls.crt'), os.path.join(tmp, 'tls.key'))
        return context

    def stop(self):
        for httpd in self._servers:
            httpd.shutdown()
            httpd.server_close()
        self._servers.clear()
        for port in CONTAINER_PORTS:
            self.server.serve_pod_port(port, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def unused_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
