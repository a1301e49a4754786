# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the application's workloads as the apps role deploys them.

effective_services(services, overrides, defaults) joins each entry of eventstack_services with the role's
defaults and the inventory's per-service overrides (a key of apps_overrides[name] replaces the entry's key) and
computes what the templates need: the full image reference, probes, env, HPA bounds, whether a PDB applies.

apps_problems(services, context) returns one message per problem a spec cannot express, each naming the variable
and the fix: image tags that cannot be rolled back to, resources, probes, HPA bounds, routes, env names, the
Secrets env refers to, and the application namespace's ResourceQuota against what the workloads hold while all of
them roll out (replicas or HPA minimum plus the one surge pod of a rolling update), sidecars and database
instances included. An HPA maximum above the quota is not an error: the quota caps the scale-out.
"""

from __future__ import annotations

import copy
import re

from ansible_collections.eventstack.oke.plugins.module_utils import _capacity
from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity

_TAG = re.compile(r"^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[0-9a-f]{64})$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESOURCE_KEYS = (("requests", "cpu"), ("requests", "memory"), ("limits", "cpu"), ("limits", "memory"))
# The Deployment strategy roles/apps/templates/objects.yml.j2 renders: one surge pod per Deployment while it rolls.
STRATEGY = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
# Keys a service may have (the apps role's and the dapr role's), and those effective_services adds.
KNOWN_KEYS = frozenset((
    "name", "app_id", "port", "protocol", "dapr", "image", "image_tag", "replicas", "resources", "probes", "env",
    "secret_env", "database", "hpa", "route", "automount_token", "read_only_root_filesystem", "publishes",
    "subscriptions", "state_store", "secrets", "calls"))
_COMPUTED_KEYS = frozenset(("min_replicas", "max_replicas", "pdb"))


def _image(registry, repository, tag):
    base = "%s/%s" % (registry.rstrip("/"), repository) if registry else repository
    return "%s@%s" % (base, tag) if str(tag).startswith("sha256:") else "%s:%s" % (base, tag)


def effective_services(services, overrides=None, defaults=None):
    """The services with every field the templates use filled in (see the module docstring)."""
    overrides, defaults = overrides or {}, defaults or {}
    result = []
    for entry in services or []:
        service = copy.deepcopy(entry)
        service.update(copy.deepcopy(overrides.get(service.get("name"), {})))
        tag = service.get("image_tag") or defaults.get("image_tag") or ""
        service["image_tag"] = str(tag)
        service["image"] = _image(defaults.get("image_registry", ""), service.get("image") or service.get("name"), tag)
        service.setdefault("dapr", True)
        service.setdefault("replicas", defaults.get("replicas", 1))
        service.setdefault("resources", copy.deepcopy(defaults.get("resources") or {}))
        probes = service.get("probes")
        service["probes"] = dict({"liveness": "/health", "readiness": "/ready"}, **(probes or {}))
        env = dict(defaults.get("env") or {})
        env.update(service.get("env") or {})
        service["env"] = {str(k): str(v) for k, v in env.items()}
        secret_env = list(service.get("secret_env") or [])
        database = defaults.get("database") or {}
        if service.get("database") and database.get("secret_name"):
            secret_env.insert(0, {"name": database.get("env", "DATABASE_URL"), "secret": database["secret_name"],
                                  "key": database["secret_key"]})
        service["secret_env"] = secret_env
        hpa = service.get("hpa")
        if hpa and defaults.get("hpa_enabled", True):
            service["hpa"] = {"min": hpa.get("min", 1), "max": hpa.get("max", hpa.get("min", 1)),
                              "cpu": hpa.get("cpu", defaults.get("hpa_cpu", 70))}
        else:
            service["hpa"] = None
        service["min_replicas"] = service["hpa"]["min"] if service["hpa"] else service["replicas"]
        service["max_replicas"] = service["hpa"]["max"] if service["hpa"] else service["replicas"]
        service["pdb"] = _int(service["min_replicas"]) > 1
        service.setdefault("route", "")
        service.setdefault("automount_token", False)
        service.setdefault("read_only_root_filesystem", True)
        result.append(service)
    return result


def workload(service):
    """What a completed service connects to, for the hardening role's NetworkPolicies."""
    dapr = bool(service.get("dapr", True))
    return {"name": service["name"], "labels": {"app.kubernetes.io/name": service["name"]},
            "port": _int(service.get("port")), "route": service.get("route") or "", "dapr": dapr,
            "database": bool(service.get("database")),
            "state_store": dapr and bool(service.get("state_store")),
            "pubsub": dapr and bool(service.get("subscriptions") or service.get("publishes")),
            # Services it calls directly through their ClusterIP Service (not through Dapr).
            "calls": [str(name) for name in service.get("calls") or []],
            "kube_secrets": dapr and bool(service.get("secrets"))}


def _int(value, default=0):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _quantity(value):
    try:
        return parse_quantity(value)
    except (TypeError, ValueError):
        return None


def _resources(resources):
    """{('requests', 'cpu'): Decimal, ...} of the keys that parse; missing keys are absent."""
    found = {}
    for section, key in _RESOURCE_KEYS:
        value = ((resources or {}).get(section) or {}).get(key)
        if value is not None and _quantity(value) is not None:
            found[section, key] = _quantity(value)
    return found


def _service_problems(index, service, known_secrets):
    where = "eventstack_services[%d] (%s)" % (index, service.get("name"))
    problems = ["%s: unknown key %r (in the service or its apps_overrides entry); known keys: %s"
                % (where, key, ", ".join(sorted(KNOWN_KEYS))) for key in sorted(set(service) - KNOWN_KEYS - _COMPUTED_KEYS)]
    tag = service.get("image_tag", "")
    if not tag:
        problems.append("%s: no image tag; deploy with -e apps_image_tag=<tag> (the git SHA the images were "
                        "built from) or set image_tag on the service" % where)
    elif tag == "latest":
        problems.append("%s: image tag 'latest' cannot be rolled back to; use an immutable tag such as the git SHA "
                        "(apps_image_tag or the service's image_tag)" % where)
    elif not _TAG.match(tag):
        problems.append("%s: image tag %r is not a valid tag (letters, digits, '_', '.', '-', at most 128) or "
                        "sha256 digest" % (where, tag))
    resources = service.get("resources") or {}
    for section, key in _RESOURCE_KEYS:
        value = (resources.get(section) or {}).get(key)
        if value is None:
            problems.append("%s: resources.%s.%s is missing; every container needs requests and limits "
                            "(set apps_resources or the service's resources)" % (where, section, key))
        elif _quantity(value) is None:
            problems.append("%s: resources.%s.%s %r is not a Kubernetes quantity (examples: 100m, 256Mi)"
                            % (where, section, key, value))
    parsed = _resources(resources)
    for key in ("cpu", "memory"):
        if ("requests", key) in parsed and ("limits", key) in parsed and parsed["requests", key] > parsed["limits", key]:
            problems.append("%s: resources.requests.%s is above resources.limits.%s" % (where, key, key))
    for kind, path in sorted(service.get("probes", {}).items()):
        if kind not in ("liveness", "readiness"):
            problems.append("%s: probes.%s: only liveness and readiness are known" % (where, kind))
        elif not str(path).startswith("/"):
            problems.append("%s: probes.%s %r must be an absolute HTTP path such as /health" % (where, kind, path))
    replicas = service.get("replicas")
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 1:
        problems.append("%s: replicas %r must be an integer of at least 1" % (where, replicas))
    hpa = service.get("hpa")
    if hpa:
        low, high, cpu = hpa.get("min"), hpa.get("max"), hpa.get("cpu")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high, cpu)):
            problems.append("%s: hpa min, max and cpu must be integers" % where)
        elif not 1 <= low <= high:
            problems.append("%s: hpa needs 1 <= min <= max (min %s, max %s)" % (where, low, high))
        elif not 1 <= cpu <= 100:
            problems.append("%s: hpa.cpu %s must be a utilisation percentage, 1-100" % (where, cpu))
    route = service.get("route")
    if route and not (str(route).startswith("/") and " " not in str(route)):
        problems.append("%s: route %r must be an absolute path prefix such as /api" % (where, route))
    if route and not service.get("port"):
        problems.append("%s: route %r needs the service's port" % (where, route))
    names = set()
    for name in list(service.get("env", {})) + [item.get("name") for item in service.get("secret_env", [])]:
        if not isinstance(name, str) or not _ENV_NAME.match(name):
            problems.append("%s: env name %r must be a C identifier (letters, digits, '_')" % (where, name))
        elif name in names:
            problems.append("%s: env %s is set twice (env, secret_env or database)" % (where, name))
        names.add(name)
    for item in service.get("secret_env", []):
        secret, key = item.get("secret"), item.get("key")
        if known_secrets is not None and key not in known_secrets.get(secret, []):
            known = ", ".join(sorted(known_secrets)) or "none"
            problems.append("%s: secret_env %s refers to %s/%s, which neither k8s_base_secrets nor the database "
                            "role creates (known: %s)" % (where, item.get("name"), secret, key, known))
    return problems


def _routes_problems(services, ingress_enabled):
    problems, seen = [], {}
    for index, service in enumerate(services):
        route = service.get("route")
        if not route:
            continue
        if not ingress_enabled:
            problems.append("eventstack_services[%d] (%s): route %r needs the ingress role (ingress_state: present)"
                            % (index, service.get("name"), route))
        if route in seen:
            problems.append("eventstack_services[%d] (%s): route %r is already %s's" % (
                index, service.get("name"), route, seen[route]))
        seen.setdefault(route, service.get("name"))
    return problems


def namespace_pods(services, sidecar=None, extra_pods=(), limit_range=None, namespace=None):
    """The pods the workloads hold in their namespace while every Deployment rolls, as _capacity groups.

    Each Deployment counts min_replicas (its replicas, or its HPA minimum) and its surge pods (_capacity.surge_pods of
    STRATEGY), each pod its container plus the Dapr sidecar when enabled; extra_pods is [(count, resources)] of
    other pods in the namespace (database instances, whose bootstrap init container asks the same). Values a
    container does not set get the LimitRange's defaults (limit_range: the k8s_base_namespaces limit_range settings).
    """
    groups = []
    for service in services:
        replicas = _int(service.get("min_replicas"), 1)
        containers = [service.get("resources")] + ([sidecar] if service.get("dapr") else [])
        groups.append(_capacity.pods_of("deployment %s" % service.get("name"), namespace, replicas, containers,
                                        limit_range, _capacity.surge_pods(replicas, STRATEGY)))
    groups += [_capacity.pods_of("database", namespace, _int(count), [resources], limit_range,
                                 init_containers=[resources]) for count, resources in extra_pods]
    return groups


def quota_problems(namespace, quota, groups):
    return ["k8s_base_namespaces (%s).quota.%s is %s, but the apps need %s while they roll out (every Deployment at "
            "its replicas or HPA minimum plus one surge pod, Dapr sidecars and database instances included): raise "
            "the quota or lower the services' replicas, hpa.min or resources" % (namespace, name, value, used)
            for name, value, used in _capacity.quota_excess(quota, groups)]


def apps_problems(services, context=None):
    """Problems of the effective services; context: known_secrets, ingress_enabled, override_names (the keys of
    apps_overrides), namespace, quota, sidecar,
    extra_pods and limit_range (see namespace_pods)."""
    context = context or {}
    problems = []
    for index, service in enumerate(services or []):
        problems += _service_problems(index, service, context.get("known_secrets"))
    problems += _routes_problems(services or [], context.get("ingress_enabled", True))
    names = {service.get("name") for service in services or []}
    problems += ["apps_overrides: %r is not the name of a service in eventstack_services (%s)"
                 % (name, ", ".join(sorted(n for n in names if n))) for name in sorted(context.get("override_names") or [])
                 if name not in names]
    if context.get("quota"):
        groups = namespace_pods(services or [], context.get("sidecar"), context.get("extra_pods") or (),
                                context.get("limit_range"), context.get("namespace"))
        problems += quota_problems(context.get("namespace"), context["quota"], groups)
    return problems
