"""The dapr role as rendered for each inventory, cross-checked with what the other roles render."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.playbook import inventory_vars, render
from tests.support.reference import shared_file


@pytest.fixture(scope="module", params=["local", "dev", "prod"])
def rendered(request, site_render):
    _build, _run, by_file, releases = site_render(request.param)
    return request.param, by_file, releases["dapr"]


def kinds(objects, kind):
    return [obj for obj in objects if obj["kind"] == kind]


def component(objects, component_type):
    (found,) = [c for c in kinds(objects, "Component") if c["spec"]["type"] == component_type]
    return found, {m["name"]: m for m in found["spec"]["metadata"]}


def pubsubs(objects):
    """{name: (component, metadata by name)} of the pub/sub components."""
    return {c["metadata"]["name"]: (c, {m["name"]: m for m in c["spec"]["metadata"]})
            for c in kinds(objects, "Component") if c["spec"]["type"] == "pubsub.kafka"}


def test_pubsub_brokers_are_the_strimzi_bootstrap_of_the_kafka(rendered):
    _env, by_file, _release = rendered
    (kafka,) = kinds(by_file["strimzi_kafka.yaml"], "Kafka")
    assert pubsubs(by_file["dapr.yaml"])
    for _pubsub, metadata in pubsubs(by_file["dapr.yaml"]).values():
        host, port = metadata["brokers"]["value"].rsplit(":", 1)
        assert host == "%s-kafka-bootstrap.%s.svc" % (kafka["metadata"]["name"], kafka["metadata"]["namespace"])
        listener = [l for l in kafka["spec"]["kafka"]["listeners"] if l["port"] == int(port)]
        assert listener, "port %s is not a listener of the Kafka" % port
        # The plain listener has no TLS, and the component defaults to TLS on.
        assert (metadata.get("disableTls", {}).get("value") == "true") == (not listener[0]["tls"])
        assert "consumerGroup" not in metadata, "a shared group would split the events between the subscribers"


def test_every_replica_of_a_broadcast_subscriber_gets_every_event_and_the_others_share_their_apps_group(rendered):
    """Dapr's pubsub.kafka consumes as consumerGroup, else consumerID, which defaults to the app-id; metadata values
    are templates resolved when each sidecar starts ({podName}: the pod's name). A broadcast subscription (the
    websocket worker pushes every task update to its own clients, seed 000 6.4) goes through a component whose
    consumerID is per pod, so each replica is a group of its own; every other subscription keeps its app's group, so
    its replicas split the events (each handled once). A new replica starts from the newest event."""
    env_name, by_file, _release = rendered
    services = inventory_vars(env_name)["eventstack_services"]
    found = pubsubs(by_file["dapr.yaml"])
    by_topic = {(sub["scopes"][0], sub["spec"]["topic"]): sub["spec"]["pubsubname"]
                for sub in kinds(by_file["dapr.yaml"], "Subscription")}
    broadcast = {s["app_id"] for s in services for sub in s.get("subscriptions") or [] if sub.get("broadcast")}
    assert broadcast == {"websocket-worker"}
    for service in services:
        for subscription in service.get("subscriptions") or []:
            component, metadata = found[by_topic[(service["app_id"], subscription["topic"])]]
            assert service["app_id"] in component["scopes"]
            consumer = metadata.get("consumerID", {}).get("value", "{appID}")
            assert ("{podName}" in consumer) is bool(subscription.get("broadcast")), (service["app_id"], consumer)
            if subscription.get("broadcast"):
                assert metadata["initialOffset"]["value"] == "newest"
    for component, metadata in found.values():
        if "consumerID" in metadata:
            assert set(component["scopes"]) == broadcast, "only broadcast subscribers consume per pod"


def test_every_subscription_topic_and_dead_letter_topic_is_a_kafka_topic(rendered):
    _env, by_file, _release = rendered
    topics = {t["metadata"]["name"] for t in kinds(by_file["strimzi_kafka.yaml"], "KafkaTopic")}
    subscriptions = kinds(by_file["dapr.yaml"], "Subscription")
    assert subscriptions
    for subscription in subscriptions:
        spec = subscription["spec"]
        assert subscription["apiVersion"] == "dapr.io/v2alpha1"
        assert spec["pubsubname"] in pubsubs(by_file["dapr.yaml"])
        assert spec["topic"] in topics and spec["deadLetterTopic"] in topics, subscription["metadata"]["name"]
        assert spec["routes"]["default"].startswith("/")


def test_subscriptions_follow_the_service_list(rendered):
    env_name, by_file, _release = rendered
    services = inventory_vars(env_name)["eventstack_services"]
    wanted = {(s["app_id"], sub["topic"]) for s in services for sub in s.get("subscriptions") or []}
    found = {(sub["scopes"][0], sub["spec"]["topic"]) for sub in kinds(by_file["dapr.yaml"], "Subscription")}
    assert found == wanted
    assert ("audit-worker", "task-events") in found and ("notification-worker", "reminders") in found


def test_every_scope_is_a_known_app_id_and_components_are_scoped(rendered):
    env_name, by_file, _release = rendered
    app_ids = {s["app_id"] for s in inventory_vars(env_name)["eventstack_services"]}
    for obj in by_file["dapr.yaml"]:
        if obj["kind"] in ("Component", "Subscription", "Resiliency"):
            assert obj.get("scopes"), "%s %s is not scoped" % (obj["kind"], obj["metadata"]["name"])
            assert set(obj["scopes"]) <= app_ids, obj["metadata"]["name"]
    state, _metadata = component(by_file["dapr.yaml"], "state.postgresql")
    assert "todo-frontend" not in state["scopes"]


def test_every_secret_key_ref_names_a_secret_key_the_collection_creates(rendered):
    _env, by_file, _release = rendered
    secrets = {(s["metadata"]["namespace"], s["metadata"]["name"]): set(s.get("data") or {})
               for objects in by_file.values() for s in kinds(objects, "Secret")}
    refs = [(c["metadata"]["namespace"], m["secretKeyRef"]) for c in kinds(by_file["dapr.yaml"], "Component")
            for m in c["spec"]["metadata"] if "secretKeyRef" in m]
    assert refs
    for namespace, ref in refs:
        assert ref["key"] in secrets.get((namespace, ref["name"]), set()), ref
    assert base64.b64decode("UkVEQUNURUQ=") == b"REDACTED"


def test_every_component_metadata_name_is_one_the_component_reads(rendered):
    _env, by_file, _release = rendered
    with open(shared_file("reference/dapr_component_metadata.json"), encoding="utf-8") as handle:
        known = json.load(handle)
    for obj in kinds(by_file["dapr.yaml"], "Component"):
        spec = obj["spec"]
        key = known["index"][spec["type"]][spec["version"]]
        allowed = set(known["components"][key]["metadata"])
        unknown = [m["name"] for m in spec["metadata"] if m["name"] not in allowed]
        assert unknown == [], "%s: Dapr ignores %s" % (spec["type"], unknown)


def test_control_plane_values(rendered):
    env_name, _by_file, release = rendered
    values = release["values"]
    assert release["version"] == "1.18.3" and values["global"]["logAsJson"] is True
    assert values["global"]["mtls"]["enabled"] is True
    assert values["global"]["ha"]["enabled"] is (env_name == "prod")
    for part in ("dapr_operator", "dapr_placement", "dapr_sentry", "dapr_scheduler", "dapr_sidecar_injector"):
        assert values[part]["resources"]["requests"], part


def test_the_state_store_serves_the_services_whose_seed_flows_keep_state(rendered):
    """Seed 000 6.2: the recurring worker creates the next occurrence idempotently through the Dapr state store, so it
    is in the store's scopes with every service the service list marks state_store - and nobody else."""
    env_name, by_file, _release = rendered
    services = inventory_vars(env_name)["eventstack_services"]
    state, _metadata = component(by_file["dapr.yaml"], "state.postgresql")
    assert set(state["scopes"]) == {s["app_id"] for s in services if s.get("state_store")}
    assert "recurring-worker" in state["scopes"]


def test_the_tls_listener_takes_its_port_and_ca_secret_from_the_kafka_role(tmp_path):
    """The brokers' host, the TLS port and the cluster CA's Secret come from what strimzi_kafka publishes
    (strimzi_kafka_settings): a renamed cluster renames all three, with nothing set on the dapr role."""
    by_file, _releases = render("local", tmp_path, "--tags", "strimzi_kafka,dapr", dapr_kafka_listener="tls",
                                strimzi_kafka_cluster_name="orders")
    (kafka,) = kinds(by_file["strimzi_kafka.yaml"], "Kafka")
    tls_port = [l["port"] for l in kafka["spec"]["kafka"]["listeners"] if l["tls"]]
    for _pubsub, metadata in pubsubs(by_file["dapr.yaml"]).values():
        assert metadata["brokers"]["value"] == "orders-kafka-bootstrap.kafka.svc:%d" % tls_port[0]
        assert metadata["caCert"]["secretKeyRef"] == {"name": "orders-cluster-ca-cert", "key": "ca.crt"}
        assert "disableTls" not in metadata
