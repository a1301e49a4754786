from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _oci_client
from tests.support.oci_config import write_config
from tests.support.oci_standin import CLUSTER, COMPARTMENT, TENANCY, OciStandIn, Scenario


def test_api_key_profile_from_the_config_file(tmp_path):
    config, _pem = write_config(tmp_path)
    api = _oci_client.OciApi({"config_file_location": config, "region": "us-ashburn-1"})
    assert api.tenancy == TENANCY
    assert api.config["region"] == "us-ashburn-1"
    assert api.signer is None


def test_environment_selects_file_and_profile(tmp_path, monkeypatch):
    config, _pem = write_config(tmp_path)
    monkeypatch.setenv("OCI_CONFIG_FILE", config)
    with pytest.raises(_oci_client.OciCallError, match="profile OTHER is not in"):
        monkeypatch.setenv("OCI_CONFIG_PROFILE", "OTHER")
        _oci_client.OciApi({})
    monkeypatch.setenv("OCI_CONFIG_PROFILE", "DEFAULT")
    assert _oci_client.OciApi({}).tenancy == TENANCY


def test_incomplete_profile_and_unknown_auth_type(tmp_path):
    bad = tmp_path / "config"
    bad.write_text("[DEFAULT]\nuser=ocid1.user.oc1..x\n")
    with pytest.raises(_oci_client.OciCallError, match="profile DEFAULT of .* is (incomplete|invalid)"):
        _oci_client.OciApi({"config_file_location": str(bad)})
    with pytest.raises(_oci_client.OciCallError, match="auth_type 'magic'"):
        _oci_client.OciApi({"auth_type": "magic"})


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


def test_security_token_needs_a_token_file(tmp_path):
    config, _pem = write_config(tmp_path)
    with pytest.raises(_oci_client.OciCallError, match="no security_token_file"):
        _oci_client.OciApi({"auth_type": "security_token", "config_file_location": config})


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


def test_connection_failure_is_named(tmp_path):
    config, _pem = write_config(tmp_path)
    api = _oci_client.OciApi({"config_file_location": config, "service_endpoint": "http://127.0.0.1:9",
                              "api_retries": 2, "api_retry_delay": 0})
    with pytest.raises(_oci_client.OciCallError, match="GetCompartment failed: cannot reach OCI .* after 2 attempts"):
        api.data("GetCompartment", "identity", "get_compartment", COMPARTMENT)
