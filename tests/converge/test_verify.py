"""playbooks/verify.yml in apply mode against the emulator holding a converged local inventory: with the statuses a
healthy cluster reports every checkpoint passes; a crash-looping app fails the verdict, and the report says why; the
event probe names a subscriber that consumes nothing and one that dead-letters; on an OCI inventory the OKE
checkpoint reads the cluster from the OCI stand-in."""

from __future__ import annotations

import base64
import json
import urllib.error

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _pod_model
from tests.support.cni_standin import NodeStandIn
from tests.support.dapr_standin import DaprKafkaStandIn
from tests.support.gateway_standin import GatewayStandIn, ca_pem, envoy_proxy, issue, make_ca, tls_secret
from tests.support.metrics_standin import MetricsServerStandIn
from tests.support.oci_config import write_config
from tests.support.oci_standin import ADS, COMPARTMENT, OciStandIn, Scenario, node
from tests.support.playbook import oracle_oci_installed, run_playbook

NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "kind-control-plane"}}
ALLOCATABLE = {"status": {"allocatable": {"cpu": "8", "memory": "16Gi", "pods": "110"},
                          "capacity": {"cpu": "8", "memory": "16Gi", "pods": "110"},
                          "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                          "message": "kubelet is posting ready status"}]}}
# What the HPA controller reports once it reads its metric.
SCALING_ACTIVE = {"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound",
                  "message": "the HPA was able to successfully calculate a replica count from cpu resource "
                             "utilization (percentage of request)"}
# (api_version, plural, kind, condition type) of the objects whose readiness the checkpoints read.
READY = [("apps/v1", "deployments", "Deployment", "Available"),
         ("kafka.strimzi.io/v1", "kafkas", "Kafka", "Ready"),
         ("kafka.strimzi.io/v1", "kafkatopics", "KafkaTopic", "Ready"),
         ("gateway.networking.k8s.io/v1", "gateways", "Gateway", "Programmed"),
         ("postgresql.cnpg.io/v1", "clusters", "Cluster", "Ready")]


# The checkpoints read through the Kubernetes API (k8s_live_checks), in the report's order.
LIVE = ["Every node Ready with its node pool's shape", "The CI deployer may deploy the apps and nothing else",
        "No Secret value exposed in ConfigMaps, env literals or annotations",
        "Quotas present and LimitRange defaults applied", "metrics.k8s.io answers for the app pods (kubectl top)",
        "Every HPA reads its metrics (ScalingActive)"]


# The checkpoints asked through the Dapr sidecars (dapr_probe), in the report's order.
DAPR = ["State saved, read and deleted through a scoped Dapr sidecar", "Apps read their secrets through Dapr",
        "Service invocation between apps, with the Resiliency applied", "A Dapr job is scheduled, triggered and deleted"]


# The checkpoints asked through the gateway (gateway_probe), and the consumer lag one (event_flow_probe).
GATEWAY = ["The gateway routes /, /api and the WebSocket to their backends",
           "HTTPS valid, HTTP redirected and security headers present"]
LAG = "Kafka consumer lag observable for every subscriber (kafka_consumergroup_lag)"


def _prefix(api_version):
    return ("/api/" if "/" not in api_version else "/apis/") + api_version


# The Dapr injector as the dapr role configures it (sidecarDropALLCapabilities), and the Strimzi operator's pod
# security provider as the strimzi_kafka role sets it: the pods they start are admitted by the emulator's Pod Security.
INJECTOR = _pod_model.dapr_injector_settings([], [{"chart": "dapr", "values": {"dapr_sidecar_injector": {
    "sidecarDropALLCapabilities": True}}}])
STRIMZI_PROVIDER = "restricted"


ENGINE = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "calico-node", "namespace": "kube-system"},
          "spec": {"selector": {"matchLabels": {"k8s-app": "calico-node"}}, "template": {
              "metadata": {"labels": {"k8s-app": "calico-node"}},
              "spec": {"hostNetwork": True, "containers": [{"name": "calico-node", "image": "quay.io/calico/node:v3.32.1",
                                                            "securityContext": {"privileged": True}}]}}}}


# The Deployments of the Dapr control plane the chart installs (restricted-compliant as the dapr role sets them): the
# dapr role declares them ready when Available, and verify checks the same.
DAPR_CONTROL_PLANE = [{
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "dapr-system"},
    "spec": {"selector": {"matchLabels": {"app": name}}, "template": {
        "metadata": {"labels": {"app": name}},
        "spec": {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                 "containers": [{"name": name, "image": "ghcr.io/dapr/dapr:1.16.2",
                                 "resources": {"requests": {"cpu": "50m", "memory": "64Mi"},
                                               "limits": {"cpu": "200m", "memory": "256Mi"}},
                                 "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                                     "capabilities": {"drop": ["ALL"]}}}]}}}}
    for name in ("dapr-operator", "dapr-sentry", "dapr-sidecar-injector")]


def make_healthy(server, replicas=None, engine=True, **bus):
    """What the controllers and kubelets of a healthy one-node cluster would have reported, and the Dapr sidecars and
    Kafka Exporter the event probe talks to (their stand-in is returned). The pods go through the emulator's Pod
    Security admission: each is its Deployment's template (with the injected daprd) or the model of Strimzi's pod.
    The node (NodeStandIn) runs every pod created from now on and carries their traffic - judged by the
    NetworkPolicies where a policy engine runs, here Calico's calico-node, all of its pods ready (engine=False: none,
    as on OKE's own CNIs)."""
    NodeStandIn(server)
    server.call("POST", "/api/v1/nodes", NODE, "application/json")
    if engine:
        server.call("POST", "/apis/apps/v1/namespaces/kube-system/daemonsets", ENGINE, "application/json")
        server.call("PATCH", "/apis/apps/v1/namespaces/kube-system/daemonsets/calico-node/status",
                    {"status": {"desiredNumberScheduled": 1, "numberReady": 1, "currentNumberScheduled": 1}})
        # What the tigera operator reports once calico-node runs everywhere (the policy_engine role waits for it).
        server.call("POST", "/apis/operator.tigera.io/v1/tigerastatuses", {
            "apiVersion": "operator.tigera.io/v1", "kind": "TigeraStatus", "metadata": {"name": "calico"}},
            "application/json")
        server.call("PATCH", "/apis/operator.tigera.io/v1/tigerastatuses/calico/status", {"status": {"conditions": [
            {"type": "Available", "status": "True", "reason": "AllObjectsAvailable", "message": "All objects available",
             "lastTransitionTime": "2026-12-02T06:00:00Z"}]}})
    server.call("PATCH", "/api/v1/nodes/kind-control-plane/status", ALLOCATABLE)
    for deployment in DAPR_CONTROL_PLANE:
        server.call("POST", "/apis/apps/v1/namespaces/dapr-system/deployments", deployment, "application/json")
    for api_version, plural, kind, condition in READY:
        for obj in server.objects(kind):
            meta = obj["metadata"]
            server.call("PATCH", "%s/namespaces/%s/%s/%s/status" % (_prefix(api_version), meta["namespace"], plural,
                                                                    meta["name"]),
                        {"status": {"conditions": [{"type": condition, "status": "True", "reason": "Ready",
                                                    "message": "ready", "lastTransitionTime": "2026-12-02T06:00:00Z",
                                                    "observedGeneration": meta.get("generation", 1)}]}})
    for group in _pod_model.inject_dapr(_pod_model.template_pods(server.objects("Deployment")), INJECTOR):
        for number in range((replicas or {}).get(group["name"], 1)):
            server.call("POST", "/api/v1/namespaces/%s/pods" % group["namespace"], {
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "%s-%d" % (group["name"], number), "namespace": group["namespace"],
                             "labels": group["metadata"]["labels"],
                             "annotations": group["metadata"].get("annotations", {})},
                "spec": dict(group["spec"], nodeName="kind-control-plane")}, "application/json")
    for kafka in server.objects("Kafka"):  # what Strimzi starts for spec.kafkaExporter
        (exporter,) = [g for g in _pod_model.strimzi_pods(kafka, [], STRIMZI_PROVIDER) if g["label"] == "kafka exporter"]
        name, namespace = kafka["metadata"]["name"] + "-kafka-exporter", kafka["metadata"]["namespace"]
        server.call("POST", "/api/v1/namespaces/%s/pods" % namespace, {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name + "-7d9f8-x2x4q", "namespace": namespace,
                         "labels": {"strimzi.io/name": name, "strimzi.io/kind": "Kafka"}},
            "spec": dict(exporter["spec"], nodeName="kind-control-plane")}, "application/json")
    for hpa in server.objects("HorizontalPodAutoscaler"):
        meta = hpa["metadata"]
        server.call("PATCH", "/apis/autoscaling/v2/namespaces/%s/horizontalpodautoscalers/%s/status" % (
            meta["namespace"], meta["name"]), {"status": {
                "currentReplicas": 1, "desiredReplicas": 1, "conditions": [SCALING_ACTIVE],
                "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {
                    "averageUtilization": 20, "averageValue": "20m"}}}]}})
    # One pod of the Dapr Scheduler (the chart's dapr-scheduler-server StatefulSet, restricted-compliant as the dapr
    # role sets it): the Jobs API of the sidecars works while it runs.
    server.call("POST", "/api/v1/namespaces/dapr-system/pods", {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "dapr-scheduler-server-0", "namespace": "dapr-system",
                     "labels": {"app": "dapr-scheduler-server"}},
        "spec": {"nodeName": "kind-control-plane",
                 "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                 "containers": [{"name": "dapr-scheduler-server", "image": "ghcr.io/dapr/scheduler:1.16.2",
                                 "resources": {"requests": {"cpu": "50m", "memory": "64Mi"},
                                               "limits": {"cpu": "200m", "memory": "256Mi"}},
                                 "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                                     "capabilities": {"drop": ["ALL"]}}}]}}, "application/json")
    MetricsServerStandIn(server)
    # Envoy Gateway's proxy for the Gateway (its pod and LoadBalancer Service), answering as Envoy programmed from
    # the Gateway, its HTTPRoutes and ClientTrafficPolicy would.
    envoy_proxy(server)
    GatewayStandIn(server)
    return DaprKafkaStandIn(server, **bus)


def verify(env, tmp_path, **extra_vars):
    run = run_playbook("inventories/local", env=dict(env, ANSIBLE_SKIP_TAGS=""), emulator=True, playbook="playbooks/verify.yml",
                       extra_vars=dict(extra_vars, eventstack_build_dir=str(tmp_path)))
    assert (tmp_path / "report.json").exists(), run.output
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    return run, report


def checkpoint(report, prefix):
    (found,) = [c for c in report["checkpoints"] if c["name"].startswith(prefix)]
    return found


def test_a_healthy_cluster_passes_every_checkpoint(converged, tmp_path):
    server, env = converged
    bus = make_healthy(server, replicas={"websocket-worker": 2})
    before = len(server.objects())
    run, report = verify(env, tmp_path)
    failing = {c["name"]: c["evidence"] for c in report["checkpoints"] if not c["passed"]}
    assert not failing, failing
    live = {c["name"]: "\n".join(c["evidence"]) for c in report["checkpoints"] if c["name"] in LIVE}
    assert "1 of 1 node(s) Ready" in live[LIVE[0]]
    assert ('pass allowed patch deployments.apps in todo-app - RBAC: allowed by RoleBinding "eventstack-deployer/todo-app"'
            ' of Role "eventstack-deployer"' in live[LIVE[1]]), live[LIVE[1]]
    assert "pass denied create deployments.apps in kube-system" in live[LIVE[1]], live[LIVE[1]]
    assert "none exposed" in live[LIVE[2]], live[LIVE[2]]
    assert ("pass todo-app: a pod without resources (dry run, nothing stored) gets requests cpu=50m, memory=64Mi; "
            "limits cpu=500m, memory=512Mi") in live[LIVE[3]], live[LIVE[3]]
    assert "metrics.k8s.io reports 7 of 7 running pods in todo-app" in live[LIVE[4]], live[LIVE[4]]
    assert "pass HPA todo-backend: ScalingActive=True" in live[LIVE[5]], live[LIVE[5]]
    assert run.rc == 0, run.output
    assert report["verdict"]["passed"] is True, report
    assert [c["name"] for c in report["checkpoints"]] == [
        "Every layer is ready", "What runs fits the nodes, the quotas and the budget",
        "Every pod is admitted by its namespace's Pod Security level",
        "NetworkPolicies allow the flows the stack needs", "NetworkPolicies are enforced: a connection they deny fails",
        "Events flow through Dapr and Kafka to their subscribers", LAG] + LIVE + DAPR + GATEWAY
    events = checkpoint(report, "Events flow")["evidence"]
    gateway = {c["name"]: "\n".join(c["evidence"]) for c in report["checkpoints"] if c["name"] in GATEWAY}
    assert "asked through the API server's service proxy to Service envoy-gateway-system/envoy-envoy-gateway-system-" \
        in gateway[GATEWAY[0]], gateway[GATEWAY[0]]
    for line in ("pass GET /: 200 text/html from todo-app/todo-frontend (rule / of HTTPRoute todo-app/eventstack-apps)",
                 "pass GET /api/health: 200 application/json from todo-app/todo-backend (rule /api of HTTPRoute "
                 "todo-app/eventstack-apps)",
                 "pass WebSocket upgrade on /ws: 101 Switching Protocols, Sec-WebSocket-Accept valid from "
                 "todo-app/websocket-worker (rule /ws of HTTPRoute todo-app/eventstack-apps)"):
        assert line in gateway[GATEWAY[0]], gateway[GATEWAY[0]]
    assert ("pass HTTP GET / (200) carries Permissions-Policy, Referrer-Policy, X-Content-Type-Options, "
            "X-Frame-Options") in gateway[GATEWAY[1]], gateway[GATEWAY[1]]
    lag = checkpoint(report, "Kafka consumer lag")["evidence"]
    assert "pass notification-worker on reminders: lag 0 over 1 partition(s)" in lag, lag
    assert [line.split(" on ")[0] for line in lag] == [
        "pass recurring-worker", "pass audit-worker", "pass notification-worker", "pass audit-worker",
        "pass audit-worker", "pass websocket-worker/websocket-worker-0 (group websocket-worker-0)",
        "pass websocket-worker/websocket-worker-1 (group websocket-worker-1)"], lag
    enforcement = checkpoint(report, "NetworkPolicies are enforced")
    assert enforcement["required"] is True and enforcement["passed"] is True, enforcement
    assert enforcement["evidence"][0].startswith("pass the probe pod todo-app/eventstack-netpol-probe-"), enforcement
    assert ("resolved todo-frontend.todo-app.svc.cluster.local and reached the cluster DNS over TCP but could not "
            "connect to todo-frontend:3000 (nc: todo-frontend.todo-app.svc.cluster.local (10.96.") \
        in enforcement["evidence"][0]
    assert enforcement["evidence"][0].endswith("enforced by calico-node in kube-system: 1 of 1 ready")
    dapr = {c["name"]: "\n".join(c["evidence"]) for c in report["checkpoints"] if c["name"] in DAPR}
    assert "pass audit-worker (pod audit-worker-0) -> state store statestore: saved, read back and deleted key " \
        "eventstack-verify-" in dapr[DAPR[0]], dapr[DAPR[0]]
    assert "pass todo-backend reads kubernetes-secrets/jwt-secret in " in dapr[DAPR[1]], dapr[DAPR[1]]
    assert "key(s) JWT_SECRET (values not shown)" in dapr[DAPR[1]], dapr[DAPR[1]]
    assert "pass todo-frontend -> todo-backend /health: HTTP 200 in " in dapr[DAPR[2]], dapr[DAPR[2]]
    assert ("pass Resiliency eventstack applies to todo-frontend -> todo-backend (timeout general, retry constant, "
            "circuitBreaker consecutive), loaded at sidecar start") in dapr[DAPR[2]], dapr[DAPR[2]]
    assert dapr[DAPR[3]].startswith("pass job eventstack-verify-"), dapr[DAPR[3]]
    assert [(t[1], t[2]) for t in bus.triggered] == [("audit-worker", dapr[DAPR[3]].split()[2])]
    assert not bus.jobs and not any(bus.state.values()), "the probes leave nothing behind"
    report_text = (tmp_path / "report.json").read_text(encoding="utf-8")
    for secret in server.objects("Secret", "todo-app"):
        for value in secret.get("data", {}).values():
            shown = base64.b64decode(value).decode("utf-8", "replace")
            assert len(shown) < 8 or (shown not in report_text and shown not in run.output), secret["metadata"]["name"]
    assert [line.split(":")[0] for line in events] == [
        "pass todo-backend -> task-events", "pass todo-backend -> reminders", "pass todo-backend -> task-updates"]
    assert "consumed by notification-worker, audit-worker in " in events[1], events
    # The websocket worker's replicas each consume every task update in a group of their own.
    assert ("consumed by audit-worker, websocket-worker/websocket-worker-0, websocket-worker/websocket-worker-1 in "
            in events[2]), events
    assert {e["id"] for e in bus.published if e["subject"] == "task-updates"} <= set(
        bus.received["websocket-worker-0"]) & set(bus.received["websocket-worker-1"])
    assert sorted(e["subject"] for e in bus.published) == ["reminders", "task-events", "task-updates"]
    layers = "\n".join(report["checkpoints"][0]["evidence"])
    for line in ("pass Kafka todo-kafka Ready", "pass Kafka topics Ready", "pass Dapr sidecars injected into the apps' pods",
                 "pass Deployments available in todo-app", "pass PostgreSQL cluster todo-db Ready",
                 "pass Dapr control plane Available: 3 of 3 Available"):
        assert line in layers, layers
    assert run.recap["changed"] == 0, run.output
    assert len(server.objects()) == before, "verify changes nothing (the probe pod is gone again)"
    assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith("# Verification report: local (apply")
    assert "<table>" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_a_crash_looping_app_fails_the_verdict_with_the_reason(converged, tmp_path):
    server, env = converged
    make_healthy(server)
    server.call("PATCH", "/apis/apps/v1/namespaces/todo-app/deployments/todo-backend/status", {"status": {
        "conditions": [{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"}]}})
    server.call("PATCH", "/api/v1/namespaces/todo-app/pods/todo-backend-0/status", {"status": {
        "phase": "Running", "containerStatuses": [{"name": "app", "ready": False, "restartCount": 5, "state": {
            "waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}}}]}})
    run, report = verify(env, tmp_path)
    assert run.rc != 0
    assert ("FAIL: 17 of 19 checkpoints passed; required and failing: Every layer is ready, Service invocation between "
            "apps, with the Resiliency applied") in run.output, run.output
    layers = "\n".join(report["checkpoints"][0]["evidence"])
    assert "FAIL Deployments available in todo-app: 5 of 6 Available" in layers or "FAIL Deployments available" \
        in layers, layers
    assert "pod todo-backend-0 container app waiting: CrashLoopBackOff" in layers, layers
    invocation = "\n".join(line for c in report["checkpoints"] if c["name"] == DAPR[2] for line in c["evidence"])
    assert "FAIL todo-frontend -> todo-backend /health: HTTP 503: " in invocation, invocation


def test_a_workload_its_namespace_refuses_fails_the_pod_security_checkpoint(converged, tmp_path):
    """The audit worker's template loses its pod security context: the emulator's admission refuses its next pod as
    the cluster's would, and verify names the template and the refusal it recorded."""
    server, env = converged
    make_healthy(server)
    path = "/apis/apps/v1/namespaces/todo-app/deployments/audit-worker"
    server.call("PATCH", path, {"spec": {"template": {"spec": {"securityContext": None}}}})
    deployment = server.get("apps/v1", "Deployment", "audit-worker", "todo-app")
    (group,) = _pod_model.inject_dapr(_pod_model.template_pods([deployment]), INJECTOR)
    with pytest.raises(urllib.error.HTTPError) as refused:
        server.call("POST", "/api/v1/namespaces/todo-app/pods", {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "audit-worker-1", "namespace": "todo-app"},
            "spec": group["spec"]}, "application/json")
    message = json.loads(refused.value.read())["message"]
    assert refused.value.code == 403 and message.startswith(
        'pods "audit-worker-1" is forbidden: violates PodSecurity "restricted:v1.34": runAsNonRoot != true'), message
    server.call("POST", "/api/v1/namespaces/todo-app/events", {
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "audit-worker-x.1", "namespace": "todo-app"},
        "involvedObject": {"kind": "ReplicaSet", "name": "audit-worker-x", "namespace": "todo-app"},
        "type": "Warning", "reason": "FailedCreate", "message": "Error creating: " + message}, "application/json")
    run, report = verify(env, tmp_path, verify_event_probe=False)
    assert run.rc != 0
    assert report["verdict"]["failed_required"] == ["Every pod is admitted by its namespace's Pod Security level"]
    evidence = "\n".join(report["checkpoints"][2]["evidence"])
    assert ('refused: pods "audit-worker" is forbidden: violates PodSecurity "restricted:v1.34": runAsNonRoot != true '
            '(pod or container "app" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container '
            '"app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost") (from Deployment '
            'todo-app/audit-worker) [rules: runAsNonRoot, seccompProfile_restricted]') in evidence, evidence
    assert "refused: Error creating: %s (from ReplicaSet todo-app/audit-worker-x)" % message in evidence, evidence


def test_a_subscriber_that_consumes_nothing_fails_the_event_checkpoint_naming_it(converged, tmp_path):
    server, env = converged
    make_healthy(server, failing=["audit-worker"])
    server.call("DELETE", "/api/v1/namespaces/todo-app/pods/notification-worker-0", {})
    run, report = verify(env, tmp_path, verify_event_probe_timeout=1)
    assert run.rc != 0
    events = "\n".join(checkpoint(report, "Events flow")["evidence"])
    assert ("FAIL todo-backend -> reminders: landed in reminders, but not consumed within the timeout by "
            "notification-worker") in events, events
    assert "FAIL todo-backend -> task-events: 1 event(s) went to the dead-letter topic task-events-dlq" in events


def test_without_a_policy_engine_the_enforcement_probe_connects_and_fails_the_verdict_naming_the_cause(
        converged, tmp_path):
    """The same cluster with nothing enforcing the NetworkPolicies (no engine DaemonSet, as on OKE's flannel or
    VCN-native CNI): the probe pod reaches the port the policies deny it, and the report says so and why."""
    server, env = converged
    make_healthy(server, engine=False)
    run, report = verify(env, tmp_path, verify_event_probe=False)
    assert run.rc != 0
    assert report["verdict"]["failed_required"] == ["NetworkPolicies are enforced: a connection they deny fails"]
    (line,) = checkpoint(report, "NetworkPolicies are enforced")["evidence"]
    assert line.startswith("FAIL the probe pod todo-app/eventstack-netpol-probe-"), line
    assert ("connected to todo-frontend:3000 although the NetworkPolicies deny it (egress of todo-app/probe is isolated "
            "by eventstack-allow-dns, eventstack-default-deny and no rule allows it): nothing enforces them - no policy "
            "engine DaemonSet (calico-node, cilium, antrea-agent, kube-router, weave-net, canal, kindnet) runs") in line
    assert not [p for p in server.objects("Pod", "todo-app") if "netpol-probe" in p["metadata"]["name"]]
    # An inventory that says nothing enforces them (prod's hardening_cni_enforces_policies: false) gets the same
    # evidence, not required.
    run, report = verify(env, tmp_path / "declared", verify_event_probe=False, hardening_cni_enforces_policies=False)
    assert run.rc == 0, run.output
    enforcement = checkpoint(report, "NetworkPolicies are enforced")
    assert enforcement["required"] is False and enforcement["passed"] is False
    assert enforcement["evidence"][-1].startswith("not required: hardening_cni_enforces_policies is false")


def test_an_incomplete_enforcement_target_fails_naming_the_variable_and_what_it_lacks(converged, tmp_path):
    server, env = converged
    make_healthy(server)
    run = run_playbook("inventories/local", env=dict(env, ANSIBLE_SKIP_TAGS=""), emulator=True, playbook="playbooks/verify.yml",
                       extra_vars={"eventstack_build_dir": str(tmp_path), "verify_event_probe": False,
                                   "verify_netpol_probe_target": {"service": "todo-frontend"}})
    assert run.rc != 0
    assert "verify_netpol_probe_target lacks namespace, port: give namespace, service and port" in run.output
    assert not [p for p in server.objects("Pod", "todo-app") if "netpol-probe" in p["metadata"]["name"]]


def test_replicas_sharing_one_consumer_group_fail_the_event_checkpoint_naming_the_replica_left_out(converged, tmp_path):
    """What the websocket worker's two replicas get with one consumer group (the component without its consumerID):
    Kafka hands each task update to one of them, and the probe names the replica whose group never consumed it."""
    server, env = converged
    make_healthy(server, replicas={"websocket-worker": 2})
    path = "/apis/dapr.io/v1alpha1/namespaces/todo-app/components/pubsub-kafka-broadcast"
    component = server.get("dapr.io/v1alpha1", "Component", "pubsub-kafka-broadcast", "todo-app")
    metadata = [m for m in component["spec"]["metadata"] if m["name"] != "consumerID"]
    server.call("PATCH", path, {"spec": {"metadata": metadata}})
    run, report = verify(env, tmp_path, verify_event_probe_timeout=2)
    assert run.rc != 0
    events = "\n".join(checkpoint(report, "Events flow")["evidence"])
    assert ("FAIL todo-backend -> task-updates: landed in task-updates, but not consumed within the timeout by "
            "websocket-worker/websocket-worker-0 (group websocket-worker-0), websocket-worker/websocket-worker-1 (group "
            "websocket-worker-1)") in events, events


def test_on_an_oci_inventory_the_oke_checkpoint_reads_the_cluster_through_the_oci_sdk(converged, tmp_path):
    """The OCI checkpoint goes through oke_cluster_info and the real oci SDK to the local OCI stand-in: an ACTIVE
    cluster with ACTIVE nodes passes, a node failing for host capacity fails the verdict with OCI's message. The
    controller has oracle.oci (its manifest, in a collections path of the test's own)."""
    server, env = converged
    make_healthy(server)
    config, _pem = write_config(tmp_path)
    env = dict(env, OCI_CONFIG_FILE=config, ANSIBLE_COLLECTIONS_PATH=oracle_oci_installed(tmp_path))
    for failing, passes in ((False, True), (True, False)):
        scenario = Scenario()
        error = {"code": "InternalError", "message": "Out of host capacity.", "status": "500", "opcRequestId": "x"}
        scenario.add_cluster(nodes=[node(1, ADS[0], state="FAILING", error=error) if failing else node(1, ADS[0])],
                             pool_state="NEEDS_ATTENTION" if failing else "ACTIVE")
        with OciStandIn(scenario) as oci:
            run, report = verify(env, tmp_path / ("report-%s" % failing), eventstack_oci_enabled=True,
                                 eventstack_oci_compartment_id=COMPARTMENT, eventstack_oci_service_endpoint=oci.url,
                                 eventstack_kubeconfig=env["K8S_AUTH_KUBECONFIG"], preflight_check_oci=False,
                                 verify_oke_cluster_name="eventstack-dev", database_storage_size="50Gi",
                                 oci_network_api_allowed_cidrs=["203.0.113.0/24"],
                                 # The nodes are checked against oke_cluster's node pool (its defaults when the
                                 # inventory sets none: 2 OCPU / 8 GB); the stand-in node has 8 CPU / 16 GiB.
                                 oke_cluster_node_ocpus=8, oke_cluster_node_memory_gbs=16)
        oke = report["checkpoints"][0]
        assert oke["name"] == "OKE cluster, node pools and nodes ACTIVE" and oke["passed"] is passes, run.output
        assert (run.rc == 0) is passes
        evidence = "\n".join(oke["evidence"])
        assert "cluster eventstack-dev ACTIVE, Kubernetes v1.34.2" in evidence, evidence
        if failing:
            assert "node pool eventstack-dev-pool1 NEEDS_ATTENTION: 0 of 1 nodes ACTIVE" in evidence, evidence
            assert "Out of host capacity." in evidence, evidence


def test_each_live_checkpoint_fails_on_a_broken_cluster_naming_the_cause(converged, tmp_path):
    """One cluster broken six ways, each caught by its checkpoint: a node NotReady, the deployer bound to a
    ClusterRole that lets it into kube-system, a Secret's value pasted into a ConfigMap, a namespace whose LimitRange
    is gone (its quota then refuses a pod without resources), a pod metrics-server has not scraped, and an HPA that
    cannot read its metric. The report never holds the Secret's value."""
    server, env = converged
    make_healthy(server)
    server.call("POST", "/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "worker-2"}},
                "application/json")
    server.call("PATCH", "/api/v1/nodes/worker-2/status", {"status": {
        "allocatable": {"cpu": "8", "memory": "16Gi"}, "conditions": [{
            "type": "Ready", "status": "False", "reason": "KubeletNotReady",
            "message": "container runtime network not ready: NetworkReady=false"}]}})
    server.call("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "ci-everything"},
        "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}, "application/json")
    server.call("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "ci-shortcut"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "ci-everything"},
        "subjects": [{"kind": "ServiceAccount", "name": "eventstack-deployer", "namespace": "todo-app"}]},
        "application/json")
    secret = server.get("v1", "Secret", "jwt-secret", "todo-app")
    value = base64.b64decode(secret["data"]["JWT_SECRET"]).decode()
    server.call("POST", "/api/v1/namespaces/todo-app/configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "debug-settings", "namespace": "todo-app"},
        "data": {"settings.env": "LOG_LEVEL=debug\nJWT=%s\n" % value}}, "application/json")
    server.call("DELETE", "/api/v1/namespaces/kafka/limitranges/eventstack-defaults", {})
    MetricsServerStandIn(server, unscraped=["todo-backend-0"])
    server.call("PATCH", "/apis/autoscaling/v2/namespaces/todo-app/horizontalpodautoscalers/todo-backend/status", {
        "status": {"currentMetrics": None, "conditions": [{
            "type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric",
            "message": "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to "
                       "get metrics for resource cpu: no metrics returned from resource metrics API"}]}})
    run, report = verify(env, tmp_path, verify_event_probe=False)
    assert run.rc != 0
    assert value not in (tmp_path / "report.json").read_text(encoding="utf-8")
    assert value not in run.output
    live = {c["name"]: "\n".join(c["evidence"]) for c in report["checkpoints"] if c["name"] in LIVE}
    assert sorted(report["verdict"]["failed_required"]) == sorted(LIVE), live
    assert ("FAIL node worker-2 is not Ready reason: KubeletNotReady message: container runtime network not ready"
            in live[LIVE[0]]), live[LIVE[0]]
    assert ('FAIL allowed create deployments.apps in kube-system (must be denied) - RBAC: allowed by ClusterRoleBinding '
            '"ci-shortcut" of ClusterRole "ci-everything" to ServiceAccount "eventstack-deployer/todo-app"'
            in live[LIVE[1]]), live[LIVE[1]]
    assert ("FAIL Secret todo-app/jwt-secret key JWT_SECRET: its value is in ConfigMap todo-app/debug-settings "
            "data.settings.env" in live[LIVE[2]]), live[LIVE[2]]
    assert ('FAIL kafka: a pod without resources is refused (dry run): HTTP 403: pods "eventstack-verify-defaults" is '
            'forbidden: failed quota: eventstack-quota: must specify limits.cpu for: probe; limits.memory for: probe'
            in live[LIVE[3]]), live[LIVE[3]]
    assert "pass todo-app: a pod without resources (dry run, nothing stored) gets" in live[LIVE[3]], live[LIVE[3]]
    assert "FAIL pod todo-backend-0: no metrics" in live[LIVE[4]], live[LIVE[4]]
    assert ("FAIL HPA todo-backend: ScalingActive=False reason: FailedGetResourceMetric message: the HPA was unable "
            "to compute the replica count" in live[LIVE[5]]), live[LIVE[5]]
    assert server.get("v1", "Pod", "eventstack-verify-defaults", "todo-app") is None, "the dry run stores nothing"


def test_each_dapr_checkpoint_fails_on_a_broken_cluster_naming_the_cause(converged, tmp_path):
    """One cluster broken four ways, each caught through the sidecars: the state store's scopes lose the app-id the
    probe asks from, a Secret a service reads via Dapr is gone, the Resiliency no longer targets the backend, and
    the Dapr Scheduler is down. A slow subscriber fails the event checkpoint against verify_event_latency_max."""
    server, env = converged
    make_healthy(server, delay=2.5)
    server.call("PATCH", "/apis/dapr.io/v1alpha1/namespaces/todo-app/components/statestore",
                {"scopes": ["todo-backend"]})
    server.call("DELETE", "/api/v1/namespaces/todo-app/secrets/cohere-api-key", {})
    server.call("PATCH", "/apis/dapr.io/v1alpha1/namespaces/todo-app/resiliencies/eventstack",
                {"spec": {"targets": {"apps": {"todo-backend": None}}}})
    server.call("DELETE", "/api/v1/namespaces/dapr-system/pods/dapr-scheduler-server-0", {})
    run, report = verify(env, tmp_path, verify_event_latency_max=2)
    assert run.rc != 0
    dapr = {c["name"]: "\n".join(c["evidence"]) for c in report["checkpoints"] if c["name"] in DAPR}
    assert sorted(report["verdict"]["failed_required"]) == sorted(
        DAPR + ["Events flow through Dapr and Kafka to their subscribers"]), report["verdict"]
    assert ("FAIL audit-worker (pod audit-worker-0) -> state store statestore: save /v1.0/state/statestore: HTTP 500 "
            "ERR_STATE_STORE_NOT_CONFIGURED: state store is not configured" in dapr[DAPR[0]]), dapr[DAPR[0]]
    assert "Component todo-app/statestore (state.postgresql) scopes: todo-backend" in dapr[DAPR[0]], dapr[DAPR[0]]
    assert ("FAIL todo-backend cannot read secret cohere-api-key from store kubernetes-secrets: HTTP 500 ERR_SECRET_GET: "
            "failed getting secret with key cohere-api-key from secret store kubernetes-secrets: secrets "
            '"cohere-api-key" not found' in dapr[DAPR[1]]), dapr[DAPR[1]]
    assert "pass todo-backend reads kubernetes-secrets/jwt-secret" in dapr[DAPR[1]], dapr[DAPR[1]]
    assert "pass todo-frontend -> todo-backend /health: HTTP 200" in dapr[DAPR[2]], dapr[DAPR[2]]
    assert ("FAIL Resiliency eventstack has no target for app todo-backend: calls to it get no timeout, retry or "
            "breaker" in dapr[DAPR[2]]), dapr[DAPR[2]]
    assert ("HTTP 500: failed to schedule job due to: rpc error: code = Unavailable desc = timeout waiting for "
            "scheduler connection" in dapr[DAPR[3]]), dapr[DAPR[3]]
    events = "\n".join(checkpoint(report, "Events flow")["evidence"])
    assert "FAIL todo-backend -> task-events: consumed by recurring-worker, audit-worker in " in events, events
    assert "s, over the 2 s limit" in events, events


def test_each_gateway_and_lag_checkpoint_fails_on_a_broken_cluster_naming_the_cause(converged, tmp_path):
    """One cluster broken four ways, seen through the API server's service proxy to the Envoy proxy Service: the
    apps' HTTPRoute lost its /api rule (the frontend's 404 page answers /api/health), the websocket worker's pod is not
    ready (Envoy's 503), the ClientTrafficPolicy lost X-Frame-Options, and the Kafka Exporter's groupRegex leaves the
    notification worker's consumer group out (no lag series for it)."""
    server, env = converged
    make_healthy(server)
    route = server.get("gateway.networking.k8s.io/v1", "HTTPRoute", "eventstack-apps", "todo-app")
    rules = [r for r in route["spec"]["rules"] if r["matches"][0]["path"]["value"] != "/api"]
    server.call("PATCH", "/apis/gateway.networking.k8s.io/v1/namespaces/todo-app/httproutes/eventstack-apps",
                {"spec": {"rules": rules}})
    server.call("PATCH", "/api/v1/namespaces/todo-app/pods/websocket-worker-0/status", {"status": {"conditions": [
        {"type": "Ready", "status": "False", "reason": "ContainersNotReady"}]}})
    (policy,) = server.objects("ClientTrafficPolicy")
    meta = policy["metadata"]
    headers = policy["spec"]["headers"]["lateResponseHeaders"]["set"]
    server.call("PATCH", "/apis/gateway.envoyproxy.io/v1alpha1/namespaces/%s/clienttrafficpolicies/%s" % (
        meta["namespace"], meta["name"]), {"spec": {"headers": {"lateResponseHeaders": {
            "set": [h for h in headers if h["name"] != "X-Frame-Options"]}}}})
    (kafka,) = server.objects("Kafka")
    server.call("PATCH", "/apis/kafka.strimzi.io/v1/namespaces/%s/kafkas/%s" % (
        kafka["metadata"]["namespace"], kafka["metadata"]["name"]),
        {"spec": {"kafkaExporter": {"groupRegex": "^(recurring|audit|websocket)-worker"}}})
    run, report = verify(env, tmp_path, verify_event_probe_timeout=2)
    assert run.rc != 0
    assert set(GATEWAY + [LAG]) <= set(report["verdict"]["failed_required"]), report["verdict"]
    gateway = {c["name"]: "\n".join(c["evidence"]) for c in report["checkpoints"] if c["name"] in GATEWAY}
    assert "pass GET /: 200 text/html from todo-app/todo-frontend" in gateway[GATEWAY[0]], gateway[GATEWAY[0]]
    assert ("FAIL GET /api/health: answered 404 text/html: <!DOCTYPE html><html><head><title>404: This page could not "
            "be found.</title></head></html>; routed to todo-app/todo-frontend (rule / of HTTPRoute "
            "todo-app/eventstack-apps), not to todo-app/todo-backend: no rule for /api") in gateway[GATEWAY[0]], \
        gateway[GATEWAY[0]]
    assert ("FAIL WebSocket upgrade on /ws: no upgrade (got 503 text/plain: no healthy upstream); Service "
            "todo-app/websocket-worker has 0 ready pod(s) of 1") in gateway[GATEWAY[0]], gateway[GATEWAY[0]]
    assert ("FAIL missing header X-Frame-Options on HTTP GET / (200): the ingress role sets 'DENY'"
            in gateway[GATEWAY[1]]), gateway[GATEWAY[1]]
    lag = "\n".join(checkpoint(report, "Kafka consumer lag")["evidence"])
    assert ("FAIL no kafka_consumergroup_lag series for group notification-worker on topic reminders: the Kafka "
            "Exporter reports a group once it has committed an offset there and its groupRegex and topicRegex (Kafka "
            "spec.kafkaExporter) let it through") in lag, lag
    assert "pass audit-worker on reminders: lag 0 over 1 partition(s)" in lag, lag


def test_https_through_the_gateway_address_checks_the_certificate_redirect_and_headers(converged, tmp_path):
    """The platform converged with TLS (ingress_tls: secret, a host name, the certificate Secret from a test CA) and the
    load balancer's address answering on 127.0.0.1: verify handshakes with the host name, follows no redirect and
    passes; then with an expired certificate, the redirect route gone and HSTS dropped it fails naming each."""
    server, env = converged
    tls = {"ingress_tls": "secret", "ingress_hostname": "todo.example.test"}
    run = run_playbook("inventories/local", "--tags", "ingress,apps,hardening", env=env, emulator=True, extra_vars=tls)
    assert run.rc == 0, run.output
    ca = make_ca()
    (gateway,) = server.objects("Gateway")
    namespace = gateway["metadata"]["namespace"]
    cert, key = issue(ca, ["todo.example.test"])
    server.call("POST", "/api/v1/namespaces/%s/secrets" % namespace,
                tls_secret(namespace, "eventstack-tls", cert, key), "application/json")
    (tmp_path / "ca.pem").write_bytes(ca_pem(ca))
    make_healthy(server)
    server.call("PATCH", "/apis/gateway.networking.k8s.io/v1/namespaces/%s/gateways/eventstack/status" % namespace,
                {"status": {"addresses": [{"type": "IPAddress", "value": "127.0.0.1"}]}})
    with GatewayStandIn(server).listen() as lb:
        extra = dict(tls, verify_event_probe=False, verify_gateway_ports=lb.ports,
                     verify_gateway_ca_file=str(tmp_path / "ca.pem"))
        run, report = verify(env, tmp_path / "healthy", **extra)
        gateway_checks = {c["name"]: "\n".join(c["evidence"]) for c in report["checkpoints"] if c["name"] in GATEWAY}
        assert run.rc == 0, (report["verdict"], [c for c in report["checkpoints"] if not c["passed"]])
        routing, https = gateway_checks[GATEWAY[0]], gateway_checks[GATEWAY[1]]
        assert "asked through the gateway's address 127.0.0.1" in routing, routing
        assert "listener https, host todo.example.test" in routing, routing
        assert "pass GET /api/health: 200 application/json from todo-app/todo-backend" in routing, routing
        assert "pass WebSocket upgrade on /ws: 101 Switching Protocols" in routing, routing
        assert "pass HTTP GET / redirects to HTTPS: 301 https://todo.example.test/" in https, https
        assert "Strict-Transport-Security" in https and "FAIL" not in https, https
        assert ("pass certificate served for todo.example.test for todo.example.test, issued by eventstack test CA, "
                "valid ") in https, https
        assert " 89 day(s) left" in https, https
        assert ("https", "GET", "/api/health", "todo.example.test", 200) in lb.requests
        # Broken three ways.
        expired, expired_key = issue(ca, ["todo.example.test"], days=(-120, -3))
        server.call("PATCH", "/api/v1/namespaces/%s/secrets/eventstack-tls" % namespace,
                    tls_secret(namespace, "eventstack-tls", expired, expired_key))
        server.call("DELETE", "/apis/gateway.networking.k8s.io/v1/namespaces/%s/httproutes/eventstack-https-redirect"
                    % namespace, {})
        (policy,) = server.objects("ClientTrafficPolicy")
        headers = policy["spec"]["headers"]["lateResponseHeaders"]["set"]
        server.call("PATCH", "/apis/gateway.envoyproxy.io/v1alpha1/namespaces/%s/clienttrafficpolicies/%s" % (
            namespace, policy["metadata"]["name"]), {"spec": {"headers": {"lateResponseHeaders": {
                "set": [h for h in headers if h["name"] != "Strict-Transport-Security"]}}}})
        run, report = verify(env, tmp_path / "broken", **extra)
    assert run.rc != 0
    assert report["verdict"]["failed_required"] == [GATEWAY[1]], report["verdict"]
    https = "\n".join(checkpoint(report, GATEWAY[1])["evidence"])
    assert ("FAIL missing header Strict-Transport-Security on HTTPS GET / (200): the ingress role sets "
            "'max-age=31536000; includeSubDomains'") in https, https
    assert "FAIL no redirect from HTTP to HTTPS (got 404 no content type)" in https, https
    assert "FAIL expired certificate: expired on " in https and ", 3 day(s) ago (certificate served for " in https, https
