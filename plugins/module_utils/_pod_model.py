# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: every pod a rendered stack will run, as the API server will receive it.

``pods(objects, releases)`` returns groups of identical pods, each ``{name, namespace, owner, replicas, transient,
daemon, metadata, spec}`` (``spec`` a PodSpec, ``transient`` for Jobs and Helm hooks, ``daemon`` for DaemonSets):

- the pod templates of the workloads in the objects (Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs,
  CronJobs): the role manifests and the charts' output alike;
- the pods operators create from the custom resources, modelled from each operator's documented defaults and source
  at the pinned versions:

  * Strimzi 1.2 (``Kafka``, ``KafkaNodePool``): a broker/controller pod per node-pool replica (container ``kafka``;
    init container ``kafka-init`` on broker pools with rack awareness), the Entity Operator (``topic-operator``,
    ``user-operator``), Kafka Exporter and Cruise Control. Security contexts come from the ``template`` sections of
    the resources, else from the pod security provider the operator runs with (its ``STRIMZI_POD_SECURITY_PROVIDER_
    CLASS``, read from the rendered operator Deployment or the release's ``extraEnvs``): the default ``baseline``
    provider sets no container security context (and ``fsGroup: 0`` on Kafka pods with persistent storage), the
    ``restricted`` one sets ``allowPrivilegeEscalation: false``, ``runAsNonRoot: true``, seccomp ``RuntimeDefault`` and
    drops every capability on each container.
  * CloudNativePG 1.30 (``postgresql.cnpg.io/v1 Cluster``): the instances (``postgres``, init container
    ``bootstrap-controller``) and the bootstrap Job of the first instance (``initdb``, or the recovery / pg_basebackup
    job) and a join Job per further instance; pod security context seccomp ``RuntimeDefault``, ``runAsNonRoot``, uid
    and gid 26 (``postgresUID``/``postgresGID``), container context dropping every capability, no privilege
    escalation, read-only root file system - each field overridable by ``spec.podSecurityContext`` /
    ``spec.securityContext`` / ``spec.seccompProfile``.
  * Envoy Gateway 1.9: one proxy Deployment per Gateway of an Envoy Gateway class, in the controller's namespace,
    sized and secured by the EnvoyProxy the Gateway or its class refers to (``envoy`` 100m / 512Mi and
    ``shutdown-manager`` 10m / 32Mi requests when it sets none; both non-root 65532, no privilege escalation, every
    capability dropped, seccomp ``RuntimeDefault``, unless the EnvoyProxy gives a security context).
  * prometheus-operator (``monitoring.coreos.com/v1 Prometheus``): the Prometheus StatefulSet's pods (``prometheus``,
    ``config-reloader``, init ``init-config-reloader``; the reloader's resources from the operator's
    ``--config-reloader-*`` arguments, ``0`` meaning none).

  * the Tigera operator 1.42 (Calico 3.32, ``operator.tigera.io/v1 Installation``), in ``calico-system``, which it
    creates at the privileged Pod Security level (``operator_namespaces``): calico-node on every node (host network,
    privileged; init containers ``flexvol-driver`` and, with Calico's CNI, ``install-cni``), Typha (host network; one
    replica up to two nodes, two up to four, then one per 200 nodes plus one, at least three: ``typha_replicas``) and
    calico-kube-controllers (one replica); each container's resources from the Installation's overrides (the operator
    sets none); the API server, Goldmane and Whisker when their resources are rendered, with the control plane's
    replicas.

- the ``daprd`` sidecar Dapr's injector adds to every pod annotated ``dapr.io/enabled: "true"``: its security context
  from the injector's settings (``SIDECAR_RUN_AS_NON_ROOT``, ``SIDECAR_READ_ONLY_ROOT_FILESYSTEM``,
  ``SIDECAR_DROP_ALL_CAPABILITIES`` of the rendered injector Deployment, else the release's values, else the chart's
  defaults) and the pod's ``dapr.io/sidecar-seccomp-profile-type`` annotation.

``limit_ranges(objects)`` and ``effective_requests(spec, limit_range)`` give what a pod asks of its node after the
namespace's LimitRange defaults (the larger of the containers' sum and the largest init container).
"""

from __future__ import annotations

import copy

from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity

TEMPLATE_KINDS = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job",
                  "CronJob")
HELM_HOOK = "helm.sh/hook"
RESTRICTED_CONTAINER = {"allowPrivilegeEscalation": False, "runAsNonRoot": True,
                        "seccompProfile": {"type": "RuntimeDefault"}, "capabilities": {"drop": ["ALL"]}}
STRIMZI_PROVIDERS = {"baseline": "baseline", "restricted": "restricted",
                     "io.strimzi.plugin.security.profiles.impl.baselinepodsecurityprovider": "baseline",
                     "io.strimzi.plugin.security.profiles.impl.restrictedpodsecurityprovider": "restricted"}
STRIMZI_PROVIDER_ENV = "STRIMZI_POD_SECURITY_PROVIDER_CLASS"
ENVOY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller"
ENVOY_DEFAULTS = {"envoy": {"requests": {"cpu": "100m", "memory": "512Mi"}},
                  "shutdown-manager": {"requests": {"cpu": "10m", "memory": "32Mi"}}}
ENVOY_UID = 65532
CNPG_UID = 26
# The dapr_sidecar_injector chart values and the injector's environment variables they become; chart defaults.
DAPR_INJECTOR_SETTINGS = (
    ("run_as_non_root", "sidecarRunAsNonRoot", "SIDECAR_RUN_AS_NON_ROOT", True),
    ("read_only_root_filesystem", "sidecarReadOnlyRootFilesystem", "SIDECAR_READ_ONLY_ROOT_FILESYSTEM", True),
    ("drop_all_capabilities", "sidecarDropALLCapabilities", "SIDECAR_DROP_ALL_CAPABILITIES", False))


class ModelError(ValueError):
    """The objects cannot be modelled (the message names the object)."""


def _dig(data, *path):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _meta(obj):
    return obj.get("metadata") or {}


def _ref(obj):
    meta = _meta(obj)
    return "%s %s/%s" % (obj.get("kind"), meta.get("namespace") or "default", meta.get("name"))


def _group(name, namespace, owner, spec, metadata=None, replicas=1, transient=False, daemon=False, label=None,
           scale=None):
    """A group of identical pods; label is the short name reports use (e.g. "deployment todo-backend"); scale names
    a rule that sets the replicas from the node count instead ("typha": typha_replicas)."""
    group = {"name": name, "namespace": namespace or "default", "owner": owner, "replicas": int(replicas),
             "transient": bool(transient), "daemon": bool(daemon), "metadata": metadata or {}, "spec": spec,
             "label": label or name, "sidecar": False}
    if scale:
        group["scale"] = scale
    return group


def replicas_on(group, node_count):
    """How many pods a group runs on node_count nodes."""
    if group.get("daemon"):
        return int(node_count)
    if group.get("scale") == "typha":
        return typha_replicas(node_count)
    return int(group.get("replicas", 1))


def _chart(release):
    """A release's chart (its name where a release description names no chart)."""
    return release.get("chart") or release.get("name")


def _truthy(value):
    return str(value).strip().lower() == "true"


# --- workloads -----------------------------------------------------------------------------------------------


def template_pods(objects, hpa_min=None):
    """The pod groups of the workloads' pod templates (replicas: spec.replicas, an HPA's minimum, 1)."""
    hpa_min = hpa_min or {}
    found = []
    for obj in objects:
        kind, meta, spec = obj.get("kind"), _meta(obj), obj.get("spec") or {}
        if kind not in TEMPLATE_KINDS or not isinstance(spec, dict):
            continue
        namespace = meta.get("namespace")
        hook = HELM_HOOK in (meta.get("annotations") or {})
        if kind == "Pod":
            template = {"metadata": meta, "spec": spec}
        elif kind == "CronJob":
            template = _dig(spec, "jobTemplate", "spec", "template") or {}
        else:
            template = spec.get("template") or {}
        if kind in ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"):
            replicas = spec.get("replicas")
            if replicas is None:
                replicas = hpa_min.get((namespace, meta.get("name")), 1)
        elif kind == "Job":
            replicas = spec.get("parallelism", 1)
        else:
            replicas = 1
        found.append(_group(meta.get("name"), namespace, _ref(obj), template.get("spec") or {},
                            template.get("metadata") or {}, replicas, transient=hook or kind in ("Job", "CronJob"),
                            daemon=kind == "DaemonSet", label="%s %s" % (kind.lower(), meta.get("name"))))
    return found


def hpa_minimums(objects):
    return {(_meta(obj).get("namespace"), _dig(obj, "spec", "scaleTargetRef", "name")): _dig(obj, "spec", "minReplicas")
            or 1 for obj in objects if obj.get("kind") == "HorizontalPodAutoscaler"}


# --- Strimzi -------------------------------------------------------------------------------------------------


def _env(container):
    return {e.get("name"): e.get("value") for e in container.get("env") or [] if isinstance(e, dict)}


def _deployments(objects):
    return [obj for obj in objects if obj.get("kind") == "Deployment"]


def _containers_of(obj):
    return _dig(obj, "spec", "template", "spec", "containers") or []


def strimzi_provider(objects, releases=()):
    """The pod security provider the Strimzi operator runs with: from the rendered operator Deployment, else from the
    release's extraEnvs, else Strimzi's default (baseline). A custom class is returned as given."""
    value = None
    for deployment in _deployments(objects):
        for container in _containers_of(deployment):
            env = _env(container)
            if "STRIMZI_KAFKA_IMAGES" in env or "STRIMZI_FULL_RECONCILIATION_INTERVAL_MS" in env:
                value = env.get(STRIMZI_PROVIDER_ENV, value)
                if value is None:
                    value = "baseline"
    if value is None:
        for release in releases or ():
            if _chart(release) == "strimzi-kafka-operator":
                env = {e.get("name"): e.get("value") for e in _dig(release, "values", "extraEnvs") or []}
                value = env.get(STRIMZI_PROVIDER_ENV, "baseline")
    value = value or "baseline"
    return STRIMZI_PROVIDERS.get(str(value).strip().lower(), str(value))


def _storage_volumes(storage):
    storage = storage or {}
    if storage.get("type") == "jbod":
        volumes = []
        for volume in storage.get("volumes") or []:
            name = "data-%s" % volume.get("id", 0)
            volumes.append({"name": name, "persistentVolumeClaim": {"claimName": name}}
                           if volume.get("type") == "persistent-claim" else {"name": name, "emptyDir": {}})
        return volumes
    if storage.get("type") == "persistent-claim":
        return [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]
    return [{"name": "data", "emptyDir": {}}]


def _persistent(storage):
    storage = storage or {}
    if storage.get("type") == "jbod":
        return any(v.get("type") == "persistent-claim" for v in storage.get("volumes") or [])
    return storage.get("type") == "persistent-claim"


def _strimzi_container(name, resources, user_context, provider):
    container = {"name": name, "resources": copy.deepcopy(resources or {})}
    if user_context is not None:
        container["securityContext"] = copy.deepcopy(user_context)
    elif provider == "restricted":
        container["securityContext"] = copy.deepcopy(RESTRICTED_CONTAINER)
    return container


def _strimzi_pod(pod_template, default_context=None):
    spec = {}
    context = (pod_template or {}).get("securityContext")
    if context is not None:
        spec["securityContext"] = copy.deepcopy(context)
    elif default_context:
        spec["securityContext"] = dict(default_context)
    if (pod_template or {}).get("hostUsers") is not None:
        spec["hostUsers"] = pod_template["hostUsers"]
    return spec


def _strimzi_common_volumes(pod_template):
    return ([{"name": "kube-api-access", "projected": {"sources": []}}, {"name": "strimzi-tmp", "emptyDir": {}}]
            + copy.deepcopy((pod_template or {}).get("volumes") or []))


def strimzi_pods(kafka, pools, provider):
    """The pods Strimzi creates for one Kafka and its node pools."""
    if provider not in ("baseline", "restricted"):
        raise ModelError("%s: the Strimzi pod security provider %r is a custom class this check cannot model"
                         % (_ref(kafka), provider))
    meta, spec = _meta(kafka), kafka.get("spec") or {}
    name, namespace = meta.get("name"), meta.get("namespace")
    kafka_spec = spec.get("kafka") or {}
    kafka_template = kafka_spec.get("template") or {}
    rack = bool(kafka_spec.get("rack"))
    groups = []
    for pool in pools:
        pool_meta, pool_spec = _meta(pool), pool.get("spec") or {}
        template = dict(kafka_template, **(pool_spec.get("template") or {}))
        resources = pool_spec.get("resources") or kafka_spec.get("resources") or {}
        pod = _strimzi_pod(template.get("pod"), {"fsGroup": 0} if _persistent(pool_spec.get("storage")) else None)
        pod["containers"] = [_strimzi_container("kafka", resources, _dig(template, "kafkaContainer",
                                                                         "securityContext"), provider)]
        if rack and "broker" in (pool_spec.get("roles") or []):
            pod["initContainers"] = [_strimzi_container("kafka-init", resources, _dig(template, "initContainer",
                                                                                      "securityContext"), provider)]
        pod["volumes"] = (_storage_volumes(pool_spec.get("storage")) + _strimzi_common_volumes(template.get("pod"))
                          + [{"name": "kafka-metrics-and-logging", "configMap": {"name": pool_meta.get("name")}},
                             {"name": "ready-files", "emptyDir": {"medium": "Memory"}},
                             {"name": "cluster-ca", "secret": {"secretName": name + "-cluster-ca-cert"}},
                             {"name": "broker-certs", "secret": {"secretName": name + "-kafka-brokers"}}])
        groups.append(_group("%s-%s" % (name, pool_meta.get("name")), namespace, _ref(pool), pod,
                             {"labels": {"strimzi.io/cluster": name, "strimzi.io/pool-name": pool_meta.get("name")}},
                             pool_spec.get("replicas", 1), label="kafka pool %s" % pool_meta.get("name")))
    entity = spec.get("entityOperator")
    if isinstance(entity, dict) and (entity.get("topicOperator") is not None or entity.get("userOperator") is not None):
        template = entity.get("template") or {}
        pod = _strimzi_pod(template.get("pod"))
        pod["containers"] = [
            _strimzi_container(container, (entity.get(part) or {}).get("resources"),
                               _dig(template, container_template, "securityContext"), provider)
            for part, container, container_template in (("topicOperator", "topic-operator", "topicOperatorContainer"),
                                                        ("userOperator", "user-operator", "userOperatorContainer"))
            if entity.get(part) is not None]
        pod["volumes"] = _strimzi_common_volumes(template.get("pod")) + [
            {"name": "eo-certs", "secret": {"secretName": name + "-entity-operator-certs"}},
            {"name": "cluster-ca", "secret": {"secretName": name + "-cluster-ca-cert"}}]
        groups.append(_group(name + "-entity-operator", namespace, _ref(kafka) + " (entityOperator)", pod,
                             label="kafka entity operator"))
    for part, pod_name, label in (("kafkaExporter", "kafka-exporter", "kafka exporter"),
                                  ("cruiseControl", "cruise-control", "kafka cruise control")):
        component = spec.get(part)
        if component is None:
            continue
        component = component or {}
        template = component.get("template") or {}
        pod = _strimzi_pod(template.get("pod"))
        pod["containers"] = [_strimzi_container(pod_name, component.get("resources"),
                                                _dig(template, "container" if part == "kafkaExporter"
                                                     else "cruiseControlContainer", "securityContext"), provider)]
        pod["volumes"] = _strimzi_common_volumes(template.get("pod")) + [
            {"name": pod_name + "-certs", "secret": {"secretName": "%s-%s-certs" % (name, pod_name)}},
            {"name": "cluster-ca", "secret": {"secretName": name + "-cluster-ca-cert"}}]
        groups.append(_group("%s-%s" % (name, pod_name), namespace, "%s (%s)" % (_ref(kafka), part), pod,
                             label=label))
    return groups


# --- CloudNativePG -------------------------------------------------------------------------------------------


def _merged(defaults, given):
    out = copy.deepcopy(given or {})
    for key, value in defaults.items():
        if out.get(key) is None:
            out[key] = copy.deepcopy(value)
    return out


def cnpg_pods(cluster):
    """The instances and bootstrap Jobs CloudNativePG creates for a Cluster."""
    meta, spec = _meta(cluster), cluster.get("spec") or {}
    name, namespace = meta.get("name"), meta.get("namespace")
    seccomp = spec.get("seccompProfile") or {"type": "RuntimeDefault"}
    uid, gid = spec.get("postgresUID", CNPG_UID), spec.get("postgresGID", CNPG_UID)
    pod_context = _merged({"seccompProfile": seccomp, "runAsUser": uid, "runAsGroup": gid, "runAsNonRoot": True,
                           "fsGroup": gid}, spec.get("podSecurityContext"))
    container_context = _merged({"seccompProfile": seccomp, "capabilities": {"drop": ["ALL"]}, "privileged": False,
                                 "runAsNonRoot": True, "readOnlyRootFilesystem": True,
                                 "allowPrivilegeEscalation": False}, spec.get("securityContext"))
    resources = spec.get("resources") or {}
    volumes = [{"name": "pgdata", "persistentVolumeClaim": {"claimName": name}},
               {"name": "scratch-data", "ephemeral": spec["ephemeralVolumeSource"]}
               if spec.get("ephemeralVolumeSource") else {"name": "scratch-data", "emptyDir": {}},
               {"name": "shm", "emptyDir": {"medium": "Memory"}}]
    if spec.get("walStorage"):
        volumes.append({"name": "pg-wal", "persistentVolumeClaim": {"claimName": name + "-wal"}})
    if spec.get("projectedVolumeTemplate"):
        volumes.append({"name": "projected", "projected": spec["projectedVolumeTemplate"]})

    def pod(main):
        return {"securityContext": copy.deepcopy(pod_context), "volumes": copy.deepcopy(volumes),
                "initContainers": [{"name": "bootstrap-controller", "resources": copy.deepcopy(resources),
                                    "securityContext": copy.deepcopy(container_context)}],
                "containers": [{"name": main, "resources": copy.deepcopy(resources),
                                "securityContext": copy.deepcopy(container_context)}]}
    labels = {"cnpg.io/cluster": name}
    instances = int(spec.get("instances") or 1)
    bootstrap = spec.get("bootstrap") or {}
    job = "full-recovery" if "recovery" in bootstrap else "pgbasebackup" if "pg_basebackup" in bootstrap else "initdb"
    groups = [_group(name, namespace, _ref(cluster), pod("postgres"), {"labels": dict(labels, **{
        "cnpg.io/podRole": "instance"})}, instances, label="postgres " + name)]
    groups.append(_group("%s-1-%s" % (name, job), namespace, _ref(cluster) + " (bootstrap)", pod(job),
                         {"labels": dict(labels, **{"cnpg.io/jobRole": job})}, transient=True,
                         label="postgres %s %s job" % (name, job)))
    if instances > 1:
        groups.append(_group("%s-join" % name, namespace, _ref(cluster) + " (replicas)", pod("join"),
                             {"labels": dict(labels, **{"cnpg.io/jobRole": "join"})}, instances - 1, transient=True,
                             label="postgres %s join job" % name))
    return groups


# --- Envoy Gateway -------------------------------------------------------------------------------------------


def _by_key(objects, kind):
    return {(_meta(o).get("namespace"), _meta(o).get("name")): o for o in objects if o.get("kind") == kind}


def _envoy_controller_namespace(objects, releases, fallback):
    for deployment in _deployments(objects):
        labels = _dig(deployment, "spec", "template", "metadata", "labels") or {}
        if labels.get("control-plane") == "envoy-gateway":
            return _meta(deployment).get("namespace")
    for release in releases or ():
        if _chart(release) == "gateway-helm":
            return release.get("namespace")
    return fallback


def envoy_pods(objects, releases=()):
    """One proxy Deployment per Gateway of an Envoy Gateway class."""
    classes = {_meta(o).get("name"): o for o in objects if o.get("kind") == "GatewayClass"
               and _dig(o, "spec", "controllerName") == ENVOY_CONTROLLER}
    proxies = _by_key(objects, "EnvoyProxy")
    groups = []
    for gateway in (o for o in objects if o.get("kind") == "Gateway"):
        gclass = classes.get(_dig(gateway, "spec", "gatewayClassName"))
        if gclass is None:
            continue
        gw_meta = _meta(gateway)
        ref = _dig(gateway, "spec", "infrastructure", "parametersRef")
        if ref and ref.get("kind") == "EnvoyProxy":
            proxy = proxies.get((gw_meta.get("namespace"), ref.get("name")))
        else:
            ref = _dig(gclass, "spec", "parametersRef") or {}
            proxy = proxies.get((ref.get("namespace"), ref.get("name"))) if ref.get("kind") == "EnvoyProxy" else None
        deployment = _dig(proxy or {}, "spec", "provider", "kubernetes", "envoyDeployment") or {}
        containers = []
        for name, given in (("envoy", deployment.get("container") or {}), ("shutdown-manager", {})):
            context = given.get("securityContext")
            if context is None:
                context = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "privileged": False,
                           "runAsNonRoot": True, "runAsUser": ENVOY_UID, "runAsGroup": ENVOY_UID,
                           "seccompProfile": {"type": "RuntimeDefault"}}
            containers.append({"name": name, "resources": copy.deepcopy(given.get("resources") or ENVOY_DEFAULTS[name]),
                               "securityContext": copy.deepcopy(context)})
        pod_template = deployment.get("pod") or {}
        spec = {"containers": containers,
                "volumes": [{"name": "certs", "secret": {"secretName": "envoy"}},
                            {"name": "sds", "configMap": {"name": "envoy"}},
                            {"name": "sa-token", "projected": {"sources": []}}]
                + copy.deepcopy(pod_template.get("volumes") or [])}
        if pod_template.get("securityContext") is not None:
            spec["securityContext"] = copy.deepcopy(pod_template["securityContext"])
        namespace = _envoy_controller_namespace(objects, releases, gw_meta.get("namespace"))
        groups.append(_group("envoy-%s-%s" % (gw_meta.get("namespace"), gw_meta.get("name")), namespace,
                             _ref(gateway) + " (Envoy proxy)", spec,
                             {"labels": {"app.kubernetes.io/component": "proxy",
                                         "gateway.envoyproxy.io/owning-gateway-name": gw_meta.get("name"),
                                         "gateway.envoyproxy.io/owning-gateway-namespace": gw_meta.get("namespace")}},
                             deployment.get("replicas") or 1, label="envoy proxy"))
    return groups


# --- prometheus-operator -------------------------------------------------------------------------------------


def _reloader_resources(objects):
    resources = {"requests": {}, "limits": {}}
    for deployment in _deployments(objects):
        for container in _containers_of(deployment):
            for arg in container.get("args") or []:
                for kind in ("requests", "limits"):
                    for resource in ("cpu", "memory"):
                        flag = "--config-reloader-%s-%s=" % (resource, "request" if kind == "requests" else "limit")
                        if str(arg).startswith(flag) and parse_quantity(arg[len(flag):] or 0):
                            resources[kind][resource] = arg[len(flag):]
    return {kind: values for kind, values in resources.items() if values}


def prometheus_pods(objects):
    groups = []
    reloader = _reloader_resources(objects)
    for prometheus in (o for o in objects if o.get("kind") == "Prometheus"
                       and str(o.get("apiVersion", "")).startswith("monitoring.coreos.com/")):
        meta, spec = _meta(prometheus), prometheus.get("spec") or {}
        context = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}
        pod = {"containers": [{"name": "prometheus", "resources": copy.deepcopy(spec.get("resources") or {}),
                               "securityContext": dict(context)},
                              {"name": "config-reloader", "resources": copy.deepcopy(reloader),
                               "securityContext": dict(context)}],
               "initContainers": [{"name": "init-config-reloader", "resources": copy.deepcopy(reloader),
                                   "securityContext": dict(context)}],
               "volumes": [{"name": "config", "secret": {"secretName": "prometheus-" + meta.get("name")}},
                           {"name": "config-out", "emptyDir": {}},
                           {"name": "prometheus-db", "persistentVolumeClaim": {"claimName": "prometheus-db"}}
                           if _dig(spec, "storage", "volumeClaimTemplate") else {"name": "prometheus-db",
                                                                                 "emptyDir": {}}]}
        if spec.get("securityContext") is not None:
            pod["securityContext"] = copy.deepcopy(spec["securityContext"])
        groups.append(_group("prometheus-" + meta.get("name"), meta.get("namespace"), _ref(prometheus), pod,
                             {"labels": {"app.kubernetes.io/name": "prometheus"}},
                             (spec.get("replicas") or 1) * (spec.get("shards") or 1),
                             label="prometheus " + meta.get("name")))
    return groups


# --- Calico (Tigera operator) --------------------------------------------------------------------------------

CALICO_NAMESPACE = "calico-system"
TIGERA_API = "operator.tigera.io/"


def typha_replicas(nodes):
    """The Typha replicas the operator runs for a node count (its GetExpectedTyphaScale)."""
    nodes = int(nodes)
    if nodes <= 2:
        return 1
    if nodes <= 4:
        return 2
    return max(3, nodes // 200 + 2)


def _tigera(objects, kind):
    return [o for o in objects if o.get("kind") == kind and str(o.get("apiVersion", "")).startswith(TIGERA_API)]


def _override_resources(spec, component, container):
    for entry in _dig(spec, component, "spec", "template", "spec", "containers") or []:
        if entry.get("name") == container:
            return copy.deepcopy(entry.get("resources") or {})
    return {}


def operator_namespaces(objects):
    """The Namespaces operators create themselves: the Tigera operator's calico-system, enforcing privileged at the
    latest version (its render/namespaces.go)."""
    if not _tigera(objects, "Installation"):
        return []
    return [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": CALICO_NAMESPACE, "labels": {
        "name": CALICO_NAMESPACE, "pod-security.kubernetes.io/enforce": "privileged",
        "pod-security.kubernetes.io/enforce-version": "latest"}}}]


def calico_pods(objects):
    """The pods the Tigera operator runs for the rendered Installation (and API server, Goldmane, Whisker)."""
    groups = []
    privileged = {"privileged": True}
    for installation in _tigera(objects, "Installation"):
        spec, ref = installation.get("spec") or {}, _ref(installation)
        cni = _dig(spec, "cni", "type") or "Calico"
        init = [{"name": "flexvol-driver", "securityContext": dict(privileged)}]
        if spec.get("flexVolumePath") == "None":
            init = []
        if cni == "Calico":
            init.append({"name": "install-cni", "securityContext": dict(privileged)})
        node = {"hostNetwork": True, "initContainers": init, "containers": [{
            "name": "calico-node", "securityContext": dict(privileged),
            "resources": _override_resources(spec, "calicoNodeDaemonSet", "calico-node")}],
            "volumes": [{"name": "var-lib-calico", "hostPath": {"path": "/var/lib/calico"}}]}
        groups.append(_group("calico-node", CALICO_NAMESPACE, ref + " (calico-node)", node,
                             {"labels": {"k8s-app": "calico-node"}}, daemon=True, label="daemonset calico-node"))
        typha = {"hostNetwork": True, "containers": [{
            "name": "calico-typha", "resources": _override_resources(spec, "typhaDeployment", "calico-typha")}]}
        groups.append(_group("calico-typha", CALICO_NAMESPACE, ref + " (Typha)", typha,
                             {"labels": {"k8s-app": "calico-typha"}}, label="deployment calico-typha", scale="typha"))
        controllers = {"containers": [{
            "name": "calico-kube-controllers",
            "resources": _override_resources(spec, "calicoKubeControllersDeployment", "calico-kube-controllers")}]}
        groups.append(_group("calico-kube-controllers", CALICO_NAMESPACE, ref + " (kube-controllers)", controllers,
                             {"labels": {"k8s-app": "calico-kube-controllers"}},
                             label="deployment calico-kube-controllers"))
        replicas = spec.get("controlPlaneReplicas", 2)
        for kind, name, count in (("APIServer", "calico-apiserver", replicas), ("Goldmane", "goldmane", 1),
                                  ("Whisker", "whisker", 1)):
            for _resource in _tigera(objects, kind):
                groups.append(_group(name, CALICO_NAMESPACE, "%s %s" % (kind, _meta(_resource).get("name")),
                                     {"containers": [{"name": name}]}, {"labels": {"k8s-app": name}}, count,
                                     label="deployment " + name))
    return groups


# --- Dapr ----------------------------------------------------------------------------------------------------


def dapr_injector_settings(objects, releases=()):
    """{run_as_non_root, read_only_root_filesystem, drop_all_capabilities} of the injected daprd, or None when the
    stack runs no Dapr injector."""
    for deployment in _deployments(objects):
        for container in _containers_of(deployment):
            env = _env(container)
            if "SIDECAR_IMAGE" in env:
                return {name: _truthy(env.get(variable, default))
                        for name, _key, variable, default in DAPR_INJECTOR_SETTINGS}
    for release in releases or ():
        if _chart(release) == "dapr":
            values = _dig(release, "values", "dapr_sidecar_injector") or {}
            return {name: _truthy(values.get(key, default)) for name, key, _variable, default in DAPR_INJECTOR_SETTINGS}
    return None


def daprd_container(annotations, settings):
    """The daprd container the injector adds to a pod with these annotations."""
    context = {"allowPrivilegeEscalation": False, "runAsNonRoot": settings["run_as_non_root"],
               "readOnlyRootFilesystem": settings["read_only_root_filesystem"]}
    seccomp = annotations.get("dapr.io/sidecar-seccomp-profile-type")
    if seccomp:
        context["seccompProfile"] = {"type": seccomp}
    if settings["drop_all_capabilities"]:
        context["capabilities"] = {"drop": ["ALL"]}
    resources = {}
    for kind, suffix in (("requests", "request"), ("limits", "limit")):
        for resource in ("cpu", "memory"):
            value = annotations.get("dapr.io/sidecar-%s-%s" % (resource, suffix))
            if value:
                resources.setdefault(kind, {})[resource] = value
    return {"name": "daprd", "resources": resources, "securityContext": context}


def inject_dapr(groups, settings):
    """Add daprd to the pods annotated dapr.io/enabled (not when no injector runs)."""
    if settings is None:
        return groups
    for group in groups:
        annotations = group["metadata"].get("annotations") or {}
        if _truthy(annotations.get("dapr.io/enabled")) and not any(
                c.get("name") == "daprd" for c in group["spec"].get("containers") or []):
            group["spec"] = dict(group["spec"], containers=list(group["spec"].get("containers") or [])
                                 + [daprd_container(annotations, settings)])
            group["sidecar"] = True
    return groups


# --- everything ----------------------------------------------------------------------------------------------


def operator_pods(objects, releases=()):
    """The pods the operators will create from the custom resources."""
    groups = []
    kafkas = [o for o in objects if o.get("kind") == "Kafka" and str(o.get("apiVersion", "")).startswith(
        "kafka.strimzi.io/")]
    if kafkas:
        provider = strimzi_provider(objects, releases)
        for kafka in kafkas:
            meta = _meta(kafka)
            pools = [o for o in objects if o.get("kind") == "KafkaNodePool"
                     and _meta(o).get("namespace") == meta.get("namespace")
                     and (_meta(o).get("labels") or {}).get("strimzi.io/cluster") == meta.get("name")]
            groups += strimzi_pods(kafka, pools, provider)
    for cluster in objects:
        if cluster.get("kind") == "Cluster" and str(cluster.get("apiVersion", "")).startswith("postgresql.cnpg.io/"):
            groups += cnpg_pods(cluster)
    groups += envoy_pods(objects, releases)
    groups += prometheus_pods(objects)
    groups += calico_pods(objects)
    return groups


def pods(objects, releases=()):
    """Every pod group of the stack: workload templates, operator-made pods, Dapr sidecars injected."""
    objects = [o for o in objects or [] if isinstance(o, dict)]
    groups = template_pods(objects, hpa_minimums(objects)) + operator_pods(objects, releases)
    return inject_dapr(groups, dapr_injector_settings(objects, releases))


# --- requests ------------------------------------------------------------------------------------------------


def limit_ranges(objects):
    """namespace -> {default, defaultRequest} of the Container limits of its LimitRanges."""
    found = {}
    for obj in objects or []:
        if obj.get("kind") != "LimitRange":
            continue
        for limit in _dig(obj, "spec", "limits") or []:
            if limit.get("type") == "Container":
                entry = found.setdefault(_meta(obj).get("namespace"), {})
                for key in ("default", "defaultRequest"):
                    entry.setdefault(key, {}).update(limit.get(key) or {})
    return found


def container_resources(container, limit_range=None):
    """(requests, limits) of a container as admitted: requests default to its limits, then to the LimitRange's
    defaultRequest (which defaults to its default); limits to the LimitRange's default."""
    resources = container.get("resources") or {}
    requests, limits = dict(resources.get("requests") or {}), dict(resources.get("limits") or {})
    limit_range = limit_range or {}
    defaults, default_requests = limit_range.get("default") or {}, limit_range.get("defaultRequest") or {}
    for name in ("cpu", "memory"):
        if name not in requests and name in limits:
            requests[name] = limits[name]
        if name not in limits and name in defaults:
            limits[name] = defaults[name]
        if name not in requests:
            value = default_requests.get(name, defaults.get(name))
            if value is not None:
                requests[name] = value
    return requests, limits


def effective_requests(spec, limit_range=None):
    """{"requests": {cpu, memory}, "limits": {...}} of a pod as the scheduler and a ResourceQuota sum it: the
    containers (and sidecar init containers) together, or the largest init container with the sidecars started before
    it, whichever is more - for requests and for limits alike (Kubernetes' PodRequests and PodLimits)."""
    total = {"requests": {"cpu": 0, "memory": 0}, "limits": {"cpu": 0, "memory": 0}}
    init_peak = {"requests": {"cpu": 0, "memory": 0}, "limits": {"cpu": 0, "memory": 0}}
    sidecars = {"requests": {"cpu": 0, "memory": 0}, "limits": {"cpu": 0, "memory": 0}}
    for container in spec.get("initContainers") or []:
        asked = dict(zip(("requests", "limits"), container_resources(container, limit_range)))
        for kind in ("requests", "limits"):
            for name in ("cpu", "memory"):
                value = parse_quantity(asked[kind].get(name, 0))
                if container.get("restartPolicy") == "Always":
                    sidecars[kind][name] += value
                else:
                    init_peak[kind][name] = max(init_peak[kind][name], sidecars[kind][name] + value)
    for container in spec.get("containers") or []:
        requests, limits = container_resources(container, limit_range)
        for name in ("cpu", "memory"):
            total["requests"][name] += parse_quantity(requests.get(name, 0))
            total["limits"][name] += parse_quantity(limits.get(name, 0))
    for kind in ("requests", "limits"):
        for name in ("cpu", "memory"):
            total[kind][name] = max(total[kind][name] + sidecars[kind][name], init_peak[kind][name])
    return total
