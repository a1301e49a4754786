#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oke_bastion_tunnel
short_description: Keep a tunnel to a private OKE API endpoint through an OCI Bastion port-forwarding session
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Makes the private Kubernetes API endpoint of an OKE cluster reachable on C(127.0.0.1:local_port) of the
    controller, through an OCI Bastion.
  - The SSH key pair of O(key_path) is created when missing (RSA, mode 0600, the public half beside it as C(.pub)).
  - A CREATING or ACTIVE port-forwarding session of the bastion to O(target_ip):O(target_port) with this key and at
    least O(session_min_left) seconds left is reused; otherwise a session is created (O(session_ttl) seconds) and
    waited for until ACTIVE. OCI deletes a session when its TTL runs out.
  - The tunnel is the SSH command OCI shows for the session, started detached so it outlives the run (the roles that
    follow use it); a record of it is kept in O(tunnel_dir). A tunnel still running for the same session and port is
    left alone; one for an older session is replaced.
  - With O(kubeconfig), the Kubernetes API is asked for its version through the tunnel with the real Kubernetes
    client (TLS to the endpoint's own name, the kubeconfig's exec credential).
  - O(state=absent) stops the tunnel and forgets it; deleting the bastion ends its sessions.
  - Creating a session and starting the tunnel give access, they change nothing of the stack; the role runs this
    module in check mode too (C(check_mode=false)).
extends_documentation_fragment:
  - eventstack.oke.oci_auth
options:
  name:
    description: The tunnel's name (the stack's cluster), for the session's display name and the record's file.
    type: str
    required: true
  state:
    description: Whether the tunnel should run.
    type: str
    choices: [present, absent]
    default: present
  bastion_id:
    description: OCID of the ACTIVE bastion whose target subnet reaches the endpoint. Required when present.
    type: str
  target_ip:
    description: Private IP address of the Kubernetes API endpoint. Required when present.
    type: str
  target_port:
    description: Port of the endpoint.
    type: int
    default: 6443
  local_port:
    description: Port on 127.0.0.1 the tunnel listens on.
    type: int
    default: 16443
  key_path:
    description: Private key of the session's SSH key pair (created when missing). Required when present.
    type: path
  session_ttl:
    description: Lifetime of a new session in seconds (OCI takes 1800 to the bastion's maximum, at most 10800).
    type: int
    default: 10800
  session_min_left:
    description: A session with fewer seconds left than this is not reused.
    type: int
    default: 3600
  ssh_command:
    description: The SSH client (with any leading arguments).
    type: str
    default: ssh
  tunnel_dir:
    description: Directory for the tunnel's record, its log and the bastion host keys.
    type: path
    default: ~/.cache/eventstack-oke/tunnels
  kubeconfig:
    description: Kubeconfig whose cluster entry points at the tunnel; the API's version is read through it.
    type: path
  timeout:
    description: Seconds to wait for the session to become ACTIVE and for the tunnel to open.
    type: int
    default: 300
"""

EXAMPLES = r"""
- name: Reach the private API endpoint through the bastion
  eventstack.oke.oke_bastion_tunnel:
    name: eventstack-prod
    bastion_id: "{{ bastion.id }}"
    target_ip: 10.0.0.5
    key_path: ~/.ssh/eventstack-prod-bastion
    kubeconfig: ~/.kube/eventstack-prod.config
"""

RETURN = r"""
session_id:
  description: OCID of the session the tunnel runs through.
  returned: state=present
  type: str
session_seconds_left:
  description: Seconds until OCI ends the session.
  returned: state=present
  type: int
pid:
  description: Process id of the tunnel.
  returned: state=present and not check mode
  type: int
server_version:
  description: The Kubernetes API's gitVersion, read through the tunnel (with O(kubeconfig)).
  returned: when kubeconfig is given
  type: str
api_calls:
  description: HTTP attempts made to OCI, and how many were retries.
  returned: always
  type: dict
"""

import datetime
import json
import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _bastion, _oci_client


def _key(module):
    path = module.params["key_path"]
    if os.path.exists(path):
        with open(path, "rb") as handle:
            try:
                return _bastion.public_key_of(handle.read()), False
            except (ValueError, TypeError) as exc:
                module.fail_json(msg="key_path %s is not an unencrypted SSH private key (%s): delete it to have a new "
                                     "pair made, or point key_path at another" % (path, exc))
    if module.check_mode:
        return None, True
    private, public = _bastion.generate_key_pair()
    os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private)
    with open(path + ".pub", "w", encoding="ascii") as handle:
        handle.write(public + "\n")
    return public, True


def _session(api, module, public_key, progress):
    """(session, created, now): `now` is OCI's time (its Date header), so the controller's clock does not matter."""
    params = module.params
    response = api.call("GetBastion", "bastion", "get_bastion", params["bastion_id"])
    bastion = _oci_client.to_dict(response.data)
    if bastion.get("lifecycle_state") != "ACTIVE":
        raise _bastion.BastionError("bastion %s (%s) is %s, not ACTIVE" % (
            bastion.get("name"), params["bastion_id"], bastion.get("lifecycle_state")))
    now = _bastion.server_time((response.headers or {}).get("date")) or datetime.datetime.now(datetime.timezone.utc)
    sessions = _oci_client.to_dict(api.all("ListSessions", "bastion", "list_sessions", params["bastion_id"]))
    full = [_oci_client.to_dict(api.data("GetSession", "bastion", "get_session", s["id"])) for s in sessions
            if s.get("lifecycle_state") in _bastion.USABLE_STATES]
    session = _bastion.reusable_session(full, params["target_ip"], params["target_port"], public_key, now,
                                        params["session_min_left"])
    created = False
    if session is None:
        if module.check_mode:
            return None, True, now
        details = _oci_client.oci.bastion.models.CreateSessionDetails(
            bastion_id=params["bastion_id"], display_name="%s-api" % params["name"],
            key_type="PUB", session_ttl_in_seconds=params["session_ttl"],
            key_details=_oci_client.oci.bastion.models.PublicKeyDetails(public_key_content=public_key),
            target_resource_details=_oci_client.oci.bastion.models.CreatePortForwardingSessionTargetResourceDetails(
                session_type="PORT_FORWARDING", target_resource_private_ip_address=params["target_ip"],
                target_resource_port=params["target_port"]))
        session = _oci_client.to_dict(api.data("CreateSession", "bastion", "create_session", details))
        created = True
    started = time.monotonic()
    while session.get("lifecycle_state") != "ACTIVE":
        if session.get("lifecycle_state") not in _bastion.USABLE_STATES:
            raise _bastion.BastionError("bastion session %s is %s: %s" % (
                session.get("id"), session.get("lifecycle_state"), session.get("lifecycle_details") or "no details"))
        if time.monotonic() - started > params["timeout"]:
            raise _bastion.BastionError("bastion session %s still %s after %ss" % (
                session.get("id"), session.get("lifecycle_state"), params["timeout"]))
        waited = time.monotonic() - started
        progress.append("session %s %s (%ds)" % (session["id"], session["lifecycle_state"], waited))
        time.sleep(2)
        session = _oci_client.to_dict(api.data("GetSession", "bastion", "get_session", session["id"]))
    return session, created, now


def _tunnel(module, session):
    """(pid, started)."""
    params = module.params
    directory = params["tunnel_dir"]
    os.makedirs(directory, mode=0o700, exist_ok=True)
    record_path = os.path.join(directory, "%s.json" % params["name"])
    args = _bastion.tunnel_args(params["ssh_command"], params["key_path"], params["local_port"], session,
                                os.path.join(directory, "known_hosts"))
    record = _bastion.read_record(record_path)
    if record and record.get("args") == args and _bastion.process_runs(record["pid"], args) \
            and _bastion.port_open(params["local_port"]):
        return record["pid"], False
    if module.check_mode:
        return None, True
    if record and _bastion.process_runs(record["pid"], record.get("args") or []):
        _bastion.stop_process(record["pid"])
        for _attempt in range(50):
            if not _bastion.port_open(params["local_port"]):
                break
            time.sleep(0.1)
    if _bastion.port_open(params["local_port"]):
        raise _bastion.BastionError("127.0.0.1:%s is taken by another program: free it or set another local_port"
                                    % params["local_port"])
    pid = _bastion.start_tunnel(args, os.path.join(directory, "%s.log" % params["name"]), params["local_port"],
                                params["timeout"], time.sleep, time.monotonic)
    with open(record_path, "w", encoding="utf-8") as handle:
        json.dump({"pid": pid, "session_id": session["id"], "local_port": params["local_port"], "args": args}, handle)
    return pid, True


def _server_version(module):
    from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client  # pylint: disable=import-outside-toplevel

    try:
        client = _k8s_client.KubeClient(kubeconfig=module.params["kubeconfig"])
        return (client.request("GET", "/version") or {}).get("gitVersion")
    except Exception as exc:  # pylint: disable=broad-except  # any failure to reach the API is the answer
        raise _bastion.BastionError("the Kubernetes API does not answer through the tunnel (kubeconfig %s): %s"
                                    % (module.params["kubeconfig"], exc)) from exc


def _absent(module):
    record_path = os.path.join(module.params["tunnel_dir"], "%s.json" % module.params["name"])
    record = _bastion.read_record(record_path)
    running = bool(record) and _bastion.process_runs(record["pid"], record.get("args") or [])
    if not module.check_mode:
        if running:
            _bastion.stop_process(record["pid"])
        if record:
            os.remove(record_path)
    module.exit_json(changed=running, api_calls={"attempts": 0, "retries": 0})


def main():
    module = AnsibleModule(
        argument_spec=_oci_client.oci_auth_argspec(
            name={"type": "str", "required": True},
            state={"type": "str", "choices": ["present", "absent"], "default": "present"},
            bastion_id={"type": "str"},
            target_ip={"type": "str"},
            target_port={"type": "int", "default": 6443},
            local_port={"type": "int", "default": 16443},
            key_path={"type": "path", "no_log": False},
            session_ttl={"type": "int", "default": 10800},
            session_min_left={"type": "int", "default": 3600},
            ssh_command={"type": "str", "default": "ssh"},
            tunnel_dir={"type": "path", "default": "~/.cache/eventstack-oke/tunnels"},
            kubeconfig={"type": "path"},
            timeout={"type": "int", "default": 300},
        ),
        required_if=[("state", "present", ("bastion_id", "target_ip", "key_path"))],
        supports_check_mode=True,
    )
    if module.params["state"] == "absent":
        _absent(module)
    low, high = _bastion.SESSION_TTL_RANGE
    if not low <= module.params["session_ttl"] <= high:
        module.fail_json(msg="session_ttl must be between %d and %d seconds" % (low, high))
    if module.params["session_min_left"] >= module.params["session_ttl"]:
        module.fail_json(msg="session_min_left must be below session_ttl, or no new session is ever good enough")
    public_key, key_changed = _key(module)
    progress = []

    def work(api):
        if public_key is None:  # check mode, no key yet: a new key means a new session and tunnel
            return None, True, None
        return _session(api, module, public_key, progress)
    (session, session_created, now), calls = _oci_client.run_module(module, work, (_bastion.BastionError,))
    result = {"changed": key_changed or session_created, "api_calls": calls, "progress": progress}
    if session is None:
        module.exit_json(**result)
    result.update(session_id=session["id"],
                  session_seconds_left=_bastion.seconds_left(session, now))
    try:
        pid, started = _tunnel(module, session)
        result["changed"] = result["changed"] or started
        result["pid"] = pid
        if module.params["kubeconfig"] and pid:
            result["server_version"] = _server_version(module)
    except _bastion.BastionError as exc:
        module.fail_json(msg=str(exc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
