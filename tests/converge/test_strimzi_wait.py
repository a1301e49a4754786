"""The strimzi_kafka role's wait for Ready, against the emulator: the test plays the Strimzi operator, setting
status conditions on the Kafka and the KafkaTopics the way the cluster and topic operators do."""

from __future__ import annotations

from tests.support.playbook import run_playbook

BASE = "/apis/kafka.strimzi.io/v1/namespaces/kafka"
TOPICS = ["task-events", "reminders", "task-updates", "task-events-dlq", "reminders-dlq", "task-updates-dlq"]


def set_status(server, plural, name, condition):
    body = {"status": {"conditions": [dict({"lastTransitionTime": "2026-11-23T10:00:00Z"}, **condition)],
                       "observedGeneration": 1}}
    assert server.call("PATCH", "%s/%s/%s/status" % (BASE, plural, name), body) == 200


def converge(env):
    return run_playbook("inventories/local", "--tags", "strimzi_kafka",
                        extra_vars={"strimzi_kafka_wait": True, "strimzi_kafka_wait_timeout": 10},
                        env=env, emulator=True)


def test_ready_kafka_and_topics_pass(converged):
    server, env = converged
    set_status(server, "kafkas", "todo-kafka", {"type": "Ready", "status": "True"})
    for topic in TOPICS:
        set_status(server, "kafkatopics", topic, {"type": "Ready", "status": "True"})
    run = converge(env)
    assert run.rc == 0, run.output


def test_a_failing_condition_surfaces_its_message(converged):
    server, env = converged
    set_status(server, "kafkas", "todo-kafka", {"type": "NotReady", "status": "True"})
    set_status(server, "kafkas", "todo-kafka", {"type": "Ready", "status": "False", "reason": "InvalidResourceException",
                                                "message": "Kafka 3.6.0 is not supported by this operator"})
    for topic in TOPICS[:-1]:
        set_status(server, "kafkatopics", topic, {"type": "Ready", "status": "True"})
    run = converge(env)
    assert run.rc != 0
    output = " ".join(run.output.split())
    assert "not ready after 10s (strimzi_kafka_wait_timeout)" in output
    assert ("Kafka todo-kafka Ready (0 found" not in output and "todo-kafka Ready=False reason: "
            "InvalidResourceException message: Kafka 3.6.0 is not supported by this operator" in output)
    assert "Kafka topics Ready (5 of 6 Ready: task-updates-dlq no Ready condition yet)" in output
    assert "task-events Ready=" not in output
