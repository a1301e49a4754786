"""The build_files module (what runs on a target that is not the controller; the logic is tested in module_utils)."""

from __future__ import annotations

import functools

import pytest

from ansible_collections.eventstack.oke.plugins.modules import build_files


@pytest.fixture()
def run(run_module):
    """run(args): build_files run as Ansible runs it (run_module in tests/unit/conftest.py)."""
    return functools.partial(run_module, build_files)


def test_writes_then_reports_unchanged(run, tmp_path):
    args = {"files": [{"path": str(tmp_path / "a.yaml"), "content": "a: 1\n"}]}
    code, result = run(args)
    assert code == 0 and result["changed"] is True and (tmp_path / "a.yaml").read_text() == "a: 1\n"
    code, result = run(args)
    assert code == 0 and result["changed"] is False and result["files"][0]["changed"] is False


def test_check_and_diff_mode(run, tmp_path):
    code, result = run({"files": [{"path": str(tmp_path / "a"), "content": "x"}], "_ansible_check_mode": True,
                        "_ansible_diff": True})
    assert code == 0 and result["changed"] is True and result["diff"][0]["after"] == "x"
    assert not (tmp_path / "a").exists()


def test_a_bad_mode_fails_naming_it(run, tmp_path):
    code, result = run({"files": [{"path": str(tmp_path / "a"), "content": "x"}], "mode": "644x"})
    assert code == 1 and result["msg"] == "build_files: mode '644x' is not an octal mode such as 0644"
