from __future__ import annotations

import json

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.filter.oci_network import FilterModule

SETTINGS = {"name_prefix": "x", "vcn_cidr": "10.0.0.0/16", "dns_label": "x", "api_endpoint_public": True,
            "api_allowed_cidrs": ["203.0.113.0/24"]}


class TaggedStr(str):
    """Stands in for the str subclasses Ansible hands to filters."""


class TaggedDict(dict):
    pass


def oci_network_plan():
    return FilterModule().filters()["oci_network_plan"]


def test_registered():
    assert set(FilterModule().filters()) == {"oci_network_plan"}


def test_problems_become_one_filter_error():
    with pytest.raises(AnsibleFilterError) as exc:
        oci_network_plan()(dict(SETTINGS, dns_label="Bad-Label", api_allowed_cidrs=[]))
    message = str(exc.value)
    assert message.startswith("the OCI network settings have 2 problem(s): oci_network_dns_label: ")
    assert "; oci_network_api_allowed_cidrs: empty" in message


def test_not_a_mapping():
    with pytest.raises(AnsibleFilterError, match="expects the oci_network settings as a mapping, got list"):
        oci_network_plan()(["10.0.0.0/16"])


def test_plan_through_the_filter():
    result = oci_network_plan()(TaggedDict(SETTINGS, name_prefix=TaggedStr("x"),
                                           api_allowed_cidrs=[TaggedStr("203.0.113.0/24")]))
    assert result["vcn"] == {"display_name": "x-vcn", "cidr_block": "10.0.0.0/16", "dns_label": "x"}
    assert result["vcn"]["display_name"].__class__ is str
    json.dumps(result)
