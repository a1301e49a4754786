"""oke_cluster_info through the real oci SDK clients against the local OCI stand-in."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.modules import oke_cluster_info
from tests.support.oci_standin import ADS, CLUSTER, COMPARTMENT, node


@pytest.fixture()
def run(run_module, oci_auth):
    """run(**args): oke_cluster_info against the stand-in, with the defaults below unless args say otherwise."""
    defaults = oci_auth
    return lambda **args: run_module(oke_cluster_info, dict(defaults, **args))


def test_active_cluster_by_name_is_ready(run, oci):
    oci.scenario.add_cluster(nodes=[node(1, ADS[0]), node(2, ADS[1])])
    oci.scenario.add_work_request("wr1", "CLUSTER_CREATE", "SUCCEEDED", "2026-11-20T10:00:00.000Z")
    code, result = run(compartment_id=COMPARTMENT, name="eventstack-dev")
    assert code == 0, result
    assert result["ready"] is True and result["problems"] == []
    assert result["cluster"]["id"] == CLUSTER and result["cluster"]["kubernetes_version"] == "v1.34.2"
    assert [n["private_ip"] for n in result["node_pools"][0]["nodes"]] == ["10.0.16.11", "10.0.16.12"]
    assert result["work_requests"] == [{"id": "wr1", "operation_type": "CLUSTER_CREATE", "status": "SUCCEEDED",
                                        "time_accepted": "2026-11-20T10:00:00+00:00",
                                        "time_finished": "2026-11-20T10:00:00+00:00"}]


def test_node_errors_are_reported_verbatim(run, oci):
    error = {"code": "InternalError", "message": "Out of host capacity.", "status": "500", "opcRequestId": "x"}
    failing = node(2, ADS[1], state="FAILING", error=error)
    oci.scenario.add_cluster(nodes=[node(1, ADS[0]), failing], pool_state="NEEDS_ATTENTION")
    code, result = run(cluster_id=CLUSTER)
    assert code == 0
    assert result["ready"] is False
    assert "node pool eventstack-dev-pool1 is NEEDS_ATTENTION" in result["problems"]
    assert ("node oke-node-2 of node pool eventstack-dev-pool1 in %s is FAILING: InternalError: "
            "Out of host capacity." % ADS[1]) in result["problems"]
    assert result["node_pools"][0]["nodes"][1]["node_error"]["message"] == "Out of host capacity."


def test_failed_work_requests_carry_their_errors_newest_first(run, oci):
    oci.scenario.add_cluster(state="FAILED", nodes=[])
    oci.scenario.add_work_request("wr-old", "CLUSTER_CREATE", "SUCCEEDED", "2026-11-19T10:00:00.000Z")
    oci.scenario.add_work_request("wr-new", "NODEPOOL_CREATE", "FAILED", "2026-11-20T10:00:00.000Z",
                                  errors=[("LimitExceeded", "standard-a1-core-count limit exceeded")])
    code, result = run(cluster_id=CLUSTER, work_request_limit=1)
    assert code == 0
    assert [w["id"] for w in result["work_requests"]] == ["wr-new"]
    assert result["work_requests"][0]["errors"][0]["message"] == "standard-a1-core-count limit exceeded"
    assert result["ready"] is False
    assert "cluster eventstack-dev is FAILED" in result["problems"]
    assert ("work request wr-new (NODEPOOL_CREATE) FAILED: LimitExceeded: standard-a1-core-count limit exceeded"
            in result["problems"])
    assert "node pool eventstack-dev-pool1 has 0 of 0 nodes" not in result["problems"]


def test_missing_cluster_names_compartment_and_name(run):
    code, result = run(compartment_id=COMPARTMENT, name="nope")
    assert code == 1
    assert result["msg"] == "no cluster named nope in compartment %s" % COMPARTMENT


def test_throttled_then_served(run, oci):
    oci.scenario.add_cluster()
    oci.scenario.failures.append((r"/clusters/", [429]))
    code, result = run(cluster_id=CLUSTER)
    assert code == 0 and result["ready"] is True
    assert result["api_calls"]["retries"] == 1


def test_needs_an_id_or_a_name(run):
    code, result = run()
    assert code == 1 and "one of the following is required: cluster_id, name" in result["msg"]
