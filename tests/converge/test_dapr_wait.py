"""The dapr role's wait for its control plane, against the emulator: the test plays Helm and the Deployment
controller, creating the control-plane Deployments and setting their Available condition."""

from __future__ import annotations

import re

import pytest

from tests.support.playbook import run_playbook

DEPLOYMENTS = "/apis/apps/v1/namespaces/dapr-system/deployments"


def deployment(name):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "dapr-system"},
            "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {
                "containers": [{"name": name, "image": "ghcr.io/dapr/%s:1.18.3" % name}]}}}}


@pytest.fixture()
def emulator(converged):
    server, _env = converged
    for name in ("dapr-operator", "dapr-sentry", "dapr-sidecar-injector"):
        assert server.call("POST", DEPLOYMENTS, deployment(name), "application/json") == 201
    return converged


def available(server, name, status, message=""):
    condition = {"type": "Available", "status": status, "reason": "MinimumReplicasAvailable" if status == "True"
                 else "MinimumReplicasUnavailable", "message": message,
                 "lastTransitionTime": "2026-11-23T10:00:00Z", "lastUpdateTime": "2026-11-23T10:00:00Z"}
    assert server.call("PATCH", "%s/%s/status" % (DEPLOYMENTS, name), {"status": {"conditions": [condition]}}) == 200


def converge(env):
    return run_playbook("inventories/local", "--tags", "dapr", extra_vars={"dapr_wait": True, "dapr_wait_timeout": 10},
                        env=env, emulator=True)


def test_available_control_plane_passes(emulator):
    server, env = emulator
    for name in ("dapr-operator", "dapr-sentry", "dapr-sidecar-injector"):
        available(server, name, "True")
    run = converge(env)
    assert run.rc == 0, run.output


def test_unavailable_component_is_named(emulator):
    server, env = emulator
    available(server, "dapr-operator", "True")
    available(server, "dapr-sentry", "False", "Deployment does not have minimum availability.")
    run = converge(env)
    assert run.rc != 0
    output = " ".join(run.output.split())
    # While it waits, the task says what is pending; when the time is up it fails naming each component's reason.
    assert re.search(r"waiting \(\d+s\): 0 of 1 ready; pending: Dapr control plane Available \(1 of 3 Available: "
                     r"dapr-sentry", output), output
    assert "not ready after 10s (dapr_wait_timeout): Dapr control plane Available (1 of 3 Available" in output
    assert ("dapr-sentry Available=False reason: MinimumReplicasUnavailable message: Deployment does not have minimum "
            "availability." in output)
    assert "dapr-sidecar-injector no Available condition yet" in output
    assert "dapr-operator Available" not in output


def test_a_missing_component_is_named(emulator):
    server, env = emulator
    assert server.call("DELETE", DEPLOYMENTS + "/dapr-sentry", {}, "application/json") == 200
    for name in ("dapr-operator", "dapr-sidecar-injector"):
        available(server, name, "True")
    run = converge(env)
    assert run.rc != 0
    assert "(2 of 3 found: not found: dapr-sentry)" in " ".join(run.output.split())
