"""The OCI layer: the OCI roles' real apply and destroy tasks (the real oracle.oci modules and the real oci SDK)
against the local OCI API stand-in (tests/support/oci_standin.py), as a user runs them:
`ansible-playbook playbooks/site.yml -i inventories/<env> --tags infra` (or destroy.yml)."""

from __future__ import annotations

import os
import socket
import sys

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _bastion

from tests.support.oci_config import write_config
from tests.support.oci_standin import COMPARTMENT, OciStandIn, Scenario
from tests.support.oke_api_standin import OkeApiStandIn
from tests.support.playbook import REPO, playbook_env, run_playbook
from tests.support.warm_python import WarmPython

BASTION_SSH = os.path.join(REPO, "tests", "support", "bastion_ssh.py")

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

    def __init__(self, oci, env_name, tmp_path, api=None):
        self.oci = oci
        self.env_name = env_name
        config, _pem = write_config(tmp_path, region=oci.scenario.region)
        # The kubeconfig's exec (`oci ce cluster generate-token`) is the real oci CLI, with this config.
        self.env = dict(oci.env(config), ANSIBLE_FORCE_COLOR="0", OCI_CLI_CONFIG_FILE=str(config),
                        OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING="True", SUPPRESS_LABEL_WARNING="True")
        self.kubeconfig = str(tmp_path / "kube" / "config")
        self.base = dict(vault_values(env_name), eventstack_oci_compartment_id=COMPARTMENT,
                         eventstack_kubeconfig=self.kubeconfig, preflight_check_cluster=False,
                         oke_cluster_poll_interval=1, oke_cluster_progress_interval=0, oci_network_poll_interval=1,
                         # prod's database is external: no PostgreSQL answers behind its example address here.
                         database_external_check=False)
        if api is not None:
            # A private endpoint through the bastion: the SSH side of OCI Bastion (tests/support/bastion_ssh.py)
            # forwards to the API server stand-in; the controller connects from 203.0.113.7.
            self.api = api
            self.env.update(EVENTSTACK_STANDIN_API=api.address, EVENTSTACK_STANDIN_CLIENT_ADDRESS="203.0.113.7")
            self.base.update(oke_cluster_bastion_client_cidrs=["203.0.113.7/32"],
                             oke_cluster_bastion_ssh_command="%s %s" % (sys.executable, BASTION_SSH),
                             oke_cluster_bastion_ssh_key_path=str(tmp_path / "ssh" / "bastion"),
                             oke_cluster_bastion_tunnel_dir=str(tmp_path / "tunnels"),
                             oke_cluster_bastion_local_port=free_port(), oke_cluster_bastion_wait_timeout=60)

    def warm_modules(self, where):
        """Start the stack's module interpreter (tests/support/warm_python.py): its runs start with the oci SDK
        imported, in the environment the stack's runs have (the modules and Ansible's code still come from each
        run's payload; a run in another environment is a cold one). Returns the server, to be stopped after the
        test; None with EVENTSTACK_OCI_COLD_PYTHON=1, which runs the layer with the inventories' interpreter."""
        if os.environ.get("EVENTSTACK_OCI_COLD_PYTHON") == "1":
            return None
        warm = WarmPython.for_the_roles(where, env=playbook_env(self.env)).__enter__()
        self.base["ansible_python_interpreter"] = warm.interpreter
        return warm

    def stop_tunnel(self):
        record = _bastion.read_record(os.path.join(self.base.get("oke_cluster_bastion_tunnel_dir", ""),
                                                   "eventstack-%s.json" % self.env_name))
        if record:
            _bastion.stop_process(record["pid"])

    def run(self, *args, playbook="playbooks/site.yml", tags="infra", **extra):
        """The playbook with --tags (none when tags is empty) and the stack's extra variables."""
        return run_playbook("inventories/" + self.env_name, *(["--tags", tags] if tags else []), *args,
                            playbook=playbook, env=self.env, extra_vars=dict(self.base, **extra), timeout=900)

    def destroy(self, *args, **extra):
        extra.setdefault("eventstack_destroy_confirm", self.env_name)
        return self.run(*args, playbook="playbooks/destroy.yml", **extra)


# make test runs this layer on two workers with --dist loadgroup: each scenario plays whole stacks (minutes of real
# oracle.oci module runs, CPU-bound), so the two workers' shares are set here from the durations the layer's log lists
# (--durations): the dev lifecycle (~235 s) with the enhanced cluster's upgrade (~90 s), and the prod deploy (~185 s)
# with the other recoveries (~75, ~70, ~5 s). By file, one worker would have prod and the recoveries while the other
# ran the lifecycle alone.
FIRST_SHARE = {"test_dev_lifecycle_create_rerun_resize_upgrade_destroy",
               "test_an_enhanced_clusters_upgrade_cycles_its_nodes_and_throttling_is_retried"}


def pytest_collection_modifyitems(items):
    for item in items:
        if os.path.dirname(str(item.path)) != os.path.dirname(os.path.abspath(__file__)):
            continue  # hooks of a conftest see every item of the session
        item.add_marker(pytest.mark.xdist_group("oci-%d" % (1 if item.name in FIRST_SHARE else 2)))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def stack_factory(tmp_path):
    """stack_factory(env_name, scenario=None, api=False) -> Stack, its stand-in started (and stopped after the test);
    with api, also the API server behind the cluster's private endpoint (reached through the bastion)."""
    standins, stacks = [], []

    def make(env_name="dev", scenario=None, api=False):
        oci = OciStandIn(scenario or Scenario()).__enter__()
        standins.append(oci)
        server = None
        if api:
            server = OkeApiStandIn(oci).__enter__()
            standins.append(server)
        stacks.append(Stack(oci, env_name, tmp_path / env_name, server))
        warm = stacks[-1].warm_modules(tmp_path / ("%s-python" % env_name))
        if warm:
            standins.append(warm)
        return stacks[-1]
    yield make
    for stack in stacks:
        stack.stop_tunnel()
    for standin in reversed(standins):
        standin.__exit__(None, None, None)
