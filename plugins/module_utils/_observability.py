# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: what the observability role runs in its namespace, and the checks preflight makes of its settings.

``pods(settings)`` lists the containers the role's charts start with the requests and limits it sets (the
Prometheus config reloader with the operator's defaults, node-exporter once per node);
``problems(settings)`` returns messages naming the variable and the fix: durations and sizes Prometheus would
refuse, thresholds, and the namespace's ResourceQuota against what the role would run (a quota the stack itself
exceeds is an error before anything changes; every container must set requests and limits, so no LimitRange
default is involved); ``fluent_bit_config(loki)`` is the log shipper's configuration and ``log_shipping_problems``
what preflight says of its settings.
"""

from __future__ import annotations

import re

from ansible_collections.eventstack.oke.plugins.module_utils import _capacity
from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity

DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
SIZE = re.compile(r"^[0-9]+(B|KB|MB|GB|TB|PB|EB)$")
# Fluent Bit's unit sizes (mem_buf_limit).
FLUENT_BIT_SIZE = re.compile(r"^[0-9]+[KMG]?B?$", re.IGNORECASE)
HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
LABEL_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# What every line carries as stream labels besides observability_loki_labels (record accessors on the kubernetes
# filter's metadata). Pod labels are not labels in Loki: they stay in the line (high cardinality).
KUBERNETES_LABELS = (("namespace", "$kubernetes['namespace_name']"), ("pod", "$kubernetes['pod_name']"),
                     ("container", "$kubernetes['container_name']"),
                     ("app", "$kubernetes['labels']['app.kubernetes.io/name']"))
# prometheus-operator's defaults for the config-reloader sidecar of the Prometheus pod.
CONFIG_RELOADER = {"requests": {"cpu": "10m", "memory": "50Mi"}, "limits": {"cpu": "10m", "memory": "50Mi"}}
# Components of pods() that are containers in another component's pod, not pods of their own.
IN_POD = {"prometheus config-reloader": "prometheus", "grafana sidecars": "grafana"}


def pods(settings):
    """[(component, count, resources variable, resources)] of what the role would run."""
    found = []
    if settings.get("metrics_server"):
        found.append(("metrics-server", 1, "observability_metrics_server_resources",
                      settings.get("metrics_server_resources") or {}))
    if settings.get("prometheus"):
        found += [("prometheus", 1, "observability_prometheus_resources", settings.get("prometheus_resources") or {}),
                  ("prometheus config-reloader", 1, "(prometheus-operator default)", CONFIG_RELOADER),
                  ("prometheus-operator", 1, "observability_prometheus_operator_resources",
                   settings.get("operator_resources") or {}),
                  ("kube-state-metrics", 1, "observability_kube_state_metrics_resources",
                   settings.get("kube_state_metrics_resources") or {}),
                  ("node-exporter", int(settings.get("nodes") or 1), "observability_node_exporter_resources",
                   settings.get("node_exporter_resources") or {})]
        if settings.get("grafana"):
            found += [("grafana", 1, "observability_grafana_resources", settings.get("grafana_resources") or {}),
                      ("grafana sidecars", 2, "observability_grafana_sidecar_resources",
                       settings.get("grafana_sidecar_resources") or {})]
    if settings.get("log_shipping") == "loki":
        found.append(("fluent-bit", int(settings.get("nodes") or 1), "observability_fluent_bit_resources",
                      settings.get("fluent_bit_resources") or {}))
    return found


def _resource_problems(found):
    problems = []
    for component, _count, variable, resources in found:
        for kind in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                value = ((resources or {}).get(kind) or {}).get(resource)
                if value is None:
                    problems.append("%s: %s.%s is not set for %s; set both requests and limits" % (
                        variable, kind, resource, component))
                    continue
                try:
                    parse_quantity(value)
                except ValueError:
                    problems.append("%s: %s.%s %r is not a Kubernetes quantity" % (variable, kind, resource, value))
    return problems


def problems(settings):
    found = pods(settings)
    messages = _resource_problems(found)
    for variable in ("prometheus_retention", "prometheus_scrape_interval", "not_ready_for"):
        value = str(settings.get(variable) or "")
        if settings.get("prometheus") and not DURATION.match(value):
            messages.append("observability_%s: %r is not a Prometheus duration (like 30s, 10m, 7d)" % (variable, value))
    size = str(settings.get("prometheus_retention_size") or "")
    if settings.get("prometheus") and size and not SIZE.match(size):
        messages.append("observability_prometheus_retention_size: %r is not a Prometheus size (like 8GB, 512MB)" % size)
    messages += log_shipping_problems(settings)
    host_pods = [name for name, wanted in (("node-exporter", settings.get("prometheus")),
                                           ("fluent-bit", settings.get("log_shipping") == "loki")) if wanted]
    level = settings.get("pod_security")
    if host_pods and level and level != "privileged":
        messages.append("k8s_base_namespaces (%s).pod_security is %s, but %s mount%s host paths, which only privileged "
                        "admits; set it to privileged" % (settings.get("namespace"), level, " and ".join(host_pods),
                                                          "" if len(host_pods) > 1 else "s"))
    for variable in ("consumer_lag_threshold", "restart_threshold", "certificate_expiry_days"):
        value = settings.get(variable)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            messages.append("observability_%s: %r must be a whole number of at least 1" % (variable, value))
    if messages:
        return messages
    containers = {component: [resources] for component, _n, _v, resources in found if component not in IN_POD}
    for component, count, _v, resources in found:
        if component in IN_POD:
            containers[IN_POD[component]] += [resources] * count
    groups = [_capacity.pods_of(component, settings.get("namespace"), count, containers[component])
              for component, count, _v, _r in found if component not in IN_POD]
    messages += ["k8s_base_namespaces (%s).quota.%s is %s, but the observability role's pods there add up to %s (%s); "
                 "raise the quota or lower the observability_*_resources" % (
                     settings.get("namespace"), name, value, used,
                     ", ".join("%s%s" % (component, " x%d" % count if count > 1 else "")
                               for component, count, _v, _r in found))
                 for name, value, used in _capacity.quota_excess(settings.get("quota") or {}, groups)]
    return messages


def fluent_bit_config(loki):
    """Fluent Bit's configuration (its YAML format): tail every container log on the node, add the pod's metadata,
    parse JSON lines into fields, push to Loki. The password is ${LOKI_PASSWORD}, an environment variable from a
    Secret, so it never appears in the ConfigMap."""
    labels = ["job=fluent-bit"] + ["%s=%s" % (key, value) for key, value in sorted((loki.get("labels") or {}).items())]
    labels += ["%s=%s" % pair for pair in KUBERNETES_LABELS]
    output = {"name": "loki", "match": "kube.*", "host": loki["host"], "port": int(loki["port"]),
              "uri": loki.get("uri") or "/loki/api/v1/push", "tls": "on" if loki.get("tls") else "off",
              "tls.verify": "on", "labels": ", ".join(labels), "remove_keys": "kubernetes, stream",
              "line_format": "json", "retry_limit": "no_limits"}
    if loki.get("tenant_id"):
        output["tenant_id"] = loki["tenant_id"]
    if loki.get("user"):
        output.update({"http_user": loki["user"], "http_passwd": "${LOKI_PASSWORD}"})
    return {
        "service": {"flush": 1, "log_level": "info", "http_server": "on", "http_listen": "0.0.0.0",
                    "http_port": 2020, "health_check": "on"},
        "pipeline": {
            "inputs": [{"name": "tail", "tag": "kube.*", "path": "/var/log/containers/*.log",
                        # Its own lines would come back to it on every failed push.
                        "exclude_path": "/var/log/containers/fluent-bit-*_%s_*.log" % loki["namespace"],
                        "multiline.parser": "cri, docker", "db": "/var/lib/fluent-bit/tail.db",
                        "db.locking": True, "mem_buf_limit": loki.get("mem_buf_limit") or "32MB",
                        "skip_long_lines": "on", "refresh_interval": 10}],
            "filters": [{"name": "kubernetes", "match": "kube.*", "merge_log": "on", "keep_log": "off",
                         "k8s-logging.parser": "on", "k8s-logging.exclude": "on", "labels": "on",
                         "annotations": "off"}],
            "outputs": [output],
        },
    }


def log_shipping_problems(settings):
    """Messages for the log shipping settings (observability_log_shipping, observability_loki_*)."""
    choice = settings.get("log_shipping") or "none"
    if choice == "none":
        return []
    if choice != "loki":
        return ["observability_log_shipping: %r is not a choice; use none or loki" % choice]
    loki = settings.get("loki") or {}
    messages = []
    host = str(loki.get("host") or "")
    if not host:
        messages.append("observability_loki_host is empty: give the Loki host to push to (e.g. "
                        "logs-prod-012.grafana.net), or set observability_log_shipping: none")
    elif not HOST.match(host):
        messages.append("observability_loki_host: %r is not a host name; give the name only, without scheme, port "
                        "or path (those are observability_loki_tls, _port and _uri)" % host)
    try:
        port = int(loki.get("port"))
    except (TypeError, ValueError):
        port = 0
    if not 1 <= port <= 65535:
        messages.append("observability_loki_port: %r is not a port (1-65535)" % loki.get("port"))
    if not str(loki.get("uri") or "").startswith("/"):
        messages.append("observability_loki_uri: %r must start with / (default /loki/api/v1/push)" % loki.get("uri"))
    for key in loki.get("labels") or {}:
        if not LABEL_KEY.match(str(key)) or key in dict(KUBERNETES_LABELS) or key == "job":
            messages.append("observability_loki_labels: %r is not a label name Loki accepts, or is one the collection "
                            "sets (job, %s)" % (key, ", ".join(k for k, _v in KUBERNETES_LABELS)))
    if not FLUENT_BIT_SIZE.match(str(loki.get("mem_buf_limit") or "")):
        messages.append("observability_fluent_bit_mem_buf_limit: %r is not a Fluent Bit size (like 32MB)"
                        % loki.get("mem_buf_limit"))
    return messages
