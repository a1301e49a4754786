"""oke_bastion_tunnel with the real oci SDK against the OCI API stand-in, the SSH side of an OCI Bastion
(tests/support/bastion_ssh.py) and a TLS API server behind the private endpoint (tests/support/oke_api_standin.py): key
pair, session, tunnel, and the API's version read through the tunnel by the real kubernetes client (TLS to the
endpoint's address, exec credential)."""

from __future__ import annotations

import base64
import datetime
import json
import os
import socket
import stat
import sys
import time

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _bastion
from ansible_collections.eventstack.oke.plugins.modules import oke_bastion_tunnel
from tests.support import bastion_ssh
from tests.support.oci_config import write_config
from tests.support.oci_standin import CLUSTER, COMPARTMENT, OciStandIn, Scenario
from tests.support.oke_api_standin import OkeApiStandIn

SSH = "%s %s" % (sys.executable, bastion_ssh.__file__)
TARGET = "10.0.0.5"  # Scenario.add_cluster's private endpoint


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def token_command(cluster_id):
    """What `oci ce cluster generate-token` prints, made without the CLI (the OCI layer runs the real one)."""
    url = ("https://containerengine.eu-standin-1.oraclecloud.com/cluster_request/%s?authorization=Signature"
           "%%20version%%3D%%221%%22&date=Sat" % cluster_id)
    token = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    credential = {"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                  "status": {"token": token}}
    return {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable,
            "args": ["-c", "print(%r)" % json.dumps(credential)], "interactiveMode": "Never"}


@pytest.fixture()
def world(tmp_path, monkeypatch):
    config, _pem = write_config(tmp_path)
    scenario = Scenario(clock=datetime.datetime.now(datetime.timezone.utc))
    with OciStandIn(scenario) as oci, OkeApiStandIn(oci) as api:
        scenario.add_cluster()
        vcn = scenario.add_vcn()
        subnet = scenario.add_subnet(vcn, "10.0.0.0/28", display_name="api")
        bastions = oci.sdk_client(__import__("oci").bastion.BastionClient, __import__("oci").config.from_file(config))
        bastion = bastions.create_bastion(__import__("oci").bastion.models.CreateBastionDetails(
            bastion_type="STANDARD", compartment_id=COMPARTMENT, target_subnet_id=subnet, name="eventstackprod",
            client_cidr_block_allow_list=["203.0.113.7/32"])).data
        while bastions.get_bastion(bastion.id).data.lifecycle_state != "ACTIVE":
            pass
        for key, value in oci.env(config).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("EVENTSTACK_STANDIN_API", api.address)
        monkeypatch.setenv("EVENTSTACK_STANDIN_CLIENT_ADDRESS", "203.0.113.7")
        port = free_port()
        kubeconfig = tmp_path / "kubeconfig"
        kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "c",
            "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:%d" % port, "tls-server-name": TARGET,
                                                   "certificate-authority-data": base64.b64encode(
                                                       open(oci.ca_path, "rb").read()).decode()}}],
            "users": [{"name": "u", "user": {"exec": token_command(CLUSTER)}}],
            "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}))
        world = {"oci": oci, "api": api, "config": config, "bastion": bastion.id, "port": port,
                 "kubeconfig": str(kubeconfig), "key": str(tmp_path / "ssh" / "bastion"), "dir": str(tmp_path / "t")}
        yield world
        _stop(world)


def _stop(world):
    record = _bastion.read_record(os.path.join(world["dir"], "prod.json"))
    if record:
        _bastion.stop_process(record["pid"])


@pytest.fixture()
def run(run_module, world):
    """run(**args): oke_bastion_tunnel against the stand-in world, with the defaults below unless args say otherwise."""
    defaults = {"config_file_location": world["config"], "service_endpoint": world["oci"].url, "api_retry_delay": 0,
                "name": "prod", "bastion_id": world["bastion"], "target_ip": TARGET, "local_port": world["port"],
                "key_path": world["key"], "ssh_command": SSH, "tunnel_dir": world["dir"],
                "kubeconfig": world["kubeconfig"], "timeout": 30}
    return lambda **args: run_module(oke_bastion_tunnel, dict(defaults, **args))


def creates(oci):
    return [r["path"] for r in oci.writes() if r["method"] == "POST"]


def test_key_session_tunnel_then_nothing_to_do(run, world):
    code, result = run()
    assert code == 0, result.get("msg")
    assert result["changed"] and result["server_version"] == "v1.34.2"
    assert world["api"].tokens == [CLUSTER]
    assert stat.S_IMODE(os.stat(world["key"]).st_mode) == 0o600
    assert len([p for p in creates(world["oci"]) if p.endswith("/sessions")]) == 1
    session = world["oci"].scenario.records[result["session_id"]].data
    assert session["targetResourceDetails"]["targetResourcePrivateIpAddress"] == TARGET
    assert session["sessionTtlInSeconds"] == 10800 and result["session_seconds_left"] > 10000

    writes = len(world["oci"].writes())
    code, again = run()
    assert code == 0, again
    assert not again["changed"] and again["pid"] == result["pid"] and again["session_id"] == result["session_id"]
    assert len(world["oci"].writes()) == writes


def test_a_session_near_its_end_is_replaced_and_so_is_the_tunnel(run, world):
    code, first = run()
    assert code == 0, first
    world["oci"].scenario.advance(10800 - 3000)  # 3000 s left: less than session_min_left (3600)
    code, second = run()
    assert code == 0, second.get("msg")
    assert second["changed"] and second["session_id"] != first["session_id"] and second["pid"] != first["pid"]
    assert not _bastion.process_runs(first["pid"], ["x", "-N"])
    world["oci"].scenario.advance(3000)  # OCI ends the first session; the new one still runs
    code, third = run()
    assert code == 0 and not third["changed"], third
    assert world["oci"].scenario.records[first["session_id"]].data["lifecycleState"] == "DELETED"
    assert third["session_id"] == second["session_id"] and 7000 < third["session_seconds_left"] < 7900


def test_a_controller_outside_the_client_cidrs_is_not_admitted(run, monkeypatch):
    monkeypatch.setenv("EVENTSTACK_STANDIN_CLIENT_ADDRESS", "198.51.100.9")
    code, result = run()
    assert code == 1
    assert "Connection timed out" in result["msg"] and "exit code 255" in result["msg"]


def test_an_api_that_does_not_answer_through_the_tunnel_fails_naming_the_kubeconfig(run, world, tmp_path):
    config = yaml.safe_load(open(world["kubeconfig"], encoding="utf-8"))
    config["clusters"][0]["cluster"]["tls-server-name"] = "10.0.0.99"  # not the certificate's address
    bad = tmp_path / "bad-kubeconfig"
    bad.write_text(yaml.safe_dump(config))
    code, result = run(kubeconfig=str(bad))
    assert code == 1 and "does not answer through the tunnel" in result["msg"] and str(bad) in result["msg"]


def test_a_local_port_taken_by_another_program(run, world):
    with socket.socket() as other:
        other.bind(("127.0.0.1", world["port"]))
        other.listen(1)
        code, result = run()
    assert code == 1 and "is taken by another program" in result["msg"]


def test_absent_stops_the_tunnel(run, world):
    code, result = run()
    assert code == 0, result.get("msg")
    code, stopped = run(state="absent")
    assert code == 0 and stopped["changed"]
    for _attempt in range(50):
        if not _bastion.port_open(world["port"]):
            break
        time.sleep(0.1)
    assert not _bastion.port_open(world["port"])
    code, again = run(state="absent")
    assert code == 0 and not again["changed"]
