"""gateway_probe's address transport against a real HTTPS server on 127.0.0.1: the handshake asks for the host name,
the certificate chain is judged, and an unreachable address falls back to the API server's service proxy unless only
the address is allowed (the checks over a fake API are in tests/unit/plugins/module_utils/test_gateway_probe.py)."""

from __future__ import annotations

import http.server
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ansible_collections.eventstack.oke.plugins.module_utils import _gateway_probe as gp
from tests.unit.plugins.module_utils.test_gateway_probe import FakeClient, cert_pem, pem, spec


@pytest.fixture()
def tls_server(tmp_path):
    """A real HTTPS server on 127.0.0.1 with a certificate for todo.example.com from a test CA."""
    ca_cert, ca_key = cert_pem(["Test CA"], days=(-1, 3650))
    cert, key = cert_pem(["todo.example.com"], issuer=(ca_cert, ca_key))
    (tmp_path / "ca.pem").write_bytes(pem(ca_cert))
    (tmp_path / "cert.pem").write_bytes(pem(cert))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append((self.path, self.headers["Host"], self.connection.server_hostname
                         if hasattr(self.connection, "server_hostname") else None))
            self.send_response(200)
            self.send_header("Strict-Transport-Security", "max-age=31536000")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    names = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1], str(tmp_path / "ca.pem"), names, seen
    httpd.shutdown()
    httpd.server_close()


def test_through_the_address_the_handshake_asks_for_the_host_name_and_the_chain_is_judged(tls_server):
    port, ca_file, names, seen = tls_server
    transport = gp.AddressTransport("127.0.0.1", {"https": port, "http": 1}, "todo.example.com", timeout=5)
    status, headers, _body = transport.request("https", "GET", "/api/health")
    assert status == 200 and headers["strict-transport-security"] == "max-age=31536000"
    assert seen[-1][:2] == ("/api/health", "todo.example.com") and names[-1] == "todo.example.com"
    der_cert, trust = transport.certificate(ca_file)
    assert trust == "" and x509.load_der_x509_certificate(der_cert).subject.rfc4514_string() == "CN=todo.example.com"
    _der, trust = transport.certificate(None)  # the controller's trust store knows no test CA
    assert "unable to get local issuer certificate" in trust or "self" in trust, trust


def test_an_unreachable_address_falls_back_to_the_service_proxy_or_fails_when_only_the_address_is_allowed(tls_server):
    port = tls_server[0]
    closed = gp.reachable("127.0.0.1", 1, 1)
    assert closed
    gateway = gp.Gateway(FakeClient(), spec(address="127.0.0.1", ports={"https": 1}))
    assert isinstance(gateway.transport, gp.ServiceProxyTransport)
    assert gateway.notes[0].startswith("the gateway's address 127.0.0.1:1 is not reachable from the controller (")
    with pytest.raises(gp.ProbeError, match="the gateway's address 127.0.0.1:1 is not reachable"):
        gp.Gateway(FakeClient(), spec(address="127.0.0.1", ports={"https": 1}, via="address"))
    gateway = gp.Gateway(FakeClient(), spec(address="127.0.0.1", ports={"https": port}))
    assert isinstance(gateway.transport, gp.AddressTransport)
