#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oke_cluster_info
short_description: Report whether an OKE cluster, its node pools and nodes are ready, and why not
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Read-only. Reads the cluster, each node pool with its nodes, and the cluster's latest work requests (with the
    errors of failed ones) through the OCI Python SDK.
  - C(ready) is true when the cluster, every node pool and every node are ACTIVE. C(problems) lists, in words, what is
    not, with OCI's node errors (for example C(Out of host capacity)) and work request errors verbatim.
  - Used by the P(eventstack.oke.oke_cluster#role) role after creating the node pool, and by verification.
extends_documentation_fragment:
  - eventstack.oke.read_only
  - eventstack.oke.oci_auth
options:
  cluster_id:
    description: OCID of the cluster.
    type: str
  compartment_id:
    description: Compartment to find the cluster in by O(name).
    type: str
  name:
    description: Cluster name, with O(compartment_id), when O(cluster_id) is not known.
    type: str
  work_request_limit:
    description: How many of the cluster's latest work requests to report.
    type: int
    default: 5
"""

EXAMPLES = r"""
- name: Check the cluster
  eventstack.oke.oke_cluster_info:
    compartment_id: "{{ eventstack_oci_compartment_id }}"
    name: eventstack-dev
  register: cluster

- name: Fail with OCI's reasons
  ansible.builtin.assert:
    that: cluster.ready
    fail_msg: "{{ cluster.problems | join('; ') }}"
"""

RETURN = r"""
ready:
  description: The cluster, every node pool and every node are ACTIVE.
  returned: success
  type: bool
problems:
  description: What is not ready, and failed work requests, in words.
  returned: success
  type: list
  elements: str
cluster:
  description: The cluster (id, name, lifecycle_state, lifecycle_details, type, kubernetes_version, endpoints, vcn_id).
  returned: success
  type: dict
node_pools:
  description: Each node pool with its nodes (lifecycle_state, availability_domain, private_ip, node_error).
  returned: success
  type: list
  elements: dict
work_requests:
  description: The latest work requests of the cluster, newest first, failed ones with their errors.
  returned: success
  type: list
  elements: dict
api_calls:
  description: HTTP attempts made, and how many were retries.
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _oci_checks, _oci_client

CLUSTER_KEYS = ("id", "name", "compartment_id", "lifecycle_state", "lifecycle_details", "type", "kubernetes_version",
                "endpoints", "vcn_id")
POOL_KEYS = ("id", "name", "lifecycle_state", "lifecycle_details", "kubernetes_version", "node_shape",
             "node_shape_config", "node_config_details")
NODE_KEYS = ("id", "name", "lifecycle_state", "lifecycle_details", "availability_domain", "private_ip", "node_error")


def pick(data, keys):
    return {key: data.get(key) for key in keys}


def read(api, params):
    cluster_id = params["cluster_id"]
    if not cluster_id:
        found = [c for c in _oci_client.to_dict(api.all(
            "ListClusters", "container_engine", "list_clusters", params["compartment_id"], name=params["name"]))
            if c.get("lifecycle_state") not in ("DELETED", "DELETING")]
        if not found:
            raise _oci_client.OciCallError("no cluster named %s in compartment %s" % (params["name"],
                                                                                      params["compartment_id"]))
        cluster_id = found[0]["id"]
    cluster = pick(_oci_client.to_dict(api.data("GetCluster", "container_engine", "get_cluster", cluster_id)),
                   CLUSTER_KEYS)
    compartment = cluster["compartment_id"]
    pools = []
    for summary in _oci_client.to_dict(api.all("ListNodePools", "container_engine", "list_node_pools", compartment,
                                               cluster_id=cluster_id)):
        if summary.get("lifecycle_state") in ("DELETED", "DELETING"):
            continue
        pool = _oci_client.to_dict(api.data("GetNodePool", "container_engine", "get_node_pool", summary["id"]))
        entry = pick(pool, POOL_KEYS)
        entry["nodes"] = [pick(node, NODE_KEYS) for node in pool.get("nodes") or []]
        pools.append(entry)
    requests = _oci_client.to_dict(api.all("ListWorkRequests", "container_engine", "list_work_requests", compartment,
                                           cluster_id=cluster_id))
    requests.sort(key=lambda r: str(r.get("time_accepted") or ""), reverse=True)
    latest = []
    for request in requests[:params["work_request_limit"]]:
        entry = pick(request, ("id", "operation_type", "status", "time_accepted", "time_finished"))
        if request.get("status") == "FAILED":
            entry["errors"] = [pick(e, ("code", "message", "timestamp")) for e in _oci_client.to_dict(api.all(
                "ListWorkRequestErrors", "container_engine", "list_work_request_errors", compartment, request["id"]))]
        latest.append(entry)
    return cluster, pools, latest


def main():
    module = AnsibleModule(
        argument_spec=_oci_client.oci_auth_argspec(
            cluster_id={"type": "str"},
            compartment_id={"type": "str"},
            name={"type": "str"},
            work_request_limit={"type": "int", "default": 5},
        ),
        required_one_of=[("cluster_id", "name")],
        required_together=[("compartment_id", "name")],
        supports_check_mode=True,
    )
    (cluster, pools, requests), calls = _oci_client.run_module(module, lambda api: read(api, module.params))
    ready, problems = _oci_checks.cluster_health(cluster, pools, requests)
    module.exit_json(changed=False, ready=ready, problems=problems, cluster=cluster, node_pools=pools,
                     work_requests=requests, api_calls=calls)


if __name__ == "__main__":
    main()
