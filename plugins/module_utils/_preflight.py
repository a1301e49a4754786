# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: inventory checks that role argument specs cannot express.

Each check returns messages that name the variable and say how to fix it; preflight joins them
into one failure so a user sees every problem at once.
"""

from __future__ import annotations

import re

from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_QUOTA_FIELDS = ("requests_cpu", "requests_memory", "limits_cpu", "limits_memory")
_LIMIT_RANGE_PAIRS = (("default_request_cpu", "default_cpu"), ("default_request_memory", "default_memory"))


def dns_label_problem(value, variable):
    if not isinstance(value, str) or len(value) > 63 or not _DNS_LABEL.match(value):
        return ("%s: %r is not a valid Kubernetes name (lower-case letters, digits and '-', at most 63 "
                "characters, starting and ending with a letter or digit)" % (variable, value))
    return None


def namespace_problems(namespaces, wanted):
    """Namespaces are valid, unique, and include every namespace the other roles use."""
    problems = []
    names = []
    for index, ns in enumerate(namespaces or []):
        var = "k8s_base_namespaces[%d].name" % index
        problem = dns_label_problem(ns.get("name"), var)
        if problem:
            problems.append(problem)
        names.append(ns.get("name"))
        problems.extend(_quota_problems(ns.get("quota") or {}, "k8s_base_namespaces[%d].quota" % index))
        problems.extend(_limit_range_problems(ns.get("limit_range") or {},
                                              "k8s_base_namespaces[%d].limit_range" % index))
    for name in sorted({n for n in names if names.count(n) > 1}, key=str):
        problems.append("k8s_base_namespaces: namespace %r is listed more than once; keep one entry" % name)
    for role, name in sorted((wanted or {}).items()):
        if name not in names:
            problems.append("eventstack_namespaces.%s: namespace %r is not in k8s_base_namespaces; add an entry for "
                            "it there or point eventstack_namespaces.%s at a listed namespace" % (role, name, role))
    return problems


def _quantities(spec, fields, variable, problems):
    values = {}
    for field in fields:
        if spec.get(field) is None:
            continue
        try:
            values[field] = parse_quantity(spec[field])
        except ValueError as exc:
            problems.append("%s.%s: %s" % (variable, field, exc))
    return values


def _quota_problems(quota, variable):
    problems = []
    values = _quantities(quota, _QUOTA_FIELDS, variable, problems)
    for kind in ("cpu", "memory"):
        req, lim = values.get("requests_" + kind), values.get("limits_" + kind)
        if req is not None and lim is not None and req > lim:
            problems.append("%s: requests_%s (%s) is larger than limits_%s (%s); raise the limit or lower the "
                            "request" % (variable, kind, quota["requests_" + kind], kind, quota["limits_" + kind]))
    return problems


def _limit_range_problems(limit_range, variable):
    problems = []
    fields = [field for pair in _LIMIT_RANGE_PAIRS for field in pair]
    values = _quantities(limit_range, fields, variable, problems)
    for request, limit in _LIMIT_RANGE_PAIRS:
        if request in values and limit in values and values[request] > values[limit]:
            problems.append("%s: %s (%s) is larger than %s (%s); containers would be rejected" % (
                variable, request, limit_range[request], limit, limit_range[limit]))
    return problems


def secret_problems(secrets, pull_secret, namespaces, defined_vars, require_values):
    """Secrets live in listed namespaces, have valid names and keys, and (apply mode) their vault variables exist."""
    problems = []
    listed = {ns.get("name") for ns in namespaces or []}
    defined = set(defined_vars or [])
    names = []

    def needs(var_name, variable):
        if not isinstance(var_name, str) or not _VAR_NAME.match(var_name):
            problems.append("%s: %r is not a variable name; give the name of the vault variable that holds the "
                            "value (for example vault_db_password)" % (variable, var_name))
        elif require_values and var_name not in defined:
            problems.append("%s: vault variable %r is not defined; add it to inventories/<env>/group_vars/all/"
                            "vault.yml (see README.md, 'Secrets')" % (variable, var_name))

    for index, secret in enumerate(secrets or []):
        var = "k8s_base_secrets[%d]" % index
        name, namespace = secret.get("name"), secret.get("namespace")
        if not isinstance(name, str) or len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
            problems.append("%s.name: %r is not a valid Secret name" % (var, name))
        if namespace not in listed:
            problems.append("%s.namespace: %r is not in k8s_base_namespaces; use one of: %s" % (
                var, namespace, ", ".join(sorted(n for n in listed if n))))
        names.append((namespace, name))
        if not secret.get("data_from_vars"):
            problems.append("%s.data_from_vars: empty; map each Secret key to the vault variable holding its value"
                            % var)
        for key, var_name in sorted((secret.get("data_from_vars") or {}).items()):
            if not _SECRET_KEY.match(str(key)):
                problems.append("%s.data_from_vars: key %r may hold only letters, digits, '-', '_' and '.'" % (var, key))
            needs(var_name, "%s.data_from_vars.%s" % (var, key))
    if pull_secret and pull_secret.get("enabled", True):
        for index, namespace in enumerate(pull_secret.get("namespaces") or []):
            if namespace not in listed:
                problems.append("k8s_base_pull_secret.namespaces[%d]: %r is not in k8s_base_namespaces" % (
                    index, namespace))
            names.append((namespace, pull_secret.get("name")))
        needs(pull_secret.get("password_var"), "k8s_base_pull_secret.password_var")
    for namespace, name in sorted({n for n in names if names.count(n) > 1}, key=str):
        problems.append("Secret %s/%s is defined more than once (k8s_base_secrets / k8s_base_pull_secret)" % (
            namespace, name))
    return problems


def _version_tuple(text):
    parts = re.findall(r"\d+", str(text))[:3]
    return tuple(int(p) for p in parts) + (0,) * (3 - len(parts))


def version_older(found, minimum):
    """True when version string found is older than minimum (numeric components only)."""
    return _version_tuple(found) < _version_tuple(minimum)


def controller_problems(info, ansible_core_version, min_python, min_ansible_core, collections, packages,
                        binaries=None):
    """Compare controller_info's result with what the collection needs; return messages with fixes."""
    problems = []
    python = info.get("python") or {}
    if version_older(python.get("version", "0"), min_python):
        problems.append("Python %s at %s is too old: %s or newer is needed; run make setup (it creates .venv) or set "
                        "ansible_python_interpreter" % (python.get("version"), python.get("executable"), min_python))
    if version_older(ansible_core_version, min_ansible_core):
        problems.append("ansible-core %s is too old: %s or newer is needed; run make setup, or pip install -r "
                        "requirements.txt" % (ansible_core_version, min_ansible_core))
    for name, minimum in sorted((collections or {}).items()):
        found = (info.get("collections") or {}).get(name)
        if not found:
            problems.append("collection %s is not installed: run make setup, or ansible-galaxy collection install "
                            "-r requirements.yml" % name)
        elif version_older(found["version"], minimum):
            problems.append("collection %s %s at %s is too old: %s or newer is needed; ansible-galaxy collection "
                            "install -r requirements.yml --upgrade" % (name, found["version"], found["path"], minimum))
    for name, minimum in sorted((packages or {}).items()):
        found = (info.get("python_packages") or {}).get(name)
        if not found or version_older(found, minimum):
            problems.append("Python package %s %s: %s or newer is needed in %s; run make setup, or pip install -r "
                            "requirements.txt" % (name, found or "is missing", minimum, python.get("executable")))
    for name, minimum in sorted((binaries or {}).items()):
        found = (info.get("binaries") or {}).get(name)
        if not found:
            problems.append("%s is not on the PATH: run make setup (it installs it into .venv/bin), or install %s %s "
                            "or newer" % (name, name, minimum))
        elif not found.get("version") or version_older(found["version"], minimum):
            problems.append("%s at %s is %s: %s or newer is needed; run make setup" % (
                name, found.get("path"), found.get("version") or "of unknown version", minimum))
    return problems


def stack_volumes(settings):
    """The persistent volumes the stack claims, [{name, size, count, variable}], from what the roles publish:
    settings = {kafka: strimzi_kafka_settings, database: database_connection, dapr: dapr_settings,
    observability: observability_settings} (any may be missing: that component claims nothing)."""
    volumes = []
    kafka = settings.get("kafka") or {}
    if kafka.get("enabled", True):
        for pool in kafka.get("node_pools") or []:
            storage = pool.get("storage") or {}
            disks = storage.get("volumes") or [] if storage.get("type") == "jbod" else [storage]
            for index, disk in enumerate(disks):
                if disk.get("type") == "persistent-claim" and disk.get("size"):
                    suffix = " volume %d" % index if len(disks) > 1 else ""
                    volumes.append({"name": "Kafka node pool %s%s" % (pool.get("name"), suffix),
                                    "size": str(disk["size"]), "count": int(pool.get("replicas") or 1),
                                    "variable": "strimzi_kafka_node_pools"})
    database = settings.get("database") or {}
    if database.get("storage_size") and int(database.get("instances") or 0) > 0:
        volumes.append({"name": "PostgreSQL", "size": str(database["storage_size"]),
                        "count": int(database["instances"]), "variable": "database_storage_size"})
    dapr = settings.get("dapr") or {}
    scheduler = dapr.get("scheduler_storage") or {}
    if dapr.get("enabled") and scheduler.get("size"):
        volumes.append({"name": "Dapr scheduler", "size": str(scheduler["size"]),
                        "count": int(scheduler.get("replicas") or 1), "variable": "dapr_scheduler_storage_size"})
    prometheus = (settings.get("observability") or {}).get("prometheus_storage_size")
    if prometheus:
        volumes.append({"name": "Prometheus", "size": str(prometheus), "count": 1,
                        "variable": "observability_prometheus_storage_size"})
    return volumes
