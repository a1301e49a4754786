"""Helm releases expanded with helm template: the output split into CRDs and templates, what the collection changes
before Helm installs it (post-renderer: scan skips; render: the release namespace), the build files, and no helm at
all (the real helm runs in tests/render/test_helm_render.py)."""

from __future__ import annotations

import io
import json

import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _helm_render, _post_render

# What helm template prints: the documents of a multi-document CRD file carry one Source line between them.
OUTPUT = """---
# Source: demo/charts/crds/crds/bundle.yaml
#
# a comment helm copies from the file
#
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions: []
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Cluster
  names: {kind: Gadget, plural: gadgets}
  versions: []
---
# Source: demo/templates/empty.yaml
---
# Source: demo/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo
spec:
  template:
    spec:
      containers: [{name: c, image: "demo:1"}]
---
# Source: demo/templates/rbac.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: demo
rules: []
---
# Source: demo/templates/gadget.yaml
apiVersion: example.com/v1
kind: Gadget
metadata:
  name: one
---
# Source: demo/templates/job.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: demo-hook
  annotations:
    helm.sh/hook: pre-install
spec:
  template:
    spec:
      containers: [{name: c, image: "demo:1"}]
"""
SKIPS = {"workloads": ["CKV_K8S_43=pinned by the chart's release tag"],
         "Deployment/demo": ["CKV_K8S_15=tags are never reused"], "ClusterRole/*": ["CKV_K8S_155=it manages webhooks"]}


def test_the_crds_of_crds_directories_are_split_from_the_templates_and_empty_templates_dropped():
    crds, templates = _helm_render.split(OUTPUT)
    names = [yaml.safe_load(part)["metadata"]["name"] for part in crds]
    assert names == ["widgets.example.com", "gadgets.example.com"]
    assert [yaml.safe_load(part)["kind"] for part in templates] == ["Deployment", "ClusterRole", "Gadget", "Job"]


def test_finish_sets_the_release_namespace_on_namespaced_objects_and_annotates_what_the_skips_select():
    crds, templates = _helm_render.split(OUTPUT)
    parsed = _helm_render.parse(templates)
    scopes = _helm_render._scopes([obj for _part, obj in _helm_render.parse(crds)])
    texts, objects = _helm_render.finish(parsed, "demo-ns", SKIPS, scopes)
    by_kind = {obj["kind"]: obj for obj in objects}
    assert by_kind["Deployment"]["metadata"]["namespace"] == "demo-ns"
    # Numbered in the order of the selectors, sorted (the same whatever order a descriptor's keys come in).
    assert by_kind["Deployment"]["metadata"]["annotations"] == {
        "checkov.io/skip1": "CKV_K8S_15=tags are never reused",
        "checkov.io/skip2": "CKV_K8S_43=pinned by the chart's release tag"}
    assert "namespace" not in by_kind["ClusterRole"]["metadata"]
    assert by_kind["ClusterRole"]["metadata"]["annotations"] == {"checkov.io/skip1": "CKV_K8S_155=it manages webhooks"}
    assert "namespace" not in by_kind["Gadget"]["metadata"], "a cluster-scoped custom kind, by its CRD"
    assert by_kind["Job"]["metadata"]["namespace"] == "demo-ns"
    assert by_kind["Job"]["metadata"]["annotations"] == {
        "helm.sh/hook": "pre-install", "checkov.io/skip1": "CKV_K8S_43=pinned by the chart's release tag"}
    assert texts[0].startswith("# Source: demo/templates/deployment.yaml\n")
    assert [yaml.safe_load(text) for text in texts] == objects


def test_crd_scopes_are_read_from_the_text_as_parsing_would_read_them():
    block = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a.example.com\n"
             "spec:\n  group: example.com\n  names:\n    listKind: ThingList\n    kind: Thing\n    plural: things\n"
             "  scope: Cluster\n  versions: []\n")
    crds, _templates = _helm_render.split(OUTPUT)
    parts = crds + [block, "kind: ConfigMap\n"]
    parsed = [obj for part in parts for obj in _post_render.load(part)]
    assert _helm_render.text_scopes(parts) == _helm_render._scopes(parsed) == {
        "Widget": "Namespaced", "Gadget": "Cluster", "Thing": "Cluster"}


def test_the_post_renderer_annotates_what_render_annotates_except_hooks_which_helm_does_not_post_render():
    stream = "".join("---\n" + part for part in _helm_render.split(OUTPUT)[1])
    out = io.StringIO()
    code = _post_render.main(io.StringIO(stream), out, {_post_render.ENV: json.dumps({"scan_skips": SKIPS})})
    assert code == 0
    rendered = {doc["kind"]: doc for doc in yaml.safe_load_all(out.getvalue())}
    _texts, objects = _helm_render.finish(_helm_render.parse(_helm_render.split(OUTPUT)[1]), "ns", SKIPS, {})
    for obj in objects:
        if obj["kind"] != "Job":
            assert rendered[obj["kind"]]["metadata"].get("annotations") == obj["metadata"].get("annotations")
    assert rendered["Job"]["metadata"]["annotations"] == {"helm.sh/hook": "pre-install"}
    assert _post_render.main(io.StringIO(stream), io.StringIO(), {_post_render.ENV: "{"}) == 1


def test_yaml_values_helm_output_carries_are_read_as_json_would():
    assert _post_render.load("enum: [=, '!=']\nwhen: 2026-01-01\n") == [{"enum": ["=", "!="], "when": "2026-01-01"}]


def test_the_chart_comes_from_the_archive_directory_else_the_repository(tmp_path):
    release = {"name": "r", "chart": "demo", "version": "1.0.0", "repo": "https://charts.example.com"}
    assert _helm_render.chart_source(release, str(tmp_path)) == (
        ["demo", "--repo", "https://charts.example.com", "--version", "1.0.0"], "https://charts.example.com")
    (tmp_path / "demo-1.0.0.tgz").write_bytes(b"")
    assert _helm_render.chart_source(release, str(tmp_path)) == ([str(tmp_path / "demo-1.0.0.tgz")], "archive")
    oci = dict(release, repo="oci://quay.io/demo/")
    assert _helm_render.chart_source(oci) == (["oci://quay.io/demo/demo", "--version", "1.0.0"], "oci://quay.io/demo/")
    assert _helm_render.kube_version("1.34") == "v1.34.0" and _helm_render.kube_version("v1.34.2") == "v1.34.2"


def test_build_files_and_stale_files():
    expansions = [{"name": "a", "manifests": "x", "crds": None}, {"name": "b", "manifests": None, "crds": None}]
    files, stale = _helm_render.build_files(expansions, "build/dev")
    assert files == [{"path": "build/dev/helm/a.manifests.yaml", "content": "x"}]
    assert stale == ["build/dev/helm/a.crds.yaml", "build/dev/helm/b.manifests.yaml", "build/dev/helm/b.crds.yaml"]


def test_without_helm_every_release_stays_a_descriptor_saying_why(tmp_path):
    result = _helm_render.run({"releases": [{"name": "a", "namespace": "ns", "chart": "a", "version": "1",
                                             "repo": "https://x.invalid"}], "kube_version": "1.34",
                               "helm": str(tmp_path / "no-helm"), "build_dir": str(tmp_path)})
    assert result["releases"][0]["expanded"] is False
    assert "cannot run %s" % (tmp_path / "no-helm") in result["releases"][0]["reason"]
