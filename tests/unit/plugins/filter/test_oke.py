from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.filter.oke import FilterModule

FILTERS = FilterModule().filters()
SOURCES = [{"image_id": "ocid1.image.a", "source_name": "Oracle-Linux-8.10-aarch64-2025.09.16-0-OKE-1.34.2-1186"}]


def test_registered():
    assert set(FILTERS) == {"oke_kubernetes_version", "oke_node_image", "oke_placement", "oke_cluster_problems",
                            "oke_kubeconfig_current", "oke_kubeconfig_tunnel"}


def test_version_filter_names_the_variable():
    assert FILTERS["oke_kubernetes_version"](["v1.34.1", "v1.34.2"], "1.34") == "v1.34.2"
    with pytest.raises(AnsibleFilterError, match=r"offered: v1.34.2 \(set eventstack_kubernetes_version"):
        FILTERS["oke_kubernetes_version"](["v1.34.2"], "1.36")


def test_image_filter_uses_the_shape_architecture_and_names_the_variables():
    assert FILTERS["oke_node_image"](SOURCES, "v1.34.2", "VM.Standard.A1.Flex")["image_id"] == "ocid1.image.a"
    with pytest.raises(AnsibleFilterError, match="x86_64.*oke_cluster_node_image_id"):
        FILTERS["oke_node_image"](SOURCES, "v1.34.2", "VM.Standard.E5.Flex")


def test_placement_filter_names_the_variable():
    ads = [{"name": "x:AD-1"}, {"name": "x:AD-2"}]
    assert FILTERS["oke_placement"](ads, [], "s") == [{"availability_domain": "x:AD-1", "subnet_id": "s"},
                                                      {"availability_domain": "x:AD-2", "subnet_id": "s"}]
    with pytest.raises(AnsibleFilterError, match="oke_cluster_availability_domains"):
        FILTERS["oke_placement"](ads, ["AD-3"], "s")
