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


def test_the_config_reloader_and_grafanas_sidecars_are_containers_not_pods_for_the_quota():
    # metrics-server, prometheus (with its config reloader), prometheus-operator, kube-state-metrics, 3 node-exporters,
    # grafana (with its 2 sidecars): 8 pods, not 11.
    assert _observability.problems(dict(SETTINGS, quota={"pods": 8})) == []
    (message,) = _observability.problems(dict(SETTINGS, quota={"pods": 7}))
    assert message.startswith("k8s_base_namespaces (monitoring).quota.pods is 7, but the observability role's pods "
                              "there add up to 8 (")


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


LOKI = {"host": "logs-prod-012.grafana.net", "port": 443, "tls": True, "uri": "/loki/api/v1/push", "tenant_id": "",
        "user": "123456", "labels": {"cluster": "eventstack-prod", "environment": "prod"}, "namespace": "monitoring",
        "mem_buf_limit": "32MB"}
SHIPPING = dict(SETTINGS, log_shipping="loki", loki=LOKI, fluent_bit_resources=res("20m", "48Mi", "200m", "128Mi"),
                pod_security="privileged")


def test_fluent_bit_runs_once_per_node_and_counts_against_the_quota():
    found = {component: count for component, count, _v, _r in _observability.pods(SHIPPING)}
    assert found["fluent-bit"] == 3
    assert _observability.problems(SHIPPING) == []
    # 760m without it (above) + 3 * 20m
    (message,) = _observability.problems(dict(SHIPPING, quota={"requests_cpu": "800m"}))
    assert "add up to 0.82 (" in message and "fluent-bit x3" in message


def test_fluent_bit_config_tails_enriches_and_pushes_with_the_password_from_the_environment():
    config = _observability.fluent_bit_config(LOKI)
    (tail,) = config["pipeline"]["inputs"]
    assert tail["name"] == "tail" and tail["path"] == "/var/log/containers/*.log"
    assert tail["exclude_path"] == "/var/log/containers/fluent-bit-*_monitoring_*.log"
    assert tail["multiline.parser"] == "cri, docker"
    (kubernetes,) = config["pipeline"]["filters"]
    assert kubernetes["name"] == "kubernetes" and kubernetes["merge_log"] == "on"
    (loki,) = config["pipeline"]["outputs"]
    assert (loki["name"], loki["host"], loki["port"], loki["tls"]) == ("loki", "logs-prod-012.grafana.net", 443, "on")
    assert loki["http_user"] == "123456" and loki["http_passwd"] == "${LOKI_PASSWORD}"
    assert loki["labels"] == ("job=fluent-bit, cluster=eventstack-prod, environment=prod, "
                              "namespace=$kubernetes['namespace_name'], pod=$kubernetes['pod_name'], "
                              "container=$kubernetes['container_name'], "
                              "app=$kubernetes['labels']['app.kubernetes.io/name']")
    assert "tenant_id" not in loki
    assert config["service"]["health_check"] == "on" and config["service"]["http_port"] == 2020


def test_fluent_bit_config_without_auth_has_no_credentials_and_sends_the_tenant():
    (loki,) = _observability.fluent_bit_config(dict(LOKI, user="", tenant_id="team-a", tls=False,
                                                    port="3100"))["pipeline"]["outputs"]
    assert "http_user" not in loki and "http_passwd" not in loki
    assert (loki["tenant_id"], loki["tls"], loki["port"]) == ("team-a", "off", 3100)


def test_log_shipping_settings_are_named_with_the_fix():
    assert _observability.log_shipping_problems({"log_shipping": "none", "loki": {"host": ""}}) == []
    assert _observability.log_shipping_problems({"log_shipping": "oci"}) == [
        "observability_log_shipping: 'oci' is not a choice; use none or loki"]
    bad = dict(LOKI, host="https://logs.example.com/loki", port=0, uri="loki/api/v1/push", mem_buf_limit="lots",
               labels={"pod": "x", "team-name": "a"})
    problems = _observability.problems(dict(SHIPPING, loki=bad))
    assert problems == [
        "observability_loki_host: 'https://logs.example.com/loki' is not a host name; give the name only, without "
        "scheme, port or path (those are observability_loki_tls, _port and _uri)",
        "observability_loki_port: 0 is not a port (1-65535)",
        "observability_loki_uri: 'loki/api/v1/push' must start with / (default /loki/api/v1/push)",
        "observability_loki_labels: 'pod' is not a label name Loki accepts, or is one the collection sets (job, "
        "namespace, pod, container, app)",
        "observability_loki_labels: 'team-name' is not a label name Loki accepts, or is one the collection sets (job, "
        "namespace, pod, container, app)",
        "observability_fluent_bit_mem_buf_limit: 'lots' is not a Fluent Bit size (like 32MB)"]
    (missing,) = _observability.problems(dict(SHIPPING, loki=dict(LOKI, host="")))
    assert missing.startswith("observability_loki_host is empty: give the Loki host")


def test_host_paths_need_a_privileged_namespace():
    (message,) = _observability.problems(dict(SHIPPING, pod_security="baseline"))
    assert message == ("k8s_base_namespaces (monitoring).pod_security is baseline, but node-exporter and fluent-bit "
                       "mount host paths, which only privileged admits; set it to privileged")
    (message,) = _observability.problems(dict(SHIPPING, prometheus=False, pod_security="restricted"))
    assert "restricted, but fluent-bit mounts host paths" in message
    assert _observability.problems(dict(SETTINGS, prometheus=False, pod_security="restricted")) == []
