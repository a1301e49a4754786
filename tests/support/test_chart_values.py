"""The values checker catches what Helm would silently ignore."""

from __future__ import annotations

import pytest

from tests.support import chart_values


@pytest.fixture(autouse=True)
def values_dir():
    """Every test here reads ../shared/reference/chart-values: a missing one fails them, saying so."""
    return chart_values.require()


def test_known_keys_pass_and_a_misspelt_key_is_named():
    assert chart_values.check("strimzi-kafka-operator", "1.2.0", {"watchNamespaces": ["kafka"]}) == []
    problems = chart_values.check("strimzi-kafka-operator", "1.2.0", {"watchNamespace": ["kafka"]})
    assert problems == ["watchNamespace is not a key of the chart's values"]


def test_sub_chart_keys_live_under_the_sub_chart_name():
    assert chart_values.check("dapr", "1.18.3", {"global": {"logAsJson": True},
                                                 "dapr_placement": {"cluster": {"forceInMemoryLog": True}}}) == []
    assert chart_values.check("dapr", "1.18.3", {"dapr_placement": {"replicaCnt": 1}}) == [
        "dapr_placement.replicaCnt is not a key of the chart's values"]


def test_free_form_maps_and_lists_are_not_descended():
    assert chart_values.check("gateway-helm", "v1.9.0", {"deployment": {"envoyGateway": {"resources": {
        "requests": {"cpu": "50m"}}}, "pod": {"annotations": {"any/key": "x"}}}}) == []
    assert chart_values.check("gateway-helm", "v1.9.0", {"deployment": {"replicass": 2}}) == [
        "deployment.replicass is not a key of the chart's values"]


def test_schema_of_cert_manager_is_applied():
    assert chart_values.check("cert-manager", "v1.21.1", {"crds": {"enabled": True}}) == []
    problems = chart_values.check("cert-manager", "v1.21.1", {"crds": {"enabld": True}})
    assert "crds.enabld is not a key of the chart's values" in problems
    assert any("Additional properties are not allowed ('enabld'" in p for p in problems)


def test_unknown_chart_is_an_error():
    with pytest.raises(chart_values.ChartDefaultsMissing):
        chart_values.defaults("no-such-chart", "1.0.0")


def test_the_tigera_operators_installation_values_are_checked_against_the_installation_crd():
    """The chart renders installation (less enabled) as the Installation's spec: its keys are the CRD's fields, down
    through objects and list items."""
    good = {"installation": {"enabled": True, "cni": {"type": "Calico", "ipam": {"type": "HostLocal"}},
                             "calicoNetwork": {"bgp": "Disabled", "ipPools": [{"cidr": "10.244.0.0/16"}]}},
            "apiServer": {"enabled": False}}
    assert chart_values.check("tigera-operator", "v3.32.1", good) == []
    bad = {"installation": {"cni": {"typ": "Calico"}, "calicoNetwork": {"ipPools": [{"cidr": "x", "natOutgong": "x"}]},
                            "felixInterfacePrefix": "oci"}, "apiServr": {}}
    assert chart_values.check("tigera-operator", "v3.32.1", bad) == [
        "installation.cni.typ is not a field of the custom resource's spec",
        "installation.calicoNetwork.ipPools[0].natOutgong is not a field of the custom resource's spec",
        "installation.felixInterfacePrefix is not a field of the custom resource's spec",
        "apiServr is not a key of the chart's values"]
