from __future__ import annotations

from decimal import Decimal

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _capacity


def res(cpu, memory, cpu_limit=None, memory_limit=None):
    out = {"requests": {"cpu": cpu, "memory": memory}}
    if cpu_limit:
        out["limits"] = {"cpu": cpu_limit, "memory": memory_limit}
    return out


def deployment(name, namespace="todo-app", replicas=1, resources=None, dapr=False, kind="Deployment"):
    annotations = {"dapr.io/enabled": "true", "dapr.io/app-id": name, "dapr.io/sidecar-cpu-request": "50m",
                   "dapr.io/sidecar-memory-request": "64Mi", "dapr.io/sidecar-cpu-limit": "300m",
                   "dapr.io/sidecar-memory-limit": "256Mi"} if dapr else {}
    spec = {"template": {"metadata": {"annotations": annotations},
                         "spec": {"containers": [{"name": "app", "resources": resources or res("100m", "128Mi",
                                                                                               "500m", "512Mi")}]}}}
    if replicas is not None and kind != "DaemonSet":
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": namespace}, "spec": spec}


STACK = [
    deployment("todo-backend", replicas=None, dapr=True),
    {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "todo-backend", "namespace": "todo-app"},
     "spec": {"scaleTargetRef": {"name": "todo-backend"}, "minReplicas": 2, "maxReplicas": 5}},
    deployment("fluent-bit", "monitoring", kind="DaemonSet", resources=res("20m", "48Mi", "200m", "128Mi")),
    {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaNodePool",
     "metadata": {"name": "dual", "namespace": "kafka", "labels": {"strimzi.io/cluster": "todo-kafka"}},
     "spec": {"replicas": 3, "resources": res("500m", "2Gi", "1", "2Gi")}},
    {"apiVersion": "kafka.strimzi.io/v1", "kind": "Kafka", "metadata": {"name": "todo-kafka", "namespace": "kafka"},
     "spec": {"entityOperator": {"topicOperator": {"resources": res("50m", "256Mi")}},
              "kafkaExporter": {"resources": res("20m", "64Mi")}}},
    {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": {"name": "todo-db", "namespace": "todo-app"},
     "spec": {"instances": 2, "resources": res("100m", "256Mi")}},
    {"kind": "ConfigMap", "metadata": {"name": "ignored", "namespace": "todo-app"}},
]
RELEASES = [
    {"name": "dapr", "namespace": "dapr-system",
     "values": {"global": {"ha": {"enabled": True}}, "dapr_sentry": {"resources": res("50m", "64Mi")}}},
    {"name": "kube-prometheus-stack", "namespace": "monitoring",
     "values": {"prometheus-node-exporter": {"resources": res("20m", "32Mi")},
                "grafana": {"resources": res("50m", "128Mi"), "sidecar": {"resources": res("10m", "32Mi")}}}},
]
NODES = [{"name": "a", "cpu": "4", "memory": "16Gi"}, {"name": "b", "cpu": "4", "memory": "16Gi"},
         {"name": "c", "cpu": "4", "memory": "16Gi"}]


def by_name(groups):
    return {g["name"]: g for g in groups}


def test_every_source_of_pods_is_counted_with_its_replicas():
    groups = by_name(_capacity.workloads(STACK, RELEASES, node_count=3))
    assert {name: g["replicas"] for name, g in groups.items()} == {
        "dapr sentry": 3, "node-exporter": 3, "grafana": 1, "deployment todo-backend": 2, "daemonset fluent-bit": 3,
        "kafka pool dual": 3, "kafka entity operator": 1, "kafka exporter": 1, "postgres todo-db": 2}
    backend = groups["deployment todo-backend"]
    # The app container and its Dapr sidecar (annotations) make one pod.
    assert backend["pod"]["requests"] == {"cpu": Decimal("0.15"), "memory": Decimal(192 * 2 ** 20)}
    assert backend["pod"]["limits"] == {"cpu": Decimal("0.8"), "memory": Decimal(768 * 2 ** 20)}
    assert backend["sidecar"] and backend["containers"] == 2
    assert groups["daemonset fluent-bit"]["daemon"] and groups["node-exporter"]["daemon"]
    assert groups["grafana"]["pod"]["requests"]["cpu"] == Decimal("0.07") and groups["grafana"]["containers"] == 3
    assert groups["dapr sentry"]["namespace"] == "dapr-system"


def test_a_stack_that_fits_has_headroom_and_no_problems():
    groups = _capacity.workloads(STACK, RELEASES, node_count=3)
    result = _capacity.assess(groups, NODES, {"todo-app": {"requests_cpu": "1", "pods": 10}}, {"cpu": "6"})
    assert result["problems"] == [] and result["unschedulable"] == []
    # 3*0.05 + 3*0.02 + 0.07 + 2*0.15 + 3*0.02 + 3*0.5 + 0.05 + 0.02 + 2*0.1
    assert result["requests"]["requests"]["cpu"] == Decimal("2.41")
    assert result["headroom"]["cpu"] == Decimal("12") - Decimal("2.41")
    assert result["budget_headroom"] == {"cpu": Decimal("3.59")}
    app = result["namespaces"]["todo-app"]
    assert app["pods"] == 4 and app["headroom"] == {"requests_cpu": Decimal("0.5"), "pods": Decimal(6)}
    assert sum(node["pods"] for node in result["nodes"]) == result["pods"] == 19
    plain = _capacity.to_plain(result)
    assert plain["requests"]["requests"]["cpu"] == "2.41" and plain["allocatable"]["memory"] == str(48 * 2 ** 30)


def test_quota_budget_and_capacity_overruns_are_named():
    groups = _capacity.workloads(STACK, RELEASES, node_count=1)
    result = _capacity.assess(groups, [{"name": "a1", "cpu": "2", "memory": "8Gi"}],
                              {"kafka": {"limits_memory": "4Gi", "pods": 2}}, {"cpu": "1.6", "memory": "6Gi"})
    # The node pool alone limits 3 x 2Gi; the operators' pods set no limits.
    assert "namespace kafka: limits_memory 6.00Gi exceeds its quota of 4.00Gi" in result["problems"]
    assert "namespace kafka: pods 5 exceeds its quota of 2" in result["problems"]
    # 3*0.05 + 0.02 + 0.07 + 2*0.15 + 0.02 + 3*0.5 + 0.05 + 0.02 + 2*0.1; 192+32+192+384+48+6144+256+64+512 Mi
    assert "the stack requests 2.33 cpu, over the budget of 1.6 (eventstack_budget)" in result["problems"]
    assert "the stack requests 7.64Gi memory, over the budget of 6.00Gi (eventstack_budget)" in result["problems"]
    assert "the stack requests 2.33 cpu but the 1 node(s) offer 2" in result["problems"]
    assert any(item["node"] is None for item in result["unschedulable"])


def test_a_pod_larger_than_any_node_fits_nowhere_even_when_the_total_fits():
    big = deployment("import-job", replicas=1, resources=res("3", "1Gi"))
    result = _capacity.assess(_capacity.workloads([big]), [{"cpu": "2", "memory": "8Gi"}, {"cpu": "2", "memory": "8Gi"}])
    assert result["headroom"]["cpu"] == Decimal(1)
    assert result["problems"] == ["todo-app/deployment import-job fits on no node"]


def test_daemonset_pods_beyond_a_node_are_named_with_the_node():
    hog = deployment("agent", "monitoring", kind="DaemonSet", resources=res("3", "1Gi"))
    result = _capacity.assess(_capacity.workloads([hog], node_count=2),
                              [{"name": "small", "cpu": "2", "memory": "8Gi"}, {"name": "big", "cpu": "8",
                                                                                "memory": "8Gi"}])
    assert result["unschedulable"] == [{"pod": "daemonset agent", "namespace": "monitoring", "node": "small"}]
    assert "monitoring/daemonset agent fits on node small only beyond its capacity" in result["problems"]


def test_cluster_pods_and_nodes_are_read_as_they_run():
    containers = [{"name": "web", "resources": res("250m", "256Mi")}, {"name": "daprd", "resources": res("50m", "64Mi")}]
    pods = [{"metadata": {"name": "web-1", "namespace": "app"}, "spec": {"nodeName": "a", "containers": containers},
             "status": {"phase": "Running"}},
            {"metadata": {"name": "job-1", "namespace": "app"}, "spec": {"containers": [{"name": "job"}]},
             "status": {"phase": "Succeeded"}},
            {"metadata": {"name": "fb-x", "namespace": "monitoring", "ownerReferences": [{"kind": "DaemonSet"}]},
             "spec": {"containers": [{"name": "fb", "resources": res("20m", "48Mi")}]}, "status": {"phase": "Pending"}}]
    groups = _capacity.from_pods(pods)
    assert [(g["name"], g["daemon"], g["pod"]["requests"]["cpu"]) for g in groups] == [
        ("pod web-1", False, Decimal("0.3")), ("pod fb-x", True, Decimal("0.02"))]
    nodes = _capacity.nodes_from_api([
        {"metadata": {"name": "a"}, "status": {"allocatable": {"cpu": "1930m", "memory": "6519972Ki"}}},
        {"metadata": {"name": "cordoned"}, "spec": {"unschedulable": True}, "status": {"allocatable": {"cpu": "2"}}}])
    assert nodes == [{"name": "a", "cpu": "1930m", "memory": "6519972Ki"}]


def test_no_nodes_is_an_error():
    with pytest.raises(_capacity.CapacityError):
        _capacity.assess([], [])


def test_an_oke_pool_gives_its_nodes_less_what_they_reserve():
    arm = _capacity.pool_nodes({"name": "pool1", "count": 2, "shape": "VM.Standard.A1.Flex", "ocpus": 2,
                                "memory_gbs": 8, "reserved": {"cpu": "200m", "memory": "1Gi"}})
    assert arm == [{"name": "pool1-1", "cpu": Decimal("1.8"), "memory": Decimal(7 * 2 ** 30)},
                   {"name": "pool1-2", "cpu": Decimal("1.8"), "memory": Decimal(7 * 2 ** 30)}]
    (x86,) = _capacity.pool_nodes({"count": 1, "shape": "VM.Standard.E5.Flex", "ocpus": 1, "memory_gbs": 12})
    assert x86["cpu"] == Decimal(2), "an x86 OCPU is two hyper-threads"
    assert _capacity.pool_nodes({}) == []
    with pytest.raises(_capacity.CapacityError):
        _capacity.pool_nodes({"count": 1, "shape": "VM.Standard.A1.Flex", "ocpus": 1, "memory_gbs": 1,
                              "reserved": {"memory": "2Gi"}})


def test_a_running_pods_init_container_counts_as_the_quota_counts_it():
    # The API server sums a running pod as PodRequests/PodLimits do: its largest init container when that is more.
    pod = {"metadata": {"name": "db-1", "namespace": "app"}, "status": {"phase": "Running"},
           "spec": {"initContainers": [{"name": "bootstrap", "resources": res("1", "1Gi", "2", "1Gi")}],
                    "containers": [{"name": "postgres", "resources": res("250m", "256Mi", "500m", "512Mi")}]}}
    (group,) = _capacity.from_pods([pod])
    assert group["pod"]["requests"] == {"cpu": Decimal("1"), "memory": Decimal(2 ** 30)}
    assert group["pod"]["limits"] == {"cpu": Decimal("2"), "memory": Decimal(2 ** 30)}


@pytest.mark.parametrize("replicas, strategy, expected", [
    (3, {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}, 1),
    (3, {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2}}, 2),
    (3, {"type": "Recreate"}, 0),
    # Kubernetes' default is 25%, a percentage rounds up: one pod for 1 to 4 replicas, two for 5.
    (1, None, 1), (4, {"type": "RollingUpdate"}, 1), (5, None, 2),
    (10, {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "50%"}}, 5),
])
def test_surge_pods_follow_the_deployment_strategy(replicas, strategy, expected):
    assert _capacity.surge_pods(replicas, strategy) == expected


def test_the_plan_counts_the_default_surge_of_a_deployment_without_a_strategy():
    plain = deployment("web", replicas=2, resources=res("100m", "128Mi", "500m", "512Mi"))
    assert _capacity.surge([plain]) == (Decimal("0.1"), Decimal(128 * 2 ** 20))
    recreate = dict(plain, spec=dict(plain["spec"], strategy={"type": "Recreate"}))
    assert _capacity.surge([recreate]) == (0, 0)


def test_pods_of_settings_take_the_limit_range_defaults_as_admission_does():
    limit_range = {"default_cpu": "1", "default_memory": "1Gi", "default_request_cpu": "100m"}
    group = _capacity.pods_of("operator", "kafka", 2, [{"limits": {"cpu": "300m"}}, {}], limit_range, surge=1)
    assert (group["name"], group["namespace"], group["replicas"], group["containers"]) == ("operator", "kafka", 3, 2)
    # first container: requests = its own limit (300m), memory 1Gi from default; second: defaultRequest 100m, and
    # default memory for both requests and limits (no defaultRequest memory).
    assert group["pod"]["requests"] == {"cpu": Decimal("0.4"), "memory": Decimal(2 * 2 ** 30)}
    assert group["pod"]["limits"] == {"cpu": Decimal("1.3"), "memory": Decimal(2 * 2 ** 30)}
    assert _capacity.limit_range_of({"default_cpu": "lots", "default_memory": "1Gi"}) == {
        "default": {"memory": "1Gi"}, "defaultRequest": {}}


def test_the_quota_comparison_is_the_one_assess_reports():
    groups = [_capacity.pods_of("web", "app", 3, [res("200m", "256Mi", "1", "1Gi")])]
    quota = {"requests_cpu": "500m", "limits_memory": "4Gi", "pods": 2, "limits_cpu": "not a quantity"}
    assert _capacity.quota_excess(quota, groups) == [("pods", 2, "3"), ("requests_cpu", "500m", "0.6")]
    result = _capacity.assess(groups, [{"cpu": "4", "memory": "8Gi"}], {"app": {"requests_cpu": "500m", "pods": 2}})
    assert result["problems"] == ["namespace app: pods 3 exceeds its quota of 2",
                                  "namespace app: requests_cpu 0.6 exceeds its quota of 0.5"]
