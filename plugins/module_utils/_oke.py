# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: choices the oke_cluster role makes from what the region offers.

- resolve_kubernetes_version("1.34", ["v1.33.1", "v1.34.1", "v1.34.2"]) -> "v1.34.2": the newest patch of
  the inventory's minor version that the region offers (cluster options), or an OkeError listing them.
- shape_architecture("VM.Standard.A1.Flex") -> "aarch64": Ampere shapes (A1, A2, A4) run arm64 images.
- select_node_image(sources, "v1.34.2", "aarch64", "Oracle-Linux", "8") -> the newest OKE image for that
  Kubernetes version, architecture and OS release among the node-pool options' sources, skipping GPU builds.
  OKE image names look like Oracle-Linux-8.10-aarch64-2025.09.16-0-OKE-1.34.2-1186 (x86_64 images have no
  architecture part; GPU images say GPU or Gen2-GPU).
- placement_configs(ads, wanted, subnet_id): one placement per availability domain, in the region's order.
- cluster_problems(settings): the consistency rules of the oke_cluster settings, one message per problem.
"""

from __future__ import annotations

import ipaddress
import re

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?$")
_IMAGE = re.compile(
    r"^(?P<os>[A-Za-z]+(?:-[A-Za-z]+)*)-(?P<os_version>\d+(?:\.\d+)*)"
    r"(?:-(?P<arch>aarch64))?(?:-(?P<gpu>Gen2-GPU|GPU))?"
    r"-(?P<date>\d{4}\.\d{2}\.\d{2})-(?P<build>\d+)"
    r"-OKE-(?P<k8s>\d+\.\d+\.\d+)-(?P<oke_build>\d+)$")
_AMPERE = re.compile(r"\.Standard\.A\d+\.")


class OkeError(ValueError):
    """A choice cannot be made; the message says why and what is on offer."""


def parse_version(text):
    """'v1.34.2' | '1.34' -> (1, 34, 2) | (1, 34, None); None when it is not a version."""
    match = _VERSION.match(str(text).strip())
    if not match:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch) if patch is not None else None


def resolve_kubernetes_version(wanted, offered):
    """The newest offered version ('vX.Y.Z') whose major.minor (and patch, when given) match `wanted`."""
    want = parse_version(wanted)
    if want is None:
        raise OkeError("%r is not a Kubernetes version (expected 1.34 or v1.34.2)" % (wanted,))
    candidates = []
    for version in offered or []:
        have = parse_version(version)
        if have is None or have[:2] != want[:2]:
            continue
        if want[2] is not None and have[2] != want[2]:
            continue
        candidates.append((have, "v%d.%d.%d" % (have[0], have[1], have[2] or 0)))
    if not candidates:
        listed = ", ".join(sorted({str(v) for v in offered or []}, key=_version_key)) or "none"
        raise OkeError("Kubernetes %s is not offered for new clusters in this region; offered: %s"
                       % (wanted, listed))
    return max(candidates)[1]


def _version_key(text):
    parsed = parse_version(text)
    return (parsed[0], parsed[1], parsed[2] or 0) if parsed else (0, 0, 0)


def shape_architecture(shape):
    """aarch64 for Ampere shapes (VM.Standard.A1.Flex, BM.Standard.A1.160, VM.Standard.A2.Flex ...), else x86_64."""
    return "aarch64" if _AMPERE.search(str(shape)) else "x86_64"


def parse_image_name(name):
    """The parts of an OKE image name as a dict, or None for anything else (platform images, custom images)."""
    match = _IMAGE.match(str(name))
    if not match:
        return None
    parts = match.groupdict()
    parts["arch"] = parts["arch"] or "x86_64"
    return parts


def select_node_image(sources, kubernetes_version, architecture, os_name="Oracle-Linux", os_major="8"):
    """The newest OKE image (dict with image_id and source_name) for the cluster version, arch and OS release."""
    want = parse_version(kubernetes_version)
    if want is None or want[2] is None:
        raise OkeError("select_node_image needs a full Kubernetes version such as v1.34.2, got %r"
                       % (kubernetes_version,))
    wanted_k8s = "%d.%d.%d" % want
    best = None
    seen = set()
    for source in sources or []:
        name = source.get("source_name") or source.get("sourceName") or ""
        parts = parse_image_name(name)
        if not parts or parts["gpu"]:
            continue
        seen.add("%s %s %s OKE-%s" % (parts["os"], parts["os_version"], parts["arch"], parts["k8s"]))
        if (parts["arch"] != architecture or parts["os"] != os_name
                or parts["os_version"].split(".")[0] != str(os_major) or parts["k8s"] != wanted_k8s):
            continue
        key = (tuple(int(p) for p in parts["os_version"].split(".")), parts["date"], int(parts["build"]),
               int(parts["oke_build"]))
        if best is None or key > best[0]:
            best = (key, {"image_id": source.get("image_id") or source.get("imageId"), "source_name": name})
    if best is None:
        raise OkeError("no %s %s %s OKE image for Kubernetes %s among the node pool options (%d OKE images seen%s)"
                       % (os_name, os_major, architecture, wanted_k8s, len(seen),
                          (": " + ", ".join(sorted(seen)[:12])) if seen else ""))
    return best[1]


def placement_configs(availability_domains, wanted, subnet_id):
    """Placement across the region's ADs (or the wanted ones, matched by name suffix such as 'AD-1')."""
    names = [ad.get("name") if isinstance(ad, dict) else str(ad) for ad in availability_domains or []]
    if not names:
        raise OkeError("the region reported no availability domains")
    if wanted:
        chosen = []
        for want in wanted:
            match = [name for name in names if name == want or name.endswith(str(want))]
            if not match:
                raise OkeError("availability domain %r is not in this region; it has: %s" % (want, ", ".join(names)))
            chosen.extend(m for m in match if m not in chosen)
        names = chosen
    return [{"availability_domain": name, "subnet_id": subnet_id} for name in names]


def cluster_problems(settings):
    """Rules of the oke_cluster settings that an argument spec cannot express; each names its variable and fix.

    settings: the oke_cluster_* values without their prefix, plus `network` with the oci_network values the
    inventory sets (vcn_cidr, pod_networking, node_count, api_endpoint_public), when the network role runs too.
    """
    problems = []
    count, ocpus, memory = settings.get("node_count"), settings.get("node_ocpus"), settings.get("node_memory_gbs")
    if not isinstance(count, int) or count < 1:
        problems.append("oke_cluster_node_count: %r must be at least 1" % (count,))
    flexible = str(settings.get("node_shape", "")).endswith(".Flex")
    if flexible:
        if not isinstance(ocpus, int) or ocpus < 1:
            problems.append("oke_cluster_node_ocpus: %r must be at least 1 for a flexible shape" % (ocpus,))
        elif not isinstance(memory, int) or not ocpus <= memory <= 64 * ocpus:
            problems.append("oke_cluster_node_memory_gbs: %r must be between 1 and 64 GB per OCPU (%d..%d for %d "
                            "OCPUs)" % (memory, ocpus, 64 * ocpus, ocpus))
    boot = settings.get("node_boot_volume_gbs")
    if not isinstance(boot, int) or not 50 <= boot <= 32768:
        problems.append("oke_cluster_node_boot_volume_gbs: %r must be between 50 (the OCI minimum) and 32768"
                        % (boot,))
    max_pods = settings.get("max_pods_per_node")
    if settings.get("pod_networking") == "vcn_native" and (not isinstance(max_pods, int) or not 1 <= max_pods <= 110):
        problems.append("oke_cluster_max_pods_per_node: %r must be between 1 and 110" % (max_pods,))

    networks = {}
    network = settings.get("network") or {}
    for name, value in (("oke_cluster_pods_cidr", settings.get("pods_cidr")),
                        ("oke_cluster_services_cidr", settings.get("services_cidr")),
                        ("oci_network_vcn_cidr", network.get("vcn_cidr"))):
        if value in (None, ""):
            continue
        try:
            networks[name] = ipaddress.ip_network(str(value), strict=True)
        except ValueError as exc:
            problems.append("%s: %r is not a network CIDR (%s)" % (name, value, exc))
    checked = sorted(networks)
    if settings.get("pod_networking") == "vcn_native":
        checked = [name for name in checked if name != "oke_cluster_pods_cidr"]
    for index, first in enumerate(checked):
        for second in checked[index + 1:]:
            if networks[first].overlaps(networks[second]):
                problems.append("%s (%s) overlaps %s (%s); choose ranges that do not overlap"
                                % (first, networks[first], second, networks[second]))

    for key, variable in (("pod_networking", "oci_network_pod_networking"),
                          ("api_endpoint_public", "oci_network_api_endpoint_public")):
        if key in network and network[key] != settings.get(key):
            problems.append("oke_cluster_%s is %r but %s is %r; the cluster must match its network (set both from one "
                            "inventory value)" % (key, settings.get(key), variable, network[key]))
    if isinstance(network.get("node_count"), int) and isinstance(count, int) and network["node_count"] < count:
        problems.append("oke_cluster_node_count is %d but the network is sized for oci_network_node_count=%d; set "
                        "oci_network_node_count to at least %d" % (count, network["node_count"], count))
    if not settings.get("kubeconfig_path"):
        problems.append("oke_cluster_kubeconfig_path is empty; set eventstack_kubeconfig to where the kubeconfig "
                        "should be written")
    problems.extend(access_problems(settings, networks.get("oci_network_vcn_cidr")))
    return problems


def access_problems(settings, vcn=None):
    """The rules of oke_cluster_api_access: a bastion serves a private endpoint only, needs the CIDRs that may open
    sessions (apply mode: render changes nothing and needs none), a session TTL OCI takes, and an API allow-list that
    admits the bastion (it connects from its private address in the API endpoint subnet)."""
    access = settings.get("api_access") or "direct"
    if access != "bastion":
        return []
    problems = []
    if settings.get("api_endpoint_public"):
        problems.append("oke_cluster_api_access is bastion but oke_cluster_api_endpoint_public is true: a bastion "
                        "serves a private endpoint; set oke_cluster_api_endpoint_public: false, or "
                        "oke_cluster_api_access: direct")
    cidrs = settings.get("bastion_client_cidrs") or []
    for cidr in cidrs:
        try:
            ipaddress.ip_network(str(cidr), strict=True)
        except ValueError as exc:
            problems.append("oke_cluster_bastion_client_cidrs: %r is not a network CIDR (%s)" % (cidr, exc))
    if not cidrs and settings.get("mode", "apply") == "apply":
        problems.append("oke_cluster_bastion_client_cidrs is empty: set it to the public address this controller "
                        "connects from, as a CIDR (for example [203.0.113.7/32]); only those may open bastion sessions")
    ttl, min_left = settings.get("bastion_max_session_ttl"), settings.get("bastion_session_min_left")
    if not isinstance(ttl, int) or not 1800 <= ttl <= 10800:
        problems.append("oke_cluster_bastion_max_session_ttl: %r must be between 1800 and 10800 seconds (OCI's range)"
                        % (ttl,))
    elif not isinstance(min_left, int) or not 0 <= min_left < ttl:
        problems.append("oke_cluster_bastion_session_min_left: %r must be at least 0 and below "
                        "oke_cluster_bastion_max_session_ttl (%d)" % (min_left, ttl))
    port = settings.get("bastion_local_port")
    if not isinstance(port, int) or not 1024 <= port <= 65535:
        problems.append("oke_cluster_bastion_local_port: %r must be a port between 1024 and 65535" % (port,))
    if not re.match(r"^[A-Za-z0-9]{1,255}$", str(settings.get("bastion_name") or "")):
        problems.append("oke_cluster_bastion_name: %r may hold letters and digits only (OCI's rule for bastion names)"
                        % (settings.get("bastion_name"),))
    allowed = (settings.get("network") or {}).get("api_allowed_cidrs")
    if vcn is not None and allowed is not None:
        inside = []
        for cidr in allowed or []:
            try:
                inside.append(ipaddress.ip_network(str(cidr), strict=False))
            except ValueError:
                continue
        if not any(vcn.subnet_of(net) for net in inside if net.version == vcn.version):
            problems.append("oke_cluster_api_access is bastion, but oci_network_api_allowed_cidrs does not admit the "
                            "VCN (%s): the bastion reaches the API on 6443 from its address in the API endpoint "
                            "subnet; add %s to oci_network_api_allowed_cidrs" % (vcn, vcn))
    return problems


def kubeconfig_current(text, cluster_id, server, local_port=0):
    """Whether a kubeconfig (its YAML text; empty when there is none) already reaches this cluster: a cluster entry
    with this API server (https://<endpoint>) and a user whose exec command asks a token for this cluster id. With
    local_port (a bastion tunnel), the entry must point at https://127.0.0.1:<local_port> and keep the endpoint's
    own name for TLS (tls-server-name).

    OKE's kubeconfig changes only when the endpoint does, so a current one need not be asked for again (generating it
    is a POST to OCI, and a run with nothing to change sends none)."""
    import yaml  # pylint: disable=import-outside-toplevel

    if not text or not cluster_id or not server:
        return False
    try:
        config = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return False
    if not isinstance(config, dict):
        return False
    host = server.rsplit(":", 1)[0]
    want = ("https://127.0.0.1:%d" % int(local_port), host) if local_port else ("https://%s" % server, None)
    servers = {((c.get("cluster") or {}).get("server"), (c.get("cluster") or {}).get("tls-server-name"))
               for c in config.get("clusters") or [] if isinstance(c, dict)}
    args = [((u.get("user") or {}).get("exec") or {}).get("args") or [] for u in config.get("users") or []
            if isinstance(u, dict)]
    return want in servers and any(cluster_id in a for a in args)


def kubeconfig_via_tunnel(text, local_port):
    """OKE's kubeconfig pointed at a tunnel's local end: each cluster's server becomes https://127.0.0.1:<local_port>
    and its tls-server-name the endpoint's host, so the API server's certificate (issued for the endpoint's
    address) is still verified against the cluster's CA."""
    import yaml  # pylint: disable=import-outside-toplevel

    config = yaml.safe_load(text) or {}
    for entry in config.get("clusters") or []:
        cluster = entry.get("cluster") or {}
        server = cluster.get("server") or ""
        if not server.startswith("https://"):
            raise ValueError("cluster %s has no https server to tunnel to (%r)" % (entry.get("name"), server))
        host = server[len("https://"):].split("/", 1)[0]
        cluster["tls-server-name"] = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        cluster["server"] = "https://127.0.0.1:%d" % int(local_port)
    return yaml.safe_dump(config, default_flow_style=False, sort_keys=False)
