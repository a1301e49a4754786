# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the strimzi_kafka role's topics, and the rules of its settings that an argument spec cannot express.

kafka_topics(services, topic_settings, defaults, dead_letter_defaults) builds the KafkaTopics from the services
(eventstack_services): every topic a service publishes or subscribes to, and every subscription's dead-letter topic,
each with the settings of its name in topic_settings over the defaults of its kind (a topic some subscription names
as its dead-letter topic is a dead-letter topic).

kafka_problems(settings) returns one message per problem, each naming the variable and the fix:
brokers (node pools with the broker role) >= default replication factor >= min.insync.replicas >= 1, a
controller-role pool present (KRaft), the topics (valid names, settings only for topics the services use, with known
keys, partitions >= 1, replicas <= brokers and >= min ISR or writes with acks=all fail, and no leftover
strimzi_kafka_topics), persistent storage with a size (>= 50Gi on OCI, the block-volume minimum) and a class, and the
kafka namespace's ResourceQuota against the pods the role runs there (brokers and controllers, the Entity Operator,
Kafka Exporter and the operator, whose Deployment is recreated rather than surged; LimitRange defaults for unset
values).
"""

from __future__ import annotations

import re

from ansible_collections.eventstack.oke.plugins.module_utils import _capacity, _quantity

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
    problems += topic_problems(settings, broker_count)
    return problems + quota_problems(settings)


TOPIC_KEYS = ("partitions", "replicas", "config")
_SETTINGS = "strimzi_kafka_topic_settings"
_DEFAULTS = "strimzi_kafka_topic_defaults"
_DEAD_LETTER_DEFAULTS = "strimzi_kafka_dead_letter_topic_defaults"


def service_topics(services):
    """([(name, where)] of the topics the services publish or subscribe to, [(name, where)] of their subscriptions'
    dead-letter topics), each in the order the services name them; where is the entry that names it."""
    ordinary, dead_letter = [], []
    for index, service in enumerate(services or []):
        if not isinstance(service, dict):
            continue
        where = "eventstack_services[%d]" % index
        for number, topic in enumerate(service.get("publishes") or []):
            ordinary.append((topic, "%s.publishes[%d]" % (where, number)))
        for number, subscription in enumerate(service.get("subscriptions") or []):
            if not isinstance(subscription, dict):
                continue
            sub = "%s.subscriptions[%d]" % (where, number)
            ordinary.append((subscription.get("topic"), sub + ".topic"))
            if subscription.get("dead_letter_topic") is not None:
                dead_letter.append((subscription.get("dead_letter_topic"), sub + ".dead_letter_topic"))
    return ordinary, dead_letter


def _settings(base, entry):
    """entry's partitions, replicas and config over base's (config merged key by key)."""
    base = base if isinstance(base, dict) else {}
    entry = entry if isinstance(entry, dict) else {}
    merged = {}
    for key in ("partitions", "replicas"):
        value = entry.get(key) if entry.get(key) is not None else base.get(key)
        if value is not None:
            merged[key] = value
    config = dict(base.get("config") or {}) if isinstance(base.get("config"), dict) else {}
    config.update(entry.get("config") or {} if isinstance(entry.get("config"), dict) else {})
    if config:
        merged["config"] = config
    return merged


def kafka_topics(services, topic_settings=None, defaults=None, dead_letter_defaults=None):
    """The topics (name, partitions, replicas when set, config when any, dead_letter) the services use: what they
    publish and subscribe to in the order they name it, then the dead-letter topics not named before."""
    ordinary, dead_letter = service_topics(services)
    dead_names = {name for name, _where in dead_letter}
    topic_settings = topic_settings if isinstance(topic_settings, dict) else {}
    topics, seen = [], set()
    for name, _where in ordinary + dead_letter:
        if not isinstance(name, str) or not name or name in seen:
            continue
        seen.add(name)
        is_dead_letter = name in dead_names
        topic = {"name": name}
        topic.update(_settings(dead_letter_defaults if is_dead_letter else defaults, topic_settings.get(name)))
        topic["dead_letter"] = is_dead_letter
        topics.append(topic)
    return topics


def _entry_problems(where, entry, min_isr, broker_count, partitions_required=False):
    if not isinstance(entry, dict):
        return ["%s: %r must be a map of %s" % (where, entry, ", ".join(TOPIC_KEYS))]
    problems = ["%s: unknown key %r; the keys are %s" % (where, key, ", ".join(TOPIC_KEYS))
                for key in entry if key not in TOPIC_KEYS]
    partitions = entry.get("partitions")
    if (partitions is not None or partitions_required) and (
            not isinstance(partitions, int) or isinstance(partitions, bool) or partitions < 1):
        problems.append("%s.partitions: %r must be at least 1" % (where, partitions))
    # Topics without replicas take the replication factor, checked in kafka_problems.
    replicas = entry.get("replicas")
    if replicas is not None:
        if not isinstance(replicas, int) or isinstance(replicas, bool):
            problems.append("%s.replicas: %r must be a number of replicas" % (where, replicas))
        elif isinstance(min_isr, int) and broker_count and not min_isr <= replicas <= broker_count:
            problems.append("%s.replicas: %d must be between strimzi_kafka_min_insync_replicas (%d) and the number "
                            "of brokers (%d)" % (where, replicas, min_isr, broker_count))
    if entry.get("config") is not None and not isinstance(entry.get("config"), dict):
        problems.append("%s.config: %r must be a map of topic configuration, such as {retention.ms: 604800000}"
                        % (where, entry.get("config")))
    return problems


def topic_problems(settings, broker_count):
    """The topics' problems: settings holds services (what the role reads them from), topic_settings,
    topic_defaults, dead_letter_topic_defaults, min_insync_replicas and topics_set (strimzi_kafka_topics is still
    set somewhere: it is no longer read)."""
    problems = []
    if settings.get("topics_set"):
        problems.append("strimzi_kafka_topics is set, but the topics are now built from the services "
                        "(eventstack_services: publishes, subscriptions[].topic and subscriptions[].dead_letter_topic): "
                        "remove strimzi_kafka_topics from the inventory and give a topic's partitions, replicas or "
                        "config under its name in %s" % _SETTINGS)
    min_isr = settings.get("min_insync_replicas")
    ordinary, dead_letter = service_topics(settings.get("services"))
    for name, where in ordinary + dead_letter:
        if not isinstance(name, str) or not _TOPIC.match(name):
            problems.append("%s: %r is not a valid topic name (lower case letters, digits, '.', '-'; it names the "
                            "KafkaTopic resource)" % (where, name))
    for variable, key in ((_DEFAULTS, "topic_defaults"), (_DEAD_LETTER_DEFAULTS, "dead_letter_topic_defaults")):
        problems += _entry_problems(variable, settings.get(key), min_isr, broker_count, partitions_required=True)
    used = [name for name, _where in ordinary + dead_letter if isinstance(name, str)]
    topic_settings = settings.get("topic_settings") or {}
    if not isinstance(topic_settings, dict):
        return problems + ["%s: must be a map of topic name to its partitions, replicas and config" % _SETTINGS]
    for name, entry in topic_settings.items():
        where = "%s[%r]" % (_SETTINGS, name)
        if name not in used:
            problems.append("%s: no service publishes, subscribes to or dead-letters to a topic %r (the topics are "
                            "%s): correct the name or remove the entry"
                            % (where, name, ", ".join(sorted(set(used))) or "none"))
        problems += _entry_problems(where, entry, min_isr, broker_count)
    return problems


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
    groups = [_capacity.pods_of(component, settings.get("namespace"), count, [resources],
                                settings.get("limit_range") or {}) for component, count, resources in pods]
    return ["k8s_base_namespaces (%s).quota.%s is %s, but the Kafka pods need %s (%s; LimitRange defaults where "
            "unset): raise the quota or lower strimzi_kafka_node_pools / *_resources"
            % (settings.get("namespace"), name, value, used, ", ".join("%s x%d" % (c, n) for c, n, _r in pods))
            for name, value, used in _capacity.quota_excess(quota, groups)]
