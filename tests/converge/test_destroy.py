"""playbooks/destroy.yml against the emulator: removes what site.yml built, is idempotent, guards prod."""

from __future__ import annotations

from tests.support.playbook import run_playbook

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def test_destroy_needs_no_vault_values_removes_everything_and_a_second_run_changes_nothing(converged):
    server, env = converged
    no_vault = {"k8s_base_secrets": [{"name": "jwt-secret", "namespace": "todo-app",
                                      "data_from_vars": {"JWT": "vault_not_defined_here"}}],
                "database_owner_password_var": "vault_not_defined_either"}
    first = run_playbook("inventories/local", env=env, playbook="playbooks/destroy.yml", extra_vars=no_vault)
    assert first.rc == 0, first.output
    assert first.recap["changed"] > 0
    assert server.objects() == []
    server.reset_requests()
    second = run_playbook("inventories/local", env=env, playbook="playbooks/destroy.yml")
    assert second.rc == 0 and second.recap["changed"] == 0, second.output
    assert [r for r in server.requests if r["method"] in WRITES] == []


def test_destroy_in_check_mode_deletes_nothing(converged):
    server, env = converged
    before = server.objects()
    checked = run_playbook("inventories/local", "--check", env=env, playbook="playbooks/destroy.yml")
    assert checked.rc == 0, checked.output
    assert checked.recap["changed"] > 0
    assert server.objects() == before


def test_protected_inventory_is_refused_without_confirmation(converged):
    server, env = converged
    before = server.objects()
    server.reset_requests()
    refused = run_playbook("inventories/local", env=env, playbook="playbooks/destroy.yml",
                           extra_vars={"eventstack_protected": True})
    assert refused.rc != 0
    assert "is protected (eventstack_protected: true)" in refused.output
    assert "-e eventstack_destroy_confirm=local" in " ".join(refused.output.split())
    assert [r for r in server.requests if r["method"] in WRITES] == []
    assert server.objects() == before
    # Confirmed, it goes ahead (one layer is enough to show it: the tags work here as in site.yml).
    confirmed = run_playbook("inventories/local", "--tags", "apps", env=env, playbook="playbooks/destroy.yml",
                             extra_vars={"eventstack_protected": True, "eventstack_destroy_confirm": "local"})
    assert confirmed.rc == 0, confirmed.output
    assert server.objects(kind="Deployment") == [] and server.objects(kind="Namespace")


def test_prod_is_protected():
    refused = run_playbook("inventories/prod", playbook="playbooks/destroy.yml",
                           env={"K8S_AUTH_KUBECONFIG": "/nonexistent"})
    assert refused.rc != 0 and "inventory \"prod\" is protected" in refused.output
