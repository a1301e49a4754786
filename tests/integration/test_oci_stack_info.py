"""oci_stack_info through the real oci SDK clients against the local OCI stand-in: what of the stack exists."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.modules import oci_stack_info
from tests.support.oci_standin import ADS, CLUSTER, COMPARTMENT

TAGS = {"eventstack.io/stack": "todo", "eventstack.io/environment": "dev"}


@pytest.fixture()
def run(run_module, oci_auth):
    """run(**args): oci_stack_info against the stand-in, with the defaults below unless args say otherwise."""
    defaults = dict(oci_auth, compartment_id=COMPARTMENT, tags=TAGS)
    return lambda **args: run_module(oci_stack_info, dict(defaults, **args))


def test_the_stacks_vcn_and_everything_in_it(run, oci):
    vcn = oci.scenario.add_vcn(display_name="es-dev-vcn", freeform_tags=TAGS, dns_label="esdev")
    oci.scenario.add_subnet(vcn, "10.0.16.0/20", display_name="es-dev-workers", freeform_tags=TAGS)
    oci.scenario.add_vcn(display_name="es-dev-vcn", freeform_tags={"eventstack.io/stack": "shop"})
    code, result = run(vcn_name="es-dev-vcn")
    assert code == 0, result
    stack = result["stack"]
    assert stack["compartment"]["id"] == COMPARTMENT and stack["availability_domains"] == ADS
    assert len(stack["vcns"]) == 2  # both same-named VCNs: the caller tells the stack's from the other one
    assert [s["display_name"] for s in stack["subnets"]] == ["es-dev-workers"]
    assert [s["vcn_id"] for s in stack["subnets"]] == [vcn]  # the children of the stack's VCN only
    assert len(stack["security_lists"]) == 1 and len(stack["route_tables"]) == 1  # the VCN's defaults
    assert any("Oracle Services Network" in s["name"] for s in stack["services"])
    assert stack["kubernetes_versions"] and stack["clusters"] == []
    assert all(r["method"] == "GET" and r["signed"] for r in oci.requests)


def test_without_the_stacks_vcn_nothing_inside_is_read(run, oci):
    oci.scenario.add_vcn(display_name="es-dev-vcn", freeform_tags={})
    code, result = run(vcn_name="es-dev-vcn")
    assert code == 0 and len(result["stack"]["vcns"]) == 1 and result["stack"]["subnets"] == []
    # Adopting on purpose takes it, and its contents are read.
    code, result = run(vcn_name="es-dev-vcn", adopt=True)
    assert code == 0 and len(result["stack"]["route_tables"]) == 1


def test_the_cluster_with_node_pools_nodes_and_failed_work_requests(run, oci):
    oci.scenario.add_cluster()
    oci.scenario.records[CLUSTER].data["freeformTags"] = dict(TAGS)
    oci.scenario.add_work_request("wr1", "NODEPOOL_CREATE", "FAILED", "2026-11-20T10:00:00.000Z",
                                  errors=[("InternalError", "Out of host capacity.")])
    code, result = run(cluster_name="eventstack-dev")
    assert code == 0, result
    stack = result["stack"]
    assert [c["id"] for c in stack["clusters"]] == [CLUSTER]
    assert stack["clusters"][0]["available_kubernetes_upgrades"] is not None
    assert [len(p["nodes"]) for p in stack["node_pools"]] == [1]
    assert stack["work_requests"][0]["errors"][0]["message"] == "Out of host capacity."


def test_a_compartment_found_by_name_under_its_parent_or_not_yet(run, oci):
    oci.scenario.add_compartment("TodoApp-prod", parent=COMPARTMENT)
    code, result = run(compartment_name="TodoApp-prod", vcn_name="es-prod-vcn")
    assert code == 0 and result["stack"]["compartment"]["name"] == "TodoApp-prod"
    code, result = run(compartment_name="Missing", vcn_name="es-prod-vcn")
    assert code == 0 and result["stack"]["compartment"] is None and result["stack"]["vcns"] == []


def test_an_api_error_names_the_call(run, oci):
    oci.scenario.failures.append((r"/vcns", [500] * 10))
    code, result = run(vcn_name="x", api_retries=2)
    assert code == 1
    assert result["msg"].startswith("reading the stack from OCI: ListVcns failed: HTTP 500")
