"""Apply mode against the Kubernetes API emulator: molecule converge + idempotence + verify, then
cross-checks that what apply mode sent is exactly what render mode writes, and that --check persists nothing."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
import yaml

from tests.support.kube_emulator import EMULATOR_ENV, KubeEmulator, platform_crds
from tests.support.playbook import BIN, REPO, load_manifests, run_playbook

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
NAMES = {"todo-app", "kafka", "dapr-system", "monitoring", "envoy-gateway-system", "eventstack-quota",
         "eventstack-defaults", "ocir-secret", "db-credentials", "jwt-secret", "cohere-api-key", "todo-db-owner"}
DISCOVERY = re.compile(r"/version/?|/api|/apis|/api/v1|/apis/[^/]+(/[^/]+)?")


@pytest.fixture()
def emulator(tmp_path):
    with KubeEmulator(server_version="1.34", crds=platform_crds()) as server:
        kubeconfig = server.write_kubeconfig(str(tmp_path / "kubeconfig"))
        yield server, {"K8S_AUTH_KUBECONFIG": kubeconfig, "KUBECONFIG": kubeconfig}


def writes(server):
    return [r for r in server.requests if r["method"] in WRITES and r["query"].get("dryRun") != "All"]


def test_molecule_converge_idempotence_verify(emulator, tmp_path):
    server, env = emulator
    proc = subprocess.run([os.path.join(BIN, "molecule"), "test", "-s", "default"], cwd=REPO,
                          env=dict(os.environ, PATH=BIN + os.pathsep + os.environ["PATH"], ANSIBLE_NOCOLOR="1",
                                   MOLECULE_NO_LOG="false", **EMULATOR_ENV, **env),
                          capture_output=True, text=True, timeout=900, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    assert re.search(r"idempotence: Executed: Successful", plain), plain[-3000:]
    # The harness cannot pass on a role that applies nothing: the objects must be there.
    namespaces = {o["metadata"]["name"] for o in server.objects(kind="Namespace")}
    assert {"todo-app", "kafka", "dapr-system", "monitoring", "envoy-gateway-system"} <= namespaces


def test_apply_sends_what_render_writes(converged, local_render):
    server, _env = converged  # what site.yml applied to a fresh emulator
    objects = [obj for _name, obj in load_manifests(local_render)]
    assert {"Namespace", "Secret", "Gateway", "EnvoyProxy"} <= {obj["kind"] for obj in objects}
    for obj in objects:
        meta = obj["metadata"]
        live = server.get(obj["apiVersion"], obj["kind"], meta["name"], meta.get("namespace"))
        assert live is not None, "%s %s was rendered but not applied" % (obj["kind"], meta["name"])
        # The API server adds kubernetes.io/metadata.name to every Namespace; ours must all be there.
        assert meta.get("labels", {}).items() <= live["metadata"].get("labels", {}).items()
        for field in ("spec", "type"):
            assert live.get(field) == obj.get(field), (obj["kind"], meta["name"], field)
        if obj["kind"] == "Secret":  # (a service-account token Secret has no data until the API server fills it)
            assert set(live.get("data", {})) == set(obj.get("data", {}))
            assert "UkVEQUNURUQ=" not in live.get("data", {}).values(), "apply mode must send real values"
    assert len(server.objects()) == len(objects), "apply created objects render does not show"


def test_second_apply_changes_nothing_and_sends_nothing(converged, local_render):
    server, env = converged
    manifests = load_manifests(local_render)
    objects = [obj for _name, obj in manifests]
    # Each role applies its objects in one batch: one list per kind and namespace per role (k8s_base and database
    # both list the Secrets of the app namespace).
    lists = {(name, obj["kind"], obj["metadata"].get("namespace")) for name, obj in manifests}
    # Each batch (one k8s_apply call: a role's objects, then its Secrets) discovers the group-versions it uses once.
    group_versions = {(name, obj["kind"] == "Secret", obj["apiVersion"]) for name, obj in manifests}
    # Preflight alone (only 'always' matches the tag): kubernetes.core's discovery cache is per server address, and
    # this emulator is new, so it is filled here as the first converge filled it for the snapshot's server.
    assert run_playbook("inventories/local", "--tags", "preflight-only", env=env, emulator=True).rc == 0
    server.reset_requests()
    again = run_playbook("inventories/local", env=env, emulator=True)
    assert again.rc == 0, again.output
    assert again.recap["changed"] == 0, again.output
    assert writes(server) == [], "a no-change run must not send a single apply"
    discovery = [r for r in server.requests if DISCOVERY.fullmatch(r["path"])]
    reads = [r for r in server.requests if not DISCOVERY.fullmatch(r["path"])]
    # Beside the batches' lists: the hardening role looks for a policy-enforcing CNI's DaemonSet (one list), the
    # observability role for who serves metrics.k8s.io (one read).
    probe_paths = ("/apis/apps/v1/daemonsets", "/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io")
    probes = [r for r in reads if r["path"] in probe_paths]
    assert len(probes) == 2, probes
    reads = [r for r in reads if r not in probes]
    # One list per kind and namespace of a batch, never one read per object (make bench prints the figures); discovery once
    # per group-version of a batch, plus the API roots kubernetes.core reads (/apis, /version), preflight's live
    # /version and the discovery of the APIService's group-version observability reads.
    assert all(r["method"] == "GET" and not r["path"].rsplit("/", 1)[-1] in NAMES for r in reads), reads
    assert len(reads) <= len(lists) < len(objects), (len(reads), len(lists), len(objects))
    assert len(discovery) <= len(group_versions) + 4, (discovery, group_versions)
    assert [r["path"] for r in discovery].count("/version") <= 2, "preflight reads it once, kubernetes.core once"


def test_check_mode_on_a_fresh_cluster_persists_nothing(emulator):
    server, env = emulator
    checked = run_playbook("inventories/local", "--check", "--diff", env=env, emulator=True)
    assert checked.rc == 0, checked.output
    assert checked.recap["changed"] > 0, "check mode must report what it would change"
    assert "check mode: namespace todo-app does not exist yet, so Secret/db-credentials was not dry-run" in \
        " ".join(checked.output.split())
    assert server.objects() == []
    assert writes(server) == []
    assert any(r["query"].get("dryRun") == "All" for r in server.requests), "namespaces were not dry-run"


def test_check_mode_on_a_converged_cluster_reports_a_drift(converged):
    server, env = converged
    # The drift is in k8s_base's namespaces; that role alone shows check mode on live objects.
    checked = run_playbook("inventories/local", "--check", "--diff", "--tags", "k8s_base", env=env, emulator=True,
                           extra_vars={"k8s_base_common_labels": {"app.kubernetes.io/part-of": "other"}})
    assert checked.rc == 0, checked.output
    assert checked.recap["changed"] > 0
    live = server.get("v1", "Namespace", "kafka")
    assert live["metadata"]["labels"]["app.kubernetes.io/part-of"] == "eventstack", "check mode changed the cluster"


def test_secret_values_are_not_logged(emulator, local_render):
    server, env = emulator
    # Every role that renders a Secret, with k8s_base for the namespaces they live in, applied for real.
    roles = sorted({name[:-len(".yaml")] for name, obj in load_manifests(local_render) if obj["kind"] == "Secret"}
                   | {"k8s_base"})
    assert {"k8s_base", "database", "hardening"} <= set(roles)
    applied = run_playbook("inventories/local", "-v", "--diff", "--tags", ",".join(roles), env=env, emulator=True)
    assert applied.rc == 0, applied.output
    with open(os.path.join(REPO, "inventories", "local", "group_vars", "all", "vault.yml"), encoding="utf-8") as handle:
        vault = yaml.safe_load(handle)
    assert len(vault) >= 5
    for name, value in vault.items():
        assert str(value) not in applied.output, name
    assert len(server.objects(kind="Secret")) == len([o for _n, o in load_manifests(local_render)
                                                      if o["kind"] == "Secret"])
