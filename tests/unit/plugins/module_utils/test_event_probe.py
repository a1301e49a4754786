"""The event probe's logic: metrics parsing, offsets arithmetic, picking pods, and every verdict of a probe run
against a fake cluster whose Kafka consumes on a fake clock."""

from __future__ import annotations

import json

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _event_probe
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeError

METRICS = """# HELP kafka_topic_partition_current_offset Current Offset of a Broker at Topic/Partition
# TYPE kafka_topic_partition_current_offset gauge
kafka_topic_partition_current_offset{partition="0",topic="task-events"} 7
kafka_topic_partition_current_offset{partition="1",topic="task-events"} 0
kafka_consumergroup_current_offset{consumergroup="audit-worker",partition="0",topic="task-events"} 7 1700000000
kafka_consumergroup_current_offset{consumergroup="odd \\"name\\"",partition="0",topic="task-events"} 3
broken line without value
go_goroutines 12
"""


def test_metrics_parse_labels_escapes_and_timestamps_and_skip_what_is_not_a_sample():
    metrics = _event_probe.parse_metrics(METRICS)
    assert metrics["go_goroutines"] == [({}, 12.0)]
    assert _event_probe.topic_offsets(metrics, "task-events") == {"0": 7, "1": 0}
    assert _event_probe.group_offsets(metrics, "audit-worker", "task-events") == {"0": 7}
    assert _event_probe.group_offsets(metrics, 'odd "name"', "task-events") == {"0": 3}
    assert _event_probe.topic_offsets(metrics, "reminders") == {}


@pytest.mark.parametrize("committed, target, expected", [
    ({"0": 8}, {"0": 8, "1": 0}, True),     # a partition never written needs no commit
    ({"0": 7}, {"0": 8}, False),
    ({}, {"0": 8}, False),
    ({"0": 9, "1": 2}, {"0": 8, "1": 2}, True),
])
def test_caught_up_means_every_written_partition_committed_up_to_the_target(committed, target, expected):
    assert _event_probe.caught_up(committed, target) is expected


def test_grew_counts_messages_written_between_two_readings():
    assert _event_probe.grew({"0": 7, "1": 0}, {"0": 8, "1": 2}) == 3
    assert _event_probe.grew({"0": 7}, {"0": 7}) == 0
    assert _event_probe.grew({}, {"0": 1}) == 1


def pod(name, app_id=None, daprd=True, phase="Running", ready="True", labels=None):
    containers = [{"name": "app"}] + ([{"name": "daprd"}] if daprd else [])
    return {"metadata": {"name": name, "labels": labels or {},
                         "annotations": {"dapr.io/app-id": app_id} if app_id else {}},
            "spec": {"containers": containers},
            "status": {"phase": phase, "conditions": [{"type": "Ready", "status": ready}]}}


EXPORTER = pod("todo-kafka-kafka-exporter-0", labels={"strimzi.io/name": "todo-kafka-kafka-exporter"})


class FakeCluster:
    """Pods, one daprd answer per publish, and a Kafka that delivers to the subscribers `lag` readings after the
    event was written; `failing` subscribers dead-letter it."""

    def __init__(self, pods, subscribers=(), lag=1, failing=(), answer=(204, b""), partitions=2, lag_series=None):
        self.pods, self.subscribers, self.lag, self.failing, self.answer = pods, subscribers, lag, failing, answer
        self.lag_series = subscribers if lag_series is None else lag_series  # groups with kafka_consumergroup_lag
        self.offsets = {"task-events": [5] * partitions, "task-events-dlq": [0]}
        self.committed = {group: [5] * partitions for group in subscribers}
        self.deliveries = []
        self.now = 100.0
        self.requests = 0
        self.published = []

    def request(self, method, path, query=None, **_kwargs):
        assert method == "GET"
        self.requests += 1
        namespace = path.split("/")[4]
        return {"items": [p for p in self.pods if (namespace == "kafka") == (p is EXPORTER)]}

    def pod_http(self, namespace, name, port, method, path, body=None, content_type=None):
        self.requests += 1
        if port == _event_probe.DAPR_HTTP_PORT:
            assert (method, content_type) == ("POST", "application/cloudevents+json")
            if isinstance(self.answer, Exception):
                raise self.answer
            event = json.loads(body)
            self.published.append((namespace, name, path, event))
            if self.answer[0] == 204:
                self.offsets["task-events"][1] += 1
                self.deliveries.append([self.lag, self.offsets["task-events"][1]])
            return self.answer
        assert (namespace, name, port, path) == ("kafka", EXPORTER["metadata"]["name"], 9404, "/metrics")
        for delivery in self.deliveries:
            delivery[0] -= 1
            if delivery[0] == 0:
                for group in self.subscribers:
                    self.committed[group][1] = delivery[1]
                    if group in self.failing:
                        self.offsets["task-events-dlq"][0] += 1
        lines = ['kafka_topic_partition_current_offset{partition="%d",topic="%s"} %d' % (p, t, o)
                 for t, offsets in self.offsets.items() for p, o in enumerate(offsets)]
        lines += ['kafka_consumergroup_current_offset{consumergroup="%s",partition="%d",topic="task-events"} %d'
                  % (g, p, o) for g, offsets in self.committed.items() for p, o in enumerate(offsets)]
        lines += ['kafka_consumergroup_lag{consumergroup="%s",partition="%d",topic="task-events"} %d'
                  % (g, p, self.offsets["task-events"][p] - o) for g, offsets in self.committed.items()
                  if g in self.lag_series for p, o in enumerate(offsets)]
        return 200, "\n".join(lines).encode()

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


PROBE = {"topic": "task-events", "publisher": "todo-backend", "subscribers": ["recurring-worker", "audit-worker"],
         "dead_letter_topic": "task-events-dlq"}
EXPORTER_AT = {"namespace": "kafka", "labels": {"strimzi.io/name": "todo-kafka-kafka-exporter"}, "port": 9404}


def probe(cluster, probes=(PROBE,), exporter="default", timeout=10.0, latency_max=None, lag=False):
    exporter = EXPORTER_AT if exporter == "default" else exporter
    prober = _event_probe.Prober(cluster, "todo-app", "pubsub-kafka", exporter=exporter, timeout=timeout,
                                 interval=2.0, clock=cluster.clock, new_id=lambda: "eventstack-probe-1",
                                 latency_max=latency_max, lag=lag)
    results = prober.run(list(probes))
    return (results, prober.lag_result) if lag else results


def healthy_pods():
    return [pod("todo-backend-b", "todo-backend", phase="Pending"), pod("todo-backend-a", "todo-backend"), EXPORTER]


def test_an_event_published_landed_and_consumed_by_every_subscriber_passes_with_its_round_trip():
    cluster = FakeCluster(healthy_pods(), subscribers=["recurring-worker", "audit-worker"], lag=2)
    [result] = probe(cluster)
    assert result["passed"] is True, result
    assert result["pod"] == "todo-backend-a"  # the running one
    namespace, _name, path, event = cluster.published[0]
    assert (namespace, path) == ("todo-app", "/v1.0/publish/pubsub-kafka/task-events")
    assert event["id"] == "eventstack-probe-1" and event["type"] == "io.eventstack.oke.probe"
    assert result["landed"] is True and result["dead_lettered"] == 0
    assert result["consumed"] == {"recurring-worker": 2.0, "audit-worker": 2.0} and result["round_trip"] == 2.0
    assert _event_probe.summary(result) == ("pass todo-backend -> task-events: event eventstack-probe-1 consumed by "
                                            "recurring-worker, audit-worker in 2.0 s")


def test_a_round_trip_over_the_latency_limit_fails_and_one_within_passes():
    cluster = FakeCluster(healthy_pods(), subscribers=["recurring-worker", "audit-worker"], lag=4)
    [result] = probe(cluster, latency_max=5.0)
    assert result["passed"] is False and result["round_trip"] == 6.0
    assert result["reason"] == "consumed by recurring-worker, audit-worker in 6.0 s, over the 5 s limit"
    assert _event_probe.summary(result).startswith("FAIL todo-backend -> task-events: consumed by ")
    cluster = FakeCluster(healthy_pods(), subscribers=["recurring-worker", "audit-worker"], lag=3)
    [result] = probe(cluster, latency_max=5.0)
    assert result["passed"] is True and result["round_trip"] == 4.0


def test_a_subscriber_that_never_catches_up_fails_after_the_timeout_naming_it():
    cluster = FakeCluster(healthy_pods(), subscribers=["audit-worker"], lag=99)
    [result] = probe(cluster)
    assert result["passed"] is False and result["landed"] is True
    assert result["consumed"] == {"recurring-worker": None, "audit-worker": None}
    assert result["reason"] == ("landed in task-events, but not consumed within the timeout by recurring-worker, "
                                "audit-worker")
    assert cluster.now == 110.0  # waited the timeout, no longer


def test_an_event_that_goes_to_the_dead_letter_topic_fails():
    cluster = FakeCluster(healthy_pods(), subscribers=["recurring-worker", "audit-worker"], failing=["audit-worker"])
    [result] = probe(cluster)
    assert result["passed"] is False and result["dead_lettered"] == 1
    assert result["reason"] == "1 event(s) went to the dead-letter topic task-events-dlq during the probe"


def test_dapr_refusing_the_event_fails_with_its_error_code():
    answer = (404, json.dumps({"errorCode": "ERR_PUBSUB_NOT_FOUND", "message": "pubsub pubsub-kafka is not found"})
              .encode())
    [result] = probe(FakeCluster(healthy_pods(), answer=answer))
    assert result["published"] is False and result["passed"] is False
    assert result["reason"] == ("the daprd sidecar of todo-backend-a refused the event: HTTP 404 ERR_PUBSUB_NOT_FOUND: "
                                "pubsub pubsub-kafka is not found")


def test_an_unreachable_sidecar_fails_that_probe_only():
    cluster = FakeCluster(healthy_pods(), answer=KubeError("POST", "x", 0, "connection refused"))
    [result] = probe(cluster)
    assert result["reason"] == "cannot reach the daprd sidecar of todo-backend-a: connection refused"


def test_a_topic_that_does_not_grow_fails():
    class Lost(FakeCluster):
        def pod_http(self, namespace, name, port, method, path, body=None, content_type=None):
            if port == _event_probe.DAPR_HTTP_PORT:
                return 204, b""
            return super().pod_http(namespace, name, port, method, path, body, content_type)
    [result] = probe(Lost(healthy_pods()))
    assert result["reason"] == "published, but topic task-events did not grow within the timeout"


@pytest.mark.parametrize("pods, message", [
    ([pod("todo-backend-a", "todo-backend", daprd=False), EXPORTER],
     "the pods of Dapr app-id todo-backend in todo-app have no daprd container (sidecar not injected)"),
    ([pod("todo-backend-a", "todo-backend", ready="False"), EXPORTER],
     "no running pod of Dapr app-id todo-backend in todo-app (1 found)"),
    ([EXPORTER], "no running pod of Dapr app-id todo-backend in todo-app (0 found)"),
])
def test_no_pod_to_publish_from_fails_the_probe_saying_why(pods, message):
    [result] = probe(FakeCluster(pods))
    assert result["passed"] is False and result["reason"] == message


def test_no_exporter_pod_stops_the_run():
    with pytest.raises(_event_probe.ProbeError, match="no running pod labelled strimzi.io/name=todo-kafka-kafka-"
                                                      "exporter in kafka"):
        probe(FakeCluster([pod("todo-backend-a", "todo-backend")]))


def test_without_an_exporter_a_probe_only_publishes():
    cluster = FakeCluster(healthy_pods())
    [result] = probe(cluster, exporter=None)
    assert result["passed"] is True and result["landed"] is None
    assert _event_probe.summary(result) == ("pass todo-backend -> task-events: published; not followed (no Kafka "
                                            "Exporter given)")
    assert cluster.requests == 2  # the pod list, the publish


def test_a_probe_without_subscribers_passes_once_it_landed():
    [result] = probe(FakeCluster(healthy_pods()), probes=[dict(PROBE, subscribers=[], title="task events land")])
    assert result["passed"] is True and result["round_trip"] == 0.0
    assert _event_probe.summary(result).startswith("pass task events land: event eventstack-probe-1 landed in "
                                                   "task-events in 0.0 s")


def fan_out_pods():
    return healthy_pods() + [pod("websocket-worker-b", "websocket-worker"), pod("websocket-worker-a", "websocket-worker"),
                             pod("websocket-worker-c", "websocket-worker", phase="Pending")]


FAN_OUT = dict(PROBE, subscribers=["audit-worker", "websocket-worker"],
               consumer_groups={"websocket-worker": "{podName}"})


def test_a_per_replica_subscriber_passes_only_when_every_running_replica_consumed_in_its_own_group():
    """consumerID {podName}: each running replica is a consumer group of its own (the pending one is not waited
    for); the probe names each replica, and passes once all of them caught up."""
    cluster = FakeCluster(fan_out_pods(), subscribers=["audit-worker", "websocket-worker-a", "websocket-worker-b"])
    [result] = probe(cluster, probes=[FAN_OUT])
    assert result["groups"] == {"audit-worker": "audit-worker", "websocket-worker/websocket-worker-a":
                                "websocket-worker-a", "websocket-worker/websocket-worker-b": "websocket-worker-b"}
    assert result["passed"] is True, result
    assert _event_probe.summary(result).startswith("pass todo-backend -> task-events: event eventstack-probe-1 consumed "
                                                   "by audit-worker, websocket-worker/websocket-worker-a, "
                                                   "websocket-worker/websocket-worker-b in ")


def test_replicas_sharing_one_group_leave_the_others_without_the_event_and_the_probe_names_them():
    """What one group for all replicas does: Kafka hands each event to one member, so the group named after the app
    advances while the replicas' own groups never appear - each replica that missed it is named."""
    cluster = FakeCluster(fan_out_pods(), subscribers=["audit-worker", "websocket-worker"])
    [result] = probe(cluster, probes=[FAN_OUT])
    assert result["passed"] is False
    assert result["reason"] == ("landed in task-events, but not consumed within the timeout by "
                                "websocket-worker/websocket-worker-a (group websocket-worker-a), "
                                "websocket-worker/websocket-worker-b (group websocket-worker-b)")


@pytest.mark.parametrize("template, message", [
    ("{podName}", "no running pod of websocket-worker, which consumes as one group per pod ({podName})"),
    ("{uuid}", "websocket-worker consumes as group {uuid}, a new random one per sidecar start, which cannot be "
               "followed"),
])
def test_a_per_replica_subscriber_that_cannot_be_followed_fails_the_probe_before_it_publishes(template, message):
    cluster = FakeCluster(healthy_pods(), subscribers=["audit-worker"])
    [result] = probe(cluster, probes=[dict(FAN_OUT, consumer_groups={"websocket-worker": template})])
    assert (result["passed"], result["published"], result["reason"]) == (False, False, message)
    assert cluster.published == []


def test_namespace_and_app_id_templates_make_one_group():
    cluster = FakeCluster(healthy_pods(), subscribers=["todo-app-audit-worker"])
    [result] = probe(cluster, probes=[dict(PROBE, subscribers=["audit-worker"],
                                           consumer_groups={"audit-worker": "{namespace}-{appID}"})])
    assert result["groups"] == {"audit-worker": "todo-app-audit-worker"} and result["passed"] is True


LAG_METRICS = """kafka_topic_partition_current_offset{partition="0",topic="reminders"} 9
kafka_topic_partition_current_offset{partition="1",topic="reminders"} 4
kafka_consumergroup_lag{consumergroup="audit-worker",partition="0",topic="reminders"} 2
kafka_consumergroup_lag{consumergroup="audit-worker",partition="1",topic="reminders"} -1
kafka_consumergroup_lag{consumergroup="notification-worker",partition="0",topic="reminders"} 0
"""


def lag_result(groups, subscribers=("audit-worker",), reason=""):
    return {"subscribers": list(subscribers), "groups": groups, "reason": reason}


def test_lag_is_observable_when_every_partition_of_the_topic_has_the_group_s_series():
    metrics = _event_probe.parse_metrics(LAG_METRICS)
    assert _event_probe.group_lag(metrics, "audit-worker", "reminders") == {"0": 2, "1": -1}
    passed, lines = _event_probe.lag_observable(metrics, [{"topic": "reminders"}],
                                                [lag_result({"audit-worker": "audit-worker"})])
    assert passed is True
    assert lines == ["pass audit-worker on reminders: lag 2 over 2 partition(s); no committed offset on partition(s) "
                     "1 (lag -1)"]


@pytest.mark.parametrize("groups, expected", [
    ({"websocket-worker/ws-0": "ws-0"},
     "FAIL no kafka_consumergroup_lag series for group ws-0 on topic reminders: the Kafka Exporter reports a group once "
     "it has committed an offset there and its groupRegex and topicRegex (Kafka spec.kafkaExporter) let it through"),
    ({"notification-worker": "notification-worker"},
     "FAIL kafka_consumergroup_lag of group notification-worker on topic reminders lacks partition(s) 1"),
    ({}, "FAIL reminders: no consumer group to look for (no running pod of x)"),
])
def test_a_missing_lag_series_fails_naming_the_group_and_topic(groups, expected):
    metrics = _event_probe.parse_metrics(LAG_METRICS)
    passed, lines = _event_probe.lag_observable(metrics, [{"topic": "reminders"}],
                                                [lag_result(groups, reason="no running pod of x")])
    assert passed is False and lines == [expected]


def test_the_prober_reads_the_lag_once_more_after_the_probes():
    cluster = FakeCluster(healthy_pods(), subscribers=["recurring-worker", "audit-worker"],
                          lag_series=["audit-worker"])
    [result], lag = probe(cluster, lag=True)
    assert result["passed"] is True
    assert lag["passed"] is False and lag["evidence"] == [
        "FAIL no kafka_consumergroup_lag series for group recurring-worker on topic task-events: the Kafka Exporter "
        "reports a group once it has committed an offset there and its groupRegex and topicRegex (Kafka "
        "spec.kafkaExporter) let it through", "pass audit-worker on task-events: lag 0 over 2 partition(s)"]
