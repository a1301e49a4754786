"""The strimzi_kafka role as rendered for each inventory: cross-references one object cannot show."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _netpol, _pod_model
from tests.support.playbook import inventory_vars


@pytest.fixture(scope="module", params=["local", "dev", "prod"])
def rendered(request, site_render):
    _build, _run, by_file, releases = site_render(request.param)
    return request.param, by_file["strimzi_kafka.yaml"], releases["strimzi-kafka-operator"]


def of_kind(objects, kind):
    return [obj for obj in objects if obj["kind"] == kind]


def test_one_kraft_kafka_with_plain_and_tls_listeners(rendered):
    env_name, objects, _release = rendered
    (kafka,) = of_kind(objects, "Kafka")
    assert kafka["apiVersion"] == "kafka.strimzi.io/v1"
    assert kafka["metadata"]["name"] == inventory_vars(env_name)["strimzi_kafka_cluster_name"]
    listeners = {(l["name"], l["port"], l["tls"]) for l in kafka["spec"]["kafka"]["listeners"]}
    assert listeners == {("plain", 9092, False), ("tls", 9093, True)}
    assert "zookeeper" not in kafka["spec"]
    assert not {"strimzi.io/kraft", "strimzi.io/node-pools"} & set(kafka["metadata"].get("annotations") or {})
    assert "kafkaExporter" in kafka["spec"]
    # Prod pins the metadata version; the others leave it to the operator.
    assert kafka["spec"]["kafka"].get("metadataVersion") == inventory_vars(env_name).get(
        "strimzi_kafka_metadata_version")


def test_node_pools_and_topics_belong_to_the_kafka(rendered):
    _env_name, objects, _release = rendered
    name = of_kind(objects, "Kafka")[0]["metadata"]["name"]
    for obj in of_kind(objects, "KafkaNodePool") + of_kind(objects, "KafkaTopic"):
        assert obj["metadata"]["labels"]["strimzi.io/cluster"] == name, obj["metadata"]["name"]
        assert obj["metadata"]["namespace"] == of_kind(objects, "Kafka")[0]["metadata"]["namespace"]


def test_brokers_cover_replication_and_min_isr(rendered):
    env_name, objects, _release = rendered
    config = of_kind(objects, "Kafka")[0]["spec"]["kafka"]["config"]
    brokers = sum(p["spec"]["replicas"] for p in of_kind(objects, "KafkaNodePool") if "broker" in p["spec"]["roles"])
    rf, min_isr = config["default.replication.factor"], config["min.insync.replicas"]
    assert brokers >= rf >= min_isr >= 1
    for topic in of_kind(objects, "KafkaTopic"):
        assert min_isr <= topic["spec"]["replicas"] <= brokers, topic["metadata"]["name"]
    if env_name == "prod":
        assert (brokers, rf, min_isr) == (3, 3, 2)
        assert of_kind(objects, "Kafka")[0]["spec"]["kafka"]["rack"] == {"topologyKey": "topology.kubernetes.io/zone"}
        volume = of_kind(objects, "KafkaNodePool")[0]["spec"]["storage"]["volumes"][0]
        assert volume["class"] == "eventstack-bv" and volume["kraftMetadata"] == "shared"
    else:
        assert (brokers, rf, min_isr) == (1, 1, 1)


def test_seed_topics_and_their_dead_letter_topics(rendered):
    _env_name, objects, _release = rendered
    topics = {t["metadata"]["name"]: t["spec"] for t in of_kind(objects, "KafkaTopic")}
    assert topics["task-events"]["partitions"] == 3
    assert topics["task-events"]["config"]["retention.ms"] == 7 * 24 * 3600 * 1000
    assert topics["reminders"]["partitions"] == 1, "one partition keeps reminders ordered"
    assert topics["task-updates"]["partitions"] == 3
    assert {"task-events-dlq", "reminders-dlq", "task-updates-dlq"} <= set(topics)


def test_operator_watches_its_namespace_only(rendered):
    env_name, _objects, release = rendered
    assert release["namespace"] == inventory_vars(env_name)["eventstack_namespaces"]["kafka"]
    assert release["chart"] == "strimzi-kafka-operator" and release["version"] == "1.2.0"
    assert release["repo"] == "oci://quay.io/strimzi-helm"
    assert release["values"]["watchNamespaces"] == [] and release["values"]["watchAnyNamespace"] is False


def test_operator_crds_are_applied_before_the_chart(rendered):
    _env_name, _objects, release = rendered
    assert release["crds_first"] is True


def test_rack_aware_brokers_are_spread_over_the_racks_zones(rendered):
    """Strimzi 0.49 on adds no affinity for rack awareness (components.md 2.5): with a rack, every broker pool spreads
    its pods over the rack's topology key (hard: at most one more broker in any zone), and its selector picks exactly
    that pool's pods as Strimzi labels them; without a rack, nothing is added."""
    env_name, objects, _release = rendered
    (kafka,) = of_kind(objects, "Kafka")
    rack = kafka["spec"]["kafka"].get("rack")
    assert bool(rack) is bool(inventory_vars(env_name).get("strimzi_kafka_rack_awareness"))
    pools = of_kind(objects, "KafkaNodePool")
    groups = {g["name"]: g for g in _pod_model.strimzi_pods(kafka, pools, "restricted")}
    for pool in pools:
        spread = (((pool["spec"].get("template") or {}).get("pod") or {}).get("topologySpreadConstraints")) or []
        if not rack or "broker" not in pool["spec"]["roles"]:
            assert not spread, pool["metadata"]["name"]
            continue
        by_key = {c["topologyKey"]: c for c in spread}
        zone = by_key[rack["topologyKey"]]
        assert (zone["maxSkew"], zone["whenUnsatisfiable"]) == (1, "DoNotSchedule")
        for name, group in groups.items():
            if not name.startswith("%s-" % kafka["metadata"]["name"]) or "pool-name" not in str(group["metadata"]):
                continue
            mine = group["metadata"]["labels"].get("strimzi.io/pool-name") == pool["metadata"]["name"]
            assert _netpol.selector_matches(zone["labelSelector"], group["metadata"]["labels"]) is mine, name
        assert by_key["kubernetes.io/hostname"]["whenUnsatisfiable"] == "ScheduleAnyway"
