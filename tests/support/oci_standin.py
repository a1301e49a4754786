"""A local stand-in for OCI's REST API, stateful, for the real oci SDK and the real oracle.oci modules.

It serves what the oci SDK's clients call (paths, parameters, bodies and responses defined by the SDK itself,
see oci_api_catalogue) for Identity, Core networking and block storage, Container Engine, Limits, Artifacts,
Load Balancing, Bastion and Object Storage's namespace, keeps the resources of a `Scenario` (see
oci_api_state: lifecycles that advance as they are read, work requests, capacity, limits, failures) and
records every request. The behaviour of each service is described in oci_api_network, oci_api_oke and
oci_api_services.

Two ways in, on one port:

- Plain HTTP, path routing: clients made with `service_endpoint=standin.url` (our own check modules).
- HTTPS through the stand-in as an HTTPS proxy, for clients that derive their endpoint from the region, as the
  oracle.oci modules do (they cannot take a service endpoint). The region is a custom one in realm oc99
  (`OCI_REGION_METADATA`, or the SDK's developer tool configuration file when the scenario has more regions):
  the SDK then builds hosts like identity.eu-standin-1.oci.oci-standin.test and
  iaas.eu-standin-1.oci-standin.test. No name has to resolve: the SDK's HTTP stack (requests) honours
  `HTTPS_PROXY`, so it sends `CONNECT <host>:443` to the stand-in, which answers and speaks TLS itself with a
  server certificate for every service host of every scenario region, signed by a CA made once per test session
  with `cryptography` and trusted through `OCI_ANSIBLE_CERT_BUNDLE` (oracle.oci) and `REQUESTS_CA_BUNDLE`.
  Names outside the stand-in's domain are refused (403), `NO_PROXY` keeps loopback traffic (e.g. a Kubernetes
  API emulator) direct. This needs no /etc/hosts entry and no resolver patch.

    with OciStandIn(Scenario()) as oci:
        plain:  module params service_endpoint=oci.url
        HTTPS:  subprocess.run(["ansible-playbook", ...], env=dict(os.environ, **oci.env(config_path)))
        in-process SDK: client = oci.sdk_client(oci_sdk.core.VirtualNetworkClient, config)

IdentityClient and the home region: oracle.oci's create_service_client (module_utils/oci_config_utils.py, 5.5.0)
calls ListRegionSubscriptions for every IdentityClient and re-targets it (`base_client.set_region`) to the
region with isHomeRegion, unless the module's `do_not_redirect_to_home_region` or
`OCI_IDENTITY_DO_NOT_REDIRECT_TO_HOME_REGION` is set. oci_identity_availability_domain_facts and
oci_identity_fault_domain_facts set it themselves (ADs belong to a region), so they always ask the configured
region; compartment and policy modules go to the home region, and Identity writes anywhere else are 403
NotAllowed. `Scenario(home_region=...)` makes the home region differ from the region the config names; the
stand-in then serves both (certificate, region metadata) and answers ListAvailabilityDomains with each region's
own ADs, keyed by the Host the request came to, so a test can see which region a module asked.

Requests must be signed (an `Authorization: Signature ...` header, as the SDK's signer writes it): otherwise 401
`NotAuthenticated`. Signatures are not verified. Every answer carries `opc-request-id`; resources carry `etag`
and honour `if-match` (412 `NoEtagMatch`). Unknown ids are 404 `NotAuthorizedOrNotFound`; an operation the SDK
knows but the stand-in does not serve is 501 `NotImplemented`, naming it.

Failure injection (`Scenario.failures`): `(path regex, [statuses])` for any method, or `(method, path regex,
[statuses])`; each matching request takes the next status before the real answer (429 `TooManyRequests`,
500 `InternalServerError`, 503 `ServiceUnavailable`, 409 `Conflict`, ...; an entry may be `(status, code,
message)`). Pagination: `limit`/`page` on every list, and `Scenario.page_size` pages every list.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import os
import re
import shutil
import ssl
import tempfile
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from . import oci_api_network, oci_api_oke, oci_api_services
from .oci_api_catalogue import CLIENTS, ApiError, Call, catalogue, check_body, not_found, project
from .oci_api_state import (ADS, CLUSTER, COMPARTMENT, DOMAIN, NODE_POOL, REALM, REGION, REGION_KEY, TENANCY,
                            USER, Scenario, make_ocid, node, paginate)

__all__ = ["ADS", "CLUSTER", "COMPARTMENT", "DOMAIN", "NODE_POOL", "REALM", "REGION", "REGION_KEY", "TENANCY",
           "USER", "OciStandIn", "Scenario", "make_ocid", "node"]

ERROR_CODES = {400: "InvalidParameter", 401: "NotAuthenticated", 403: "NotAllowed",
               404: "NotAuthorizedOrNotFound", 409: "Conflict", 412: "NoEtagMatch", 429: "TooManyRequests",
               500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout"}


def _registry():
    """{service: {operation name: handler}}; a handler keyed "service.operation" serves that service only, one
    keyed by the bare operation name serves it in every service of its module that has that operation."""
    known = {(op.service, op.name) for op in catalogue().operations}
    registry = {service: {} for service in CLIENTS}
    for module in (oci_api_network, oci_api_oke, oci_api_services):
        for key, handler in module.HANDLERS.items():
            if "." in key:
                service, name = key.split(".", 1)
                registry[service][name] = handler
            else:
                for service in module.SERVICES:
                    if (service, key) in known:
                        registry[service].setdefault(key, handler)
    return registry


_HANDLERS = {}


def handlers():
    if not _HANDLERS:
        _HANDLERS.update(_registry())
    return _HANDLERS


# ---- TLS material --------------------------------------------------------------------------------------

_CA = {}


def _ca():
    """A test CA, made once per process (session)."""
    if not _CA:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "eventstack-oke OCI stand-in test CA")])
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=7))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                             content_commitment=False, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, encipher_only=False,
                                             decipher_only=False), critical=True)
                .sign(key, hashes.SHA256()))
        _CA["key"], _CA["cert"] = key, cert
        _CA["pem"] = cert.public_bytes(serialization.Encoding.PEM)
    return _CA


def _san(host, x509, ipaddress):
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def ca_pem():
    """The test session's CA certificate (PEM bytes)."""
    return _ca()["pem"]


def server_certificate(hosts):
    """(certificate PEM, key PEM) for these host names and IP addresses, signed by the session CA."""
    return _server_certificate(hosts)


def _server_certificate(hosts):
    """(certificate PEM, key PEM) for these host names (and IP addresses), signed by the session CA."""
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    ca = _ca()
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(ca["cert"].subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([_san(h, x509, ipaddress) for h in hosts]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca["key"], hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


class _SocketWriter:
    closed = False

    def __init__(self, sock):
        self._sock = sock

    def write(self, data):
        self._sock.sendall(data)
        return len(data)

    def flush(self):
        pass

    def close(self):
        self.closed = True


# ---- HTTP handling ---------------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    server_version = "oci-standin"
    protocol_version = "HTTP/1.1"
    tls_host = None

    def log_message(self, *_args):  # keep test output clean
        pass

    def date_time_string(self, timestamp=None):
        """The Date header, from the scenario's clock (as OCI's is from its own): what clients read as the server's
        time follows Scenario.advance()."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        return email.utils.format_datetime(self.server.standin.scenario.clock, usegmt=True)

    def do_CONNECT(self):  # noqa: N802 - http.server naming
        host = self.path.rsplit(":", 1)[0].lower()
        standin = self.server.standin
        if host not in standin.hosts:
            self.send_response(403, "Forbidden")
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.close_connection = True
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        try:
            self.connection = standin.tls_context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        self.rfile = self.connection.makefile("rb")
        self.wfile = _SocketWriter(self.connection)
        self.tls_host = host
        self.close_connection = False

    def do_GET(self):  # noqa: N802
        self._serve("GET")

    def do_POST(self):  # noqa: N802
        self._serve("POST")

    def do_PUT(self):  # noqa: N802
        self._serve("PUT")

    def do_DELETE(self):  # noqa: N802
        self._serve("DELETE")

    def do_PATCH(self):  # noqa: N802
        self._serve("PATCH")

    def _serve(self, method):
        standin = self.server.standin
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, payload, headers = standin.handle(method, self.path, dict(self.headers.items()), raw, self.tls_host)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)


class OciStandIn:
    """The stand-in server for one Scenario. `requests` records every request."""

    def __init__(self, scenario=None):
        self.scenario = scenario or Scenario()
        self.requests = []
        self.errors = []      # unexpected exceptions inside handlers (answered 500), for debugging tests
        self.hosts = set()
        self.tls_context = None
        self._lock = threading.RLock()
        self._server = None
        self._thread = None
        self._dir = None

    # ---- lifecycle -------------------------------------------------------------------------------------

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def url(self):
        """The plain-HTTP endpoint (for clients made with service_endpoint)."""
        return "http://127.0.0.1:%d" % self.port

    proxy = url

    @property
    def ca_path(self):
        return os.path.join(self._dir, "ca.pem")

    def host(self, service, region=None):
        """The host name the SDK derives for a service (a key of oci_api_catalogue.CLIENTS) in a region."""
        return catalogue().host(service, region or self.scenario.region, DOMAIN)

    def __enter__(self):
        self._dir = tempfile.mkdtemp(prefix="oci-standin-")
        cat = catalogue()
        self.hosts = {cat.host(service, region, DOMAIN) for service in CLIENTS for region in self.scenario.regions}
        ordered = sorted(self.hosts)
        cert, key = _server_certificate(ordered)
        with open(os.path.join(self._dir, "server.pem"), "wb") as handle:
            handle.write(cert + _ca()["pem"])
        with open(os.path.join(self._dir, "server.key"), "wb") as handle:
            handle.write(key)
        with open(self.ca_path, "wb") as handle:
            handle.write(_ca()["pem"])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(self._dir, "server.pem"), os.path.join(self._dir, "server.key"))
        self.tls_context = context
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        shutil.rmtree(self._dir, ignore_errors=True)

    # ---- for tests ---------------------------------------------------------------------------------------

    def region_metadata(self, region=None):
        region = region or self.scenario.region
        return {"realmKey": REALM, "realmDomainComponent": DOMAIN, "regionKey": self.scenario.regions[region],
                "regionIdentifier": region}

    def env(self, config_path=None):
        """Environment variables that make the oci SDK (and so oracle.oci modules run by ansible-playbook or
        ansible, and this collection's check modules without service_endpoint) reach this stand-in over HTTPS:
        OCI_REGION_METADATA (and, with several regions, the SDK's developer tool configuration file listing them
        all), OCI_REGION (the scenario's region), HTTPS_PROXY/https_proxy (this stand-in), NO_PROXY/no_proxy
        (loopback), OCI_ANSIBLE_CERT_BUNDLE and REQUESTS_CA_BUNDLE (the test CA), OCI_CONFIG_FILE when given.
        Nothing needs PYTHONPATH: no name has to resolve."""
        no_proxy = "127.0.0.1,localhost,::1"
        env = {"OCI_REGION_METADATA": json.dumps(self.region_metadata()), "OCI_ANSIBLE_CERT_BUNDLE": self.ca_path,
               "REQUESTS_CA_BUNDLE": self.ca_path, "HTTPS_PROXY": self.proxy, "https_proxy": self.proxy,
               "NO_PROXY": no_proxy, "no_proxy": no_proxy, "OCI_REGION": self.scenario.region}
        if len(self.scenario.regions) > 1:
            path = os.path.join(self._dir, "developer-tool-configuration.json")
            with open(path, "w", encoding="utf-8") as handle:
                json.dump({"services": [], "regions": [self.region_metadata(r) for r in self.scenario.regions],
                           "developerToolConfigurationProvider": "eventstack-oke OCI stand-in"}, handle)
            env["OCI_DEVELOPER_TOOL_CONFIGURATION_FILE_PATH"] = path
            env["OCI_ALLOW_ONLY_DEVELOPER_TOOL_CONFIGURATION_REGIONS"] = "True"
        if config_path:
            env["OCI_CONFIG_FILE"] = str(config_path)
        return env

    def register_regions(self):
        """Make the scenario's regions known to the oci SDK in this process (what OCI_REGION_METADATA does in a
        fresh one): adds them to the SDK's region tables; nothing else changes."""
        import oci.regions
        for region, key in self.scenario.regions.items():
            oci.regions.REGIONS_SHORT_NAMES[key.lower()] = region
            oci.regions.REGION_REALMS[region] = REALM
            oci.regions.REALMS[REALM] = DOMAIN
            if region not in oci.regions.REGIONS:
                oci.regions.REGIONS.append(region)

    def sdk_client(self, client_class, config, **kwargs):
        """An oci SDK client of this process that reaches the stand-in over HTTPS: region endpoint, the proxy,
        the test CA (as oracle.oci sets `session.verify` from its cert bundle). The session ignores the
        environment, whose REQUESTS_CA_BUNDLE would otherwise win over `verify` (requests' precedence)."""
        self.register_regions()
        client = client_class(config, **kwargs)
        client.base_client.session.trust_env = False
        client.base_client.session.proxies = {"https": self.proxy}
        client.base_client.session.verify = self.ca_path
        return client

    def writes(self):
        """Every request that was not a GET (in order)."""
        return [r for r in self.requests if r["method"] != "GET"]

    def state(self):
        return self.scenario.state()

    def alive(self, kind=None, compartment=None):
        return self.scenario.alive(kind, compartment)

    # ---- request handling ------------------------------------------------------------------------------------

    def _where(self, headers, tls_host):
        """(services, region) a request addresses: from the Host over HTTPS; every service and the scenario's
        region over plain HTTP."""
        if tls_host is None:
            return list(CLIENTS), self.scenario.region
        host = (headers.get("Host") or tls_host).rsplit(":", 1)[0].lower()
        labels = host.split(".")
        return catalogue().services_for_host(labels[0]), labels[1]

    def handle(self, method, target, headers, raw, tls_host):
        parsed = urlparse(target)
        query_lists = parse_qs(parsed.query, keep_blank_values=True)
        query = {k: v[-1] for k, v in query_lists.items()}
        lowered = {k.lower(): v for k, v in headers.items()}
        services, region = self._where(headers, tls_host)
        record = {"method": method, "host": tls_host, "path": parsed.path, "query": query, "body": None,
                  "signed": (lowered.get("authorization") or "").startswith("Signature "), "region": region,
                  "service": None, "operation": None, "status": None}
        with self._lock:
            self.requests.append(record)
            request_id = "%032X" % (len(self.requests) * 7919)
            try:
                status, data, extra = self._answer(method, parsed.path, query_lists, lowered, raw, services, region,
                                                   record)
            except ApiError as exc:
                status, data, extra = exc.status, {"code": exc.code, "message": exc.message}, exc.headers
            except Exception as exc:  # a stand-in bug: answer 500 and keep it for the test to see
                self.errors.append(traceback.format_exc())
                status, data, extra = 500, {"code": "InternalServerError", "message": "stand-in error: %r" % exc}, {}
            record["status"] = status
        headers_out = {"opc-request-id": request_id}
        headers_out.update(extra)
        if isinstance(data, bytes):
            payload = data
            headers_out.setdefault("Content-Type", "text/plain")
        elif status == 204 or (data is None and status in (200, 202)):
            payload = b""
        else:
            payload = json.dumps(data).encode()
            headers_out["Content-Type"] = "application/json"
        return status, payload, headers_out

    def _failure(self, method, path):
        for entry in self.scenario.failures:
            wanted, pattern, statuses = (None,) + tuple(entry) if len(entry) == 2 else tuple(entry)
            if statuses and (wanted is None or wanted == method) and re.search(pattern, path):
                status = statuses.pop(0)
                if isinstance(status, (tuple, list)):
                    return ApiError(status[0], status[1], status[2])
                return ApiError(status, ERROR_CODES.get(status, "InternalServerError"), "stand-in says %d" % status)
        return None

    def _answer(self, method, path, query, headers, raw, services, region, record):
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw
        record["body"] = body
        failure = self._failure(method, path)
        if failure is not None:
            raise failure
        if not record["signed"]:
            raise ApiError(401, "NotAuthenticated", "The required information to complete authentication was not "
                           "provided or was incorrect.")
        if region not in self.scenario.regions:
            raise ApiError(401, "NotAuthenticated", "The tenancy is not subscribed to the region %s" % region)
        candidates = catalogue().match(method, path, services)
        if not candidates:
            raise not_found()
        last = None
        for op, params in candidates:
            handler = handlers()[op.service].get(op.name)
            if handler is None:
                last = ApiError(501, "NotImplemented", "the stand-in does not implement %s (%s)"
                                % (op.name, op.reference))
                continue
            record["service"], record["operation"] = op.service, op.name
            try:
                return self._call(op, params, query, headers, body, region, handler)
            except ApiError as exc:
                if exc.status != 404 or len(candidates) == 1:
                    raise
                last = exc
        raise last

    def _call(self, op, params, query, headers, body, region, handler):
        for name, spec in op.query.items():
            values = query.get(name)
            if spec["required"] and not values:
                raise ApiError(400, "MissingParameter", "Missing required query parameter '%s'" % name)
            if values and spec["allowed"]:
                for value in values:
                    if value not in spec["allowed"]:
                        raise ApiError(400, "InvalidParameter", "Invalid value for '%s': %r is not one of %s"
                                       % (name, value, ", ".join(spec["allowed"])))
        if op.body_model is not None:
            if body is None and op.name != "create_kubeconfig":
                raise ApiError(400, "MissingParameter", "The request body is required")
            if isinstance(body, bytes):
                raise ApiError(400, "InvalidParameter", "Unable to parse message body")
            if body is not None:
                check_body(op.body_model, body, op.models)
        call = Call(op, params, query, body or {}, headers, region)
        reply = handler(self.scenario, call)
        extra = dict(reply.headers)
        if reply.record is not None:
            extra["etag"] = reply.record.etag
        if reply.work_request is not None:
            extra["opc-work-request-id"] = reply.work_request.id
        if reply.text is not None:
            return reply.status, reply.text.encode(), extra
        data = reply.data
        if reply.paginate:
            if isinstance(data, dict):
                items, token = paginate(data["items"], call, self.scenario)
                data = dict(data, items=items)
            else:
                data, token = paginate(data, call, self.scenario)
            if token:
                extra["opc-next-page"] = token
        return reply.status, project(op.response_type, data, op.models), extra
