"""The full render: every Helm release expanded with helm template, valid against the schemas, a GitOps export, the
roles' hardening values in the pods, and apply mode's post-renderer annotating as the render does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jinja2
import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _helm_render, _pod_model, _post_render
from tests.support import schemas
from tests.support.playbook import REPO, chart_output, inventory_vars

ENVIRONMENTS = ["local", "dev", "prod"]


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def render(request, site_render):
    build, _run, by_file, releases = site_render(request.param)
    return request.param, build, by_file, releases


def test_every_release_is_expanded_and_the_plan_summary_says_what(render):
    from scripts.plan_summary import release_lines

    env_name, build, _by_file, releases = render
    assert releases and all(release["expanded"] for release in releases.values()), releases
    for name in releases:
        objects = chart_output(build, name)
        assert objects, name
        text = open(os.path.join(build, "helm", name + ".manifests.yaml"), encoding="utf-8").read()
        assert text.startswith("# Rendered by eventstack.oke (") and "with helm template: what Helm installs of " \
            "release %s" % name in text.splitlines()[0]
    lines = release_lines(build)
    assert lines[0] == "Helm releases: %d, %d expanded with helm template into helm/<release>.manifests.yaml" % (
        len(releases), len(releases)), lines
    assert inventory_vars(env_name)["eventstack_kubernetes_version"] == "1.34"


def test_chart_output_is_valid_against_the_schemas(render):
    """Every object Helm would install, CRDs included, against the strict schemas of the inventory's version; a
    chart's custom resources against the CRDs it installs where the reference set has none (Prometheus)."""
    env_name, build, _by_file, releases = render
    crds = [crd for name in releases for crd in chart_output(build, name, "crds")]
    validator = schemas.ManifestValidator(extra_crds=crds)
    version = inventory_vars(env_name)["eventstack_kubernetes_version"]
    errors, count = [], 0
    for name in releases:
        for obj in chart_output(build, name) + chart_output(build, name, "crds"):
            count += 1
            errors += ["%s: %s" % (name, error) for error in validator.validate(obj, version)]
    assert errors == []
    assert count > 100


def test_the_scopes_read_from_the_crd_files_text_are_those_parsing_gives(render):
    _env_name, build, _by_file, releases = render
    for name in releases:
        path = os.path.join(build, "helm", name + ".crds.yaml")
        if os.path.exists(path):
            parts = _post_render.documents(open(path, encoding="utf-8").read())
            scopes = _helm_render._scopes(chart_output(build, name, "crds"))
            assert scopes and _helm_render.text_scopes(parts) == scopes, name


def test_the_export_names_a_namespace_on_every_namespaced_object(render):
    """What a GitOps controller applies from build/<env>/ must say where each object goes, as Helm would put it."""
    _env_name, build, _by_file, releases = render
    for name, release in releases.items():
        for obj in chart_output(build, name):
            if obj["kind"] not in _helm_render.CLUSTER_SCOPED:
                assert obj["metadata"].get("namespace"), (name, obj["kind"], obj["metadata"]["name"])
            if obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet"):
                assert obj["metadata"]["namespace"] == release["namespace"], (name, obj["metadata"]["name"])


def test_the_values_that_harden_chart_pods_reach_their_output(render):
    """Helm ignores a values key a chart does not read: the hardening the roles ask for is in the pods."""
    _env_name, build, _by_file, releases = render
    pods = {(group["namespace"], group["name"]): group["spec"] for group in _pod_model.template_pods(
        [obj for name in releases for obj in chart_output(build, name)])}
    for (_namespace, name), spec in pods.items():
        if name.startswith("dapr-"):
            assert all(c["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
                       for c in spec["containers"]), name
    assert pods[("kafka", "strimzi-cluster-operator")]["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert not [obj for obj in chart_output(build, "dapr") if obj["metadata"].get("namespace") == "default"], \
        "the Dapr chart's Secret reader for the default namespace is off"
    if "kube-prometheus-stack" in releases:
        exporter = pods[("monitoring", "kube-prometheus-stack-prometheus-node-exporter")]["containers"][0]
        assert exporter["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert exporter["securityContext"]["allowPrivilegeEscalation"] is False


def test_the_post_renderer_apply_mode_gives_helm_annotates_as_the_render_does(site_render, tmp_path):
    """Apply mode installs through Helm's post-renderer written from roles/helm_releases/templates/post-render.j2: run
    by the real helm on a pinned chart with the release's skips, it gives every object the render's annotations."""
    build, _run, _by_file, releases = site_render("dev")
    release = releases["dapr"]
    source, origin = _helm_render.chart_source(release, os.path.join(REPO, "..", "shared", "charts"))
    if origin != "archive":
        pytest.skip("the pinned dapr chart is not among ../shared/charts")
    environment = jinja2.Environment()
    environment.filters["to_json"] = json.dumps
    template = environment.from_string(open(os.path.join(REPO, "roles", "helm_releases", "templates",
                                                         "post-render.j2"), encoding="utf-8").read())
    script = tmp_path / "post-render"
    module = os.path.join(REPO, "plugins", "module_utils", "_post_render.py")
    script.write_text("#!%s\n%s" % (sys.executable, template.render(__helm_releases_post_render_module=module)),
                      encoding="utf-8")
    script.chmod(0o755)
    argv = _helm_render.template_argv(_helm_render.find_helm(), release["name"], release["namespace"], source,
                                      "1.34") + ["--post-renderer", str(script)]
    done = subprocess.run(argv, input=json.dumps(release["values"]), capture_output=True, text=True, check=False,
                          env=dict(os.environ, EVENTSTACK_POST_RENDER=json.dumps({"scan_skips": release["scan_skips"]})))
    assert done.returncode == 0, done.stderr
    installed = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(done.stdout)
                 if d and d["kind"] != "CustomResourceDefinition"}
    rendered = {(d["kind"], d["metadata"]["name"]): d for d in chart_output(build, "dapr")}
    assert set(installed) == set(rendered)
    annotated = 0
    for key, obj in rendered.items():
        assert (installed[key]["metadata"].get("annotations") or {}) == (obj["metadata"].get("annotations") or {}), key
        annotated += any(k.startswith("checkov.io/skip") for k in obj["metadata"].get("annotations") or {})
    assert annotated >= 5
