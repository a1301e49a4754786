"""The capacity_budget module over a render's build directory (the arithmetic is tested in module_utils)."""

from __future__ import annotations

import functools

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.modules import capacity_budget

from ..module_utils.test_capacity import RELEASES, STACK


@pytest.fixture()
def run(run_module):
    """run(args): capacity_budget run as Ansible runs it (run_module in tests/unit/conftest.py)."""
    return functools.partial(run_module, capacity_budget)


@pytest.fixture(name="build_dir")
def fixture_build_dir(tmp_path):
    (tmp_path / "manifests").mkdir()
    (tmp_path / "helm").mkdir()
    (tmp_path / "manifests" / "stack.yaml").write_text(yaml.safe_dump_all(STACK), encoding="utf-8")
    for release in RELEASES:
        (tmp_path / "helm" / (release["name"] + ".yaml")).write_text(yaml.safe_dump(release), encoding="utf-8")
    return str(tmp_path)


def test_a_render_that_fits_reports_its_headroom(run, build_dir):
    code, result = run({"build_dir": build_dir, "budget": {"cpu": "3", "memory": "12Gi"},
                        "nodes": [{"name": n, "cpu": "4", "memory": "16Gi"} for n in "abc"]})
    assert code == 0, result
    assert result["changed"] is False and result["problems"] == [] and result["pods"] == 19
    assert result["requests"]["requests"]["cpu"] == "2.41" and result["headroom"]["cpu"] == "9.59"
    assert result["budget_headroom"]["cpu"] == "0.59"
    assert [n["name"] for n in result["nodes"]] == ["a", "b", "c"] and result["requests_made"] == 0


def test_a_render_that_does_not_fit_fails_with_every_reason(run, build_dir):
    code, result = run({"build_dir": build_dir, "nodes": [{"cpu": "2", "memory": "8Gi"}],
                        "quotas": {"todo-app": {"pods": 3}}})
    assert code == 1 and result["failed"] is True
    assert result["msg"].startswith("the stack does not fit: namespace todo-app: pods 4 exceeds its quota of 3; ")
    assert "fits on no node" in result["msg"]
    code, result = run({"build_dir": build_dir, "nodes": [{"cpu": "2", "memory": "8Gi"}],
                        "fail_on_problems": False})
    assert code == 0 and result["problems"]


def test_a_missing_build_dir_or_bad_quantity_is_named(run, tmp_path):
    code, result = run({"build_dir": str(tmp_path / "nope"), "nodes": [{"cpu": "2", "memory": "8Gi"}]})
    assert code == 1 and "render first (make plan ENV=<env>)" in result["msg"]
    code, result = run({"objects": STACK, "nodes": [{"cpu": "two", "memory": "8Gi"}]})
    assert code == 1 and result["msg"].startswith("cannot assess the capacity:")
    code, result = run({"objects": STACK})
    assert code == 1 and "no nodes" in result["msg"]


def test_the_node_pool_stands_in_for_the_nodes(run, build_dir):
    pool = {"count": 3, "shape": "VM.Standard.A1.Flex", "ocpus": 4, "memory_gbs": 24,
            "reserved": {"cpu": "200m", "memory": "1Gi"}}
    code, result = run({"build_dir": build_dir, "node_pool": pool})
    assert code == 0, result
    assert result["allocatable"] == {"cpu": "11.4", "memory": str(69 * 2 ** 30)}
    assert [n["name"] for n in result["nodes"]] == ["node-1", "node-2", "node-3"]
