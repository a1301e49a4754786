"""prod lives in a compartment of its own (TodoApp-prod, created by oci_identity): every run resolves it once, so a
re-run of only the network and cluster roles, a destroy and a second destroy all look there, never in the parent.
Destroy with the compartment asked for leaves nothing alive anywhere; a second destroy, with the stale kubeconfig still
on disk and the cluster check on, changes nothing; a redeploy's preflight is not blocked by that kubeconfig either.
The private API endpoint is reached through the stack's OCI Bastion: a port-forwarding session, the tunnel (the SSH side
of OCI Bastion, tests/support/bastion_ssh.py) and a kubeconfig pointed at it, read through with the real kubernetes
client and the real oci CLI's token; a re-run reuses the session."""

from __future__ import annotations

import datetime
import os

import yaml

from tests.oci.standin_state import alive, one, said, writes_since
from tests.support.oci_standin import COMPARTMENT, Scenario

STACK_KINDS = ("vcn", "subnet", "network_security_group", "route_table", "internet_gateway", "nat_gateway",
               "service_gateway", "cluster", "node_pool", "node", "container_repository", "bastion")


def test_prod_from_deploy_to_destroy_in_its_own_compartment(stack_factory):
    scenario = Scenario(clock=datetime.datetime.now(datetime.timezone.utc))
    for ad in scenario.ads:
        scenario.limits[("compute", "standard-a1-core-count", ad)] = {"used": 0, "available": 8}
        scenario.limits[("compute", "standard-a1-memory-count", ad)] = {"used": 0, "available": 48}
    stack = stack_factory("prod", scenario, api=True)
    oci = stack.oci

    # A private endpoint with direct access from a controller that has no route into the VCN: nothing could reach
    # the cluster once built, so preflight stops first, saying how to get in.
    run = stack.run(oke_cluster_api_access="direct")
    assert run.rc != 0
    assert said(run, "the cluster's API will have only a private address in the VCN"), run.output[-3000:]
    assert said(run, "Set oke_cluster_api_access: bastion")
    assert oci.writes() == []

    # The region's own A1 limit (4 OCPU / 24 GB, as Always Free has it) cannot take prod's three 4-OCPU nodes:
    # preflight says so, naming the numbers, before anything is created (OCI would fail the node pool later).
    run = stack.run()
    assert run.rc != 0
    assert said(run, "the region needs 12 A1 OCPUs for 3 node(s) of 4 but only 4 are free"), run.output[-3000:]
    assert oci.writes() == []
    scenario.limits[("compute", "standard-a1-core-regional-count", None)] = {"used": 0, "available": 24}
    scenario.limits[("compute", "standard-a1-memory-regional-count", None)] = {"used": 0, "available": 144}

    run = stack.run()
    assert run.rc == 0, run.output[-4000:]
    compartment = [c for c in alive(oci, "compartment") if c["name"] == "TodoApp-prod"]
    assert len(compartment) == 1 and compartment[0]["compartmentId"] == COMPARTMENT
    inside = compartment[0]["id"]
    assert one(oci, "vcn")["compartmentId"] == inside and one(oci, "cluster")["compartmentId"] == inside
    assert one(oci, "cluster")["type"] == "ENHANCED_CLUSTER"
    assert not [r for kind in STACK_KINDS for r in oci.alive(kind, compartment=COMPARTMENT)], "nothing in the parent"

    # The way in: the bastion in the API endpoint's subnet, open to the controller's address only, one session to the
    # private endpoint, and the kubeconfig at the tunnel's end with the endpoint's address as the TLS name.
    bastion = one(oci, "bastion")
    assert bastion["compartmentId"] == inside and bastion["clientCidrBlockAllowList"] == ["203.0.113.7/32"]
    assert bastion["targetSubnetId"] == one(oci, "cluster")["endpointConfig"]["subnetId"]
    endpoint = one(oci, "cluster")["endpoints"]["privateEndpoint"]
    sessions = alive(oci, "bastion_session")
    assert len(sessions) == 1
    assert sessions[0]["targetResourceDetails"]["targetResourcePrivateIpAddress"] == endpoint.split(":")[0]
    with open(stack.kubeconfig, encoding="utf-8") as handle:
        cluster = yaml.safe_load(handle)["clusters"][0]["cluster"]
    assert cluster["server"] == "https://127.0.0.1:%d" % stack.base["oke_cluster_bastion_local_port"]
    assert cluster["tls-server-name"] == endpoint.split(":")[0]
    assert stack.api.tokens and set(stack.api.tokens) == {one(oci, "cluster")["id"]}  # the oci CLI's token
    assert said(run, "through bastion session " + sessions[0]["id"])

    # Only the network and the cluster again: found in TodoApp-prod, nothing sent (before, a second VCN and cluster
    # were built in the parent).
    mark = len(oci.writes())
    run = stack.run(tags="oci_network,oke_cluster")
    assert run.rc == 0, run.output[-4000:]
    assert writes_since(oci, mark) == [] and run.recap["changed"] == 0
    assert [s["id"] for s in alive(oci, "bastion_session")] == [sessions[0]["id"]]  # reused

    # Destroy, the compartment too: nothing of the stack alive in any compartment.
    run = stack.destroy(oci_identity_delete_compartment=True)
    assert run.rc == 0, run.output[-4000:]
    left = {kind: alive(oci, kind) for kind in STACK_KINDS}
    assert all(not found for found in left.values()), left
    assert [c["name"] for c in alive(oci, "compartment")] == ["eventstack"]

    # Again, the whole playbook (no --tags), the cluster check on, the stale kubeconfig still there: nothing to do.
    assert os.path.exists(stack.kubeconfig)
    mark = len(oci.writes())
    run = stack.destroy(tags="", preflight_check_cluster=True)
    assert run.rc == 0, run.output[-4000:]
    assert run.recap["changed"] == 0 and writes_since(oci, mark) == []

    # A redeploy is not blocked at preflight by that kubeconfig (checked with --check: nothing is sent).
    run = stack.run("--check", preflight_check_cluster=True)
    assert run.rc == 0, run.output[-4000:]
    assert writes_since(oci, mark) == []
