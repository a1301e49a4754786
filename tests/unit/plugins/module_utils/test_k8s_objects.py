"""module_utils/_k8s_objects.py: which objects carry secret values, the runs apply mode makes, and what a hidden
run may show."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_objects, _manifests

NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}}
WITH_DATA = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b", "namespace": "app"},
             "data": {"token": base64.b64encode(b"tok-secret").decode()}}
WITH_STRING_DATA = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a", "namespace": "app"},
                    "stringData": {"password": "pw-secret"}}
TOKEN_SECRET = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
                "metadata": {"name": "t", "namespace": "app"}}


def test_split_sends_the_secrets_with_values_apart_sorted():
    plain, sensitive = _k8s_objects.split([WITH_DATA, TOKEN_SECRET, WITH_STRING_DATA, NAMESPACE])
    assert plain == [NAMESPACE, TOKEN_SECRET]
    assert [obj["metadata"]["name"] for obj in sensitive] == ["a", "b"]


def test_split_rejects_what_is_not_an_object():
    with pytest.raises(_manifests.ManifestError, match="lacks metadata.name"):
        _k8s_objects.split([{"apiVersion": "v1", "kind": "Secret", "metadata": {}}])


def test_secret_strings_has_the_values_and_the_decoded_data():
    found = _k8s_objects.secret_strings([WITH_DATA, WITH_STRING_DATA, TOKEN_SECRET, NAMESPACE])
    assert found == {"pw-secret", "tok-secret", WITH_DATA["data"]["token"]}


def test_secret_strings_leave_out_a_value_the_references_show():
    owner = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "todo-db-owner", "namespace": "todo-app"},
             "stringData": {"username": "todo", "password": "pw-secret"}}
    assert _k8s_objects.secret_strings([owner]) == {"pw-secret"}


@pytest.mark.parametrize("state, expected", [
    ("present", [(False, "present"), (True, "present")]),
    ("absent", [(True, "absent"), (False, "absent")]),
])
def test_steps_order(state, expected):
    runs = _k8s_objects.steps([NAMESPACE], [WITH_DATA], state, "me")
    assert [(hidden, args["state"]) for hidden, args in runs] == expected
    assert all(args.get("field_manager", "me") == "me" for _hidden, args in runs)


def test_steps_leave_out_an_empty_batch():
    assert _k8s_objects.steps([], [], "present", "me") == []
    assert [hidden for hidden, _args in _k8s_objects.steps([NAMESPACE], [], "absent", "me")] == [False]


def test_hidden_result_shows_no_argument_diff_or_value():
    answer = {"changed": True, "failed": True, "msg": "apply of Secret/app/a failed: value pw-secret refused",
              "warnings": ["tok-secret was not dry-run"], "invocation": {"module_args": {"definitions": [WITH_DATA]}},
              "diff": [{"before": {}, "after": WITH_STRING_DATA}], "module_stdout": "pw-secret",
              "results": [{"kind": "Secret", "namespace": "app", "name": "a", "action": "update", "extra": "x"}]}
    shown = _k8s_objects.hidden_result(answer, {"pw-secret", "tok-secret"})
    assert set(shown) == {"changed", "failed", "msg", "warnings", "results"}
    assert "pw-secret" not in str(shown) and "tok-secret" not in str(shown)
    assert shown["results"] == [{"kind": "Secret", "namespace": "app", "name": "a", "action": "update"}]


def test_hidden_result_takes_the_text_of_a_warning_object():
    class Event:  # (ansible-core 2.19's WarningSummary carries its text in event.msg)
        msg = "check mode: Secret/app/a with pw-secret was not dry-run"

    class Summary:
        event = Event()

    shown = _k8s_objects.hidden_result({"warnings": [Summary()], "requests": 4}, {"pw-secret"})
    assert shown["warnings"] == ["check mode: Secret/app/a with ******** was not dry-run"]
    assert shown["requests"] == 4


def test_merge_adds_up_the_runs():
    result = {"changed": False, "results": [], "requests": 0}
    _k8s_objects.merge(result, {"changed": False, "results": [1], "requests": 3, "diff": [{"before": 1}],
                                "invocation": {"module_args": {}}})
    _k8s_objects.merge(result, {"changed": True, "results": [2], "warnings": ["w"]})
    assert result == {"changed": True, "results": [1, 2], "requests": 3, "diff": [{"before": 1}],
                      "invocation": {"module_args": {}}, "warnings": ["w"]}
    _k8s_objects.merge(result, {"failed": True, "msg": "boom"})
    assert result["failed"] and result["msg"] == "boom"
