# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: one look at an OKE cluster or node pool that a create, update or delete is working on.

The oke_cluster role starts those operations without oracle.oci's blind wait and follows them with the
eventstack.oke.oci_wait action, which calls poll() every few seconds and prints judge()'s summary at least every
progress interval. Done means what the inventory asked is there, not merely that a work request ended:

- present: the resource is ACTIVE, no work request is ACCEPTED or IN_PROGRESS for it, and what `expect` names
  holds (kubernetes_version; for a node pool its size in ACTIVE nodes, each on the pool's version unless
  nodes_on_version is false: OKE cycles the nodes of enhanced clusters only);
- absent: OCI answers 404 or DELETED.
Failed means the resource is FAILED (or a node pool NEEDS_ATTENTION) with nothing in flight, or stable without
what was expected; the message carries OCI's own errors (nodes' errors, failed work requests' errors).
"""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _oci_client, _oci_stack

KINDS = {"cluster": ("OKE cluster", "get_cluster", "CLUSTER"), "node_pool": ("node pool", "get_node_pool", "NODEPOOL"),
         "bastion": ("bastion", "get_bastion", None)}
IN_FLIGHT = ("ACCEPTED", "IN_PROGRESS", "CANCELING")


def find_id(api, kind, compartment_id, name):
    """The id of the newest live cluster / node pool / bastion of that name (what a create without wait leaves us)."""
    client, operation = {"cluster": ("container_engine", "list_clusters"), "bastion": ("bastion", "list_bastions")}.get(
        kind, ("container_engine", "list_node_pools"))
    found = [r for r in _oci_client.to_dict(api.all("List " + KINDS[kind][0], client, operation,
                                                    compartment_id, name=name))
             if r.get("lifecycle_state") not in _oci_stack.DEAD_STATES]
    found.sort(key=lambda r: str(r.get("time_created") or r.get("id")))
    return found[-1]["id"] if found else None


def poll(api, kind, resource_id, compartment_id):
    """(resource or None when gone, [its work requests, newest first, failed ones with errors])."""
    label, getter, resource_type = KINDS[kind]
    try:
        resource = _oci_client.to_dict(api.data("Get " + label, "bastion" if kind == "bastion" else "container_engine",
                                                getter, resource_id))
    except _oci_client.OciCallError as exc:
        if exc.status == 404:
            return None, []
        raise
    if kind == "bastion":  # its state says it all (its work requests hold no more)
        return resource, []
    if kind == "cluster":
        kwargs = {"cluster_id": resource_id}
    else:
        kwargs = {"resource_id": resource_id, "resource_type": resource_type}
    requests = _oci_client.to_dict(api.all("ListWorkRequests", "container_engine", "list_work_requests",
                                           resource.get("compartment_id") or compartment_id, **kwargs))
    requests.sort(key=lambda r: str(r.get("time_accepted") or ""), reverse=True)
    if kind == "cluster":  # a cluster's list also holds its node pools' requests
        requests = [r for r in requests if any(x.get("identifier") == resource_id for x in r.get("resources") or [])]
    for request in requests[:3]:
        if request.get("status") == "FAILED":
            request["errors"] = _oci_client.to_dict(api.all(
                "ListWorkRequestErrors", "container_engine", "list_work_request_errors",
                resource.get("compartment_id") or compartment_id, request["id"]))
    return resource, requests[:3]


def _nodes(resource):
    nodes = [n for n in resource.get("nodes") or [] if n.get("lifecycle_state") not in _oci_stack.DEAD_STATES]
    active = [n for n in nodes if n.get("lifecycle_state") == "ACTIVE"]
    return nodes, active


def judge(kind, resource, requests, state="present", expect=None):
    """{done, failed, summary, message}: summary is one line for the progress display."""
    expect = expect or {}
    label = KINDS[kind][0]
    if resource is None or resource.get("lifecycle_state") == "DELETED":
        gone = state == "absent"
        return {"done": gone, "failed": not gone, "summary": "deleted",
                "message": "" if gone else "%s is gone" % label}
    name = resource.get("name") or resource.get("id")
    lifecycle = resource.get("lifecycle_state")
    in_flight = [r for r in requests if r.get("status") in IN_FLIGHT]
    parts = [lifecycle]
    if in_flight:
        parts.append("work request %s %s" % (in_flight[0].get("operation_type"), in_flight[0].get("status")))
    nodes, active = _nodes(resource) if kind == "node_pool" else ([], [])
    size = ((resource.get("node_config_details") or {}).get("size"))
    if kind == "node_pool":
        parts.append("%d of %s nodes ACTIVE" % (len(active), size if size is not None else len(nodes)))
    if expect.get("kubernetes_version"):
        parts.append("Kubernetes %s" % resource.get("kubernetes_version"))
    summary = ", ".join(parts)
    result = {"done": False, "failed": False, "summary": "%s %s: %s" % (label, name, summary), "message": ""}
    if state == "absent" or in_flight or lifecycle in _oci_stack.BUSY_STATES or lifecycle == "DELETING":
        return result
    errors = _oci_stack.pool_errors(resource, requests) if kind == "node_pool" else [
        "work request %s (%s) failed: %s" % (r.get("id"), r.get("operation_type"), "; ".join(
            "%s: %s" % (e.get("code"), e.get("message")) for e in r.get("errors") or []))
        for r in requests if r.get("status") == "FAILED"]
    missing = []
    if lifecycle != "ACTIVE":
        missing.append("it is %s%s" % (lifecycle, ": " + resource["lifecycle_details"]
                                       if resource.get("lifecycle_details") else ""))
    if expect.get("kubernetes_version") and resource.get("kubernetes_version") != expect["kubernetes_version"]:
        missing.append("it runs Kubernetes %s, not %s" % (resource.get("kubernetes_version"),
                                                          expect["kubernetes_version"]))
    if kind == "node_pool":
        want = expect.get("size", size)
        if want is not None and len(active) != int(want):
            missing.append("%d of %s nodes are ACTIVE" % (len(active), want))
        behind = [n for n in active if n.get("kubernetes_version") not in (None, resource.get("kubernetes_version"))]
        if behind and expect.get("nodes_on_version", True):
            # Node cycling replaces them; a pool without cycling keeps them until they are replaced.
            missing.append("%d node(s) still run an older Kubernetes version" % len(behind))
    if not missing:
        result["done"] = True
        return result
    result["failed"] = True
    result["message"] = "%s %s: %s%s" % (label, name, "; ".join(missing),
                                         (". OCI says: " + "; ".join(errors)) if errors else "")
    return result
