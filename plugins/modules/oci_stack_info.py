#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oci_stack_info
short_description: Read what of the OKE stack exists in OCI, in one call
version_added: 0.2.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Read-only, through the OCI Python SDK. Reads, in the stack's compartment, the VCN named O(vcn_name) and every
    subnet, route table, network security group (with its rules), gateway and security list in it, the cluster named
    O(cluster_name) with its node pools (and their nodes) and latest work requests (failed ones with their errors),
    the region's availability domains (the region the SDK is configured for, never the tenancy's home region) and the
    Kubernetes versions offered.
  - Resources are told apart by name and by the stack's freeform tags O(tags). Same-named resources without them are
    returned too, so that the caller can refuse to adopt them (see the P(eventstack.oke.oci_network#role) and
    P(eventstack.oke.oke_cluster#role) roles); with O(adopt), a single one of them is taken as the stack's.
  - With O(compartment_name), the compartment is first found by name under O(compartment_id) (its parent); when it
    does not exist yet, nothing else is read.
  - The roles read the stack once, in preflight, and converge from what this returns.
extends_documentation_fragment:
  - eventstack.oke.read_only
  - eventstack.oke.oci_auth
attributes:
  action:
    support: full
    description: The action plugin runs the module, once or, with O(wait_for_leftovers), until nothing is pending.
options:
  compartment_id:
    description:
      - OCID of the compartment the stack lives in, or of its parent when O(compartment_name) is set.
      - Empty while the stack's compartment does not exist yet; then only the availability domains and the Kubernetes
        versions offered are read.
    type: str
    required: true
  compartment_name:
    description: Name of the stack's own compartment under O(compartment_id).
    type: str
  tags:
    description: The freeform tags that mark the stack's resources.
    type: dict
    default: {}
  adopt:
    description: Take a single same-named resource without the tags as the stack's.
    type: bool
    default: false
  vcn_name:
    description: Display name of the stack's VCN; empty skips the network.
    type: str
    default: ""
  cluster_name:
    description: Name of the stack's OKE cluster; empty skips the cluster.
    type: str
    default: ""
  bastion_name:
    description: Name of the stack's OCI Bastion (the way to a private API endpoint); empty skips it.
    type: str
    default: ""
  work_request_limit:
    description: How many of the cluster's latest work requests to return.
    type: int
    default: 10
  leftovers:
    description:
      - Also read what the cluster made and a destroy must see gone before the subnets can go - the load balancers in
        the compartment (those in the stack's subnets matter), the block volumes, and the private IPs left in each
        subnet of the stack's VCN.
    type: bool
    default: false
  wait_for_leftovers:
    description:
      - Wait, reading the stack again (with O(leftovers)) every O(wait_for_leftovers.interval) seconds, until nothing
        OCI is deleting is left in the stack's subnets (a load balancer C(DELETING), a volume C(TERMINATING)), as a
        destroy must before it deletes the subnets. The wait runs in the action plugin, which shows what is pending and
        the time waited whenever that changes and at least every O(wait_for_leftovers.progress_interval) seconds.
      - Not in check mode (the stack is read once).
    type: dict
    suboptions:
      view:
        description: The network view of the stack (P(eventstack.oke.oci_network_view#filter)), for its subnets.
        type: dict
        required: true
      timeout:
        description: Seconds to wait in all; the task fails, naming what is still pending, after that.
        type: int
        default: 1800
      interval:
        description: Seconds between two reads.
        type: float
        default: 15
      progress_interval:
        description: A progress line at least this often (seconds).
        type: float
        default: 30
      setting:
        description: The variable that sets O(wait_for_leftovers.timeout), named in the failure message.
        type: str
"""

EXAMPLES = r"""
- name: Read the stack
  eventstack.oke.oci_stack_info:
    compartment_id: "{{ eventstack_oci_compartment_id }}"
    tags: {eventstack.io/stack: todo, eventstack.io/environment: dev}
    vcn_name: eventstack-dev-vcn
    cluster_name: eventstack-dev
  register: stack
"""

RETURN = r"""
stack:
  description:
    - C(compartment) (id, name, lifecycle_state; null when O(compartment_name) does not exist yet),
      C(availability_domains) (names), C(kubernetes_versions), C(vcns) (the live ones named O(vcn_name)), the children
      of the stack's VCN (C(subnets), C(route_tables), C(network_security_groups) each with C(rules),
      C(internet_gateways), C(nat_gateways), C(service_gateways), C(security_lists)), C(services), C(clusters) (live,
      named O(cluster_name)), C(node_pools) of the stack's cluster with their C(nodes) and C(work_requests) (newest
      first, failed ones with C(errors)), C(bastions) (live, named O(bastion_name)); with O(leftovers),
      C(load_balancers), C(volumes) and C(private_ips) (subnet id to its private IPs).
    - Every resource as OCI returns it, keys in snake_case.
  returned: success
  type: dict
api_calls:
  description: HTTP attempts made, and how many were retries.
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _oci_client, _oci_stack

VCN_CHILDREN = (("subnets", "list_subnets"), ("route_tables", "list_route_tables"),
                ("internet_gateways", "list_internet_gateways"), ("nat_gateways", "list_nat_gateways"),
                ("service_gateways", "list_service_gateways"), ("security_lists", "list_security_lists"))


def _all(api, what, client, operation, *args, **kwargs):
    return _oci_client.to_dict(api.all(what, client, operation, *args, **kwargs))


def _compartment(api, params):
    if params["compartment_name"]:
        found = [c for c in _all(api, "ListCompartments", "identity", "list_compartments", params["compartment_id"],
                                 name=params["compartment_name"]) if c.get("lifecycle_state") == "ACTIVE"]
        return found[0] if found else None
    return _oci_client.to_dict(api.data("GetCompartment", "identity", "get_compartment", params["compartment_id"]))


def _network(api, params, compartment, stack):
    stack["vcns"] = _oci_stack.alive(_all(api, "ListVcns", "virtual_network", "list_vcns", compartment,
                                          display_name=params["vcn_name"]))
    vcn, _foreign = _oci_stack.find(stack["vcns"], params["vcn_name"], params["tags"], adopt=params["adopt"],
                                    kind="VCN")
    if not vcn:
        return
    for key, operation in VCN_CHILDREN:
        stack[key] = _oci_stack.alive(_all(api, operation, "virtual_network", operation, compartment,
                                           vcn_id=vcn["id"]))
    nsgs = _oci_stack.alive(_all(api, "ListNetworkSecurityGroups", "virtual_network",
                                 "list_network_security_groups", compartment_id=compartment, vcn_id=vcn["id"]))
    for nsg in nsgs:
        nsg["rules"] = _all(api, "ListNetworkSecurityGroupSecurityRules", "virtual_network",
                            "list_network_security_group_security_rules", nsg["id"])
    stack["network_security_groups"] = nsgs
    if params["leftovers"]:
        stack["load_balancers"] = [lb for lb in _all(api, "ListLoadBalancers", "load_balancer", "list_load_balancers",
                                                     compartment) if lb.get("lifecycle_state") != "DELETED"]
        stack["volumes"] = _oci_stack.alive(_all(api, "ListVolumes", "blockstorage", "list_volumes",
                                                 compartment_id=compartment))
        stack["private_ips"] = {subnet["id"]: _all(api, "ListPrivateIps", "virtual_network", "list_private_ips",
                                                   subnet_id=subnet["id"]) for subnet in stack["subnets"]}


def _cluster(api, params, compartment, stack):
    clusters = _oci_stack.alive(_all(api, "ListClusters", "container_engine", "list_clusters", compartment,
                                     name=params["cluster_name"]))
    stack["clusters"] = [_oci_client.to_dict(api.data("GetCluster", "container_engine", "get_cluster", c["id"]))
                         for c in clusters]
    cluster, _foreign = _oci_stack.find(stack["clusters"], params["cluster_name"], params["tags"], name_key="name",
                                        adopt=params["adopt"], kind="OKE cluster")
    if not cluster:
        return
    stack["node_pools"] = [
        _oci_client.to_dict(api.data("GetNodePool", "container_engine", "get_node_pool", p["id"]))
        for p in _oci_stack.alive(_all(api, "ListNodePools", "container_engine", "list_node_pools", compartment,
                                       cluster_id=cluster["id"]))]
    requests = _all(api, "ListWorkRequests", "container_engine", "list_work_requests", compartment,
                    cluster_id=cluster["id"])
    requests.sort(key=lambda r: str(r.get("time_accepted") or ""), reverse=True)
    stack["work_requests"] = requests[:params["work_request_limit"]]
    for request in stack["work_requests"]:
        if request.get("status") == "FAILED":
            request["errors"] = _all(api, "ListWorkRequestErrors", "container_engine", "list_work_request_errors",
                                     compartment, request["id"])


def read(api, params):
    stack = {"compartment": None, "availability_domains": [], "kubernetes_versions": [], "vcns": [],
             "subnets": [], "route_tables": [], "network_security_groups": [], "internet_gateways": [],
             "nat_gateways": [], "service_gateways": [], "security_lists": [], "services": [], "clusters": [],
             "node_pools": [], "work_requests": [], "load_balancers": [], "volumes": [], "private_ips": {},
             "bastions": []}
    tenancy = api.tenancy
    if tenancy:
        stack["availability_domains"] = [ad["name"] for ad in _all(api, "ListAvailabilityDomains", "identity",
                                                                   "list_availability_domains", tenancy)]
    compartment = _compartment(api, params) if params["compartment_id"] else None
    # The versions offered for new clusters (compartment-scoped when the compartment exists, the region's otherwise).
    options = _oci_client.to_dict(api.data("GetClusterOptions", "container_engine", "get_cluster_options", "all",
                                           **({"compartment_id": compartment["id"]} if compartment else {})))
    stack["kubernetes_versions"] = options.get("kubernetes_versions") or []
    if params["vcn_name"]:  # the region's services (the service gateway's), wherever the stack lives
        stack["services"] = _all(api, "ListServices", "virtual_network", "list_services")
    if not compartment:
        return stack
    stack["compartment"] = {k: compartment.get(k) for k in ("id", "name", "lifecycle_state", "compartment_id")}
    if params["vcn_name"]:
        _network(api, params, compartment["id"], stack)
    if params["cluster_name"]:
        _cluster(api, params, compartment["id"], stack)
    if params["bastion_name"]:
        # The summaries lack the client CIDR allow-list and the session TTL: each live one is read in full.
        stack["bastions"] = [
            _oci_client.to_dict(api.data("GetBastion", "bastion", "get_bastion", b["id"]))
            for b in _oci_stack.alive(_all(api, "ListBastions", "bastion", "list_bastions", compartment["id"],
                                           name=params["bastion_name"]))]
    return stack


def main():
    module = AnsibleModule(
        argument_spec=_oci_client.oci_auth_argspec(
            compartment_id={"type": "str", "required": True},
            compartment_name={"type": "str"},
            tags={"type": "dict", "default": {}},
            adopt={"type": "bool", "default": False},
            vcn_name={"type": "str", "default": ""},
            cluster_name={"type": "str", "default": ""},
            bastion_name={"type": "str", "default": ""},
            work_request_limit={"type": "int", "default": 10},
            leftovers={"type": "bool", "default": False},
            # The action plugin's wait (it never hands this to the module's runs).
            wait_for_leftovers={"type": "dict", "options": {
                "view": {"type": "dict", "required": True}, "timeout": {"type": "int", "default": 1800},
                "interval": {"type": "float", "default": 15}, "progress_interval": {"type": "float", "default": 30},
                "setting": {"type": "str"}}},
        ),
        supports_check_mode=True,
    )
    stack, calls = _oci_client.run_module(module, lambda api: read(api, module.params), (_oci_stack.StackError,),
                                          "reading the stack from OCI: ")
    module.exit_json(changed=False, stack=stack, api_calls=calls)


if __name__ == "__main__":
    main()
