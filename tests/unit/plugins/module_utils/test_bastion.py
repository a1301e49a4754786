"""_bastion: which session is reused, the tunnel's ssh command, the key pair, the tunnel's record."""

from __future__ import annotations

import datetime
import subprocess
import sys
import time

from ansible_collections.eventstack.oke.plugins.module_utils import _bastion

NOW = datetime.datetime(2026, 12, 5, 12, 0, 0, tzinfo=datetime.timezone.utc)
KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 me@laptop"
HOST = "host.bastion.eu-frankfurt-1.oci.oraclecloud.com"


def session(sid="ocid1.bastionsession.oc1.x", state="ACTIVE", ip="10.0.0.5", port=6443, key=KEY,
            created=NOW - datetime.timedelta(seconds=600), ttl=10800, kind="PORT_FORWARDING"):
    return {"id": sid, "lifecycle_state": state, "time_created": created.isoformat(), "session_ttl_in_seconds": ttl,
            "key_details": {"public_key_content": key},
            "target_resource_details": {"session_type": kind, "target_resource_private_ip_address": ip,
                                        "target_resource_port": port},
            "ssh_metadata": {"command": "ssh -i <privateKey> -N -L <localPort>:%s:%d -p 22 %s@%s" % (ip, port, sid,
                                                                                                     HOST)}}


def test_seconds_left_counts_from_creation_and_ttl():
    assert _bastion.seconds_left(session(), NOW) == 10200
    assert _bastion.seconds_left(session(created=NOW - datetime.timedelta(hours=4)), NOW) < 0


def test_a_session_is_reused_only_for_this_target_key_and_time():
    good = session("a")
    assert _bastion.reusable_session([good], "10.0.0.5", 6443, "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7", NOW,
                                     3600) == good  # the key's comment does not matter
    for other in (session("b", state="DELETED"), session("c", ip="10.0.0.6"), session("d", port=443),
                  session("e", key="ssh-rsa OTHER"), session("f", kind="MANAGED_SSH"),
                  session("g", created=NOW - datetime.timedelta(seconds=10800 - 3599))):
        assert _bastion.reusable_session([other], "10.0.0.5", 6443, KEY, NOW, 3600) is None, other["id"]


def test_the_session_with_most_time_left_wins():
    older, newer = session("old", created=NOW - datetime.timedelta(hours=1)), session("new")
    assert _bastion.reusable_session([older, newer], "10.0.0.5", 6443, KEY, NOW, 0)["id"] == "new"


def test_the_tunnel_is_ocis_command_with_key_port_and_safe_options():
    args = _bastion.tunnel_args("ssh", "/k", 16443, session("s1"), "/d/known_hosts")
    assert args[:8] == ["ssh", "-i", "/k", "-N", "-L", "127.0.0.1:16443:10.0.0.5:6443", "-p", "22"]
    assert args[-1] == "s1@" + HOST
    for option in ("BatchMode=yes", "ExitOnForwardFailure=yes", "StrictHostKeyChecking=accept-new",
                   "UserKnownHostsFile=/d/known_hosts"):
        assert option in args


def test_a_session_without_a_command_naming_its_host_is_an_error():
    broken = session()
    broken["ssh_metadata"] = {"command": ""}
    try:
        _bastion.tunnel_args("ssh", "/k", 1, broken, "/kh")
    except _bastion.BastionError as exc:
        assert "no SSH command" in str(exc)
    else:
        raise AssertionError("no error")


def test_key_pair_public_half_matches(tmp_path):
    private, public = _bastion.generate_key_pair(bits=2048)
    assert public.startswith("ssh-rsa ") and _bastion.public_key_of(private) == public


def test_server_time_from_the_date_header():
    assert _bastion.server_time("Sat, 05 Dec 2026 12:00:00 GMT") == NOW
    assert _bastion.server_time("") is None and _bastion.server_time("not a date") is None


def test_records_and_processes(tmp_path):
    path = tmp_path / "t.json"
    assert _bastion.read_record(str(path)) is None
    path.write_text('{"pid": "x"}')
    assert _bastion.read_record(str(path)) is None
    args = [sys.executable, "-c", "import time; time.sleep(30)"]
    process = subprocess.Popen(args)  # pylint: disable=consider-using-with
    try:
        for _attempt in range(100):  # until the child has exec'd (its cmdline is empty before)
            if _bastion.process_runs(process.pid, args):
                break
            time.sleep(0.02)
        assert _bastion.process_runs(process.pid, args)
        assert not _bastion.process_runs(process.pid, [sys.executable, "-c", "something else"])
    finally:
        process.kill()
        process.wait()
    assert not _bastion.process_runs(process.pid, args)
