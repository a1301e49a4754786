# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OKE choices made from what the region offers (docs in the oke_*.yml files beside it)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.module_utils import _oke
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin, typed


def oke_kubernetes_version(offered, wanted):
    try:
        return _oke.resolve_kubernetes_version(wanted, to_builtin(offered or []))
    except _oke.OkeError as exc:
        raise AnsibleFilterError("%s (set eventstack_kubernetes_version to one of them)" % exc) from exc


def oke_node_image(sources, kubernetes_version, shape, os_name="Oracle-Linux", os_major="8"):
    try:
        return _oke.select_node_image(to_builtin(sources or []), kubernetes_version, _oke.shape_architecture(shape),
                                      os_name, os_major)
    except _oke.OkeError as exc:
        raise AnsibleFilterError("%s (set oke_cluster_node_image_id to an image OCID, or change "
                                 "oke_cluster_node_image_os / oke_cluster_node_image_os_version)" % exc) from exc


def oke_placement(availability_domains, wanted, subnet_id):
    try:
        return _oke.placement_configs(to_builtin(availability_domains or []), to_builtin(wanted or []), subnet_id)
    except _oke.OkeError as exc:
        raise AnsibleFilterError("%s (check oke_cluster_availability_domains)" % exc) from exc


_TYPES = {"node_count": "int", "node_ocpus": "int", "node_memory_gbs": "int", "node_boot_volume_gbs": "int",
          "max_pods_per_node": "int", "api_endpoint_public": "bool", "bastion_max_session_ttl": "int",
          "bastion_session_min_left": "int", "bastion_local_port": "int"}


def oke_cluster_problems(settings):
    settings = typed(to_builtin(settings or {}), _TYPES)
    settings["network"] = typed(settings.get("network") or {}, {"node_count": "int", "api_endpoint_public": "bool"})
    return _oke.cluster_problems(settings)


def oke_kubeconfig_current(text, cluster_id, server, local_port=0):
    return _oke.kubeconfig_current(text, cluster_id, server, int(local_port or 0))


def oke_kubeconfig_tunnel(text, local_port):
    return _oke.kubeconfig_via_tunnel(text, int(local_port))


class FilterModule:
    def filters(self):
        return {"oke_kubernetes_version": oke_kubernetes_version, "oke_node_image": oke_node_image,
                "oke_placement": oke_placement, "oke_cluster_problems": oke_cluster_problems,
                "oke_kubeconfig_current": oke_kubeconfig_current, "oke_kubeconfig_tunnel": oke_kubeconfig_tunnel}
