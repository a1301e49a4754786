"""The observability role as rendered: metrics-server everywhere it is wanted, kube-prometheus-stack in prod (and in a
local variant with it switched on), monitors that find the pods the other roles render, alert rules and dashboards
whose PromQL parses, and NetworkPolicies that let the scrapes through."""

from __future__ import annotations

import json
import os

import promql_parser
import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _netpol
from tests.support.playbook import REPO, inventory_vars, render

PROMETHEUS_ON = {"observability_prometheus_enabled": True, "vault_grafana_admin_password": "not-shown-Gr4fana"}


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
