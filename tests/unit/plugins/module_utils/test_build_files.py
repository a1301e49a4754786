"""build_files' logic: writes what differs (content or mode), nothing in check mode, the diff of what changes."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _build_files


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_missing_files_and_their_directories_are_written_then_left_alone(tmp_path):
    files = [{"path": str(tmp_path / "manifests" / "a.yaml"), "content": "a: 1\n"},
             {"path": str(tmp_path / "b.md"), "content": "# b\n"}]
    first = _build_files.build(files)
    assert first["changed"] is True and [f["changed"] for f in first["files"]] == [True, True]
    assert (tmp_path / "manifests" / "a.yaml").read_text() == "a: 1\n" and mode_of(tmp_path / "b.md") == 0o644
    second = _build_files.build(files)
    assert second["changed"] is False and "diff" not in second
    assert sorted(os.listdir(tmp_path)) == ["b.md", "manifests"]  # no temporary file left behind


def test_a_changed_content_or_mode_is_rewritten_and_only_that_file(tmp_path):
    _build_files.build([{"path": str(tmp_path / "a"), "content": "old"}, {"path": str(tmp_path / "b"), "content": "b"}])
    result = _build_files.build([{"path": str(tmp_path / "a"), "content": "new"},
                                 {"path": str(tmp_path / "b"), "content": "b"}], diff=True)
    assert [f["changed"] for f in result["files"]] == [True, False]
    assert result["diff"] == [{"before": "old", "after": "new", "before_header": str(tmp_path / "a"),
                               "after_header": str(tmp_path / "a")}]
    assert _build_files.build([{"path": str(tmp_path / "b"), "content": "b"}], mode="0600")["changed"] is True
    assert mode_of(tmp_path / "b") == 0o600


def test_check_mode_reports_and_writes_nothing(tmp_path):
    result = _build_files.build([{"path": str(tmp_path / "d" / "a"), "content": "x"}], check_mode=True, diff=True)
    assert result["changed"] is True and result["diff"][0]["before"] == "" and not (tmp_path / "d").exists()


@pytest.mark.parametrize("files, mode, message", [
    ([{"path": "x", "content": 1}], "0644", "x: content must be text, got int"),
    ([], "rw-r--r--", "mode 'rw-r--r--' is not an octal mode such as 0644"),
])
def test_bad_input_is_named(tmp_path, files, mode, message):
    with pytest.raises((_build_files.BuildFilesError, ValueError), match=message):
        _build_files.build([dict(f, path=str(tmp_path / f["path"])) for f in files], mode)


def test_an_unwritable_place_is_an_error_naming_it(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(_build_files.BuildFilesError, match="cannot read %s: .*Not a directory" % (blocker / "a")):
        _build_files.build([{"path": str(blocker / "a"), "content": "x"}])
