from __future__ import annotations

import functools
import json

import pytest

from ansible_collections.eventstack.oke.plugins.modules import controller_info


@pytest.fixture()
def run(run_module):
    """run(args): controller_info run as Ansible runs it (run_module in tests/unit/conftest.py)."""
    return functools.partial(run_module, controller_info)


def test_reports_collections_packages_and_python(run, tmp_path):
    path = tmp_path / "ansible_collections" / "kubernetes" / "core"
    path.mkdir(parents=True)
    (path / "MANIFEST.json").write_text(json.dumps({"collection_info": {"version": "6.2.0"}}))
    code, result = run({"collections": ["kubernetes.core", "oracle.oci"],
                        "collections_paths": [str(tmp_path)],
                        "python_packages": ["PyYAML"]})
    assert code == 0
    assert result["changed"] is False
    assert result["collections"]["kubernetes.core"]["version"] == "6.2.0"
    assert result["collections"]["oracle.oci"] is None
    assert result["python_packages"]["PyYAML"]
    assert result["python"]["version"].count(".") == 2


def test_check_mode_reads_the_same(run, tmp_path):
    code, result = run({"collections": [], "_ansible_check_mode": True})
    assert code == 0 and result["changed"] is False and result["collections"] == {}


def test_bad_collection_name_fails_clearly(run):
    code, result = run({"collections": ["kubernetes"]})
    assert code == 1
    assert result["failed"] is True
    assert "namespace.name" in result["msg"] and "kubernetes" in result["msg"]
