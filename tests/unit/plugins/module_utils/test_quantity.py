from __future__ import annotations

from decimal import Decimal

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils._quantity import is_quantity, parse_quantity


@pytest.mark.parametrize("text, value", [
    ("500m", Decimal("0.5")),
    ("2", Decimal(2)),
    (2, Decimal(2)),
    (0.25, Decimal("0.25")),
    ("1.5", Decimal("1.5")),
    ("4Gi", Decimal(4 * 2 ** 30)),
    ("2560Mi", Decimal(2560 * 2 ** 20)),
    ("1G", Decimal(10 ** 9)),
    ("128k", Decimal(128000)),
    ("1e3", Decimal(1000)),
    ("+.5", Decimal("0.5")),
])
def test_parse_quantity(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "4GB", "1.2.3", "abc", "2 Gi", "Gi", "-", True, "5mi"])
def test_malformed_quantities_are_rejected(text):
    assert not is_quantity(text)
    with pytest.raises(ValueError, match="not a Kubernetes quantity"):
        parse_quantity(text)


def test_binary_and_decimal_suffixes_differ():
    assert parse_quantity("1Gi") > parse_quantity("1G")


def test_nano_and_micro_suffixes_as_metrics_server_reports_cpu():
    from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity as parse
    assert parse("2500000n") == parse("2500u") == parse("2.5m")
