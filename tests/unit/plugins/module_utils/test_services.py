from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _services

GOOD = [{"name": "backend", "app_id": "todo-backend", "port": 8000, "publishes": ["task-events"]},
        {"name": "audit", "app_id": "audit-worker", "port": 8000, "subscriptions": [
            {"topic": "task-events", "route": "/events/task-events", "dead_letter_topic": "task-events-dlq"}]}]


def test_good_list():
    assert _services.services_problems(GOOD) == []


@pytest.mark.parametrize("change, expected", [
    ({"app_id": "Todo_Backend"}, "eventstack_services[0].app_id: 'Todo_Backend' must be a DNS label"),
    ({"app_id": "audit-worker"}, "eventstack_services[0].app_id: 'audit-worker' is used twice"),
    ({"port": 0}, "eventstack_services[0].port: 0 must be 1-65535"),
    ({"subscriptions": [{"topic": "task-events", "route": "events"}]},
     "eventstack_services[0].subscriptions[0].route: 'events' must be an absolute path such as /events/task-events"),
    ({"subscriptions": [{"topic": "task-events", "route": "/x"}, {"topic": "task-events", "route": "/y"}]},
     "subscriptions[1].topic: 'task-events' is subscribed twice by todo-backend"),
    ({"subscriptions": [{"topic": "task-events", "route": "/x", "broadcast": "yes"}]},
     "subscriptions[0].broadcast: 'yes' must be true or false"),
    ({"subscriptions": [{"topic": "task-events", "route": "/x", "external": "no"}]},
     "subscriptions[0].external: 'no' must be true or false"),
    ({"subscriptions": [{"topic": "task-events", "route": "/x", "dead_leter_topic": "task-events-dlq"}]},
     "subscriptions[0]: unknown key(s) dead_leter_topic; a subscription has topic, route, dead_letter_topic, "
     "broadcast, external"),
    # A misspelt topic would become a KafkaTopic no service writes to (the strimzi_kafka role builds them all).
    ({"subscriptions": [{"topic": "task-event", "route": "/x"}]},
     "eventstack_services[0].subscriptions[0].topic: 'task-event' is published by no service in eventstack_services "
     "(they publish task-events): correct the name, or set external: true on the subscription when something outside "
     "the stack publishes it"),
    ({"calls": ["frontend"]}, "eventstack_services[0].calls: 'frontend' must name another service with a port (one "
                              "of audit)"),
    ({"calls": ["backend"]}, "eventstack_services[0].calls: 'backend' must name another service with a port"),
])
def test_problems_name_the_entry(change, expected):
    services = [dict(GOOD[0], **change), GOOD[1]]
    if change.get("app_id") == "audit-worker":
        services = [GOOD[1], dict(GOOD[0], **change)]
        expected = expected.replace("[0]", "[1]")
    problems = _services.services_problems(services)
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_a_topic_published_outside_the_stack_is_subscribed_to_with_external():
    services = [GOOD[0], dict(GOOD[1], subscriptions=[{"topic": "payments", "route": "/p", "external": True}])]
    assert _services.services_problems(services) == []


def test_a_direct_call_to_another_service_is_fine():
    assert _services.services_problems([dict(GOOD[0], calls=["audit"]), GOOD[1]]) == []


def test_a_new_topic_is_no_problem_the_strimzi_kafka_role_creates_it():
    """The topics are built from the services (_kafka.kafka_topics), so a topic no list names is fine here."""
    assert _services.services_problems([dict(GOOD[0], publishes=["orders"]), dict(GOOD[1], subscriptions=[
        {"topic": "orders", "route": "/o", "dead_letter_topic": "orders-dlq"}])]) == []


def test_event_probes_follow_each_published_topic_to_its_subscribers_and_their_dead_letter_topic():
    services = [
        {"name": "api", "app_id": "api-id", "publishes": ["orders", "audit"]},
        {"name": "mailer", "subscriptions": [{"topic": "orders", "route": "/o", "dead_letter_topic": "orders-dlq"}]},
        {"name": "ledger", "app_id": "ledger", "publishes": ["orders"],
         "subscriptions": [{"topic": "orders", "route": "/o", "dead_letter_topic": "orders-dlq"},
                           {"topic": "unpublished", "route": "/u"}]},
        {"name": "archive", "subscriptions": [{"topic": "audit", "route": "/a", "dead_letter_topic": "a-dlq"},
                                              ]},
        {"name": "tail", "subscriptions": [{"topic": "audit", "route": "/a"}]},
    ]
    assert _services.event_probes(services) == [
        {"topic": "orders", "publisher": "api-id", "subscribers": ["mailer", "ledger"], "dead_letter_topic": "orders-dlq"},
        # the subscriptions disagree on the dead-letter topic: none is watched
        {"topic": "audit", "publisher": "api-id", "subscribers": ["archive", "tail"]},
    ]


def test_a_broadcast_subscription_is_probed_per_replica():
    """Every replica of a broadcast subscriber consumes as a group of its own: its probe entry says how the group is
    named (the dapr role's consumer ID template); the other subscribers keep their app-id."""
    services = [{"name": "api", "publishes": ["task-updates"]},
                {"name": "audit", "subscriptions": [{"topic": "task-updates", "route": "/u"}]},
                {"name": "ws", "subscriptions": [{"topic": "task-updates", "route": "/u", "broadcast": True}]}]
    assert _services.event_probes(services) == [
        {"topic": "task-updates", "publisher": "api", "subscribers": ["audit", "ws"],
         "consumer_groups": {"ws": "{podName}"}}]
    assert _services.event_probes(services, "{namespace}-{podName}")[0]["consumer_groups"] == {
        "ws": "{namespace}-{podName}"}


def test_pubsub_scopes_split_the_shared_and_the_broadcast_component():
    services = [{"name": "api", "publishes": ["t"]}, {"name": "audit", "subscriptions": [{"topic": "t"}]},
                {"name": "ws", "subscriptions": [{"topic": "t", "broadcast": True}]},
                {"name": "both", "app_id": "both-id", "subscriptions": [{"topic": "t", "broadcast": True}, {"topic": "u"}]},
                {"name": "idle"}]
    assert _services.pubsub_scopes(services) == ["api", "audit", "both-id"]
    assert _services.pubsub_scopes(services, broadcast=True) == ["both-id", "ws"]
