"""The Kubernetes API server behind an OKE cluster's private endpoint, as a bastion tunnel reaches it.

OKE serves the API over TLS with a certificate for the endpoint's addresses, issued by the cluster's CA (the
`certificate-authority-data` of the kubeconfig CreateKubeconfig returns), and authenticates the bearer token that
`oci ce cluster generate-token` makes: the base64url of a signed request URL
`https://containerengine.<region>.oraclecloud.com/cluster_request/<cluster id>?authorization=Signature...&date=...`.
This stand-in does the same for every live cluster of an OCI API stand-in (oci_standin.py): its
certificate names the private and public endpoint addresses of the clusters alive when a connection arrives (an IP
gets no SNI, so the certificate cannot be chosen by name), signed by the stand-in's CA; `GET /version` answers the
cluster's Kubernetes version to a token for a live cluster, 401 (a Status, as the API server answers) otherwise.
`tokens` keeps the cluster ids of the tokens accepted.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .oci_standin import server_certificate


def cluster_of_token(token):
    """The cluster id an OKE token is for, or None when it is not one."""
    try:
        url = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    if "/cluster_request/" not in url or "authorization=Signature" not in url:
        return None
    return url.split("/cluster_request/", 1)[1].split("?", 1)[0]


class _Handler(BaseHTTPRequestHandler):
    server_version = "oke-api-standin"

    def log_message(self, *_args):
        pass

    def _reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - http.server naming
        standin = self.server.standin
        header = self.headers.get("Authorization") or ""
        cluster_id = cluster_of_token(header[len("Bearer "):]) if header.startswith("Bearer ") else None
        cluster = standin.clusters().get(cluster_id)
        if cluster is None:
            self._reply(401, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "Unauthorized",
                              "reason": "Unauthorized", "code": 401})
            return
        standin.tokens.append(cluster_id)
        if self.path.split("?", 1)[0] != "/version":
            self._reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                              "message": "the server could not find the requested resource", "code": 404})
            return
        version = cluster.data.get("kubernetesVersion") or "v1.34.1"
        major, minor = version.lstrip("v").split(".")[:2]
        self._reply(200, {"major": major, "minor": minor, "gitVersion": version, "platform": "linux/arm64"})


class OkeApiStandIn:
    """Context manager: `address` is host:port of the API server (what the bastion forwards to)."""

    def __init__(self, oci):
        self.oci = oci
        self.tokens = []
        self._dir = tempfile.mkdtemp(prefix="oke-api-")
        self._contexts = {}
        self._server = None

    def clusters(self):
        return {r.id: r for r in self.oci.scenario.records.values() if r.kind == "cluster" and r.alive}

    def _context(self):
        addresses = sorted({endpoint.rsplit(":", 1)[0] for r in self.clusters().values()
                            for key, endpoint in (r.data.get("endpoints") or {}).items()
                            if endpoint and key in ("privateEndpoint", "publicEndpoint")} or {"127.0.0.1"})
        key = tuple(addresses)
        if key not in self._contexts:
            cert, private = server_certificate(list(addresses))
            path = os.path.join(self._dir, "%d.pem" % len(self._contexts))
            with open(path, "wb") as handle:
                handle.write(private + cert)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(path)
            self._contexts[key] = context
        return self._contexts[key]

    @property
    def address(self):
        return "127.0.0.1:%d" % self._server.server_address[1]

    def __enter__(self):
        standin = self

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self):
                sock, address = super().get_request()
                return standin._context().wrap_socket(sock, server_side=True), address

        self._server = Server(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc):
        self._server.shutdown()
        self._server.server_close()
