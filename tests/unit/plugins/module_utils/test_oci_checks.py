from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _oci_checks

ADS = ["AD-1", "AD-2", "AD-3"]


def availability(cores, memory):
    return {ad: {"cores": {"available": c, "used": 0}, "memory": {"available": m, "used": 0}}
            for ad, c, m in zip(ADS, cores, memory)}


def test_spread_is_round_robin_in_order():
    assert _oci_checks.spread(4, ADS) == {"AD-1": 2, "AD-2": 1, "AD-3": 1}
    assert _oci_checks.spread(1, ADS) == {"AD-1": 1, "AD-2": 0, "AD-3": 0}


def test_enough_capacity_everywhere():
    problems, totals = _oci_checks.capacity_problems(availability([4, 4, 4], [24, 24, 24]), 3, 2, 12, ADS)
    assert problems == []
    assert totals == {"need": {"cores": 6, "memory": 36}, "free": {"cores": 12.0, "memory": 72.0}}


def test_shortfall_per_ad_and_resource():
    problems, _totals = _oci_checks.capacity_problems(availability([4, 1, 4], [24, 24, 4]), 3, 2, 12, ADS)
    assert problems == [
        "AD-2 needs 2 A1 OCPUs for 1 node(s) of 2 but only 1 are free (limit used: 0); lower "
        "oke_cluster_node_count, oke_cluster_node_ocpus or oke_cluster_node_memory_gbs, or ask for a limit increase",
        "AD-3 needs 12 A1 GB for 1 node(s) of 12 but only 4 are free (limit used: 0); lower "
        "oke_cluster_node_count, oke_cluster_node_ocpus or oke_cluster_node_memory_gbs, or ask for a limit increase"]


def test_held_capacity_counts_as_free():
    problems, totals = _oci_checks.capacity_problems(availability([0, 0, 0], [0, 0, 0]), 1, 2, 8, ["AD-1"],
                                                     held={"AD-1": {"cores": 2, "memory": 8}})
    assert problems == [] and totals["free"] == {"cores": 2.0, "memory": 8.0}


def test_cluster_health_ready_and_not():
    cluster = {"name": "c", "lifecycle_state": "ACTIVE"}
    pool = {"name": "p", "lifecycle_state": "ACTIVE", "node_config_details": {"size": 2},
            "nodes": [{"name": "n1", "lifecycle_state": "ACTIVE"}]}
    ready, problems = _oci_checks.cluster_health(cluster, [pool], [])
    assert not ready and problems == ["node pool p has 1 of 2 nodes"]
    pool["nodes"].append({"name": "n2", "lifecycle_state": "ACTIVE"})
    assert _oci_checks.cluster_health(cluster, [pool], []) == (True, [])
    assert _oci_checks.cluster_health(cluster, [], []) == (False, ["cluster c has no node pool"])


def test_failed_work_requests_are_reported_but_do_not_unready_an_active_cluster():
    cluster = {"name": "c", "lifecycle_state": "ACTIVE"}
    pool = {"name": "p", "lifecycle_state": "ACTIVE", "nodes": [{"name": "n1", "lifecycle_state": "ACTIVE"}]}
    ready, problems = _oci_checks.cluster_health(cluster, [pool], [
        {"id": "w", "operation_type": "NODEPOOL_UPDATE", "status": "FAILED", "errors": [{"code": "X", "message": "y"}]}])
    assert ready is True and problems == ["work request w (NODEPOOL_UPDATE) FAILED: X: y"]


def test_node_without_error_details():
    cluster = {"name": "c", "lifecycle_state": "UPDATING", "lifecycle_details": "upgrading"}
    pool = {"name": "p", "lifecycle_state": "ACTIVE",
            "nodes": [{"name": "n1", "lifecycle_state": "CREATING", "availability_domain": "AD-1"}]}
    ready, problems = _oci_checks.cluster_health(cluster, [pool], [])
    assert not ready
    assert problems == ["cluster c is UPDATING: upgrading", "node n1 of node pool p in AD-1 is CREATING"]
