"""The gateway_probe module: its checkpoints, verdict and failure message, and check mode (the checks are tested in
module_utils)."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client
from ansible_collections.eventstack.oke.plugins.modules import gateway_probe

from ..module_utils.test_gateway_probe import HEADERS, ROUTES, FakeClient

ARGS = {"gateway": {"namespace": "ingress", "name": "eventstack"}, "namespace": "todo-app", "routes": ROUTES,
        "headers": HEADERS, "tls": False}


def run(capsys, monkeypatch, args, client):
    monkeypatch.setattr(_k8s_client, "KubeClient", lambda kubeconfig, context: client)
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        gateway_probe.main()
    return exc.value.code, json.loads(capsys.readouterr().out)


def test_a_healthy_gateway_passes_both_checkpoints_in_check_mode_too(capsys, monkeypatch):
    for check_mode in (False, True):
        client = FakeClient(redirect=None)
        code, result = run(capsys, monkeypatch, dict(ARGS, _ansible_check_mode=check_mode), client)
        assert code == 0 and result["passed"] is True and result["changed"] is False, result
        assert [c["name"] for c in result["checkpoints"]] == [
            "The gateway routes /, /api and the WebSocket to their backends",
            "HTTPS valid, HTTP redirected and security headers present"]
        assert client.proxied, "it only reads, so it asks in check mode too"


def test_a_missing_header_fails_the_module_naming_it_unless_told_not_to(capsys, monkeypatch):
    broken = {"late": {"x-frame-options": "DENY"}, "redirect": None}
    code, result = run(capsys, monkeypatch, dict(ARGS, routing=False), FakeClient(**broken))
    assert code == 1 and result["passed"] is False
    assert result["msg"] == ("failing: HTTPS valid, HTTP redirected and security headers present (FAIL missing header "
                             "Strict-Transport-Security on HTTP GET / (200): the ingress role sets 'max-age=31536000')")
    code, result = run(capsys, monkeypatch, dict(ARGS, routing=False, fail_on_failure=False), FakeClient(**broken))
    assert code == 0 and [c["passed"] for c in result["checkpoints"]] == [False]
