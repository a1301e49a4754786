"""The integration layer: the collection's check modules and clients with the real oci, kubernetes and pg8000 clients
against servers the tests start on 127.0.0.1 (the OCI and OKE API stand-ins, the SSH side of OCI Bastion and a real
PostgreSQL from tests/support/, HTTP and HTTPS servers of their own). The module runner and its fixtures are the unit
tests' (tests/unit/conftest.py)."""

from __future__ import annotations

import pytest

from tests.support.oci_config import write_config
from tests.support.oci_standin import OciStandIn, Scenario
from tests.unit.conftest import clock, kube_client, run_module  # noqa: F401  # pylint: disable=unused-import


@pytest.fixture()
def oci(tmp_path):
    """The OCI API stand-in with a default Scenario, and .config/.pem: an oci config file signed with a fresh key."""
    config, pem = write_config(tmp_path)
    with OciStandIn(Scenario()) as standin:
        standin.config, standin.pem = config, pem
        yield standin


@pytest.fixture()
def oci_auth(oci):
    """The OCI options of a check module pointed at the stand-in (no retry delay)."""
    return {"config_file_location": oci.config, "service_endpoint": oci.url, "api_retry_delay": 0}
