# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: where the policy engine (Calico through the Tigera operator) can enforce NetworkPolicy on OKE.

Oracle documents Calico for both OKE CNIs ("Example: Installing Calico and Setting Up Network Policies"):

- flannel: Calico *in place of* flannel - flannel switched off (a basic cluster's node pools carry the label
  ``oci.oraclecloud.com/custom-k8s-networking=true``; an enhanced cluster's flannel add-on is disabled), then Calico's
  policy-only manifest with ``CALICO_MANAGE_CNI`` (Calico's CNI, host-local IPAM on each node's pod CIDR, no BGP). The
  Tigera operator expresses the same as an Installation with ``cni: {type: Calico, ipam: {type: HostLocal}}`` and
  ``bgp: Disabled`` (its own migration maps that manifest to exactly this).
- VCN-native: Calico *alongside* the OCI CNI, configured through calico-node's environment (no CNI installed,
  ``FELIX_INTERFACEPREFIX=oci``, ``NO_DEFAULT_POOLS``, ``FELIX_CHAININSERTMODE=Append``,
  ``FELIX_IPTABLESMANGLEALLOWACTION=Return``). The operator cannot run that: its Installation's ``cni.type`` is one
  of Calico, GKE, AmazonVPC, AzureVNET; ``Calico`` installs Calico's own CNI (it would take pod networking over from
  the OCI CNI), and each other type sets calico-node's and Typha's ``FELIX_INTERFACEPREFIX`` (eni, gke, azv) as an
  environment variable, which takes precedence over any FelixConfiguration - so Felix would never see the OCI CNI's
  ``oci`` interfaces and would enforce nothing.
"""

from __future__ import annotations

import ipaddress

CUSTOM_NETWORKING_LABEL = "oci.oraclecloud.com/custom-k8s-networking"


def problems(settings):
    """Messages naming the variable and the fix when the engine cannot run as asked (settings: enabled,
    pod_networking, cluster_type, pods_cidr)."""
    if not settings.get("enabled"):
        return []
    networking = settings.get("pod_networking") or ""
    found = []
    if networking == "vcn_native":
        found.append(
            "policy_engine_enabled: the Tigera operator cannot run Calico beside OKE's VCN-native CNI (Oracle's "
            "procedure sets calico-node's FELIX_INTERFACEPREFIX=oci, which no Installation setting reaches: cni.type "
            "Calico would replace the OCI CNI, the other types force their own interface prefix); set "
            "policy_engine_enabled: false and hardening_cni_enforces_policies: false, or install Calico as Oracle "
            "documents (roles/policy_engine/README.md)")
    elif networking != "flannel":
        found.append("policy_engine_enabled: Calico is set up for an OKE cluster with flannel pod networking "
                     "(oke_cluster_pod_networking), not %r" % (networking or "a cluster the OCI roles do not manage"))
    if networking == "flannel" and settings.get("cluster_type") == "ENHANCED_CLUSTER":
        found.append(
            "policy_engine_enabled: on an enhanced cluster flannel is a cluster add-on that must be disabled before "
            "Calico takes over (Oracle: 'Disabling (and Removing) a Cluster Add-on'); this collection does not manage "
            "add-ons - disable it, then run again, or use a basic cluster (oke_cluster_type: BASIC_CLUSTER), whose "
            "node pools get the %s label" % CUSTOM_NETWORKING_LABEL)
    cidr = settings.get("pods_cidr") or ""
    if networking == "flannel":
        try:
            ipaddress.ip_network(str(cidr), strict=True)
        except ValueError:
            found.append("policy_engine_pods_cidr: %r is not the cluster's pod CIDR (oke_cluster_pods_cidr), which "
                         "Calico's IP pool must be" % (cidr,))
    return found
