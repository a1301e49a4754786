"""The database role as rendered, in both modes, cross-checked with what the Dapr and k8s_base roles render."""

from __future__ import annotations

import pytest

from tests.support import chart_values, schemas
from tests.support.playbook import inventory_vars, render

BACKUPS = {"database_backup_enabled": True, "database_backup_destination_path": "s3://todo-db-backups/dev",
           "database_backup_endpoint_url": "https://ns.compat.objectstorage.eu-frankfurt-1.oraclecloud.com",
           "database_backup_region": "eu-frankfurt-1"}
HA = {"database_instances": 3, "database_spread_across_zones": True, "database_pdb": True}
# (case, inventory, extra vars)
CASES = [("local", "local", {}), ("dev", "dev", {}), ("prod", "prod", {}),
         ("local-external", "local", {"database_mode": "external",
                                      "hardening_external_database_cidrs": ["10.0.20.15/32"]}),
         ("dev-backups", "dev", BACKUPS), ("local-ha", "local", HA)]


@pytest.fixture(scope="module", params=CASES, ids=[case[0] for case in CASES])
def rendered(request, tmp_path_factory, site_render):
    case, env_name, extra = request.param
    if extra:
        by_file, releases = render(env_name, tmp_path_factory.mktemp("database-" + case), "--tags", "platform", **extra)
    else:
        _build, _run, by_file, releases = site_render(env_name)
    settings = dict(inventory_vars(env_name), **extra)
    return env_name, settings, by_file, releases


def kinds(objects, kind):
    return [obj for obj in objects if obj["kind"] == kind]


def secret_keys(by_file):
    return {(s["metadata"]["namespace"], s["metadata"]["name"]): s for objects in by_file.values()
            for s in kinds(objects, "Secret")}


def test_every_object_is_valid_against_the_schemas(rendered):
    env_name, settings, by_file, _releases = rendered
    errors = ["%s: %s" % (obj["kind"], error) for obj in by_file["database.yaml"]
              for error in schemas.validate(obj, settings["eventstack_kubernetes_version"])]
    assert errors == []


def test_both_modes_write_the_one_connection_secret_the_state_store_reads(rendered):
    _env, settings, by_file, _releases = rendered
    (connection,) = [s for s in kinds(by_file["database.yaml"], "Secret") if s["metadata"]["name"] == "db-credentials"]
    assert connection["metadata"]["namespace"] == settings["eventstack_namespaces"]["app"]
    assert list(connection["data"]) == ["DATABASE_URL"], "the same single key in both modes"
    assert connection["metadata"]["labels"]["eventstack.oke/database-mode"] == settings["database_mode"].replace("_", "-")
    (state,) = [c for c in kinds(by_file["dapr.yaml"], "Component") if c["spec"]["type"] == "state.postgresql"]
    (ref,) = [m["secretKeyRef"] for m in state["spec"]["metadata"] if m["name"] == "connectionString"]
    assert (state["metadata"]["namespace"], ref["name"], ref["key"]) == (
        connection["metadata"]["namespace"], "db-credentials", "DATABASE_URL")
    assert "db-credentials" not in {s["metadata"]["name"] for s in kinds(by_file["k8s_base.yaml"], "Secret")}


def test_in_cluster_only_with_cloudnative_pg(rendered):
    _env, settings, by_file, releases = rendered
    clusters = kinds(by_file["database.yaml"], "Cluster")
    if settings["database_mode"] == "external":
        assert clusters == [] and "cloudnative-pg" not in releases
        assert [s["metadata"]["name"] for s in kinds(by_file["database.yaml"], "Secret")] == ["db-credentials"]
        return
    (cluster,) = clusters
    spec = cluster["spec"]
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    assert cluster["metadata"]["namespace"] == settings["eventstack_namespaces"]["app"]
    assert spec["instances"] == settings.get("database_instances", 1)
    assert spec["storage"]["size"] == settings["database_storage_size"]
    assert spec["imageName"].startswith("ghcr.io/cloudnative-pg/postgresql:18.")
    assert spec["enablePDB"] is bool(settings.get("database_pdb"))
    if settings.get("eventstack_oci_enabled"):
        assert spec["storage"]["size"] == "50Gi", "OCI makes every volume 50 GB: ask for what is billed"
    assert spec["resources"]["requests"]["cpu"] and spec["resources"]["limits"]["memory"]
    # The owner's Secret the operator bootstraps from is rendered beside it, as basic-auth with the owner's name.
    initdb = spec["bootstrap"]["initdb"]
    owner = secret_keys(by_file)[(cluster["metadata"]["namespace"], initdb["secret"]["name"])]
    assert owner["type"] == "kubernetes.io/basic-auth" and set(owner["data"]) == {"username", "password"}
    assert (initdb["database"], initdb["owner"]) == ("todo", "todo")
    if settings.get("database_spread_across_zones"):
        assert spec["affinity"] == {"enablePodAntiAffinity": True, "podAntiAffinityType": "required",
                                    "topologyKey": "topology.kubernetes.io/zone"}
    else:
        assert "affinity" not in spec


def test_the_operator_runs_in_a_restricted_namespace_k8s_base_creates(rendered):
    _env, settings, by_file, releases = rendered
    if settings["database_mode"] == "external":
        return
    release = releases["cloudnative-pg"]
    assert (release["chart"], release["version"]) == ("cloudnative-pg", "0.29.0")
    assert release["values"]["config"]["clusterWide"] is True, "the Cluster lives in the application namespace"
    namespaces = {n["metadata"]["name"]: n for n in kinds(by_file["k8s_base.yaml"], "Namespace")}
    assert release["namespace"] in namespaces
    assert namespaces[release["namespace"]]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    chart_values.require()
    assert chart_values.check(release["chart"], release["version"], release["values"]) == []


def test_backups_refer_to_the_cluster_and_a_rendered_secret(rendered):
    _env, settings, by_file, _releases = rendered
    scheduled = kinds(by_file["database.yaml"], "ScheduledBackup")
    if not settings.get("database_backup_enabled"):
        assert scheduled == []
        return
    (cluster,) = kinds(by_file["database.yaml"], "Cluster")
    (backup,) = scheduled
    assert backup["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    assert backup["spec"]["method"] == "barmanObjectStore" and len(backup["spec"]["schedule"].split()) == 6
    store = cluster["spec"]["backup"]["barmanObjectStore"]
    assert store["destinationPath"] == BACKUPS["database_backup_destination_path"]
    assert store["endpointURL"] == BACKUPS["database_backup_endpoint_url"]
    secrets = secret_keys(by_file)
    for ref in store["s3Credentials"].values():
        secret = secrets[(cluster["metadata"]["namespace"], ref["name"])]
        assert ref["key"] in secret["data"], ref
    assert set(store["s3Credentials"]) == {"accessKeyId", "secretAccessKey", "region"}
    assert cluster["spec"]["backup"]["retentionPolicy"] == "30d"
