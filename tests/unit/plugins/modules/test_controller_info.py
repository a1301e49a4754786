from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.eventstack.oke.plugins.modules import controller_info


def run_module(capsys, args):
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        controller_info.main()
    return exc.value.code, json.loads(capsys.readouterr().out)


def test_reports_collections_packages_and_python(tmp_path, capsys):
    path = tmp_path / "ansible_collections" / "kubernetes" / "core"
    path.mkdir(parents=True)
    (path / "MANIFEST.json").write_text(json.dumps({"collection_info": {"version": "6.2.0"}}))
    code, result = run_module(capsys, {"collections": ["kubernetes.core", "oracle.oci"],
                                       "collections_paths": [str(tmp_path)],
                                       "python_packages": ["PyYAML"]})
    assert code == 0
    assert result["changed"] is False
    assert result["collections"]["kubernetes.core"]["version"] == "6.2.0"
    assert result["collections"]["oracle.oci"] is None
    assert result["python_packages"]["PyYAML"]
    assert result["python"]["version"].count(".") == 2


def test_check_mode_reads_the_same(tmp_path, capsys):
    code, result = run_module(capsys, {"collections": [], "_ansible_check_mode": True})
    assert code == 0 and result["changed"] is False and result["collections"] == {}


def test_bad_collection_name_fails_clearly(capsys):
    code, result = run_module(capsys, {"collections": ["kubernetes"]})
    assert code == 1
    assert result["failed"] is True
    assert "namespace.name" in result["msg"] and "kubernetes" in result["msg"]
