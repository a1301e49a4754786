# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: Helm releases expanded into the objects Helm would install, with ``helm template``.

For each release: ``helm template`` of the pinned chart with the release's values, the inventory's Kubernetes
version, the CRDs of the charts' ``crds/`` directories and no test hooks, one process per release, all releases of a
call at once. The chart is the packaged archive ``<chart_dir>/<chart>-<version>.tgz`` where there is one (the
``../shared/charts`` of a checkout), else the release's repository (https or ``oci://``); a chart that cannot be
reached leaves the release a descriptor only, with helm's message as the reason.

The output becomes two build files: ``helm/<release>.manifests.yaml`` (the templates and hooks, in Helm's install
order, the release's scan skips annotated as its post-renderer does - on hooks too, which Helm 3 post-renders in no
mode, so live hooks lack them -, and the release namespace filled in where a namespaced object names none, as Helm does
when it installs) and ``helm/<release>.crds.yaml`` (the CRDs of the
``crds/`` directories, which Helm installs on the first install only, or the output of the release's ``crds_chart``,
a chart of nothing but CRDs). ``crds`` gives those CRDs as objects for apply mode's ``crds_first``, which applies them
server-side before each install or upgrade, so render and apply deliver the same CRDs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

from ansible_collections.eventstack.oke.plugins.module_utils import _build_files, _post_render
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin

SOURCE = re.compile(r"^# Source: ", re.MULTILINE)
CRD_SOURCE = re.compile(r"^# Source: [^/\n]+(?:/charts/[^/\n]+)*/crds/", re.MULTILINE)
# Built-in kinds that live outside namespaces (Kubernetes 1.34); custom kinds follow their CRD's scope.
CLUSTER_SCOPED = frozenset((
    "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "ClusterTrustBundle",
    "ComponentStatus", "CSIDriver", "CSINode", "CustomResourceDefinition", "DeviceClass", "FlowSchema", "IngressClass",
    "IPAddress", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration",
    "Namespace", "Node", "PersistentVolume", "PriorityClass", "PriorityLevelConfiguration", "ResourceSlice",
    "RuntimeClass", "ServiceCIDR", "StorageClass", "StorageVersionMigration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment", "VolumeAttributesClass",
    "GatewayClass", "ClusterIssuer"))
TIMEOUT = 300


class HelmRenderError(Exception):
    """A release cannot be expanded for a reason that is not the chart's reachability (the message says which)."""


def chart_source(release, chart_dir=None):
    """(helm template arguments naming the chart, where it comes from): the packaged archive in chart_dir when
    present, else the release's repository."""
    chart, version, repo = release["chart"], str(release["version"]), str(release["repo"])
    if chart_dir:
        archive = os.path.join(chart_dir, "%s-%s.tgz" % (chart, version))
        if os.path.isfile(archive):
            return [archive], "archive"
    if repo.startswith("oci://"):
        return [repo.rstrip("/") + "/" + chart, "--version", version], repo
    return [chart, "--repo", repo, "--version", version], repo


def kube_version(version):
    """helm's --kube-version from "1.34" or "v1.34.2"."""
    parts = str(version).lstrip("v").split(".")
    return "v%s.%s.%s" % (parts[0], parts[1] if len(parts) > 1 else "0", parts[2] if len(parts) > 2 else "0")


def find_helm(helm="helm"):
    """The helm binary: as given when it is a path or on PATH, else beside this Python (make setup puts it in the
    virtualenv's bin)."""
    if os.sep in helm or shutil.which(helm):
        return helm
    beside = os.path.join(os.path.dirname(sys.executable), helm)
    return beside if os.access(beside, os.X_OK) else helm


def template_argv(helm, name, namespace, source, version):
    return [helm, "template", name] + source + ["--namespace", namespace, "--kube-version", kube_version(version),
                                                "--include-crds", "--skip-tests", "--values", "-"]


def _run(jobs):
    """Run (argv, stdin text) jobs at once; [(rc, stdout, stderr)] in order."""
    procs = []
    for argv, _stdin in jobs:
        try:
            procs.append(subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          universal_newlines=True))
        except OSError as exc:  # no helm: every release stays a descriptor, saying why
            procs.append("cannot run %s: %s" % (argv[0], exc))
    results = []
    for proc, (_argv, stdin) in zip(procs, jobs):
        if isinstance(proc, str):
            results.append((127, "", proc))
            continue
        try:
            out, err = proc.communicate(stdin, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            err = "helm template took longer than %d s. %s" % (TIMEOUT, err)
            results.append((1, out, err))
            continue
        results.append((proc.returncode, out, err))
    return results


def split(text):
    """(crds, templates): the documents' texts of helm template's output, those from crds/ directories apart. Helm
    heads each file with its "# Source:" line; the further documents of a multi-document CRD file have none and
    belong to the file before them."""
    crds, templates = [], []
    in_crds = False
    for part in _post_render.documents(text):
        if SOURCE.search(part):
            in_crds = bool(CRD_SOURCE.search(part))
        if not any(not line.startswith("#") and line.strip() for line in part.splitlines()):
            continue  # a template that rendered to nothing but its Source comment
        (crds if in_crds else templates).append(part)
    return crds, templates


def _scopes(crd_objects):
    return {(crd.get("spec") or {}).get("names", {}).get("kind"): (crd.get("spec") or {}).get("scope")
            for crd in crd_objects if crd.get("kind") == "CustomResourceDefinition"}


_CRD_KIND = re.compile(r"^  names:\n(?:    .*\n)*?    kind: *([A-Za-z0-9]+) *$", re.MULTILINE)
_CRD_SCOPE = re.compile(r"^  scope: *(Namespaced|Cluster) *$", re.MULTILINE)


def text_scopes(parts):
    """{kind: scope} of CRD documents read from their text (spec.names.kind, spec.scope at the indentation helm's CRD
    files use), so that megabytes of CRDs need not be parsed to know which kinds live outside namespaces; a document
    the expressions do not read is parsed."""
    scopes = {}
    for part in parts:
        if "kind: CustomResourceDefinition" not in part:
            continue
        kind, scope = _CRD_KIND.search(part), _CRD_SCOPE.search(part)
        if kind and scope:
            scopes[kind.group(1)] = scope.group(1)
        else:
            scopes.update(_scopes(obj for obj in _post_render.load(part) if isinstance(obj, dict)))
    return scopes


def _namespaced(kind, scopes):
    if kind in scopes:
        return scopes[kind] != "Cluster"
    return kind not in CLUSTER_SCOPED


def parse(parts):
    """[(text, object)] of documents that each hold one Kubernetes object."""
    parsed = []
    for part in parts:
        docs = _post_render.load(part)
        if len(docs) != 1 or not isinstance(docs[0], dict):
            raise HelmRenderError("a document of the chart's output is not one Kubernetes object:\n%s" % part[:500])
        parsed.append((part, docs[0]))
    return parsed


def finish(parsed, namespace, scan_skips, scopes):
    """The documents as they will be installed: scan skips annotated, the release namespace set on namespaced objects
    that name none; ([text], [object]). Unchanged documents keep helm's text. (Hooks get their scan skips here too:
    Helm 3 gives hooks to no post-renderer, so in apply mode they have them only where the chart's values set them.)"""
    out, objects = [], []
    for part, obj in parsed:
        changed = _post_render.annotate(obj, scan_skips)
        meta = (changed or obj).get("metadata") or {}
        if not meta.get("namespace") and _namespaced(obj.get("kind"), scopes):
            changed = dict(changed or obj, metadata=dict(meta, namespace=namespace))
        if changed is None:
            out.append(part)
        else:
            comments = "".join(line + "\n" for line in part.splitlines() if line.startswith("#"))
            out.append(comments + _post_render.dump(changed))
            obj = changed
        objects.append(obj)
    return out, objects


def _header(release, source, what):
    return ("# Rendered by eventstack.oke (%s) with helm template: %s of release %s (chart %s %s from %s).\n"
            % (source, what, release["name"], release["chart"], release["version"], release["repo"]))


def _stream(header, parts):
    return header + "".join("---\n" + part for part in parts)


def expand(releases, kube_version_, chart_dir=None, helm="helm", source="", with_crds=True):
    """Expand every release: per release {name, expanded, reason, origin, manifests (text or None), objects,
    crds (text or None), crd_objects, crds_reason}. A release whose chart cannot be reached is not expanded (reason:
    helm's message); one whose crds_chart cannot be reached is, without those CRDs (crds_reason). crd_objects are
    parsed only with_crds (their text is in crds either way)."""
    jobs, plan = [], []
    helm = find_helm(helm)
    for release in releases:
        for role, chart in (("main", release), ("crds", release.get("crds_chart"))):
            if chart:
                name = release["name"] + ("-crds" if role == "crds" else "")
                args, origin = chart_source(chart, chart_dir)
                jobs.append((template_argv(helm, name, release["namespace"], args, kube_version_),
                             json.dumps(chart.get("values") or {})))
                plan.append(((release["name"], role), origin))
    results = {key: (origin, result) for (key, origin), result in zip(plan, _run(jobs))}
    out = []
    for release in releases:
        origin, (rc, text, err) = results[(release["name"], "main")]
        entry = {"name": release["name"], "expanded": rc == 0, "origin": origin, "manifests": None, "objects": [],
                 "crds": None, "crd_objects": [], "reason": None if rc == 0 else _reason(err),
                 "crds_reason": None}
        out.append(entry)
        if rc != 0:
            continue
        crds, templates = split(text)
        if release.get("crds_chart"):
            crds_origin, (crds_rc, crds_text, crds_err) = results[(release["name"], "crds")]
            if crds_rc == 0:
                crds = crds + [part for parts in split(crds_text) for part in parts]
            else:
                crds = []
                entry["crds_reason"] = "CRD chart %s %s from %s: %s" % (
                    release["crds_chart"]["chart"], release["crds_chart"]["version"], crds_origin, _reason(crds_err))
        parsed = parse(templates)
        scopes = dict(text_scopes(crds), **_scopes([obj for _part, obj in parsed]))
        parts, objects = finish(parsed, release["namespace"], release.get("scan_skips") or {}, scopes)
        entry.update(objects=objects, crd_objects=[obj for _part, obj in parse(crds)] if with_crds else [],
                     manifests=_stream(_header(release, source, "what Helm installs"), parts),
                     crds=_stream(_header(release, source, "the CRDs installed before the chart"), crds)
                     if crds else None)
    return out


def _reason(err):
    return " ".join((err or "helm template failed").split())


def run(params, check_mode=False, diff=False):
    """The helm_render module: expand params["releases"]; with build_dir write (render) the files, removing stale
    ones; return the module result (crds: the CRD objects of every release, for apply mode's crds_first)."""
    expansions = expand(to_builtin(params["releases"]), str(params["kube_version"]), params.get("chart_dir") or None,
                        params.get("helm") or "helm", params.get("source") or "",
                        with_crds=params.get("output") == "crds")
    result = {"changed": False, "releases": [
        {key: entry[key] for key in ("name", "expanded", "reason", "origin", "crds_reason")}
        for entry in expansions]}
    result["warnings"] = [
        "Helm release %s is not expanded (descriptor only): %s" % (e["name"], e["reason"])
        for e in expansions if not e["expanded"]] + [
        "Helm release %s is expanded without its CRDs: %s" % (e["name"], e["crds_reason"])
        for e in expansions if e["crds_reason"]]
    if params.get("output") == "crds":
        result["crds"] = [obj for entry in expansions for obj in entry["crd_objects"]]
        return result
    files, stale = build_files(expansions, params["build_dir"])
    written = _build_files.build(files, "0644", check_mode, diff)
    removed = [path for path in stale if os.path.exists(path)]
    if not check_mode:
        for path in removed:
            os.remove(path)
    result.update(changed=written["changed"] or bool(removed), files=written["files"], removed=removed)
    if diff:
        result["diff"] = written.get("diff", []) + [{"before_header": path, "after_header": "(removed)",
                                                     "before": "", "after": ""} for path in removed]
    return result


def build_files(expansions, build_dir):
    """(files to write, paths to remove) for build_files: helm/<name>.manifests.yaml and helm/<name>.crds.yaml of the
    expanded releases; the same paths of a release that is not expanded (or has no CRDs) are stale."""
    files, stale = [], []
    for entry in expansions:
        for suffix, key in (("manifests", "manifests"), ("crds", "crds")):
            path = os.path.join(build_dir, "helm", "%s.%s.yaml" % (entry["name"], suffix))
            if entry[key] is not None:
                files.append({"path": path, "content": entry[key]})
            else:
                stale.append(path)
    return files, stale
