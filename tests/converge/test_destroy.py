"""playbooks/destroy.yml against the emulator: removes what site.yml built, is idempotent, guards prod."""

from __future__ import annotations

import re
import threading
import time

from tests.support.playbook import run_playbook

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def test_destroy_needs_no_vault_values_removes_everything_and_a_second_run_changes_nothing(converged):
    server, env = converged
    no_vault = {"k8s_base_secrets": [{"name": "jwt-secret", "namespace": "todo-app",
                                      "data_from_vars": {"JWT": "vault_not_defined_here"}}],
                "database_owner_password_var": "vault_not_defined_either"}
    first = run_playbook("inventories/local", env=env, emulator=True, playbook="playbooks/destroy.yml", extra_vars=no_vault)
    assert first.rc == 0, first.output
    assert first.recap["changed"] > 0
    assert server.objects() == []
    server.reset_requests()
    second = run_playbook("inventories/local", env=env, emulator=True, playbook="playbooks/destroy.yml")
    assert second.rc == 0 and second.recap["changed"] == 0, second.output
    assert [r for r in server.requests if r["method"] in WRITES] == []


def test_destroy_in_check_mode_deletes_nothing(converged):
    server, env = converged
    before = server.objects()
    checked = run_playbook("inventories/local", "--check", env=env, emulator=True, playbook="playbooks/destroy.yml")
    assert checked.rc == 0, checked.output
    assert checked.recap["changed"] > 0
    assert server.objects() == before


def test_protected_inventory_is_refused_without_confirmation(converged):
    server, env = converged
    before = server.objects()
    server.reset_requests()
    refused = run_playbook("inventories/local", env=env, emulator=True, playbook="playbooks/destroy.yml",
                           extra_vars={"eventstack_protected": True})
    assert refused.rc != 0
    assert "is protected (eventstack_protected: true)" in refused.output
    assert "-e eventstack_destroy_confirm=local" in " ".join(refused.output.split())
    assert [r for r in server.requests if r["method"] in WRITES] == []
    assert server.objects() == before
    # Confirmed, it goes ahead (one layer is enough to show it: the tags work here as in site.yml).
    confirmed = run_playbook("inventories/local", "--tags", "apps", env=env, emulator=True, playbook="playbooks/destroy.yml",
                             extra_vars={"eventstack_protected": True, "eventstack_destroy_confirm": "local"})
    assert confirmed.rc == 0, confirmed.output
    assert server.objects(kind="Deployment") == [] and server.objects(kind="Namespace")


def test_prod_is_protected():
    refused = run_playbook("inventories/prod", playbook="playbooks/destroy.yml",
                           env={"K8S_AUTH_KUBECONFIG": "/nonexistent"})
    assert refused.rc != 0 and "inventory \"prod\" is protected" in refused.output


LB_FINALIZER = "service.kubernetes.io/load-balancer-cleanup"


def release_load_balancer(server, namespace, name, timeout=300):
    """The cloud controller's part: once the Service is being deleted, a few seconds later (the load balancer's
    deletion), its finalizer is taken off, which lets the API server delete it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        held = server.get("v1", "Service", name, namespace)
        if held and held["metadata"].get("deletionTimestamp"):
            time.sleep(3)
            server.call("PATCH", "/api/v1/namespaces/%s/services/%s" % (namespace, name),
                        {"metadata": {"finalizers": None}})
            return
        time.sleep(0.2)


def test_load_balancer_services_and_claims_go_before_the_namespaces(converged):
    """What a LoadBalancer Service or a claim made outside the cluster (an OCI load balancer, a block volume) is
    released by the cloud controller or CSI driver once the Service or claim is gone: destroy deletes them, and waits,
    before it deletes the namespaces (which would take them along without anyone waiting)."""
    server, env = converged
    # The cloud controller puts its finalizer on a LoadBalancer Service and takes it off once the OCI load balancer
    # is deleted: until then the Service stays, being deleted.
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {
        "name": "envoy-proxy", "namespace": "todo-app", "finalizers": [LB_FINALIZER]},
        "spec": {"type": "LoadBalancer", "ports": [{"port": 80}], "selector": {"app": "x"}}}
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "todo-app"},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
    elsewhere = dict(service, metadata={"name": "not-ours", "namespace": "default"})
    for obj, plural in ((service, "services"), (claim, "persistentvolumeclaims")):
        server.call("POST", "/api/v1/namespaces/todo-app/%s" % plural, obj, "application/json")
    server.call("POST", "/api/v1/namespaces/default/services", elsewhere, "application/json")
    server.reset_requests()
    controller = threading.Thread(target=release_load_balancer, args=(server, "todo-app", "envoy-proxy"), daemon=True)
    controller.start()
    run = run_playbook("inventories/local", env=env, emulator=True, playbook="playbooks/destroy.yml")
    controller.join(5)
    assert run.rc == 0, run.output
    # The wait said what it waited for while the cloud controller still held the Service.
    assert re.search(r"waiting \(\d+s\): .*envoy-proxy deleting, waiting on " + LB_FINALIZER, run.output), run.output
    released = next(i for i, r in enumerate(server.requests) if r["method"] == "PATCH"
                    and r["path"] == "/api/v1/namespaces/todo-app/services/envoy-proxy")
    namespace_deleted = next(i for i, r in enumerate(server.requests) if r["method"] == "DELETE"
                             and r["path"] == "/api/v1/namespaces/todo-app")
    assert released < namespace_deleted, "the namespaces go only once the load balancer is released"
    deletes = [r["path"] for r in server.requests if r["method"] == "DELETE"]
    first_namespace = next(i for i, path in enumerate(deletes) if path.startswith("/api/v1/namespaces/") and
                           path.count("/") == 4)
    assert deletes.index("/api/v1/namespaces/todo-app/services/envoy-proxy") < first_namespace, deletes
    assert deletes.index("/api/v1/namespaces/todo-app/persistentvolumeclaims/data") < first_namespace, deletes
    assert "/api/v1/namespaces/default/services/not-ours" not in deletes, "outside the stack's namespaces: left alone"
