# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal helpers shared by the render engine and the apply path.

Not a public API: the leading underscore says so. Everything here is pure data shaping,
so render mode and apply mode order and describe objects the same way.
"""

from __future__ import annotations

import os

from ansible_collections.eventstack.oke.plugins.module_utils import _post_render
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML ships with ansible-core on the controller
    yaml = None

# Placeholder written instead of every Secret value in render mode (documented in README.md).
REDACTED = "REDACTED"
# base64("REDACTED"): what a placeholder looks like under Secret.data, which must hold base64.
REDACTED_B64 = "UkVEQUNURUQ="

# Kinds that others depend on go first, in the order kubectl and Helm install them.
_KIND_ORDER = (
    "Namespace",
    "CustomResourceDefinition",
    "PriorityClass",
    "ResourceQuota",
    "LimitRange",
    "NetworkPolicy",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "PersistentVolumeClaim",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Service",
    "DaemonSet",
    "Deployment",
    "StatefulSet",
    "Job",
    "CronJob",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
)
_RANK = {kind: rank for rank, kind in enumerate(_KIND_ORDER)}


class ManifestError(ValueError):
    """An object is not a Kubernetes object (names the offending item)."""


def plain(value):
    """Copy value into builtin types; ManifestError for what cannot be part of a Kubernetes object."""
    try:
        return to_builtin(value)
    except TypeError as exc:
        raise ManifestError("%s, so it cannot be part of a Kubernetes object" % exc) from exc


def object_ref(obj):
    """Short human reference: Kind/namespace/name (namespace omitted when cluster-scoped)."""
    meta = obj.get("metadata") or {}
    parts = [str(obj.get("kind", "?"))]
    if meta.get("namespace"):
        parts.append(str(meta["namespace"]))
    parts.append(str(meta.get("name", "?")))
    return "/".join(parts)


def check_objects(objects):
    """Raise ManifestError unless every item looks like a Kubernetes object; return the list."""
    if not isinstance(objects, list):
        raise ManifestError("expected a list of Kubernetes objects, got %s" % type(objects).__name__)
    seen = set()
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict):
            raise ManifestError("item %d is a %s, not a Kubernetes object" % (index, type(obj).__name__))
        missing = [key for key in ("apiVersion", "kind") if not obj.get(key)]
        if not (obj.get("metadata") or {}).get("name"):
            missing.append("metadata.name")
        if missing:
            raise ManifestError("item %d (%s) lacks %s" % (index, object_ref(obj), ", ".join(missing)))
        key = (obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else "", obj["kind"],
               obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        if key in seen:
            raise ManifestError("%s is defined twice" % object_ref(obj))
        seen.add(key)
    return objects


def sort_key(obj):
    meta = obj.get("metadata") or {}
    kind = obj.get("kind", "")
    # Unknown kinds (custom resources) come after all built-ins, so their CRDs and namespaces exist first.
    return (_RANK.get(kind, len(_KIND_ORDER)), kind, meta.get("namespace", ""), meta.get("name", ""))


def sort_objects(objects):
    """Return plain copies of the objects in apply order: dependencies first, then kind, namespace, name."""
    return sorted(check_objects(plain(objects)), key=sort_key)


def redact(obj):
    """Return a deep copy of obj with every Secret value replaced by the placeholder."""
    out = plain(obj)
    if out.get("kind") == "Secret" and out.get("apiVersion") == "v1":
        for field, placeholder in (("data", REDACTED_B64), ("stringData", REDACTED)):
            if isinstance(out.get(field), dict):
                out[field] = {key: placeholder for key in out[field]}
    return out


def _str_presenter(dumper, data):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


if yaml is not None:
    class _Dumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
        """Block style, lists indented under their key (yamllint's default style), multi-line strings as |."""

        def increase_indent(self, flow=False, indentless=False):
            return super().increase_indent(flow, False)

    _Dumper.add_representer(str, _str_presenter)


def to_manifest(objects, source=None):
    """Render objects as one deterministic multi-document YAML stream, Secrets redacted."""
    if yaml is None:  # pragma: no cover
        raise ManifestError("PyYAML is needed to write manifests")
    docs = [redact(obj) for obj in sort_objects(objects)]
    header = "# Rendered by eventstack.oke%s. Secret values read %s (see README.md).\n" % (
        " role %s" % source if source else "", REDACTED)
    body = "".join(
        "---\n" + yaml.dump(doc, Dumper=_Dumper, default_flow_style=False, sort_keys=False, width=120)
        for doc in docs
    )
    return header + body


def helm_release_files(releases, build_dir, source):
    """The build files of Helm releases (<build_dir>/helm/<name>.yaml, for build_files): each the release's name,
    namespace, chart, repo, version, values and crds_first, and its crds_chart and scan_skips where it has them, as
    apply mode installs them."""
    if yaml is None:  # pragma: no cover
        raise ManifestError("PyYAML is needed to write releases")
    files = []
    for release in plain(releases):
        try:
            data = {"name": release["name"], "namespace": release["namespace"], "chart": release["chart"],
                    "repo": release["repo"], "version": str(release["version"]),
                    "values": release.get("values") or {}, "crds_first": bool(release.get("crds_first", False))}
        except KeyError as exc:
            raise ManifestError("Helm release %s has no %s" % (release.get("name", "?"), exc)) from exc
        for optional in ("crds_chart", "scan_skips"):
            if release.get(optional):
                data[optional] = release[optional]
        header = "# Rendered by eventstack.oke (%s). Apply mode installs exactly this with Helm.\n" % source
        files.append({"path": "%s/helm/%s.yaml" % (build_dir, data["name"]), "content": header + yaml.dump(
            data, Dumper=_Dumper, default_flow_style=False, sort_keys=True, width=120, indent=2)})
    return files


def summarize(objects):
    """Count objects per (kind, namespace) -- the plan summary's table."""
    counts = {}
    for obj in objects:
        key = (obj.get("kind", "?"), (obj.get("metadata") or {}).get("namespace", "") or "(cluster)")
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


CHART_OUTPUT = ".manifests.yaml"
CHART_CRDS = ".crds.yaml"


def _release_file(name):
    return name.endswith((".yaml", ".yml")) and not name.endswith((CHART_OUTPUT, CHART_CRDS))


def load_build_sources(build_dir):
    """[(file, object)] of what a render wrote for Kubernetes: every document of build_dir/manifests/*.yaml and of the
    charts' output, build_dir/helm/*.manifests.yaml (file: the path under build_dir)."""
    found = []
    for sub, wanted in (("manifests", lambda name: name.endswith((".yaml", ".yml"))),
                        ("helm", lambda name: name.endswith(CHART_OUTPUT))):
        directory = os.path.join(build_dir, sub)
        for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
            if wanted(name):
                with open(os.path.join(directory, name), encoding="utf-8") as handle:
                    found.extend(("%s/%s" % (sub, name), doc) for doc in _post_render.load(handle.read())
                                 if isinstance(doc, dict))
    return found


def load_releases(build_dir):
    """The Helm releases a render wrote (build_dir/helm/<name>.yaml), each with "expanded": whether the render wrote
    its chart output (<name>.manifests.yaml) too."""
    releases = []
    directory = os.path.join(build_dir, "helm")
    names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    for name in names:
        if _release_file(name):
            with open(os.path.join(directory, name), encoding="utf-8") as handle:
                for doc in _post_render.load(handle.read()):
                    if isinstance(doc, dict):
                        releases.append(dict(doc, expanded=doc.get("name", "") + CHART_OUTPUT in names))
    return releases


def load_build(build_dir):
    """(objects, releases) a render wrote: the objects of the role manifests and of the charts' output, and the Helm
    releases (see load_build_sources and load_releases)."""
    if yaml is None:  # pragma: no cover
        raise ManifestError("PyYAML is needed to read manifests")
    return [obj for _source, obj in load_build_sources(build_dir)], load_releases(build_dir)
