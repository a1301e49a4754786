# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: checkpoints of the ingress gateway asked over HTTP(S), as a client would (the gateway_probe module).

The requests go to the Gateway's address (``status.addresses``, or one given) when the controller can open a TCP
connection to it; otherwise through the API server's service proxy
(``/api/v1/namespaces/<ns>/services/[https:]<envoy service>:<port>/proxy/<path>``) to the Envoy proxy Service Envoy
Gateway made for the Gateway (labels ``gateway.envoyproxy.io/owning-gateway-{name,namespace}``). Nothing is opened in
the NetworkPolicies for them. Two checks, each returning ``(passed, evidence lines)``:

- ``routing``: each request (``/``, ``/api/health``, the WebSocket upgrade on ``/ws``) answers below 400 (101 with a
  valid ``Sec-WebSocket-Accept`` for the upgrade, RFC 6455), and the rule of the live HTTPRoutes attached to the
  Gateway that took it (longest PathPrefix) sends it to the Service the stack routes that path to; the evidence
  names the status, the backend and, for a failure, the cause (no rule for the path, no ready pod behind the
  Service, Envoy's ``no healthy upstream``);
- ``https``: the response headers the ingress role sets are on the answers; with TLS, HTTP answers 301 or 308 to
  ``https://``, and the certificate the HTTPS listener serves for the host name (a TLS handshake with SNI; through
  the service proxy, which ends TLS at the API server, the listener's certificate Secret - its certificate only)
  covers that name, is valid now (expired fails), and has more than ``min_days`` days left (a warning otherwise).
  Its chain is checked against ``ca_file`` (a failure) or the controller's trust store (a warning: Let's Encrypt's
  staging chain is not trusted anywhere).

Secret values are never returned: only the certificate's names and dates are read.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import http.client
import os
import socket
import ssl
import time

try:
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID, NameOID
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - reported by the module
    HAS_CRYPTOGRAPHY = False

from ansible_collections.eventstack.oke.plugins.module_utils._checkpoint import finish
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeError, kube_auth_argspec

GATEWAY_API = "/apis/gateway.networking.k8s.io/v1"
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 section 1.3
OWNER_LABELS = ("gateway.envoyproxy.io/owning-gateway-name", "gateway.envoyproxy.io/owning-gateway-namespace")
REDIRECTS = (301, 308)


class ProbeError(Exception):
    """The gateway cannot be asked at all (no Gateway, no proxy Service); str() is the evidence."""


def websocket_accept(key):
    """The Sec-WebSocket-Accept a server must answer to Sec-WebSocket-Key ``key`` (RFC 6455 4.2.2)."""
    return base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()


def prefix_matches(prefix, path):
    """Gateway API PathPrefix: element-wise (``/api`` matches ``/api`` and ``/api/x``, not ``/apix``)."""
    path = path.split("?", 1)[0]
    prefix = prefix.rstrip("/")
    return prefix == "" or path == prefix or path.startswith(prefix + "/")


def route_for(rules, path):
    """The rule of ``rules`` (dicts with ``prefix``) a request for ``path`` takes: the longest matching prefix."""
    matching = [r for r in rules if prefix_matches(r["prefix"], path)]
    return max(matching, key=lambda r: len(r["prefix"].rstrip("/"))) if matching else None


def _attached(route, gw_namespace, gw_name, section):
    route_ns = route["metadata"].get("namespace")
    for ref in (route.get("spec") or {}).get("parentRefs") or []:
        if (ref.get("kind", "Gateway") == "Gateway" and ref.get("name") == gw_name
                and ref.get("namespace", route_ns) == gw_namespace
                and ref.get("sectionName") in (None, section)):
            return True
    return False


def live_rules(client, gw_namespace, gw_name, section):
    """The rules of the HTTPRoutes attached to a Gateway's listener ``section``: prefix, backend (``ns/name`` of the
    first backendRef, or None), redirect (the RequestRedirect filter) and route (``ns/name``)."""
    routes = client.request("GET", GATEWAY_API + "/httproutes").get("items") or []
    rules = []
    for route in sorted(routes, key=lambda r: (r["metadata"].get("namespace", ""), r["metadata"]["name"])):
        if not _attached(route, gw_namespace, gw_name, section):
            continue
        meta = route["metadata"]
        where = "%s/%s" % (meta.get("namespace"), meta["name"])
        for rule in (route.get("spec") or {}).get("rules") or [{}]:
            redirect = next((f.get("requestRedirect") for f in rule.get("filters") or []
                             if f.get("type") == "RequestRedirect"), None)
            backends = rule.get("backendRefs") or []
            backend = ("%s/%s" % (backends[0].get("namespace", meta.get("namespace")), backends[0]["name"])
                       if backends else None)
            for match in rule.get("matches") or [{"path": {"type": "PathPrefix", "value": "/"}}]:
                path = match.get("path") or {"type": "PathPrefix", "value": "/"}
                if path.get("type", "PathPrefix") == "PathPrefix":
                    rules.append({"prefix": path.get("value", "/"), "backend": backend, "redirect": redirect,
                                  "route": where})
    return rules


def find_proxy_service(client, gw_namespace, gw_name):
    """The Envoy proxy Service of a Gateway (any namespace: Envoy Gateway puts it in its own); ProbeError when none."""
    selector = "%s=%s,%s=%s" % (OWNER_LABELS[0], gw_name, OWNER_LABELS[1], gw_namespace)
    services = client.request("GET", "/api/v1/services", query={"labelSelector": selector}).get("items") or []
    services = [s for s in services if ((s.get("metadata") or {}).get("labels") or {}).get(OWNER_LABELS[0]) == gw_name
                and s["metadata"]["labels"].get(OWNER_LABELS[1]) == gw_namespace]
    if not services:
        raise ProbeError("no Envoy proxy Service for Gateway %s/%s (none labelled %s): Envoy Gateway has not "
                         "programmed it" % (gw_namespace, gw_name, selector))
    return sorted(services, key=lambda s: s["metadata"]["name"])[0]


def ready_pods(client, namespace, service):
    """(ready, total) pods behind a Service (its selector; Running and Ready)."""
    svc = client.request("GET", "/api/v1/namespaces/%s/services/%s" % (namespace, service))
    selector = (svc.get("spec") or {}).get("selector") or {}
    if not selector:
        return 0, 0
    pods = client.request("GET", "/api/v1/namespaces/%s/pods" % namespace,
                          query={"labelSelector": ",".join("%s=%s" % kv for kv in sorted(selector.items()))})
    pods = [p for p in pods.get("items") or []
            if all(((p.get("metadata") or {}).get("labels") or {}).get(k) == v for k, v in selector.items())]
    ready = [p for p in pods if (p.get("status") or {}).get("phase", "Running") == "Running"
             and all(c.get("status") == "True" for c in (p.get("status") or {}).get("conditions") or []
                     if c.get("type") == "Ready")]
    return len(ready), len(pods)


class _NamedHTTPSConnection(http.client.HTTPConnection):
    """HTTPS to an address, asking (SNI) for a host name that is not the address."""

    def __init__(self, address, port, timeout, context, server_name):
        super().__init__(address, port, timeout=timeout)
        self.context, self.server_name = context, server_name or None

    def connect(self):
        super().connect()
        self.sock = self.context.wrap_socket(self.sock, server_hostname=self.server_name)


class AddressTransport:
    """Requests straight to the gateway's address: Host (and SNI) the host name when there is one."""

    def __init__(self, address, ports, hostname="", timeout=10):
        self.address, self.ports, self.hostname, self.timeout = address, ports, hostname, timeout
        self.handshakes = True

    def describe(self):
        return "the gateway's address %s (ports %s)" % (self.address, ", ".join(
            "%s %s" % (k, v) for k, v in sorted(self.ports.items())))

    def _context(self, cafile=None, verify=False):
        context = ssl.create_default_context(cafile=cafile)
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def request(self, listener, method, path, headers=None):
        sent = {"Host": self.hostname or self.address, "Connection": "close"}
        sent.update(headers or {})
        if listener == "https":
            connection = _NamedHTTPSConnection(self.address, self.ports["https"], self.timeout, self._context(),
                                               self.hostname)
        else:
            connection = http.client.HTTPConnection(self.address, self.ports["http"], timeout=self.timeout)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in sent.items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise KubeError(method, "%s %s" % (listener, path), 0, str(exc) or type(exc).__name__) from exc
        finally:
            connection.close()

    def certificate(self, cafile=None):
        """(DER certificate, trust problem or '') of the HTTPS listener for the host name (SNI)."""
        name = self.hostname or None
        with socket.create_connection((self.address, self.ports["https"]), timeout=self.timeout) as raw:
            with self._context().wrap_socket(raw, server_hostname=name) as tls:
                der = tls.getpeercert(binary_form=True)
        problem = ""
        try:
            with socket.create_connection((self.address, self.ports["https"]), timeout=self.timeout) as raw:
                context = self._context(cafile, verify=True)
                context.check_hostname = False  # the names are judged on their own, with the reason
                with context.wrap_socket(raw, server_hostname=name):
                    pass
        except ssl.SSLError as exc:
            problem = getattr(exc, "verify_message", "") or exc.reason or str(exc)
        return der, problem


class ServiceProxyTransport:
    """Requests through the API server's service proxy to the Envoy proxy Service."""

    def __init__(self, client, service, ports, timeout=10):
        self.client, self.timeout, self.ports = client, timeout, ports
        self.namespace, self.name = service["metadata"]["namespace"], service["metadata"]["name"]
        self.handshakes = False

    def describe(self):
        return "the API server's service proxy to Service %s/%s" % (self.namespace, self.name)

    def request(self, listener, method, path, headers=None):
        return self.client.service_http(self.namespace, self.name, self.ports[listener], method, path,
                                        headers=headers, scheme="https" if listener == "https" else "",
                                        timeout=self.timeout)


def service_ports(service):
    """{listener: Service port} of an Envoy proxy Service: 80/443 or the ports named http*/https*."""
    ports = {}
    for port in (service.get("spec") or {}).get("ports") or []:
        name = port.get("name") or ""
        if port.get("port") == 443 or name.startswith("https"):
            ports.setdefault("https", port["port"])
        elif port.get("port") == 80 or name.startswith("http"):
            ports.setdefault("http", port["port"])
    return ports


def reachable(address, port, timeout):
    """'' when a TCP connection to address:port opens within timeout seconds, else why not."""
    try:
        socket.create_connection((address, port), timeout=timeout).close()
        return ""
    except OSError as exc:
        return str(exc) or type(exc).__name__


class Gateway:
    """What the checks share: the Gateway, its live rules and the transport chosen."""

    def __init__(self, client, spec):
        self.client, self.spec = client, spec
        self.namespace, self.name = spec["gateway"]["namespace"], spec["gateway"]["name"]
        try:
            self.obj = client.request("GET", GATEWAY_API + "/namespaces/%s/gateways/%s" % (self.namespace, self.name))
        except KubeError as exc:
            raise ProbeError("Gateway %s/%s: %s" % (self.namespace, self.name,
                                                    "not found" if exc.status == 404 else exc.reason)) from exc
        self.tls = bool(spec.get("tls"))
        self.hostname = spec.get("hostname") or ""
        self.listener = "https" if self.tls else "http"
        self.notes = []
        self.transport = self._transport()

    def _transport(self):
        spec, timeout = self.spec, float(self.spec.get("timeout") or 10)
        ports = {"http": 80, "https": 443}
        ports.update({k: int(v) for k, v in (spec.get("ports") or {}).items() if v})
        address = spec.get("address") or next(
            (a.get("value") for a in (self.obj.get("status") or {}).get("addresses") or [] if a.get("value")), "")
        via = spec.get("via") or "auto"
        if via in ("auto", "address") and address:
            why = reachable(address, ports[self.listener], min(timeout, 5.0))
            if not why:
                return AddressTransport(address, ports, self.hostname, timeout)
            if via == "address":
                raise ProbeError("the gateway's address %s:%s is not reachable from the controller: %s" % (
                    address, ports[self.listener], why))
            self.notes.append("the gateway's address %s:%s is not reachable from the controller (%s): asked through "
                              "the API server's service proxy" % (address, ports[self.listener], why))
        elif via == "address":
            raise ProbeError("Gateway %s/%s has no address (status.addresses is empty)" % (self.namespace, self.name))
        elif via == "auto":
            self.notes.append("Gateway %s/%s has no address: asked through the API server's service proxy" % (
                self.namespace, self.name))
        service = find_proxy_service(self.client, self.namespace, self.name)
        found = service_ports(service)
        if self.listener not in found:
            raise ProbeError("the Envoy proxy Service %s/%s has no %s port" % (
                service["metadata"]["namespace"], service["metadata"]["name"], self.listener))
        if self.hostname:
            self.notes.append("the service proxy sends the endpoint's address as Host, not %s: a listener or route "
                              "bound to that host name does not match it (a 404 then means that)" % self.hostname)
        return ServiceProxyTransport(self.client, service, found, timeout)

    def rules(self, listener):
        return live_rules(self.client, self.namespace, self.name, listener)

    def listener_spec(self, name):
        return next((l for l in (self.obj.get("spec") or {}).get("listeners") or [] if l.get("name") == name
                     or (l.get("protocol") or "").lower() == name), None)


def _answer(status, headers, body):
    kind = (headers.get("content-type") or "").split(";")[0] or "no content type"
    text = body.decode("utf-8", "replace").strip().splitlines()
    return "%s %s%s" % (status, kind, (": " + text[0][:120]) if text and status >= 400 else "")


def _backend_cause(client, backend):
    namespace, service = backend.split("/", 1)
    try:
        ready, total = ready_pods(client, namespace, service)
    except KubeError as exc:
        return "Service %s: %s" % (backend, "not found" if exc.status == 404 else exc.reason)
    return "Service %s has %d ready pod(s) of %d" % (backend, ready, total)


def routing(client, spec, gateway=None):
    gateway = gateway or Gateway(client, spec)
    lines = ["asked through %s, listener %s%s" % (gateway.transport.describe(), gateway.listener, (
        ", host " + gateway.hostname) if gateway.hostname else "")] + gateway.notes
    live = gateway.rules(gateway.listener)
    intended = [{"prefix": r["prefix"], "backend": r["service"]} for r in spec.get("routes") or []]
    passed = True
    for item in spec["requests"]:
        path, websocket = item["path"], bool(item.get("websocket"))
        want = route_for(intended, path)
        took = route_for(live, path)
        headers, key = {}, None
        if websocket:
            key = base64.b64encode(os.urandom(16)).decode()
            headers = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                       "Sec-WebSocket-Key": key}
        what = "WebSocket upgrade on %s" % path if websocket else "GET %s" % path
        try:
            status, answer_headers, body = gateway.transport.request(gateway.listener, "GET", path, headers)
        except KubeError as exc:
            passed = False
            lines.append("FAIL %s: no answer: %s" % (what, exc.reason))
            continue
        routed = ("%s (rule %s of HTTPRoute %s)" % (took["backend"], took["prefix"], took["route"])
                  if took and took["backend"] else "no backend")
        problems = []
        if websocket:
            if status != 101:
                problems.append("no upgrade (got %s)" % _answer(status, answer_headers, body))
            elif answer_headers.get("sec-websocket-accept") != websocket_accept(key):
                problems.append("101 without the Sec-WebSocket-Accept RFC 6455 asks for (got %r)" % (
                    answer_headers.get("sec-websocket-accept")))
        elif status >= 400:
            problems.append("answered %s" % _answer(status, answer_headers, body))
        wanted = want["backend"] if want else None
        namespace = spec.get("namespace") or ""
        wanted_full = "%s/%s" % (namespace, wanted) if wanted and namespace and "/" not in wanted else wanted
        if took is None:
            problems.append("no rule of the HTTPRoutes attached to Gateway %s/%s (listener %s) matches %s" % (
                gateway.namespace, gateway.name, gateway.listener, path))
        elif wanted_full and took["backend"] and took["backend"] != wanted_full:
            problems.append("routed to %s, not to %s: no rule for %s" % (routed, wanted_full, want["prefix"]))
        elif took["backend"] and status in (500, 502, 503, 504):
            problems.append(_backend_cause(client, took["backend"]))
        if problems:
            passed = False
            lines.append("FAIL %s: %s" % (what, "; ".join(problems)))
        else:
            lines.append("pass %s: %s from %s" % (
                what, "101 Switching Protocols, Sec-WebSocket-Accept valid" if websocket
                else _answer(status, answer_headers, body), routed))
    return passed, lines


def _names(cert):
    try:
        names = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        return list(names.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        return [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]


def name_covers(pattern, hostname):
    """Whether a certificate DNS name covers a host name (a wildcard covers exactly one left-most label)."""
    pattern, hostname = pattern.lower().rstrip("."), hostname.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _dot, rest = hostname.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == hostname


def judge_certificate(der, hostname, min_days, now=None, where=""):
    """(passed, lines) of a certificate (DER): its names against hostname, its validity and days left."""
    cert = x509.load_der_x509_certificate(der)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    not_after = cert.not_valid_after_utc
    not_before = cert.not_valid_before_utc
    names = _names(cert)
    lines, passed = [], True
    issuer = ", ".join(a.value for a in cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)) or "?"
    summary = "certificate%s for %s, issued by %s, valid %s to %s" % (
        where, ", ".join(names) or "no DNS name", issuer, not_before.date().isoformat(), not_after.date().isoformat())
    if hostname and not any(name_covers(n, hostname) for n in names):
        passed = False
        lines.append("FAIL wrong name: the %s does not cover %s" % (summary, hostname))
    days = (not_after - now).total_seconds() / 86400
    if not_after <= now:
        passed = False
        lines.append("FAIL expired certificate: expired on %s, %d day(s) ago (%s)" % (
            not_after.isoformat(), int(-days), summary))
    elif not_before > now:
        passed = False
        lines.append("FAIL certificate not yet valid: valid from %s (%s)" % (not_before.isoformat(), summary))
    elif days < min_days:
        lines.append("warn certificate expires in %d day(s), under the %g-day threshold (%s)" % (
            int(days), min_days, summary))
    if passed and not any(line.startswith("warn") for line in lines):
        lines.append("pass %s: %d day(s) left" % (summary, int(days)))
    return passed, lines


def _secret_certificate(client, gateway):
    """(DER, 'from Secret ns/name') of the HTTPS listener's first certificateRef; only tls.crt is kept."""
    listener = gateway.listener_spec("https") or {}
    refs = (listener.get("tls") or {}).get("certificateRefs") or []
    if not refs:
        raise ProbeError("the HTTPS listener of Gateway %s/%s has no certificateRefs" % (gateway.namespace,
                                                                                         gateway.name))
    namespace, name = refs[0].get("namespace", gateway.namespace), refs[0]["name"]
    try:
        secret = client.request("GET", "/api/v1/namespaces/%s/secrets/%s" % (namespace, name))
    except KubeError as exc:
        raise ProbeError("the HTTPS listener's certificate Secret %s/%s: %s" % (
            namespace, name, "not found" if exc.status == 404 else exc.reason)) from exc
    pem = base64.b64decode(((secret.get("data") or {}).get("tls.crt") or "").encode())
    secret.clear()  # the key is never kept
    if not pem:
        raise ProbeError("the certificate Secret %s/%s has no tls.crt" % (namespace, name))
    return ssl.PEM_cert_to_DER_cert(pem.decode().split("-----END CERTIFICATE-----")[0]
                                    + "-----END CERTIFICATE-----\n"), " (from Secret %s/%s)" % (namespace, name)


def https(client, spec, gateway=None):
    gateway = gateway or Gateway(client, spec)
    lines, passed = ["asked through %s" % gateway.transport.describe()] + gateway.notes, True
    expected = dict(spec.get("headers") or {})
    status, headers, _body = gateway.transport.request(gateway.listener, "GET", "/")
    missing = [name for name in sorted(expected) if name.lower() not in headers]
    wrong = ["%s is %r, not %r" % (name, headers[name.lower()], value) for name, value in sorted(expected.items())
             if name.lower() in headers and headers[name.lower()] != value]
    for name in missing:
        lines.append("FAIL missing header %s on %s GET / (%s): the ingress role sets %r" % (
            name, gateway.listener.upper(), status, expected[name]))
    for problem in wrong:
        lines.append("FAIL header %s on %s GET /" % (problem, gateway.listener.upper()))
    if missing or wrong:
        passed = False
    else:
        lines.append("pass %s GET / (%s) carries %s" % (gateway.listener.upper(), status, ", ".join(sorted(expected))
                                                        or "no header to check"))
    if not gateway.tls:
        lines.append("TLS off (ingress_tls none): no certificate or redirect to check")
        return passed, lines
    status, headers, body = gateway.transport.request("http", "GET", "/")
    location = headers.get("location", "")
    if status in REDIRECTS and location.startswith("https://"):
        lines.append("pass HTTP GET / redirects to HTTPS: %s %s" % (status, location))
    elif status in REDIRECTS or 300 <= status < 400:
        passed = False
        lines.append("FAIL HTTP GET / is no permanent redirect to HTTPS: %s to %s (expected 301 or 308 to https://)"
                     % (status, location or "nowhere"))
    else:
        passed = False
        lines.append("FAIL no redirect from HTTP to HTTPS (got %s)" % _answer(status, headers, body))
    min_days = float(spec.get("min_days") or 0)
    if gateway.transport.handshakes:
        der, trust = gateway.transport.certificate(spec.get("ca_file"))
        where = " served for %s" % (gateway.hostname or "the address")
        if trust:
            if spec.get("ca_file"):
                passed = False
                lines.append("FAIL the chain is not trusted by %s: %s" % (spec["ca_file"], trust))
            else:
                lines.append("warn the chain is not trusted by the controller's CA bundle: %s" % trust)
    else:
        der, where = _secret_certificate(client, gateway)
        lines.append("no TLS handshake through the service proxy (the API server ends TLS): the certificate is read "
                     "from the HTTPS listener's Secret (its certificate only)")
    ok, cert_lines = judge_certificate(der, gateway.hostname, min_days, where=where)
    return passed and ok, lines + cert_lines


def run(name, required, check, client, spec, gateway=None, error=None):
    started = time.monotonic()
    try:
        if error is not None:
            raise error
        passed, evidence = check(client, spec, gateway)
    except Exception as exc:  # ProbeError, KubeError and whatever a malformed answer raises: the check could not run
        passed, evidence = False, ["the check could not run: %s" % (
            exc if isinstance(exc, ProbeError) else "%s: %s" % (type(exc).__name__, exc))]
    return {"name": name, "required": required, "passed": bool(passed),
            "seconds": round(time.monotonic() - started, 3), "evidence": evidence}


# key: (checkpoint name, required, check)
CHECKS = {"routing": ("The gateway routes /, /api and the WebSocket to their backends", True, routing),
          "https": ("HTTPS valid, HTTP redirected and security headers present", True, https)}


def run_all(client, settings):
    """The checkpoints of the checks switched on in ``settings`` (``routing``, ``https`` booleans) over its
    gateway settings, in CHECKS order."""
    keys = [key for key in CHECKS if settings.get(key)]
    gateway, error = None, None
    if keys:
        try:
            gateway = Gateway(client, settings)
        except (ProbeError, KubeError) as exc:
            error = exc
    return [run(CHECKS[key][0], CHECKS[key][1], CHECKS[key][2], client, settings, gateway, error) for key in keys]


ARGUMENT_SPEC = kube_auth_argspec(
    gateway=dict(type="dict", required=True, options=dict(namespace=dict(type="str", required=True),
                                                          name=dict(type="str", required=True))),
    hostname=dict(type="str", default=""),
    tls=dict(type="bool", default=False),
    address=dict(type="str", default=""),
    ports=dict(type="dict", default={}),
    via=dict(type="str", default="auto", choices=["auto", "address", "service_proxy"]),
    namespace=dict(type="str", default=""),
    routes=dict(type="list", elements="dict", default=[]),
    requests=dict(type="list", elements="dict",
                  default=[{"path": "/"}, {"path": "/api/health"}, {"path": "/ws", "websocket": True}]),
    headers=dict(type="dict", default={}),
    min_days=dict(type="float", default=14.0),
    ca_file=dict(type="path"),
    timeout=dict(type="float", default=10.0),
    routing=dict(type="bool", default=True),
    https=dict(type="bool", default=True),
    fail_on_failure=dict(type="bool", default=True),
)


def check(params, connect, check_mode=False):  # pylint: disable=unused-argument
    """gateway_probe's answer (the module's or, on the controller, the action plugin's): the checkpoints of the checks
    switched on, through the client connect() returns. It only sends GET requests, so check mode changes nothing."""
    if not HAS_CRYPTOGRAPHY:
        from ansible.module_utils.basic import missing_required_lib  # pylint: disable=import-outside-toplevel
        return dict(failed=True, msg=missing_required_lib("cryptography"))
    started = time.monotonic()
    client = connect()
    return finish(params, client, run_all(client, params), started)
