# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: which OCI resources belong to this stack, what OCI cannot change in place, and the converge plan.

The oci_stack_info module reads what exists (plain data, snake_case as the SDK's to_dict gives it); these
functions judge it against what the inventory asks. They never call OCI.

- stack_tags(stack, environment): the freeform tags every resource the OCI roles create carries.
- find(resources, name, tags): the resource of that name that carries the tags, and the same-named ones that
  do not (someone else's, or made before tags: adopted only on purpose).
- network_view(read, plan, tags, adopt) / cluster_view(read, names, tags, adopt): the stack's resources by the
  plan's keys, and the problems that stop a run before any change (foreign resources, settings OCI cannot
  change in place).
- leftovers(read, view, tags): before a destroy deletes the subnets, what the cluster made in them (load balancers of
  LoadBalancer Services, volumes of claims, anything still holding an address): delete what carries the stack's tags,
  wait for what OCI is deleting, and stop on the rest, naming each by its OCID.
- cluster_plan(view, desired): what the oke_cluster role does: create, update, upgrade (control plane first,
  then the node pool, one minor version at a time), replace a FAILED node pool, or stop with OCI's error.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.eventstack.oke.plugins.module_utils import _oke

TAG_STACK = "eventstack.io/stack"
TAG_ENVIRONMENT = "eventstack.io/environment"
# Lifecycle states of resources that are gone or going (core, container engine, identity).
DEAD_STATES = frozenset(("TERMINATED", "TERMINATING", "DELETED", "DELETING"))
# States a create/update is still working in: the role waits for them before it decides anything.
BUSY_STATES = frozenset(("CREATING", "UPDATING", "PROVISIONING"))
ADOPT_HINT = ("if it is this stack's (made before ownership tags, or by hand on purpose), adopt it with "
              "-e eventstack_oci_adopt=true (the run then tags it); otherwise give this stack other names "
              "(oci_network_name_prefix, oke_cluster_name) or another compartment")


# What the roles set at creation that OCI's update calls do not take (the Create*Details fields missing from the
# Update*Details models; tests/unit/.../test_oci_stack.py derives them from the SDK and the roles' tasks), apart from
# what identifies a resource (compartment, VCN, cluster). network_view and immutable_cluster_problems check each.
IMMUTABLE_FIELDS = {
    "oci_network_vcn": ("cidr_blocks", "dns_label"),
    "oci_network_subnet": ("dns_label", "prohibit_public_ip_on_vnic"),
    "oci_container_engine_cluster": ("cluster_pod_network_options", "endpoint_config.subnet_id",
                                     "options.kubernetes_network_config", "options.service_lb_subnet_ids", "vcn_id"),
}


class StackError(ValueError):
    """The stack's resources cannot be told apart; the message says how to resolve it."""


def stack_tags(stack, environment):
    return {TAG_STACK: str(stack), TAG_ENVIRONMENT: str(environment)}


def owned(resource, tags):
    found = resource.get("freeform_tags") or {}
    return all(found.get(key) == value for key, value in (tags or {}).items())


def alive(resources):
    return [r for r in resources or [] if r.get("lifecycle_state") not in DEAD_STATES]


def find(resources, name, tags, name_key="display_name", adopt=False, kind="resource"):
    """(mine or None, [same-named resources without the stack's tags]).

    With adopt, a single same-named resource without the tags is taken as the stack's (its tags are added by the
    update that follows). Two of the stack's own with one name is an error: OCI names are not unique, the role
    cannot know which one is meant."""
    named = [r for r in alive(resources) if r.get(name_key) == name]
    mine = [r for r in named if owned(r, tags)]
    foreign = [r for r in named if not owned(r, tags)]
    if adopt and not mine and len(foreign) == 1:
        mine, foreign = foreign, []
    if len(mine) > 1:
        raise StackError("%d %ss named %s carry this stack's tags (%s); delete all but one"
                         % (len(mine), kind, name, ", ".join(r.get("id", "?") for r in mine)))
    return (mine[0] if mine else None), foreign


def _foreign_problem(kind, name, foreign):
    return "%s %s exists without this stack's tags (%s): %s" % (
        kind, name, ", ".join(r.get("id", "?") for r in foreign), ADOPT_HINT)


def _cidrs(vcn):
    return sorted(vcn.get("cidr_blocks") or ([vcn["cidr_block"]] if vcn.get("cidr_block") else []))


def network_view(read, plan, tags, adopt=False):
    """The stack's network resources keyed as the plan keys them, plus `problems`.

    read: what oci_stack_info returned (vcn candidates, and the children of the chosen VCN). plan: the
    oci_network_plan filter's output."""
    view = {"vcn": None, "subnets": {}, "route_tables": {}, "nsgs": {}, "gateways": {}, "problems": [],
            # A new VCN's default security list comes with OCI's default rules (SSH, ICMP, all egress).
            "services": read.get("services") or [], "default_security_list_open": True}
    problems = view["problems"]
    vcn, foreign = find(read.get("vcns"), plan["vcn"]["display_name"], tags, adopt=adopt, kind="VCN")
    if foreign and not vcn:
        problems.append(_foreign_problem("VCN", plan["vcn"]["display_name"], foreign))
    if not vcn:
        return view
    view["vcn"] = vcn
    if _cidrs(vcn) != [plan["vcn"]["cidr_block"]]:
        problems.append("VCN %s has CIDR %s but oci_network_vcn_cidr is %s: OCI does not change a VCN's CIDR in place; "
                        "set oci_network_vcn_cidr back to %s, or destroy the network first (make destroy) to rebuild it"
                        % (vcn.get("display_name"), ", ".join(_cidrs(vcn)), plan["vcn"]["cidr_block"],
                           ", ".join(_cidrs(vcn))))
    if vcn.get("dns_label") and vcn.get("dns_label") != plan["vcn"]["dns_label"]:
        problems.append("VCN %s has DNS label %s but oci_network_dns_label is %s: OCI cannot change it; set it back "
                        "to %s" % (vcn.get("display_name"), vcn.get("dns_label"), plan["vcn"]["dns_label"],
                                   vcn.get("dns_label")))
    children = (("subnets", "subnet", {s["key"]: s for s in plan.get("subnets") or []}),
                ("route_tables", "route table", plan.get("route_tables") or {}),
                ("nsgs", "network security group", plan.get("nsgs") or {}),
                ("gateways", "gateway", plan.get("gateways") or {}))
    sources = {"subnets": read.get("subnets"), "route_tables": read.get("route_tables"),
               "nsgs": read.get("network_security_groups")}
    gateway_sources = {"internet": read.get("internet_gateways"), "nat": read.get("nat_gateways"),
                       "service": read.get("service_gateways")}
    for section, kind, wanted in children:
        for key, item in wanted.items():
            source = gateway_sources.get(key) if section == "gateways" else sources[section]
            mine, others = find(source, item["display_name"], tags, adopt=adopt, kind=kind)
            if others and not mine:
                problems.append(_foreign_problem(kind, item["display_name"], others))
            if mine:
                view[section][key] = mine
    default_list = next((sl for sl in read.get("security_lists") or [] if sl.get("id") == vcn.get(
        "default_security_list_id")), None)
    view["default_security_list_open"] = default_list is None or bool(
        default_list.get("ingress_security_rules") or default_list.get("egress_security_rules"))
    for key, subnet in view["subnets"].items():
        want = next(s for s in plan["subnets"] if s["key"] == key)
        if subnet.get("dns_label") and subnet.get("dns_label") != want["dns_label"]:
            problems.append("subnet %s has DNS label %s, the plan wants %s: OCI cannot change a subnet's DNS label; "
                            "set oci_network_subnets back, or destroy the network first"
                            % (subnet.get("display_name"), subnet.get("dns_label"), want["dns_label"]))
        if bool(subnet.get("prohibit_public_ip_on_vnic")) != bool(want["prohibit_public_ip_on_vnic"]):
            variable = {"api_endpoint": "oci_network_api_endpoint_public",
                        "load_balancers": "oci_network_lb_public"}.get(key, "the network plan")
            problems.append("subnet %s is %s but %s asks for it %s: OCI cannot change that in place; set %s back, or "
                            "destroy the network first (make destroy) to rebuild it"
                            % (subnet.get("display_name"),
                               "private" if subnet.get("prohibit_public_ip_on_vnic") else "public", variable,
                               "private" if want["prohibit_public_ip_on_vnic"] else "public", variable))
    return view


def network_ids(view):
    """{vcn, subnets: {key: id}, nsgs: {key: id}} of what exists (what the oke_cluster and ingress roles use)."""
    return {"vcn": (view.get("vcn") or {}).get("id", ""),
            "subnets": {key: item["id"] for key, item in (view.get("subnets") or {}).items()},
            "nsgs": {key: item["id"] for key, item in (view.get("nsgs") or {}).items()}}


def leftovers(read, view, tags):
    """{delete_load_balancers, delete_volumes, pending, blockers} for the stack's subnets (view: network_view's).

    Load balancers in a stack subnet: the stack's (its tags, which the ingress role's Service annotation gives OKE's
    cloud controller) are deleted, one OCI is already deleting is waited for, any other stops the destroy. Volumes
    with the stack's tags (its StorageClass gives them to the CSI driver) are deleted once the claims are gone. Private
    IPs left in a subnet with no load balancer in it (a VNIC someone attached) stop the destroy too."""
    subnets = {s["id"]: s.get("display_name") for s in (view.get("subnets") or {}).values()}
    out = {"delete_load_balancers": [], "delete_volumes": [], "pending": [], "blockers": []}
    busy = set()
    for lb in read.get("load_balancers") or []:
        inside = [subnets[sid] for sid in lb.get("subnet_ids") or [] if sid in subnets]
        if not inside or lb.get("lifecycle_state") == "DELETED":
            continue
        busy.update(sid for sid in lb.get("subnet_ids") or [] if sid in subnets)
        what = "load balancer %s (%s) in subnet %s" % (lb.get("display_name"), lb.get("id"), ", ".join(inside))
        if lb.get("lifecycle_state") == "DELETING":
            out["pending"].append(what + " is DELETING")
        elif owned(lb, tags):
            out["delete_load_balancers"].append({"id": lb["id"], "name": lb.get("display_name")})
        else:
            cluster = ((lb.get("system_tags") or {}).get("orcl-containerengine") or {}).get("Cluster")
            out["blockers"].append(
                "%s does not carry the stack's tags%s: delete it yourself (or delete its Service in the cluster first), "
                "then run destroy again" % (what, " (OKE's cloud controller made it for cluster %s)" % cluster
                                            if cluster else ""))
    for volume in read.get("volumes") or []:
        if not owned(volume, tags) or not tags:
            continue
        what = "block volume %s (%s)" % (volume.get("display_name"), volume.get("id"))
        if volume.get("lifecycle_state") in ("TERMINATING",):
            out["pending"].append(what + " is TERMINATING")
        elif volume.get("lifecycle_state") not in DEAD_STATES:
            out["delete_volumes"].append({"id": volume["id"], "name": volume.get("display_name")})
    for subnet_id, ips in (read.get("private_ips") or {}).items():
        if subnet_id not in subnets or subnet_id in busy:
            continue
        for ip in ips or []:
            what = (ip.get("ip_address"), ip.get("id"), ip.get("vnic_id"), subnets[subnet_id])
            out["blockers"].append("private IP %s (%s, VNIC %s) is still in subnet %s: detach or delete what holds it, "
                                   "then run destroy again" % what)
    return out


def cluster_view(read, names, tags, adopt=False):
    """The stack's cluster and node pool (busy ones included, dead ones not), plus `problems` for foreign ones."""
    view = {"cluster": None, "node_pool": None, "problems": []}
    cluster, foreign = find(read.get("clusters"), names["cluster"], tags, name_key="name", adopt=adopt,
                            kind="OKE cluster")
    if foreign and not cluster:
        view["problems"].append(_foreign_problem("OKE cluster", names["cluster"], foreign))
    if not cluster:
        return view
    view["cluster"] = cluster
    pools = [p for p in read.get("node_pools") or [] if p.get("cluster_id") == cluster.get("id")]
    pool, foreign = find(pools, names["node_pool"], tags, name_key="name", adopt=adopt, kind="node pool")
    if foreign and not pool:
        view["problems"].append(_foreign_problem("node pool", names["node_pool"], foreign))
    view["node_pool"] = pool
    return view


def _minor(version):
    parsed = _oke.parse_version(version or "")
    return parsed[:2] if parsed else None


def immutable_cluster_problems(cluster, desired):
    """Settings of an existing cluster OCI cannot change in place (UpdateClusterDetails lacks them)."""
    problems = []
    name = cluster.get("name")
    cni = [o.get("cni_type") for o in cluster.get("cluster_pod_network_options") or []]
    if cni and desired["cni_type"] not in cni:
        problems.append("cluster %s uses %s pod networking but oke_cluster_pod_networking asks for %s: OCI cannot "
                        "change a cluster's CNI; set it back to %s, or destroy the cluster first (make destroy)"
                        % (name, "/".join(cni), desired["pod_networking"],
                           "vcn_native" if "OCI_VCN_IP_NATIVE" in cni else "flannel"))
    network = ((cluster.get("options") or {}).get("kubernetes_network_config")) or {}
    for key, variable in (("pods_cidr", "oke_cluster_pods_cidr"), ("services_cidr", "oke_cluster_services_cidr")):
        have, want = network.get(key), desired.get(key)
        if key == "pods_cidr" and desired["cni_type"] == "OCI_VCN_IP_NATIVE":
            continue  # pods take VCN addresses from the pod subnet; the overlay CIDR is not used
        if have and want and ipaddress.ip_network(have) != ipaddress.ip_network(want):
            problems.append("cluster %s has %s %s but %s is %s: OCI cannot change it in place; set %s back to %s"
                            % (name, key, have, variable, want, variable, have))
    if cluster.get("type") == "ENHANCED_CLUSTER" and desired.get("type") == "BASIC_CLUSTER":
        problems.append("cluster %s is an ENHANCED_CLUSTER and oke_cluster_type asks for BASIC_CLUSTER: OCI cannot "
                        "downgrade a cluster; set oke_cluster_type: ENHANCED_CLUSTER" % name)
    if desired.get("vcn_id") and cluster.get("vcn_id") and cluster["vcn_id"] != desired["vcn_id"]:
        problems.append("cluster %s runs in VCN %s, not in this stack's VCN %s: OCI cannot move a cluster; destroy "
                        "it first (make destroy) or restore that network" % (name, cluster["vcn_id"], desired["vcn_id"]))
    lb_subnets = sorted((cluster.get("options") or {}).get("service_lb_subnet_ids") or [])
    if desired.get("lb_subnet_ids") and lb_subnets and lb_subnets != sorted(desired["lb_subnet_ids"]):
        problems.append("cluster %s puts its load balancers in subnet(s) %s, not in the stack's %s: OCI cannot change "
                        "that in place; destroy the cluster first (make destroy)"
                        % (name, ", ".join(lb_subnets), ", ".join(sorted(desired["lb_subnet_ids"]))))
    endpoint = cluster.get("endpoint_config") or {}
    if desired.get("endpoint_subnet_id") and endpoint.get("subnet_id") \
            and endpoint["subnet_id"] != desired["endpoint_subnet_id"]:
        problems.append("cluster %s's API endpoint is in subnet %s, not in the stack's %s: OCI cannot move it; "
                        "destroy the cluster first (make destroy)" % (name, endpoint["subnet_id"],
                                                                      desired["endpoint_subnet_id"]))
    return problems


def version_plan(cluster, pool, wanted, offered):
    """Kubernetes versions: {cluster: vX.Y.Z, node_pool: vX.Y.Z, upgrade: bool, problems: [...]}.

    A new cluster gets the newest offered patch of the wanted minor. An existing one keeps its version while its
    minor is the wanted one (no surprise patch upgrades); one minor behind, it is upgraded to the newest patch OKE
    offers it (available_kubernetes_upgrades); further behind, or ahead, is a problem. The node pool follows the
    cluster: it never runs ahead of it and is upgraded after the control plane."""
    plan = {"problems": [], "upgrade": False}
    want = _minor(wanted)
    if not cluster:
        try:
            plan["cluster"] = _oke.resolve_kubernetes_version(wanted, offered)
        except _oke.OkeError as exc:
            plan["problems"].append("%s (set eventstack_kubernetes_version to one of them)" % exc)
            return plan
    else:
        have = _minor(cluster.get("kubernetes_version"))
        if have == want:
            plan["cluster"] = cluster["kubernetes_version"]
        elif have and want and have[0] == want[0] and have[1] + 1 == want[1]:
            upgrades = cluster.get("available_kubernetes_upgrades") or []
            try:
                plan["cluster"] = _oke.resolve_kubernetes_version(wanted, upgrades)
                plan["upgrade"] = True
            except _oke.OkeError:
                plan["problems"].append(
                    "cluster %s runs %s and OKE offers it no upgrade to %s (it offers: %s); set "
                    "eventstack_kubernetes_version to \"%d.%d\"" % (
                        cluster.get("name"), cluster["kubernetes_version"], wanted, ", ".join(upgrades) or "none",
                        *have))
                return plan
        else:
            plan["problems"].append(
                "cluster %s runs %s and eventstack_kubernetes_version is \"%s\": OKE upgrades one minor version at a "
                "time and never downgrades; set it to \"%d.%d\" or \"%d.%d\"" % (
                    cluster.get("name"), cluster.get("kubernetes_version"), wanted, have[0], have[1], have[0],
                    have[1] + 1) if have else "cluster %s reports no Kubernetes version" % cluster.get("name"))
            return plan
    plan["node_pool"] = plan["cluster"]
    if pool and _minor(pool.get("kubernetes_version")) == _minor(plan["cluster"]):
        plan["node_pool"] = pool["kubernetes_version"]  # same minor: keep the pool's patch and image
    plan["upgrade_node_pool"] = bool(pool) and pool.get("kubernetes_version") != plan["node_pool"]
    return plan


def _pool_shape(pool):
    config = pool.get("node_shape_config") or {}
    return (pool.get("node_shape"), float(config.get("ocpus") or 0), float(config.get("memory_in_gbs") or 0))


def _pool_ads(pool):
    details = pool.get("node_config_details") or {}
    return sorted(p.get("availability_domain") for p in details.get("placement_configs") or [])


def pool_changes(pool, desired):
    """What the inventory asks that the node pool does not have (count, shape, size, placement, version)."""
    changes = []
    details = pool.get("node_config_details") or {}
    if details.get("size") != desired["size"]:
        changes.append("node count %s -> %s" % (details.get("size"), desired["size"]))
    shape = (desired["shape"], float(desired.get("ocpus") or 0), float(desired.get("memory_gbs") or 0))
    have = _pool_shape(pool)
    if have[0] != shape[0] or (desired.get("ocpus") and have[1:] != shape[1:]):
        changes.append("shape %s %g OCPU / %g GB -> %s %g OCPU / %g GB" % (have + shape))
    if desired.get("availability_domains") and _pool_ads(pool) != sorted(desired["availability_domains"]):
        changes.append("availability domains %s -> %s" % (
            ", ".join(_pool_ads(pool)) or "none", ", ".join(sorted(desired["availability_domains"]))))
    return changes


def pool_errors(pool, work_requests):
    """OCI's own words for why a node pool is not ACTIVE: its nodes' errors, then its failed work requests'."""
    errors = []
    for node in pool.get("nodes") or []:
        error = node.get("node_error") or {}
        if node.get("lifecycle_state") != "ACTIVE" and (error.get("message") or node.get("lifecycle_details")):
            errors.append("node %s in %s is %s: %s" % (
                node.get("name") or node.get("id"), node.get("availability_domain") or "?", node.get("lifecycle_state"),
                ("%s: %s" % (error["code"], error.get("message")) if error.get("code") else
                 error.get("message") or node.get("lifecycle_details"))))
    for request in work_requests or []:
        if request.get("status") == "FAILED" and any(r.get("identifier") == pool.get("id")
                                                     for r in request.get("resources") or []):
            for error in request.get("errors") or []:
                errors.append("work request %s (%s) failed: %s: %s" % (
                    request.get("id"), request.get("operation_type"), error.get("code"), error.get("message")))
    return errors


def cluster_plan(view, desired, offered, work_requests=None):
    """The oke_cluster role's decisions.

    desired: cni_type, pod_networking, pods_cidr, services_cidr, type, kubernetes_version (the inventory's minor),
    vcn_id and endpoint_subnet_id (when the network exists), and node_pool {size, shape, ocpus, memory_gbs,
    availability_domains (full names)}. Returns {cluster: create|update|wait, node_pool: create|update|replace|wait,
    versions, problems, notes}."""
    cluster, pool = view.get("cluster"), view.get("node_pool")
    plan = {"problems": list(view.get("problems") or []), "notes": [], "cluster_id": (cluster or {}).get("id", ""),
            "node_pool_id": (pool or {}).get("id", "")}
    if cluster and cluster.get("lifecycle_state") == "FAILED":
        plan["problems"].append("cluster %s is FAILED%s: delete it (make destroy, or the console) and run again"
                                % (cluster.get("name"), ": " + cluster["lifecycle_details"]
                                   if cluster.get("lifecycle_details") else ""))
        return plan
    if cluster:
        plan["problems"].extend(immutable_cluster_problems(cluster, desired))
    plan["cluster"] = "update" if cluster else "create"
    endpoint = (cluster or {}).get("endpoint_config") or {}
    plan["endpoint_update"] = bool(cluster) and (
        bool(endpoint.get("is_public_ip_enabled")) != bool(desired.get("endpoint_public"))
        or sorted(endpoint.get("nsg_ids") or []) != sorted(desired.get("endpoint_nsg_ids") or []))
    plan["cluster_busy"] = bool(cluster) and cluster.get("lifecycle_state") in BUSY_STATES
    versions = version_plan(cluster, pool, desired["kubernetes_version"], offered)
    plan["problems"].extend(versions.pop("problems"))
    plan["versions"] = versions
    if versions.get("upgrade"):
        plan["notes"].append("upgrade: control plane %s -> %s, then node pool %s -> %s" % (
            cluster.get("kubernetes_version"), versions["cluster"], (pool or {}).get("kubernetes_version", "(new)"),
            versions.get("node_pool")))
    plan["node_pool"] = "update" if pool else "create"
    plan["node_pool_busy"] = bool(pool) and pool.get("lifecycle_state") in BUSY_STATES
    if pool and pool.get("lifecycle_state") in ("FAILED", "NEEDS_ATTENTION"):
        changes = pool_changes(pool, desired["node_pool"])
        errors = pool_errors(pool, work_requests) or [pool.get("lifecycle_details") or "no error reported"]
        if not changes:
            plan["problems"].append(
                "node pool %s is %s: %s. The inventory asks for the same pool again, which would fail the same way: "
                "change oke_cluster_availability_domains, oke_cluster_node_shape / oke_cluster_node_ocpus / "
                "oke_cluster_node_memory_gbs or oke_cluster_node_count (docs/runbooks/troubleshooting.md), or delete "
                "the node pool and run again when capacity is back" % (
                    pool.get("name"), pool["lifecycle_state"], "; ".join(errors)))
        elif pool["lifecycle_state"] == "FAILED":
            # A FAILED node pool takes no update: it is deleted and created again with the new settings.
            plan["node_pool"] = "replace"
            plan["notes"].append("node pool %s is FAILED (%s); it is replaced with %s" % (
                pool.get("name"), "; ".join(errors), ", ".join(changes)))
        else:
            plan["notes"].append("node pool %s NEEDS_ATTENTION (%s); it is updated: %s" % (
                pool.get("name"), "; ".join(errors), ", ".join(changes)))
    return plan


def bastion_plan(read, name, tags, desired, adopt=False):
    """What converging the stack's OCI Bastion means: `id` and `state` of the one found (empty when none), `create`,
    `changes` (the fields UpdateBastion takes that differ: client CIDR allow-list, maximum session TTL, tags) and
    `problems` (a same-named bastion without the tags; one targeting another subnet, which OCI cannot change)."""
    plan = {"id": "", "state": "", "create": False, "changes": {}, "problems": []}
    bastion, foreign = find(read.get("bastions"), name, tags, name_key="name", adopt=adopt, kind="bastion")
    if foreign and not bastion:
        plan["problems"].append(_foreign_problem("bastion", name, foreign))
        return plan
    if not bastion:
        plan["create"] = True
        return plan
    plan.update(id=bastion["id"], state=bastion.get("lifecycle_state") or "")
    subnet = desired.get("subnet_id")
    if subnet and bastion.get("target_subnet_id") and bastion["target_subnet_id"] != subnet:
        plan["problems"].append(
            "bastion %s targets subnet %s, not the API endpoint's subnet %s, and OCI cannot change a bastion's target: "
            "delete the bastion (playbooks/destroy.yml with --tags oke_cluster, or the console) and run again"
            % (name, bastion["target_subnet_id"], subnet))
    if sorted(bastion.get("client_cidr_block_allow_list") or []) != sorted(desired.get("client_cidrs") or []):
        plan["changes"]["client_cidr_block_allow_list"] = list(desired.get("client_cidrs") or [])
    if int(bastion.get("max_session_ttl_in_seconds") or 0) != int(desired.get("max_session_ttl") or 0):
        plan["changes"]["max_session_ttl_in_seconds"] = int(desired["max_session_ttl"])
    if not owned(bastion, tags):
        plan["changes"]["freeform_tags"] = dict(bastion.get("freeform_tags") or {}, **tags)
    return plan
