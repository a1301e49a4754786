"""The dev stack's whole life with the OCI roles' real apply and destroy (real oracle.oci module code, real oci SDK)
against the OCI API stand-in: create, a second run that sends nothing, two nodes given as -e key=value, a Kubernetes
minor upgrade announced by --check and then applied (control plane first, then the node pool), destroy twice. Each
step asserts the stand-in's state afterwards and the run's `changed`."""

from __future__ import annotations

import os
import stat

from tests.oci.standin_state import TAGS, a1_everywhere, alive, one, said, writes_since
from tests.support.oci_standin import Scenario


def test_dev_lifecycle_create_rerun_resize_upgrade_destroy(stack_factory):
    stack = stack_factory("dev", a1_everywhere(Scenario()))
    oci = stack.oci

    # Create, on Kubernetes 1.33 so that the upgrade below has somewhere to go.
    run = stack.run(eventstack_kubernetes_version="1.33")
    assert run.rc == 0, run.output[-4000:]
    assert run.recap["changed"] > 0
    vcn = one(oci, "vcn")
    assert vcn["freeformTags"] == TAGS and vcn["cidrBlocks"] == ["10.0.0.0/16"]
    assert {s["displayName"] for s in alive(oci, "subnet")} == {
        "eventstack-dev-api-endpoint", "eventstack-dev-load-balancers", "eventstack-dev-workers"}
    assert all(s["freeformTags"] == TAGS for s in alive(oci, "subnet"))
    cluster = one(oci, "cluster")
    assert (cluster["lifecycleState"], cluster["kubernetesVersion"]) == ("ACTIVE", "v1.33.1")
    pool = one(oci, "node_pool")
    assert pool["nodeConfigDetails"]["size"] == 1 and pool["kubernetesVersion"] == "v1.33.1"
    assert [n["lifecycleState"] for n in pool["nodes"]] == ["ACTIVE"]
    assert pool["freeformTags"] == TAGS and cluster["freeformTags"] == TAGS
    # The waits printed what they waited for, with its state and the elapsed time.
    assert "waiting (" in run.output and "OKE cluster eventstack-dev: CREATING" in run.output, run.output[-3000:]
    assert "node pool eventstack-dev-pool1" in run.output
    assert stat.S_IMODE(os.stat(stack.kubeconfig).st_mode) == 0o600

    # Nothing asked changed: no write request at all, changed=0.
    mark = len(oci.writes())
    run = stack.run(eventstack_kubernetes_version="1.33")
    assert run.rc == 0, run.output[-4000:]
    assert run.recap["changed"] == 0, run.output[-4000:]
    assert writes_since(oci, mark) == []

    # What OCI cannot change in place stops the run in preflight, naming the variable: nothing is sent.
    run = stack.run(eventstack_kubernetes_version="1.33", oci_network_vcn_cidr="10.1.0.0/16")
    assert run.rc != 0
    assert said(run, "oci_network_vcn_cidr is 10.1.0.0/16: OCI does not change a VCN's CIDR in place")
    run = stack.run(eventstack_kubernetes_version="1.33", oke_cluster_services_cidr="10.97.0.0/16")
    assert run.rc != 0
    assert said(run, "has services_cidr 10.96.0.0/16 but oke_cluster_services_cidr is 10.97.0.0/16")
    assert writes_since(oci, mark) == []

    # Two nodes, given on the command line as a string (-e key=value), and another API allow-list: applied by id,
    # the old allow-list rule removed from the endpoint's NSG and the new one added.
    mark = len(oci.writes())
    run = stack.run("-e", "oke_cluster_node_count=2", eventstack_kubernetes_version="1.33",
                    oci_network_api_allowed_cidrs=["198.51.100.0/24"])
    assert run.rc == 0, run.output[-4000:]
    pool = one(oci, "node_pool")
    assert pool["nodeConfigDetails"]["size"] == 2
    assert [n["lifecycleState"] for n in pool["nodes"]] == ["ACTIVE", "ACTIVE"]
    writes = writes_since(oci, mark)
    assert [w for w in writes if "nodePools" in w[1]] == [("PUT", "/20180222/nodePools/" + pool["id"])]
    nsg = next(n for n in alive(oci, "network_security_group") if n["displayName"] == "eventstack-dev-api-endpoint-nsg")
    sources = {r.get("source") for r in oci.scenario.records[nsg["id"]].extra["rules"]}
    assert "198.51.100.0/24" in sources and "203.0.113.0/24" not in sources, sources
    assert {w for w in writes if nsg["id"] in w[1]} == {
        ("POST", "/20160918/networkSecurityGroups/%s/actions/removeSecurityRules" % nsg["id"]),
        ("POST", "/20160918/networkSecurityGroups/%s/actions/addSecurityRules" % nsg["id"])}

    # The upgrade, checked first: --check announces it and sends nothing.
    mark = len(oci.writes())
    run = stack.run("--check", "-e", "oke_cluster_node_count=2", oci_network_api_allowed_cidrs=["198.51.100.0/24"])
    assert run.rc == 0, run.output[-4000:]
    assert said(run, "upgrade: control plane v1.33.1 -> v1.34.2, then node pool v1.33.1 -> v1.34.2")
    assert writes_since(oci, mark) == []
    assert one(oci, "cluster")["kubernetesVersion"] == "v1.33.1"

    # Then applied: the control plane first, then the node pool's version and image. Dev is a basic cluster, which
    # OKE does not cycle: its nodes keep their version until replaced, and the run says so (the enhanced cluster's
    # upgrade, with node cycling, is in test_oci_recovery.py).
    run = stack.run("-e", "oke_cluster_node_count=2", oci_network_api_allowed_cidrs=["198.51.100.0/24"])
    assert run.rc == 0, run.output[-4000:]
    updates = [w for w in writes_since(oci, mark) if w[0] == "PUT"]
    cluster_update = updates.index(("PUT", "/20180222/clusters/" + cluster["id"]))
    pool_update = updates.index(("PUT", "/20180222/nodePools/" + pool["id"]))
    assert cluster_update < pool_update, updates
    assert one(oci, "cluster")["kubernetesVersion"] == "v1.34.2"
    pool = one(oci, "node_pool")
    assert pool["kubernetesVersion"] == "v1.34.2" and "1.34.2" in pool["nodeImageName"]
    assert [(n["lifecycleState"], n["kubernetesVersion"]) for n in pool["nodes"]] == [("ACTIVE", "v1.33.1")] * 2
    assert said(run, "2 node(s) still run an older version") and said(run, "docs/runbooks/upgrading.md")

    # What the cluster made in the subnets: a load balancer and a volume carrying the stack's tags (the ingress
    # Service's annotation and the StorageClass ask OKE for them), and a load balancer someone else made in the load
    # balancer subnet. Destroy deletes the stack's, and stops on the other one, naming it, before any subnet goes.
    subnets = {s["displayName"]: s["id"] for s in alive(oci, "subnet")}
    tagged_lb = oci.scenario.add_load_balancer(subnets["eventstack-dev-load-balancers"], cluster_id=cluster["id"],
                                               freeform_tags=TAGS)
    volume = oci.scenario.add_volume(cluster_id=cluster["id"], freeform_tags=TAGS)
    foreign_lb = oci.scenario.add_load_balancer(subnets["eventstack-dev-load-balancers"], cluster_id=cluster["id"])
    run = stack.destroy()
    assert run.rc != 0
    assert said(run, "(%s) in subnet eventstack-dev-load-balancers does not carry the stack's tags" % foreign_lb)
    assert [lb["id"] for lb in alive(oci, "load_balancer")] == [foreign_lb]
    assert volume not in {v["id"] for v in alive(oci, "volume")} and tagged_lb
    assert len(alive(oci, "subnet")) == 3, "no subnet is deleted while something holds an address in one"
    oci.scenario.records[foreign_lb].data["freeformTags"] = dict(TAGS)  # its owner hands it over

    # Destroy: nothing of the stack stays alive anywhere; a second destroy changes nothing.
    run = stack.destroy()
    assert run.rc == 0, run.output[-4000:]
    left = {kind: alive(oci, kind) for kind in ("cluster", "node_pool", "node", "vcn", "subnet", "network_security_group",
                                                "route_table", "internet_gateway", "nat_gateway", "service_gateway",
                                                "load_balancer", "volume")}
    assert all(not found for found in left.values()), left
    mark = len(oci.writes())
    run = stack.destroy()
    assert run.rc == 0, run.output[-4000:]
    assert run.recap["changed"] == 0 and writes_since(oci, mark) == []
