from __future__ import annotations

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _oke

# Shaped like node pool options' sources: OKE images for two versions, both architectures, GPU builds and a
# plain platform image that must never be chosen.
SOURCES = [
    {"source_type": "IMAGE", "image_id": "ocid1.image.arm-old", "source_name":
        "Oracle-Linux-8.10-aarch64-2025.08.01-0-OKE-1.34.2-1150"},
    {"source_type": "IMAGE", "image_id": "ocid1.image.arm-new", "source_name":
        "Oracle-Linux-8.10-aarch64-2025.09.16-0-OKE-1.34.2-1186"},
    {"source_type": "IMAGE", "image_id": "ocid1.image.arm-133", "source_name":
        "Oracle-Linux-8.10-aarch64-2025.10.01-0-OKE-1.33.1-1190"},
    {"source_type": "IMAGE", "image_id": "ocid1.image.x86-new", "source_name":
        "Oracle-Linux-8.10-2025.09.16-0-OKE-1.34.2-1186"},
    {"source_type": "IMAGE", "image_id": "ocid1.image.gpu", "source_name":
        "Oracle-Linux-8.10-Gen2-GPU-2025.12.01-0-OKE-1.34.2-1200"},
    {"source_type": "IMAGE", "image_id": "ocid1.image.ol9", "source_name":
        "Oracle-Linux-9.6-aarch64-2025.11.01-0-OKE-1.34.2-1199"},
    {"source_type": "IMAGE", "image_id": "ocid1.image.platform", "source_name": "Oracle-Linux-8.10-aarch64-2025.12.01-0"},
]


@pytest.mark.parametrize("wanted, expected", [("1.34", "v1.34.2"), ("v1.33", "v1.33.1"), ("1.34.1", "v1.34.1"),
                                              ("v1.34.2", "v1.34.2")])
def test_resolves_the_newest_patch_of_the_minor(wanted, expected):
    assert _oke.resolve_kubernetes_version(wanted, ["v1.33.1", "v1.34.1", "v1.34.2", "v1.32.10"]) == expected


def test_unoffered_version_lists_what_is_offered_in_order():
    with pytest.raises(_oke.OkeError) as exc:
        _oke.resolve_kubernetes_version("1.36", ["v1.34.2", "v1.33.1", "v1.32.10"])
    assert "Kubernetes 1.36 is not offered" in str(exc.value)
    assert str(exc.value).endswith("offered: v1.32.10, v1.33.1, v1.34.2")


def test_exact_patch_must_be_offered():
    with pytest.raises(_oke.OkeError):
        _oke.resolve_kubernetes_version("1.34.9", ["v1.34.2"])


def test_not_a_version():
    with pytest.raises(_oke.OkeError, match="not a Kubernetes version"):
        _oke.resolve_kubernetes_version("latest", ["v1.34.2"])


@pytest.mark.parametrize("shape, arch", [("VM.Standard.A1.Flex", "aarch64"), ("BM.Standard.A1.160", "aarch64"),
                                         ("VM.Standard.A2.Flex", "aarch64"), ("VM.Standard.A4.Flex", "aarch64"),
                                         ("VM.Standard.E4.Flex", "x86_64"), ("VM.Standard3.Flex", "x86_64"),
                                         ("VM.GPU.A10.1", "x86_64")])
def test_shape_architecture(shape, arch):
    assert _oke.shape_architecture(shape) == arch


def test_parse_image_name():
    parts = _oke.parse_image_name("Oracle-Linux-8.10-aarch64-2025.09.16-0-OKE-1.34.2-1186")
    assert parts == {"os": "Oracle-Linux", "os_version": "8.10", "arch": "aarch64", "gpu": None,
                     "date": "2025.09.16", "build": "0", "k8s": "1.34.2", "oke_build": "1186"}
    assert _oke.parse_image_name("Oracle-Linux-8.10-2025.09.16-0-OKE-1.34.2-1186")["arch"] == "x86_64"
    assert _oke.parse_image_name("Oracle-Linux-8.10-Gen2-GPU-2025.12.01-0-OKE-1.34.2-1200")["gpu"] == "Gen2-GPU"
    assert _oke.parse_image_name("Oracle-Linux-8.10-aarch64-2025.12.01-0") is None


def test_selects_newest_oke_image_for_version_arch_and_os():
    chosen = _oke.select_node_image(SOURCES, "v1.34.2", "aarch64")
    assert chosen == {"image_id": "ocid1.image.arm-new",
                      "source_name": "Oracle-Linux-8.10-aarch64-2025.09.16-0-OKE-1.34.2-1186"}
    assert _oke.select_node_image(SOURCES, "v1.34.2", "x86_64")["image_id"] == "ocid1.image.x86-new"
    assert _oke.select_node_image(SOURCES, "v1.34.2", "aarch64", os_major="9")["image_id"] == "ocid1.image.ol9"
    assert _oke.select_node_image(SOURCES, "v1.33.1", "aarch64")["image_id"] == "ocid1.image.arm-133"


def test_accepts_camel_case_sources():
    sources = [{"sourceName": "Oracle-Linux-8.10-aarch64-2025.09.16-0-OKE-1.34.2-1186", "imageId": "ocid1.image.c"}]
    assert _oke.select_node_image(sources, "v1.34.2", "aarch64")["image_id"] == "ocid1.image.c"


def test_no_matching_image_lists_what_was_seen():
    with pytest.raises(_oke.OkeError) as exc:
        _oke.select_node_image(SOURCES, "v1.35.0", "aarch64")
    message = str(exc.value)
    assert "no Oracle-Linux 8 aarch64 OKE image for Kubernetes 1.35.0" in message
    assert "Oracle-Linux 8.10 aarch64 OKE-1.34.2" in message
    assert "GPU" not in message


def test_image_selection_needs_a_full_version():
    with pytest.raises(_oke.OkeError, match="full Kubernetes version"):
        _oke.select_node_image(SOURCES, "1.34", "aarch64")


ADS = [{"name": "Uocm:EU-FRANKFURT-1-AD-1"}, {"name": "Uocm:EU-FRANKFURT-1-AD-2"}, {"name": "Uocm:EU-FRANKFURT-1-AD-3"}]


def test_placement_spreads_over_every_ad_by_default():
    placements = _oke.placement_configs(ADS, [], "ocid1.subnet.w")
    assert [p["availability_domain"] for p in placements] == [ad["name"] for ad in ADS]
    assert {p["subnet_id"] for p in placements} == {"ocid1.subnet.w"}


def test_placement_on_wanted_ads_by_suffix():
    placements = _oke.placement_configs(ADS, ["AD-2", "AD-2"], "s")
    assert placements == [{"availability_domain": "Uocm:EU-FRANKFURT-1-AD-2", "subnet_id": "s"}]


def test_placement_rejects_unknown_ad_and_empty_region():
    with pytest.raises(_oke.OkeError, match="AD-4.*AD-1"):
        _oke.placement_configs(ADS, ["AD-4"], "s")
    with pytest.raises(_oke.OkeError, match="no availability domains"):
        _oke.placement_configs([], [], "s")


GOOD = {"node_count": 1, "node_shape": "VM.Standard.A1.Flex", "node_ocpus": 2, "node_memory_gbs": 8,
        "node_boot_volume_gbs": 50, "max_pods_per_node": 31, "pod_networking": "flannel",
        "pods_cidr": "10.244.0.0/16", "services_cidr": "10.96.0.0/16", "api_endpoint_public": True,
        "kubeconfig_path": "~/.kube/x",
        "network": {"vcn_cidr": "10.0.0.0/16", "pod_networking": "flannel", "node_count": 1,
                    "api_endpoint_public": True}}


def problems(**changes):
    settings = dict(GOOD, **{k: v for k, v in changes.items() if k != "network"})
    settings["network"] = dict(GOOD["network"], **changes.get("network", {}))
    return _oke.cluster_problems(settings)


def test_good_settings_have_no_problems():
    assert problems() == []
    assert _oke.cluster_problems({k: v for k, v in GOOD.items() if k != "network"}) == []


@pytest.mark.parametrize("changes, expected", [
    ({"node_count": 0}, "oke_cluster_node_count: 0 must be at least 1"),
    ({"node_ocpus": 0}, "oke_cluster_node_ocpus: 0 must be at least 1"),
    ({"node_memory_gbs": 1}, "oke_cluster_node_memory_gbs: 1 must be between 1 and 64 GB per OCPU (2..128"),
    ({"node_memory_gbs": 200}, "(2..128 for 2 OCPUs)"),
    ({"node_boot_volume_gbs": 40}, "oke_cluster_node_boot_volume_gbs: 40 must be between 50"),
    ({"pod_networking": "vcn_native", "max_pods_per_node": 0, "network": {"pod_networking": "vcn_native"}},
     "oke_cluster_max_pods_per_node: 0"),
    ({"pods_cidr": "10.0.128.0/17"}, "oci_network_vcn_cidr (10.0.0.0/16) overlaps oke_cluster_pods_cidr"),
    ({"services_cidr": "10.244.0.0/24"}, "oke_cluster_pods_cidr (10.244.0.0/16) overlaps oke_cluster_services_cidr"),
    ({"services_cidr": "10.96.0.1/16"}, "oke_cluster_services_cidr: '10.96.0.1/16' is not a network CIDR"),
    ({"pod_networking": "vcn_native"}, "oke_cluster_pod_networking is 'vcn_native' but oci_network_pod_networking"),
    ({"api_endpoint_public": False}, "oke_cluster_api_endpoint_public is False but oci_network_api_endpoint_public"),
    ({"node_count": 3}, "set oci_network_node_count to at least 3"),
    ({"kubeconfig_path": ""}, "set eventstack_kubeconfig"),
])
def test_each_problem_names_its_variable(changes, expected):
    found = problems(**changes)
    assert len(found) == 1, found
    assert expected in found[0]


def test_fixed_shapes_skip_flex_sizing_and_vcn_native_ignores_pods_cidr():
    assert problems(node_shape="VM.Standard2.1", node_ocpus=None, node_memory_gbs=None) == []
    assert problems(pod_networking="vcn_native", pods_cidr="10.0.0.0/16",
                    network={"pod_networking": "vcn_native"}) == []


KUBECONFIG = """apiVersion: v1
clusters:
- name: cluster-c1
  cluster: {server: "https://203.0.113.10:6443", certificate-authority-data: Q0E=}
users:
- name: user-c1
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: oci
      args: [ce, cluster, generate-token, --cluster-id, ocid1.cluster.oc1..c1, --region, eu-frankfurt-1]
"""


def test_a_kubeconfig_is_current_when_it_reaches_this_cluster_at_its_endpoint():
    assert _oke.kubeconfig_current(KUBECONFIG, "ocid1.cluster.oc1..c1", "203.0.113.10:6443")
    assert not _oke.kubeconfig_current(KUBECONFIG, "ocid1.cluster.oc1..c2", "203.0.113.10:6443")  # another cluster
    assert not _oke.kubeconfig_current(KUBECONFIG, "ocid1.cluster.oc1..c1", "10.0.0.5:6443")  # endpoint changed
    assert not _oke.kubeconfig_current("", "ocid1.cluster.oc1..c1", "203.0.113.10:6443")  # no file yet
    assert not _oke.kubeconfig_current("{not yaml", "ocid1.cluster.oc1..c1", "203.0.113.10:6443")


def test_through_a_tunnel_the_kubeconfig_keeps_the_endpoint_as_tls_name():
    tunneled = _oke.kubeconfig_via_tunnel(KUBECONFIG, 16443)
    cluster = yaml.safe_load(tunneled)["clusters"][0]["cluster"]
    assert cluster["server"] == "https://127.0.0.1:16443" and cluster["tls-server-name"] == "203.0.113.10"
    assert cluster["certificate-authority-data"] == "Q0E="
    assert _oke.kubeconfig_current(tunneled, "ocid1.cluster.oc1..c1", "203.0.113.10:6443", 16443)
    assert not _oke.kubeconfig_current(tunneled, "ocid1.cluster.oc1..c1", "203.0.113.10:6443")  # direct wanted
    assert not _oke.kubeconfig_current(tunneled, "ocid1.cluster.oc1..c1", "203.0.113.10:6443", 16444)  # other port
    assert not _oke.kubeconfig_current(KUBECONFIG, "ocid1.cluster.oc1..c1", "203.0.113.10:6443", 16443)  # not yet


BASTION = {"api_access": "bastion", "api_endpoint_public": False, "bastion_client_cidrs": ["203.0.113.7/32"],
           "bastion_max_session_ttl": 10800, "bastion_session_min_left": 3600, "bastion_local_port": 16443,
           "bastion_name": "eventstackprod", "network": {"api_allowed_cidrs": ["10.0.0.0/16"]}}


@pytest.mark.parametrize("changes, expected", [
    ({"api_endpoint_public": True}, "a bastion serves a private endpoint"),
    ({"bastion_client_cidrs": []}, "oke_cluster_bastion_client_cidrs is empty"),
    ({"bastion_client_cidrs": ["203.0.113.7"]}, None),  # a host address is a /32 network
    ({"bastion_client_cidrs": ["203.0.113.7/24"]}, "is not a network CIDR"),
    ({"bastion_max_session_ttl": 600}, "between 1800 and 10800"),
    ({"bastion_session_min_left": 10800}, "below oke_cluster_bastion_max_session_ttl"),
    ({"bastion_local_port": 80}, "between 1024 and 65535"),
    ({"bastion_name": "eventstack-prod"}, "letters and digits only"),
    ({"network": {"api_allowed_cidrs": ["192.168.100.0/24"]}}, "add 10.0.0.0/16 to oci_network_api_allowed_cidrs"),
])
def test_bastion_access_rules(changes, expected):
    settings = dict(BASTION, **changes)
    found = _oke.access_problems(settings, _oke.ipaddress.ip_network("10.0.0.0/16"))
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0], found


def test_bastion_rules_that_only_matter_when_applying():
    assert _oke.access_problems(dict(BASTION, bastion_client_cidrs=[], mode="render")) == []
    assert _oke.access_problems(dict(BASTION, api_access="direct", bastion_client_cidrs=[])) == []
