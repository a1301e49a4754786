# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: what a stack asks of its nodes, and whether it fits.

``workloads(objects, releases, nodes)`` lists every pod the stack runs, as groups of identical pods (namespace,
replicas, one pod's requests and limits), from ``_pod_model.pods``: the pod templates of the role manifests and of the
charts' rendered output, the pods operators create from the custom resources (Kafka node pools, the Entity Operator,
Kafka Exporter, Envoy proxies with their shutdown manager, CloudNativePG instances, Prometheus) and the Dapr sidecars
the injector adds. A container without requests gets its namespace's LimitRange defaults, as at admission; a pod asks
for the larger of its containers' sum and its largest init container. Jobs and Helm hooks run once and are not
counted; DaemonSet pods count once per node. A Helm release the render could not expand (no chart output) is counted
from its values instead: the components whose resources the collection sets (``HELM_COMPONENTS``).
``from_pods(pods)`` does the same for the pods a cluster runs. ``pods_of(name, namespace, count, containers,
limit_range, surge)`` is one group built from settings rather than manifests (the preflight checks of the apps,
strimzi_kafka and observability roles): N pods of these containers, with the LimitRange defaults of
``limit_range_of(k8s_base settings)`` applied the same way; ``surge_pods(replicas, strategy)`` is the pods a
Deployment adds while it rolls (``surge`` and the apps' preflight use it).

``quota_excess(quota, groups)`` is the one comparison with a namespace's ResourceQuota (k8s_base's quota settings:
requests_cpu, ..., pods); ``assess`` and the preflight checks both use it.

``assess(workloads, nodes, quotas, budget)`` sums them per namespace and for the environment, compares the sums
with the namespaces' ResourceQuotas, the budget and the nodes' allocatable capacity, places every pod on a node
(DaemonSet pods on each node first, then the largest pods first on the node with the most room left) and reports
headroom and the pods that fit nowhere.
"""

from __future__ import annotations

import os
import re
import time
from decimal import Decimal

from ansible_collections.eventstack.oke.plugins.module_utils import _manifests, _pod_model
from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity

# Helm releases the render could not expand: release name -> [(component, path to its resources in the values, replicas: a values path or a number,
# or "nodes" for a DaemonSet)].
HELM_COMPONENTS = {
    "envoy-gateway": [("envoy-gateway controller", ("deployment", "envoyGateway", "resources"),
                       ("deployment", "replicas"))],
    "strimzi-kafka-operator": [("strimzi operator", ("resources",), 1)],
    "cert-manager": [("cert-manager", ("resources",), 1), ("cert-manager webhook", ("webhook", "resources"), 1),
                     ("cert-manager cainjector", ("cainjector", "resources"), 1)],
    "dapr": [("dapr " + part[5:].replace("_", "-"), (part, "resources"), "ha")
             for part in ("dapr_operator", "dapr_placement", "dapr_sentry", "dapr_scheduler",
                          "dapr_sidecar_injector")],
    "cloudnative-pg": [("cloudnative-pg operator", ("resources",), 1)],
    "ingress-nginx": [("ingress-nginx controller", ("controller", "resources"), ("controller", "replicaCount"))],
    "metrics-server": [("metrics-server", ("resources",), 1)],
    "kube-prometheus-stack": [("prometheus", ("prometheus", "prometheusSpec", "resources"), 1),
                              ("prometheus-operator", ("prometheusOperator", "resources"), 1),
                              ("kube-state-metrics", ("kube-state-metrics", "resources"), 1),
                              ("node-exporter", ("prometheus-node-exporter", "resources"), "nodes"),
                              ("grafana", ("grafana", "resources"), 1)],
}
# Containers a chart runs beside the one above: (release, component) -> [(path, count)].
HELM_EXTRA_CONTAINERS = {("kube-prometheus-stack", "grafana"): [(("grafana", "sidecar", "resources"), 2)]}
RESOURCES = ("cpu", "memory")
QUOTA_KEYS = {"requests_cpu": ("requests", "cpu"), "requests_memory": ("requests", "memory"),
              "limits_cpu": ("limits", "cpu"), "limits_memory": ("limits", "memory")}


class CapacityError(ValueError):
    pass


def _dig(data, path, default=None):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def _amounts(resources):
    """{requests: {cpu, memory}, limits: {cpu, memory}} as Decimals (0 where unset)."""
    out = {}
    for kind in ("requests", "limits"):
        values = (resources or {}).get(kind) or {}
        out[kind] = {name: parse_quantity(values.get(name, 0)) for name in RESOURCES}
    return out


def _add(into, resources, times=1):
    for kind in ("requests", "limits"):
        for name in RESOURCES:
            into[kind][name] += times * resources[kind][name]
    return into


def _zero():
    return _amounts({})


def _group(name, namespace, replicas, pod, containers, daemon=False, sidecar=False):
    return {"name": name, "namespace": namespace or "default", "replicas": int(replicas), "pod": pod,
            "containers": containers, "daemon": daemon, "sidecar": sidecar}


# k8s_base_namespaces' limit_range settings -> the LimitRange k8s_base renders from them.
LIMIT_RANGE_SETTINGS = {"default": {"cpu": "default_cpu", "memory": "default_memory"},
                        "defaultRequest": {"cpu": "default_request_cpu", "memory": "default_request_memory"}}
# Kubernetes' RollingUpdate maxSurge when a Deployment sets none.
DEFAULT_MAX_SURGE = "25%"


def _is_quantity(value):
    try:
        parse_quantity(value)
    except (TypeError, ValueError):
        return False
    return True


def limit_range_of(settings):
    """The LimitRange ({default, defaultRequest}) k8s_base renders from a namespace's limit_range settings (values
    that are not quantities are left out: preflight names them)."""
    return {kind: {name: (settings or {})[key] for name, key in keys.items()
                   if (settings or {}).get(key) not in (None, "") and _is_quantity(settings[key])}
            for kind, keys in LIMIT_RANGE_SETTINGS.items()}


def surge_pods(replicas, strategy=None):
    """The pods a Deployment of `replicas` adds while it rolls: RollingUpdate's maxSurge, a number or a percentage
    of the replicas rounded up (Kubernetes' default 25%); none with Recreate."""
    strategy = strategy or {}
    if strategy.get("type") == "Recreate":
        return 0
    value = (strategy.get("rollingUpdate") or {}).get("maxSurge", DEFAULT_MAX_SURGE)
    if isinstance(value, str) and value.strip().endswith("%"):
        return -(-int(replicas) * int(value.strip()[:-1]) // 100)
    return int(value)


def pods_of(name, namespace, count, containers, limit_range=None, surge=0, init_containers=()):
    """A group of `count` identical pods (and `surge` more while they roll) whose containers (and init containers)
    ask these resources ({requests, limits} each), in namespace, as admitted under its LimitRange (limit_range: the
    k8s_base_namespaces limit_range settings). Values that are not quantities are left out: preflight names them."""
    def container(index, resources):
        kept = {kind: {key: value for key, value in ((resources or {}).get(kind) or {}).items()
                       if key in RESOURCES and _is_quantity(value)} for kind in ("requests", "limits")}
        return {"name": "c%d" % index, "resources": kept}
    spec = {"containers": [container(i, r) for i, r in enumerate(containers)],
            "initContainers": [container(i, r) for i, r in enumerate(init_containers)]}
    pod = _amounts(_pod_model.effective_requests(spec, limit_range_of(limit_range)))
    return _group(name, namespace, int(count) + int(surge), pod, len(containers))


def _pod_group(model, limit_ranges, node_count):
    spec = model["spec"]
    pod = _amounts(_pod_model.effective_requests(spec, limit_ranges.get(model["namespace"])))
    return _group(model["label"], model["namespace"], _pod_model.replicas_on(model, node_count), pod,
                  len(spec.get("containers") or []), model["daemon"], model["sidecar"])


def _release_groups(release, node_count):
    values = release.get("values") or {}
    namespace = release.get("namespace")
    ha = bool(_dig(values, ("global", "ha", "enabled"), False))
    groups = []
    for component, path, replicas in HELM_COMPONENTS.get(release.get("name"), []):
        if _dig(values, path) is None:
            continue  # a component whose requests nobody sets would request nothing
        if replicas == "nodes":
            count = node_count
        elif replicas == "ha":
            count = 3 if ha else 1
        elif isinstance(replicas, tuple):
            count = _dig(values, replicas, 1)
        else:
            count = replicas
        pod = _amounts(_dig(values, path))
        containers = 1
        for extra_path, extra_count in HELM_EXTRA_CONTAINERS.get((release.get("name"), component), []):
            if _dig(values, extra_path) is not None:
                _add(pod, _amounts(_dig(values, extra_path)), extra_count)
                containers += extra_count
        groups.append(_group(component, namespace, count, pod, containers, daemon=replicas == "nodes"))
    return groups


def workloads(objects, releases=(), node_count=1):
    """Groups of identical pods the rendered stack runs (see the module docstring)."""
    groups = []
    for release in releases or []:
        if not release.get("expanded"):
            groups += _release_groups(release, node_count)
    objects = [obj for obj in objects or [] if isinstance(obj, dict)]
    ranges = _pod_model.limit_ranges(objects)
    for model in _pod_model.pods(objects, releases):
        if not model["transient"]:
            groups.append(_pod_group(model, ranges, node_count))
    return groups


def from_pods(pods):
    """Groups (of one) for the pods a cluster runs: not finished ones, DaemonSet pods marked as such."""
    groups = []
    for pod in pods or []:
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            continue
        meta = pod.get("metadata") or {}
        daemon = any(ref.get("kind") == "DaemonSet" for ref in meta.get("ownerReferences") or [])
        spec = pod.get("spec") or {}
        # Admission has applied the LimitRange defaults already.
        requested = _amounts(_pod_model.effective_requests(spec))
        group = _group("pod " + meta.get("name", "?"), meta.get("namespace"), 1, requested,
                       len(spec.get("containers") or []), daemon)
        group["node"] = (pod.get("spec") or {}).get("nodeName")
        groups.append(group)
    return groups


def surge(objects, releases=()):
    """(cpu, memory) the surge pods of every Deployment add while all of them roll out (surge_pods)."""
    extra = _zero()
    objects = [obj for obj in objects or [] if isinstance(obj, dict)]
    ranges = _pod_model.limit_ranges(objects)
    deployments = [obj for obj in objects if obj.get("kind") == "Deployment"]
    models = _pod_model.inject_dapr(_pod_model.template_pods(deployments, _pod_model.hpa_minimums(objects)),
                                    _pod_model.dapr_injector_settings(objects, releases))
    for deployment, model in zip(deployments, models):
        count = surge_pods(model["replicas"], _dig(deployment, ("spec", "strategy")))
        _add(extra, _pod_group(model, ranges, 1)["pod"], count)
    return extra["requests"]["cpu"], extra["requests"]["memory"]


def nodes_from_api(nodes):
    """[{name, cpu, memory}] of the schedulable nodes' allocatable capacity."""
    found = []
    for node in nodes or []:
        if (node.get("spec") or {}).get("unschedulable"):
            continue
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        found.append({"name": (node.get("metadata") or {}).get("name"), "cpu": allocatable.get("cpu", 0),
                      "memory": allocatable.get("memory", 0)})
    return found


def pool_nodes(pool):
    """[{name, cpu, memory}] of an OKE node pool's nodes (count x shape) less what each node reserves."""
    if not pool or not int(pool.get("count") or 0):
        return []
    per_ocpu = 1 if re.search(r"\.A[0-9]+\.", str(pool.get("shape") or "")) else 2
    reserved = pool.get("reserved") or {}
    cpu = Decimal(str(pool["ocpus"])) * per_ocpu - parse_quantity(reserved.get("cpu", 0))
    memory = Decimal(str(pool["memory_gbs"])) * 2 ** 30 - parse_quantity(reserved.get("memory", 0))
    if cpu <= 0 or memory <= 0:
        raise CapacityError("the node pool's nodes have nothing left after what they reserve (%s)" % reserved)
    return [{"name": "%s-%d" % (pool.get("name") or "node", index), "cpu": cpu, "memory": memory}
            for index in range(1, int(pool["count"]) + 1)]


def total(groups):
    """Requests and limits of every pod of the groups."""
    out = _zero()
    for group in groups:
        _add(out, group["pod"], group["replicas"])
    return out


def _place(groups, nodes):
    """Place every pod: DaemonSet pods on each node, then the rest, largest first, where most room is left."""
    free = [{"name": node["name"], "cpu": node["cpu"], "memory": node["memory"], "pods": 0} for node in nodes]
    unplaced = []
    for group in [g for g in groups if g["daemon"]]:
        for node in free:
            node["cpu"] -= group["pod"]["requests"]["cpu"]
            node["memory"] -= group["pod"]["requests"]["memory"]
            node["pods"] += 1
            if node["cpu"] < 0 or node["memory"] < 0:
                unplaced.append({"pod": group["name"], "namespace": group["namespace"], "node": node["name"]})
    others = [g for g in groups if not g["daemon"]]
    others.sort(key=lambda g: (g["pod"]["requests"]["memory"], g["pod"]["requests"]["cpu"]), reverse=True)
    for group in others:
        need = group["pod"]["requests"]
        for _replica in range(group["replicas"]):
            fits = [n for n in free if n["cpu"] >= need["cpu"] and n["memory"] >= need["memory"]]
            if not fits:
                unplaced.append({"pod": group["name"], "namespace": group["namespace"], "node": None})
                continue
            node = max(fits, key=lambda n: (n["memory"], n["cpu"]))
            node["cpu"] -= need["cpu"]
            node["memory"] -= need["memory"]
            node["pods"] += 1
    return free, unplaced


def _plain(value):
    return format(Decimal(value).normalize(), "f")


def show(value, resource):
    """A CPU amount in cores (to the millicore), memory in GiB, for the report."""
    if resource == "cpu":
        return _plain(Decimal(value).quantize(Decimal("0.001")))
    return "%.2fGi" % (Decimal(value) / 2 ** 30)


def assess(groups, nodes, quotas=None, budget=None):
    """Per namespace and environment sums, their headroom under quotas, budget and nodes, and what fits nowhere."""
    nodes = [{"name": n.get("name") or "node-%d" % i, "cpu": parse_quantity(str(n.get("cpu", 0))),
              "memory": parse_quantity(str(n.get("memory", 0)))} for i, n in enumerate(nodes or [], 1)]
    if not nodes:
        raise CapacityError("no nodes to place the pods on: give them (render mode: verify_nodes, or the OKE node pool)")
    problems = []
    namespaces = {}
    for namespace in sorted({g["namespace"] for g in groups} | set(quotas or {})):
        members = [g for g in groups if g["namespace"] == namespace]
        used = total(members)
        entry = {"pods": sum(g["replicas"] for g in members), "used": used, "quota": {}, "headroom": {}}
        for key, hard, have in _quota_usage((quotas or {}).get(namespace), used, entry["pods"]):
            entry["quota"][key] = hard
            entry["headroom"][key] = hard - have
            if have > hard:
                problems.append("namespace %s: %s %s exceeds its quota of %s" % (
                    namespace, key, _quota_value(key, have), _quota_value(key, hard)))
        namespaces[namespace] = entry
    summed = total(groups)
    allocatable = {"cpu": sum((n["cpu"] for n in nodes), Decimal(0)),
                   "memory": sum((n["memory"] for n in nodes), Decimal(0))}
    headroom = {name: allocatable[name] - summed["requests"][name] for name in RESOURCES}
    for name in RESOURCES:
        if headroom[name] < 0:
            problems.append("the stack requests %s %s but the %d node(s) offer %s" % (
                show(summed["requests"][name], name), name, len(nodes), show(allocatable[name], name)))
    budget_headroom = {}
    if budget:
        for name in RESOURCES:
            if budget.get(name) is None:
                continue
            limit = parse_quantity(budget[name])
            budget_headroom[name] = limit - summed["requests"][name]
            if budget_headroom[name] < 0:
                problems.append("the stack requests %s %s, over the budget of %s (eventstack_budget)" % (
                    show(summed["requests"][name], name), name, show(limit, name)))
    free, unplaced = _place(groups, nodes)
    for item in unplaced:
        problems.append("%s/%s fits on %s" % (item["namespace"], item["pod"], "no node" if item["node"] is None
                                              else "node %s only beyond its capacity" % item["node"]))
    return {"namespaces": namespaces, "requests": summed, "allocatable": allocatable, "headroom": headroom,
            "budget_headroom": budget_headroom, "nodes": free, "unschedulable": unplaced,
            "pods": sum(g["replicas"] for g in groups),
            "containers": sum(g["replicas"] * g["containers"] for g in groups), "problems": problems}


def _quota_usage(quota, used, pods):
    """[(key, hard, have)] of each ResourceQuota setting (k8s_base form) against requests/limits and a pod count."""
    found = []
    for key, value in sorted((quota or {}).items()):
        if value in (None, ""):
            continue
        if key == "pods":
            found.append((key, Decimal(int(value)), Decimal(pods)))
        elif key in QUOTA_KEYS:
            kind, resource = QUOTA_KEYS[key]
            found.append((key, parse_quantity(value), used[kind][resource]))
    return found


def quota_excess(quota, groups):
    """[(quota setting, its value as given, the usage shown)] for each setting of a namespace's quota (k8s_base
    form: requests_cpu, requests_memory, limits_cpu, limits_memory, pods) that the pods of the groups exceed, as a
    ResourceQuota counts them (every pod that is not finished). A value that is not a quantity is left out:
    preflight names it."""
    usable = {key: value for key, value in (quota or {}).items()
              if key == "pods" and str(value).isdigit() or key in QUOTA_KEYS and _is_quantity(value)}
    used = total(groups)
    return [(key, quota[key], _quota_value(key, have))
            for key, hard, have in _quota_usage(usable, used, sum(g["replicas"] for g in groups)) if have > hard]


def _quota_value(key, value):
    if key == "pods":
        return "%d" % value
    return show(value, "cpu" if key.endswith("cpu") else "memory")


def to_plain(value):
    """The assessment with Decimals as strings (cores, bytes), for module results and JSON."""
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, Decimal):
        return _plain(value)
    return value


def check_render(params):
    """The capacity_budget check over a render (params: build_dir, objects, releases, nodes, node_pool, quotas,
    budget): (module result, failure message or None). Raises CapacityError (and the loader's errors)."""
    started = time.monotonic()
    if params.get("build_dir") and not os.path.isdir(params["build_dir"]):
        raise CapacityError("build_dir %s does not exist: render first (make plan ENV=<env>)" % params["build_dir"])
    objects, releases = _manifests.load_build(params["build_dir"]) if params.get("build_dir") else ([], [])
    nodes = params.get("nodes") or pool_nodes(params.get("node_pool") or {})
    groups = workloads(objects + list(params.get("objects") or []), releases + list(params.get("releases") or []),
                       max(len(nodes), 1))
    result = assess(groups, nodes, params.get("quotas") or {}, params.get("budget") or {})
    output = dict(to_plain(result), changed=False, requests_made=0, elapsed=round(time.monotonic() - started, 3))
    message = "the stack does not fit: %s" % "; ".join(result["problems"]) if result["problems"] else None
    return output, message
