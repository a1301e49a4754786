"""oci_wait (the module, on its own: no progress lines) through the real oci SDK against the local OCI stand-in."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.eventstack.oke.plugins.modules import oci_wait

from .._oci_config import write_config
from .._oci_standin import CLUSTER, COMPARTMENT, OciStandIn, Scenario


@pytest.fixture()
def oci(tmp_path):
    config, _pem = write_config(tmp_path)
    with OciStandIn(Scenario()) as standin:
        standin.config = config
        yield standin


def run(capsys, oci, **args):
    params = dict({"config_file_location": oci.config, "service_endpoint": oci.url, "api_retry_delay": 0,
                   "compartment_id": COMPARTMENT, "interval": 0}, **args)
    with patch_module_args(params), pytest.raises(SystemExit) as exc:
        oci_wait.main()
    return exc.value.code, json.loads(capsys.readouterr().out)


def test_an_active_cluster_on_the_expected_version_is_done_at_once(capsys, oci):
    oci.scenario.add_cluster()
    code, result = run(capsys, oci, kind="cluster", name="eventstack-dev", expect={"kubernetes_version": "v1.34.2"})
    assert code == 0, result
    assert result["done"] is True and result["id"] == CLUSTER and result["polls"] == 1
    assert result["summary"] == "OKE cluster eventstack-dev: ACTIVE, Kubernetes v1.34.2"


def test_a_cluster_that_stays_creating_gives_up_after_the_timeout_saying_where_it_stood(capsys, oci):
    oci.scenario.add_cluster(state="CREATING")
    oci.scenario.freeze(CLUSTER)
    code, result = run(capsys, oci, kind="cluster", id=CLUSTER, timeout=1, interval=0.2)
    assert code == 1 and result["polls"] > 1
    assert result["msg"].startswith("gave up after 1s: OKE cluster eventstack-dev: CREATING")


def test_a_version_that_did_not_come_fails_with_the_reason(capsys, oci):
    oci.scenario.add_cluster()
    code, result = run(capsys, oci, kind="cluster", id=CLUSTER, expect={"kubernetes_version": "v1.35.0"})
    assert code == 1 and result["msg"] == "OKE cluster eventstack-dev: it runs Kubernetes v1.34.2, not v1.35.0"


def test_gone_is_done_for_absent(capsys, oci):
    code, result = run(capsys, oci, kind="node_pool", id="ocid1.nodepool.oc99.eu-standin-1.gone", state="absent")
    assert code == 0 and result["done"] is True


def test_check_mode_waits_for_nothing(capsys, oci):
    code, result = run(capsys, oci, kind="cluster", name="x", _ansible_check_mode=True)
    assert code == 0 and result["polls"] == 0
