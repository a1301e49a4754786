"""eventstack.oke.capacity_budget with from_cluster, through the real kubernetes client against the API emulator."""

from __future__ import annotations

import json

import pytest
import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

from tests.support.kube_emulator import KubeEmulator
from tests.support.playbook import run_playbook


def playbook(tmp_path, **args):
    path = tmp_path / "play.yml"
    path.write_text(yaml.safe_dump([{
        "name": "Capacity", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": [{"name": "Assess", "eventstack.oke.capacity_budget": dict({"from_cluster": True}, **args),
                   "register": "capacity"},
                  {"name": "Keep the result", "ansible.builtin.copy": {
                      "content": "{{ capacity | to_json }}", "dest": str(tmp_path / "result.json"), "mode": "0600"}}],
    }]))
    return str(path)


def pod(name, namespace, cpu, memory, node="a1", daemon=False):
    meta = {"name": name, "namespace": namespace}
    if daemon:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "fluent-bit", "uid": "1"}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"nodeName": node, "containers": [
                {"name": "c", "image": "x", "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}}


@pytest.fixture(name="cluster")
def fixture_cluster(tmp_path):
    with KubeEmulator(server_version="1.34") as server:
        kubeconfig = server.write_kubeconfig(str(tmp_path / "kubeconfig"))
        api = k8s_client.CoreV1Api(k8s_config.new_client_from_config(config_file=kubeconfig))
        # As a kubelet does: register the node, then report its capacity through the status subresource.
        api.create_node({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "a1"}})
        api.patch_node_status("a1", {"status": {"allocatable": {"cpu": "1930m", "memory": "6519972Ki",
                                                                "pods": "110"}}})
        for name in ("todo-app", "monitoring"):
            api.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        api.create_namespaced_resource_quota("todo-app", {
            "apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "compute", "namespace": "todo-app"},
            "spec": {"hard": {"requests.cpu": "1", "requests.memory": "2Gi", "pods": "3"}}})
        for item in (pod("todo-backend-1", "todo-app", "300m", "512Mi"),
                     pod("todo-frontend-1", "todo-app", "150m", "256Mi"),
                     pod("fluent-bit-x", "monitoring", "20m", "48Mi", daemon=True)):
            api.create_namespaced_pod(item["metadata"]["namespace"], item)
        yield server, api, {"K8S_AUTH_KUBECONFIG": kubeconfig}


def result_of(tmp_path):
    return json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))


def test_the_running_pods_fit_the_node_and_the_quota(cluster, tmp_path):
    server, _api, env = cluster
    server.reset_requests()
    run = run_playbook("localhost,", env=env, playbook=playbook(tmp_path))
    assert run.rc == 0, run.output
    result = result_of(tmp_path)
    assert result["pods"] == 3 and result["problems"] == []
    assert result["requests"]["requests"]["cpu"] == "0.47"
    assert result["allocatable"] == {"cpu": "1.93", "memory": str(6519972 * 1024)}
    assert result["namespaces"]["todo-app"]["headroom"] == {"requests_cpu": "0.55",
                                                            "requests_memory": str(2 * 2 ** 30 - 768 * 2 ** 20),
                                                            "pods": "1"}
    assert result["requests_made"] == 3
    assert [r["method"] for r in server.requests] == ["GET"] * len(server.requests)


def test_a_quota_the_pods_exceed_fails_with_the_reason(cluster, tmp_path):
    _server, api, env = cluster
    for index in range(2):
        api.create_namespaced_pod("todo-app", pod("worker-%d" % index, "todo-app", "300m", "256Mi"))
    run = run_playbook("localhost,", env=env, playbook=playbook(tmp_path))
    assert run.rc != 0
    assert "namespace todo-app: pods 4 exceeds its quota of 3" in run.output
    assert "namespace todo-app: requests_cpu 1.05 exceeds its quota of 1" in run.output
