# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: publish uniquely identified test events through Dapr sidecars and follow them through Kafka.

Logic of the event_flow_probe module. The sidecar's HTTP API listens on localhost only, so every request goes
through the API server's pods/portforward (as `kubectl port-forward` does; NetworkPolicies do not apply). Kafka is
read through the Strimzi Kafka Exporter's metrics: the topic's partition offsets show the event landed, each
subscriber's consumer group catching up with them shows it was consumed, and a dead-letter topic that grows shows a
subscriber gave up on it.

A subscriber's consumer group is what its pub/sub component makes it (Dapr's pubsub.kafka: ``consumerGroup`` if
set, else ``consumerID``, which defaults to the app-id; templated values are resolved per sidecar). A probe can
give a template per subscriber (``consumer_groups``): ``{appID}`` and ``{namespace}`` give one group, ``{podName}``
one group per pod - then every running replica must consume the event, each in its own group.
"""

from __future__ import annotations

import datetime
import json
import re
import time
import uuid

from ansible_collections.eventstack.oke.plugins.module_utils._checkpoint import verdict
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeError, kube_auth_argspec
from ansible_collections.eventstack.oke.plugins.module_utils._netpol import selector_matches

DAPR_HTTP_PORT = 3500
EXPORTER_PORT = 9404
EVENT_TYPE = "io.eventstack.oke.probe"
EVENT_SOURCE = "eventstack.oke/event_flow_probe"
_SAMPLE = re.compile(r'^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$')
_LABEL = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


class ProbeError(Exception):
    """The probe cannot run at all (no pod to publish from, no exporter to read)."""


def cloud_event(event_id, topic, sent):
    """The CloudEvent a probe publishes (content type application/cloudevents+json: Dapr passes it on as it is)."""
    return {"specversion": "1.0", "id": event_id, "source": EVENT_SOURCE, "type": EVENT_TYPE,
            "subject": topic, "datacontenttype": "application/json", "time": sent,
            "data": {"probe": event_id, "topic": topic}}


def parse_metrics(text):
    """Prometheus text exposition -> {metric name: [(labels, value)]}; comments and malformed lines are skipped."""
    metrics = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if not match:
            continue
        name, labels, value = match.groups()
        try:
            number = float(value)
        except ValueError:
            continue
        parsed = {key: re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), raw)
                  for key, raw in _LABEL.findall(labels or "")}
        metrics.setdefault(name, []).append((parsed, number))
    return metrics


def topic_offsets(metrics, topic):
    """{partition: next offset to be written} of a topic (kafka_topic_partition_current_offset)."""
    return {labels["partition"]: int(value) for labels, value in metrics.get("kafka_topic_partition_current_offset", [])
            if labels.get("topic") == topic and "partition" in labels}


def group_offsets(metrics, group, topic):
    """{partition: committed offset} of a consumer group on a topic (kafka_consumergroup_current_offset)."""
    return {labels["partition"]: int(value) for labels, value in metrics.get("kafka_consumergroup_current_offset", [])
            if labels.get("topic") == topic and labels.get("consumergroup") == group and "partition" in labels}


def group_lag(metrics, group, topic):
    """{partition: lag} of a consumer group on a topic (kafka_consumergroup_lag; -1 where it has no offset)."""
    return {labels["partition"]: int(value) for labels, value in metrics.get("kafka_consumergroup_lag", [])
            if labels.get("topic") == topic and labels.get("consumergroup") == group and "partition" in labels}


def lag_observable(metrics, probes, results):
    """(passed, evidence): kafka_consumergroup_lag present for every partition of each probed topic, for each
    subscriber's consumer group (the groups the probe followed). The exporter reports a group on a topic once the
    group has committed an offset there and its groupRegex/topicRegex (Kafka spec.kafkaExporter) let it through."""
    lines, passed = [], True
    for probe, result in zip(probes, results):
        topic = probe["topic"]
        partitions = topic_offsets(metrics, topic)
        if not result["subscribers"]:
            continue
        if not result["groups"]:
            passed = False
            lines.append("FAIL %s: no consumer group to look for (%s)" % (topic, result["reason"] or "none found"))
            continue
        for label, group in result["groups"].items():
            lag = group_lag(metrics, group, topic)
            missing = sorted(set(partitions) - set(lag), key=lambda p: int(p) if p.isdigit() else p)
            named = label if label == group else "%s (group %s)" % (label, group)
            if not lag:
                passed = False
                lines.append("FAIL no kafka_consumergroup_lag series for group %s on topic %s: the Kafka Exporter "
                             "reports a group once it has committed an offset there and its groupRegex and topicRegex "
                             "(Kafka spec.kafkaExporter) let it through" % (group, topic))
            elif missing:
                passed = False
                lines.append("FAIL kafka_consumergroup_lag of group %s on topic %s lacks partition(s) %s" % (
                    group, topic, ", ".join(missing)))
            else:
                unknown = [p for p, value in lag.items() if value < 0]
                lines.append("pass %s on %s: lag %d over %d partition(s)%s" % (
                    named, topic, sum(v for v in lag.values() if v > 0), len(lag),
                    "; no committed offset on partition(s) %s (lag -1)" % ", ".join(sorted(unknown)) if unknown else ""))
    return passed, lines or ["no subscriber to look for"]


def grew(before, after):
    """Messages written between two readings of a topic's offsets."""
    return sum(max(0, offset - before.get(partition, 0)) for partition, offset in after.items())


def caught_up(committed, target):
    """Whether a group has consumed everything up to the topic offsets `target` (partitions never written: no need)."""
    return all(committed.get(partition, -1) >= offset for partition, offset in target.items() if offset > 0)


def _annotations(pod):
    return (pod.get("metadata") or {}).get("annotations") or {}


def _has_daprd(pod):
    spec = pod.get("spec") or {}
    return any(c.get("name") == "daprd" for c in (spec.get("containers") or []) + (spec.get("initContainers") or []))


def _running(pod):
    status = pod.get("status") or {}
    if status.get("phase", "Running") != "Running" or (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    ready = [c for c in status.get("conditions") or [] if c.get("type") == "Ready"]
    return not ready or ready[0].get("status") == "True"


def _selector(labels):
    return ",".join("%s=%s" % item for item in sorted((labels or {}).items()))


def pick_pod(client, namespace, app_id=None, labels=None):
    """A running pod: of a Dapr app-id (with its daprd sidecar) or matching labels. Raises ProbeError saying why none."""
    query = {"labelSelector": _selector(labels)} if labels else None
    pods = client.request("GET", "/api/v1/namespaces/%s/pods" % namespace, query=query).get("items") or []
    if labels:  # also where the server ignores the selector
        pods = [p for p in pods if selector_matches({"matchLabels": labels}, (p.get("metadata") or {}).get("labels"))]
    if app_id is not None:
        pods = [p for p in pods if _annotations(p).get("dapr.io/app-id") == app_id]
        what = "of Dapr app-id %s" % app_id
        if pods and not any(_has_daprd(p) for p in pods):
            raise ProbeError("the pods %s in %s have no daprd container (sidecar not injected)" % (what, namespace))
        pods = [p for p in pods if _has_daprd(p)]
    else:
        what = "labelled %s" % _selector(labels)
    running = sorted((p for p in pods if _running(p)), key=lambda p: p["metadata"]["name"])
    if not running:
        raise ProbeError("no running pod %s in %s (%d found)" % (what, namespace, len(pods)))
    return running[0]["metadata"]["name"]


def running_pods(client, namespace, app_id):
    """The names of the running pods of a Dapr app-id that have their daprd sidecar, sorted."""
    pods = client.request("GET", "/api/v1/namespaces/%s/pods" % namespace).get("items") or []
    return sorted(p["metadata"]["name"] for p in pods
                  if _annotations(p).get("dapr.io/app-id") == app_id and _has_daprd(p) and _running(p))


def consumer_groups(client, namespace, app_id, template=None):
    """{label: consumer group} of a subscriber whose component makes its group from `template` (default the app-id):
    one entry, or with {podName} one per running replica (label "<app-id>/<pod>"). Raises ProbeError when the group
    cannot be followed."""
    template = template or "{appID}"
    if "{uuid}" in template:
        raise ProbeError("%s consumes as group %s, a new random one per sidecar start, which cannot be followed"
                         % (app_id, template))
    group = template.replace("{appID}", app_id).replace("{namespace}", namespace)
    if "{podName}" not in group:
        return {app_id: group}
    pods = running_pods(client, namespace, app_id)
    if not pods:
        raise ProbeError("no running pod of %s, which consumes as one group per pod (%s)" % (app_id, template))
    return {"%s/%s" % (app_id, pod): group.replace("{podName}", pod) for pod in pods}


def _dapr_error(status, body):
    try:
        decoded = json.loads(body or b"{}")
        return "HTTP %s %s: %s" % (status, decoded.get("errorCode", ""), decoded.get("message", body))
    except (TypeError, ValueError):
        return "HTTP %s: %s" % (status, (body or b"").decode("utf-8", "replace")[:300])


class Prober:
    """Runs a set of probes: one metrics reading before, one publish per probe, then a reading every `interval`
    seconds until each probe's subscribers have caught up or `timeout` passes. Round trips are measured to the
    reading that first showed the event consumed, so their resolution is the interval."""

    def __init__(self, client, namespace, pubsub, exporter=None, timeout=60.0, interval=2.0,
                 clock=None, new_id=None, latency_max=None, lag=False):
        self.client, self.namespace, self.pubsub = client, namespace, pubsub
        self.lag, self.lag_result = lag, None
        self.latency_max = latency_max
        self.exporter, self.timeout, self.interval = exporter, timeout, interval
        self.clock = clock or time.monotonic
        self.new_id = new_id or (lambda: "eventstack-probe-%s" % uuid.uuid4())

    def _metrics(self, pod):
        status, body = self.client.pod_http(self.exporter["namespace"], pod, self.exporter.get("port", EXPORTER_PORT),
                                            "GET", "/metrics")
        if status != 200:
            raise ProbeError("the Kafka Exporter answered HTTP %s on /metrics" % status)
        return parse_metrics(body.decode("utf-8", "replace"))

    def _publish(self, probe, result):
        try:
            result["pod"] = pick_pod(self.client, self.namespace, app_id=probe["publisher"])
        except ProbeError as exc:
            result["reason"] = str(exc)
            return None
        event_id = self.new_id()
        sent = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        body = json.dumps(cloud_event(event_id, probe["topic"], sent)).encode()
        result.update(event_id=event_id, sent=sent)
        started = self.clock()
        try:
            status, answer = self.client.pod_http(self.namespace, result["pod"], DAPR_HTTP_PORT, "POST",
                                                  "/v1.0/publish/%s/%s" % (self.pubsub, probe["topic"]), body,
                                                  "application/cloudevents+json")
        except KubeError as exc:
            result["reason"] = "cannot reach the daprd sidecar of %s: %s" % (result["pod"], exc.reason)
            return None
        result["published"] = status in (200, 204)
        result["publish_seconds"] = round(self.clock() - started, 3)
        if not result["published"]:
            result["reason"] = "the daprd sidecar of %s refused the event: %s" % (
                result["pod"], _dapr_error(status, answer))
        return started

    def run(self, probes):
        results = [dict(title=p.get("title") or "%s -> %s" % (p["publisher"], p["topic"]), topic=p["topic"],
                        publisher=p["publisher"], subscribers=list(p.get("subscribers") or []), pod=None,
                        event_id=None, published=False, landed=None, consumed={}, dead_lettered=0, round_trip=None,
                        passed=False, reason="", groups={}) for p in probes]
        exporter_pod, before = None, {}
        if self.exporter:
            exporter_pod = pick_pod(self.client, self.exporter["namespace"], labels=self.exporter.get("labels"))
            before = self._metrics(exporter_pod)
        started = {}
        for index, (probe, result) in enumerate(zip(probes, results)):
            templates = probe.get("consumer_groups") or {}
            try:  # the replicas that must consume it are those running when it is sent
                for subscriber in result["subscribers"]:
                    result["groups"].update(consumer_groups(self.client, self.namespace, subscriber,
                                                            templates.get(subscriber)))
            except ProbeError as exc:
                result["reason"] = str(exc)
                started[index] = None
                continue
            started[index] = self._publish(probe, result)
        pending = {i for i, r in enumerate(results) if r["published"]}
        if not self.exporter:
            for i in pending:
                results[i].update(passed=True, reason="published; not followed (no Kafka Exporter given)")
            return results
        baseline = {i: topic_offsets(before, probes[i]["topic"]) for i in pending}
        dead_before = {i: topic_offsets(before, probes[i]["dead_letter_topic"])
                       for i in pending if probes[i].get("dead_letter_topic")}
        deadline = self.clock() + self.timeout
        while pending:
            metrics = self._metrics(exporter_pod)
            now = self.clock()
            for i in sorted(pending):
                if self._follow(probes[i], results[i], metrics, baseline[i], dead_before.get(i), now - started[i],
                                self.latency_max):
                    pending.discard(i)
            if not pending or now >= deadline:
                break
            self.client.sleep(min(self.interval, max(0.0, deadline - now)))
        for i in pending:
            self._judge_late(results[i])
        if self.lag:  # one more reading, after the probes: every subscriber's group has consumed by now
            started_lag = self.clock()
            passed, evidence = lag_observable(self._metrics(exporter_pod), probes, results)
            self.lag_result = {"passed": passed, "evidence": evidence,
                               "seconds": round(self.clock() - started_lag, 3)}
        return results

    @staticmethod
    def _follow(probe, result, metrics, baseline, dead_before, seconds, latency_max=None):
        """Update a probe's result from one metrics reading; True when it needs no further reading."""
        after = topic_offsets(metrics, probe["topic"])
        if not after:
            result["reason"] = "the Kafka Exporter reports no partitions of topic %s" % probe["topic"]
            return False
        if not result["landed"] and grew(baseline, after):
            result["landed"] = True
            result["landed_seconds"] = round(seconds, 3)
            result["target"] = after
        if not result["landed"]:
            return False
        for label, group in result["groups"].items():
            committed = group_offsets(metrics, group, probe["topic"])
            if result["consumed"].get(label) is None and caught_up(committed, result["target"]):
                result["consumed"][label] = round(seconds, 3)
        if dead_before is not None:
            result["dead_lettered"] = grew(dead_before, topic_offsets(metrics, probe["dead_letter_topic"]))
        if all(result["consumed"].get(label) is not None for label in result["groups"]):
            result["round_trip"] = round(seconds, 3)
            if result["dead_lettered"]:
                result["reason"] = "%d event(s) went to the dead-letter topic %s during the probe" % (
                    result["dead_lettered"], probe["dead_letter_topic"])
            elif latency_max and result["round_trip"] > latency_max:
                result["reason"] = "consumed by %s in %.1f s, over the %g s limit" % (
                    ", ".join(result["subscribers"]) or "nobody (landed)", result["round_trip"], latency_max)
            else:
                result["passed"] = True
            return True
        return False

    @staticmethod
    def _judge_late(result):
        if result["reason"]:
            return
        if not result["landed"]:
            result["reason"] = "published, but topic %s did not grow within the timeout" % result["topic"]
            return
        late = [label for label in result["groups"] if result["consumed"].get(label) is None]
        result["reason"] = "landed in %s, but not consumed within the timeout by %s" % (
            result["topic"], ", ".join("%s (group %s)" % (label, result["groups"][label])
                                       if result["groups"][label] != label else label for label in late))
        for label in late:
            result["consumed"].setdefault(label, None)


def summary(result):
    """One line of evidence per probe."""
    if not result["passed"]:
        return "FAIL %s: %s" % (result["title"], result["reason"])
    if result["round_trip"] is None:
        return "pass %s: %s" % (result["title"], result["reason"])
    if not result["subscribers"]:
        return "pass %s: event %s landed in %s in %.1f s" % (
            result["title"], result["event_id"], result["topic"], result["round_trip"])
    return "pass %s: event %s consumed by %s in %.1f s" % (
        result["title"], result["event_id"], ", ".join(result["groups"]) or "nobody (landed)",
        result["round_trip"])


PROBE_SPEC = dict(topic=dict(type="str", required=True), publisher=dict(type="str", required=True),
                  subscribers=dict(type="list", elements="str", default=[]),
                  consumer_groups=dict(type="dict", default={}), dead_letter_topic=dict(type="str"),
                  title=dict(type="str"))
EXPORTER_SPEC = dict(namespace=dict(type="str", required=True), labels=dict(type="dict", required=True),
                     port=dict(type="int", default=EXPORTER_PORT))
ARGUMENT_SPEC = kube_auth_argspec(
    namespace=dict(type="str", required=True),
    pubsub=dict(type="str", required=True),
    probes=dict(type="list", elements="dict", required=True, options=PROBE_SPEC),
    exporter=dict(type="dict", options=EXPORTER_SPEC),
    timeout=dict(type="float", default=60.0),
    interval=dict(type="float", default=2.0),
    latency_max=dict(type="float"),
    lag=dict(type="bool", default=False),
    fail_on_failure=dict(type="bool", default=True),
)


def check(params, connect, check_mode=False):
    """event_flow_probe's answer (the module's or, on the controller, the action plugin's): every probe published and
    followed through the client connect() returns; in check mode nothing is published (and the cluster is not
    asked)."""
    if check_mode:
        skipped = dict(changed=False, skipped=True, skip_reason="check mode publishes nothing", passed=True,
                       requests=0, elapsed=0.0, results=[],
                       evidence=["skipped in check mode: %d probe(s) not published" % len(params["probes"])])
        if params["lag"]:
            skipped["lag"] = {"passed": True, "seconds": 0.0,
                              "evidence": ["skipped in check mode: the groups consumed no probe event to be seen"]}
        return skipped
    started = time.monotonic()
    client = connect()
    prober = Prober(client, params["namespace"], params["pubsub"], exporter=params["exporter"],
                    timeout=params["timeout"], interval=params["interval"], latency_max=params["latency_max"],
                    lag=params["lag"])
    try:
        results = prober.run(params["probes"])
    except (ProbeError, KubeError) as exc:
        return dict(failed=True, msg="cannot probe: %s" % exc, results=[], evidence=["FAIL cannot probe: %s" % exc],
                    passed=False, requests=client.requests, elapsed=round(time.monotonic() - started, 3))
    evidence = [summary(r) for r in results]
    output = dict(changed=False, results=results, evidence=evidence, passed=all(r["passed"] for r in results),
                  requests=client.requests, elapsed=round(time.monotonic() - started, 3))
    if params["lag"]:
        output["lag"] = prober.lag_result or {"passed": False, "seconds": 0.0, "evidence": [
            "FAIL no Kafka Exporter given: the consumer groups' lag cannot be read"]}
    return verdict(output, "; ".join(line for line in evidence if line.startswith("FAIL")), params["fail_on_failure"])
