# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the judgements of the OCI check modules, on plain data (no SDK, no HTTP).

- spread(node_count, ads): how OKE places a node pool's nodes over its availability domains (round robin).
- capacity_problems(...): the A1 cores and memory each AD must have free, against the Limits API's
  availability there (plus what this stack's existing nodes already hold there), one message per shortfall
  naming the inventory variables that change the request.
- cluster_health(cluster, node_pools, work_requests): ready or not, and why, with OCI's node errors and work
  request errors verbatim.
"""

from __future__ import annotations

NODE_VARIABLES = "oke_cluster_node_count, oke_cluster_node_ocpus or oke_cluster_node_memory_gbs"


def spread(node_count, availability_domains):
    """{ad: nodes} for node_count nodes placed round robin over the ADs, in order."""
    placed = {ad: 0 for ad in availability_domains}
    for index in range(node_count):
        placed[availability_domains[index % len(availability_domains)]] += 1
    return placed


def capacity_problems(availability, node_count, ocpus, memory_gbs, placement, held=None):
    """Shortfalls of A1 cores/memory per AD.

    availability: {ad: {"cores": {"available": n, "used": n}, "memory": {...}}} from the Limits API.
    placement: the ADs the node pool uses, in order. held: {ad: {"cores": n, "memory": n}} that this stack's
    existing nodes already consume there (they are replaced or kept, not added).
    """
    problems = []
    held = held or {}
    total_need = {"cores": 0.0, "memory": 0.0}
    total_free = {"cores": 0.0, "memory": 0.0}
    for ad, nodes in spread(node_count, placement).items():
        need = {"cores": nodes * ocpus, "memory": nodes * memory_gbs}
        for resource, unit, per_node in (("cores", "OCPUs", ocpus), ("memory", "GB", memory_gbs)):
            info = (availability.get(ad) or {}).get(resource) or {}
            free = float(info.get("available") or 0) + float((held.get(ad) or {}).get(resource) or 0)
            total_need[resource] += need[resource]
            total_free[resource] += free
            if need[resource] > free:
                problems.append(
                    "%s needs %g A1 %s for %d node(s) of %g but only %g are free (limit used: %g); lower %s, or ask "
                    "for a limit increase" % (ad, need[resource], unit, nodes, per_node, free,
                                              float(info.get("used") or 0), NODE_VARIABLES))
    return problems, {"need": total_need, "free": total_free}


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
