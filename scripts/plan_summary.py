"""Print what a render wrote: objects per kind and namespace, Helm releases, OCI plan, resource requests against
the inventory's budget (eventstack_budget), where the files are.

Usage: plan_summary.py build/<env> [inventories/<env>]   (the inventory defaults to the build directory's name)
"""

from __future__ import annotations

import os
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, ".collections"))  # make setup links this checkout in as eventstack.oke
# pylint: disable=wrong-import-position
from ansible_collections.eventstack.oke.plugins.module_utils import _capacity, _manifests  # noqa: E402
from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity  # noqa: E402


def load_objects(manifests_dir):
    """Yield (file, object) for every document of every manifest, in file order."""
    if not os.path.isdir(manifests_dir):
        return
    for name in sorted(os.listdir(manifests_dir)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(manifests_dir, name), encoding="utf-8") as handle:
                for doc in yaml.safe_load_all(handle):
                    if doc:
                        yield name, doc


def inventory_values(inventory_dir):
    """group_vars/all of an inventory, merged (plain YAML; templated values stay text)."""
    merged = {}
    directory = os.path.join(inventory_dir, "group_vars", "all")
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        if name.endswith(".yml"):
            with open(os.path.join(directory, name), encoding="utf-8") as handle:
                merged.update(yaml.safe_load(handle) or {})
    return merged


def budget_lines(build_dir, inventory_dir):
    """Requests of every pod the stack runs, Dapr sidecars included, and how they compare with eventstack_budget."""
    values = inventory_values(inventory_dir)
    objects, releases = _manifests.load_build(build_dir)
    nodes = values.get("oke_cluster_node_count")
    groups = _capacity.workloads(objects, releases, int(nodes) if isinstance(nodes, int) else 1)
    if not groups:
        return []
    requested = _capacity.total(groups)["requests"]
    cpu, memory = requested["cpu"], requested["memory"]
    text = "Requests (every pod: platform, charts, operators' pods, apps and Dapr sidecars): %s CPU, %.2f GiB in " \
           "%d containers of %d pods"
    lines = [text % (_cores(cpu), memory / 2 ** 30, sum(g["replicas"] * g["containers"] for g in groups),
                     sum(g["replicas"] for g in groups))]
    wanted = values.get("eventstack_budget")
    if wanted:
        limit_cpu = parse_quantity(wanted["cpu"])
        limit_memory = parse_quantity(wanted["memory"])
        verdict = "within" if cpu <= limit_cpu and memory <= limit_memory else "OVER"
        lines.append("  %s the budget of %s CPU / %.2f GiB (eventstack_budget): %s CPU / %.2f GiB headroom"
                     % (verdict, _cores(limit_cpu), limit_memory / 2 ** 30, _cores(limit_cpu - cpu),
                        (limit_memory - memory) / 2 ** 30))
    extra_cpu, extra_memory = _capacity.surge(objects, releases)
    if extra_cpu or extra_memory:
        lines.append("  a rollout of every Deployment at once adds %s CPU / %.2f GiB (each its maxSurge pods, 25%% of "
                     "its replicas unless set)" % (_cores(extra_cpu), extra_memory / 2 ** 30))
    return lines


def _cores(value):
    return ("%.3f" % value).rstrip("0").rstrip(".")


def summarize(build_dir, inventory_dir=None):
    """Return the summary as a list of lines."""
    objects = list(load_objects(os.path.join(build_dir, "manifests")))
    lines = ["Plan for %s: %d Kubernetes objects" % (os.path.basename(os.path.normpath(build_dir)), len(objects))]
    counts = {}
    for obj in (doc for _name, doc in objects):
        key = (obj.get("kind", "?"), (obj.get("metadata") or {}).get("namespace") or "(cluster)")
        counts[key] = counts.get(key, 0) + 1
    if counts:
        width = max(len(key[0]) for key in counts) + 2
        lines.append("  %-*s %-24s %s" % (width, "KIND", "NAMESPACE", "COUNT"))
        for (kind, namespace), count in sorted(counts.items()):
            lines.append("  %-*s %-24s %d" % (width, kind, namespace, count))
    lines.extend(release_lines(build_dir))
    oci_plan = os.path.join(build_dir, "oci-plan.yaml")
    lines.append("OCI plan: %s" % (oci_plan if os.path.exists(oci_plan) else "none (no OCI roles in this run)"))
    lines.extend(oci_lines(oci_plan))
    if inventory_dir is None:
        inventory_dir = os.path.join(REPO, "inventories", os.path.basename(os.path.normpath(build_dir)))
    lines.extend(budget_lines(build_dir, inventory_dir))
    lines.append("Files: %s/manifests/, %s/helm/ (releases, their chart output and CRDs)" % (build_dir, build_dir))
    lines.append("Secret values are rendered as REDACTED.")
    return lines


def release_lines(build_dir):
    """The Helm releases, each with what the render expanded: its chart output (objects) and CRDs, or descriptor only."""
    releases = _manifests.load_releases(build_dir)
    expanded = sum(1 for release in releases if release["expanded"])
    lines = ["Helm releases: %d, %d expanded with helm template into helm/<release>.manifests.yaml%s" % (
        len(releases), expanded, "" if expanded == len(releases) else
        "; the others are descriptors only (their chart could not be reached: see the render's warnings)")]
    for release in releases:
        name = release.get("name")
        if release["expanded"]:
            objects = _count(os.path.join(build_dir, "helm", name + _manifests.CHART_OUTPUT))
            crds = _count(os.path.join(build_dir, "helm", name + _manifests.CHART_CRDS))
            state = "%d objects%s" % (objects, ", %d CRDs" % crds if crds else "")
            if release.get("crds_chart") and not crds:
                state += ", its CRD chart %s not reached (CRDs not rendered)" % release["crds_chart"].get("chart")
        else:
            state = "descriptor only (chart not reached)"
        lines.append("  %s: %s %s in %s: %s" % (name, release.get("chart"), release.get("version"),
                                                release.get("namespace"), state))
    return lines


def _count(path):
    if not os.path.exists(path):
        return 0
    with open(path, encoding="utf-8") as handle:
        return sum(1 for line in handle if line.startswith("kind: "))


def oci_lines(oci_plan):
    """The OCI plan's headline: subnets and rules, then the cluster and what its nodes consume."""
    if not os.path.exists(oci_plan):
        return []
    with open(oci_plan, encoding="utf-8") as handle:
        plan = yaml.safe_load(handle) or {}
    lines = []
    network = plan.get("network")
    if network:
        lines.append("  network: VCN %s, %d subnets, %d NSG rules" % (
            network["vcn"]["cidr_block"], len(network["subnets"]),
            sum(len(nsg["rules"]) for nsg in network["nsgs"].values())))
    oke = plan.get("oke")
    if oke:
        pool, totals = oke["node_pool"], oke["totals"]
        lines.append("  cluster: %s %s, Kubernetes %s, %s" % (
            oke["cluster"]["type"], oke["cluster"]["name"], oke["cluster"]["kubernetes_version"],
            oke["cluster"]["cni_type"]))
        lines.append("  nodes: %d x %s (%s OCPU / %s GB) = %s OCPU / %s GB, boot volumes %s GB" % (
            pool["size"], pool["shape"], pool["ocpus_per_node"], pool["memory_gbs_per_node"],
            totals["ocpus"], totals["memory_gbs"], totals["boot_volume_gbs"]))
        access = oke.get("api_access") or {}
        if access.get("via") == "bastion":
            cidrs = access["bastion"]["client_cidrs"]
            lines.append("  API: private, through bastion %s (sessions from %s), kubeconfig at %s" % (
                access["bastion"]["name"], ", ".join(cidrs) if cidrs else "nobody yet: set oke_cluster_bastion_client_cidrs",
                oke["kubeconfig"]["server"].split(" ")[0]))
        elif access:
            lines.append("  API: %s, reached directly" % ("public" if oke["cluster"]["endpoint"]["public"] else "private"))
    return lines


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if not os.path.isdir(argv[1]):
        print("plan_summary: %s does not exist; run make plan first" % argv[1], file=sys.stderr)
        return 1
    print("\n".join(summarize(argv[1], argv[2] if len(argv) == 3 else None)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
