"""The k8s_checkpoint module: its verdict, its failure message and a kubeconfig it cannot use (the judging is tested
in module_utils)."""

from __future__ import annotations

import functools

import pytest

from ansible_collections.eventstack.oke.plugins.modules import k8s_checkpoint

from ..module_utils.test_checkpoint import LISTS, FakeClient

AVAILABLE = {"kind": "Deployment", "namespace": "todo-app", "condition": {"type": "Available"}}
KAFKA = {"kind": "Kafka", "api_version": "kafka.strimzi.io/v1", "namespace": "kafka", "name": "todo-kafka",
         "condition": {"type": "Ready"}}


@pytest.fixture()
def run(run_module):
    """run(args, client=None): k8s_checkpoint, on the fake cluster client when given (run_module:
    tests/unit/conftest.py)."""
    return functools.partial(run_module, k8s_checkpoint)


def test_passing_expectations_exit_unchanged_with_the_request_count(run):
    code, result = run({"expectations": [KAFKA]}, FakeClient(LISTS))
    assert code == 0 and result["changed"] is False and result["passed"] is True
    assert result["requests"] == 2 and result["results"][0]["observed"] == "1 of 1 Ready"


def test_a_failing_required_expectation_fails_with_its_reason_unless_told_not_to(run):
    code, result = run({"expectations": [KAFKA, AVAILABLE]}, FakeClient(LISTS))
    assert code == 1 and result["passed"] is False
    assert result["msg"].startswith("1 of 2 checkpoints failed: every Deployment in todo-app: Available=True "
                                    "(1 of 2 Available: todo-backend Available=False")
    assert "CrashLoopBackOff" in result["msg"]
    code, result = run({"expectations": [AVAILABLE], "fail_on_failure": False},
                       FakeClient(LISTS))
    assert code == 0 and result["passed"] is False


def test_an_unusable_kubeconfig_is_named(run, tmp_path):
    missing = str(tmp_path / "nope")
    code, result = run({"expectations": [KAFKA], "kubeconfig": missing})
    assert code == 1 and result["msg"].startswith("cannot use the kubeconfig %s (context current): " % missing)
