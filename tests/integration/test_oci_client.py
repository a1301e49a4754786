"""_oci_client.OciApi through the real oci SDK against the OCI API stand-in on 127.0.0.1: a security token signs the
requests, pagination follows opc-next-page, retries back off exponentially (its configuration alone is tested in
tests/unit/plugins/module_utils/test_oci_client.py)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _oci_client
from tests.support.oci_config import write_config
from tests.support.oci_standin import CLUSTER, COMPARTMENT, OciStandIn, Scenario


def test_security_token_signs_requests(tmp_path):
    config, _pem = write_config(tmp_path)
    token = tmp_path / "token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl")
    with open(config, "a", encoding="utf-8") as handle:
        handle.write("security_token_file=%s\n" % token)
    with OciStandIn(Scenario()) as oci:
        api = _oci_client.OciApi({"auth_type": "security_token", "config_file_location": config,
                                  "service_endpoint": oci.url})
        assert api.data("GetCompartment", "identity", "get_compartment", COMPARTMENT).name == "eventstack"
        assert oci.requests[0]["signed"]


def test_pagination_follows_opc_next_page(tmp_path):
    config, _pem = write_config(tmp_path)
    with OciStandIn(Scenario()) as oci:
        oci.scenario.page_size = 2
        for index in range(3):
            oci.scenario.add_work_request("wr%d" % index, "CLUSTER_UPDATE", "SUCCEEDED", "2026-11-2%dT10:00:00Z" % index)
        api = _oci_client.OciApi({"config_file_location": config, "service_endpoint": oci.url})
        requests = api.all("ListWorkRequests", "container_engine", "list_work_requests", COMPARTMENT,
                           cluster_id=CLUSTER)
        assert sorted(r.id for r in requests) == ["wr0", "wr1", "wr2"]
        pages = [r["query"].get("page") for r in oci.requests]
        assert pages[0] is None and len(pages) == 2 and pages[1]  # the second asks for the page the first named


def test_retries_back_off_exponentially(tmp_path):
    config, _pem = write_config(tmp_path)
    waits = []
    with OciStandIn(Scenario()) as oci:
        oci.scenario.failures.append((r"/compartments/", [429, 502, 504]))
        api = _oci_client.OciApi({"config_file_location": config, "service_endpoint": oci.url, "api_retries": 4,
                                  "api_retry_delay": 0.5}, sleep=waits.append)
        api.data("GetCompartment", "identity", "get_compartment", COMPARTMENT)
        assert waits == [0.5, 1.0, 2.0]
        assert (api.attempts, api.retries) == (4, 3)
