"""The observability role as rendered: metrics-server everywhere it is wanted, kube-prometheus-stack in prod (and in a
local variant with it and log shipping switched on), monitors that find the pods the other roles render, alert rules
and dashboards whose PromQL parses, Fluent Bit's configuration and DaemonSet, and NetworkPolicies that let the scrapes
and the log pushes through."""

from __future__ import annotations

import json
import os

import promql_parser
import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _netpol
from tests.support.playbook import REPO, inventory_vars, render

PROMETHEUS_ON = {"observability_prometheus_enabled": True, "vault_grafana_admin_password": "not-shown-Gr4fana",
                 "observability_log_shipping": "loki", "observability_loki_host": "loki.logging.example.org",
                 "observability_loki_user": "shipper", "vault_loki_password": "not-shown-L0ki-token"}


def roomier_monitoring_quota():
    """k8s_base's default namespaces with a monitoring quota that holds kube-prometheus-stack (the default, from the
    seeds, holds metrics-server only: preflight refuses the stack there, see tests/bad_input)."""
    with open(os.path.join(REPO, "roles", "k8s_base", "defaults", "main.yml"), encoding="utf-8") as handle:
        namespaces = yaml.safe_load(handle)["k8s_base_namespaces"]
    for namespace in namespaces:
        if "monitoring" in namespace["name"]:
            namespace["quota"] = {"limits_cpu": "3", "limits_memory": "4Gi"}
    return namespaces


@pytest.fixture(scope="module")
def local_with_prometheus(tmp_path_factory):
    by_file, releases = render("local", tmp_path_factory.mktemp("observability"),
                               k8s_base_namespaces=roomier_monitoring_quota(), **PROMETHEUS_ON)
    return by_file, releases


def objects(by_file, kind):
    return [obj for objs in by_file.values() for obj in objs if obj.get("kind") == kind]


def selects(selector, labels):
    return _netpol.selector_matches(selector, labels)


def test_metrics_server_is_rendered_and_prometheus_only_where_enabled(site_render):
    for env_name in ("local", "dev", "prod"):
        _build, _run, by_file, releases = site_render(env_name)
        assert "metrics-server" in releases, env_name
        prometheus = inventory_vars(env_name).get("observability_prometheus_enabled", False)
        assert ("kube-prometheus-stack" in releases) == prometheus, env_name
        assert bool(objects(by_file, "PodMonitor")) == prometheus, env_name
    values = site_render("prod")[3]["kube-prometheus-stack"]["values"]
    spec = values["prometheus"]["prometheusSpec"]
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"] == "50Gi"
    assert spec["podMonitorSelectorNilUsesHelmValues"] is False and spec["ruleSelectorNilUsesHelmValues"] is False
    for managed in ("kubeControllerManager", "kubeScheduler", "kubeEtcd"):
        assert values[managed] == {"enabled": False}, managed
    assert values["grafana"]["admin"]["existingSecret"] == "grafana-admin"


def _pod_templates(by_file):
    for deployment in objects(by_file, "Deployment"):
        template = deployment["spec"]["template"]
        ports = [p.get("name") for c in template["spec"]["containers"] for p in c.get("ports", [])]
        yield deployment["metadata"]["namespace"], template["metadata"]["labels"], ports


def test_the_apps_and_sidecar_monitors_find_the_rendered_deployments(local_with_prometheus):
    by_file, _releases = local_with_prometheus
    monitors = {m["metadata"]["name"]: m["spec"] for m in objects(by_file, "PodMonitor")}
    assert {"apps", "dapr-sidecars", "dapr-control-plane", "strimzi-kafka", "strimzi-operator", "postgresql",
            "envoy-proxies"} <= set(monitors)
    deployments = list(_pod_templates(by_file))
    for name in ("apps", "dapr-sidecars"):
        monitor = monitors[name]
        found = [(ns, labels, ports) for ns, labels, ports in deployments
                 if ns in monitor["namespaceSelector"]["matchNames"] and selects(monitor["selector"], labels)]
        assert len(found) == len(deployments), name
        if name == "apps":
            assert all(monitor["podMetricsEndpoints"][0]["port"] in ports for _ns, _labels, ports in found)
    (cluster,) = objects(by_file, "Cluster")
    assert selects(monitors["postgresql"]["selector"], {"cnpg.io/cluster": cluster["metadata"]["name"]})
    (kafka,) = objects(by_file, "Kafka")
    assert monitors["strimzi-kafka"]["namespaceSelector"]["matchNames"] == [kafka["metadata"]["namespace"]]


def test_alert_rules_parse_and_watch_the_dead_letter_topics_the_services_name(local_with_prometheus):
    by_file, _releases = local_with_prometheus
    (rule,) = objects(by_file, "PrometheusRule")
    alerts = {}
    for group in rule["spec"]["groups"]:
        for entry in group["rules"]:
            promql_parser.parse(entry["expr"])  # raises on a syntax error
            alerts[entry["alert"]] = entry
            assert entry["labels"]["severity"] in ("warning", "critical")
            assert entry["annotations"]["summary"] and entry["annotations"]["description"]
    assert {"KafkaConsumerGroupLagHigh", "KafkaDeadLetterMessages", "KafkaUnderReplicatedPartitions", "PodNotReady",
            "ContainerRestartLoop"} <= set(alerts)
    services = inventory_vars("local")["eventstack_services"]
    dead_letters = {s["dead_letter_topic"] for svc in services for s in svc.get("subscriptions", [])}
    topics = {t["metadata"]["name"] for t in objects(by_file, "KafkaTopic")}
    assert dead_letters and dead_letters <= topics
    for topic in dead_letters:
        assert topic in alerts["KafkaDeadLetterMessages"]["expr"]
    namespaces = {n["metadata"]["name"] for n in objects(by_file, "Namespace")}
    for namespace in namespaces:
        assert namespace in alerts["PodNotReady"]["expr"]


def test_dashboards_are_grafana_json_with_parsing_queries(local_with_prometheus):
    by_file, releases = local_with_prometheus
    datasource = releases["kube-prometheus-stack"]["values"]["grafana"].get("sidecar", {})
    assert datasource["dashboards"]["label"] == "grafana_dashboard"
    maps = [c for c in objects(by_file, "ConfigMap") if c["metadata"]["labels"].get("grafana_dashboard") == "1"]
    assert len(maps) == 2
    uids = set()
    for config_map in maps:
        ((name, text),) = config_map["data"].items()
        dashboard = json.loads(text)
        assert name.endswith(".json") and dashboard["uid"] not in uids
        uids.add(dashboard["uid"])
        assert dashboard["panels"]
        for panel in dashboard["panels"]:
            # kube-prometheus-stack's Grafana provisions its Prometheus datasource with uid "prometheus"
            assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}
            for target in panel["targets"]:
                promql_parser.parse(target["expr"])


def test_grafana_password_is_redacted_and_prometheus_may_scrape(local_with_prometheus):
    by_file, _releases = local_with_prometheus
    text = json.dumps(by_file)
    assert PROMETHEUS_ON["vault_grafana_admin_password"] not in text
    policies = objects(by_file, "NetworkPolicy")
    exporter = {"strimzi.io/name": "todo-kafka-kafka-exporter", "strimzi.io/kind": "Kafka"}
    pods = [{"name": "prometheus", "namespace": "monitoring", "labels": {"app.kubernetes.io/name": "prometheus"},
             "ports": [{"port": 9090}]},
            {"name": "grafana", "namespace": "monitoring", "labels": {"app.kubernetes.io/name": "grafana"},
             "ports": [{"port": 3000}]},
            {"name": "exporter", "namespace": "kafka", "labels": exporter, "ports": [{"port": 9404}]}]
    workloads = objects(by_file, "Deployment") + objects(by_file, "Namespace")
    _policies, deployments, namespaces = _netpol.from_objects(workloads)
    cluster = _netpol.Cluster(policies, pods + deployments, namespaces)
    backend = next(p for p in deployments if p["name"] == "todo-backend")
    for source, destination, port in ((pods[0], pods[2], 9404), (pods[0], backend, 9090), (pods[0], backend, 8000),
                                      (pods[1], pods[0], 9090)):
        allowed, reason = cluster.check(source, destination, port)
        assert allowed, reason
    assert not cluster.check(pods[1], backend, 8000)[0], "Grafana queries Prometheus, not the apps"


def test_secrets_stay_out_of_the_rendered_files(local_with_prometheus):
    text = json.dumps(local_with_prometheus[0])
    for secret in ("vault_grafana_admin_password", "vault_loki_password"):
        assert PROMETHEUS_ON[secret] not in text, secret


def _fluent_bit(by_file):
    (daemon_set,) = [d for d in objects(by_file, "DaemonSet") if d["metadata"]["name"] == "fluent-bit"]
    (config_map,) = [c for c in objects(by_file, "ConfigMap") if c["metadata"]["name"] == "fluent-bit"]
    return daemon_set, yaml.safe_load(config_map["data"]["fluent-bit.yaml"])


def test_fluent_bit_ships_every_container_log_to_the_configured_loki(local_with_prometheus):
    by_file, _releases = local_with_prometheus
    daemon_set, config = _fluent_bit(by_file)
    (output,) = config["pipeline"]["outputs"]
    assert (output["name"], output["host"], output["http_user"]) == ("loki", "loki.logging.example.org", "shipper")
    assert output["http_passwd"] == "${LOKI_PASSWORD}"
    assert "cluster=eventstack-local" in output["labels"] and "namespace=$kubernetes['namespace_name']" in \
        output["labels"]
    pod = daemon_set["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    (env,) = container["env"]
    assert env["valueFrom"]["secretKeyRef"] == {"name": "fluent-bit-loki", "key": "password"}
    assert {s["metadata"]["name"] for s in objects(by_file, "Secret")} >= {"fluent-bit-loki",
                                                                           "eventstack-datasource-loki"}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    assert mounts["varlog"]["readOnly"] is True and mounts["varlog"]["mountPath"] == "/var/log"
    assert config["pipeline"]["inputs"][0]["db"].startswith(mounts["state"]["mountPath"] + "/")
    assert container["livenessProbe"]["httpGet"]["port"] == "metrics" and config["service"]["health_check"] == "on"
    # The pod template changes with the configuration, so a new configuration rolls the pods.
    assert len(daemon_set["spec"]["template"]["metadata"]["annotations"]["checksum/config"]) == 64
    monitors = {m["metadata"]["name"]: m["spec"] for m in objects(by_file, "PodMonitor")}
    assert selects(monitors["fluent-bit"]["selector"], daemon_set["spec"]["template"]["metadata"]["labels"])
    roles = {r["metadata"]["name"]: r for r in objects(by_file, "ClusterRole")}
    assert roles["eventstack-fluent-bit"]["rules"] == [
        {"apiGroups": [""], "resources": ["namespaces", "pods"], "verbs": ["get", "list", "watch"]}]


def test_prod_ships_logs_and_its_policies_let_fluent_bit_reach_loki_and_the_api_only(site_render):
    by_file = site_render("prod")[2]
    daemon_set, config = _fluent_bit(by_file)
    assert config["pipeline"]["outputs"][0]["host"] == inventory_vars("prod")["observability_loki_host"]
    workloads = objects(by_file, "DaemonSet") + objects(by_file, "Deployment") + objects(by_file, "Namespace")
    _policies, pods, namespaces = _netpol.from_objects(workloads)
    shipper = next(p for p in pods if p["name"] == "fluent-bit")
    backend = next(p for p in pods if p["name"] == "todo-backend")
    cluster = _netpol.Cluster(objects(by_file, "NetworkPolicy"), pods, namespaces,
                              [{"name": "loki", "ip": "198.51.100.20"}, {"name": "api-server", "ip": "10.0.0.5"}])
    loki, api = (next(e for e in cluster.endpoints() if e["name"] == name) for name in ("loki", "api-server"))
    assert cluster.check(shipper, loki, 443)[0] and cluster.check(shipper, api, 6443)[0]
    assert not cluster.check(shipper, backend, 8000)[0]
    assert not cluster.check(backend, shipper, 2020)[0]
    assert daemon_set["metadata"]["namespace"] == "monitoring"
