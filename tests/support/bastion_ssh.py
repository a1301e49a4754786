"""`ssh` to an OCI Bastion, for tests: the client and the bastion host of a port-forwarding session in one process.

Run as the SSH client (`python bastion_ssh.py -i <key> -N -L [bind:]port:host:port -p 22 [-o opt]... user@host`),
it does what OpenSSH and the bastion do together, as OCI's Bastion documentation and ssh(1) describe them:
- the host must be the region's bastion host, host.bastion.<region>.oci.<realm domain>, on port 22;
- the bastion admits a client only from its clientCidrBlockAllowList (others time out: "Connection timed out");
- the user is the session's OCID: the session must exist and be ACTIVE, and the private key of -i must be the pair of
  the session's public key; otherwise "Permission denied (publickey)." and exit 255;
- with ExitOnForwardFailure, a local port that cannot be bound ends it: "bind [...]: Address already in use",
  "Could not request local forwarding.", exit 255;
- each connection to the local port is forwarded only to the session's own target IP and port ("channel N: open
  failed: administratively prohibited"), and only while the session is ACTIVE (when OCI ends it, "Connection to ...
  closed by remote host." and exit 255).
The session and bastion are read from the OCI API stand-in with the real oci SDK (OCI_CONFIG_FILE and the stand-in's
environment). The target address is private to the VCN: connections to it reach EVENTSTACK_STANDIN_API (host:port of
oke_api_standin.OkeApiStandIn). EVENTSTACK_STANDIN_CLIENT_ADDRESS is the address the bastion sees the client
come from (default 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys
import threading


def fail(message, code=255):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    sys.exit(code)


def parse(argv):
    opts = {"identity": None, "no_command": False, "forward": None, "port": "22", "options": {}, "destination": None}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "-i":
            opts["identity"] = args.pop(0)
        elif arg == "-N":
            opts["no_command"] = True
        elif arg == "-L":
            opts["forward"] = args.pop(0)
        elif arg == "-p":
            opts["port"] = args.pop(0)
        elif arg == "-o":
            key, _sep, value = args.pop(0).partition("=")
            opts["options"][key.lower()] = value
        elif arg.startswith("-"):
            fail("unknown option -- %s" % arg.lstrip("-"), 255)
        else:
            opts["destination"] = arg
    return opts


def sdk():
    import oci  # pylint: disable=import-outside-toplevel

    config = oci.config.from_file(os.environ["OCI_CONFIG_FILE"])
    if os.environ.get("OCI_REGION"):
        config["region"] = os.environ["OCI_REGION"]
    client = oci.bastion.BastionClient(config)
    if os.environ.get("OCI_ANSIBLE_CERT_BUNDLE"):
        client.base_client.session.verify = os.environ["OCI_ANSIBLE_CERT_BUNDLE"]
    return oci, config, client


def admitted(client, oci, session_id, public_key):
    """The session when the bastion admits this user with this key, else None."""
    try:
        session = client.get_session(session_id).data
    except oci.exceptions.ServiceError:
        return None
    if session.lifecycle_state != "ACTIVE":
        return None
    if " ".join((session.key_details.public_key_content or "").split()[:2]) != " ".join(public_key.split()[:2]):
        return None
    return session


def main(argv):
    opts = parse(argv)
    if not opts["no_command"] or not opts["forward"] or not opts["destination"] or not opts["identity"]:
        fail("usage: ssh -i <key> -N -L [bind:]port:host:hostport -p 22 user@host", 255)
    user, _sep, host = opts["destination"].partition("@")
    oci, config, client = sdk()
    metadata = json.loads(os.environ.get("OCI_REGION_METADATA") or "{}")
    expected = "host.bastion.%s.oci.%s" % (config["region"], metadata.get("realmDomainComponent", "oraclecloud.com"))
    if host != expected or opts["port"] != "22":
        fail("ssh: connect to host %s port %s: Connection timed out" % (host, opts["port"]))
    from cryptography.hazmat.primitives import serialization  # pylint: disable=import-outside-toplevel
    try:
        with open(opts["identity"], "rb") as handle:
            key = serialization.load_ssh_private_key(handle.read(), password=None)
    except (OSError, ValueError) as exc:
        fail("Load key \"%s\": %s" % (opts["identity"], exc))
    public_key = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                               serialization.PublicFormat.OpenSSH).decode()
    try:
        session = client.get_session(user).data
        bastion = client.get_bastion(session.bastion_id).data
    except oci.exceptions.ServiceError:
        fail("%s@%s: Permission denied (publickey)." % (user, host))
    source = ipaddress.ip_address(os.environ.get("EVENTSTACK_STANDIN_CLIENT_ADDRESS", "127.0.0.1"))
    if not any(source in ipaddress.ip_network(c, strict=False) for c in bastion.client_cidr_block_allow_list or []):
        fail("ssh: connect to host %s port 22: Connection timed out" % host)
    if admitted(client, oci, user, public_key) is None:
        fail("%s@%s: Permission denied (publickey)." % (user, host))

    parts = opts["forward"].split(":")
    bind, port, target_host, target_port = (["127.0.0.1"] + parts if len(parts) == 3 else parts)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as OpenSSH's forwarding listeners
    try:
        listener.bind((bind or "127.0.0.1", int(port)))
    except OSError:
        message = "bind [%s]:%s: Address already in use" % (bind, port)
        if opts["options"].get("exitonforwardfailure") == "yes":
            fail(message + "\nCould not request local forwarding.")
        sys.stderr.write(message + "\n")
    listener.listen(16)
    target = session.target_resource_details
    allowed = (target.target_resource_private_ip_address, int(target.target_resource_port))
    upstream = os.environ["EVENTSTACK_STANDIN_API"].rsplit(":", 1)
    channel = 0
    while True:
        conn, _address = listener.accept()
        channel += 1
        if admitted(client, oci, user, public_key) is None:
            conn.close()
            fail("Connection to %s closed by remote host." % host)
        if (target_host, int(target_port)) != allowed:
            sys.stderr.write("channel %d: open failed: administratively prohibited: open failed\n" % channel)
            conn.close()
            continue
        try:
            remote = socket.create_connection((upstream[0], int(upstream[1])), timeout=10)
        except OSError as exc:
            sys.stderr.write("channel %d: open failed: connect failed: %s\n" % (channel, exc))
            conn.close()
            continue
        for a, b in ((conn, remote), (remote, conn)):
            threading.Thread(target=pipe, args=(a, b), daemon=True).start()


def pipe(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


if __name__ == "__main__":
    main(sys.argv[1:])
