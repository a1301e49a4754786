from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _observability


def res(cpu, memory, cpu_limit, memory_limit):
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu_limit, "memory": memory_limit}}


SETTINGS = {
    "metrics_server": True, "prometheus": True, "grafana": True, "nodes": 3,
    "metrics_server_resources": res("50m", "64Mi", "200m", "128Mi"),
    "prometheus_resources": res("500m", "2Gi", "1", "4Gi"),
    "operator_resources": res("50m", "64Mi", "200m", "256Mi"),
    "kube_state_metrics_resources": res("20m", "64Mi", "100m", "128Mi"),
    "node_exporter_resources": res("20m", "32Mi", "100m", "64Mi"),
    "grafana_resources": res("50m", "128Mi", "300m", "256Mi"),
    "grafana_sidecar_resources": res("10m", "32Mi", "100m", "96Mi"),
    "prometheus_retention": "7d", "prometheus_retention_size": "8GB", "prometheus_scrape_interval": "30s",
    "not_ready_for": "10m", "consumer_lag_threshold": 1000, "restart_threshold": 3, "certificate_expiry_days": 14,
    "namespace": "monitoring",
    "quota": {"requests_cpu": "2", "requests_memory": "6Gi", "limits_cpu": "4", "limits_memory": "12Gi"},
}


def test_pods_count_node_exporter_per_node_and_the_config_reloader():
    found = {component: count for component, count, _v, _r in _observability.pods(SETTINGS)}
    assert found == {"metrics-server": 1, "prometheus": 1, "prometheus config-reloader": 1, "prometheus-operator": 1,
                     "kube-state-metrics": 1, "node-exporter": 3, "grafana": 1, "grafana sidecars": 2}
    assert [c for c, _n, _v, _r in _observability.pods(dict(SETTINGS, prometheus=False))] == ["metrics-server"]
    assert "grafana" not in {c for c, _n, _v, _r in _observability.pods(dict(SETTINGS, grafana=False))}


def test_good_settings_have_no_problems():
    assert _observability.problems(SETTINGS) == []


def test_a_quota_the_role_would_exceed_is_named_with_the_sum():
    tight = dict(SETTINGS, quota={"requests_cpu": "500m", "limits_memory": "12Gi"})
    (message,) = _observability.problems(tight)
    # 50 + 500 + 10 + 50 + 20 + 3*20 + 50 + 2*10 = 760m
    assert message.startswith("k8s_base_namespaces (monitoring).quota.requests_cpu is 500m, but the observability "
                              "role's pods there add up to 0.76 (")
    assert "node-exporter x3" in message and "raise the quota" in message


def test_metrics_server_alone_is_checked_against_the_quota():
    alone = dict(SETTINGS, prometheus=False, quota={"requests_cpu": "40m", "limits_memory": "1Gi"})
    (message,) = _observability.problems(alone)
    assert "quota.requests_cpu is 40m" in message and "add up to 0.05 (metrics-server)" in message


def test_durations_sizes_thresholds_and_resources_are_named():
    bad = dict(SETTINGS, prometheus_retention="7 days", prometheus_retention_size="8G", restart_threshold=0,
               prometheus_resources={"requests": {"cpu": "half", "memory": "2Gi"}, "limits": {"memory": "4Gi"}})
    problems = _observability.problems(bad)
    assert "observability_prometheus_resources: requests.cpu 'half' is not a Kubernetes quantity" in problems
    assert "observability_prometheus_resources: limits.cpu is not set for prometheus; set both requests and limits" \
        in problems
    assert "observability_prometheus_retention: '7 days' is not a Prometheus duration (like 30s, 10m, 7d)" in problems
    assert "observability_prometheus_retention_size: '8G' is not a Prometheus size (like 8GB, 512MB)" in problems
    assert "observability_restart_threshold: 0 must be a whole number of at least 1" in problems


def test_prometheus_settings_are_not_checked_when_it_is_off():
    off = dict(SETTINGS, prometheus=False, prometheus_retention="whenever")
    assert _observability.problems(off) == []
