"""Resource requests of a rendered environment: what the platform asks of the nodes, pods and sidecars included.

requests(build_dir) -> [(component, replicas, cpu cores, memory bytes)] from
- Helm releases (build/<env>/helm/*.yaml): the chart components whose requests the collection sets;
- custom resources whose operator starts pods (build/<env>/manifests/*.yaml): Kafka node pools, the Topic
  Operator, Kafka Exporter, Envoy proxies (plus the shutdown manager Envoy Gateway adds, 10m / 32Mi), the
  instances of a CloudNativePG Cluster;
- workloads (Deployments, StatefulSets, DaemonSets) the collection renders, a Deployment with an HPA at the HPA's
  minReplicas, and the Dapr sidecar of each Dapr-enabled pod (its dapr.io/sidecar-*-request annotations).
Components whose requests nobody sets are not counted (they would request nothing).
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
from plugins.module_utils._quantity import parse_quantity  # noqa: E402  pylint: disable=wrong-import-position

# Helm release name -> [(component, path to resources in values, replicas path or fixed count)].
HELM_COMPONENTS = {
    "envoy-gateway": [("envoy-gateway controller", ("deployment", "envoyGateway", "resources"),
                       ("deployment", "replicas"))],
    "strimzi-kafka-operator": [("strimzi operator", ("resources",), 1)],
    "cert-manager": [("cert-manager", ("resources",), 1), ("cert-manager webhook", ("webhook", "resources"), 1),
                     ("cert-manager cainjector", ("cainjector", "resources"), 1)],
    "dapr": [("dapr " + part[5:].replace("_", "-"), (part, "resources"), 1)
             for part in ("dapr_operator", "dapr_placement", "dapr_sentry", "dapr_scheduler",
                          "dapr_sidecar_injector")],
    "cloudnative-pg": [("cloudnative-pg operator", ("resources",), 1)],
    "metrics-server": [("metrics-server", ("resources",), 1)],
    # node-exporter is a DaemonSet: one pod per node, counted once here (the dev budget is one node).
    "kube-prometheus-stack": [("prometheus", ("prometheus", "prometheusSpec", "resources"), 1),
                              ("prometheus-operator", ("prometheusOperator", "resources"), 1),
                              ("kube-state-metrics", ("kube-state-metrics", "resources"), 1),
                              ("node-exporter", ("prometheus-node-exporter", "resources"), 1),
                              ("grafana", ("grafana", "resources"), 1),
                              ("grafana sidecars", ("grafana", "sidecar", "resources"), 2)],
}
ENVOY_SHUTDOWN_MANAGER = {"cpu": "10m", "memory": "32Mi"}


def _dig(data, path, default=None):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def _req(resources):
    requests = (resources or {}).get("requests") or {}
    return (parse_quantity(requests.get("cpu", 0)), parse_quantity(requests.get("memory", 0)))


def _docs(directory):
    if not os.path.isdir(directory):
        return
    for name in sorted(os.listdir(directory)):
        if name.endswith(".yaml"):
            with open(os.path.join(directory, name), encoding="utf-8") as handle:
                yield name, [doc for doc in yaml.safe_load_all(handle) if doc]


def _sidecar(template):
    annotations = (template.get("metadata") or {}).get("annotations") or {}
    if annotations.get("dapr.io/enabled") != "true":
        return None
    return annotations.get("dapr.io/app-id", "?"), {"requests": {
        "cpu": annotations.get("dapr.io/sidecar-cpu-request", 0),
        "memory": annotations.get("dapr.io/sidecar-memory-request", 0)}}


def requests(build_dir):
    rows = []
    for name, docs in _docs(os.path.join(build_dir, "helm")):
        release = docs[0]
        values = release.get("values") or {}
        ha = bool(_dig(values, ("global", "ha", "enabled"), False))
        for component, path, replicas in HELM_COMPONENTS.get(release.get("name"), []):
            count = _dig(values, replicas, 1) if isinstance(replicas, tuple) else (3 if ha else replicas)
            rows.append((component, int(count),) + _req(_dig(values, path)))
    manifests = [obj for _name, docs in _docs(os.path.join(build_dir, "manifests")) for obj in docs]
    hpa_min = {(obj["metadata"].get("namespace"), obj["spec"]["scaleTargetRef"]["name"]): obj["spec"].get("minReplicas", 1)
               for obj in manifests if obj.get("kind") == "HorizontalPodAutoscaler"}
    for obj in manifests:
        kind, spec, meta = obj.get("kind"), obj.get("spec") or {}, obj.get("metadata") or {}
        if kind == "KafkaNodePool":
            rows.append(("kafka pool " + meta["name"], int(spec["replicas"])) + _req(spec.get("resources")))
        elif kind == "Kafka":
            topic_operator = _dig(spec, ("entityOperator", "topicOperator"))
            if topic_operator is not None:
                rows.append(("kafka topic operator", 1) + _req(topic_operator.get("resources")))
            if "kafkaExporter" in spec:
                rows.append(("kafka exporter", 1) + _req(spec["kafkaExporter"].get("resources")))
        elif kind == "EnvoyProxy":
            deployment = _dig(spec, ("provider", "kubernetes", "envoyDeployment")) or {}
            count = int(deployment.get("replicas") or 1)
            rows.append(("envoy proxy", count) + _req(_dig(deployment, ("container", "resources"))))
            rows.append(("envoy shutdown manager", count) + _req({"requests": ENVOY_SHUTDOWN_MANAGER}))
        elif kind == "Cluster" and obj.get("apiVersion", "").startswith("postgresql.cnpg.io/"):
            rows.append(("postgres " + meta["name"], int(spec.get("instances") or 1)) + _req(spec.get("resources")))
        elif kind in ("Deployment", "StatefulSet", "DaemonSet"):
            template = spec.get("template") or {}
            containers = _dig(template, ("spec", "containers")) or []
            count = int(spec.get("replicas") or hpa_min.get((meta.get("namespace"), meta["name"]), 1))
            cpu = sum((_req(c.get("resources"))[0] for c in containers), Decimal(0))
            memory = sum((_req(c.get("resources"))[1] for c in containers), Decimal(0))
            rows.append(("%s %s" % (kind.lower(), meta["name"]), count, cpu, memory))
            sidecar = _sidecar(template)
            if sidecar is not None:
                rows.append(("daprd sidecar of " + sidecar[0], count) + _req(sidecar[1]))
    return rows


def surge(build_dir):
    """(cpu, memory) one extra pod of every Deployment adds while all of them roll out (RollingUpdate maxSurge)."""
    cpu = memory = Decimal(0)
    for _name, docs in _docs(os.path.join(build_dir, "manifests")):
        for obj in docs:
            if obj.get("kind") != "Deployment":
                continue
            rolling = _dig(obj, ("spec", "strategy", "rollingUpdate")) or {}
            extra = int(rolling.get("maxSurge", 0)) if isinstance(rolling.get("maxSurge"), int) else 0
            template = obj["spec"].get("template") or {}
            resources = [c.get("resources") for c in _dig(template, ("spec", "containers")) or []]
            sidecar = _sidecar(template)
            resources += [sidecar[1]] if sidecar else []
            cpu += extra * sum((_req(r)[0] for r in resources), Decimal(0))
            memory += extra * sum((_req(r)[1] for r in resources), Decimal(0))
    return cpu, memory


def totals(rows):
    cpu = sum((count * cpu for _c, count, cpu, _m in rows), Decimal(0))
    memory = sum((count * mem for _c, count, _cpu, mem in rows), Decimal(0))
    return cpu, memory
