from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _preflight

WANTED = {"app": "todo-app", "kafka": "kafka"}


def namespaces(*extra):
    return [{"name": "todo-app", "pod_security": "restricted"},
            {"name": "kafka", "pod_security": "restricted"}] + list(extra)


def secret(**overrides):
    return dict({"name": "db-credentials", "namespace": "todo-app",
                 "data_from_vars": {"DATABASE_URL": "vault_database_url"}}, **overrides)


PULL = {"enabled": True, "name": "ocir-secret", "server": "fra.ocir.io", "username": "t/u",
        "password_var": "vault_registry_password", "namespaces": ["todo-app"]}
DEFINED = ["vault_database_url", "vault_registry_password"]


def test_consistent_settings_have_no_problems():
    assert _preflight.namespace_problems(namespaces(), WANTED) == []
    assert _preflight.secret_problems([secret()], PULL, namespaces(), DEFINED, True) == []


@pytest.mark.parametrize("name", ["Todo", "todo_app", "-app", "a" * 64, "", None, 5])
def test_invalid_namespace_names_are_named(name):
    problems = _preflight.namespace_problems(namespaces({"name": name}), WANTED)
    assert len(problems) == 1
    assert problems[0].startswith("k8s_base_namespaces[2].name:")


def test_duplicate_namespace():
    problems = _preflight.namespace_problems(namespaces({"name": "kafka"}), WANTED)
    assert problems == ["k8s_base_namespaces: namespace 'kafka' is listed more than once; keep one entry"]


def test_namespace_used_by_a_role_must_be_listed():
    problems = _preflight.namespace_problems(namespaces(), dict(WANTED, monitoring="monitoring"))
    assert len(problems) == 1 and problems[0].startswith("eventstack_namespaces.monitoring: namespace 'monitoring'")


def test_quota_quantities_are_checked():
    ns = {"name": "x", "pod_security": "baseline",
          "quota": {"requests_cpu": "2", "limits_cpu": "1", "limits_memory": "4GB"}}
    problems = _preflight.namespace_problems(namespaces(ns), WANTED)
    assert any("k8s_base_namespaces[2].quota.limits_memory" in p and "not a Kubernetes quantity" in p
               for p in problems)
    assert any("requests_cpu (2) is larger than limits_cpu (1)" in p for p in problems)


def test_limit_range_request_above_limit():
    ns = {"name": "x", "pod_security": "baseline",
          "limit_range": {"default_request_memory": "1Gi", "default_memory": "512Mi"}}
    problems = _preflight.namespace_problems(namespaces(ns), WANTED)
    assert problems == ["k8s_base_namespaces[2].limit_range: default_request_memory (1Gi) is larger than "
                        "default_memory (512Mi); containers would be rejected"]


def test_missing_vault_variable_in_apply_mode_names_it():
    problems = _preflight.secret_problems([secret()], PULL, namespaces(), ["vault_registry_password"], True)
    assert problems == ["k8s_base_secrets[0].data_from_vars.DATABASE_URL: vault variable 'vault_database_url' is "
                        "not defined; add it to inventories/<env>/group_vars/all/vault.yml (see README.md, "
                        "'Secrets')"]


def test_missing_vault_variable_is_fine_in_render_mode():
    assert _preflight.secret_problems([secret()], PULL, namespaces(), [], False) == []


def test_missing_pull_secret_password():
    problems = _preflight.secret_problems([], PULL, namespaces(), [], True)
    assert len(problems) == 1 and problems[0].startswith("k8s_base_pull_secret.password_var:")


def test_disabled_pull_secret_is_not_checked():
    assert _preflight.secret_problems([], dict(PULL, enabled=False), namespaces(), [], True) == []


@pytest.mark.parametrize("override, fragment", [
    ({"namespace": "nope"}, "k8s_base_secrets[0].namespace: 'nope' is not in k8s_base_namespaces"),
    ({"name": "DB"}, "k8s_base_secrets[0].name: 'DB' is not a valid Secret name"),
    ({"data_from_vars": {}}, "k8s_base_secrets[0].data_from_vars: empty"),
    ({"data_from_vars": {"bad key": "vault_database_url"}}, "key 'bad key' may hold only"),
    ({"data_from_vars": {"URL": "vault-db"}}, "'vault-db' is not a variable name"),
])
def test_secret_mistakes(override, fragment):
    problems = _preflight.secret_problems([secret(**override)], PULL, namespaces(), DEFINED, True)
    assert any(fragment in p for p in problems), problems


def test_secret_defined_twice():
    problems = _preflight.secret_problems([secret(name="ocir-secret")], PULL, namespaces(),
                                          DEFINED + ["vault_database_url"], True)
    assert problems == ["Secret todo-app/ocir-secret is defined more than once (k8s_base_secrets / "
                        "k8s_base_pull_secret)"]


def test_pull_secret_namespace_must_be_listed():
    problems = _preflight.secret_problems([], dict(PULL, namespaces=["ghost"]), namespaces(), DEFINED, True)
    assert problems == ["k8s_base_pull_secret.namespaces[0]: 'ghost' is not in k8s_base_namespaces"]


INFO = {
    "python": {"version": "3.11.7", "executable": "/venv/bin/python"},
    "collections": {"kubernetes.core": {"version": "6.2.0", "path": "/c/kubernetes/core"}},
    "python_packages": {"kubernetes": "37.0.2"},
}


def test_controller_ready():
    assert _preflight.controller_problems(INFO, "2.19.14", "3.11", "2.19.0", {"kubernetes.core": "6.2.0"},
                                          {"kubernetes": "24.2.0"}) == []


def test_controller_problems_are_all_reported_with_fixes():
    info = {"python": {"version": "3.10.2", "executable": "/usr/bin/python3"},
            "collections": {"kubernetes.core": {"version": "5.0.0", "path": "/old"}, "oracle.oci": None},
            "python_packages": {"kubernetes": None}}
    problems = _preflight.controller_problems(info, "2.18.3", "3.11", "2.19.0",
                                              {"kubernetes.core": "6.2.0", "oracle.oci": "5.5.0"},
                                              {"kubernetes": "24.2.0"})
    assert len(problems) == 5
    assert problems[0].startswith("Python 3.10.2 at /usr/bin/python3 is too old")
    assert problems[1].startswith("ansible-core 2.18.3 is too old")
    assert "collection kubernetes.core 5.0.0 at /old is too old: 6.2.0" in problems[2]
    assert problems[3].startswith("collection oracle.oci is not installed: run make setup")
    assert problems[4].startswith("Python package kubernetes is missing: 24.2.0 or newer")


@pytest.mark.parametrize("found, minimum, older", [
    ("2.19.14", "2.19.0", False), ("2.9.0", "2.19.0", True), ("6.2.0", "6.2", False),
    ("3.11.7", "3.11", False), ("1.0.0rc1", "1.0.0", False), ("37.0.2", "24.2.0", False),
])
def test_version_older(found, minimum, older):
    assert _preflight.version_older(found, minimum) is older


def test_binaries_missing_or_too_old_are_named_with_the_fix():
    info = dict(INFO, binaries={"helm": None, "kubectl": {"path": "/usr/bin/kubectl", "version": "1.20.0"},
                                "oci": {"path": "/x/oci", "version": None}})
    problems = _preflight.controller_problems(info, "2.19.14", "3.11", "2.19.0", {}, {},
                                              {"helm": "3.12.0", "kubectl": "1.30.0", "oci": "3.0.0"})
    assert problems == [
        "helm is not on the PATH: run make setup (it installs it into .venv/bin), or install helm 3.12.0 or newer",
        "kubectl at /usr/bin/kubectl is 1.20.0: 1.30.0 or newer is needed; run make setup",
        "oci at /x/oci is of unknown version: 3.0.0 or newer is needed; run make setup"]
    ok = dict(INFO, binaries={"helm": {"path": "/v/helm", "version": "3.19.0"}})
    assert _preflight.controller_problems(ok, "2.19.14", "3.11", "2.19.0", {}, {}, {"helm": "3.12.0"}) == []


def test_stack_volumes_lists_what_becomes_block_volumes():
    settings = {
        "kafka": {"enabled": True, "node_pools": [
            {"name": "brokers", "replicas": 3, "storage": {"type": "persistent-claim", "size": "100Gi"}},
            {"name": "controllers", "replicas": 3, "storage": {"type": "ephemeral"}},
            {"name": "jbod", "replicas": 1, "storage": {"type": "jbod", "volumes": [
                {"type": "persistent-claim", "size": "10Gi"}, {"type": "ephemeral"}]}}]},
        "database": {"instances": 2, "storage_size": "20Gi"},
        "dapr": {"enabled": True, "scheduler_storage": {"size": "1Gi", "replicas": 3}},
        "observability": {"prometheus_storage_size": ""}}
    assert _preflight.stack_volumes(settings) == [
        {"name": "Kafka node pool brokers", "size": "100Gi", "count": 3, "variable": "strimzi_kafka_node_pools"},
        {"name": "Kafka node pool jbod volume 0", "size": "10Gi", "count": 1, "variable": "strimzi_kafka_node_pools"},
        {"name": "PostgreSQL", "size": "20Gi", "count": 2, "variable": "database_storage_size"},
        {"name": "Dapr scheduler", "size": "1Gi", "count": 3, "variable": "dapr_scheduler_storage_size"}]
    # An external database, Dapr off and no Prometheus volume claim nothing.
    assert _preflight.stack_volumes({"database": {"instances": 0, "storage_size": ""}, "dapr": {"enabled": False,
                                     "scheduler_storage": {"size": "1Gi"}}}) == []
    # The scheduler in memory (dev) claims nothing.
    assert _preflight.stack_volumes({"dapr": {"enabled": True, "scheduler_storage": {"size": "", "replicas": 3}}}) == []
