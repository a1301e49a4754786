# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: what the observability role runs in its namespace, and the checks preflight makes of its settings.

``pods(settings)`` lists the containers the role's charts start with the requests and limits it sets (the
Prometheus config reloader with the operator's defaults, node-exporter once per node);
``problems(settings)`` returns messages naming the variable and the fix: durations and sizes Prometheus would
refuse, thresholds, and the namespace's ResourceQuota against what the role would run (a quota the stack itself
exceeds is an error before anything changes; every container must set requests and limits, so no LimitRange
default is involved).
"""

from __future__ import annotations

import re

from ansible_collections.eventstack.oke.plugins.module_utils import _apps
from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity

DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
SIZE = re.compile(r"^[0-9]+(B|KB|MB|GB|TB|PB|EB)$")
# prometheus-operator's defaults for the config-reloader sidecar of the Prometheus pod.
CONFIG_RELOADER = {"requests": {"cpu": "10m", "memory": "50Mi"}, "limits": {"cpu": "10m", "memory": "50Mi"}}


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
    for variable in ("consumer_lag_threshold", "restart_threshold", "certificate_expiry_days"):
        value = settings.get(variable)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            messages.append("observability_%s: %r must be a whole number of at least 1" % (variable, value))
    if messages:
        return messages
    usage = _apps.namespace_usage([], extra_pods=[(count, resources) for _c, count, _v, resources in found])
    messages += ["k8s_base_namespaces (%s).quota.%s is %s, but the observability role's pods there add up to %s (%s); "
                 "raise the quota or lower the observability_*_resources" % (
                     settings.get("namespace"), name, value, used,
                     ", ".join("%s%s" % (component, " x%d" % count if count > 1 else "")
                               for component, count, _v, _r in found))
                 for name, value, used in _apps.quota_excess(settings.get("quota") or {}, usage)]
    return messages
