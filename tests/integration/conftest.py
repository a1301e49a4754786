"""The integration layer: the collection's check modules and clients with the real oci, kubernetes and pg8000 clients
against servers the tests start on 127.0.0.1 (the OCI and OKE API stand-ins, the SSH side of OCI Bastion and a real
PostgreSQL from tests/support/, HTTP and HTTPS servers of their own). The module runner and its fixtures are the unit
tests' (tests/unit/conftest.py)."""

from __future__ import annotations

from tests.unit.conftest import clock, kube_client, run_module  # noqa: F401  # pylint: disable=unused-import
