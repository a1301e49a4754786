"""The OCI layer: the OCI roles' real apply and destroy tasks (the real oracle.oci modules and the real oci SDK)
against the local OCI API stand-in (tests/unit/plugins/_oci_standin.py), as a user runs them:
`ansible-playbook playbooks/site.yml -i inventories/<env> --tags infra` (or destroy.yml)."""

from __future__ import annotations

import os

import pytest
import yaml

from tests.support.playbook import REPO, run_playbook
from tests.unit.plugins._oci_config import write_config
from tests.unit.plugins._oci_standin import COMPARTMENT, OciStandIn, Scenario

ORACLE_OCI = os.path.join(REPO, ".collections", "ansible_collections", "oracle", "oci", "MANIFEST.json")
if not os.path.exists(ORACLE_OCI):  # pragma: no cover - make setup installs it (from ../shared offline)
    pytest.fail("oracle.oci is not installed in .collections: run make setup (it installs it from Galaxy or from "
                "../shared/collections)", pytrace=False)


def vault_values(env_name):
    """The vault variables an inventory's example lists, with stand-in values (apply-mode preflight wants them)."""
    path = os.path.join(REPO, "inventories", env_name, "group_vars", "all", "vault.yml.example")
    with open(path, encoding="utf-8") as handle:
        names = yaml.safe_load(handle) or {}
    return {name: "postgresql://todo:stand-in-password@db.example.invalid:5432/todo?sslmode=require"
            if str(value).startswith("postgresql://") else "stand-in-%s-value-0123456789abcdef0123456789abcdef" % name
            for name, value in names.items()}


class Stack:
    """One inventory's OCI layer against one stand-in: run(...) is `site.yml --tags infra`, destroy(...) is
    `destroy.yml --tags infra`; both return tests.support.playbook.Run."""

    def __init__(self, oci, env_name, tmp_path):
        self.oci = oci
        self.env_name = env_name
        config, _pem = write_config(tmp_path, region=oci.scenario.region)
        self.env = dict(oci.env(config), ANSIBLE_FORCE_COLOR="0")
        self.kubeconfig = str(tmp_path / "kube" / "config")
        self.base = dict(vault_values(env_name), eventstack_oci_compartment_id=COMPARTMENT,
                         eventstack_kubeconfig=self.kubeconfig, preflight_check_cluster=False,
                         oke_cluster_poll_interval=1, oke_cluster_progress_interval=0,
                         # prod's database is external: no PostgreSQL answers behind its example address here.
                         database_external_check=False)

    def run(self, *args, playbook="playbooks/site.yml", tags="infra", **extra):
        """The playbook with --tags (none when tags is empty) and the stack's extra variables."""
        return run_playbook("inventories/" + self.env_name, *(["--tags", tags] if tags else []), *args,
                            playbook=playbook, env=self.env, extra_vars=dict(self.base, **extra), timeout=900)

    def destroy(self, *args, **extra):
        extra.setdefault("eventstack_destroy_confirm", self.env_name)
        return self.run(*args, playbook="playbooks/destroy.yml", **extra)


@pytest.fixture()
def stack_factory(tmp_path):
    """stack_factory(env_name, scenario=None) -> Stack, its stand-in started (and stopped after the test)."""
    standins = []

    def make(env_name="dev", scenario=None):
        oci = OciStandIn(scenario or Scenario()).__enter__()
        standins.append(oci)
        return Stack(oci, env_name, tmp_path / env_name)
    yield make
    for oci in standins:
        oci.__exit__(None, None, None)
