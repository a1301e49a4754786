"""The k8s_checkpoint module: its verdict, its failure message and a kubeconfig it cannot use (the judging is tested
in module_utils)."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client
from ansible_collections.eventstack.oke.plugins.modules import k8s_checkpoint

from ..module_utils.test_checkpoint import LISTS, FakeClient

AVAILABLE = {"kind": "Deployment", "namespace": "todo-app", "condition": {"type": "Available"}}
KAFKA = {"kind": "Kafka", "api_version": "kafka.strimzi.io/v1", "namespace": "kafka", "name": "todo-kafka",
         "condition": {"type": "Ready"}}


def run(capsys, monkeypatch, args, client=None):
    if client is not None:
        monkeypatch.setattr(_k8s_client, "KubeClient", lambda kubeconfig, context: client)
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        k8s_checkpoint.main()
    return exc.value.code, json.loads(capsys.readouterr().out)


def test_passing_expectations_exit_unchanged_with_the_request_count(capsys, monkeypatch):
    code, result = run(capsys, monkeypatch, {"expectations": [KAFKA]}, FakeClient(LISTS))
    assert code == 0 and result["changed"] is False and result["passed"] is True
    assert result["requests"] == 2 and result["results"][0]["observed"] == "1 of 1 Ready"


def test_a_failing_required_expectation_fails_with_its_reason_unless_told_not_to(capsys, monkeypatch):
    code, result = run(capsys, monkeypatch, {"expectations": [KAFKA, AVAILABLE]}, FakeClient(LISTS))
    assert code == 1 and result["passed"] is False
    assert result["msg"].startswith("1 of 2 checkpoints failed: every Deployment in todo-app: Available=True "
                                    "(1 of 2 Available: todo-backend Available=False")
    assert "CrashLoopBackOff" in result["msg"]
    code, result = run(capsys, monkeypatch, {"expectations": [AVAILABLE], "fail_on_failure": False},
                       FakeClient(LISTS))
    assert code == 0 and result["passed"] is False


def test_an_unusable_kubeconfig_is_named(capsys, monkeypatch, tmp_path):
    missing = str(tmp_path / "nope")
    code, result = run(capsys, monkeypatch, {"expectations": [KAFKA], "kubeconfig": missing})
    assert code == 1 and result["msg"].startswith("cannot use the kubeconfig %s (context current): " % missing)
