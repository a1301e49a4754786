"""_k8s_client.KubeClient sends the kubeconfig's credentials: a token (a static one or an exec plugin's, as OKE's
`oci ce cluster generate-token`) goes out as `Authorization: Bearer`. kubernetes 36.0.0 dropped it silently
(kubernetes-client/python#2582), which a cluster answers with 401. Against an HTTP server on 127.0.0.1 that records
the header."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client


class _Recorder(BaseHTTPRequestHandler):
    seen = []

    def log_message(self, *_args):
        pass

    def do_GET(self):  # noqa: N802 - http.server naming
        self.seen.append(self.headers.get("Authorization"))
        body = json.dumps({"gitVersion": "v1.34.1"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def server():
    _Recorder.seen = []
    httpd = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def kubeconfig(tmp_path, port, user):
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": "http://127.0.0.1:%d" % port}}],
        "users": [{"name": "u", "user": user}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}))
    return str(path)


def test_a_static_token_is_sent(server, tmp_path):
    client = _k8s_client.KubeClient(kubeconfig=kubeconfig(tmp_path, server.server_address[1], {"token": "abc"}))
    assert client.request("GET", "/version")["gitVersion"] == "v1.34.1"
    assert _Recorder.seen == ["Bearer abc"]


def test_an_exec_plugins_token_is_sent(server, tmp_path):
    credential = json.dumps({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                             "status": {"token": "from-exec"}})
    user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable,
                     "args": ["-c", "print(%r)" % credential], "interactiveMode": "Never"}}
    client = _k8s_client.KubeClient(kubeconfig=kubeconfig(tmp_path, server.server_address[1], user))
    client.request("GET", "/version")
    assert _Recorder.seen == ["Bearer from-exec"]
