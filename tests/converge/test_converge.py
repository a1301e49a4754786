"""Apply mode against the Kubernetes API emulator: molecule converge + idempotence + verify, then
cross-checks that what apply mode sent is exactly what render mode writes, and that --check persists nothing."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.support.kube_emulator import NO_HELM, KubeEmulator, platform_crds
from tests.support.playbook import BIN, REPO, load_manifests, run_playbook

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
NAMES = {"todo-app", "kafka", "dapr-system", "monitoring", "envoy-gateway-system", "eventstack-quota",
         "eventstack-defaults", "ocir-secret", "db-credentials", "jwt-secret", "cohere-api-key", "todo-db-owner"}
DISCOVERY = re.compile(r"/version/?|/api|/apis|/api/v1|/apis/[^/]+(/[^/]+)?")


@pytest.fixture()
def emulator(tmp_path):
    with KubeEmulator(server_version="1.34", crds=platform_crds()) as server:
        kubeconfig = server.write_kubeconfig(str(tmp_path / "kubeconfig"))
        yield server, {"K8S_AUTH_KUBECONFIG": kubeconfig, "KUBECONFIG": kubeconfig, **NO_HELM}


def writes(server):
    return [r for r in server.requests if r["method"] in WRITES and r["query"].get("dryRun") != "All"]


def test_molecule_converge_idempotence_verify(emulator, tmp_path):
    server, env = emulator
    proc = subprocess.run([os.path.join(BIN, "molecule"), "test", "-s", "default"], cwd=REPO,
                          env=dict(os.environ, PATH=BIN + os.pathsep + os.environ["PATH"], ANSIBLE_NOCOLOR="1",
                                   MOLECULE_NO_LOG="false", **env),
                          capture_output=True, text=True, timeout=900, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    assert re.search(r"idempotence: Executed: Successful", plain), plain[-3000:]
    # The harness cannot pass on a role that applies nothing: the objects must be there.
    namespaces = {o["metadata"]["name"] for o in server.objects(kind="Namespace")}
    assert {"todo-app", "kafka", "dapr-system", "monitoring", "envoy-gateway-system"} <= namespaces


def test_apply_sends_what_render_writes(emulator, tmp_path):
    server, env = emulator
    applied = run_playbook("inventories/local", env=env)
    assert applied.rc == 0, applied.output
    rendered = run_playbook("inventories/local", extra_vars={"eventstack_mode": "render",
                                                             "eventstack_build_dir": str(tmp_path / "build")})
    assert rendered.rc == 0, rendered.output
    objects = [obj for _name, obj in load_manifests(str(tmp_path / "build"))]
    assert {"Namespace", "Secret", "Gateway", "EnvoyProxy"} <= {obj["kind"] for obj in objects}
    for obj in objects:
        meta = obj["metadata"]
        live = server.get(obj["apiVersion"], obj["kind"], meta["name"], meta.get("namespace"))
        assert live is not None, "%s %s was rendered but not applied" % (obj["kind"], meta["name"])
        # The API server adds kubernetes.io/metadata.name to every Namespace; ours must all be there.
        assert meta.get("labels", {}).items() <= live["metadata"].get("labels", {}).items()
        for field in ("spec", "type"):
            assert live.get(field) == obj.get(field), (obj["kind"], meta["name"], field)
        if obj["kind"] == "Secret":
            assert set(live["data"]) == set(obj["data"])
            assert "UkVEQUNURUQ=" not in live["data"].values(), "apply mode must send real values"
    assert len(server.objects()) == len(objects), "apply created objects render does not show"


def test_second_apply_changes_nothing_and_sends_nothing(emulator, tmp_path):
    server, env = emulator
    rendered = run_playbook("inventories/local", extra_vars={"eventstack_mode": "render",
                                                             "eventstack_build_dir": str(tmp_path / "build")})
    assert rendered.rc == 0, rendered.output
    manifests = load_manifests(str(tmp_path / "build"))
    objects = [obj for _name, obj in manifests]
    # Each role applies its objects in one batch: one list per kind and namespace per role (k8s_base and database
    # both list the Secrets of the app namespace).
    lists = {(name, obj["kind"], obj["metadata"].get("namespace")) for name, obj in manifests}
    group_versions = {obj["apiVersion"] for obj in objects}
    assert run_playbook("inventories/local", env=env).rc == 0
    server.reset_requests()
    again = run_playbook("inventories/local", env=env)
    assert again.rc == 0, again.output
    assert again.recap["changed"] == 0, again.output
    assert writes(server) == [], "a no-change run must not send a single apply"
    discovery = [r for r in server.requests if DISCOVERY.fullmatch(r["path"])]
    reads = [r for r in server.requests if not DISCOVERY.fullmatch(r["path"])]
    # One list per kind and namespace of a batch, never one read per object (make bench prints the figures); discovery once
    # per group-version, plus the API roots.
    assert all(r["method"] == "GET" and not r["path"].rsplit("/", 1)[-1] in NAMES for r in reads), reads
    assert len(reads) <= len(lists) < len(objects), (len(reads), len(lists), len(objects))
    assert len(discovery) <= len(group_versions) + 2, (discovery, group_versions)


def test_check_mode_on_a_fresh_cluster_persists_nothing(emulator):
    server, env = emulator
    checked = run_playbook("inventories/local", "--check", "--diff", env=env)
    assert checked.rc == 0, checked.output
    assert checked.recap["changed"] > 0, "check mode must report what it would change"
    assert "check mode: namespace todo-app does not exist yet, so Secret/db-credentials was not dry-run" in \
        " ".join(checked.output.split())
    assert server.objects() == []
    assert writes(server) == []
    assert any(r["query"].get("dryRun") == "All" for r in server.requests), "namespaces were not dry-run"


def test_check_mode_on_a_converged_cluster_reports_a_drift(emulator):
    server, env = emulator
    assert run_playbook("inventories/local", env=env).rc == 0
    checked = run_playbook("inventories/local", "--check", "--diff", env=env,
                           extra_vars={"k8s_base_common_labels": {"app.kubernetes.io/part-of": "other"}})
    assert checked.rc == 0, checked.output
    assert checked.recap["changed"] > 0
    live = server.get("v1", "Namespace", "kafka")
    assert live["metadata"]["labels"]["app.kubernetes.io/part-of"] == "eventstack", "check mode changed the cluster"


def test_secret_values_are_not_logged(emulator):
    server, env = emulator
    applied = run_playbook("inventories/local", "-v", "--diff", env=env)
    assert applied.rc == 0
    for value in ("not-a-real-password", "not-a-real-jwt-secret-local-only", "not-a-real-token-local-only"):
        assert value not in applied.output
    assert server.objects(kind="Secret")
