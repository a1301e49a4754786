# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: checkpoints of a running cluster answered through the Kubernetes API alone (the k8s_live_checks module).

Each check takes a KubeClient and its settings and returns a checkpoint ``{name, required, passed, seconds,
evidence}`` - the evidence names what was looked at and, for every failure, where and why, never a Secret's value:

- ``nodes``: every node Ready, its capacity against the node pool's shape (OCPUs as vCPUs, memory in GB) and its
  allocatable against what the render-mode capacity check counted on (a warning, not a failure: the kubelet's
  reservations differ from the estimate);
- ``access``: SubjectAccessReviews of a ServiceAccount (its user name and the groups its tokens carry) for what it
  must be allowed and what it must be denied;
- ``leaks``: no value of a Secret of the owned namespaces in a ConfigMap, an env literal of a pod or workload
  template, or an annotation there (values shorter than ``MIN_SECRET_LENGTH`` are not searched: they match too much);
- ``quotas``: each namespace's ResourceQuota holds the configured hard limits, and a pod without resources,
  created with ``dryRun=All`` (nothing is stored), gets the LimitRange's defaults;
- ``metrics``: ``metrics.k8s.io`` answers for every running pod of a namespace;
- ``hpa``: every HorizontalPodAutoscaler of a namespace has ``ScalingActive=True``.
"""

from __future__ import annotations

import base64
import binascii
import time
from decimal import Decimal

from ansible_collections.eventstack.oke.plugins.module_utils._checkpoint import finish
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import kube_auth_argspec
from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity

MIN_SECRET_LENGTH = 8
GIB = Decimal(2) ** 30
# Capacity the kubelet reports against the shape's memory: the firmware and the kernel keep some.
MEMORY_TOLERANCE = Decimal("0.85")
# vCPUs per OCPU by shape family (OCI: Arm A1 one, x86 two); shapes not listed are shown, not compared.
VCPUS_PER_OCPU = (("VM.Standard.A1.", 1), ("VM.Standard.E", 2), ("VM.Standard3.", 2), ("VM.Optimized3.", 2),
                  ("VM.Standard2.", 2))
SERVICE_ACCOUNT_GROUPS = ("system:serviceaccounts", "system:authenticated")
# Where Secret values must not appear: (api prefix, plural, path of the pod spec in the object or None).
PLACES = (("/api/v1", "configmaps", None), ("/api/v1", "pods", ("spec",)),
          ("/apis/apps/v1", "deployments", ("spec", "template", "spec")),
          ("/apis/apps/v1", "statefulsets", ("spec", "template", "spec")),
          ("/apis/apps/v1", "daemonsets", ("spec", "template", "spec")),
          ("/apis/batch/v1", "jobs", ("spec", "template", "spec")),
          ("/apis/batch/v1", "cronjobs", ("spec", "jobTemplate", "spec", "template", "spec")),
          ("/api/v1", "services", None), ("/api/v1", "serviceaccounts", None), ("/api/v1", "secrets", None))
KINDS = {"configmaps": "ConfigMap", "pods": "Pod", "deployments": "Deployment", "statefulsets": "StatefulSet",
         "daemonsets": "DaemonSet", "jobs": "Job", "cronjobs": "CronJob", "services": "Service",
         "serviceaccounts": "ServiceAccount", "secrets": "Secret"}
QUOTA_KEYS = {"requests_cpu": "requests.cpu", "requests_memory": "requests.memory", "limits_cpu": "limits.cpu",
              "limits_memory": "limits.memory", "pods": "pods", "persistent_volume_claims": "persistentvolumeclaims",
              "requests_storage": "requests.storage"}
LIMIT_KEYS = {"default_cpu": ("limits", "cpu"), "default_memory": ("limits", "memory"),
              "default_request_cpu": ("requests", "cpu"), "default_request_memory": ("requests", "memory")}
PROBE_POD = "eventstack-verify-defaults"


def _error_text(exc):
    return "HTTP %s: %s" % (getattr(exc, "status", 0), getattr(exc, "reason", exc))


def evidence_cause(line):
    """Whether an evidence line of a live check says why it failed (its FAIL lines, or that the check could not run)."""
    return "FAIL" in line or "could not" in line


def run(name, required, check, *args):
    """The checkpoint of ``check(*args)`` (which returns (passed, evidence)); an API error fails it with the error."""
    started = time.monotonic()
    try:
        passed, evidence = check(*args)
    except Exception as exc:  # KubeError and whatever a malformed answer raises: the check could not run
        passed, evidence = False, ["the check could not run: %s" % (
            _error_text(exc) if hasattr(exc, "status") else "%s: %s" % (type(exc).__name__, exc))]
    return {"name": name, "required": required, "passed": bool(passed), "seconds": round(time.monotonic() - started, 3),
            "evidence": evidence}


def _items(client, path, query=None):
    return client.request("GET", path, query=query).get("items") or []


def _meta(obj):
    return obj.get("metadata") or {}


def _dig(obj, path):
    for key in path:
        obj = (obj or {}).get(key)
    return obj or {}


def _q(value):
    return parse_quantity(value) if value not in (None, "") else None


def _plain(value, resource):
    if isinstance(value, Decimal):
        return _gb(value) if resource == "memory" else "%s" % value.normalize()
    return value


def _gb(value):
    return "%s GiB" % (value / GIB).quantize(Decimal("0.1"))


# --- nodes -------------------------------------------------------------------------------------------------------------
def vcpus_per_ocpu(shape):
    return next((count for prefix, count in VCPUS_PER_OCPU if (shape or "").startswith(prefix)), None)


def nodes(client, spec):
    problems, lines = [], []
    found = _items(client, "/api/v1/nodes")
    count, ocpus, memory_gbs = int(spec.get("count") or 0), spec.get("ocpus"), spec.get("memory_gbs")
    per_ocpu = vcpus_per_ocpu(spec.get("shape"))
    minimum = dict(spec.get("minimum") or {})
    reserved = spec.get("reserved") or {}
    if not minimum and ocpus and memory_gbs and per_ocpu:  # the node pool less what the render estimated is kept
        minimum = {"cpu": Decimal(int(ocpus) * per_ocpu) - (_q(reserved.get("cpu")) or 0),
                   "memory": Decimal(int(memory_gbs)) * GIB - (_q(reserved.get("memory")) or 0)}
    ready = 0
    for node in found:
        name = _meta(node).get("name")
        status = node.get("status") or {}
        condition = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
        capacity, allocatable = status.get("capacity") or {}, status.get("allocatable") or {}
        cpu, memory = _q(capacity.get("cpu")), _q(capacity.get("memory"))
        lines.append("node %s: Ready=%s, capacity %s CPU / %s, allocatable %s CPU / %s" % (
            name, (condition or {}).get("status", "unknown"), capacity.get("cpu", "?"),
            _gb(memory) if memory is not None else "?", allocatable.get("cpu", "?"),
            _gb(_q(allocatable["memory"])) if allocatable.get("memory") else "?"))
        if not condition or condition.get("status") != "True":
            problems.append("node %s is not Ready%s" % (name, "".join(
                " %s: %s" % (k, condition[k]) for k in ("reason", "message") if (condition or {}).get(k))))
        else:
            ready += 1
        if ocpus and per_ocpu and cpu is not None and cpu != Decimal(int(ocpus) * per_ocpu):
            problems.append("node %s has %s CPU; %s OCPU of %s are %d vCPU" % (
                name, capacity.get("cpu"), ocpus, spec.get("shape"), int(ocpus) * per_ocpu))
        if memory_gbs and memory is not None:
            shape_memory = Decimal(int(memory_gbs)) * GIB
            if not shape_memory * MEMORY_TOLERANCE <= memory <= shape_memory:
                problems.append("node %s has %s of memory; the shape gives %s GB" % (name, _gb(memory), memory_gbs))
        for resource in ("cpu", "memory"):
            have, want = _q(allocatable.get(resource)), _q(minimum.get(resource))
            if have is not None and want is not None and have < want:
                lines.append("warning: node %s allocatable %s %s is below the %s the render-mode capacity check "
                             "counted on (verify_nodes or the node pool less verify_node_reserved)" % (
                                 name, resource, allocatable[resource], _plain(minimum[resource], resource)))
    if not found:
        problems.append("the cluster has no nodes")
    if count and ready < count:
        problems.append("%d of the node pool's %d nodes are Ready" % (ready, count))
    if ocpus and not per_ocpu:
        lines.append("shape %s: OCPUs not compared with the nodes' vCPUs (unknown family)" % spec.get("shape"))
    summary = "%d of %d node(s) Ready%s" % (ready, len(found), (
        "; expected %d node(s) of %s %s OCPU / %s GB" % (count, spec.get("shape") or "the shape", ocpus, memory_gbs)
        if count or ocpus else ""))
    return not problems, [summary] + lines + ["FAIL %s" % p for p in problems]


# --- access --------------------------------------------------------------------------------------------------------------
def _attributes(item, namespace):
    resource, _slash, sub = item["resource"].partition("/")
    attributes = {"verb": item["verb"], "group": item.get("group") or "", "resource": resource}
    if sub:
        attributes["subresource"] = sub
    ns = item.get("namespace", namespace)
    if ns:
        attributes["namespace"] = ns
    return attributes


def _describe(attributes):
    what = attributes["resource"] + ("/" + attributes["subresource"] if attributes.get("subresource") else "")
    what += "." + attributes["group"] if attributes["group"] else ""
    return "%s %s %s" % (attributes["verb"], what, "in %s" % attributes["namespace"] if attributes.get("namespace")
                         else "cluster-wide")


def review(client, user, groups, attributes):
    """The API server's answer to one SubjectAccessReview: (allowed, reason)."""
    answer = client.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", body={
        "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
        "spec": {"user": user, "groups": list(groups), "resourceAttributes": attributes}})
    status = answer.get("status") or {}
    return bool(status.get("allowed")), status.get("reason") or status.get("evaluationError") or ""


def access(client, spec):
    namespace, name = spec["namespace"], spec["service_account"]
    user = "system:serviceaccount:%s:%s" % (namespace, name)
    groups = SERVICE_ACCOUNT_GROUPS[:1] + ("system:serviceaccounts:%s" % namespace,) + SERVICE_ACCOUNT_GROUPS[1:]
    lines, failed = ["SubjectAccessReviews of %s (groups %s)" % (user, ", ".join(groups))], 0
    for expected, items in ((True, spec.get("allowed") or []), (False, spec.get("denied") or [])):
        for item in items:
            attributes = _attributes(item, namespace)
            allowed, reason = review(client, user, groups, attributes)
            ok = allowed is expected
            failed += not ok
            lines.append("%s %s %s%s%s" % (
                "pass" if ok else "FAIL", "allowed" if allowed else "denied", _describe(attributes),
                "" if ok else " (must be %s)" % ("allowed" if expected else "denied"),
                " - %s" % reason if reason else ""))
    return failed == 0 and len(lines) > 1, lines


# --- secrets -------------------------------------------------------------------------------------------------------------
def _secret_values(secret):
    """(key, decoded value) of a Secret's data, except what service-account-token Secrets share with everyone."""
    public = ("ca.crt", "namespace") if secret.get("type") == "kubernetes.io/service-account-token" else ()
    for key, value in sorted((secret.get("data") or {}).items()):
        if key in public:
            continue
        try:
            yield key, base64.b64decode(value).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue  # binary: cannot be pasted into text fields


def _texts(obj, plural, spec_path):
    """(where, text) of every place of an object a value must not be in."""
    for key, value in sorted((_meta(obj).get("annotations") or {}).items()):
        yield "annotation %s" % key, value
    if plural == "configmaps":
        for key, value in sorted((obj.get("data") or {}).items()):
            yield "data.%s" % key, value
    if spec_path:
        pod_spec = _dig(obj, spec_path)
        for field in ("initContainers", "containers"):
            for container in pod_spec.get(field) or []:
                for env in container.get("env") or []:
                    if isinstance(env.get("value"), str):
                        yield "container %s env %s" % (container.get("name"), env.get("name")), env["value"]


def secrets(client, spec):
    namespaces = spec["namespaces"]
    minimum = int(spec.get("min_length") or MIN_SECRET_LENGTH)
    values, short, owners = [], 0, 0
    objects = []
    for namespace in namespaces:
        for prefix, plural, spec_path in PLACES:
            try:
                listed = _items(client, "%s/namespaces/%s/%s" % (prefix, namespace, plural))
            except Exception as exc:  # a namespace that does not exist holds nothing
                if getattr(exc, "status", 0) == 404:
                    continue
                raise
            objects += [(plural, spec_path, obj) for obj in listed]
            if plural == "secrets":
                for secret in listed:
                    owners += 1
                    for key, value in _secret_values(secret):
                        if len(value) < minimum:
                            short += 1
                        else:
                            values.append(("%s/%s" % (namespace, _meta(secret).get("name")), key, value))
    found, places = [], 0
    for plural, spec_path, obj in objects:
        where = "%s %s/%s" % (KINDS[plural], _meta(obj).get("namespace"), _meta(obj).get("name"))
        for field, text in _texts(obj, plural, spec_path):
            places += 1
            for secret, key, value in values:
                if value in text:
                    found.append("FAIL Secret %s key %s: its value is in %s %s" % (secret, key, where, field))
    lines = ["%d values of %d Secrets searched in %d fields (ConfigMap data, env literals, annotations) of %d objects "
             "in %s%s: %s" % (len(values), owners, places, len(objects), ", ".join(namespaces),
                              "; %d shorter than %d characters not searched" % (short, minimum) if short else "",
                              "%d exposed" % len(found) if found else "none exposed")]
    return not found, lines + found


# --- quotas and LimitRange defaults ------------------------------------------------------------------------------------
def probe_pod(namespace):
    """A pod without resources that any Pod Security level admits (the pause image, as a non-root user)."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": PROBE_POD, "namespace": namespace,
                         "labels": {"app.kubernetes.io/name": PROBE_POD}},
            "spec": {"automountServiceAccountToken": False, "restartPolicy": "Never",
                     "securityContext": {"runAsNonRoot": True, "runAsUser": 65535, "runAsGroup": 65535,
                                         "seccompProfile": {"type": "RuntimeDefault"}},
                     "containers": [{"name": "probe", "image": "registry.k8s.io/pause:3.10",
                                     "securityContext": {"allowPrivilegeEscalation": False,
                                                         "readOnlyRootFilesystem": True,
                                                         "capabilities": {"drop": ["ALL"]}}}]}}


def _quota(client, namespace, wanted, lines):
    quotas = _items(client, "/api/v1/namespaces/%s/resourcequotas" % namespace)
    expected = {QUOTA_KEYS[k]: str(v) for k, v in sorted(wanted.items()) if v is not None and k in QUOTA_KEYS}
    for quota in quotas:
        hard = (quota.get("spec") or {}).get("hard") or {}
        if all(key in hard and _q(hard[key]) == _q(value) for key, value in expected.items()):
            lines.append("pass %s: ResourceQuota %s holds %s" % (namespace, _meta(quota).get("name"), ", ".join(
                "%s=%s" % item for item in expected.items())))
            return True
    if not quotas:
        lines.append("FAIL %s: no ResourceQuota (expected %s)" % (namespace, ", ".join(
            "%s=%s" % item for item in expected.items())))
    for quota in quotas:
        hard = (quota.get("spec") or {}).get("hard") or {}
        lines.append("FAIL %s: ResourceQuota %s differs: %s" % (namespace, _meta(quota).get("name"), ", ".join(
            "%s is %s, %s expected" % (key, hard.get(key, "unset"), value) for key, value in expected.items()
            if key not in hard or _q(hard[key]) != _q(value))))
    return False


def _defaults(client, namespace, wanted, lines):
    try:
        pod = client.request("POST", "/api/v1/namespaces/%s/pods" % namespace, query={"dryRun": "All"},
                             body=probe_pod(namespace))
    except Exception as exc:
        if not hasattr(exc, "status"):
            raise
        lines.append("FAIL %s: a pod without resources is refused (dry run): %s" % (namespace, _error_text(exc)))
        return False
    resources = ((pod.get("spec") or {}).get("containers") or [{}])[0].get("resources") or {}
    wrong = []
    for key, (field, resource) in sorted(LIMIT_KEYS.items()):
        if wanted.get(key) is None:
            continue
        got = (resources.get(field) or {}).get(resource)
        if _q(got) != _q(wanted[key]):
            wrong.append("%s.%s is %s, the LimitRange default %s" % (field, resource, got or "unset", wanted[key]))
    got = "; ".join("%s %s" % (field, ", ".join("%s=%s" % item for item in sorted((resources.get(field) or {}).items())))
                    for field in ("requests", "limits") if resources.get(field)) or "no resources"
    if wrong:
        lines.append("FAIL %s: a pod without resources (dry run) gets %s: %s" % (namespace, got, "; ".join(wrong)))
        return False
    lines.append("pass %s: a pod without resources (dry run, nothing stored) gets %s" % (namespace, got))
    return True


def quotas(client, spec):
    lines, ok = [], True
    wanted_quotas, wanted_defaults = spec.get("quotas") or {}, spec.get("limit_ranges") or {}
    for namespace in sorted(set(wanted_quotas) | set(wanted_defaults)):
        if wanted_quotas.get(namespace):
            ok = _quota(client, namespace, wanted_quotas[namespace], lines) and ok
        if wanted_defaults.get(namespace):
            ok = _defaults(client, namespace, wanted_defaults[namespace], lines) and ok
    return ok and bool(lines), lines or ["no namespace has a quota or a LimitRange to check"]


# --- metrics and autoscalers -------------------------------------------------------------------------------------------
def _running(pod):
    return (pod.get("status") or {}).get("phase", "Running") == "Running" and not _meta(pod).get("deletionTimestamp")


def metrics(client, spec):
    namespace = spec["namespace"]
    pods = sorted(_meta(p).get("name") for p in _items(client, "/api/v1/namespaces/%s/pods" % namespace)
                  if _running(p))
    try:
        usage = _items(client, "/apis/metrics.k8s.io/v1beta1/namespaces/%s/pods" % namespace)
    except Exception as exc:
        if not hasattr(exc, "status"):
            raise
        return False, ["FAIL metrics.k8s.io does not answer for %s (is metrics-server running?): %s" % (
            namespace, _error_text(exc))]
    measured = {_meta(m).get("name"): m for m in usage}
    missing = [p for p in pods if p not in measured]
    lines = ["metrics.k8s.io reports %d of %d running pods in %s" % (len(pods) - len(missing), len(pods), namespace)]
    for name in pods:
        if name in measured:
            total = {"cpu": Decimal(0), "memory": Decimal(0)}
            for container in measured[name].get("containers") or []:
                for resource in total:
                    total[resource] += _q((container.get("usage") or {}).get(resource)) or 0
            lines.append("pod %s uses %sm CPU / %s MiB" % (name, int(total["cpu"] * 1000), int(total["memory"] / 2 ** 20)))
    lines += ["FAIL pod %s: no metrics" % name for name in missing]
    return bool(pods) and not missing, lines if pods else lines + ["FAIL no running pod in %s" % namespace]


def hpa(client, spec):
    namespace = spec["namespace"]
    found = _items(client, "/apis/autoscaling/v2/namespaces/%s/horizontalpodautoscalers" % namespace)
    lines, ok = [], bool(found)
    for item in sorted(found, key=lambda h: _meta(h).get("name")):
        status = item.get("status") or {}
        condition = next((c for c in status.get("conditions") or [] if c.get("type") == "ScalingActive"), None)
        active = (condition or {}).get("status") == "True"
        ok = ok and active
        current = "; ".join("%s %s%% of %s%%" % (
            _dig(m, ("resource",)).get("name"), _dig(m, ("resource", "current")).get("averageUtilization"),
            _dig(t, ("resource", "target")).get("averageUtilization"))
            for m, t in zip(status.get("currentMetrics") or [], (item.get("spec") or {}).get("metrics") or [])
            if m.get("type") == "Resource")
        lines.append("%s HPA %s: ScalingActive=%s%s%s, %s replica(s)" % (
            "pass" if active else "FAIL", _meta(item).get("name"), (condition or {}).get("status", "unknown"),
            "".join(" %s: %s" % (k, condition[k]) for k in ("reason", "message") if (condition or {}).get(k)),
            "; %s" % current if current else "", status.get("currentReplicas", "?")))
    return ok, lines or ["FAIL no HorizontalPodAutoscaler in %s" % namespace]


CHECKS = {"nodes": ("Every node Ready with its node pool's shape", True, nodes),
          "access": ("The CI deployer may deploy the apps and nothing else", True, access),
          "leaks": ("No Secret value exposed in ConfigMaps, env literals or annotations", True, secrets),
          "quotas": ("Quotas present and LimitRange defaults applied", True, quotas),
          "metrics": ("metrics.k8s.io answers for the app pods (kubectl top)", True, metrics),
          "hpa": ("Every HPA reads its metrics (ScalingActive)", True, hpa)}


def run_all(client, settings):
    """The checkpoints of every check whose settings are given, in CHECKS order."""
    checkpoints = []
    for key, (name, required, check) in CHECKS.items():
        spec = settings.get(key)
        if spec:
            checkpoints.append(run(spec.get("title") or name, spec.get("required", required), check, client, spec))
    return checkpoints


ARGUMENT_SPEC = kube_auth_argspec(fail_on_failure=dict(type="bool", default=True),
                                  **{key: dict(type="dict") for key in CHECKS})


def check(params, connect, check_mode=False):  # pylint: disable=unused-argument
    """k8s_live_checks' answer (the module's or, on the controller, the action plugin's): the checkpoints of the checks
    given, through the client connect() returns. The checks only read, ask the API server (SubjectAccessReviews) or
    create with dryRun (the LimitRange check): nothing is stored, in check mode or not."""
    started = time.monotonic()
    client = connect()
    return finish(params, client, run_all(client, params), started, cause=evidence_cause)
