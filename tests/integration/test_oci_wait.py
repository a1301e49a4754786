"""oci_wait (the module, on its own: no progress lines) through the real oci SDK against the local OCI stand-in."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.modules import oci_wait
from tests.support.oci_standin import CLUSTER, COMPARTMENT


@pytest.fixture()
def run(run_module, oci_auth):
    """run(**args): oci_wait against the stand-in, with the defaults below unless args say otherwise."""
    defaults = dict(oci_auth, compartment_id=COMPARTMENT, interval=0)
    return lambda **args: run_module(oci_wait, dict(defaults, **args))


def test_an_active_cluster_on_the_expected_version_is_done_at_once(run, oci):
    oci.scenario.add_cluster()
    code, result = run(kind="cluster", name="eventstack-dev", expect={"kubernetes_version": "v1.34.2"})
    assert code == 0, result
    assert result["done"] is True and result["id"] == CLUSTER and result["polls"] == 1
    assert result["summary"] == "OKE cluster eventstack-dev: ACTIVE, Kubernetes v1.34.2"


def test_a_cluster_that_stays_creating_gives_up_after_the_timeout_saying_where_it_stood(run, oci):
    oci.scenario.add_cluster(state="CREATING")
    oci.scenario.freeze(CLUSTER)
    code, result = run(kind="cluster", id=CLUSTER, timeout=1, interval=0.2)
    assert code == 1 and result["polls"] > 1
    assert result["msg"].startswith("gave up after 1s: OKE cluster eventstack-dev: CREATING")


def test_a_version_that_did_not_come_fails_with_the_reason(run, oci):
    oci.scenario.add_cluster()
    code, result = run(kind="cluster", id=CLUSTER, expect={"kubernetes_version": "v1.35.0"})
    assert code == 1 and result["msg"] == "OKE cluster eventstack-dev: it runs Kubernetes v1.34.2, not v1.35.0"


def test_gone_is_done_for_absent(run):
    code, result = run(kind="node_pool", id="ocid1.nodepool.oc99.eu-standin-1.gone", state="absent")
    assert code == 0 and result["done"] is True


def test_check_mode_waits_for_nothing(run):
    code, result = run(kind="cluster", name="x", _ansible_check_mode=True)
    assert code == 0 and result["polls"] == 0
