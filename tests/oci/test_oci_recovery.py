"""The OCI roles against the OCI API stand-in when things go wrong: a node pool out of host capacity is reported with
OCI's words and recovered once the inventory moves it; a cluster still CREATING is waited for, not duplicated;
throttling and 5xx are retried; what OCI cannot change in place and another stack's resources stop the run before
any change; an enhanced cluster's upgrade cycles its nodes."""

from __future__ import annotations

from tests.oci.standin_state import a1_everywhere, alive, one, said, writes_since
from tests.support.oci_standin import Scenario


def test_a_pool_out_of_host_capacity_is_reported_then_recovered_in_another_ad(stack_factory):
    scenario = Scenario()
    scenario.capacity[scenario.ads[0]] = 0  # AD-1 has no A1 host left
    for resource, amount in (("standard-a1-core-count", 4), ("standard-a1-memory-count", 24)):
        scenario.limits[("compute", resource, scenario.ads[1])] = {"used": 0, "available": amount}
    stack = stack_factory("dev", scenario)
    oci = stack.oci

    run = stack.run(oke_cluster_availability_domains=["AD-1"])
    assert run.rc != 0
    assert said(run, "Out of host capacity"), run.output[-4000:]

    # Asked for again unchanged, preflight says why and that the same pool would fail the same way: nothing sent.
    mark = len(oci.writes())
    run = stack.run(oke_cluster_availability_domains=["AD-1"])
    assert run.rc != 0
    assert said(run, "would fail the same way") and said(run, "Out of host capacity"), run.output[-4000:]
    assert writes_since(oci, mark) == []

    # Moved to AD-2: the pool is brought back (updated, or replaced when OCI left it FAILED).
    run = stack.run(oke_cluster_availability_domains=["AD-2"])
    assert run.rc == 0, run.output[-4000:]
    pool = one(oci, "node_pool")
    assert pool["lifecycleState"] == "ACTIVE"
    assert {n["availabilityDomain"] for n in pool["nodes"] if n["lifecycleState"] == "ACTIVE"} == {scenario.ads[1]}


def test_a_cluster_still_creating_is_waited_for_not_duplicated(stack_factory):
    scenario = Scenario()
    scenario.freeze("cluster")
    stack = stack_factory("dev", scenario)
    oci = stack.oci

    run = stack.run(oke_cluster_wait_timeout=3)
    assert run.rc != 0 and "gave up after" in run.output, run.output[-4000:]
    assert one(oci, "cluster")["lifecycleState"] == "CREATING"

    scenario.release("cluster")
    run = stack.run()
    assert run.rc == 0, run.output[-4000:]
    assert one(oci, "cluster")["lifecycleState"] == "ACTIVE"
    assert one(oci, "node_pool")["lifecycleState"] == "ACTIVE"


def test_an_enhanced_clusters_upgrade_cycles_its_nodes_and_throttling_is_retried(stack_factory):
    scenario = Scenario()
    scenario.failures += [("GET", r"/vcns$", [429, 503]), ("POST", r"/clusters$", [429]),
                          ("GET", r"/nodePools/", [500])]
    stack = stack_factory("dev", scenario)
    oci = stack.oci
    # On an enhanced cluster flannel is an add-on Calico cannot replace in place: the policy engine is refused there
    # (policy_engine's own check), so this cluster runs without it.
    enhanced = {"oke_cluster_type": "ENHANCED_CLUSTER", "policy_engine_enabled": False}
    run = stack.run(eventstack_kubernetes_version="1.33", **enhanced)
    assert run.rc == 0, run.output[-4000:]
    statuses = [r.get("status") for r in oci.requests]
    assert statuses.count(429) >= 2 and 503 in statuses and 500 in statuses
    assert [c["type"] for c in alive(oci, "cluster")] == ["ENHANCED_CLUSTER"]

    # Node cycling adds a surge node beside the old one, placed as the next node would be: in AD-2, where this
    # tenancy has no A1 allowance. Preflight says so before anything changes (OCI would fail it mid-upgrade).
    mark = len(oci.writes())
    run = stack.run(**enhanced)
    assert run.rc != 0
    assert said(run, "needs 2 A1 OCPUs for 1 node(s) of 2 but only 0 are free") and said(
        run, "the surge node(s) node cycling adds during the upgrade"), run.output[-3000:]
    assert writes_since(oci, mark) == []

    a1_everywhere(scenario)
    run = stack.run(**enhanced)
    assert run.rc == 0, run.output[-4000:]
    assert one(oci, "cluster")["kubernetesVersion"] == "v1.34.2"
    pool = one(oci, "node_pool")
    assert pool["nodePoolCyclingDetails"]["isNodeCyclingEnabled"] is True
    assert [(n["lifecycleState"], n["kubernetesVersion"]) for n in pool["nodes"]
            if n["lifecycleState"] != "DELETED"] == [("ACTIVE", "v1.34.2")]
    assert "still run an older version" not in run.output


def test_another_stacks_network_of_the_same_name_is_refused_before_any_change(stack_factory):
    stack = stack_factory("dev")
    stack.oci.scenario.add_vcn(display_name="eventstack-dev-vcn", freeform_tags={})
    run = stack.run()
    assert run.rc != 0
    assert said(run, "VCN eventstack-dev-vcn exists without this stack's tags"), run.output[-4000:]
    assert "-e eventstack_oci_adopt=true" in run.output
    assert stack.oci.writes() == []
