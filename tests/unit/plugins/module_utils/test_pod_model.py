"""The pods a rendered stack will run: workload templates, the operators' pods from their documented defaults, the
Dapr sidecar, and what a pod asks of its node after its namespace's LimitRange."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _pod_model, _pod_security

RESTRICTED = "restricted"


def kafka(**spec):
    base = {"kafka": {"listeners": []}, "entityOperator": {"topicOperator": {"resources": {"requests": {
        "cpu": "25m"}}}}, "kafkaExporter": {}}
    base.update(spec)
    return {"apiVersion": "kafka.strimzi.io/v1", "kind": "Kafka", "metadata": {"name": "todo-kafka",
                                                                               "namespace": "kafka"}, "spec": base}


def pool(storage=None, roles=("controller", "broker"), template=None, replicas=3):
    spec = {"replicas": replicas, "roles": list(roles), "storage": storage or {"type": "ephemeral"},
            "resources": {"requests": {"cpu": "250m", "memory": "1Gi"}}}
    if template:
        spec["template"] = template
    return {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaNodePool",
            "metadata": {"name": "dual-role", "namespace": "kafka", "labels": {"strimzi.io/cluster": "todo-kafka"}},
            "spec": spec}


def operator(provider=None):
    env = [{"name": "STRIMZI_KAFKA_IMAGES", "value": "4.3.1=quay.io/strimzi/kafka:1.2.0-kafka-4.3.1"}]
    if provider:
        env.append({"name": "STRIMZI_POD_SECURITY_PROVIDER_CLASS", "value": provider})
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "strimzi-cluster-operator", "namespace": "kafka"},
            "spec": {"template": {"metadata": {}, "spec": {
                "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "op", "env": env, "securityContext": {
                    "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}]}}}}


def by_label(groups):
    return {group["label"]: group for group in groups}


def refused(group, level=RESTRICTED):
    return [v["rule"] for v in _pod_security.judge(group, level, "v1.34")]


@pytest.mark.parametrize("objects, releases, expected", [
    ([operator("restricted")], [], "restricted"),
    ([operator("io.strimzi.plugin.security.profiles.impl.RestrictedPodSecurityProvider")], [], "restricted"),
    ([operator()], [{"chart": "strimzi-kafka-operator", "values": {"extraEnvs": [
        {"name": "STRIMZI_POD_SECURITY_PROVIDER_CLASS", "value": "restricted"}]}}], "baseline"),
    ([], [{"chart": "strimzi-kafka-operator", "values": {"extraEnvs": [
        {"name": "STRIMZI_POD_SECURITY_PROVIDER_CLASS", "value": "Restricted"}]}}], "restricted"),
    ([], [{"chart": "strimzi-kafka-operator", "values": {}}], "baseline"),
    ([], [], "baseline"),
])
def test_the_strimzi_provider_is_the_rendered_operators_then_the_releases_then_baseline(objects, releases, expected):
    assert _pod_model.strimzi_provider(objects, releases) == expected


def test_strimzi_baseline_provider_leaves_every_container_without_a_security_context():
    groups = by_label(_pod_model.strimzi_pods(kafka(), [pool()], "baseline"))
    assert set(groups) == {"kafka pool dual-role", "kafka entity operator", "kafka exporter"}
    assert groups["kafka pool dual-role"]["replicas"] == 3
    for group in groups.values():
        assert all("securityContext" not in c for c in group["spec"]["containers"])
        assert refused(group) == ["allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot",
                                  "seccompProfile_restricted"]
        assert refused(group, "baseline") == []


def test_strimzi_restricted_provider_meets_restricted_and_persistent_storage_gets_fs_group_0():
    storage = {"type": "jbod", "volumes": [{"id": 0, "type": "persistent-claim", "size": "100Gi"}]}
    groups = by_label(_pod_model.strimzi_pods(kafka(kafka={"rack": {"topologyKey": "zone"}}), [pool(storage)],
                                              "restricted"))
    broker = groups["kafka pool dual-role"]
    assert [c["name"] for c in broker["spec"]["initContainers"]] == ["kafka-init"], "rack awareness on a broker"
    assert broker["spec"]["securityContext"] == {"fsGroup": 0}
    assert {"name": "data-0", "persistentVolumeClaim": {"claimName": "data-0"}} in broker["spec"]["volumes"]
    assert all(refused(group) == [] for group in groups.values())


def test_strimzi_templates_win_over_the_provider_and_the_pools_over_the_kafkas():
    template = {"kafkaContainer": {"securityContext": {"runAsUser": 0}}, "pod": {"securityContext": {
        "runAsNonRoot": True}}}
    groups = by_label(_pod_model.strimzi_pods(kafka(kafka={"template": {"kafkaContainer": {"securityContext": {
        "privileged": True}}}}), [pool(template=template)], "restricted"))
    broker = groups["kafka pool dual-role"]
    assert broker["spec"]["containers"][0]["securityContext"] == {"runAsUser": 0}
    assert "runAsUser" in refused(broker)


def test_a_custom_strimzi_provider_cannot_be_modelled():
    with pytest.raises(_pod_model.ModelError, match="custom class"):
        _pod_model.strimzi_pods(kafka(), [pool()], "com.example.MyProvider")


def test_pools_of_another_cluster_are_not_this_ones():
    other = pool()
    other["metadata"]["labels"] = {"strimzi.io/cluster": "other"}
    labels = {g["label"] for g in _pod_model.operator_pods([kafka(), other, operator("restricted")])}
    assert "kafka pool dual-role" not in labels


def cluster(**spec):
    base = {"instances": 2, "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}}}
    base.update(spec)
    return {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
            "metadata": {"name": "todo-db", "namespace": "todo-app"}, "spec": base}


def test_cloudnative_pg_instances_and_jobs_meet_restricted_by_default():
    groups = by_label(_pod_model.cnpg_pods(cluster()))
    assert set(groups) == {"postgres todo-db", "postgres todo-db initdb job", "postgres todo-db join job"}
    instance = groups["postgres todo-db"]
    assert instance["replicas"] == 2 and not instance["transient"]
    assert instance["spec"]["securityContext"]["runAsUser"] == 26
    assert groups["postgres todo-db initdb job"]["transient"] and groups["postgres todo-db join job"]["replicas"] == 1
    assert all(refused(group) == [] for group in groups.values())


def test_cloudnative_pg_overrides_replace_single_fields():
    groups = by_label(_pod_model.cnpg_pods(cluster(instances=1, seccompProfile={"type": "Unconfined"},
                                                   podSecurityContext={"runAsUser": 1000},
                                                   bootstrap={"recovery": {"source": "x"}})))
    assert set(groups) == {"postgres todo-db", "postgres todo-db full-recovery job"}
    instance = groups["postgres todo-db"]
    assert instance["spec"]["securityContext"]["runAsUser"] == 1000
    assert instance["spec"]["securityContext"]["runAsNonRoot"] is True
    assert refused(instance, "baseline") == ["seccompProfile_baseline"]


def gateway_objects(proxy_spec=None):
    return [{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": "eg"},
             "spec": {"controllerName": "gateway.envoyproxy.io/gatewayclass-controller",
                      "parametersRef": {"group": "gateway.envoyproxy.io", "kind": "EnvoyProxy", "name": "eg",
                                        "namespace": "envoy-gateway-system"}}},
            {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
             "metadata": {"name": "eventstack", "namespace": "envoy-gateway-system"},
             "spec": {"gatewayClassName": "eg"}},
            {"apiVersion": "gateway.envoyproxy.io/v1alpha1", "kind": "EnvoyProxy",
             "metadata": {"name": "eg", "namespace": "envoy-gateway-system"}, "spec": proxy_spec or {}}]


def test_envoy_proxies_follow_their_envoy_proxy_or_envoy_gateways_defaults():
    (proxy,) = _pod_model.envoy_pods(gateway_objects())
    assert proxy["namespace"] == "envoy-gateway-system" and proxy["label"] == "envoy proxy"
    assert {c["name"]: c["resources"] for c in proxy["spec"]["containers"]} == _pod_model.ENVOY_DEFAULTS
    assert refused(proxy) == []
    custom = {"provider": {"type": "Kubernetes", "kubernetes": {"envoyDeployment": {
        "replicas": 2, "container": {"securityContext": {"privileged": True},
                                     "resources": {"requests": {"cpu": "50m"}}}}}}}
    (proxy,) = _pod_model.envoy_pods(gateway_objects(custom))
    assert proxy["replicas"] == 2 and proxy["spec"]["containers"][0]["resources"] == {"requests": {"cpu": "50m"}}
    assert "privileged" in refused(proxy, "baseline")


def test_a_gateway_of_another_controller_has_no_envoy_proxy():
    objects = gateway_objects()
    objects[0]["spec"]["controllerName"] = "example.com/other"
    assert _pod_model.envoy_pods(objects) == []


def injector(drop_all):
    env = [{"name": "SIDECAR_IMAGE", "value": "ghcr.io/dapr/daprd:1.18.3"},
           {"name": "SIDECAR_RUN_AS_NON_ROOT", "value": "true"},
           {"name": "SIDECAR_DROP_ALL_CAPABILITIES", "value": str(drop_all).lower()}]
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "dapr-sidecar-injector", "namespace": "dapr-system"},
            "spec": {"template": {"metadata": {}, "spec": {"containers": [{"name": "i", "env": env}]}}}}


def app_deployment():
    context = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "todo-backend",
                                                                        "namespace": "todo-app"},
            "spec": {"replicas": 2, "template": {
                "metadata": {"annotations": {"dapr.io/enabled": "true", "dapr.io/sidecar-cpu-request": "50m"}},
                "spec": {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                         "containers": [{"name": "app", "securityContext": context}]}}}}


@pytest.mark.parametrize("drop_all, expected", [(True, []), (False, ["capabilities_restricted"])])
def test_the_injected_daprd_follows_the_rendered_injector(drop_all, expected):
    (app,) = [g for g in _pod_model.pods([app_deployment(), injector(drop_all)]) if g["name"] == "todo-backend"]
    assert [c["name"] for c in app["spec"]["containers"]] == ["app", "daprd"] and app["sidecar"]
    assert app["spec"]["containers"][1]["resources"] == {"requests": {"cpu": "50m"}}
    assert refused(app) == expected


def test_without_a_rendered_injector_the_release_values_then_the_chart_defaults_decide():
    release = {"chart": "dapr", "values": {"dapr_sidecar_injector": {"sidecarDropALLCapabilities": True}}}
    assert _pod_model.dapr_injector_settings([], [release]) == {
        "run_as_non_root": True, "read_only_root_filesystem": True, "drop_all_capabilities": True}
    assert _pod_model.dapr_injector_settings([], [{"chart": "dapr", "values": {}}])["drop_all_capabilities"] is False
    (app,) = _pod_model.pods([app_deployment()])
    assert [c["name"] for c in app["spec"]["containers"]] == ["app"], "no injector, no sidecar"


def test_workload_templates_hooks_jobs_and_hpa_minimums():
    hook = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "certgen", "namespace": "eg",
                                                                  "annotations": {"helm.sh/hook": "pre-install"}},
            "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "backup", "namespace": "db"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "b"}]}}}}}}
    deployment = app_deployment()
    del deployment["spec"]["replicas"]
    hpa = {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "todo-backend", "namespace": "todo-app"},
           "spec": {"scaleTargetRef": {"name": "todo-backend"}, "minReplicas": 3}}
    groups = by_label(_pod_model.pods([hook, cron, deployment, hpa]))
    assert groups["job certgen"]["transient"] and groups["cronjob backup"]["transient"]
    assert groups["cronjob backup"]["spec"]["containers"][0]["name"] == "b"
    assert groups["deployment todo-backend"]["replicas"] == 3 and not groups["deployment todo-backend"]["transient"]


def test_prometheus_pods_take_the_reloader_resources_from_the_operator_arguments():
    operator_deployment = {"kind": "Deployment", "metadata": {"name": "op", "namespace": "monitoring"},
                           "spec": {"template": {"spec": {"containers": [{"name": "op", "args": [
                               "--config-reloader-cpu-request=0", "--config-reloader-memory-request=25Mi"]}]}}}}
    prometheus = {"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus",
                  "metadata": {"name": "kps", "namespace": "monitoring"},
                  "spec": {"replicas": 2, "resources": {"requests": {"cpu": "500m"}}}}
    (group,) = _pod_model.prometheus_pods([operator_deployment, prometheus])
    assert group["replicas"] == 2
    resources = [c["resources"] for c in group["spec"]["containers"]]
    assert resources == [{"requests": {"cpu": "500m"}}, {"requests": {"memory": "25Mi"}}]


def test_limit_range_defaults_fill_what_containers_do_not_ask_and_init_containers_peak():
    ranges = _pod_model.limit_ranges([{"kind": "LimitRange", "metadata": {"name": "d", "namespace": "kafka"},
                                       "spec": {"limits": [{"type": "Container",
                                                            "default": {"cpu": "1", "memory": "2Gi"},
                                                            "defaultRequest": {"cpu": "100m"}}]}}])
    spec = {"initContainers": [{"name": "init", "resources": {"requests": {"cpu": "2", "memory": "64Mi"}}}],
            "containers": [{"name": "a", "resources": {"limits": {"cpu": "300m"}}},
                           {"name": "b"}]}
    amounts = _pod_model.effective_requests(spec, ranges["kafka"])
    # a: requests = its limits (300m) and memory from default (2Gi); b: defaultRequest cpu, memory from default.
    assert amounts["requests"] == {"cpu": Decimal("2"), "memory": Decimal(4 * 2 ** 30)}
    assert amounts["limits"] == {"cpu": Decimal("1.3"), "memory": Decimal(4 * 2 ** 30)}
    sidecar = {"initContainers": [{"name": "s", "restartPolicy": "Always", "resources": {"requests": {"cpu": "1"}}}],
               "containers": [{"name": "a", "resources": {"requests": {"cpu": "1"}}}]}
    assert _pod_model.effective_requests(sidecar)["requests"]["cpu"] == Decimal("2"), "a native sidecar adds up"


def test_an_init_container_above_the_containers_sets_the_pods_limits_too():
    # A ResourceQuota counts a pod's limits as Kubernetes' PodLimits does: the larger of the containers' sum and the
    # largest init container (with the native sidecars started before it), as for requests.
    spec = {"initContainers": [{"name": "migrate", "resources": {"requests": {"cpu": "100m", "memory": "1Gi"},
                                                                 "limits": {"cpu": "2", "memory": "1Gi"}}}],
            "containers": [{"name": "a", "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                                       "limits": {"cpu": "500m", "memory": "512Mi"}}}]}
    amounts = _pod_model.effective_requests(spec)
    assert amounts["limits"] == {"cpu": Decimal("2"), "memory": Decimal(2 ** 30)}
    assert amounts["requests"] == {"cpu": Decimal("0.1"), "memory": Decimal(2 ** 30)}


def _installation(**spec):
    return {"apiVersion": "operator.tigera.io/v1", "kind": "Installation", "metadata": {"name": "default"},
            "spec": dict({"cni": {"type": "Calico", "ipam": {"type": "HostLocal"}}}, **spec)}


def test_the_tigera_operators_pods_follow_the_installation():
    """calico-node on every node (host network, privileged, install-cni with Calico's CNI), Typha scaled on the nodes,
    one kube-controllers; the resources the Installation's overrides give, none otherwise; calico-system privileged."""
    resources = {"requests": {"cpu": "100m", "memory": "192Mi"}}
    spec = {"calicoNodeDaemonSet": {"spec": {"template": {"spec": {"containers": [
        {"name": "calico-node", "resources": resources}]}}}}}
    groups = {g["label"]: g for g in _pod_model.pods([_installation(**spec)])}
    assert sorted(groups) == ["daemonset calico-node", "deployment calico-kube-controllers", "deployment calico-typha"]
    node = groups["daemonset calico-node"]
    assert node["daemon"] and node["namespace"] == "calico-system" and node["spec"]["hostNetwork"] is True
    assert node["spec"]["containers"][0]["resources"] == resources
    assert [c["name"] for c in node["spec"]["initContainers"]] == ["flexvol-driver", "install-cni"]
    assert groups["deployment calico-typha"]["spec"]["containers"][0]["resources"] == {}
    assert [_pod_model.replicas_on(groups["deployment calico-typha"], n) for n in (1, 3, 9)] == [1, 2, 3]
    assert _pod_model.replicas_on(node, 3) == 3
    (namespace,) = _pod_model.operator_namespaces([_installation()])
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"
    assert _pod_model.operator_namespaces([]) == []


def test_calico_beside_another_cni_installs_none_and_extra_components_are_counted():
    objects = [_installation(cni={"type": "AmazonVPC"}, flexVolumePath="None", controlPlaneReplicas=3),
               {"apiVersion": "operator.tigera.io/v1", "kind": "APIServer", "metadata": {"name": "default"}}]
    groups = {g["label"]: g for g in _pod_model.pods(objects)}
    assert groups["daemonset calico-node"]["spec"]["initContainers"] == []
    assert groups["deployment calico-apiserver"]["replicas"] == 3
