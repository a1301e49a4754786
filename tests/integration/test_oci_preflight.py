"""oci_preflight through the real oci SDK clients against the local OCI stand-in."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.modules import oci_preflight
from tests.support.oci_config import PASS_PHRASE
from tests.support.oci_standin import ADS, COMPARTMENT, node


@pytest.fixture()
def run(run_module, oci_auth):
    """run(**args): oci_preflight against the stand-in, with the defaults below unless args say otherwise; returns
    (exit code, result, printed output)."""
    defaults = dict(oci_auth, compartment_id=COMPARTMENT, kubernetes_version="1.34", node_count=1, node_ocpus=2,
                    node_memory_gbs=8, availability_domains=["AD-1"])
    return lambda **args: run_module(oci_preflight, dict(defaults, **args), output=True)


def test_all_good_reports_live_facts(run, oci):
    code, result, _out = run()
    assert code == 0, result
    facts = result["oci_preflight"]
    assert facts["problems"] == []
    assert facts["compartment"] == {"id": COMPARTMENT, "name": "eventstack", "lifecycle_state": "ACTIVE"}
    assert facts["availability_domains"] == ADS
    assert facts["kubernetes_version"] == "v1.34.2"
    assert facts["limits"][ADS[0]]["cores"] == {"available": 4, "used": 0}
    assert facts["capacity"] == {"need": {"cores": 2.0, "memory": 8.0}, "free": {"cores": 4.0, "memory": 24.0}}
    assert facts["load_balancers"]["available"] == 1
    # Every call went over HTTP, signed with the API key.
    paths = {r["path"] for r in oci.requests}
    assert "/20190729/services/compute/limits/standard-a1-core-count/resourceAvailability" in paths
    assert all(r["signed"] for r in oci.requests)
    assert result["api_calls"] == {"attempts": len(oci.requests), "retries": 0}


def test_a1_limits_too_small_names_numbers_and_variables(run, oci):
    oci.scenario.limits[("compute", "standard-a1-core-count", ADS[0])] = {"used": 2, "available": 2}
    code, result, _out = run(node_count=2)
    assert code == 1
    assert "OCI preflight found 1 problem(s)" in result["msg"]
    assert ("%s needs 4 A1 OCPUs for 2 node(s) of 2 but only 2 are free (limit used: 2)" % ADS[0]
            in result["msg"])
    assert "oke_cluster_node_count, oke_cluster_node_ocpus or oke_cluster_node_memory_gbs" in result["msg"]
    assert "needs 16 A1 GB" not in result["msg"]  # memory (24 free) is enough


def test_nodes_spread_over_every_ad_need_capacity_in_each(run):
    code, result, _out = run(node_count=3, node_ocpus=1, node_memory_gbs=6, availability_domains=[])
    assert code == 1
    assert "AD-2 needs 1 A1 OCPUs for 1 node(s) of 1 but only 0 are free" in result["msg"]
    assert "AD-3 needs 1 A1 OCPUs" in result["msg"]
    assert "AD-1 needs" not in result["msg"]


def test_existing_nodes_of_this_stack_count_as_available(run, oci):
    oci.scenario.limits[("compute", "standard-a1-core-count", ADS[0])] = {"used": 2, "available": 2}
    oci.scenario.limits[("compute", "standard-a1-memory-count", ADS[0])] = {"used": 8, "available": 16}
    oci.scenario.add_cluster(nodes=[node(1, ADS[0])], ocpus=2, memory=8)
    code, result, _out = run(node_count=2, cluster_name="eventstack-dev")
    assert code == 0, result["msg"] if "msg" in result else result
    assert result["oci_preflight"]["capacity"]["free"] == {"cores": 4.0, "memory": 24.0}


def test_version_not_offered_lists_the_offered_ones(run):
    code, result, _out = run(kubernetes_version="1.36")
    assert code == 1
    assert ("Kubernetes 1.36 is not offered for new clusters in this region; offered: v1.32.10, v1.33.1, v1.34.1, "
            "v1.34.2 (set eventstack_kubernetes_version" in result["msg"])


def test_compartment_not_active_or_missing(run, oci):
    oci.scenario.compartments[COMPARTMENT]["lifecycleState"] = "DELETED"
    code, result, _out = run()
    assert code == 1 and "compartment eventstack (%s) is DELETED, not ACTIVE" % COMPARTMENT in result["msg"]
    code, result, _out = run(compartment_id="ocid1.compartment.oc1..missing")
    assert code == 1
    assert "compartment ocid1.compartment.oc1..missing cannot be read" in result["msg"]
    assert "HTTP 404 NotAuthorizedOrNotFound" in result["msg"]


def test_throttling_is_retried_then_succeeds(run, oci):
    oci.scenario.failures.append((r"/availabilityDomains", [429, 503]))
    code, result, _out = run()
    assert code == 0, result
    assert result["api_calls"]["retries"] == 2
    assert [r["path"] for r in oci.requests].count("/20160918/availabilityDomains") == 3


def test_persistent_server_error_names_the_call(run, oci):
    oci.scenario.failures.append((r"/clusterOptions/all", [500] * 10))
    code, result, _out = run(api_retries=3)
    assert code == 1
    assert result["msg"] == ("OCI preflight: GetClusterOptions failed: HTTP 500 InternalServerError: stand-in says 500 "
                             "(after 3 attempts)")


def test_load_balancer_limit(run, oci):
    oci.scenario.limits[("load-balancer", "lb-flexible-count", None)] = {"used": 1, "available": 0}
    code, result, _out = run()
    assert code == 1 and "needs 1 load balancer(s) but lb-flexible-count has 0 available (used: 1)" in result["msg"]
    code, result, _out = run(load_balancer_limit="lb-unknown-count")
    assert code == 0
    assert result["oci_preflight"]["notes"] == ["load-balancer limit lb-unknown-count does not exist in this tenancy; "
                                                "not checked"]


def test_report_only_mode_and_unknown_ad(run):
    code, result, _out = run(availability_domains=["AD-9"], fail_on_problems=False)
    assert code == 0
    assert result["oci_preflight"]["problems"][0].startswith("availability domain 'AD-9' is not in this region")


def test_credentials_never_appear_in_output(run, oci):
    oci.scenario.failures.append((r"/compartments/", [500] * 10))
    _code, _result, out = run(api_retries=1)
    key_body = "".join(oci.pem.splitlines()[1:-1])[:40]
    assert PASS_PHRASE not in out and key_body not in out and "key.pem" not in out


def test_missing_config_file_is_a_clear_error(run, tmp_path):
    code, result, _out = run(config_file_location=str(tmp_path / "nope"))
    assert code == 1 and "OCI config file" in result["msg"] and "not found" in result["msg"]


DEV_CLAIMS = [{"name": "PostgreSQL", "size": "50Gi", "count": 1, "variable": "database_storage_size"},
              {"name": "Dapr scheduler", "size": "1Gi", "count": 1, "variable": "dapr_scheduler_storage_size"}]


def test_block_storage_counts_boot_volumes_and_claims_against_the_live_limit(run, oci):
    oci.scenario.limits[("block-storage", "total-storage-gb", ADS[0])] = {"used": 0, "available": 200}
    code, result, _out = run(node_boot_volume_gbs=50, volumes=DEV_CLAIMS)
    assert code == 0, result
    storage = result["oci_preflight"]["block_storage"]
    assert storage["need"] == {"boot": 50, "volumes": 100, "total": 150} and storage["free"] == 200
    assert "/20190729/services/block-storage/limits/total-storage-gb/resourceAvailability" in {
        r["path"] for r in oci.requests}
    # A second node does not fit in the 200 GB left: the message names what claims what.
    code, result, _out = run(node_count=2, node_ocpus=1, node_memory_gbs=6, node_boot_volume_gbs=60,
                             volumes=DEV_CLAIMS)
    assert code == 1
    assert ("the stack needs 220 GB of block storage (2 boot volume(s) of 60 GB, PostgreSQL 1 x 50 GB "
            "(database_storage_size), Dapr scheduler 1 x 50 GB (dapr_scheduler_storage_size)" in result["msg"])


def test_block_storage_the_running_stack_holds_is_not_asked_for_again(run, oci):
    oci.scenario.limits[("block-storage", "total-storage-gb", ADS[0])] = {"used": 150, "available": 50}
    oci.scenario.add_cluster(nodes=[node(1, ADS[0])], ocpus=2, memory=8)
    code, result, _out = run(cluster_name="eventstack-dev", volumes=DEV_CLAIMS)
    assert code == 0, result
    assert result["oci_preflight"]["block_storage"]["free"] == 200
