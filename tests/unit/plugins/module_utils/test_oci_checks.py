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


def test_a_claim_becomes_a_block_volume_of_whole_gb_at_least_50():
    assert [_oci_checks.volume_gbs(s) for s in ("1Gi", "50Gi", "50G", "100Gi", "120.5Gi")] == [50, 50, 50, 100, 121]


DEV_VOLUMES = [{"name": "PostgreSQL", "size": "50Gi", "count": 1, "variable": "database_storage_size"},
               {"name": "Dapr scheduler", "size": "1Gi", "count": 1, "variable": "dapr_scheduler_storage_size"}]


def test_dev_fits_the_always_free_200_gb():
    problems, facts = _oci_checks.storage_problems({"AD-1": {"available": 200, "used": 0}}, 1, 50, ["AD-1"],
                                                   DEV_VOLUMES)
    assert problems == []
    assert facts["need"] == {"boot": 50, "volumes": 100, "total": 150} and facts["free"] == 200
    assert facts["volumes"] == [{"name": "PostgreSQL", "gbs": 50, "count": 1},
                                {"name": "Dapr scheduler", "gbs": 50, "count": 1}]


def test_a_second_node_and_a_kafka_volume_do_not_fit_and_the_message_says_what_claims_what():
    kafka = {"name": "Kafka node pool dual-role", "size": "10Gi", "count": 1, "variable": "strimzi_kafka_node_pools"}
    problems, facts = _oci_checks.storage_problems({"AD-1": {"available": 200, "used": 0}}, 2, 50, ["AD-1"],
                                                   DEV_VOLUMES + [kafka])
    assert facts["need"]["total"] == 250
    assert problems == [
        "the stack needs 250 GB of block storage (2 boot volume(s) of 50 GB, PostgreSQL 1 x 50 GB "
        "(database_storage_size), Dapr scheduler 1 x 50 GB (dapr_scheduler_storage_size), Kafka node pool dual-role "
        "1 x 50 GB (strimzi_kafka_node_pools); OCI's smallest block volume is 50 GB) but AD-1 has 200 GB free; lower "
        "oke_cluster_node_count or oke_cluster_node_boot_volume_gbs or the claims named, or ask for a limit increase"]


def test_what_the_stack_already_holds_is_not_asked_for_again():
    # The stack runs: its boot volume and its two claims use 150 of the 200 GB; a second node needs 50 more.
    problems, _facts = _oci_checks.storage_problems({"AD-1": {"available": 50, "used": 150}}, 2, 50, ["AD-1"],
                                                    DEV_VOLUMES, held_gbs=150)
    assert problems == []
    problems, _facts = _oci_checks.storage_problems({"AD-1": {"available": 40, "used": 160}}, 2, 50, ["AD-1"],
                                                    DEV_VOLUMES, held_gbs=150)
    assert len(problems) == 1 and "but AD-1 has 190 GB free" in problems[0]


def test_surge_nodes_of_an_upgrade_need_capacity_where_they_would_be_placed():
    assert [_oci_checks.surge_nodes(s, 4) for s in (0, 1, "2", "25%", "30%")] == [0, 1, 2, 1, 2]
    availability = {"AD-1": {"cores": {"available": 2, "used": 2}, "memory": {"available": 16, "used": 8}}}
    held = {"AD-1": {"cores": 2, "memory": 8}}
    assert _oci_checks.capacity_problems(availability, 1, 2, 8, ["AD-1"], held)[0] == []
    # One surge node next to the existing one: 4 OCPUs in AD-1, which has them (2 free + 2 held).
    assert _oci_checks.capacity_problems(availability, 1, 2, 8, ["AD-1"], held, surge=1)[0] == []
    problems, _facts = _oci_checks.capacity_problems(availability, 1, 2, 8, ["AD-1", "AD-2"], held, surge=1)
    assert problems[0].startswith("AD-2 needs 2 A1 OCPUs for 1 node(s) of 2 but only 0 are free")
    assert "the surge node(s) node cycling adds during the upgrade; or lower oke_cluster_node_cycling_max_surge" \
        in problems[0]


def test_the_regional_a1_limit_counts_too():
    regional = {"cores": {"available": 4, "used": 0}, "memory": {"available": 24, "used": 0}}
    assert _oci_checks.regional_capacity_problems(regional, 2, 2, 12) == []
    problems = _oci_checks.regional_capacity_problems(regional, 3, 4, 24)
    assert problems[0].startswith("the region needs 12 A1 OCPUs for 3 node(s) of 4 but only 4 are free")
    assert problems[1].startswith("the region needs 72 A1 GB")
    # What the stack's own nodes hold is theirs to keep.
    held = {"AD-1": {"cores": 8, "memory": 48}, "boot": 100}
    assert _oci_checks.regional_capacity_problems(regional, 3, 4, 24, held) == []
