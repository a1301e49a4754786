from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.filter import k8s, kafka, preflight


def test_filters_are_registered():
    assert set(k8s.FilterModule().filters()) == {"k8s_sort", "k8s_redact", "k8s_manifest", "helm_release_files",
                                                 "k8s_gone"}
    assert set(preflight.FilterModule().filters()) == {"k8s_base_problems", "controller_problems", "stack_volumes"}


def test_manifest_errors_become_filter_errors():
    with pytest.raises(AnsibleFilterError, match="lacks kind"):
        k8s.FilterModule().filters()["k8s_sort"]([{"apiVersion": "v1", "metadata": {"name": "x"}}])


def test_helm_release_files_errors_become_filter_errors():
    with pytest.raises(AnsibleFilterError, match="Helm release x has no 'namespace'"):
        k8s.FilterModule().filters()["helm_release_files"]([{"name": "x"}], "build", "role")


def test_k8s_gone_asks_each_object_listed_to_be_gone():
    listed = [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "gateway", "namespace": "edge"}},
              {"kind": "PersistentVolumeClaim", "metadata": {"name": "data-0", "namespace": "kafka"}},
              {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "oci-bv"}}]
    assert k8s.FilterModule().filters()["k8s_gone"](listed) == [
        {"kind": "Service", "api_version": "v1", "namespace": "edge", "name": "gateway", "absent": True},
        {"kind": "PersistentVolumeClaim", "api_version": "v1", "namespace": "kafka", "name": "data-0", "absent": True},
        {"kind": "StorageClass", "api_version": "storage.k8s.io/v1", "name": "oci-bv", "absent": True}]


def test_redact_filter():
    out = k8s.FilterModule().filters()["k8s_redact"](
        [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "dg=="}}])
    assert out[0]["data"] == {"k": "UkVEQUNURUQ="}


def test_k8s_base_problems_combines_namespace_and_secret_checks():
    problems = preflight.k8s_base_problems(
        [{"name": "app", "pod_security": "restricted"}], {"app": "app", "kafka": "kafka"},
        secrets=[{"name": "s", "namespace": "app", "data_from_vars": {"K": "vault_k"}}],
        pull_secret={"enabled": False}, defined_vars=[], require_values=True)
    assert len(problems) == 2
    assert problems[0].startswith("eventstack_namespaces.kafka")
    assert "vault variable 'vault_k' is not defined" in problems[1]


def test_the_shipped_services_and_defaults_give_the_seed_topics():
    """The topics the strimzi_kafka role used to list by hand, now built by eventstack.oke.kafka_topics from
    inventories/common/services.yml (the services and their topics' settings) and the role's defaults."""
    import pathlib  # pylint: disable=import-outside-toplevel

    import yaml  # pylint: disable=import-outside-toplevel

    root = pathlib.Path(__file__).resolve().parents[4]
    services = yaml.safe_load((root / "inventories/common/services.yml").read_text(encoding="utf-8"))
    defaults = yaml.safe_load((root / "roles/strimzi_kafka/defaults/main.yml").read_text(encoding="utf-8"))
    topics = kafka.FilterModule().filters()["kafka_topics"](
        services["eventstack_services"], services["strimzi_kafka_topic_settings"],
        defaults["strimzi_kafka_topic_defaults"], defaults["strimzi_kafka_dead_letter_topic_defaults"])
    week, fortnight = {"retention.ms": 7 * 24 * 3600 * 1000}, {"retention.ms": 14 * 24 * 3600 * 1000}
    assert topics == [
        {"name": "task-events", "partitions": 3, "config": week, "dead_letter": False},
        {"name": "reminders", "partitions": 1, "dead_letter": False},
        {"name": "task-updates", "partitions": 3, "dead_letter": False},
        {"name": "task-events-dlq", "partitions": 1, "config": fortnight, "dead_letter": True},
        {"name": "reminders-dlq", "partitions": 1, "config": fortnight, "dead_letter": True},
        {"name": "task-updates-dlq", "partitions": 1, "config": fortnight, "dead_letter": True}]
    problems = kafka.FilterModule().filters()["strimzi_kafka_problems"]
    assert problems({"node_pools": [{"name": "p", "replicas": 1, "roles": ["controller", "broker"]}],
                     "replication_factor": 1, "min_insync_replicas": 1,
                     "services": services["eventstack_services"],
                     "topic_settings": services["strimzi_kafka_topic_settings"],
                     "topic_defaults": defaults["strimzi_kafka_topic_defaults"],
                     "dead_letter_topic_defaults": defaults["strimzi_kafka_dead_letter_topic_defaults"]}) == []
    # The role's own default names no topic: any application's services pass with it.
    assert defaults["strimzi_kafka_topic_settings"] == {}
