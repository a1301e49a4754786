"""Every persistent volume a render would claim, read from the rendered objects and the charts' output, each a block
volume of at least 50 GB on OKE (as eventstack.oke.oci_preflight counts them), plus the nodes' boot volumes: dev must
fit Always Free's 200 GB."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _manifests, _oci_checks
from tests.support.playbook import inventory_vars

ALWAYS_FREE_GB = 200


def _claims(obj):
    """(name, size, count) of the claims one rendered object makes."""
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    name = "%s %s" % (kind, (obj.get("metadata") or {}).get("name"))
    if kind == "PersistentVolumeClaim":
        return [(name, spec["resources"]["requests"]["storage"], 1)]
    if kind == "StatefulSet":
        return [(name, t["spec"]["resources"]["requests"]["storage"], int(spec.get("replicas", 1)))
                for t in spec.get("volumeClaimTemplates") or []]
    if kind == "KafkaNodePool":
        storage = spec.get("storage") or {}
        disks = storage.get("volumes") or [] if storage.get("type") == "jbod" else [storage]
        return [(name, d["size"], int(spec.get("replicas", 1))) for d in disks if d.get("type") == "persistent-claim"]
    if kind == "Cluster" and obj.get("apiVersion", "").startswith("postgresql.cnpg.io/"):
        sizes = [spec["storage"]["size"]] + ([spec["walStorage"]["size"]] if spec.get("walStorage") else [])
        return [(name, size, int(spec.get("instances", 1))) for size in sizes]
    if kind == "Prometheus":
        template = ((spec.get("storage") or {}).get("volumeClaimTemplate") or {}).get("spec")
        return [(name, template["resources"]["requests"]["storage"], int(spec.get("replicas", 1)))] if template else []
    return []


def rendered_claims(build):
    """Every claim of the role manifests and of the charts' output."""
    objects, _releases = _manifests.load_build(build)
    return [claim for obj in objects for claim in _claims(obj)]


@pytest.mark.parametrize("env_name", ["dev", "prod"])
def test_block_storage_of_the_render(env_name, site_render):
    build = site_render(env_name)[0]
    claims = rendered_claims(build)
    inventory = inventory_vars(env_name)
    boot = int(inventory["oke_cluster_node_count"]) * int(inventory["oke_cluster_node_boot_volume_gbs"])
    total = boot + sum(_oci_checks.volume_gbs(size) * count for _name, size, count in claims)
    if env_name == "dev":
        # Always Free: the boot volume and PostgreSQL's; the Dapr scheduler keeps its data in memory there.
        assert total <= ALWAYS_FREE_GB, (total, claims)
        assert [(name, count) for name, _size, count in claims] == [("Cluster todo-db", 1)], claims
    else:
        # prod: three Kafka brokers' volumes and the Dapr scheduler's three (the chart runs three whatever HA says).
        names = {name for name, _size, _count in claims}
        assert "StatefulSet dapr-scheduler-server" in names and any(n.startswith("KafkaNodePool") for n in names), claims
