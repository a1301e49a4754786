from __future__ import annotations

import functools
import json

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client
from ansible_collections.eventstack.oke.plugins.modules import k8s_apply

from .._fake_kube import FakeClient

NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}}
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "app"},
          "data": {"URL": "c2VjcmV0LXZhbHVl"}}


@pytest.fixture()
def fake(monkeypatch):
    client = FakeClient()
    calls = []

    def factory(kubeconfig, context):
        calls.append((kubeconfig, context))
        client.requests = 0
        return client

    monkeypatch.setattr(_k8s_client, "KubeClient", factory)
    client.factory_calls = calls
    return client


@pytest.fixture()
def run(run_module):
    """run(args): k8s_apply run as Ansible runs it (run_module in tests/unit/conftest.py)."""
    return functools.partial(run_module, k8s_apply)


def test_applies_and_reports_each_object(run, fake):
    code, result = run({"definitions": [SECRET, NAMESPACE], "kubeconfig": "/k", "context": "c"})
    assert code == 0 and result["changed"] is True
    assert [(r["kind"], r["action"]) for r in result["results"]] == [("Namespace", "create"), ("Secret", "create")]
    assert fake.factory_calls == [("/k", "c")]
    assert "/api/v1/namespaces/app/secrets/db" in fake.objects


def test_nothing_to_do_reports_unchanged(run, fake):
    run({"definitions": [NAMESPACE]})
    fake.log.clear()
    code, result = run({"definitions": [NAMESPACE]})
    assert code == 0 and result["changed"] is False
    assert [entry[0] for entry in fake.log] == ["GET"]


def test_check_mode_sends_dry_runs_only(run, fake):
    code, result = run({"definitions": [NAMESPACE], "_ansible_check_mode": True})
    assert code == 0 and result["changed"] is True
    assert fake.objects == {}
    assert [entry[2].get("dryRun") for entry in fake.log if entry[0] == "PATCH"] == ["All"]


def test_diff_redacts_secret_values(run, fake):
    code, result = run({"definitions": [NAMESPACE, SECRET], "_ansible_diff": True})
    assert code == 0
    assert [d["after_header"] for d in result["diff"]] == ["Namespace/app", "Secret/app/db"]
    assert result["diff"][1]["before"] == {}
    assert result["diff"][1]["after"]["data"] == {"URL": "REDACTED"}
    # Ansible echoes module arguments under "invocation" (hence no_log on the Secrets task); the module's
    # own output must not carry the value.
    result.pop("invocation", None)
    assert "c2VjcmV0LXZhbHVl" not in json.dumps(result)


def test_invalid_definition_fails_naming_it(run, fake):
    code, result = run({"definitions": [{"kind": "Namespace", "metadata": {"name": "x"}}]})
    assert code == 1 and result["msg"] == "definitions: item 0 (Namespace/x) lacks apiVersion"
    assert fake.log == []


def test_unknown_kind_fails_cleanly(run, fake):
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "app"}}
    code, result = run({"definitions": [widget]})
    assert code == 1
    assert "serves no kind Widget in example.com/v1" in result["msg"]
    assert not [entry for entry in fake.log if entry[0] == "PATCH"]


def test_unusable_kubeconfig_is_explained(run, monkeypatch):
    def broken(kubeconfig, context):
        raise OSError("no such file")

    monkeypatch.setattr(_k8s_client, "KubeClient", broken)
    code, result = run({"definitions": [NAMESPACE], "kubeconfig": "/missing"})
    assert code == 1
    assert result["msg"] == "cannot use the kubeconfig /missing (context current): no such file"


def test_state_absent_deletes_and_diffs_before_only(run, fake):
    run({"definitions": [NAMESPACE]})
    code, result = run({"definitions": [NAMESPACE], "state": "absent", "_ansible_diff": True})
    assert code == 0 and result["changed"] is True
    assert result["results"][0]["action"] == "delete"
    assert result["diff"][0]["after"] == {} and result["diff"][0]["before"]["metadata"]["name"] == "app"
    assert fake.objects == {}
