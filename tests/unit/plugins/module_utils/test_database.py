"""The database role's cross-checks (database_problems)."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils._database import database_problems


def settings(**changes):
    base = {"mode": "cloudnative_pg", "namespace": "todo-app", "secret_name": "db-credentials",
            "secret_key": "DATABASE_URL", "external_url_var": "vault_database_url", "external_check_timeout": 10,
            "operator_namespace": "cnpg-system", "cluster_name": "todo-db",
            "image": "ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie", "instances": 1, "name": "todo",
            "owner": "todo", "owner_password_var": "vault_database_password", "storage_size": "1Gi",
            "spread_across_zones": False, "pdb": False, "oci": False,
            "backup": {"enabled": False, "destination_path": "", "endpoint_url": "",
                       "access_key_id_var": "vault_database_backup_access_key_id",
                       "secret_access_key_var": "vault_database_backup_secret_access_key",
                       "schedule": "0 0 3 * * *", "retention": "30d"},
            "namespaces": ["todo-app", "kafka", "cnpg-system"], "other_secrets": ["jwt-secret"],
            "defined_vars": ["vault_database_password", "vault_database_url"], "require_values": True,
            "external_url": ""}
    base.update(changes)
    return base


def test_the_defaults_are_consistent():
    assert database_problems(settings()) == []


def test_external_mode_with_a_usable_uri():
    assert database_problems(settings(mode="external",
                                      external_url="postgresql://u:pw@db.example.com/todo?sslmode=require")) == []


def test_an_unknown_mode_is_the_only_message():
    assert database_problems(settings(mode="sqlite", instances=0)) == [
        "database_mode: 'sqlite' is not one of external, cloudnative_pg"]


def test_an_unusable_external_uri_names_its_vault_variable_not_its_value():
    problems = database_problems(settings(mode="external", external_url="mysql://u:S3cret@db/todo"))
    assert problems == ["vault_database_url (named by database_external_url_var): the connection string must start "
                        "with postgresql:// (found 'mysql://')"]
    assert "S3cret" not in " ".join(problems)


def test_render_mode_needs_no_vault_value():
    assert database_problems(settings(mode="external", defined_vars=[], require_values=False)) == []
    assert database_problems(settings(defined_vars=[], require_values=False)) == []


@pytest.mark.parametrize("changes, message", [
    ({"defined_vars": []}, "database_owner_password_var: vault variable 'vault_database_password' is not defined"),
    ({"owner_password_var": "vault-db-password"}, "database_owner_password_var: 'vault-db-password' is not a variable"),
    ({"namespace": "todo"}, "database_namespace: 'todo' is not a namespace k8s_base creates (cnpg-system, kafka, "
                            "todo-app)"),
    ({"operator_namespace": "cnpg"}, "database_operator_namespace: 'cnpg' is not a namespace k8s_base creates"),
    ({"other_secrets": ["db-credentials"]}, "database_secret_name: Secret 'db-credentials' is also in "
                                            "k8s_base_secrets"),
    ({"secret_key": "database url"}, "database_secret_key: 'database url' may hold only"),
    ({"cluster_name": "Todo_DB"}, "database_cluster_name: 'Todo_DB' is not a valid Kubernetes name"),
    ({"cluster_name": "a" * 51}, "is longer than 50 characters"),
    ({"name": "todo-app"}, "database_name: 'todo-app' must be a lower-case PostgreSQL identifier"),
    ({"owner": "postgres"}, "database_owner: 'postgres' is the superuser"),
    ({"instances": 0}, "database_instances: 0; give at least 1"),
    ({"spread_across_zones": True}, "database_spread_across_zones: needs database_instances of 2 or more (1)"),
    ({"pdb": True}, "database_pdb: with one instance the primary's PodDisruptionBudget blocks every node drain"),
    ({"image": "ghcr.io/cloudnative-pg/postgresql"}, "database_image: 'ghcr.io/cloudnative-pg/postgresql' must be "
                                                     "pinned"),
    ({"image": "postgres:latest"}, "must be pinned to a tag"),
    ({"storage_size": "1GB"}, "database_storage_size: "),
    ({"storage_size": "0"}, "database_storage_size: '0' must be larger than zero"),
    ({"storage_size": "20Gi", "oci": True}, "database_storage_size: 20Gi is below the 50Gi OCI block volume minimum"),
])
def test_each_problem_names_its_variable(changes, message):
    problems = database_problems(settings(**changes))
    assert any(message in problem for problem in problems), problems


def test_spread_and_pdb_with_three_instances_and_50gi_on_oci():
    assert database_problems(settings(instances=3, spread_across_zones=True, pdb=True, storage_size="50Gi",
                                      oci=True)) == []


def test_backups_need_a_destination_an_endpoint_keys_a_schedule_and_a_retention():
    backup = {"enabled": True, "destination_path": "todo-db-backups", "endpoint_url": "http://insecure",
              "access_key_id_var": "vault_key", "secret_access_key_var": "vault_secret", "schedule": "0 3 * * *",
              "retention": "30 days"}
    problems = database_problems(settings(backup=backup))
    assert problems == [
        "database_backup_destination_path: 'todo-db-backups' must be an s3://bucket/path of the object store",
        "database_backup_endpoint_url: 'http://insecure' must be the https:// endpoint of the S3-compatible API "
        "(OCI: https://<namespace>.compat.objectstorage.<region>.oraclecloud.com)",
        "database_backup_access_key_id_var: vault variable 'vault_key' is not defined; add it to "
        "inventories/<env>/group_vars/all/vault.yml (see README.md, 'Secrets')",
        "database_backup_secret_access_key_var: vault variable 'vault_secret' is not defined; add it to "
        "inventories/<env>/group_vars/all/vault.yml (see README.md, 'Secrets')",
        "database_backup_schedule: '0 3 * * *' needs six fields, seconds first (CloudNativePG's cron), for example "
        "'0 0 3 * * *'",
        "database_backup_retention: '30 days' must be a number of days, weeks or months, such as 30d"]


def test_complete_backups_pass():
    backup = {"enabled": True, "destination_path": "s3://b/p", "endpoint_url": "https://x.example",
              "access_key_id_var": "vault_key", "secret_access_key_var": "vault_secret", "schedule": "0 0 3 * * *",
              "retention": "4w"}
    assert database_problems(settings(backup=backup, defined_vars=["vault_database_password", "vault_key",
                                                                   "vault_secret"])) == []
