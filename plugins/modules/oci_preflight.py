#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: oci_preflight
short_description: Check an OCI tenancy can take the OKE stack, before anything is created
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Read-only, through the OCI Python SDK. Checks that authentication works, the compartment exists and is ACTIVE,
    the region's availability domains, the Kubernetes version is offered for new clusters, the live A1 core and
    memory limits and usage per availability domain (C(standard-a1-core-count), C(standard-a1-memory-count)) and in
    the region (C(standard-a1-core-regional-count), C(standard-a1-memory-regional-count)), never assumed, against the
    node pool the inventory asks for, the block storage the nodes' boot volumes and the stack's
    persistent volumes need against the live C(block-storage) limit (C(total-storage-gb)) of the ADs the nodes use,
    and the load balancer limit.
  - Nodes this stack already runs (the cluster named O(cluster_name)) count as available, so a second run asks only
    for what would be added; likewise their boot volumes and, once the cluster exists, its claims.
  - Returns structured facts and fails with one message listing every problem found.
extends_documentation_fragment:
  - eventstack.oke.read_only
  - eventstack.oke.oci_auth
options:
  compartment_id:
    description: OCID of the compartment the stack is built in.
    type: str
    required: true
  tenancy_id:
    description: OCID of the tenancy (limits and availability domains are read there); defaults to the config's.
    type: str
  kubernetes_version:
    description: Minor (C(1.34)) or full version the cluster will run.
    type: str
  cluster_name:
    description: Name of this stack's cluster; its existing nodes are counted as available capacity.
    type: str
  node_shape:
    description: Node shape. Limits are checked for Ampere A1 shapes; other shapes are reported as not checked.
    type: str
    default: VM.Standard.A1.Flex
  node_count:
    description: Nodes in the node pool.
    type: int
    default: 1
  node_ocpus:
    description: OCPUs per node.
    type: float
    default: 2
  node_memory_gbs:
    description: Memory per node in GB.
    type: float
    default: 8
  availability_domains:
    description: ADs the nodes are spread over (names or suffixes such as C(AD-1)); empty means all.
    type: list
    elements: str
    default: []
  load_balancers:
    description: Load balancers the stack will create.
    type: int
    default: 1
  load_balancer_limit:
    description:
      - Limit name of the load-balancer service to check; C(lb-flexible-count) for flexible load balancers,
        C(lb-10mbps-micro-count) for the Always Free 10 Mbps one.
    type: str
    default: lb-flexible-count
  surge:
    description:
      - Nodes an upgrade's node cycling adds while it replaces the pool's nodes (OKE's C(maximumSurge), a number or a
        percentage of the pool); they need A1 capacity too, placed as the next nodes would be.
    type: str
    default: "0"
  node_boot_volume_gbs:
    description: Boot volume of each node in GB.
    type: int
    default: 50
  volumes:
    description:
      - The persistent volumes the stack claims, each C({name, size, count, variable}) (C(size) a Kubernetes quantity
        such as C(1Gi), C(variable) the inventory variable that sets it). OKE makes each claim a block volume of whole
        GB, at least 50.
    type: list
    elements: dict
    default: []
  block_storage_limit:
    description:
      - Limit name of the block-storage service the boot volumes and the claims count against (C(total-storage-gb),
        per availability domain); empty skips the check.
    type: str
    default: total-storage-gb
  fail_on_problems:
    description: Fail when a problem is found (otherwise only report them).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Check the tenancy before creating the cluster
  eventstack.oke.oci_preflight:
    compartment_id: "{{ eventstack_oci_compartment_id }}"
    kubernetes_version: "1.34"
    cluster_name: eventstack-dev
    node_count: 1
    node_ocpus: 2
    node_memory_gbs: 8
"""

RETURN = r"""
oci_preflight:
  description:
    - C(compartment) (id, name, lifecycle_state), C(availability_domains), C(limits) per AD (A1 cores and memory
      available and used), C(capacity) (needed and free totals), C(block_storage) (need of boot volumes and claims,
      free, the limits per AD), C(kubernetes_versions) offered, C(load_balancers)
      (available), C(problems) and C(notes).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _oci_checks, _oci_client, _oke

A1_LIMITS = {"cores": "standard-a1-core-count", "memory": "standard-a1-memory-count"}
# The regional twins: OCI counts A1 both per AD and per region (both appear in LimitExceeded errors).
A1_REGIONAL_LIMITS = {"cores": "standard-a1-core-regional-count", "memory": "standard-a1-memory-regional-count"}


def _resource(api, service, limit, tenancy, ad=None):
    kwargs = {"availability_domain": ad} if ad else {}
    data = _oci_client.to_dict(api.data("GetResourceAvailability %s/%s" % (service, limit), "limits",
                                        "get_resource_availability", service, limit, tenancy, **kwargs))
    return {"available": data.get("fractional_availability", data.get("available")) or 0,
            "used": data.get("fractional_usage", data.get("used")) or 0}


def _held(api, params, compartment):
    """A1 cores/memory per AD already held by this stack's cluster's nodes, and their boot volumes' GB under "boot"
    (None when the stack has no cluster yet)."""
    held = {}
    clusters = [c for c in _oci_client.to_dict(api.all("ListClusters", "container_engine", "list_clusters",
                                                       compartment, name=params["cluster_name"]))
                if c.get("lifecycle_state") not in ("DELETED", "DELETING", "FAILED")]
    if clusters:
        held["boot"] = 0
    for cluster in clusters:
        for summary in _oci_client.to_dict(api.all("ListNodePools", "container_engine", "list_node_pools", compartment,
                                                   cluster_id=cluster["id"])):
            pool = _oci_client.to_dict(api.data("GetNodePool", "container_engine", "get_node_pool", summary["id"]))
            shape = pool.get("node_shape_config") or {}
            boot = (pool.get("node_source_details") or {}).get("boot_volume_size_in_gbs") or 50
            live = [n for n in pool.get("nodes") or [] if n.get("lifecycle_state") not in ("DELETED", "DELETING")]
            held["boot"] += boot * len(live)
            if _oke.shape_architecture(pool.get("node_shape", "")) != "aarch64":
                continue
            for node in live:
                entry = held.setdefault(node.get("availability_domain"), {"cores": 0.0, "memory": 0.0})
                entry["cores"] += float(shape.get("ocpus") or 0)
                entry["memory"] += float(shape.get("memory_in_gbs") or 0)
    return held


def check(api, params):
    facts = {"problems": [], "notes": []}
    problems = facts["problems"]
    compartment = params["compartment_id"]
    try:
        data = _oci_client.to_dict(api.data("GetCompartment", "identity", "get_compartment", compartment))
        facts["compartment"] = {k: data.get(k) for k in ("id", "name", "lifecycle_state")}
        if data.get("lifecycle_state") != "ACTIVE":
            problems.append("compartment %s (%s) is %s, not ACTIVE; set eventstack_oci_compartment_id to an active "
                            "compartment" % (data.get("name"), compartment, data.get("lifecycle_state")))
    except _oci_client.OciCallError as exc:
        if exc.status not in (401, 403, 404):
            raise
        problems.append("compartment %s cannot be read (%s); check eventstack_oci_compartment_id and that your user "
                        "may inspect it" % (compartment, exc))
        return facts
    tenancy = params["tenancy_id"] or api.tenancy
    if not tenancy:
        problems.append("the tenancy OCID is unknown: set tenancy_id (or tenancy in the OCI config profile)")
        return facts
    ads = [ad["name"] for ad in _oci_client.to_dict(api.all("ListAvailabilityDomains", "identity",
                                                            "list_availability_domains", tenancy))]
    facts["availability_domains"] = ads
    try:
        placement = [p["availability_domain"] for p in
                     _oke.placement_configs(ads, params["availability_domains"], "subnet")]
    except _oke.OkeError as exc:
        problems.append("%s (check oke_cluster_availability_domains)" % exc)
        placement = ads

    if params["kubernetes_version"]:
        options = _oci_client.to_dict(api.data("GetClusterOptions", "container_engine", "get_cluster_options", "all",
                                               compartment_id=compartment))
        facts["kubernetes_versions"] = options.get("kubernetes_versions") or []
        try:
            facts["kubernetes_version"] = _oke.resolve_kubernetes_version(params["kubernetes_version"],
                                                                          facts["kubernetes_versions"])
        except _oke.OkeError as exc:
            problems.append("%s (set eventstack_kubernetes_version to one of them)" % exc)

    if _oke.shape_architecture(params["node_shape"]) == "aarch64" and placement:
        facts["limits"] = {ad: {name: _resource(api, "compute", limit, tenancy, ad) for name, limit in A1_LIMITS.items()}
                           for ad in placement}
        held = _held(api, params, compartment) if params["cluster_name"] else {}
        surge = _oci_checks.surge_nodes(params["surge"], params["node_count"])
        found, facts["capacity"] = _oci_checks.capacity_problems(
            facts["limits"], params["node_count"], params["node_ocpus"], params["node_memory_gbs"], placement, held,
            surge)
        problems.extend(found)
        regional = {}
        for name, limit in A1_REGIONAL_LIMITS.items():
            try:
                regional[name] = _resource(api, "compute", limit, tenancy)
            except _oci_client.OciCallError as exc:
                if exc.status != 404:
                    raise
                facts["notes"].append("compute limit %s does not exist in this tenancy; not checked" % limit)
        facts["regional_limits"] = regional
        problems.extend(_oci_checks.regional_capacity_problems(
            regional, params["node_count"] + surge, params["node_ocpus"], params["node_memory_gbs"], held))
    else:
        held = _held(api, params, compartment) if params["cluster_name"] else {}
        facts["notes"].append("compute limits are checked for Ampere A1 shapes only, not for %s" % params["node_shape"])

    if params["block_storage_limit"] and placement:
        try:
            storage = {ad: _resource(api, "block-storage", params["block_storage_limit"], tenancy, ad) for ad in placement}
        except _oci_client.OciCallError as exc:
            if exc.status != 404:
                raise
            facts["notes"].append("block-storage limit %s does not exist in this tenancy; not checked"
                                  % params["block_storage_limit"])
        else:
            claims = [dict(v, count=int(v.get("count", 1))) for v in params["volumes"]]
            # Once the stack's cluster exists its claims are bound: they are held, not added.
            held_gbs = (held.get("boot") or 0) + (sum(_oci_checks.volume_gbs(v["size"]) * v["count"] for v in claims)
                                                  if held.get("boot") is not None else 0)
            found, facts["block_storage"] = _oci_checks.storage_problems(
                storage, params["node_count"], params["node_boot_volume_gbs"], placement, claims, held_gbs)
            facts["block_storage"]["limits"] = storage
            problems.extend(found)

    if params["load_balancers"] > 0:
        try:
            lbs = _resource(api, "load-balancer", params["load_balancer_limit"], tenancy)
            facts["load_balancers"] = lbs
            if lbs["available"] < params["load_balancers"]:
                problems.append("the stack needs %d load balancer(s) but %s has %g available (used: %g); free one or "
                                "ask for a limit increase" % (params["load_balancers"], params["load_balancer_limit"],
                                                              lbs["available"], lbs["used"]))
        except _oci_client.OciCallError as exc:
            if exc.status != 404:
                raise
            facts["notes"].append("load-balancer limit %s does not exist in this tenancy; not checked"
                                  % params["load_balancer_limit"])
    return facts


def main():
    module = AnsibleModule(
        argument_spec=_oci_client.oci_auth_argspec(
            compartment_id={"type": "str", "required": True},
            tenancy_id={"type": "str"},
            kubernetes_version={"type": "str"},
            cluster_name={"type": "str"},
            node_shape={"type": "str", "default": "VM.Standard.A1.Flex"},
            node_count={"type": "int", "default": 1},
            node_ocpus={"type": "float", "default": 2},
            node_memory_gbs={"type": "float", "default": 8},
            availability_domains={"type": "list", "elements": "str", "default": []},
            load_balancers={"type": "int", "default": 1},
            load_balancer_limit={"type": "str", "default": "lb-flexible-count"},
            node_boot_volume_gbs={"type": "int", "default": 50},
            surge={"type": "str", "default": "0"},
            volumes={"type": "list", "elements": "dict", "default": []},
            block_storage_limit={"type": "str", "default": "total-storage-gb"},
            fail_on_problems={"type": "bool", "default": True},
        ),
        supports_check_mode=True,
    )
    facts, calls = _oci_client.run_module(module, lambda api: check(api, module.params), prefix="OCI preflight: ")
    if facts["problems"] and module.params["fail_on_problems"]:
        module.fail_json(msg="OCI preflight found %d problem(s): %s" % (len(facts["problems"]),
                                                                        "; ".join(facts["problems"])),
                         oci_preflight=facts, api_calls=calls)
    module.exit_json(changed=False, oci_preflight=facts, api_calls=calls)


if __name__ == "__main__":
    main()
