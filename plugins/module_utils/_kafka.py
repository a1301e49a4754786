# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the rules of the strimzi_kafka settings that an argument spec cannot express.

kafka_problems(settings) returns one message per problem, each naming the variable and the fix:
brokers (node pools with the broker role) >= default replication factor >= min.insync.replicas >= 1, a
controller-role pool present (KRaft), every topic's replicas <= brokers and >= min ISR (or writes with
acks=all fail), partitions >= 1, valid and unique topic names (including the dead-letter topics the
topics name), persistent storage with a size (>= 50Gi on OCI, the block-volume minimum) and a class, and the
kafka namespace's ResourceQuota against the pods the role runs there (brokers and controllers, the Entity Operator,
Kafka Exporter and the operator, whose Deployment is recreated rather than surged; LimitRange defaults for unset
values).
"""

from __future__ import annotations

import re

from ansible_collections.eventstack.oke.plugins.module_utils import _apps, _quantity

_TOPIC = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,247}[a-z0-9])?$")
OCI_MIN_VOLUME = 50 * 1024 ** 3


_VERSION = re.compile(r"^([0-9]+)\.([0-9]+)")
_METADATA = re.compile(r"^[0-9]+\.[0-9]+-IV[0-9]+$")


def brokers(node_pools):
    return sum(int(pool.get("replicas") or 0) for pool in node_pools or [] if "broker" in (pool.get("roles") or []))


def _minor(text):
    """(major, minor) of a Kafka version (4.3.1) or a metadata version (4.3-IV0), None when it is neither."""
    match = _VERSION.match(str(text or ""))
    return (int(match.group(1)), int(match.group(2))) if match else None


def version_problems(version, metadata_version):
    """The metadata version may not run ahead of the brokers' software (upgrade the version first)."""
    if not metadata_version:
        return []
    wanted, running = _minor(metadata_version), _minor(version)
    if not _METADATA.match(str(metadata_version)) or wanted is None:
        return ["strimzi_kafka_metadata_version: %r is not a KRaft metadata version (like 4.3-IV0)" % metadata_version]
    if running is not None and wanted > running:
        return ["strimzi_kafka_metadata_version %s is newer than strimzi_kafka_version %s: upgrade the Kafka version "
                "first, run, then raise the metadata version (docs/upgrades.md)" % (metadata_version, version)]
    return []


def kafka_problems(settings):
    problems = version_problems(settings.get("version"), settings.get("metadata_version"))
    pools = settings.get("node_pools") or []
    broker_count = brokers(pools)
    rf, min_isr = settings.get("replication_factor"), settings.get("min_insync_replicas")
    if broker_count < 1:
        problems.append("strimzi_kafka_node_pools has no broker: give a pool the broker role and replicas >= 1")
    if not any("controller" in (pool.get("roles") or []) and int(pool.get("replicas") or 0) > 0 for pool in pools):
        problems.append("strimzi_kafka_node_pools has no controller: KRaft needs a pool with the controller role")
    if not isinstance(min_isr, int) or min_isr < 1:
        problems.append("strimzi_kafka_min_insync_replicas: %r must be at least 1" % (min_isr,))
    elif not isinstance(rf, int) or not min_isr <= rf <= max(broker_count, 1):
        problems.append("strimzi_kafka_replication_factor (%r) must be between strimzi_kafka_min_insync_replicas (%d) "
                        "and the number of brokers (%d)" % (rf, min_isr, broker_count))
    names = set()
    for index, pool in enumerate(pools):
        where = "strimzi_kafka_node_pools[%d]" % index
        if pool.get("name") in names:
            problems.append("%s.name: %r is used twice" % (where, pool.get("name")))
        names.add(pool.get("name"))
        storage = pool.get("storage") or {}
        if storage.get("type") == "persistent-claim":
            size = storage.get("size")
            try:
                size_bytes = _quantity.parse_quantity(size) if size else None
            except ValueError:
                size_bytes = None
            if size_bytes is None:
                problems.append("%s.storage.size: %r is not a quantity such as 50Gi" % (where, size))
            elif settings.get("oci") and size_bytes < OCI_MIN_VOLUME:
                problems.append("%s.storage.size: %s is below the 50Gi OCI block volume minimum (OCI would create "
                                "50 GB anyway); set 50Gi or more, or use ephemeral storage" % (where, size))
            if not storage.get("class"):
                problems.append("%s.storage.class is empty: name the storage class (oci-bv on OKE)" % where)
    topics = settings.get("topics") or []
    topic_names = [topic.get("name") for topic in topics]
    for index, topic in enumerate(topics):
        where = "strimzi_kafka_topics[%d]" % index
        name = topic.get("name")
        if not isinstance(name, str) or not _TOPIC.match(name):
            problems.append("%s.name: %r is not a valid topic resource name (lower case letters, digits, '.', '-')"
                            % (where, name))
        elif name in topic_names[:index]:
            problems.append("%s.name: %r is listed more than once" % (where, name))
        if not isinstance(topic.get("partitions"), int) or topic["partitions"] < 1:
            problems.append("%s.partitions: %r must be at least 1" % (where, topic.get("partitions")))
        # Topics without replicas take the replication factor, already checked above.
        replicas = topic.get("replicas")
        if (isinstance(replicas, int) and isinstance(min_isr, int) and broker_count
                and not min_isr <= replicas <= broker_count):
            problems.append("%s.replicas: %d must be between strimzi_kafka_min_insync_replicas (%d) and the number "
                            "of brokers (%d)" % (where, replicas, min_isr, broker_count))
        dead_letter = topic.get("dead_letter_topic")
        if dead_letter and dead_letter not in topic_names:
            problems.append("%s.dead_letter_topic: %r is not in strimzi_kafka_topics; add it" % (where, dead_letter))
    return problems + quota_problems(settings)


def namespace_pods(settings):
    """[(component, count, resources)] of the pods in the kafka namespace."""
    pods = [("node pool %s" % pool.get("name"), int(pool.get("replicas") or 0), pool.get("resources") or {})
            for pool in settings.get("node_pools") or []]
    pods.append(("entity operator", 1, settings.get("entity_operator_resources") or {}))
    if settings.get("exporter"):
        pods.append(("kafka exporter", 1, settings.get("exporter_resources") or {}))
    # The operator's Deployment uses Recreate (no surge pod).
    pods.append(("strimzi operator", 1, settings.get("operator_resources") or {}))
    return pods


def quota_problems(settings):
    quota = settings.get("quota") or {}
    if not quota:
        return []
    pods = namespace_pods(settings)
    usage = _apps.namespace_usage([], extra_pods=[(count, resources) for _c, count, resources in pods],
                                  limit_range=settings.get("limit_range") or {})
    return ["k8s_base_namespaces (%s).quota.%s is %s, but the Kafka pods need %s (%s; LimitRange defaults where "
            "unset): raise the quota or lower strimzi_kafka_node_pools / *_resources"
            % (settings.get("namespace"), name, value, used, ", ".join("%s x%d" % (c, n) for c, n, _r in pods))
            for name, value, used in _apps.quota_excess(quota, usage)]
