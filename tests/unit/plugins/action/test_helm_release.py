"""helm_release's action plugin: kubernetes.core.helm runs with the task's helm arguments as they are, and while it
waits a line shows the release, its namespace's pods (read with the release's kubeconfig) and the time waited."""

from __future__ import annotations

import re
import threading
from types import SimpleNamespace

import pytest

from ansible_collections.eventstack.oke.plugins.action import helm_release
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client

from .._fake_kube import FakeClient
from ._fake_task import make_action

HELM = {"name": "strimzi", "release_namespace": "kafka", "chart_ref": "strimzi-kafka-operator",
        "chart_version": "0.48.0", "wait": True, "wait_timeout": "10m", "atomic": True, "kubeconfig": "/kube/config"}
PODS = {"v1": {"resources": [{"name": "pods", "kind": "Pod", "namespaced": True}]}}


def action(helm, until=None, check_mode=False, transport="local", progress_interval=1):
    """The plugin for a task with helm and progress_interval; its module answers changed once `until` (an Event) is
    set, or at once."""
    def answer(_module_name, _module_args):
        if until is not None:
            assert until.wait(30), "no progress line in 30 s"
        return {"changed": True, "status": {"status": "deployed"}}
    return make_action(helm_release.ActionModule, {"helm": helm, "progress_interval": progress_interval}, answer,
                       transport=transport, check_mode=check_mode)


@pytest.fixture(name="pods")
def fixture_pods(monkeypatch):
    """The cluster the action reads: one operator pod pulling its image in kafka; records the kubeconfig asked."""
    client = FakeClient(discovery=PODS, objects={"/api/v1/namespaces/kafka/pods/strimzi-operator-1": {
        "metadata": {"name": "strimzi-operator-1"},
        "status": {"phase": "Pending", "containerStatuses": [
            {"name": "operator", "ready": False, "state": {"waiting": {"reason": "ErrImagePull"}}}]}}})
    client.opened = []

    def open_client(kubeconfig=None, context=None):
        client.opened.append((kubeconfig, context))
        return client, None
    monkeypatch.setattr(_k8s_client, "open_client", open_client)
    return client


def test_while_helm_waits_a_line_shows_the_release_its_pods_and_the_time(monkeypatch, pods):
    shown, second = [], threading.Event()

    def show(line):
        shown.append(line)
        if len(shown) == 2:
            second.set()
    monkeypatch.setattr(helm_release.display, "display", show)
    plugin = action(HELM, until=second)  # Helm ends once two lines were shown: at once, and a second later
    result = plugin.run(task_vars={})
    assert plugin.calls == [("kubernetes.core.helm", HELM)]
    assert result["changed"] and result["status"] == {"status": "deployed"} and result["elapsed"] >= 1
    assert pods.opened == [("/kube/config", None)]
    line = (r"release strimzi \(strimzi-kafka-operator 0\.48\.0\) in kafka: pods ready 0/1; "
            r"pod strimzi-operator-1 container operator: ErrImagePull")
    assert len(shown) == 3, shown
    assert re.fullmatch(r"  waiting \(0s\): " + line, shown[0]), shown
    assert re.fullmatch(r"  waiting \([1-9]\d*s\): " + line, shown[1]), shown  # the same state, a second on
    assert re.fullmatch(r"  done \(\d+s\): " + line, shown[2]), shown


@pytest.mark.parametrize("helm, check_mode, transport", [
    (dict(HELM, wait=False), False, "local"),   # nothing to wait for
    (HELM, True, "local"),                      # a dry run
    (HELM, False, "ssh"),                       # the pods cannot be read from here
])
def test_no_line_and_no_reading_when_helm_does_not_wait_here(monkeypatch, pods, helm, check_mode, transport):
    shown = []
    monkeypatch.setattr(helm_release.display, "display", shown.append)
    plugin = action(helm, check_mode=check_mode, transport=transport)
    result = plugin.run(task_vars={})
    assert plugin.calls == [("kubernetes.core.helm", helm)]
    # The pods are never read: no reporter was started (it opens its client first).
    assert shown == [] and pods.opened == [] and "elapsed" not in result


def test_pods_that_cannot_be_read_say_why_and_the_wait_goes_on(monkeypatch):
    monkeypatch.setattr(_k8s_client, "open_client", lambda kubeconfig=None, context=None: (None, "no kubeconfig"))
    shown = []
    ended = iter([False, False, True])  # Helm still waits at the first two looks, has ended by the third
    stop = SimpleNamespace(is_set=lambda: next(ended), wait=lambda interval: False)
    helm_release.report(HELM, helm_release.namespace_pods(HELM), stop, 30, shown.append)
    assert shown == ["  waiting (0s): release strimzi (strimzi-kafka-operator 0.48.0) in kafka: no kubeconfig",
                     "  done (0s): release strimzi (strimzi-kafka-operator 0.48.0) in kafka: no kubeconfig"]
