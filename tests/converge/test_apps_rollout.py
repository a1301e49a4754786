"""The apps role in apply mode against the emulator: the test plays the Deployment controller and the kubelet
(tests/support/deployment_controller.py), so the role's wait sees rollouts succeed, and one fail and get rolled back
with the pod's reason."""

from __future__ import annotations

import re

import pytest

from tests.support.deployment_controller import DeploymentController
from tests.support.playbook import run_playbook

NS = "todo-app"
SERVICES = ["audit-worker", "notification-worker", "recurring-worker", "todo-backend", "todo-frontend",
            "websocket-worker"]


def converge(env, **extra_vars):
    return run_playbook("inventories/local", "--tags", "apps", extra_vars=dict(
        {"apps_wait": True, "apps_rollout_interval": 1}, **extra_vars), env=env, emulator=True)


def image(server, name):
    return server.get("apps/v1", "Deployment", name, NS)["spec"]["template"]["spec"]["containers"][0]["image"]


def backend_tag_fails(reason, message):
    def failure(deployment):
        if deployment["metadata"]["name"] == "todo-backend" and \
                deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":2.0.0"):
            return {"reason": reason, "message": message} if reason else {"not_ready": message}
        return None
    return failure


@pytest.fixture()
def rolled_out(converged):
    """The converged stack with the controller running and every Deployment of 0.1.0 rolled out."""
    server, env = converged
    with DeploymentController(server, NS, backend_tag_fails("ErrImagePull", "manifest unknown")) as controller:
        run = converge(env)
        assert run.rc == 0, run.output
        assert run.recap["changed"] == 0, run.output
        yield server, env, controller
    assert controller.errors == []


def test_a_tag_that_cannot_be_pulled_is_rolled_back_with_the_pods_reason_and_a_good_one_rolls_out(rolled_out):
    server, env, _controller = rolled_out
    run = converge(env, apps_image_tag="2.0.0", apps_rollout_timeout=8)
    assert run.rc != 0
    output = " ".join(run.output.split())
    # While it waits, the task says which Deployments are not rolled out yet, in kubectl's words.
    assert re.search(r"waiting \(\d+s\): \d of \d rolled out; [^|]*todo-backend: ", output), output
    assert "todo-backend: not rolled out after 8s (1 old replicas pending termination)" in output
    assert "container app: ErrImagePull - manifest unknown" in output
    assert ("rolled back to revision 1 (fra.ocir.io/mytenancynamespace/todo-backend:0.1.0): successfully rolled out"
            in output), output
    assert image(server, "todo-backend") == "fra.ocir.io/mytenancynamespace/todo-backend:0.1.0"
    assert image(server, "todo-frontend") == "fra.ocir.io/mytenancynamespace/todo-frontend:2.0.0", "others stay"
    deployment = server.get("apps/v1", "Deployment", "todo-backend", NS)
    assert deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    # The next deploy with a good tag rolls out everywhere (the rollback is not sticky).
    run = converge(env, apps_image_tag="2.0.1")
    assert run.rc == 0, run.output
    assert {image(server, name) for name in SERVICES} == {
        "fra.ocir.io/mytenancynamespace/%s:2.0.1" % repo for repo in ("todo-frontend", "todo-backend", "todo-worker")}
    revisions = {name: server.get("apps/v1", "Deployment", name, NS)["metadata"]["annotations"]
                 ["deployment.kubernetes.io/revision"] for name in SERVICES}
    assert revisions == dict({name: "3" for name in SERVICES}, **{"todo-backend": "4"})


def test_pods_the_namespaces_pod_security_level_refuses_fail_the_rollout_with_the_admissions_message(rolled_out):
    """apps_run_as_user 0: the controller's pods are refused by the emulator's Pod Security admission as a cluster's
    would be (runAsUser=0 under restricted); the wait names the refusal from the ReplicaSet and rolls back."""
    server, env, _controller = rolled_out
    run = converge(env, apps_run_as_user=0, apps_rollout_timeout=6)
    assert run.rc != 0
    output = " ".join(run.output.split())
    assert ('FailedCreate - pods "todo-backend-' in output and 'is forbidden: violates PodSecurity '
            '"restricted:v1.34": runAsUser=0 (pod must not set runAsUser=0)') in output, output[-3000:]
    assert "rolled back to revision 1" in output
    template = server.get("apps/v1", "Deployment", "todo-backend", NS)["spec"]["template"]["spec"]
    assert template["securityContext"]["runAsUser"] == 10001
    assert [e for e in server.objects("Event", NS) if e["reason"] == "FailedCreate"]
