"""The full render: every Helm release expanded with helm template, valid against the schemas, every pod it and the
operators start admitted at its namespace's Pod Security level, the Envoy Gateway CRDs the standard channel; and a
render with Strimzi's default pod security provider and a chart nobody can reach."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import jinja2
import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _helm_render, _manifests, _pod_model
from ansible_collections.eventstack.oke.plugins.module_utils import _pod_security, _post_render
from tests.support import schemas
from tests.support.playbook import REPO, chart_output, inventory_vars, run_playbook
from tests.support.reference import shared_file

ENVIRONMENTS = ["local", "dev", "prod"]
NO_CLUSTER = {"KUBECONFIG": "/nonexistent/kubeconfig", "K8S_AUTH_KUBECONFIG": "/nonexistent/kubeconfig"}
# The values gateway-crds-helm v1.9.0 reads (charts/gateway-crds-helm/values.yaml at the tag).
GATEWAY_CRDS_VALUES = {("crds", "gatewayAPI", "enabled"), ("crds", "gatewayAPI", "channel"),
                       ("crds", "envoyGateway", "enabled")}


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def render(request, site_render):
    build, _run, by_file, releases = site_render(request.param)
    return request.param, build, by_file, releases


def leaves(data, path=()):
    for key, value in data.items():
        if isinstance(value, dict) and value:
            yield from leaves(value, path + (key,))
        else:
            yield path + (key,)


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
    # The one CRD chart no machine here can reach (it is not among ../shared/charts) is named as such.
    assert any(line.startswith("  envoy-gateway: gateway-helm v1.9.0") and "its CRD chart gateway-crds-helm not reached"
               in line for line in lines), lines
    assert inventory_vars(env_name)["eventstack_kubernetes_version"] == "1.34"


def test_every_release_the_roles_hand_helm_releases_fits_its_argument_spec(render):
    """The roles include helm_releases without Ansible's argument check (rolespec_validate false: the releases are
    built by the roles, from inputs preflight checked): each release as render writes it, for Helm to install, must fit
    the element spec of helm_releases_list - every required key, no unknown one, the types."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator  # pylint: disable=import-outside-toplevel

    with open(os.path.join(REPO, "roles", "helm_releases", "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)["argument_specs"]["main"]["options"]["helm_releases_list"]["options"]
    _env, _build, _by_file, releases = render
    assert releases
    problems = {name: ArgumentSpecValidator(spec).validate(
        {key: value for key, value in release.items() if key != "expanded"}).error_messages  # load_render's
        for name, release in releases.items()}
    assert not {name: found for name, found in problems.items() if found}


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
    # Custom kinds live where their CRD says (Calico's Installation is cluster-wide).
    scopes = {}
    for path in sorted(os.listdir(os.path.join(build, "helm"))):
        if path.endswith(_manifests.CHART_CRDS):
            with open(os.path.join(build, "helm", path), encoding="utf-8") as handle:
                scopes.update(_helm_render.text_scopes(_post_render.documents(handle.read())))
    for name, release in releases.items():
        for obj in chart_output(build, name):
            if obj["kind"] not in _helm_render.CLUSTER_SCOPED and scopes.get(obj["kind"]) != "Cluster":
                assert obj["metadata"].get("namespace"), (name, obj["kind"], obj["metadata"]["name"])
            if obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet"):
                assert obj["metadata"]["namespace"] == release["namespace"], (name, obj["metadata"]["name"])


def test_every_pod_is_admitted_at_its_namespaces_pod_security_level(render):
    """The role manifests' and the charts' pods, the operators' pods and the Dapr sidecars: none refused; and the
    operators' pods are there to be judged."""
    env_name, build, _by_file, _releases = render
    objects, releases = _manifests.load_build(build)
    namespaces = {o["metadata"]["name"]: o["metadata"].get("labels") or {} for o in objects if o["kind"] == "Namespace"}
    judged = {}
    for group in _pod_model.pods(objects, releases):
        level, version = _pod_security.namespace_policy(namespaces.get(group["namespace"], {}))
        judged[group["label"]] = (group, level, _pod_security.judge(group, level, version))
    refused = {label: violations for label, (_g, _l, violations) in judged.items() if violations}
    assert refused == {}
    assert judged["kafka pool dual-role"][1] == "restricted" and judged["envoy proxy"][1] == "restricted"
    assert judged["deployment dapr-sentry"][1] == "baseline"
    backend = judged["deployment todo-backend"][0]
    assert [c["name"] for c in backend["spec"]["containers"]][-1] == "daprd"
    assert ("postgres todo-db" in judged) == (env_name != "prod")
    assert ("postgres todo-db initdb job" in judged) == (env_name != "prod")


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


def test_the_envoy_gateway_crds_are_the_standard_channel_applied_before_the_chart(render):
    _env_name, build, _by_file, releases = render
    release = releases["envoy-gateway"]
    assert release["values"]["crds"] == {"enabled": False}, "the chart's own CRDs are the experimental channel"
    assert release["crds_first"] is True
    crds_chart = release["crds_chart"]
    assert (crds_chart["chart"], crds_chart["repo"], crds_chart["version"]) == (
        "gateway-crds-helm", release["repo"], release["version"])
    assert crds_chart["values"]["crds"]["gatewayAPI"] == {"enabled": True, "channel": "standard"}
    assert crds_chart["values"]["crds"]["envoyGateway"] == {"enabled": True}
    assert set(leaves(crds_chart["values"])) <= GATEWAY_CRDS_VALUES
    for name in releases:
        for crd in chart_output(build, name) + chart_output(build, name, "crds"):
            if crd["kind"] == "CustomResourceDefinition":
                assert crd["spec"]["group"] != "gateway.networking.k8s.io" or (
                    crd["metadata"]["annotations"]["gateway.networking.k8s.io/channel"] == "standard"), name


def test_the_post_renderer_apply_mode_gives_helm_annotates_as_the_render_does(site_render, tmp_path):
    """Apply mode installs through Helm's post-renderer written from roles/helm_releases/templates/post-render.j2: run
    by the real helm on a pinned chart with the release's skips, it gives every object the render's annotations."""
    build, _run, _by_file, releases = site_render("dev")
    release = releases["dapr"]
    archive = shared_file("charts/%s-%s.tgz" % (release["chart"], release["version"]))
    source, origin = _helm_render.chart_source(release, str(archive.parent))
    assert origin == "archive", source
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


@pytest.fixture(scope="module")
def insecure_render(site_render, tmp_path_factory):
    """The dev render rendered again for ingress, Kafka and verify with Strimzi's own default pod security provider
    and the retired ingress-nginx, whose chart is in no archive here and whose repository nothing reaches."""
    build = tmp_path_factory.mktemp("insecure") / "build"
    shutil.copytree(site_render("dev")[0], build)
    run = run_playbook("inventories/dev", "--tags", "ingress,strimzi_kafka,verify", env=NO_CLUSTER, extra_vars={
        "eventstack_mode": "render", "eventstack_build_dir": str(build), "ingress_controller": "ingress_nginx",
        "strimzi_kafka_pod_security_provider": "baseline"})
    with open(build / "report.json", encoding="utf-8") as handle:
        return run, json.load(handle), build


def test_with_strimzis_default_provider_the_broker_is_refused_naming_the_rules(insecure_render):
    run, report, _build = insecure_render
    assert run.rc != 0 and "Every pod is admitted by its namespace's Pod Security level" in \
        report["verdict"]["failed_required"], run.output[-3000:]
    evidence = next(c for c in report["checkpoints"] if "Pod Security" in c["name"])["evidence"]
    (broker,) = [line for line in evidence if 'pods "todo-kafka-dual-role"' in line]
    assert broker.startswith('refused: pods "todo-kafka-dual-role" is forbidden: violates PodSecurity '
                             '"restricted:v1.34": allowPrivilegeEscalation != false (container "kafka" must set '
                             'securityContext.allowPrivilegeEscalation=false)'), broker
    assert "(from KafkaNodePool kafka/dual-role) [rules: allowPrivilegeEscalation, capabilities_restricted, " \
           "runAsNonRoot, seccompProfile_restricted]" in broker
    assert sum(line.startswith("refused: ") for line in evidence) == 3, "broker, Entity Operator, Kafka Exporter"


def test_a_chart_nobody_can_reach_stays_a_descriptor_and_the_summary_says_so(insecure_render):
    from scripts.plan_summary import release_lines

    run, _report, build = insecure_render
    assert "Helm release ingress-nginx is not expanded (descriptor only)" in run.output
    assert os.path.exists(build / "helm" / "ingress-nginx.yaml")
    assert not os.path.exists(build / "helm" / "ingress-nginx.manifests.yaml")
    lines = release_lines(str(build))
    assert "the others are descriptors only" in lines[0]
    assert "  ingress-nginx: ingress-nginx 4.15.1 in envoy-gateway-system: descriptor only (chart not reached)" in lines
