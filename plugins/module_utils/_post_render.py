# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: what the collection changes in a chart's output before Helm installs it, in render and apply alike.

A release may carry ``scan_skips``: selector -> ["CKV_K8S_NN=reason", ...], the checkov findings on a chart's objects
that are decisions, each with its reason. They become ``checkov.io/skipN`` annotations on the matching objects (a
selector is ``Kind/name`` - the name may hold shell-style wildcards, as in ``Kind/*`` - or ``workloads`` for every
object with a pod template), the form
scripts/scan.py reads. Render mode applies them to ``helm template``'s output; apply mode gives the same function to
``helm upgrade --install`` as its post-renderer (``main``: the manifests on stdin, the release's skips as JSON in
``EVENTSTACK_POST_RENDER``). Helm 3 passes hooks to no post-renderer: the post-renderer leaves them alone, and
render mode, which annotates them in the export so that the scan sees the decisions, documents the difference.

This file imports nothing of the collection: Helm's post-renderer loads it by its path.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core on the controller
    yaml = None

ENV = "EVENTSTACK_POST_RENDER"
HOOK = "helm.sh/hook"
SKIP_PREFIX = "checkov.io/skip"
WORKLOADS = frozenset(("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job",
                       "CronJob"))
_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)


def _str_presenter(dumper, data):
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


if yaml is not None:
    class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # pylint: disable=too-many-ancestors
        """Safe loader (libyaml when available): timestamps stay strings and a bare "=" is a string, as in JSON."""

    _Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    _Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))

    class _Dumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
        """Block style, lists indented under their key, multi-line strings as |."""

        def increase_indent(self, flow=False, indentless=False):
            return super().increase_indent(flow, False)

    _Dumper.add_representer(str, _str_presenter)


def _need_yaml():
    if yaml is None:  # pragma: no cover
        raise RuntimeError("PyYAML is needed to read and write manifests")


def load(text):
    """The documents of a YAML stream (empty ones dropped)."""
    _need_yaml()
    return [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]


def dump(obj):
    _need_yaml()
    return yaml.dump(obj, Dumper=_Dumper, default_flow_style=False, sort_keys=False, width=120)


def documents(text):
    """A multi-document stream as its documents' texts (separator lines removed, blank documents dropped)."""
    return [part.strip("\n") + "\n" for part in _SEPARATOR.split(text) if part.strip()]


def _is_hook(obj):
    return HOOK in ((obj.get("metadata") or {}).get("annotations") or {})


def skips_for(obj, scan_skips):
    """The "CHECK=reason" entries of scan_skips that select this object, in selector order."""
    kind = obj.get("kind")
    name = str((obj.get("metadata") or {}).get("name"))
    found = []
    for selector, skips in sorted((scan_skips or {}).items()):
        wanted_kind, _slash, pattern = selector.partition("/")
        if (selector == "workloads" and kind in WORKLOADS) or (
                wanted_kind == kind and pattern and fnmatch.fnmatchcase(name, pattern)):
            found += [skip for skip in skips if skip not in found]
    return found


def annotate(obj, scan_skips):
    """The object with its scan skips as annotations (numbered after any it has); None when none applies."""
    skips = skips_for(obj, scan_skips)
    if not skips:
        return None
    meta = dict(obj.get("metadata") or {})
    annotations = dict(meta.get("annotations") or {})
    taken = sum(1 for key in annotations if key.startswith(SKIP_PREFIX))
    for index, skip in enumerate(skips, taken + 1):
        annotations["%s%d" % (SKIP_PREFIX, index)] = skip
    meta["annotations"] = annotations
    return dict(obj, metadata=meta)


def post_render(text, scan_skips):
    """Helm's post-renderer: the stream with the skips annotated on every non-hook object it selects; documents
    nothing selects keep their text."""
    out = []
    for part in documents(text):
        docs = load(part)
        obj = docs[0] if len(docs) == 1 and isinstance(docs[0], dict) else None
        changed = annotate(obj, scan_skips) if obj is not None and not _is_hook(obj) else None
        if changed is None:
            out.append(part)
        else:
            comments = "".join(line + "\n" for line in part.splitlines() if line.startswith("#"))
            out.append(comments + dump(changed))
    return "".join("---\n" + part for part in out)


def main(stdin=None, stdout=None, environ=None):
    """Run as Helm's post-renderer: read stdin, write stdout; exit status 1 with a message on bad settings."""
    stdin, stdout, environ = stdin or sys.stdin, stdout or sys.stdout, os.environ if environ is None else environ
    try:
        settings = json.loads(environ.get(ENV) or "{}")
    except ValueError as exc:
        sys.stderr.write("eventstack.oke post-renderer: %s is not JSON: %s\n" % (ENV, exc))
        return 1
    stdout.write(post_render(stdin.read(), settings.get("scan_skips") or {}))
    return 0
