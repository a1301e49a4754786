"""The hardening filters (controller side; their logic is module_utils/_flows.py, tested beside it)."""

from __future__ import annotations

import copy

from ansible_collections.eventstack.oke.plugins.filter.hardening import network_flows

from ..module_utils.test_flows import STACK


def test_the_analysis_form_is_the_intended_flows_and_the_endpoints_of_one_derivation():
    analysis = network_flows(copy.deepcopy(STACK), "analysis")
    assert analysis == dict(intended=network_flows(copy.deepcopy(STACK), "intended"),
                            **network_flows(copy.deepcopy(STACK), "endpoints"))
    assert analysis["intended"] and analysis["pods"]
