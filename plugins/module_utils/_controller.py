# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: what the controller has installed (collections, Python packages, binaries).

Pure functions over the file system and the running interpreter, so preflight can say precisely
what is missing and how to fix it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

try:
    from importlib import metadata as _metadata
except ImportError:  # pragma: no cover - Python < 3.8
    _metadata = None

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core
    yaml = None


def _manifest_version(path):
    """Version recorded in an installed collection (MANIFEST.json) or a source checkout (galaxy.yml)."""
    manifest = os.path.join(path, "MANIFEST.json")
    if os.path.isfile(manifest):
        with open(manifest, encoding="utf-8") as handle:
            return json.load(handle)["collection_info"]["version"]
    galaxy = os.path.join(path, "galaxy.yml")
    if os.path.isfile(galaxy) and yaml is not None:
        with open(galaxy, encoding="utf-8") as handle:
            return str((yaml.safe_load(handle) or {}).get("version") or "") or None
    return None


def find_collections(names, search_paths):
    """Map each 'namespace.name' to {'version', 'path'} of its first match on the search path, or None."""
    found = {}
    for name in names:
        namespace, collection = name.split(".", 1)
        found[name] = None
        for base in search_paths:
            base = os.path.expanduser(base)
            for root in (os.path.join(base, "ansible_collections"), base):
                path = os.path.join(root, namespace, collection)
                if os.path.isdir(path):
                    version = _manifest_version(path)
                    if version is not None:
                        found[name] = {"version": version, "path": os.path.realpath(path)}
                        break
            if found[name]:
                break
    return found


def python_packages(names):
    """Map each distribution name to its installed version, or None."""
    out = {}
    for name in names:
        try:
            out[name] = _metadata.version(name)
        except _metadata.PackageNotFoundError:
            out[name] = None
    return out


_VERSION_RE = re.compile(r"v?(\d+\.\d+(?:\.\d+)?)")


# How each binary tells its version (helm: version --short; the oci CLI: --version).
VERSION_ARGS = {"oci": ["--version"], "ssh": ["-V"]}


def binary_version(name, run=subprocess.run):
    """{'path', 'version'} of a binary on PATH (version from '<name> version --short', or VERSION_ARGS), or None."""
    path = shutil.which(name)
    if not path:
        return None
    try:
        proc = run([path] + VERSION_ARGS.get(name, ["version", "--short"]), capture_output=True, text=True,
                   timeout=20, check=False)
        # ssh -V writes "OpenSSH_9.2p1 ..." to stderr.
        match = _VERSION_RE.search(proc.stdout or "") or _VERSION_RE.search(proc.stderr or "")
        version = match.group(1) if match else None
    except (OSError, subprocess.SubprocessError):
        version = None
    return {"path": path, "version": version}


def python_info():
    return {
        "version": "%d.%d.%d" % sys.version_info[:3],
        "executable": sys.executable,
    }


ARGUMENT_SPEC = dict(
    collections=dict(type="list", elements="str", default=[]),
    collections_paths=dict(type="list", elements="path", default=[]),
    python_packages=dict(type="list", elements="str", default=[]),
    binaries=dict(type="list", elements="str", default=[]),
)


def report(params):
    """What eventstack.oke.controller_info answers for its (validated) params: the running Python, the collections
    found on the search path, the Python distributions and the binaries; failed, naming them, for collection names
    that are not namespace.name."""
    bad = [name for name in params["collections"] if name.count(".") != 1]
    if bad:
        return dict(failed=True, changed=False,
                    msg="collections must be given as namespace.name; got: %s" % ", ".join(bad))
    return dict(changed=False, python=python_info(),
                collections=find_collections(params["collections"], params["collections_paths"]),
                python_packages=python_packages(params["python_packages"]),
                binaries={name: binary_version(name) for name in params["binaries"]})
