# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: write a set of build files (manifests, Helm values, reports) when their content or mode differs.

Logic of the build_files module and its action plugin, which runs it in the controller's process when the target
is the controller itself (the collection's plays run on localhost), instead of two module runs per file.
"""

from __future__ import annotations

import os
import stat
import tempfile


class BuildFilesError(Exception):
    """A file cannot be read or written."""


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8"), stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildFilesError("cannot read %s: %s" % (path, exc)) from exc


def _write(path, content, mode):
    directory = os.path.dirname(path) or "."
    try:
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path))
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content.encode("utf-8"))
            os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:
        raise BuildFilesError("cannot write %s: %s" % (path, exc)) from exc


def parse_mode(mode):
    """An octal mode string such as "0644" -> int; raises ValueError naming the value."""
    try:
        value = int(str(mode), 8)
    except ValueError:
        raise ValueError("mode %r is not an octal mode such as 0644" % (mode,)) from None
    if not 0 <= value <= 0o7777:
        raise ValueError("mode %r is out of range" % (mode,))
    return value


def build(files, mode="0644", check_mode=False, diff=False):
    """Write every {path, content} whose content or mode differs (not in check mode); return the module result:
    changed, files [{path, changed}] and, with diff, the before/after of each changed file."""
    wanted = parse_mode(mode)
    results, diffs = [], []
    for entry in files:
        path, content = os.path.abspath(os.path.expanduser(entry["path"])), entry["content"]
        if not isinstance(content, str):
            raise BuildFilesError("%s: content must be text, got %s" % (entry["path"], type(content).__name__))
        before, before_mode = _read(path)
        changed = before != content or before_mode != wanted
        if changed and not check_mode:
            _write(path, content, wanted)
        results.append({"path": path, "changed": changed})
        if changed and diff:
            diffs.append({"before": before or "", "after": content, "before_header": path, "after_header": path})
    result = {"changed": any(r["changed"] for r in results), "files": results}
    if diff:
        result["diff"] = diffs
    return result
