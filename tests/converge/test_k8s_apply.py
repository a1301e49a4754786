"""eventstack.oke.k8s_apply through the real kubernetes client against the API emulator."""

from __future__ import annotations

import yaml

from tests.support.playbook import run_playbook
from tests.support.reference import crd_file

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def playbook(tmp_path, definitions, name="play.yml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump([{
        "name": "Apply", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": [{"name": "Apply the batch", "eventstack.oke.k8s_apply": {"definitions": definitions}}],
    }]))
    return str(path)


def test_crd_and_its_custom_resource_in_one_batch(empty_cluster, tmp_path):
    server, env = empty_cluster
    with open(crd_file("strimzi/043-Crd-kafkatopic.yaml"), encoding="utf-8") as handle:
        crd = yaml.safe_load(handle)
    topic = {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaTopic",
             "metadata": {"name": "task-events", "namespace": "kafka", "labels": {"strimzi.io/cluster": "events"}},
             "spec": {"partitions": 3, "replicas": 1, "config": {"retention.ms": 604800000}}}
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kafka"}}
    path = playbook(tmp_path, [topic, namespace, crd])
    first = run_playbook("localhost,", env=env, playbook=path)
    assert first.rc == 0, first.output
    assert first.recap["changed"] == 1
    assert server.get("kafka.strimzi.io/v1", "KafkaTopic", "task-events", "kafka")["spec"]["partitions"] == 3
    server.reset_requests()
    second = run_playbook("localhost,", env=env, playbook=path)
    assert second.rc == 0 and second.recap["changed"] == 0, second.output
    assert [r for r in server.requests if r["method"] in WRITES] == []


def test_unknown_kind_fails_before_any_write(empty_cluster, tmp_path):
    server, env = empty_cluster
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"}}
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}}
    run = run_playbook("localhost,", env=env, playbook=playbook(tmp_path, [namespace, widget]))
    assert run.rc != 0
    assert "the cluster serves no kind Widget in example.com/v1" in run.output
    assert [r for r in server.requests if r["method"] in WRITES] == []


def test_a_changed_field_is_applied_and_reported(empty_cluster, tmp_path):
    server, env = empty_cluster
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"},
              "data": {"level": "info"}}
    assert run_playbook("localhost,", env=env, playbook=playbook(tmp_path, [config])).rc == 0
    config["data"]["level"] = "debug"
    run = run_playbook("localhost,", "--diff", env=env, playbook=playbook(tmp_path, [config], "second.yml"))
    assert run.rc == 0 and run.recap["changed"] == 1, run.output
    assert server.get("v1", "ConfigMap", "c", "default")["data"] == {"level": "debug"}
    assert "--- before: ConfigMap/default/c" in run.output
    assert "-        level: info" in run.output and "+        level: debug" in run.output
