"""gateway_probe's checks over a fake API whose service proxy plays Envoy: each rule and the evidence of each failure
(the address transport against a real TLS server is in tests/integration/test_gateway_probe.py, the run against the
emulator and the Envoy Gateway stand-in in tests/converge/test_verify.py)."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.eventstack.oke.plugins.module_utils import _gateway_probe as gp
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeError

GW = {"metadata": {"name": "eventstack", "namespace": "ingress"}, "spec": {"listeners": [
    {"name": "http", "protocol": "HTTP", "port": 80},
    {"name": "https", "protocol": "HTTPS", "port": 443, "tls": {"certificateRefs": [{"name": "eventstack-tls"}]}}]},
    "status": {}}
SERVICE = {"metadata": {"name": "envoy-ingress-eventstack-1a2b", "namespace": "ingress", "labels": {
    gp.OWNER_LABELS[0]: "eventstack", gp.OWNER_LABELS[1]: "ingress"}},
    "spec": {"ports": [{"name": "http-80", "port": 80}, {"name": "https-443", "port": 443}]}}
APP_ROUTE = {"metadata": {"name": "eventstack-apps", "namespace": "todo-app"}, "spec": {
    "parentRefs": [{"name": "eventstack", "namespace": "ingress", "sectionName": "https"}],
    "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": v}}], "backendRefs": [{"name": n, "port": 80}]}
              for v, n in (("/", "todo-frontend"), ("/api", "todo-backend"), ("/ws", "websocket-worker"))]}}
REDIRECT = {"metadata": {"name": "eventstack-https-redirect", "namespace": "ingress"}, "spec": {
    "parentRefs": [{"name": "eventstack", "sectionName": "http"}],
    "rules": [{"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}]}}
ROUTES = [{"prefix": "/", "service": "todo-frontend"}, {"prefix": "/api", "service": "todo-backend"},
          {"prefix": "/ws", "service": "websocket-worker"}]
HEADERS = {"X-Frame-Options": "DENY", "Strict-Transport-Security": "max-age=31536000"}
REQUESTS = [{"path": "/"}, {"path": "/api/health"}, {"path": "/ws", "websocket": True}]


def cert_pem(names, days=(-1, 90), issuer=None):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    issuer_cert, issuer_key = issuer or (None, key)
    builder = (x509.CertificateBuilder().subject_name(name)
               .issuer_name(issuer_cert.subject if issuer_cert else name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now + datetime.timedelta(days=days[0]))
               .not_valid_after(now + datetime.timedelta(days=days[1]))
               .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False))
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    cert = builder.sign(issuer_key, hashes.SHA256())
    return cert, key


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def envoy(listener, method, path, headers, routes=True, ready=True, late=None, accept=None, redirect=301):
    """Envoy as programmed by the ingress role: (status, headers, body)."""
    late = dict({"x-frame-options": "DENY", "strict-transport-security": "max-age=31536000"} if late is None else late)
    if listener == "http" and redirect:  # the redirect route; without it the apps answer on HTTP too
        return redirect, dict(late, location="https://todo.example.com" + path), b""
    if path.startswith("/ws") and headers.get("Upgrade") == "websocket":
        if not ready:
            return 503, dict(late, **{"content-type": "text/plain"}), b"no healthy upstream"
        return 101, dict(late, **{"sec-websocket-accept": accept or gp.websocket_accept(headers["Sec-WebSocket-Key"])}), b""
    if path.startswith("/api") and routes:
        return 200, dict(late, **{"content-type": "application/json"}), b'{"status": "ok"}'
    if path.startswith("/api"):
        return 404, dict(late, **{"content-type": "text/html"}), b"<!DOCTYPE html><title>404</title>"
    return 200, dict(late, **{"content-type": "text/html"}), b"<!DOCTYPE html>"


class FakeClient:
    def __init__(self, routes=(APP_ROUTE, REDIRECT), services=(SERVICE,), gateway=None, secret=None, pods=1, **envoy_kw):
        gateway = GW if gateway is None else gateway
        self.routes, self.services, self.gateway, self.secret, self.pods = routes, services, gateway, secret, pods
        self.envoy_kw, self.proxied, self.requests = envoy_kw, [], 0

    def request(self, method, path, query=None, **_kwargs):
        self.requests += 1
        if path == "/apis/gateway.networking.k8s.io/v1/namespaces/ingress/gateways/eventstack" and self.gateway:
            return json.loads(json.dumps(self.gateway))
        if path == "/apis/gateway.networking.k8s.io/v1/httproutes":
            return {"items": json.loads(json.dumps(list(self.routes)))}
        if path == "/api/v1/services":
            assert query == {"labelSelector": "%s=eventstack,%s=ingress" % gp.OWNER_LABELS}
            return {"items": list(self.services)}
        if path.startswith("/api/v1/namespaces/todo-app/services/"):
            return {"spec": {"selector": {"app": path.rsplit("/", 1)[1]}}}
        if path == "/api/v1/namespaces/todo-app/pods":
            app = query["labelSelector"].split("=")[1]
            return {"items": [{"metadata": {"name": "%s-%d" % (app, i), "labels": {"app": app}},
                               "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}}
                              for i in range(self.pods)]}
        if path == "/api/v1/namespaces/ingress/secrets/eventstack-tls" and self.secret:
            return {"data": {"tls.crt": base64.b64encode(self.secret).decode(), "tls.key": "c2VjcmV0LWtleQ=="}}
        raise KubeError(method, path, 404, "not found")

    def service_http(self, namespace, service, port, method, path, headers=None, scheme="", timeout=10):
        self.proxied.append((namespace, service, port, scheme, path))
        listener = "https" if scheme == "https" else "http"
        return envoy(listener, method, path, headers or {}, **self.envoy_kw)


def spec(**extra):
    return dict({"gateway": {"namespace": "ingress", "name": "eventstack"}, "tls": True, "hostname": "", "ports": {},
                 "namespace": "todo-app", "routes": ROUTES, "requests": REQUESTS, "headers": HEADERS, "min_days": 14,
                 "routing": True, "https": True}, **extra)


def test_websocket_accept_is_rfc_6455_s_example():
    assert gp.websocket_accept("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@pytest.mark.parametrize("prefix, path, expected", [
    ("/api", "/api", True), ("/api", "/api/health", True), ("/api", "/apix", False), ("/", "/anything", True),
    ("/api/", "/api/health?x=1", True)])
def test_path_prefix_matches_whole_path_elements(prefix, path, expected):
    assert gp.prefix_matches(prefix, path) is expected


def test_the_longest_prefix_takes_the_request():
    rules = [{"prefix": "/"}, {"prefix": "/api"}, {"prefix": "/api/v2"}]
    assert gp.route_for(rules, "/api/v2/x")["prefix"] == "/api/v2" and gp.route_for(rules, "/x")["prefix"] == "/"
    assert gp.route_for([{"prefix": "/api"}], "/") is None


@pytest.mark.parametrize("pattern, host, expected", [
    ("todo.example.com", "todo.example.com", True), ("*.example.com", "todo.example.com", True),
    ("*.example.com", "a.b.example.com", False), ("*.example.com", "example.com", False),
    ("other.example.com", "todo.example.com", False)])
def test_certificate_names_cover_a_host_as_tls_clients_match_them(pattern, host, expected):
    assert gp.name_covers(pattern, host) is expected


def test_a_healthy_gateway_through_the_service_proxy_passes_naming_each_backend():
    client = FakeClient(secret=pem(cert_pem(["todo.example.com"])[0]))
    [routing, https] = gp.run_all(client, spec(hostname="todo.example.com"))
    assert routing["passed"] is True and https["passed"] is True, (routing, https)
    assert routing["evidence"][:2] == [
        "asked through the API server's service proxy to Service ingress/envoy-ingress-eventstack-1a2b, listener "
        "https, host todo.example.com", "Gateway ingress/eventstack has no address: asked through the API server's "
        "service proxy"]
    assert routing["evidence"][3:] == [
        "pass GET /: 200 text/html from todo-app/todo-frontend (rule / of HTTPRoute todo-app/eventstack-apps)",
        "pass GET /api/health: 200 application/json from todo-app/todo-backend (rule /api of HTTPRoute "
        "todo-app/eventstack-apps)",
        "pass WebSocket upgrade on /ws: 101 Switching Protocols, Sec-WebSocket-Accept valid from "
        "todo-app/websocket-worker (rule /ws of HTTPRoute todo-app/eventstack-apps)"]
    assert ("ingress", "envoy-ingress-eventstack-1a2b", 443, "https", "/api/health") in client.proxied
    assert ("ingress", "envoy-ingress-eventstack-1a2b", 80, "", "/") in client.proxied
    text = "\n".join(https["evidence"])
    assert "pass HTTP GET / redirects to HTTPS: 301 https://todo.example.com/" in text
    assert "the certificate is read from the HTTPS listener's Secret (its certificate only)" in text
    assert "pass certificate (from Secret ingress/eventstack-tls) for todo.example.com" in text
    assert "c2VjcmV0LWtleQ" not in json.dumps([routing, https]) and "secret-key" not in json.dumps([routing, https])


def test_routing_failures_name_the_cause():
    route = json.loads(json.dumps(APP_ROUTE))
    route["spec"]["rules"] = [r for r in route["spec"]["rules"] if r["matches"][0]["path"]["value"] != "/api"]
    client = FakeClient(routes=(route,), ready=False)
    client.envoy_kw["routes"] = False  # Envoy sends /api/health to the frontend, whose 404 page answers
    passed, lines = gp.routing(client, spec())
    assert passed is False
    assert lines[3] == ("FAIL GET /api/health: answered 404 text/html: <!DOCTYPE html><title>404</title>; routed to "
                        "todo-app/todo-frontend (rule / of HTTPRoute todo-app/eventstack-apps), not to "
                        "todo-app/todo-backend: no rule for /api")
    assert lines[4] == ("FAIL WebSocket upgrade on /ws: no upgrade (got 503 text/plain: no healthy upstream); Service "
                        "todo-app/websocket-worker has 0 ready pod(s) of 1")


def test_a_wrong_websocket_accept_and_a_path_no_rule_matches_fail():
    client = FakeClient(routes=(REDIRECT,), accept="d3JvbmcK")
    passed, lines = gp.routing(client, spec(requests=[{"path": "/ws", "websocket": True}]))
    assert passed is False
    assert lines[-1] == ("FAIL WebSocket upgrade on /ws: 101 without the Sec-WebSocket-Accept RFC 6455 asks for (got "
                         "'d3JvbmcK'); no rule of the HTTPRoutes attached to Gateway ingress/eventstack (listener "
                         "https) matches /ws")


def test_no_proxy_service_and_no_gateway_fail_both_checkpoints_saying_why():
    checkpoints = gp.run_all(FakeClient(services=()), spec())
    assert [c["evidence"] for c in checkpoints] == [[
        "the check could not run: no Envoy proxy Service for Gateway ingress/eventstack (none labelled "
        "gateway.envoyproxy.io/owning-gateway-name=eventstack,gateway.envoyproxy.io/owning-gateway-namespace=ingress):"
        " Envoy Gateway has not programmed it"]] * 2
    [only] = gp.run_all(FakeClient(gateway={}), spec(routing=False))
    assert only["evidence"] == ["the check could not run: Gateway ingress/eventstack: not found"]
    assert gp.run_all(FakeClient(), spec(routing=False, https=False)) == []


@pytest.mark.parametrize("kwargs, expected", [
    ({"late": {"x-frame-options": "DENY"}},
     "FAIL missing header Strict-Transport-Security on HTTPS GET / (200): the ingress role sets 'max-age=31536000'"),
    ({"late": {"x-frame-options": "SAMEORIGIN", "strict-transport-security": "max-age=31536000"}},
     "FAIL header X-Frame-Options is 'SAMEORIGIN', not 'DENY' on HTTPS GET /"),
    ({"redirect": None}, "FAIL no redirect from HTTP to HTTPS (got 200 text/html)"),
    ({"redirect": 302}, "FAIL HTTP GET / is no permanent redirect to HTTPS: 302 to https://todo.example.com/ "
                        "(expected 301 or 308 to https://)"),
])
def test_each_https_rule_fails_naming_what_is_wrong(kwargs, expected):
    client = FakeClient(secret=pem(cert_pem(["todo.example.com"])[0]), **kwargs)
    passed, lines = gp.https(client, spec(hostname="todo.example.com"))
    assert passed is False and expected in lines, lines


def test_without_tls_only_the_headers_are_checked():
    passed, lines = gp.https(FakeClient(redirect=None), spec(tls=False, headers={"X-Frame-Options": "DENY"}))
    assert passed is True
    assert lines[-2:] == ["pass HTTP GET / (200) carries X-Frame-Options",
                          "TLS off (ingress_tls none): no certificate or redirect to check"]


NOW = datetime.datetime(2026, 12, 5, tzinfo=datetime.timezone.utc)


def der(names, not_before, not_after):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def days(n):
    return NOW + datetime.timedelta(days=n)


@pytest.mark.parametrize("names, window, passed, expected", [
    (["todo.example.com"], (-10, 80), True, "pass certificate for todo.example.com, issued by Test CA, valid "
                                            "2026-11-25 to 2027-02-23: 80 day(s) left"),
    (["*.example.com"], (-10, 80), True, "pass certificate for *.example.com"),
    (["other.example.com"], (-10, 80), False, "FAIL wrong name: the certificate for other.example.com, issued by "
                                              "Test CA, valid 2026-11-25 to 2027-02-23 does not cover todo.example.com"),
    (["todo.example.com"], (-100, -3), False, "FAIL expired certificate: expired on 2026-12-02T00:00:00+00:00, 3 "
                                              "day(s) ago"),
    (["todo.example.com"], (2, 90), False, "FAIL certificate not yet valid: valid from 2026-12-07T00:00:00+00:00"),
    (["todo.example.com"], (-80, 10), True, "warn certificate expires in 10 day(s), under the 14-day threshold"),
])
def test_the_certificate_s_names_validity_and_days_left(names, window, passed, expected):
    ok, lines = gp.judge_certificate(der(names, days(window[0]), days(window[1])), "todo.example.com", 14, now=NOW)
    assert ok is passed
    assert any(line.startswith(expected) for line in lines), lines
