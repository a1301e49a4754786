from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.filter.oci_refs import oci_resolve_refs

REFS = {"nsg:workers": "ocid1.nsg.w", "gateway:nat": "ocid1.nat.n", "oci-services": "all-fra-services-in-oracle-services-network"}


def test_symbols_are_replaced_everywhere_and_the_input_is_untouched():
    rules = [{"source": "nsg:workers", "source_type": "NETWORK_SECURITY_GROUP", "protocol": "6"},
             {"destination": "oci-services", "network_entity_id": "gateway:nat", "description": "nsg:workers egress"}]
    out = oci_resolve_refs(rules, REFS)
    assert out[0]["source"] == "ocid1.nsg.w"
    assert out[1] == {"destination": "all-fra-services-in-oracle-services-network", "network_entity_id": "ocid1.nat.n",
                      "description": "nsg:workers egress"}
    assert rules[0]["source"] == "nsg:workers"


@pytest.mark.parametrize("symbol", ["nsg:pods", "gateway:internet"])
def test_unknown_symbol_fails_naming_it(symbol):
    with pytest.raises(AnsibleFilterError, match="no id known for %s" % symbol):
        oci_resolve_refs([{"source": symbol}], REFS)


def test_empty_id_is_unknown():
    with pytest.raises(AnsibleFilterError, match="gateway:nat"):
        oci_resolve_refs({"network_entity_id": "gateway:nat"}, dict(REFS, **{"gateway:nat": ""}))


def test_plain_cidrs_pass_through():
    assert oci_resolve_refs({"source": "10.0.0.0/16"}, REFS) == {"source": "10.0.0.0/16"}
