# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the database role's checks that its argument spec cannot express.

database_problems(settings) takes the role's settings (see roles/database/vars/main.yml, __database_settings) and
returns one message per problem, naming the variable and the fix. Values of vault variables are never part of a
message: only their names, and for the external connection URI only what parse_url says about its shape.
"""

from __future__ import annotations

import re

from ansible_collections.eventstack.oke.plugins.module_utils import _postgres
from ansible_collections.eventstack.oke.plugins.module_utils._preflight import _VAR_NAME, dns_label_problem
from ansible_collections.eventstack.oke.plugins.module_utils._quantity import parse_quantity

MODES = ("external", "cloudnative_pg")
# The smallest block volume OCI creates (oci-bv): a smaller request still gets, and bills, 50 GB.
OCI_MIN_VOLUME = parse_quantity("50Gi")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_RETENTION = re.compile(r"^[1-9][0-9]*[dwm]$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def _vault_var(settings, variable, name, problems):
    if not isinstance(name, str) or not _VAR_NAME.match(name):
        problems.append("%s: %r is not a variable name; give the name of the vault variable that holds the value"
                        % (variable, name))
        return False
    if settings.get("require_values") and name not in set(settings.get("defined_vars") or []):
        problems.append("%s: vault variable %r is not defined; add it to inventories/<env>/group_vars/all/vault.yml "
                        "(see README.md, 'Secrets')" % (variable, name))
        return False
    return True


def _common(settings, problems):
    for variable in ("database_secret_name", "database_namespace"):
        problem = dns_label_problem(settings.get(variable.replace("database_", "")), variable)
        if problem:
            problems.append(problem)
    if not _SECRET_KEY.match(str(settings.get("secret_key") or "")):
        problems.append("database_secret_key: %r may hold only letters, digits, '-', '_' and '.'"
                        % settings.get("secret_key"))
    namespaces = settings.get("namespaces")
    if namespaces is not None and settings.get("namespace") not in namespaces:
        problems.append("database_namespace: %r is not a namespace k8s_base creates (%s); use one of them"
                        % (settings.get("namespace"), ", ".join(sorted(namespaces))))
    taken = settings.get("other_secrets") or {}
    if settings.get("secret_name") in taken:
        problems.append("database_secret_name: Secret %r is also in k8s_base_secrets; the database role owns it now, "
                        "remove it from k8s_base_secrets" % settings.get("secret_name"))


def _external(settings, problems):
    name = settings.get("external_url_var")
    if _vault_var(settings, "database_external_url_var", name, problems) and settings.get("require_values"):
        try:
            _postgres.parse_url(settings.get("external_url"))
        except _postgres.UrlError as error:
            problems.append("%s (named by database_external_url_var): %s" % (name, error))
    if int(settings.get("external_check_timeout") or 0) < 1:
        problems.append("database_external_check_timeout: give at least 1 second")


def _size(settings, problems):
    size = settings.get("storage_size")
    try:
        value = parse_quantity(size)
    except ValueError as error:
        problems.append("database_storage_size: %s" % error)
        return
    if value <= 0:
        problems.append("database_storage_size: %r must be larger than zero" % size)
    elif settings.get("oci") and value < OCI_MIN_VOLUME:
        problems.append("database_storage_size: %s is below the 50Gi OCI block volume minimum (a smaller claim still "
                        "gets and bills a 50 GB volume); set 50Gi" % size)


def _backup(settings, problems):
    backup = settings.get("backup") or {}
    if not backup.get("enabled"):
        return
    if not str(backup.get("destination_path") or "").startswith("s3://"):
        problems.append("database_backup_destination_path: %r must be an s3://bucket/path of the object store"
                        % backup.get("destination_path"))
    if not str(backup.get("endpoint_url") or "").startswith("https://"):
        problems.append("database_backup_endpoint_url: %r must be the https:// endpoint of the S3-compatible API "
                        "(OCI: https://<namespace>.compat.objectstorage.<region>.oraclecloud.com)"
                        % backup.get("endpoint_url"))
    for field in ("access_key_id_var", "secret_access_key_var"):
        _vault_var(settings, "database_backup_%s" % field, backup.get(field), problems)
    if len(str(backup.get("schedule") or "").split()) != 6:
        problems.append("database_backup_schedule: %r needs six fields, seconds first (CloudNativePG's cron), for "
                        "example '0 0 3 * * *'" % backup.get("schedule"))
    if not _RETENTION.match(str(backup.get("retention") or "")):
        problems.append("database_backup_retention: %r must be a number of days, weeks or months, such as 30d"
                        % backup.get("retention"))


def _cloudnative_pg(settings, problems):
    problem = dns_label_problem(settings.get("cluster_name"), "database_cluster_name")
    if problem:
        problems.append(problem)
    elif len(settings["cluster_name"]) > 50:
        problems.append("database_cluster_name: %r is longer than 50 characters (CloudNativePG appends suffixes)"
                        % settings["cluster_name"])
    namespaces = settings.get("namespaces")
    operator = settings.get("operator_namespace")
    if namespaces is not None and operator not in namespaces:
        problems.append("database_operator_namespace: %r is not a namespace k8s_base creates; add it to "
                        "k8s_base_namespaces (and eventstack_namespaces.database) or use one of: %s"
                        % (operator, ", ".join(sorted(namespaces))))
    for variable in ("name", "owner"):
        value = settings.get(variable)
        if not isinstance(value, str) or not _IDENTIFIER.match(value):
            problems.append("database_%s: %r must be a lower-case PostgreSQL identifier (letters, digits, '_')"
                            % (variable, value))
    if settings.get("owner") == "postgres":
        problems.append("database_owner: 'postgres' is the superuser; give the application an owner of its own")
    instances = int(settings.get("instances") or 0)
    if instances < 1:
        problems.append("database_instances: %s; give at least 1" % instances)
    if settings.get("spread_across_zones") and instances < 2:
        problems.append("database_spread_across_zones: needs database_instances of 2 or more (%s)" % instances)
    if settings.get("pdb") and instances < 2:
        problems.append("database_pdb: with one instance the primary's PodDisruptionBudget blocks every node drain "
                        "(OKE node pool upgrades); keep it false or run more instances")
    if ":" not in str(settings.get("image") or "") or str(settings.get("image")).endswith(":latest"):
        problems.append("database_image: %r must be pinned to a tag (CloudNativePG's postgresql images)"
                        % settings.get("image"))
    _vault_var(settings, "database_owner_password_var", settings.get("owner_password_var"), problems)
    _size(settings, problems)
    _backup(settings, problems)


def database_problems(settings):
    problems = []
    mode = settings.get("mode")
    if mode not in MODES:
        return ["database_mode: %r is not one of %s" % (mode, ", ".join(MODES))]
    _common(settings, problems)
    if mode == "external":
        _external(settings, problems)
    else:
        _cloudnative_pg(settings, problems)
    return problems
