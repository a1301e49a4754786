"""Bad inventories fail in preflight, naming the variable, before anything is written to the cluster.

Each case runs site.yml in apply mode against a fresh Kubernetes API emulator with one override
(extra vars win over the inventory) and asserts: the run fails, the message names the variable
and the expected problem, and the emulator received no write request and holds no object.
The first case is the control: the unmodified inventory converges and does write.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.support.kube_emulator import KubeEmulator, platform_crds
from tests.support.playbook import oracle_oci_installed, run_playbook

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
NAMESPACES = {"app": "todo-app", "kafka": "kafka", "dapr": "dapr-system", "monitoring": "monitoring",
              "ingress": "envoy-gateway-system", "database": "cnpg-system"}


def namespaces(*changes):
    """The default namespace list with the given (index, dict) changes merged in."""
    base = [{"name": name, "pod_security": "restricted"} for name in NAMESPACES.values()]
    for index, change in changes:
        base[index] = dict(base[index], **change)
    return base


def secrets(**change):
    return [dict({"name": "jwt-secret", "namespace": "todo-app",
                  "data_from_vars": {"JWT_SECRET": "vault_jwt_secret"}}, **change)]


OCI = {"eventstack_oci_enabled": True, "eventstack_oci_compartment_id": "ocid1.compartment.oc1..aaaa",
       "oci_network_api_allowed_cidrs": ["203.0.113.0/24"], "eventstack_kubeconfig": "/nonexistent/oke.kubeconfig"}

# (case id, extra vars, fragments every one of which must appear in the output)
CASES = [
    ("unknown-environment", {"eventstack_environment": "staging"},
     ["eventstack_environment", "staging", "local, dev, prod"]),
    ("unknown-mode", {"eventstack_mode": "deploy"}, ["eventstack_mode", "apply, render"]),
    ("unsupported-kubernetes-version", {"eventstack_kubernetes_version": "1.29"},
     ["eventstack_kubernetes_version", "1.29", "not supported", "1.33, 1.34"]),
    ("cluster-version-mismatch", {"eventstack_kubernetes_version": "1.35"},
     ["eventstack_kubernetes_version", "v1.34", "set eventstack_kubernetes_version to"]),
    ("namespaces-missing-key", {"eventstack_namespaces": {k: v for k, v in NAMESPACES.items() if k != "ingress"}},
     ["ingress", "eventstack_namespaces"]),
    ("namespaces-not-a-list", {"k8s_base_namespaces": "todo-app"}, ["k8s_base_namespaces", "list"]),
    ("namespace-bad-name", {"k8s_base_namespaces": namespaces((0, {"name": "Todo_App"}))},
     ["k8s_base_namespaces[0].name", "Todo_App", "not a valid Kubernetes name"]),
    ("pod-security-unknown", {"k8s_base_namespaces": namespaces((1, {"pod_security": "strict"}))},
     ["pod_security", "strict", "privileged, baseline, restricted"]),
    ("quota-bad-quantity", {"k8s_base_namespaces": namespaces((1, {"quota": {"limits_memory": "6GB"}}))},
     ["k8s_base_namespaces[1].quota.limits_memory", "6GB", "not a Kubernetes quantity"]),
    ("quota-request-above-limit",
     {"k8s_base_namespaces": namespaces((0, {"quota": {"requests_cpu": "3", "limits_cpu": "2"}}))},
     ["k8s_base_namespaces[0].quota", "requests_cpu (3) is larger than limits_cpu (2)"]),
    ("limit-range-request-above-limit",
     {"k8s_base_namespaces": namespaces((0, {"limit_range": {"default_request_cpu": "1", "default_cpu": "500m"}}))},
     ["k8s_base_namespaces[0].limit_range", "default_request_cpu (1) is larger than default_cpu (500m)"]),
    ("duplicate-namespace", {"k8s_base_namespaces": namespaces((1, {"name": "todo-app"}))},
     ["namespace 'todo-app' is listed more than once", "eventstack_namespaces.kafka"]),
    ("missing-secret", {"k8s_base_secrets": secrets(data_from_vars={"JWT_SECRET": "vault_prod_jwt_secret"})},
     ["k8s_base_secrets[0].data_from_vars.JWT_SECRET", "vault_prod_jwt_secret", "is not defined", "vault.yml"]),
    ("missing-registry-password", {"k8s_base_pull_secret": {"name": "ocir-secret", "server": "fra.ocir.io",
                                                            "username": "t/u", "password_var": "vault_ocir_token",
                                                            "namespaces": ["todo-app"]}},
     ["k8s_base_pull_secret.password_var", "vault_ocir_token", "is not defined"]),
    ("secret-in-unknown-namespace", {"k8s_base_secrets": secrets(namespace="todo")},
     ["k8s_base_secrets[0].namespace", "'todo' is not in k8s_base_namespaces"]),
    ("secret-missing-field", {"k8s_base_secrets": [{"name": "jwt-secret", "namespace": "todo-app"}]},
     ["data_from_vars", "k8s_base_secrets"]),
    ("no-log-not-a-bool", {"eventstack_no_log": "sometimes"}, ["eventstack_no_log", "bool"]),
    ("pull-secret-unknown-namespace", {"k8s_base_pull_secret": {"name": "ocir-secret", "server": "fra.ocir.io",
                                                                "username": "t/u",
                                                                "password_var": "vault_registry_password",
                                                                "namespaces": ["apps"]}},
     ["k8s_base_pull_secret.namespaces[0]", "'apps' is not in k8s_base_namespaces"]),
    ("oci-overlapping-subnets", {"eventstack_oci_enabled": True,
                                 "eventstack_oci_compartment_id": "ocid1.compartment.oc1..aaaa",
                                 "oci_network_subnets": {"workers": "10.0.1.0/24", "load_balancers": "10.0.1.0/25"}},
     ["oci_network_subnets", "overlap"]),
    ("oci-subnet-outside-vcn", {"eventstack_oci_enabled": True,
                                "eventstack_oci_compartment_id": "ocid1.compartment.oc1..aaaa",
                                "oci_network_subnets": {"workers": "10.9.0.0/20"}},
     ["oci_network_subnets.workers", "10.9.0.0/20"]),
    ("oci-listener-port-out-of-range", {"eventstack_oci_enabled": True,
                                        "eventstack_oci_compartment_id": "ocid1.compartment.oc1..aaaa",
                                        "oci_network_lb_listener_ports": [443, 70000]},
     ["oci_network_lb_listener_ports[1]", "70000"]),
    ("oci-bad-compartment", {"eventstack_oci_enabled": True, "eventstack_oci_compartment_id": "my-compartment"},
     ["oci_network_compartment_id", "is not a compartment OCID"]),
    ("oke-memory-per-ocpu", dict(OCI, oke_cluster_node_ocpus=2, oke_cluster_node_memory_gbs=300),
     ["oke_cluster_node_memory_gbs", "300", "between 1 and 64 GB per OCPU"]),
    ("oke-pods-cidr-overlaps-vcn", dict(OCI, oci_network_vcn_cidr="10.0.0.0/16", oke_cluster_pods_cidr="10.0.128.0/17"),
     ["oci_network_vcn_cidr (10.0.0.0/16) overlaps oke_cluster_pods_cidr (10.0.128.0/17)"]),
    ("oke-network-mismatch", dict(OCI, oke_cluster_pod_networking="vcn_native", oci_network_pod_networking="flannel"),
     ["oke_cluster_pod_networking is 'vcn_native' but oci_network_pod_networking is 'flannel'"]),
    ("policy-engine-beside-vcn-native",
     dict(OCI, oke_cluster_pod_networking="vcn_native", oci_network_pod_networking="vcn_native",
          policy_engine_enabled=True),
     ["policy_engine_enabled: the Tigera operator cannot run Calico beside OKE's VCN-native CNI"]),
    ("policy-engine-without-oke", {"policy_engine_enabled": True},
     ["policy_engine_enabled: Calico is set up for an OKE cluster with flannel pod networking"]),
    ("oke-cluster-type-unknown", dict(OCI, oke_cluster_type="basic"),
     ["oke_cluster_type", "BASIC_CLUSTER, ENHANCED_CLUSTER"]),
    ("oke-bastion-without-client-cidrs", dict(OCI, oke_cluster_api_endpoint_public=False,
                                              oci_network_api_endpoint_public=False, oke_cluster_api_access="bastion"),
     ["oke_cluster_bastion_client_cidrs is empty", "public address this controller connects from"]),
    ("oke-bastion-for-a-public-endpoint", dict(OCI, oke_cluster_api_access="bastion",
                                               oke_cluster_bastion_client_cidrs=["203.0.113.7/32"]),
     ["oke_cluster_api_access is bastion but oke_cluster_api_endpoint_public is true"]),
    ("oci-identity-bad-compartment-name", dict(OCI, oci_identity_compartment_name="Todo App!"),
     ["oci_identity_compartment_name", "Todo App!", "1-100 letters"]),
    ("ingress-controller-unknown", {"ingress_controller": "traefik"},
     ["ingress_controller", "envoy_gateway, ingress_nginx"]),
    ("ingress-cert-manager-without-email", {"ingress_tls": "cert_manager", "ingress_hostname": "todo.example.com"},
     ["ingress_cert_manager_email", "is not an e-mail address"]),
    ("ingress-bad-hostname", {"ingress_hostname": "Todo_App.example"}, ["ingress_hostname", "is not a DNS name"]),
    ("ingress-lb-bandwidth", {"ingress_oci_load_balancer_min_mbps": 100, "ingress_oci_load_balancer_max_mbps": 10},
     ["ingress_oci_load_balancer_min_mbps (100)", "min <= max"]),
    ("kafka-replication-above-brokers", {"strimzi_kafka_replication_factor": 3},
     ["strimzi_kafka_replication_factor (3) must be between strimzi_kafka_min_insync_replicas (1) and the number of "
      "brokers (1)"]),
    ("kafka-small-oci-volume", dict(OCI, strimzi_kafka_node_pools=[
        {"name": "dual-role", "replicas": 1, "roles": ["controller", "broker"],
         "storage": {"type": "persistent-claim", "size": "20Gi", "class": "oci-bv"}}]),
     ["strimzi_kafka_node_pools[0].storage.size: 20Gi is below the 50Gi OCI block volume minimum"]),
    ("kafka-topics-no-longer-read", {"strimzi_kafka_topics": [{"name": "task-events", "partitions": 3}]},
     ["strimzi_kafka_topics is set, but the topics are now built from the services",
      "remove strimzi_kafka_topics from the inventory", "strimzi_kafka_topic_settings"]),
    ("kafka-topic-settings-unknown-topic", {"strimzi_kafka_topic_settings": {"task-event": {"partitions": 6}}},
     ["strimzi_kafka_topic_settings['task-event']: no service publishes, subscribes to or dead-letters to a topic "
      "'task-event'", "correct the name or remove the entry"]),
    ("kafka-unknown-version", {"strimzi_kafka_version": "3.6.0"}, ["strimzi_kafka_version", "4.3.1"]),
    ("services-bad-topic-name", {"strimzi_kafka_topic_settings": {}, "eventstack_services": [
        {"name": "audit", "app_id": "audit-worker", "port": 8000,
         "subscriptions": [{"topic": "Task_Events", "route": "/events/task-events"}]}]},
     ["eventstack_services[0].subscriptions[0].topic: 'Task_Events' is not a valid topic name"]),
    # A misspelt topic would otherwise become a KafkaTopic that no service writes to.
    ("services-subscription-topic-misspelt", {"strimzi_kafka_topic_settings": {}, "eventstack_services": [
        {"name": "backend", "app_id": "todo-backend", "port": 8000, "publishes": ["task-events"]},
        {"name": "audit", "app_id": "audit-worker", "port": 8000,
         "subscriptions": [{"topic": "task-event", "route": "/events/task-events"}]}]},
     ["eventstack_services[1].subscriptions[0].topic: 'task-event' is published by no service in eventstack_services "
      "(they publish task-events)", "set external: true on the subscription"]),
    ("services-duplicate-app-id", {"strimzi_kafka_topic_settings": {}, "eventstack_services": [
        {"name": "a", "app_id": "todo-backend", "port": 8000}, {"name": "b", "app_id": "todo-backend", "port": 8001}]},
     ["eventstack_services[1].app_id: 'todo-backend' is used twice"]),
    ("dapr-statestore-secret-unknown", {"dapr_statestore_secret_key": "connection-string"},
     ["dapr_statestore_secret/dapr_statestore_secret_key: db-credentials/connection-string is not a Secret key"]),
    ("database-mode-unknown", {"database_mode": "sqlite"}, ["database_mode", "external, cloudnative_pg"]),
    ("database-password-missing", {"database_owner_password_var": "vault_prod_database_password"},
     ["database_owner_password_var: vault variable 'vault_prod_database_password' is not defined", "vault.yml"]),
    ("database-external-not-postgresql",
     {"database_mode": "external", "vault_database_url": "mysql://todo:Hunter2-never-shown@db.example.com/todo"},
     ["vault_database_url (named by database_external_url_var)", "must start with postgresql://"]),
    ("database-small-oci-volume", dict(OCI, database_storage_size="10Gi"),
     ["database_storage_size: 10Gi is below the 50Gi OCI block volume minimum"]),
    ("database-backup-incomplete", {"database_backup_enabled": True, "database_backup_schedule": "0 3 * * *"},
     ["database_backup_destination_path: '' must be an s3://bucket/path",
      "database_backup_endpoint_url: '' must be the https:// endpoint",
      "database_backup_access_key_id_var: vault variable 'vault_database_backup_access_key_id' is not defined",
      "database_backup_schedule: '0 3 * * *' needs six fields"]),
    ("database-operator-namespace-unknown", {"database_operator_namespace": "cnpg"},
     ["database_operator_namespace: 'cnpg' is not a namespace k8s_base creates"]),
    ("database-secret-also-in-k8s-base", {"k8s_base_secrets": [
        {"name": "db-credentials", "namespace": "todo-app", "data_from_vars": {"DATABASE_URL": "vault_database_url"}}]},
     ["database_secret_name: Secret 'db-credentials' is also in k8s_base_secrets"]),
    ("dapr-listener-unknown", {"dapr_kafka_listener": "sasl"}, ["dapr_kafka_listener", "plain, tls"]),
    ("hardening-deployer-bad-name", {"hardening_deployer_name": "CI_Deployer"},
     ["hardening_deployer_name", "CI_Deployer", "not a DNS label"]),
    ("apps-latest-tag", {"apps_image_tag": "latest"},
     ["eventstack_services[0] (todo-frontend)", "image tag 'latest' cannot be rolled back to", "git SHA"]),
    ("apps-override-typo", {"apps_overrides": {"todo-backend": {"replica": 2}}},
     ["eventstack_services[1] (todo-backend)", "unknown key 'replica'", "apps_overrides"]),
    ("apps-override-of-no-service", {"apps_overrides": {"backend": {"replicas": 2}}},
     ["apps_overrides: 'backend' is not the name of a service", "todo-backend"]),
    ("apps-secret-env-unknown", {"apps_overrides": {"todo-frontend": {"secret_env": [
        {"name": "API_TOKEN", "secret": "api-token", "key": "TOKEN"}]}}},
     ["eventstack_services[0] (todo-frontend)", "secret_env API_TOKEN refers to api-token/TOKEN",
      "neither k8s_base_secrets nor the database role creates"]),
    ("apps-route-twice", {"apps_overrides": {"websocket-worker": {"route": "/api"}}},
     ["eventstack_services[5] (websocket-worker)", "route '/api' is already todo-backend's"]),
    ("apps-quota-too-small", {"k8s_base_namespaces": namespaces((0, {"quota": {"requests_cpu": "500m"}}))},
     ["k8s_base_namespaces (todo-app).quota.requests_cpu is 500m", "while they roll out",
      "raise the quota or lower the services' replicas, hpa.min or resources"]),
    ("hardening-api-cidr-typo", {"hardening_api_server_cidrs": ["10.0.0.300/28"]},
     ["hardening_api_server_cidrs: '10.0.0.300/28' is not a CIDR"]),
    ("hardening-external-database-without-address", {"database_mode": "external",
                                                     "vault_database_url": "postgresql://app:s3cr3t-pw@db.example:5432/app"},
     ["hardening_external_database_cidrs is empty but todo-backend", "give its address"]),
    ("observability-stack-exceeds-monitoring-quota", {"observability_prometheus_enabled": True},
     ["k8s_base_namespaces (monitoring).quota.limits_cpu is 500m", "the observability role's pods there add up to",
      "raise the quota or lower the observability_*_resources"]),
    ("observability-retention-typo", {"observability_prometheus_enabled": True,
                                      "observability_prometheus_retention": "7 days"},
     ["observability_prometheus_retention: '7 days' is not a Prometheus duration"]),
    ("kafka-metadata-version-ahead-of-kafka", {"strimzi_kafka_version": "4.2.1",
                                               "strimzi_kafka_metadata_version": "4.3-IV0"},
     ["strimzi_kafka_metadata_version 4.3-IV0 is newer than strimzi_kafka_version 4.2.1",
      "upgrade the Kafka version first"]),
    ("log-shipping-without-a-loki-host", {"observability_log_shipping": "loki",
                                          "observability_loki_host": "https://loki.example.com:3100"},
     ["observability_loki_host: 'https://loki.example.com:3100' is not a host name",
      "without scheme, port or path"]),
    ("unreachable-cluster", {"eventstack_kubeconfig": "KUBECONFIG_OF_A_CLOSED_PORT"},
     ["cannot reach the Kubernetes API", "eventstack_kubeconfig"]),
]


@pytest.fixture()
def cluster(tmp_path):
    with KubeEmulator(server_version="1.34", crds=platform_crds()) as server:
        yield server, server.write_kubeconfig(str(tmp_path / "kubeconfig"))


def closed_port_kubeconfig(tmp_path):
    path = tmp_path / "closed-port.kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n"
        "clusters: [{name: nowhere, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "contexts: [{name: nowhere, context: {cluster: nowhere, user: nobody}}]\n"
        "users: [{name: nobody, user: {token: x}}]\n")
    return str(path)


def test_control_the_unmodified_inventory_converges_and_writes(cluster):
    server, kubeconfig = cluster
    run = run_playbook("inventories/local", env={"K8S_AUTH_KUBECONFIG": kubeconfig}, emulator=True)
    assert run.rc == 0, run.output
    assert [r for r in server.requests if r["method"] in WRITES]
    assert server.objects()


@pytest.mark.parametrize("extra_vars, fragments", [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_fails_before_any_change(cluster, tmp_path, extra_vars, fragments):
    server, kubeconfig = cluster
    if extra_vars.get("eventstack_kubeconfig") == "KUBECONFIG_OF_A_CLOSED_PORT":
        extra_vars = dict(extra_vars, eventstack_kubeconfig=closed_port_kubeconfig(tmp_path))
    run = run_playbook("inventories/local", extra_vars=extra_vars,
                       env={"K8S_AUTH_KUBECONFIG": kubeconfig}, emulator=True)
    assert run.rc != 0, run.output
    output = " ".join(run.output.split())
    missing = [fragment for fragment in fragments if fragment not in output]
    assert not missing, "message lacks %s:\n%s" % (missing, run.output[-4000:])
    for name, value in extra_vars.items():  # a vault value (or the password in a URI) is never shown
        if name.startswith("vault_"):
            assert str(value) not in run.output
            assert (urlsplit(str(value)).password or str(value)) not in run.output
    assert [r for r in server.requests if r["method"] in WRITES] == []
    assert server.objects() == []


def test_table_is_large_enough():
    assert len(CASES) >= 15


@pytest.mark.parametrize("cluster_version, target, passes", [("1.33", "1.34", True), ("1.34", "1.33", False)])
def test_with_the_oci_roles_a_cluster_one_minor_version_behind_is_upgraded_not_refused(
        tmp_path, cluster_version, target, passes):
    """OKE upgrades one minor version per run (oke_cluster does it), so preflight lets that through and says so;
    a cluster newer than the inventory is still refused, naming both ways out. Only preflight runs (--tags of no
    role), on a controller where oracle.oci is installed (its manifest, in a collections path of the test's own)."""
    with KubeEmulator(server_version=cluster_version) as server:
        kubeconfig = server.write_kubeconfig(str(tmp_path / "kubeconfig"))
        extra_vars = dict(OCI, eventstack_kubeconfig=kubeconfig, eventstack_kubernetes_version=target,
                          preflight_check_oci=False, database_storage_size="50Gi")
        # A temporary directory of its own: kubernetes.core caches the server's version there per API address, and
        # another test's emulator may have had this port with another version (see the xfail test below).
        (tmp_path / "tmp").mkdir()
        run = run_playbook("inventories/local", "--tags", "preflight-only", extra_vars=extra_vars, emulator=True, env=dict(
            K8S_AUTH_KUBECONFIG=kubeconfig, ANSIBLE_COLLECTIONS_PATH=oracle_oci_installed(tmp_path),
            TMPDIR=str(tmp_path / "tmp")))
    output = " ".join(run.output.split())
    if passes:
        assert run.rc == 0, run.output[-3000:]
        assert "the cluster runs v1.33.0: the oke_cluster role upgrades the control plane, then the node pool, to 1.34" \
            in output
    else:
        assert run.rc != 0
        assert ('eventstack_kubernetes_version is "1.33" but the cluster runs v1.34.0; set eventstack_kubernetes_version '
                'to "1.34" (if supported), or to the next minor version to have oke_cluster upgrade it') in output
    assert [r for r in server.requests if r["method"] in WRITES] == []


def test_preflight_reads_the_clusters_version_live_not_from_a_discovery_cache(tmp_path):
    """kubernetes.core keeps the server's version in its discovery cache (a file in the temporary directory, one per
    API address): after oke_cluster upgraded the cluster, the next run's preflight must see the new version, not a
    cached one (here the emulator is "upgraded" between two runs that share the temporary directory)."""
    cache = tmp_path / "tmp"
    cache.mkdir()
    with KubeEmulator(server_version="1.33") as server:
        kubeconfig = server.write_kubeconfig(str(tmp_path / "kubeconfig"))
        extra_vars = dict(OCI, eventstack_kubeconfig=kubeconfig, eventstack_kubernetes_version="1.34",
                          preflight_check_oci=False, database_storage_size="50Gi")
        env = dict(K8S_AUTH_KUBECONFIG=kubeconfig, TMPDIR=str(cache),
                   ANSIBLE_COLLECTIONS_PATH=oracle_oci_installed(tmp_path))
        before = run_playbook("inventories/local", "--tags", "preflight-only", extra_vars=extra_vars, emulator=True,
                              env=env)
        assert before.rc == 0 and "the cluster runs v1.33.0" in before.output, before.output[-3000:]
        server.server_version = "1.34"
        after = run_playbook("inventories/local", "--tags", "preflight-only", extra_vars=extra_vars, emulator=True,
                             env=env)
    assert after.rc == 0, after.output[-3000:]
    assert "the cluster runs v1.33.0" not in after.output, "the version came from a cache"
    assert [r["path"] for r in server.requests].count("/version") >= 2, "each run asks the server"


def test_with_the_oci_roles_the_oci_cli_the_kubeconfig_runs_must_be_on_the_path(tmp_path):
    """The kubeconfig oke_cluster writes authenticates with `oci ce cluster generate-token`: without the oci CLI on the
    PATH every play after the cluster would fail, so preflight stops first, naming it and make setup."""
    import os  # pylint: disable=import-outside-toplevel

    from tests.support.playbook import BIN  # pylint: disable=import-outside-toplevel

    without_oci = tmp_path / "bin"
    without_oci.mkdir()
    for name in os.listdir(BIN):
        if name != "oci":
            os.symlink(os.path.join(BIN, name), without_oci / name)
    with KubeEmulator(server_version="1.34") as server:
        kubeconfig = server.write_kubeconfig(str(tmp_path / "kubeconfig"))
        extra_vars = dict(OCI, eventstack_kubeconfig=kubeconfig, preflight_check_oci=False,
                          database_storage_size="50Gi")
        run = run_playbook("inventories/local", "--tags", "preflight-only", extra_vars=extra_vars, emulator=True, env=dict(
            K8S_AUTH_KUBECONFIG=kubeconfig, ANSIBLE_COLLECTIONS_PATH=oracle_oci_installed(tmp_path),
            PATH=os.pathsep.join([str(without_oci), "/usr/bin", "/bin"])))
    assert run.rc != 0
    assert "oci is not on the PATH: run make setup" in " ".join(run.output.split()), run.output[-3000:]
    assert [r for r in server.requests if r["method"] in WRITES] == []
