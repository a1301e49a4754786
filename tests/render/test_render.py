"""Render mode for every inventory: valid against the real schemas, deterministic, idempotent, no secrets."""

from __future__ import annotations

import filecmp
import os
import re
import shutil

import pytest
import yaml

from tests.support import schemas
from tests.support.playbook import REPO, inventory_vars, load_manifests, run_playbook

ENVIRONMENTS = ["local", "dev", "prod"]
# Render must not need a cluster: point every Kubernetes client at nothing.
NO_CLUSTER = {"KUBECONFIG": "/nonexistent/kubeconfig", "K8S_AUTH_KUBECONFIG": "/nonexistent/kubeconfig"}


def _rendered(env_name, tmp_path_factory, site_render):
    shared, first, _by_file, _releases = site_render(env_name)
    build = tmp_path_factory.mktemp("render-" + env_name)
    os.symlink(shared, build / "a")
    return env_name, build, first


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def rendered(request, tmp_path_factory, site_render):
    """(env, build, run): build/"a" is the session's shared whole-site render of the inventory (read only)."""
    return _rendered(request.param, tmp_path_factory, site_render)


@pytest.fixture(scope="module", params=[env for env in ENVIRONMENTS if inventory_vars(env).get("eventstack_oci_enabled")])
def rendered_oci(request, tmp_path_factory, site_render):
    """rendered, for the inventories whose OCI roles run (the others have no OCI plan)."""
    return _rendered(request.param, tmp_path_factory, site_render)


def test_render_writes_manifests(rendered):
    env_name, build, first = rendered
    assert first.recap["failed"] == 0
    objects = load_manifests(str(build / "a"))
    assert objects, "render wrote no objects"
    # The observability role writes objects only with kube-prometheus-stack (monitors, rules, dashboards).
    prometheus = inventory_vars(env_name).get("observability_prometheus_enabled", False)
    # policy_engine writes its namespace where it installs Calico (OKE with flannel).
    engine = inventory_vars(env_name).get("oke_cluster_pod_networking") == "flannel"
    assert {name for name, _obj in objects} == {"k8s_base.yaml", "ingress.yaml", "strimzi_kafka.yaml", "database.yaml",
                                                "dapr.yaml", "apps.yaml", "hardening.yaml"} | (
        {"observability.yaml"} if prometheus else set()) | ({"policy_engine.yaml"} if engine else set())


def test_the_run_ends_with_the_seconds_each_role_took(rendered):
    """The collection's ansible.cfg enables eventstack.oke.role_timing: after the recap, one row per role that ran
    (k8s_objects and helm_releases counted for the roles that include them), and a total of every task started."""
    _env_name, _build, first = rendered
    tail = first.output[first.output.rindex("PLAY RECAP"):]
    assert "ROLE TIMING" in tail, tail
    rows = [line.split() for line in tail.split("ROLE TIMING", 1)[1].splitlines() if line.strip().strip("*").strip()]
    rows = rows[:[row[0] for row in rows].index("total") + 1]  # stderr follows stdout in the run's output
    assert rows[0] == ["role", "tasks", "seconds", "share"]
    roles = {row[0]: row for row in rows[1:-1]}
    assert {"preflight", "k8s_base", "strimzi_kafka", "dapr", "apps", "hardening", "verify"} <= set(roles), rows
    assert not {"k8s_objects", "helm_releases"} & set(roles), rows
    started = sum(1 for line in first.output.splitlines() if line.startswith(("TASK [", "RUNNING HANDLER [")))
    assert rows[-1][:2] == ["total", str(started)]
    assert sum(int(row[1]) for row in roles.values()) == started


def test_every_object_is_valid_against_the_target_schema(rendered):
    env_name, build, _first = rendered
    version = inventory_vars(env_name)["eventstack_kubernetes_version"]
    errors = []
    for name, obj in load_manifests(str(build / "a")):
        errors += ["%s: %s" % (name, error) for error in schemas.validate(obj, version)]
    assert errors == []


def test_second_render_changes_nothing_and_is_byte_identical(rendered):
    """A copy of the first render, rendered into again: nothing changes (a file whose content differed, as a
    non-deterministic render would make it, is rewritten and counted as changed) and the files stay identical."""
    env_name, build, _first = rendered
    shutil.copytree(build / "a", build / "c", symlinks=False)
    again = run_playbook("inventories/" + env_name, extra_vars={"eventstack_mode": "render",
                                                                "eventstack_build_dir": str(build / "c")},
                         env=NO_CLUSTER)
    assert again.rc == 0, again.output
    assert again.recap["changed"] == 0, again.output
    for sub in ("manifests", "helm"):  # the role manifests, and the releases with their chart output
        comparison = filecmp.dircmp(str(build / "a" / sub), str(build / "c" / sub))
        assert comparison.left_list == comparison.right_list
        _match, mismatch, errors = filecmp.cmpfiles(str(build / "a" / sub), str(build / "c" / sub),
                                                    comparison.common_files, shallow=False)
        assert mismatch == [] and errors == []


def test_rendering_one_oci_role_again_keeps_the_other_sections_of_the_plan(rendered_oci):
    """--tags oke_cluster into a copy of a render whose plan section of oke_cluster was tampered with: its fragment
    and oci-plan.yaml are rewritten, the other roles' sections stay as they were and in their order."""
    env_name, build, _first = rendered_oci
    shutil.copytree(build / "a", build / "t", symlinks=False)
    fragments = sorted(os.listdir(build / "t" / "oci-plan.d"))
    cluster = "20-cluster.yaml"  # oke_cluster's oci_plan_fragment
    (build / "t" / "oci-plan.d" / cluster).write_text("# tampered\n", encoding="utf-8")
    (build / "t" / "oci-plan.yaml").write_text("# tampered\n", encoding="utf-8")
    again = run_playbook("inventories/" + env_name, "--tags", "oke_cluster", env=NO_CLUSTER, extra_vars={
        "eventstack_mode": "render", "eventstack_build_dir": str(build / "t")})
    assert again.rc == 0, again.output
    assert filecmp.cmp(build / "a" / "oci-plan.d" / cluster, build / "t" / "oci-plan.d" / cluster, shallow=False)
    assert filecmp.cmp(build / "a" / "oci-plan.yaml", build / "t" / "oci-plan.yaml", shallow=False)
    assert sorted(os.listdir(build / "t" / "oci-plan.d")) == fragments


def test_namespaces_follow_the_inventory(rendered):
    env_name, build, _first = rendered
    inventory = inventory_vars(env_name)
    objects = [obj for _name, obj in load_manifests(str(build / "a"))]
    namespaces = {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == "Namespace"}
    assert set(inventory["eventstack_namespaces"].values()) <= set(namespaces)
    app = namespaces[inventory["eventstack_namespaces"]["app"]]["metadata"]["labels"]
    assert app["pod-security.kubernetes.io/enforce"] == "restricted"
    assert app["pod-security.kubernetes.io/enforce-version"] == "v" + inventory["eventstack_kubernetes_version"]
    assert app["dapr.io/enabled"] == "true"
    assert app["eventstack.oke/environment"] == env_name
    monitoring = namespaces[inventory["eventstack_namespaces"]["monitoring"]]["metadata"]["labels"]
    assert monitoring["pod-security.kubernetes.io/enforce"] == "privileged"


def test_quotas_follow_the_inventory(rendered):
    env_name, build, _first = rendered
    inventory = inventory_vars(env_name)
    objects = [obj for _name, obj in load_manifests(str(build / "a"))]
    quotas = {obj["metadata"]["namespace"]: obj["spec"]["hard"] for obj in objects if obj["kind"] == "ResourceQuota"}
    limit_ranges = {obj["metadata"]["namespace"] for obj in objects if obj["kind"] == "LimitRange"}
    assert quotas, "no ResourceQuota rendered"
    assert set(quotas) <= limit_ranges, "a namespace with a quota needs default container limits"
    if "k8s_base_namespaces" in inventory:  # dev and prod size their namespaces themselves
        kafka = next(ns for ns in inventory["k8s_base_namespaces"] if "kafka" in ns["name"])
        assert quotas["kafka"]["limits.memory"] == kafka["quota"]["limits_memory"]


def test_secrets_are_rendered_with_keys_and_placeholders_only(rendered):
    env_name, build, _first = rendered
    objects = [obj for _name, obj in load_manifests(str(build / "a"))]
    secrets = {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == "Secret"}
    in_cluster = inventory_vars(env_name)["database_mode"] == "cloudnative_pg"
    grafana = inventory_vars(env_name).get("observability_prometheus_enabled", False)
    loki = inventory_vars(env_name).get("observability_log_shipping", "none") == "loki"
    assert set(secrets) == {"ocir-secret", "db-credentials", "jwt-secret", "cohere-api-key",
                            "eventstack-deployer-token"} | ({"todo-db-owner"} if in_cluster else set()) | (
        {"grafana-admin"} if grafana else set()) | ({"fluent-bit-loki"} if loki else set()) | (
        {"eventstack-datasource-loki"} if loki and grafana else set())
    assert secrets["ocir-secret"]["type"] == "kubernetes.io/dockerconfigjson"
    assert secrets["db-credentials"]["data"] == {"DATABASE_URL": "UkVEQUNURUQ="}
    # The deployer's token Secret carries no value: the API server fills it.
    assert "data" not in secrets.pop("eventstack-deployer-token")
    for secret in secrets.values():
        assert set(secret["data"].values()) == {"UkVEQUNURUQ="}


def test_no_vault_value_reaches_a_rendered_file(rendered):
    env_name, build, _first = rendered
    vault = inventory_vars("local")
    values = [str(v) for k, v in vault.items() if k.startswith("vault_")]
    assert values
    for root, _dirs, files in os.walk(str(build / "a")):
        for name in files:
            with open(os.path.join(root, name), encoding="utf-8") as handle:
                text = handle.read()
            for value in values:
                assert value not in text, "%s leaks a vault value" % name


def test_oci_plan_is_written_only_where_oci_is_enabled(rendered):
    env_name, build, _first = rendered
    inventory = inventory_vars(env_name)
    plan_file = build / "a" / "oci-plan.yaml"
    if not inventory.get("eventstack_oci_enabled"):
        assert not plan_file.exists()
        return
    with open(plan_file, encoding="utf-8") as handle:
        network = yaml.safe_load(handle)["network"]
    assert network["vcn"]["cidr_block"] == "10.0.0.0/16"
    subnets = {subnet["key"]: subnet for subnet in network["subnets"]}
    assert ("pods" in subnets) == (env_name == "prod"), "a pod subnet only with VCN-native pod networking"
    assert subnets["workers"]["prohibit_public_ip_on_vnic"] is True
    lb_ingress = [rule for rule in network["nsgs"]["load_balancers"]["rules"] if rule["direction"] == "INGRESS"]
    ports = sorted({rule["tcp_options"]["destination_port_range"]["min"] for rule in lb_ingress})
    assert ports == [80, 443]
    # ICMP type 3 code 4 (path MTU discovery) from anywhere is one of the rules OKE requires.
    open_to_world = [rule for nsg in network["nsgs"].values() for rule in nsg["rules"]
                     if rule["direction"] == "INGRESS" and rule.get("source") == "0.0.0.0/0"
                     and rule.get("icmp_options") != {"type": 3, "code": 4}]
    assert open_to_world == lb_ingress, "only the listener ports the inventory lists are open to the internet"


def test_oci_plan_oke_section_follows_the_inventory_and_refers_to_the_network(rendered):
    env_name, build, _first = rendered
    inventory = inventory_vars(env_name)
    if not inventory.get("eventstack_oci_enabled"):
        return
    with open(build / "a" / "oci-plan.yaml", encoding="utf-8") as handle:
        plan = yaml.safe_load(handle)
    assert list(plan) == ["identity", "network", "oke"], "sections in fragment order"
    oke, network = plan["oke"], plan["network"]
    pool = oke["node_pool"]
    assert pool["size"] == inventory["oke_cluster_node_count"]
    assert oke["totals"] == {"ocpus": pool["size"] * pool["ocpus_per_node"],
                             "memory_gbs": pool["size"] * pool["memory_gbs_per_node"],
                             "boot_volume_gbs": pool["size"] * pool["boot_volume_gbs_per_node"]}
    assert pool["boot_volume_gbs_per_node"] >= 50
    assert "aarch64" in pool["image"], "A1 shapes need arm64 images"
    # Every symbolic reference names a subnet or NSG of the network section.
    subnet_keys = {subnet["key"] for subnet in network["subnets"]}
    refs = [oke["cluster"]["endpoint"]["subnet"], pool["subnet"]] + oke["cluster"]["service_lb_subnets"]
    refs += oke["cluster"]["endpoint"]["nsgs"] + pool["nsgs"]
    if isinstance(pool["pod_network"], dict):
        refs += pool["pod_network"]["pod_subnets"] + pool["pod_network"]["pod_nsgs"]
    for ref in refs:
        kind, key = ref.split(":")
        assert key in (subnet_keys if kind == "subnet" else network["nsgs"]), ref
    vcn_native = env_name == "prod"
    assert (oke["cluster"]["cni_type"] == "OCI_VCN_IP_NATIVE") == vcn_native
    assert ("pods" in subnet_keys) == vcn_native
    assert {k: oke["kubeconfig"][k] for k in ("path", "mode", "endpoint")} == {
        "path": inventory["eventstack_kubeconfig"], "mode": "0600",
        "endpoint": "PUBLIC_ENDPOINT" if env_name == "dev" else "PRIVATE_ENDPOINT"}
    # prod's private endpoint is reached through a bastion in the API endpoint's subnet; dev's public one directly.
    if env_name == "prod":
        assert oke["api_access"]["via"] == "bastion" and oke["api_access"]["bastion"]["target_subnet"] == \
            oke["cluster"]["endpoint"]["subnet"]
        assert oke["kubeconfig"]["server"].startswith("https://127.0.0.1:16443 (the bastion tunnel")
    else:
        assert oke["api_access"] == {"via": "direct"} and oke["kubeconfig"]["server"] == "the public endpoint"
    if env_name == "dev":  # Always Free: one A1 node of 2 OCPU / 8 GB, one 50 GB boot volume, basic cluster.
        assert oke["totals"] == {"ocpus": 2, "memory_gbs": 8, "boot_volume_gbs": 50}
        assert oke["cluster"]["type"] == "BASIC_CLUSTER"


def test_plan_summary_reports_objects_and_the_oci_plan(rendered):
    from scripts.plan_summary import summarize

    env_name, build, _first = rendered
    lines = summarize(str(build / "a"), os.path.join(REPO, "inventories", env_name))
    objects = load_manifests(str(build / "a"))
    assert lines[0].endswith(": %d Kubernetes objects" % len(objects))
    text = "\n".join(lines)
    if not inventory_vars(env_name).get("eventstack_oci_enabled"):
        assert "OCI plan: none" in text
        return
    assert "network: VCN 10.0.0.0/16" in text
    if env_name == "dev":
        assert "nodes: 1 x VM.Standard.A1.Flex (2 OCPU / 8 GB) = 2 OCPU / 8 GB, boot volumes 50 GB" in text
        # Always Free: platform pods and sidecars within 1.6 OCPU / 6 GiB, leaving room for the apps.
        assert "within the budget of 1.6 CPU / 6.00 GiB (eventstack_budget)" in text, text
    else:
        assert "nodes: 3 x VM.Standard.A1.Flex (4 OCPU / 24 GB) = 12 OCPU / 72 GB, boot volumes 300 GB" in text
        assert ("API: private, through bastion eventstackprod (sessions from nobody yet: set "
                "oke_cluster_bastion_client_cidrs), kubeconfig at https://127.0.0.1:16443") in text


def test_oci_plan_identity_section(rendered):
    env_name, build, _first = rendered
    inventory = inventory_vars(env_name)
    if not inventory.get("eventstack_oci_enabled"):
        return
    with open(build / "a" / "oci-plan.yaml", encoding="utf-8") as handle:
        identity = yaml.safe_load(handle)["identity"]
    if not inventory.get("oci_identity_compartment_name"):
        assert identity == {"compartment": None, "policy": None}
        return
    assert identity["compartment"]["name"] == inventory["oci_identity_compartment_name"]
    statements = identity["policy"]["statements"]
    assert len(statements) == 4 * len(inventory["oci_identity_groups"])
    for group in inventory["oci_identity_groups"]:
        for family in ("cluster-family", "virtual-network-family", "instance-family", "repos"):
            assert "Allow group %s to manage %s in compartment %s" % (
                group, family, inventory["oci_identity_compartment_name"]) in statements


def test_every_helm_release_is_pinned_and_its_values_are_chart_keys(rendered):
    from tests.support import chart_values

    env_name, build, _first = rendered
    releases = sorted(path for path in (build / "a" / "helm").glob("*.yaml")
                      if not path.name.endswith((".manifests.yaml", ".crds.yaml")))
    assert releases, "render wrote no Helm release"
    chart_values.require()
    problems = []
    for path in releases:
        release = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert release["name"] == path.stem
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", release["version"]), "%s: unpinned %r" % (path.name, release["version"])
        assert release["repo"].startswith(("https://", "oci://")), release["repo"]
        problems += ["%s: %s" % (path.name, p) for p in
                     chart_values.check(release["chart"], release["version"], release["values"])]
    assert problems == []


def test_requests_add_up_from_every_source(rendered):
    from ansible_collections.eventstack.oke.plugins.module_utils import _capacity, _manifests

    env_name, build, _first = rendered
    inventory = inventory_vars(env_name)
    services = inventory["eventstack_services"]
    nodes = inventory.get("oke_cluster_node_count", 1)
    groups = {g["name"]: g for g in _capacity.workloads(*_manifests.load_build(str(build / "a")), node_count=nodes)}
    # The charts' pods as their rendered output runs them, the operators' pods, the apps.
    assert {"envoy proxy", "deployment envoy-gateway", "deployment strimzi-cluster-operator", "kafka exporter",
            "kafka entity operator", "deployment dapr-sentry", "statefulset dapr-scheduler-server",
            "deployment todo-backend"} <= set(groups)
    estimated = {component[0] for components in _capacity.HELM_COMPONENTS.values() for component in components}
    assert not estimated & set(groups), "every release is counted from its chart output, none from its values"
    # Every Dapr-enabled Deployment's pods carry a sidecar, as many as its pods (replicas or HPA minimum).
    deployments = {name[len("deployment "):]: g for name, g in groups.items() if name.startswith("deployment ")}
    assert all(deployments[s["name"]]["sidecar"] for s in services)
    assert all(g["pod"]["requests"]["cpu"] > 0 and g["pod"]["requests"]["memory"] > 0 for g in groups.values()), \
        "every counted pod requests"
    assert [g["replicas"] for name, g in groups.items() if name.startswith("kafka pool")] == (
        [3] if env_name == "prod" else [1])
    assert ("postgres todo-db" in groups) == (env_name != "prod"), "prod's database is external"
    assert groups["deployment dapr-sentry"]["replicas"] == (3 if env_name == "prod" else 1), "HA runs three of each"
    daemons = [g for g in groups.values() if g["daemon"]]
    assert all(g["replicas"] == nodes for g in daemons), "DaemonSet pods count once per node"
