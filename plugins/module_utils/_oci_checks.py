# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the judgements of the OCI check modules, on plain data (no SDK, no HTTP).

- spread(node_count, ads): how OKE places a node pool's nodes over its availability domains (round robin).
- capacity_problems(...): the A1 cores and memory each AD must have free, against the Limits API's
  availability there (plus what this stack's existing nodes already hold there), one message per shortfall
  naming the inventory variables that change the request.
- volume_gbs(size): the block volume OKE's CSI driver (oci-bv) makes for a claim of that size: whole GB, at least
  50 (OCI's smallest block volume); OCI's GB are 2^30 bytes.
- storage_problems(...): the boot volumes of the nodes and the stack's persistent volumes against the live
  block-storage limit (total-storage-gb) of the ADs the nodes use, naming the variables that change the need.
- cluster_health(cluster, node_pools, work_requests): ready or not, and why, with OCI's node errors and work
  request errors verbatim.
"""

from __future__ import annotations

import math

from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity

NODE_VARIABLES = "oke_cluster_node_count, oke_cluster_node_ocpus or oke_cluster_node_memory_gbs"


def spread(node_count, availability_domains):
    """{ad: nodes} for node_count nodes placed round robin over the ADs, in order."""
    placed = {ad: 0 for ad in availability_domains}
    for index in range(node_count):
        placed[availability_domains[index % len(availability_domains)]] += 1
    return placed


SURGE_VARIABLES = "oke_cluster_node_cycling_max_surge (and raise oke_cluster_node_cycling_max_unavailable)"


def surge_nodes(surge, node_count):
    """Nodes node cycling adds at once: maximum_surge as OKE takes it, a number or a percentage of the pool."""
    text = str(surge).strip()
    if text.endswith("%"):
        return int(math.ceil(float(text[:-1]) * node_count / 100.0))
    return int(float(text or 0))


def capacity_problems(availability, node_count, ocpus, memory_gbs, placement, held=None, surge=0):
    """Shortfalls of A1 cores/memory per AD.

    availability: {ad: {"cores": {"available": n, "used": n}, "memory": {...}}} from the Limits API.
    placement: the ADs the node pool uses, in order. held: {ad: {"cores": n, "memory": n}} that this stack's
    existing nodes already consume there (they are replaced or kept, not added). surge: extra nodes that run at
    the same time while an upgrade cycles the pool's nodes (placed as the next nodes would be).
    """
    problems = []
    held = held or {}
    total_need = {"cores": 0.0, "memory": 0.0}
    total_free = {"cores": 0.0, "memory": 0.0}
    surged = " (%d of them the surge node(s) node cycling adds during the upgrade; or lower %s)" % (
        surge, SURGE_VARIABLES) if surge else ""
    for ad, nodes in spread(node_count + surge, placement).items():
        need = {"cores": nodes * ocpus, "memory": nodes * memory_gbs}
        for resource, unit, per_node in (("cores", "OCPUs", ocpus), ("memory", "GB", memory_gbs)):
            info = (availability.get(ad) or {}).get(resource) or {}
            free = float(info.get("available") or 0) + float((held.get(ad) or {}).get(resource) or 0)
            total_need[resource] += need[resource]
            total_free[resource] += free
            if need[resource] > free:
                problems.append(
                    "%s needs %g A1 %s for %d node(s) of %g but only %g are free (limit used: %g); lower %s, or ask "
                    "for a limit increase%s" % (ad, need[resource], unit, nodes, per_node, free,
                                                float(info.get("used") or 0), NODE_VARIABLES, surged))
    return problems, {"need": total_need, "free": total_free}


def regional_capacity_problems(regional, nodes, ocpus, memory_gbs, held=None):
    """Shortfalls against the region-wide A1 limits ({"cores": {"available", "used"}, "memory": {...}}); what this
    stack's nodes hold (held, per AD) counts as available."""
    problems = []
    for resource, unit, per_node in (("cores", "OCPUs", ocpus), ("memory", "GB", memory_gbs)):
        info = regional.get(resource)
        if not info:
            continue
        kept = sum(float((v or {}).get(resource) or 0) for v in (held or {}).values() if isinstance(v, dict))
        free = float(info.get("available") or 0) + kept
        need = nodes * per_node
        if need > free:
            problems.append("the region needs %g A1 %s for %d node(s) of %g but only %g are free in the region's limit "
                            "(used: %g); lower %s, or ask for a limit increase" % (
                                need, unit, nodes, per_node, free, float(info.get("used") or 0), NODE_VARIABLES))
    return problems


MIN_VOLUME_GBS = 50
STORAGE_VARIABLES = "oke_cluster_node_count or oke_cluster_node_boot_volume_gbs"


def volume_gbs(size):
    """GB of the block volume a claim of `size` (a Kubernetes quantity, e.g. 1Gi) gets on OKE."""
    return max(MIN_VOLUME_GBS, int(math.ceil(parse_quantity(size) / (2 ** 30))))


def storage_problems(availability, node_count, boot_gbs, placement, volumes, held_gbs=0):
    """Block storage the stack needs against what the placement ADs have free.

    availability: {ad: {"available": n, "used": n}} of block-storage total-storage-gb. volumes: the persistent
    volumes the stack claims, [{name, size, count, variable}]. held_gbs: what this stack already holds (its existing
    nodes' boot volumes and, once its cluster exists, its claims): replaced or kept, not added.
    Returns (problems, {"need": {"boot": n, "volumes": n, "total": n}, "free": n, "volumes": [...]})."""
    boot = node_count * boot_gbs
    claims = [dict(v, gbs=volume_gbs(v["size"]) * int(v.get("count", 1))) for v in volumes or [] if int(v.get(
        "count", 1)) > 0]
    need = boot + sum(c["gbs"] for c in claims)
    free = sum(float((availability.get(ad) or {}).get("available") or 0) for ad in placement) + held_gbs
    facts = {"need": {"boot": boot, "volumes": need - boot, "total": need}, "free": free,
             "volumes": [{"name": c["name"], "gbs": c["gbs"], "count": int(c.get("count", 1))} for c in claims]}
    if need <= free:
        return [], facts
    parts = ["%d boot volume(s) of %d GB" % (node_count, boot_gbs)] + [
        "%s %d x %d GB (%s)" % (c["name"], int(c.get("count", 1)), volume_gbs(c["size"]), c["variable"]) for c in claims]
    return ["the stack needs %g GB of block storage (%s; OCI's smallest block volume is %d GB) but %s %s %g GB free; "
            "lower %s or the claims named, or ask for a limit increase"
            % (need, ", ".join(parts), MIN_VOLUME_GBS, ", ".join(placement), "has" if len(placement) == 1 else "have",
               free, STORAGE_VARIABLES)], facts


def _node_problem(pool, node):
    error = node.get("node_error") or {}
    detail = error.get("message") or node.get("lifecycle_details") or ""
    if error.get("code"):
        detail = "%s: %s" % (error["code"], detail)
    return "node %s of node pool %s in %s is %s%s" % (
        node.get("name") or node.get("id"), pool.get("name"), node.get("availability_domain") or "?",
        node.get("lifecycle_state"), (": " + detail) if detail else "")


def cluster_health(cluster, node_pools, work_requests):
    """(ready, problems). Ready means the cluster, every node pool and every node are ACTIVE; failed work
    requests are reported but, once the resources are ACTIVE, do not make the cluster unready."""
    problems = []
    if cluster.get("lifecycle_state") != "ACTIVE":
        problems.append("cluster %s is %s%s" % (cluster.get("name"), cluster.get("lifecycle_state"),
                                                ": " + cluster["lifecycle_details"]
                                                if cluster.get("lifecycle_details") else ""))
    if not node_pools:
        problems.append("cluster %s has no node pool" % cluster.get("name"))
    for pool in node_pools:
        if pool.get("lifecycle_state") != "ACTIVE":
            problems.append("node pool %s is %s%s" % (pool.get("name"), pool.get("lifecycle_state"),
                                                      ": " + pool["lifecycle_details"]
                                                      if pool.get("lifecycle_details") else ""))
        nodes = pool.get("nodes") or []
        problems.extend(_node_problem(pool, node) for node in nodes if node.get("lifecycle_state") != "ACTIVE")
        size = ((pool.get("node_config_details") or {}).get("size"))
        if size is not None and len(nodes) < size:
            problems.append("node pool %s has %d of %d nodes" % (pool.get("name"), len(nodes), size))
    for request in work_requests:
        if request.get("status") == "FAILED":
            errors = "; ".join("%s: %s" % (e.get("code"), e.get("message")) for e in request.get("errors") or [])
            problems.append("work request %s (%s) FAILED%s" % (
                request.get("id"), request.get("operation_type"), ": " + errors if errors else ""))
    return not problems or all(p.startswith("work request") for p in problems), problems
