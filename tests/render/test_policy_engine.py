"""The policy_engine role as rendered for each inventory: Calico, through the Tigera operator, exactly where OKE's CNI
enforces no NetworkPolicy and the operator can run it (flannel: dev), configured as Oracle's procedure sets Calico up
in place of flannel; its Installation valid against the operator's CRD, its chart output checkov-clean with reasons,
its pods admitted at the Pod Security levels of their namespaces and counted against the nodes and the budget."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _capacity, _manifests, _pod_model, _pod_security
from scripts.scan import scan_build
from tests.support import schemas
from tests.support.playbook import chart_output, inventory_vars

CUSTOM_NETWORKING = "oci.oraclecloud.com/custom-k8s-networking"


ENVIRONMENTS = ["local", "dev", "prod"]


def wanted(env_name):
    """Where Calico belongs: OKE (the OCI roles run) with flannel pod networking."""
    inventory = inventory_vars(env_name)
    return bool(inventory.get("eventstack_oci_enabled")) and inventory.get("oke_cluster_pod_networking") == "flannel"


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def rendered(request, site_render):
    build, run, by_file, releases = site_render(request.param)
    return request.param, build, run, by_file, releases


@pytest.fixture(scope="module", params=[env_name for env_name in ENVIRONMENTS if wanted(env_name)])
def with_calico(request, site_render):
    """rendered, for the inventories where Calico belongs (the others have none to check)."""
    build, run, by_file, releases = site_render(request.param)
    return request.param, build, run, by_file, releases


def installation(build):
    (found,) = [o for o in chart_output(build, "calico") if o["kind"] == "Installation"]
    return found


def node_pool(build):
    with open(build + "/oci-plan.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["oke"]["node_pool"]


def test_calico_runs_exactly_where_the_cni_enforces_nothing_and_the_policies_are_then_said_enforced(rendered):
    env_name, build, run, by_file, releases = rendered
    assert ("calico" in releases) is wanted(env_name), sorted(releases)
    assert ("policy_engine.yaml" in by_file) is wanted(env_name)
    output = " ".join(run.output.split())
    warned = "The NetworkPolicies are in place but nothing enforces them" in output
    # dev: Calico enforces them; prod (VCN-native, where the operator cannot run Calico): the warning stays;
    # local: render mode cannot know the cluster's CNI (apply mode looks, and verify probes).
    assert warned is (env_name == "prod"), output[-3000:]
    if env_name == "prod":
        assert "hardening_cni_enforces_policies is false" in output
    if not wanted(env_name) and inventory_vars(env_name).get("eventstack_oci_enabled"):
        assert CUSTOM_NETWORKING not in (node_pool(build).get("labels") or {})


def test_the_installation_is_oracles_flannel_procedure_in_the_operators_terms(with_calico):
    """Calico's CNI in place of flannel with host-local IPAM on each node's pod CIDR, no BGP, the cluster's pod CIDR
    as the only pool, unencapsulated (the policy-only manifest with CALICO_MANAGE_CNI, as the operator maps it); OKE
    told to leave the nodes' networking alone (the node pool's label); no API server, flow aggregator or UI; the
    operator does not manage the CRDs the CRD chart applies first."""
    env_name, build, _run, _by_file, releases = with_calico
    inventory = inventory_vars(env_name)
    spec = installation(build)["spec"]
    assert spec["cni"] == {"type": "Calico", "ipam": {"type": "HostLocal"}}
    assert spec["calicoNetwork"]["bgp"] == "Disabled"
    assert spec["calicoNetwork"]["ipPools"] == [{"cidr": inventory.get("oke_cluster_pods_cidr", "10.244.0.0/16"),
                                                 "encapsulation": "None", "natOutgoing": "Enabled",
                                                 "nodeSelector": "all()"}]
    assert node_pool(build)["labels"][CUSTOM_NETWORKING] == "true"
    kinds = {o["kind"] for o in chart_output(build, "calico")}
    assert not kinds & {"APIServer", "Goldmane", "Whisker"}, kinds
    (operator,) = [o for o in chart_output(build, "calico") if o["kind"] == "Deployment"]
    assert "-manage-crds=false" in operator["spec"]["template"]["spec"]["containers"][0]["args"]
    release = releases["calico"]
    assert release["crds_first"] is True and release["crds_chart"]["chart"] == "crd.projectcalico.org.v1"
    crds = {o["metadata"]["name"] for o in chart_output(build, "calico", "crds")}
    assert {"installations.operator.tigera.io", "networkpolicies.crd.projectcalico.org",
            "felixconfigurations.crd.projectcalico.org"} <= crds


def test_the_installation_and_the_chart_output_are_valid_and_checkov_clean(with_calico):
    env_name, build, _run, _by_file, _releases = with_calico
    version = inventory_vars(env_name)["eventstack_kubernetes_version"]
    assert schemas.validate(installation(build), version) == []
    broken = dict(installation(build), spec=dict(installation(build)["spec"], cni={"type": "OCI"}))
    assert any("cni.type" in error or "'OCI' is not one of" in error for error in schemas.validate(broken, version))
    result = scan_build(build)
    assert result["failed"] == 0
    skips = [s for s in result["skips"] if s["file"] == "calico.manifests.yaml"]
    assert {s["id"] for s in skips} >= {"CKV_K8S_19", "CKV_K8S_157"}, skips
    assert all(len(s["reason"]) > 20 for s in skips)


def test_calicos_pods_are_admitted_where_they_run_and_the_operator_needs_privileged(with_calico):
    """The operator's namespace enforces privileged: the chart runs it on the host's network with /var/lib/calico
    from the host, which baseline refuses (host namespaces, hostPath volumes); the operator creates calico-system
    enforcing privileged itself, where calico-node runs privileged on the host's network."""
    env_name, build, _run, _by_file, _releases = with_calico
    objects, releases = _manifests.load_build(build)
    namespaces = {o["metadata"]["name"]: o["metadata"]["labels"] for o in objects if o["kind"] == "Namespace"}
    namespaces.update({n["metadata"]["name"]: n["metadata"]["labels"] for n in _pod_model.operator_namespaces(objects)})
    groups = {g["label"]: g for g in _pod_model.pods(objects, releases)}
    for label, namespace in (("deployment tigera-operator", "tigera-operator"),
                             ("job tigera-operator-uninstall", "tigera-operator"),
                             ("daemonset calico-node", "calico-system"), ("deployment calico-typha", "calico-system"),
                             ("deployment calico-kube-controllers", "calico-system")):
        group = groups[label]
        assert group["namespace"] == namespace
        level, version = _pod_security.namespace_policy(namespaces[namespace])
        assert level == "privileged", namespace
        assert _pod_security.judge(group, level, version) == []
    refused = _pod_security.judge(groups["deployment tigera-operator"], "baseline", _pod_security.parse_version("v1.34"))
    assert {v["rule"] for v in refused} >= {"hostNamespaces", "hostPathVolumes"}, refused
    assert _pod_security.judge(groups["daemonset calico-node"], "baseline", _pod_security.parse_version("v1.34"))


def test_calico_is_counted_and_dev_stays_within_its_budget(with_calico):
    env_name, build, _run, _by_file, _releases = with_calico
    inventory = inventory_vars(env_name)
    nodes = inventory.get("oke_cluster_node_count", 1)
    groups = {g["name"]: g for g in _capacity.workloads(*_manifests.load_build(build), node_count=nodes)}
    assert groups["daemonset calico-node"]["replicas"] == nodes and groups["daemonset calico-node"]["daemon"]
    assert groups["deployment calico-typha"]["replicas"] == _pod_model.typha_replicas(nodes)
    assert groups["deployment calico-kube-controllers"]["replicas"] == 1
    calico = [g for name, g in groups.items() if "calico" in name or "tigera" in name]
    assert all(g["pod"]["requests"]["cpu"] > 0 and g["pod"]["requests"]["memory"] > 0 for g in calico)
    result = _capacity.assess(list(groups.values()), _capacity.pool_nodes({
        "name": "pool", "count": nodes, "ocpus": inventory["oke_cluster_node_ocpus"],
        "memory_gbs": inventory["oke_cluster_node_memory_gbs"], "shape": inventory["oke_cluster_node_shape"],
        "reserved": {"cpu": "200m", "memory": "1Gi"}}), budget=inventory.get("eventstack_budget"))
    assert result["problems"] == [], result["problems"]
    if env_name == "dev":
        requests = result["requests"]["requests"]
        assert requests["cpu"] <= _capacity.parse_quantity("1600m") and requests["memory"] <= _capacity.parse_quantity(
            "6Gi"), requests


@pytest.mark.parametrize("nodes, replicas", [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (199, 3), (400, 4), (1001, 7)])
def test_typha_follows_the_operators_scale(nodes, replicas):
    """The operator's GetExpectedTyphaScale table (pkg/common/autoscale.go at v1.42.3)."""
    assert _pod_model.typha_replicas(nodes) == replicas
