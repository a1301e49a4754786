"""_oci_client.OciApi's configuration: the API-key profile from the config file or the environment, incomplete
profiles and unknown auth types, a security token without its file, an unreachable endpoint named (the calls through
the real oci SDK to the OCI API stand-in are in tests/integration/test_oci_client.py)."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _oci_client
from tests.support.oci_api_state import COMPARTMENT, TENANCY
from tests.support.oci_config import write_config


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


def test_security_token_needs_a_token_file(tmp_path):
    config, _pem = write_config(tmp_path)
    with pytest.raises(_oci_client.OciCallError, match="no security_token_file"):
        _oci_client.OciApi({"auth_type": "security_token", "config_file_location": config})


def test_connection_failure_is_named(tmp_path):
    config, _pem = write_config(tmp_path)
    api = _oci_client.OciApi({"config_file_location": config, "service_endpoint": "http://127.0.0.1:9",
                              "api_retries": 2, "api_retry_delay": 0})
    with pytest.raises(_oci_client.OciCallError, match="GetCompartment failed: cannot reach OCI .* after 2 attempts"):
        api.data("GetCompartment", "identity", "get_compartment", COMPARTMENT)
