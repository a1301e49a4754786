# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the way to a private Kubernetes API endpoint through an OCI Bastion port-forwarding session.

OCI Bastion (docs: "Bastion sessions", "Port forwarding sessions") admits an SSH client, coming from one of the
bastion's client CIDR blocks, as the user named by the session's OCID on host.bastion.<region>.oci.<domain>, when
it proves the key pair whose public half the session was created with; the session then forwards to the one target
IP and port it names, until its TTL (at most the bastion's maxSessionTtlInSeconds, 10800 s) runs out and OCI
deletes it. The controller side is `ssh -i <key> -N -L <local port>:<target ip>:<target port> -p 22
<session id>@<host>`, exactly the command OCI shows in the session's sshMetadata.

This module keeps the pure parts: which existing session can be reused, the ssh argument list, the SSH key pair,
the tunnel's record on disk and whether the process it names still runs.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shlex

SESSION_TTL_RANGE = (1800, 10800)
SSH_USER_HOST = re.compile(r"(\S+)@(host\.bastion\.[a-z0-9-]+\.oci\.[A-Za-z0-9.-]+)")
USABLE_STATES = ("CREATING", "ACTIVE")


class BastionError(Exception):
    pass


def _time(value):
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def server_time(date_header):
    """An HTTP Date header as an aware datetime, or None."""
    import email.utils  # pylint: disable=import-outside-toplevel

    if not date_header:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def seconds_left(session, now):
    """Seconds until OCI ends the session (created + TTL), from `now` (an aware datetime)."""
    end = _time(session["time_created"]) + datetime.timedelta(seconds=int(session.get("session_ttl_in_seconds") or 0))
    return int((end - now).total_seconds())


def public_key_line(text):
    """'<type> <base64>' of an OpenSSH public key line, the comment left out (OCI keeps the key as given)."""
    parts = str(text or "").split()
    return " ".join(parts[:2])


def reusable_session(sessions, target_ip, target_port, public_key, now, min_left):
    """The session to tunnel through, or None when a new one is needed: CREATING or ACTIVE, a port-forwarding session
    to this target with this key, and at least `min_left` seconds before OCI ends it. The one with the most time
    left wins."""
    want_key = public_key_line(public_key)
    fitting = []
    for session in sessions or []:
        target = session.get("target_resource_details") or {}
        key = (session.get("key_details") or {}).get("public_key_content")
        if (session.get("lifecycle_state") in USABLE_STATES
                and target.get("session_type") == "PORT_FORWARDING"
                and target.get("target_resource_private_ip_address") == target_ip
                and int(target.get("target_resource_port") or 0) == int(target_port)
                and public_key_line(key) == want_key
                and seconds_left(session, now) >= min_left):
            fitting.append(session)
    fitting.sort(key=lambda s: seconds_left(s, now), reverse=True)
    return fitting[0] if fitting else None


def ssh_destination(session):
    """(user, host) the session admits, read from the command OCI shows for it."""
    command = (session.get("ssh_metadata") or {}).get("command") or ""
    match = SSH_USER_HOST.search(command)
    if not match:
        raise BastionError("session %s has no SSH command naming its bastion host (sshMetadata: %r)"
                           % (session.get("id"), command))
    return match.group(1), match.group(2)


def tunnel_args(ssh_command, key_path, local_port, session, known_hosts, keepalive=30):
    """The argument list of the tunnel: OCI's port-forwarding command with the key and local port filled in, run in
    batch mode (no prompt), failing when the local port cannot be bound, with keepalives, and the bastion's host key
    kept in a file of its own (accepted when first seen)."""
    user, host = ssh_destination(session)
    target = session.get("target_resource_details") or {}
    forward = "127.0.0.1:%d:%s:%d" % (int(local_port), target["target_resource_private_ip_address"],
                                      int(target["target_resource_port"]))
    return shlex.split(ssh_command) + [
        "-i", key_path, "-N", "-L", forward, "-p", "22",
        "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", "-o", "IdentitiesOnly=yes",
        "-o", "ServerAliveInterval=%d" % keepalive, "-o", "ServerAliveCountMax=3",
        "-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=%s" % known_hosts,
        "%s@%s" % (user, host)]


def generate_key_pair(bits=4096):
    """(private key in OpenSSH format, public key line) of a new RSA key pair, the kind every OCI Bastion takes."""
    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import rsa  # pylint: disable=import-outside-toplevel

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return private, public.decode("ascii")


def public_key_of(private_pem):
    """The public key line of an OpenSSH (or PEM) private key without a passphrase."""
    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel

    try:
        key = serialization.load_ssh_private_key(private_pem, password=None)
    except ValueError:
        key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode("ascii")


def read_record(path):
    """The tunnel's record ({pid, session_id, local_port, args}) or None."""
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("pid"), int) else None


def process_runs(pid, args):
    """Whether process `pid` runs and, where /proc tells, runs exactly `args` (a reused pid is not the tunnel)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    cmdline = "/proc/%d/cmdline" % pid
    if os.path.exists(cmdline):
        try:
            with open(cmdline, "rb") as handle:
                running = [part.decode("utf-8", "replace") for part in handle.read().split(b"\0") if part]
        except OSError:
            return False
        if not running:  # a zombie: exited, not yet reaped
            return False
        # The executable may show resolved (an interpreter before a script): its arguments must match.
        tail = list(args)[1:]
        return running[-len(tail):] == tail if tail else True
    return True


def port_open(port, host="127.0.0.1", timeout=1.0):
    import socket  # pylint: disable=import-outside-toplevel

    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def start_tunnel(args, log_path, local_port, timeout, sleep, clock):
    """Start the tunnel detached from this process (it outlives the run: the roles that follow use it) and wait until
    its local port takes connections. Returns the pid; raises BastionError with ssh's own words when it exits."""
    import subprocess  # pylint: disable=import-outside-toplevel

    with open(log_path, "ab") as log:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,  # pylint: disable=consider-using-with
                                   start_new_session=True, close_fds=True)
    started = clock()
    while True:
        code = process.poll()
        if code is not None:
            raise BastionError("the tunnel (%s) ended with exit code %d: %s"
                               % (" ".join(args[:1] + ["..."] + args[-1:]), code, log_tail(log_path)))
        if port_open(local_port):
            return process.pid
        if clock() - started > timeout:
            stop_process(process.pid)
            raise BastionError("the tunnel did not open 127.0.0.1:%s within %ss: %s"
                               % (local_port, timeout, log_tail(log_path)))
        sleep(0.2)


def stop_process(pid):
    import signal  # pylint: disable=import-outside-toplevel

    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass


def log_tail(path, lines=5):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read().strip().splitlines()
    except OSError:
        return "(no output)"
    return " | ".join(text[-lines:]) or "(no output)"
