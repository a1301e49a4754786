"""eventstack.oke's helm_render logic with the real helm: a packaged chart expanded from an archive directory (its
crds/ apart), a release's CRD chart, a chart nobody can reach, and apply mode's crds_first reading the same CRDs."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _helm_render

HELM = _helm_render.find_helm()
CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: %(plural)s.example.com
  annotations: {channel: %(channel)s}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: %(kind)s, plural: %(plural)s}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
"""


def chart(directory, name, templates, crds=None):
    (directory / name / "templates").mkdir(parents=True)
    (directory / name / "Chart.yaml").write_text("apiVersion: v2\nname: %s\nversion: 1.0.0\n" % name, encoding="utf-8")
    for file_name, text in templates.items():
        (directory / name / "templates" / file_name).write_text(text, encoding="utf-8")
    if crds:
        (directory / name / "crds").mkdir()
        (directory / name / "crds" / "bundle.yaml").write_text("---\n".join(crds), encoding="utf-8")
    done = subprocess.run([HELM, "package", str(directory / name), "--destination", str(directory / "archives")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture(name="archives")
def fixture_archives(tmp_path):
    config_map = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n"
                  "  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  size: {{ .Values.size | quote }}\n")
    chart(tmp_path, "demo", {"cm.yaml": config_map},
          [CRD % {"kind": "Widget", "plural": "widgets", "channel": "bundled"},
           CRD % {"kind": "Gadget", "plural": "gadgets", "channel": "bundled"}])
    only_crds = ("{{- if .Values.enabled }}\n" + CRD % {"kind": "Widget", "plural": "widgets", "channel": "{{ "
                 ".Values.channel }}"} + "{{- end }}\n")
    chart(tmp_path, "demo-crds", {"crds.yaml": only_crds})
    return str(tmp_path / "archives")


def release(**extra):
    return dict({"name": "demo", "namespace": "ns", "chart": "demo", "version": "1.0.0", "repo": "https://x.invalid",
                 "values": {"size": "3"}}, **extra)


def test_a_packaged_chart_is_expanded_its_crds_apart_and_an_unreachable_one_stays_a_descriptor(archives, tmp_path):
    gone = {"name": "gone", "namespace": "ns", "chart": "gone", "version": "9.9.9", "repo": "http://127.0.0.1:9"}
    build = tmp_path / "build"
    result = _helm_render.run({"releases": [release(), gone], "kube_version": "1.34", "chart_dir": archives,
                               "helm": HELM, "build_dir": str(build), "source": "test"})
    assert [(r["name"], r["expanded"], r["origin"]) for r in result["releases"]] == [
        ("demo", True, "archive"), ("gone", False, "http://127.0.0.1:9")]
    assert "Helm release gone is not expanded (descriptor only)" in result["warnings"][0]
    manifests = (build / "helm" / "demo.manifests.yaml").read_text(encoding="utf-8")
    assert manifests.startswith("# Rendered by eventstack.oke (test) with helm template: what Helm installs of "
                                "release demo (chart demo 1.0.0 from https://x.invalid).\n")
    (config,) = list(yaml.safe_load_all(manifests))
    assert config["data"] == {"kube": "v1.34.0", "size": "3"} and config["metadata"]["namespace"] == "ns"
    crds = list(yaml.safe_load_all((build / "helm" / "demo.crds.yaml").read_text(encoding="utf-8")))
    assert [crd["metadata"]["name"] for crd in crds] == ["widgets.example.com", "gadgets.example.com"]
    assert not (build / "helm" / "gone.manifests.yaml").exists()
    again = _helm_render.run({"releases": [release()], "kube_version": "1.34", "chart_dir": archives, "helm": HELM,
                              "build_dir": str(build), "source": "test"})
    assert again["changed"] is False and again["removed"] == []
    offline = _helm_render.run({"releases": [release(chart="demo", version="2.0.0")], "kube_version": "1.34",
                                "chart_dir": archives, "helm": HELM, "build_dir": str(build), "source": "test"})
    assert offline["removed"] == [str(build / "helm" / "demo.manifests.yaml"), str(build / "helm" / "demo.crds.yaml")]


def test_a_crds_chart_gives_the_crds_render_writes_and_apply_applies_first(archives, tmp_path):
    crds_chart = {"chart": "demo-crds", "repo": "https://x.invalid", "version": "1.0.0",
                  "values": {"enabled": True, "channel": "standard"}}
    with_crds = release(crds_chart=crds_chart)
    build = tmp_path / "build"
    _helm_render.run({"releases": [with_crds], "kube_version": "1.34", "chart_dir": archives, "helm": HELM,
                      "build_dir": str(build)})
    crds = list(yaml.safe_load_all((build / "helm" / "demo.crds.yaml").read_text(encoding="utf-8")))
    assert [(c["metadata"]["name"], c["metadata"]["annotations"]["channel"]) for c in crds] == [
        ("widgets.example.com", "bundled"), ("gadgets.example.com", "bundled"), ("widgets.example.com", "standard")]
    applied = _helm_render.run({"releases": [with_crds], "kube_version": "1.34", "chart_dir": archives, "helm": HELM,
                                "output": "crds"})
    assert applied["crds"] == crds, "apply mode applies exactly the CRDs render writes"
    unreachable = dict(crds_chart, chart="nowhere-crds", repo="http://127.0.0.1:9")
    result = _helm_render.run({"releases": [release(crds_chart=unreachable)], "kube_version": "1.34",
                               "chart_dir": archives, "helm": HELM, "build_dir": str(build)})
    (entry,) = result["releases"]
    assert entry["expanded"] is True and entry["crds_reason"].startswith("CRD chart nowhere-crds 1.0.0 from "
                                                                         "http://127.0.0.1:9: ")
    assert "Helm release demo is expanded without its CRDs" in result["warnings"][0]


def test_apply_mode_passes_helm_only_options_kubernetes_core_helm_has():
    """helm_release hands its helm dictionary to kubernetes.core.helm as it is: every key the helm_releases role sets
    must be an option of the installed kubernetes.core.helm (a misspelt one would fail only against a cluster)."""
    from ansible_collections.kubernetes.core.plugins.modules import helm  # pylint: disable=import-outside-toplevel

    options = helm.argument_spec()  # the module's own, with its common Kubernetes options
    known = set(options) | {alias for option in options.values() for alias in option.get("aliases", [])}
    with open("roles/helm_releases/tasks/apply.yml", encoding="utf-8") as handle:
        tasks = yaml.safe_load(handle)
    calls = [task["eventstack.oke.helm_release"] for task in tasks if "eventstack.oke.helm_release" in task]
    assert len(calls) == 1 and not set(calls[0]) - {"helm", "progress_interval"}
    assert sorted(set(calls[0]["helm"]) - known) == []
    assert {"name", "release_namespace", "chart_ref", "wait", "atomic"} <= set(calls[0]["helm"])
