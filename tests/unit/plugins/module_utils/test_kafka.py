from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _kafka

DUAL = {"name": "dual-role", "replicas": 1, "roles": ["controller", "broker"], "storage": {"type": "ephemeral"}}
SERVICES = [{"name": "backend", "publishes": ["task-events", "reminders"]},
            {"name": "audit", "subscriptions": [
                {"topic": "task-events", "route": "/t", "dead_letter_topic": "task-events-dlq"},
                {"topic": "reminders", "route": "/r", "dead_letter_topic": "reminders-dlq"}]}]
TOPICS = {"services": SERVICES, "topic_settings": {"reminders": {"partitions": 1}},
          "topic_defaults": {"partitions": 3}, "dead_letter_topic_defaults": {"partitions": 1}}
DEV = dict(TOPICS, node_pools=[DUAL], replication_factor=1, min_insync_replicas=1, oci=True)
PROD = {"node_pools": [{"name": "controllers", "replicas": 3, "roles": ["controller"],
                        "storage": {"type": "persistent-claim", "size": "50Gi", "class": "oci-bv"}},
                       {"name": "brokers", "replicas": 3, "roles": ["broker"],
                        "storage": {"type": "persistent-claim", "size": "100Gi", "class": "oci-bv"}}],
        "replication_factor": 3, "min_insync_replicas": 2, "oci": True, **TOPICS}


def test_dev_and_prod_shapes_are_consistent():
    assert _kafka.kafka_problems(DEV) == []
    assert _kafka.kafka_problems(PROD) == []
    assert _kafka.brokers(PROD["node_pools"]) == 3


@pytest.mark.parametrize("changes, expected", [
    ({"replication_factor": 3}, "strimzi_kafka_replication_factor (3) must be between strimzi_kafka_min_insync_replicas"
                                " (1) and the number of brokers (1)"),
    ({"min_insync_replicas": 0}, "strimzi_kafka_min_insync_replicas: 0 must be at least 1"),
    ({"node_pools": [dict(DUAL, roles=["broker"])]}, "KRaft needs a pool with the controller role"),
    ({"node_pools": [dict(DUAL, roles=["controller"])]}, "strimzi_kafka_node_pools has no broker"),
    ({"node_pools": [dict(DUAL, storage={"type": "persistent-claim", "size": "20Gi", "class": "oci-bv"})]},
     "strimzi_kafka_node_pools[0].storage.size: 20Gi is below the 50Gi OCI block volume minimum"),
    ({"node_pools": [dict(DUAL, storage={"type": "persistent-claim", "size": "50GB", "class": "oci-bv"})]},
     "storage.size: '50GB' is not a quantity"),
    ({"node_pools": [dict(DUAL, storage={"type": "persistent-claim", "size": "50Gi"})]},
     "strimzi_kafka_node_pools[0].storage.class is empty"),
    ({"node_pools": [DUAL, DUAL]}, "strimzi_kafka_node_pools[1].name: 'dual-role' is used twice"),
    ({"topics_set": True}, "strimzi_kafka_topics is set, but the topics are now built from the services"),
    ({"services": [{"name": "a", "publishes": ["Task_Events"]}], "topic_settings": {}},
     "eventstack_services[0].publishes[0]: 'Task_Events' is not a valid topic name"),
    ({"services": [dict(SERVICES[1], subscriptions=[{"topic": "t", "route": "/t", "dead_letter_topic": "t_dlq"}])],
      "topic_settings": {}},
     "eventstack_services[0].subscriptions[0].dead_letter_topic: 't_dlq' is not a valid topic name"),
    ({"topic_settings": {"reminder": {"partitions": 1}}},
     "strimzi_kafka_topic_settings['reminder']: no service publishes, subscribes to or dead-letters to a topic "
     "'reminder' (the topics are reminders, reminders-dlq, task-events, task-events-dlq): correct the name or remove "
     "the entry"),
    ({"topic_settings": {"reminders": {"partition": 1}}},
     "strimzi_kafka_topic_settings['reminders']: unknown key 'partition'; the keys are partitions, replicas, config"),
    ({"topic_settings": {"reminders": 1}}, "strimzi_kafka_topic_settings['reminders']: 1 must be a map of"),
    ({"topic_settings": {"reminders": {"partitions": 0}}},
     "strimzi_kafka_topic_settings['reminders'].partitions: 0 must be at least 1"),
    ({"topic_settings": {"reminders": {"replicas": 2}}},
     "strimzi_kafka_topic_settings['reminders'].replicas: 2 must be between strimzi_kafka_min_insync_replicas (1) and "
     "the number of brokers (1)"),
    ({"topic_settings": {"reminders": {"config": "retention.ms=1"}}},
     "strimzi_kafka_topic_settings['reminders'].config: 'retention.ms=1' must be a map of topic configuration"),
    ({"topic_defaults": {"replicas": 1}}, "strimzi_kafka_topic_defaults.partitions: None must be at least 1"),
    ({"dead_letter_topic_defaults": {"partitions": 1, "replicas": 3}},
     "strimzi_kafka_dead_letter_topic_defaults.replicas: 3 must be between"),
])
def test_each_problem_names_its_variable(changes, expected):
    problems = _kafka.kafka_problems(dict(DEV, **changes))
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_small_volumes_are_fine_off_oci():
    pool = dict(DUAL, storage={"type": "persistent-claim", "size": "1Gi", "class": "standard"})
    assert _kafka.kafka_problems(dict(DEV, node_pools=[pool], oci=False)) == []


def quota_settings(**change):
    settings = {"namespace": "kafka",
                "node_pools": [{"name": "dual-role", "replicas": 1, "roles": ["controller", "broker"],
                                "resources": {"requests": {"cpu": "250m", "memory": "1Gi"},
                                              "limits": {"memory": "1536Mi"}}}],
                "entity_operator_resources": {"requests": {"cpu": "25m", "memory": "192Mi"}},
                "exporter": True, "exporter_resources": {"requests": {"cpu": "25m", "memory": "32Mi"}},
                "operator_resources": {"requests": {"cpu": "100m", "memory": "256Mi"}},
                "limit_range": {"default_cpu": "1", "default_memory": "512Mi"},
                "quota": {"requests_cpu": "1", "limits_cpu": "8", "limits_memory": "6Gi"}}
    settings.update(change)
    return settings


def test_the_kafka_namespace_quota_holds_the_pods_with_limit_range_defaults():
    assert _kafka.quota_problems(quota_settings()) == []
    names = [c for c, _n, _r in _kafka.namespace_pods(quota_settings())]
    assert names == ["node pool dual-role", "entity operator", "kafka exporter", "strimzi operator"]
    # limits.cpu comes from the LimitRange default (1) for each of the 4 pods: broker, EO, exporter, operator
    (message,) = _kafka.quota_problems(quota_settings(quota={"limits_cpu": "3"}))
    assert message.startswith("k8s_base_namespaces (kafka).quota.limits_cpu is 3, but the Kafka pods need 4 (")
    assert "node pool dual-role x1" in message and "strimzi_kafka_node_pools" in message
    # requests: 250m + 25m + 25m + 100m = 400m
    assert _kafka.quota_problems(quota_settings(quota={"requests_cpu": "400m"})) == []
    assert "need 0.45" in _kafka.quota_problems(quota_settings(quota={"requests_cpu": "400m"}, exporter_resources={
        "requests": {"cpu": "75m", "memory": "32Mi"}}))[0]
    assert _kafka.quota_problems(quota_settings(quota={})) == []


def test_the_metadata_version_may_not_run_ahead_of_the_kafka_version():
    assert _kafka.version_problems("4.3.1", "") == []
    assert _kafka.version_problems("4.3.1", "4.3-IV0") == [] and _kafka.version_problems("4.3.1", "4.2-IV1") == []
    (ahead,) = _kafka.version_problems("4.2.1", "4.3-IV0")
    assert ahead.startswith("strimzi_kafka_metadata_version 4.3-IV0 is newer than strimzi_kafka_version 4.2.1: "
                            "upgrade the Kafka version first")
    (typo,) = _kafka.version_problems("4.3.1", "4.3")
    assert typo == "strimzi_kafka_metadata_version: '4.3' is not a KRaft metadata version (like 4.3-IV0)"
    assert ahead in _kafka.kafka_problems(dict(DEV, version="4.2.1", metadata_version="4.3-IV0"))


def test_topics_are_what_the_services_publish_and_subscribe_to_then_their_dead_letter_topics():
    topics = _kafka.kafka_topics(SERVICES, {"reminders": {"partitions": 1}, "task-events-dlq": {"replicas": 1}},
                                 {"partitions": 3, "config": {"retention.ms": 7}},
                                 {"partitions": 1, "config": {"retention.ms": 14}})
    assert topics == [
        {"name": "task-events", "partitions": 3, "config": {"retention.ms": 7}, "dead_letter": False},
        {"name": "reminders", "partitions": 1, "config": {"retention.ms": 7}, "dead_letter": False},
        {"name": "task-events-dlq", "partitions": 1, "replicas": 1, "config": {"retention.ms": 14},
         "dead_letter": True},
        {"name": "reminders-dlq", "partitions": 1, "config": {"retention.ms": 14}, "dead_letter": True}]


def test_a_topic_config_is_merged_over_its_default_and_a_topic_without_config_has_none():
    services = [{"name": "a", "publishes": ["orders", "audit"]}]
    topics = _kafka.kafka_topics(services, {"orders": {"config": {"cleanup.policy": "compact"}}},
                                 {"partitions": 2, "config": {"retention.ms": 7}})
    assert topics[0]["config"] == {"retention.ms": 7, "cleanup.policy": "compact"}
    assert "config" not in _kafka.kafka_topics(services, {}, {"partitions": 2})[1]


def test_a_subscribed_dead_letter_topic_is_still_a_dead_letter_topic_and_listed_once():
    services = [{"name": "a", "publishes": ["orders"]},
                {"name": "b", "subscriptions": [{"topic": "orders", "route": "/o", "dead_letter_topic": "orders-dlq"}]},
                {"name": "c", "subscriptions": [{"topic": "orders-dlq", "route": "/d"}]},
                {"name": "d", "subscriptions": [{"topic": "orders", "route": "/o", "dead_letter_topic": "orders-dlq"}]}]
    topics = _kafka.kafka_topics(services, {}, {"partitions": 3}, {"partitions": 1})
    assert [(t["name"], t["partitions"], t["dead_letter"]) for t in topics] == [
        ("orders", 3, False), ("orders-dlq", 1, True)]


def test_topics_come_out_in_the_same_order_every_time():
    assert _kafka.kafka_topics(SERVICES, {}, {"partitions": 3}) == _kafka.kafka_topics(
        [dict(s) for s in SERVICES], {}, {"partitions": 3})
    assert [t["name"] for t in _kafka.kafka_topics(list(reversed(SERVICES)), {}, {"partitions": 3})] == [
        "task-events", "reminders", "task-events-dlq", "reminders-dlq"]


def test_bad_entries_are_left_to_the_problems_not_raised():
    services = [None, {"name": "a", "publishes": [None, "ok"], "subscriptions": ["x", {"route": "/r"}]}]
    assert [t["name"] for t in _kafka.kafka_topics(services, {"ok": "three"}, None, None)] == ["ok"]
