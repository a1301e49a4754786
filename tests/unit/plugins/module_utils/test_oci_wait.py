"""judge(): when a cluster or node pool that OCI is working on is there as asked, still in progress, or failed."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _oci_wait

POOL_ID = "ocid1.nodepool.oc1..p"


def node(state="ACTIVE", version="v1.34.2", error=None, name="n1"):
    return {"name": name, "lifecycle_state": state, "kubernetes_version": version, "availability_domain": "X:AD-1",
            "node_error": error}


def pool(state="ACTIVE", nodes=None, size=1, version="v1.34.2"):
    return {"id": POOL_ID, "name": "pool1", "lifecycle_state": state, "kubernetes_version": version,
            "node_config_details": {"size": size}, "nodes": [node()] if nodes is None else nodes}


def request(status, operation="NODEPOOL_UPDATE", errors=None):
    return {"id": "wr-%s" % status.lower(), "status": status, "operation_type": operation,
            "resources": [{"identifier": POOL_ID}], "errors": errors or []}


def test_a_pool_with_every_node_active_on_its_version_is_done():
    verdict = _oci_wait.judge("node_pool", pool(), [request("SUCCEEDED")], expect={"size": 1})
    assert verdict == {"done": True, "failed": False, "message": "",
                       "summary": "node pool pool1: ACTIVE, 1 of 1 nodes ACTIVE"}


def test_work_in_flight_is_waited_for_even_when_the_pool_still_says_active():
    verdict = _oci_wait.judge("node_pool", pool(), [request("IN_PROGRESS")], expect={"size": 2})
    assert not verdict["done"] and not verdict["failed"]
    assert verdict["summary"] == "node pool pool1: ACTIVE, work request NODEPOOL_UPDATE IN_PROGRESS, 1 of 1 nodes ACTIVE"


def test_creating_nodes_are_waited_for():
    verdict = _oci_wait.judge("node_pool", pool("CREATING", [node("CREATING")], size=1), [])
    assert not verdict["done"] and not verdict["failed"]


def test_a_settled_pool_short_of_nodes_fails_with_ocis_errors():
    error = {"code": "InternalError", "message": "Out of host capacity."}
    nodes = [node(), node("FAILED", error=error, name="n2")]
    verdict = _oci_wait.judge("node_pool", pool("NEEDS_ATTENTION", nodes, size=2),
                              [request("FAILED", errors=[error])], expect={"size": 2})
    assert verdict["failed"] and not verdict["done"]
    assert verdict["message"] == (
        "node pool pool1: it is NEEDS_ATTENTION; 1 of 2 nodes are ACTIVE. OCI says: node n2 in X:AD-1 is FAILED: "
        "InternalError: Out of host capacity.; work request wr-failed (NODEPOOL_UPDATE) failed: InternalError: Out of "
        "host capacity.")


def test_nodes_left_on_the_old_version_after_an_upgrade_fail_it():
    verdict = _oci_wait.judge("node_pool", pool(nodes=[node(version="v1.33.1")]), [],
                              expect={"kubernetes_version": "v1.34.2", "size": 1})
    assert verdict["failed"] and "1 node(s) still run an older Kubernetes version" in verdict["message"]
    # A basic cluster's pool: OKE does not cycle its nodes, they keep their version until replaced.
    assert _oci_wait.judge("node_pool", pool(nodes=[node(version="v1.33.1")]), [],
                           expect={"kubernetes_version": "v1.34.2", "size": 1, "nodes_on_version": False})["done"]


def test_a_cluster_upgrade_that_ended_without_the_version_fails_naming_both():
    cluster = {"id": "c", "name": "es-dev", "lifecycle_state": "ACTIVE", "kubernetes_version": "v1.33.1"}
    failed = dict(request("FAILED", "CLUSTER_UPDATE", [{"code": "Conflict", "message": "busy"}]),
                  resources=[{"identifier": "c"}])
    verdict = _oci_wait.judge("cluster", cluster, [failed], expect={"kubernetes_version": "v1.34.2"})
    assert verdict["failed"]
    assert verdict["message"] == ("OKE cluster es-dev: it runs Kubernetes v1.33.1, not v1.34.2. OCI says: work request "
                                  "wr-failed (CLUSTER_UPDATE) failed: Conflict: busy")
    done = _oci_wait.judge("cluster", dict(cluster, kubernetes_version="v1.34.2"), [],
                           expect={"kubernetes_version": "v1.34.2"})
    assert done["done"] and done["summary"] == "OKE cluster es-dev: ACTIVE, Kubernetes v1.34.2"


def test_deletion_is_done_when_oci_no_longer_has_it():
    assert _oci_wait.judge("cluster", None, [], state="absent")["done"]
    assert _oci_wait.judge("cluster", {"name": "c", "lifecycle_state": "DELETED"}, [], state="absent")["done"]
    deleting = _oci_wait.judge("cluster", {"name": "c", "lifecycle_state": "DELETING"}, [], state="absent")
    assert not deleting["done"] and not deleting["failed"]
    assert _oci_wait.judge("cluster", None, [])["failed"]
