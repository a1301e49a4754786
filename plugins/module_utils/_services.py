# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the rules of eventstack_services (the application's services) a spec cannot express.

services_problems(services) returns one message per problem: unique names and app-ids (DNS labels), ports 1-65535,
routes that are absolute paths, one subscription per topic and app, only the keys a subscription has, a boolean
broadcast and external, direct calls (``calls``) to other services that have a port. The topics need no check against
a list: the strimzi_kafka role builds its KafkaTopics from the same services (eventstack.oke.kafka_topics), and checks
their names. So a subscription must name a topic some service publishes, unless it says ``external: true`` (something
outside the stack publishes it): a misspelt topic would otherwise become a KafkaTopic no one writes to, and the
subscriber would wait for events forever.
"""

from __future__ import annotations

import re

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
SUBSCRIPTION_KEYS = ("topic", "route", "dead_letter_topic", "broadcast", "external")


def services_problems(services):
    problems = []
    seen = {"name": set(), "app_id": set()}
    published = sorted({topic for service in services or [] for topic in service.get("publishes") or []
                        if isinstance(topic, str)})
    for index, service in enumerate(services or []):
        where = "eventstack_services[%d]" % index
        for key in ("name", "app_id"):
            value = service.get(key)
            if not isinstance(value, str) or not _DNS_LABEL.match(value):
                problems.append("%s.%s: %r must be a DNS label (lower case letters, digits, '-')" % (where, key, value))
            elif value in seen[key]:
                problems.append("%s.%s: %r is used twice" % (where, key, value))
            seen[key].add(value)
        port = service.get("port")
        if not isinstance(port, int) or not 1 <= port <= 65535:
            problems.append("%s.port: %r must be 1-65535" % (where, port))
        subscribed = set()
        for number, subscription in enumerate(service.get("subscriptions") or []):
            sub = "%s.subscriptions[%d]" % (where, number)
            topic = subscription.get("topic")
            if topic in subscribed:
                problems.append("%s.topic: %r is subscribed twice by %s" % (sub, topic, service.get("app_id")))
            subscribed.add(topic)
            unknown = sorted(str(key) for key in subscription if key not in SUBSCRIPTION_KEYS)
            if unknown:
                problems.append("%s: unknown key(s) %s; a subscription has %s"
                                % (sub, ", ".join(unknown), ", ".join(SUBSCRIPTION_KEYS)))
            for key in ("broadcast", "external"):
                if not isinstance(subscription.get(key, False), bool):
                    problems.append("%s.%s: %r must be true or false" % (sub, key, subscription.get(key)))
            if topic not in published and subscription.get("external") is not True:
                problems.append("%s.topic: %r is published by no service in eventstack_services (they publish %s): "
                                "correct the name, or set external: true on the subscription when something outside "
                                "the stack publishes it" % (sub, topic, ", ".join(published) or "nothing"))
            if not str(subscription.get("route") or "").startswith("/"):
                problems.append("%s.route: %r must be an absolute path such as /events/%s"
                                % (sub, subscription.get("route"), topic))
    ported = {s.get("name") for s in services or [] if isinstance(s.get("port"), int)}
    for index, service in enumerate(services or []):
        for callee in service.get("calls") or []:
            if callee == service.get("name") or callee not in ported:
                problems.append("eventstack_services[%d].calls: %r must name another service with a port (one of %s)"
                                % (index, callee, ", ".join(sorted(ported - {service.get("name")})) or "none"))
    return problems


def pubsub_scopes(services, broadcast=False):
    """The app-ids a pub/sub component serves, sorted: broadcast=False, the one every replica group shares (services
    that publish or have a subscription that is not broadcast); broadcast=True, the per-replica one (services with a
    broadcast subscription)."""
    found = set()
    for service in services or []:
        app_id = service.get("app_id") or service.get("name")
        subscriptions = service.get("subscriptions") or []
        if broadcast:
            if any(s.get("broadcast") for s in subscriptions):
                found.add(app_id)
        elif service.get("publishes") or any(not s.get("broadcast") for s in subscriptions):
            found.add(app_id)
    return sorted(found)


def event_probes(services, broadcast_consumer_id="{podName}"):
    """The event flows to probe (the event_flow_probe module's probes): one per topic a service publishes, sent by
    the first service that publishes it, to be consumed by every service subscribed to it (a broadcast subscription
    by each replica: its consumer group template is broadcast_consumer_id), with the subscriptions' dead-letter topic
    when they share one."""
    probes = {}
    for service in services:
        for topic in service.get("publishes") or []:
            probes.setdefault(topic, {"topic": topic, "publisher": service.get("app_id") or service["name"],
                                      "subscribers": []})
    for service in services:
        for subscription in service.get("subscriptions") or []:
            probe = probes.get(subscription.get("topic"))
            if probe is None:
                continue
            probe["subscribers"].append(service.get("app_id") or service["name"])
            if subscription.get("broadcast"):
                probe.setdefault("consumer_groups", {})[service.get("app_id") or service["name"]] = \
                    broadcast_consumer_id
            probe.setdefault("__dead_letter", set()).add(subscription.get("dead_letter_topic"))
    for probe in probes.values():
        dead_letter = probe.pop("__dead_letter", set())
        if len(dead_letter) == 1 and None not in dead_letter:
            probe["dead_letter_topic"] = dead_letter.pop()
    return list(probes.values())
