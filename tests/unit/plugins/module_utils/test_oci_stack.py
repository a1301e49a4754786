"""Which OCI resources are the stack's, what OCI cannot change in place, and the oke_cluster role's decisions."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _oci_stack

TAGS = _oci_stack.stack_tags("todo", "dev")
OTHER = _oci_stack.stack_tags("shop", "dev")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 4))
PLAN = {"vcn": {"display_name": "es-dev-vcn", "cidr_block": "10.0.0.0/16", "dns_label": "esdev"},
        "gateways": {"nat": {"display_name": "es-dev-nat"}},
        "route_tables": {"private": {"display_name": "es-dev-private-rt"}},
        "subnets": [{"key": "api_endpoint", "display_name": "es-dev-api", "dns_label": "api",
                     "prohibit_public_ip_on_vnic": False},
                    {"key": "workers", "display_name": "es-dev-workers", "dns_label": "workers",
                     "prohibit_public_ip_on_vnic": True}],
        "nsgs": {"workers": {"display_name": "es-dev-workers-nsg", "rules": []}}}


def res(name, tags=None, state="AVAILABLE", key="display_name", **extra):
    return dict({key: name, "id": "ocid1.x.oc1..%s%d" % (name, len(extra)), "lifecycle_state": state,
                 "freeform_tags": dict(TAGS if tags is None else tags)}, **extra)


def read(**over):
    vcn = res("es-dev-vcn", cidr_blocks=["10.0.0.0/16"], dns_label="esdev", default_security_list_id="sl")
    out = {"vcns": [vcn], "subnets": [res("es-dev-api", dns_label="api", prohibit_public_ip_on_vnic=False),
                                      res("es-dev-workers", dns_label="workers", prohibit_public_ip_on_vnic=True)],
           "route_tables": [res("es-dev-private-rt")], "nat_gateways": [res("es-dev-nat")],
           "network_security_groups": [res("es-dev-workers-nsg", rules=[])],
           "security_lists": [{"id": "sl", "ingress_security_rules": [], "egress_security_rules": []}]}
    out.update(over)
    return out


def test_tags_name_the_stack_and_environment():
    assert TAGS == {"eventstack.io/stack": "todo", "eventstack.io/environment": "dev"}


def test_find_tells_the_stacks_own_resource_from_a_same_named_one():
    mine, theirs = res("vcn"), res("vcn", OTHER)
    assert _oci_stack.find([theirs, mine], "vcn", TAGS) == (mine, [theirs])
    assert _oci_stack.find([theirs], "vcn", TAGS) == (None, [theirs])
    assert _oci_stack.find([res("vcn", state="TERMINATED"), res("other")], "vcn", TAGS) == (None, [])
    untagged = res("vcn", {})
    assert _oci_stack.find([untagged], "vcn", TAGS, adopt=True) == (untagged, [])
    # Adopting is for one resource: with two candidates the role cannot know which.
    assert _oci_stack.find([untagged, res("vcn", {})], "vcn", TAGS, adopt=True)[0] is None
    with pytest.raises(_oci_stack.StackError, match="2 VCNs named vcn carry this stack's tags"):
        _oci_stack.find([mine, res("vcn", extra=1)], "vcn", TAGS, kind="VCN")


def test_the_network_view_keys_resources_as_the_plan_does():
    view = _oci_stack.network_view(read(), PLAN, TAGS)
    assert view["problems"] == []
    assert view["vcn"]["display_name"] == "es-dev-vcn"
    assert sorted(view["subnets"]) == ["api_endpoint", "workers"]
    assert view["gateways"]["nat"]["display_name"] == "es-dev-nat"
    assert view["route_tables"]["private"]["id"] and view["nsgs"]["workers"]["rules"] == []
    assert view["default_security_list_open"] is False
    assert _oci_stack.network_ids(view)["subnets"]["workers"] == view["subnets"]["workers"]["id"]


def test_another_stacks_network_is_refused_with_the_way_to_adopt_on_purpose():
    view = _oci_stack.network_view(read(vcns=[res("es-dev-vcn", {}, cidr_blocks=["10.0.0.0/16"])]), PLAN, TAGS)
    assert view["vcn"] is None
    assert len(view["problems"]) == 1
    assert view["problems"][0].startswith("VCN es-dev-vcn exists without this stack's tags")
    assert "-e eventstack_oci_adopt=true" in view["problems"][0]
    adopted = _oci_stack.network_view(read(vcns=[res("es-dev-vcn", {}, cidr_blocks=["10.0.0.0/16"],
                                                     dns_label="esdev")]), PLAN, TAGS, adopt=True)
    assert adopted["vcn"] and adopted["problems"] == []


def test_a_foreign_child_in_the_stacks_vcn_is_refused_too():
    view = _oci_stack.network_view(read(nat_gateways=[res("es-dev-nat", OTHER)]), PLAN, TAGS)
    assert view["problems"] == [view["problems"][0]]
    assert view["problems"][0].startswith("gateway es-dev-nat exists without this stack's tags")


@pytest.mark.parametrize("change, expected", [
    ({"cidr_block": "10.1.0.0/16"}, "VCN es-dev-vcn has CIDR 10.0.0.0/16 but oci_network_vcn_cidr is 10.1.0.0/16"),
    ({"dns_label": "other"}, "VCN es-dev-vcn has DNS label esdev but oci_network_dns_label is other"),
])
def test_vcn_settings_oci_cannot_change_stop_the_run_naming_the_variable(change, expected):
    plan = dict(PLAN, vcn=dict(PLAN["vcn"], **change))
    problems = _oci_stack.network_view(read(), plan, TAGS)["problems"]
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_a_public_subnet_made_private_stops_the_run():
    plan = dict(PLAN, subnets=[dict(PLAN["subnets"][0], prohibit_public_ip_on_vnic=True), PLAN["subnets"][1]])
    problems = _oci_stack.network_view(read(), plan, TAGS)["problems"]
    assert problems == ["subnet es-dev-api is public but oci_network_api_endpoint_public asks for it private: OCI "
                        "cannot change that in place; set oci_network_api_endpoint_public back, or destroy the network "
                        "first (make destroy) to rebuild it"]


def test_an_open_default_security_list_is_locked_down():
    # A VCN not created yet gets OCI's default rules in its default security list.
    assert _oci_stack.network_view(read(vcns=[]), PLAN, TAGS)["default_security_list_open"] is True
    lists = [{"id": "sl", "ingress_security_rules": [{"protocol": "all"}], "egress_security_rules": []}]
    assert _oci_stack.network_view(read(security_lists=lists), PLAN, TAGS)["default_security_list_open"] is True


CLUSTER = {"name": "es-dev", "id": "ocid1.cluster.oc1..c", "lifecycle_state": "ACTIVE", "freeform_tags": TAGS,
           "kubernetes_version": "v1.33.1", "available_kubernetes_upgrades": ["v1.34.1", "v1.34.2"],
           "type": "BASIC_CLUSTER", "vcn_id": "vcn", "cluster_pod_network_options": [{"cni_type": "FLANNEL_OVERLAY"}],
           "endpoint_config": {"subnet_id": "api", "is_public_ip_enabled": True, "nsg_ids": ["nsg-api"]},
           "options": {"service_lb_subnet_ids": ["lb"],
                       "kubernetes_network_config": {"pods_cidr": "10.244.0.0/16", "services_cidr": "10.96.0.0/16"}}}
POOL = {"name": "es-dev-pool1", "id": "ocid1.nodepool.oc1..p", "cluster_id": CLUSTER["id"], "freeform_tags": TAGS,
        "lifecycle_state": "ACTIVE", "kubernetes_version": "v1.33.1", "node_shape": "VM.Standard.A1.Flex",
        "node_shape_config": {"ocpus": 2.0, "memory_in_gbs": 8.0},
        "node_config_details": {"size": 1, "placement_configs": [{"availability_domain": "X:AD-1"}]}, "nodes": []}
DESIRED = {"cni_type": "FLANNEL_OVERLAY", "pod_networking": "flannel", "pods_cidr": "10.244.0.0/16",
           "services_cidr": "10.96.0.0/16", "type": "BASIC_CLUSTER", "kubernetes_version": "1.33", "vcn_id": "vcn",
           "endpoint_subnet_id": "api", "lb_subnet_ids": ["lb"], "endpoint_public": True,
           "endpoint_nsg_ids": ["nsg-api"],
           "node_pool": {"size": 1, "shape": "VM.Standard.A1.Flex", "ocpus": 2.0, "memory_gbs": 8.0,
                         "availability_domains": ["X:AD-1"]}}
OFFERED = ["v1.33.1", "v1.34.1", "v1.34.2"]
NAMES = {"cluster": "es-dev", "node_pool": "es-dev-pool1"}


def plan(cluster="default", pool="default", requests=None, **desired):
    cluster = CLUSTER if cluster == "default" else cluster
    pool = POOL if pool == "default" else pool
    want = dict(DESIRED, **desired)
    read_ = {"clusters": [cluster] if cluster else [], "node_pools": [pool] if pool else []}
    view = _oci_stack.cluster_view(read_, NAMES, TAGS)
    return _oci_stack.cluster_plan(view, want, OFFERED, requests or [])


def test_an_unchanged_cluster_is_updated_by_id_and_keeps_its_versions():
    out = plan()
    assert out["problems"] == [] and out["notes"] == []
    assert (out["cluster"], out["node_pool"], out["endpoint_update"]) == ("update", "update", False)
    assert out["versions"] == {"cluster": "v1.33.1", "node_pool": "v1.33.1", "upgrade": False,
                               "upgrade_node_pool": False}


def test_a_new_cluster_gets_the_newest_patch_offered():
    out = plan(cluster=None, pool=None, kubernetes_version="1.34")
    assert (out["cluster"], out["node_pool"], out["cluster_id"]) == ("create", "create", "")
    assert out["versions"]["cluster"] == out["versions"]["node_pool"] == "v1.34.2"


def test_one_minor_behind_upgrades_the_control_plane_then_the_pool():
    out = plan(kubernetes_version="1.34")
    assert out["problems"] == []
    assert out["versions"] == {"cluster": "v1.34.2", "node_pool": "v1.34.2", "upgrade": True,
                               "upgrade_node_pool": True}
    assert out["notes"] == ["upgrade: control plane v1.33.1 -> v1.34.2, then node pool v1.33.1 -> v1.34.2"]


def test_a_pool_left_behind_by_an_earlier_run_is_upgraded_alone():
    cluster = dict(CLUSTER, kubernetes_version="v1.34.2", available_kubernetes_upgrades=[])
    out = plan(cluster=cluster, kubernetes_version="1.34")
    assert out["versions"] == {"cluster": "v1.34.2", "node_pool": "v1.34.2", "upgrade": False,
                               "upgrade_node_pool": True}


@pytest.mark.parametrize("version, expected", [
    ("1.35", "OKE upgrades one minor version at a time and never downgrades; set it to \"1.33\" or \"1.34\""),
    ("1.32", "never downgrades"),
])
def test_two_minors_or_a_downgrade_are_refused(version, expected):
    problems = plan(kubernetes_version=version)["problems"]
    assert len(problems) == 1 and expected in problems[0], problems


def test_an_upgrade_oke_does_not_offer_is_refused():
    problems = plan(cluster=dict(CLUSTER, available_kubernetes_upgrades=[]), kubernetes_version="1.34")["problems"]
    assert problems == ["cluster es-dev runs v1.33.1 and OKE offers it no upgrade to 1.34 (it offers: none); set "
                        "eventstack_kubernetes_version to \"1.33\""]


@pytest.mark.parametrize("desired, expected", [
    ({"cni_type": "OCI_VCN_IP_NATIVE", "pod_networking": "vcn_native"},
     "cluster es-dev uses FLANNEL_OVERLAY pod networking but oke_cluster_pod_networking asks for vcn_native"),
    ({"services_cidr": "10.97.0.0/16"}, "cluster es-dev has services_cidr 10.96.0.0/16 but oke_cluster_services_cidr"),
    ({"pods_cidr": "10.245.0.0/16"}, "cluster es-dev has pods_cidr 10.244.0.0/16 but oke_cluster_pods_cidr"),
    ({"vcn_id": "other"}, "cluster es-dev runs in VCN vcn, not in this stack's VCN other"),
    ({"endpoint_subnet_id": "other"}, "cluster es-dev's API endpoint is in subnet api, not in the stack's other"),
    ({"lb_subnet_ids": ["other"]}, "cluster es-dev puts its load balancers in subnet(s) lb, not in the stack's other"),
])
def test_cluster_settings_oci_cannot_change_stop_the_run(desired, expected):
    problems = plan(**desired)["problems"]
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_an_enhanced_cluster_is_never_downgraded_but_a_basic_one_may_become_enhanced():
    assert "OCI cannot downgrade a cluster" in plan(cluster=dict(CLUSTER, type="ENHANCED_CLUSTER"))["problems"][0]
    assert plan(type="ENHANCED_CLUSTER")["problems"] == []


def test_endpoint_nsgs_or_visibility_changed_update_the_endpoint():
    assert plan(endpoint_nsg_ids=["nsg-api", "nsg-extra"])["endpoint_update"] is True
    assert plan(endpoint_public=False)["endpoint_update"] is True
    assert plan(cluster=None)["endpoint_update"] is False


def test_a_cluster_still_creating_is_waited_for():
    out = plan(cluster=dict(CLUSTER, lifecycle_state="CREATING"), pool=dict(POOL, lifecycle_state="UPDATING"))
    assert out["cluster_busy"] and out["node_pool_busy"] and out["problems"] == []


def test_a_failed_cluster_stops_the_run():
    out = plan(cluster=dict(CLUSTER, lifecycle_state="FAILED", lifecycle_details="quota"))
    assert out["problems"] == ["cluster es-dev is FAILED: quota: delete it (make destroy, or the console) and run "
                               "again"]


OUT_OF_CAPACITY = {"code": "InternalError", "message": "Out of host capacity."}
FAILED_NODE = {"name": "n1", "availability_domain": "X:AD-1", "lifecycle_state": "FAILED",
               "node_error": OUT_OF_CAPACITY}


def test_a_failed_pool_asked_for_again_unchanged_stops_with_ocis_error():
    pool = dict(POOL, lifecycle_state="NEEDS_ATTENTION", nodes=[FAILED_NODE])
    problems = plan(pool=pool)["problems"]
    assert len(problems) == 1
    assert problems[0].startswith("node pool es-dev-pool1 is NEEDS_ATTENTION: node n1 in X:AD-1 is FAILED: "
                                  "InternalError: Out of host capacity.")
    assert "change oke_cluster_availability_domains" in problems[0]


def test_a_failed_pool_moved_to_another_ad_is_replaced_and_one_needing_attention_updated():
    failed = dict(POOL, lifecycle_state="FAILED", nodes=[FAILED_NODE])
    requests = [{"id": "wr1", "status": "FAILED", "operation_type": "NODEPOOL_CREATE",
                 "resources": [{"identifier": POOL["id"]}], "errors": [OUT_OF_CAPACITY]}]
    moved = dict(DESIRED["node_pool"], availability_domains=["X:AD-2"])
    out = plan(pool=failed, requests=requests, node_pool=moved)
    assert out["problems"] == [] and out["node_pool"] == "replace"
    assert out["notes"] == ["node pool es-dev-pool1 is FAILED (node n1 in X:AD-1 is FAILED: InternalError: Out of host "
                            "capacity.; work request wr1 (NODEPOOL_CREATE) failed: InternalError: Out of host "
                            "capacity.); it is replaced with availability domains X:AD-1 -> X:AD-2"]
    attention = plan(pool=dict(failed, lifecycle_state="NEEDS_ATTENTION"),
                     node_pool=dict(DESIRED["node_pool"], size=2))
    assert attention["node_pool"] == "update" and attention["notes"][0].endswith("it is updated: node count 1 -> 2")


def test_a_foreign_cluster_of_the_same_name_is_refused():
    out = plan(cluster=dict(CLUSTER, freeform_tags=OTHER))
    assert out["cluster"] == "create"
    assert out["problems"][0].startswith("OKE cluster es-dev exists without this stack's tags (ocid1.cluster.oc1..c)")


# The rule behind IMMUTABLE_FIELDS, from the world rather than from us: what the roles set when they create a resource
# that OCI's Update*Details model does not take, apart from what identifies the resource.
# module: (SDK package, create model, update model, {nested field: (create model, update model)}, the module's own id
# option, the fields that identify where the resource lives)
MODELS = {"oci_network_vcn": ("core", "CreateVcnDetails", "UpdateVcnDetails", {}, "vcn_id", {"compartment_id"}),
          "oci_network_subnet": ("core", "CreateSubnetDetails", "UpdateSubnetDetails", {}, "subnet_id",
                                 {"compartment_id", "vcn_id"}),
          "oci_network_route_table": ("core", "CreateRouteTableDetails", "UpdateRouteTableDetails", {}, "rt_id",
                                      {"compartment_id", "vcn_id"}),
          "oci_network_security_group": ("core", "CreateNetworkSecurityGroupDetails",
                                         "UpdateNetworkSecurityGroupDetails", {}, "network_security_group_id",
                                         {"compartment_id", "vcn_id"}),
          "oci_network_internet_gateway": ("core", "CreateInternetGatewayDetails", "UpdateInternetGatewayDetails",
                                           {}, "ig_id", {"compartment_id", "vcn_id"}),
          "oci_network_nat_gateway": ("core", "CreateNatGatewayDetails", "UpdateNatGatewayDetails", {},
                                      "nat_gateway_id", {"compartment_id", "vcn_id"}),
          "oci_network_service_gateway": ("core", "CreateServiceGatewayDetails", "UpdateServiceGatewayDetails", {},
                                          "service_gateway_id", {"compartment_id", "vcn_id"}),
          "oci_container_engine_cluster": (
              "container_engine", "CreateClusterDetails", "UpdateClusterDetails",
              # The endpoint's NSGs and visibility change through UpdateClusterEndpointConfig (the actions module).
              {"endpoint_config": ("CreateClusterEndpointConfigDetails", "UpdateClusterEndpointConfigDetails"),
               "options": ("ClusterCreateOptions", "UpdateClusterOptionsDetails")}, "cluster_id", {"compartment_id"}),
          "oci_container_engine_node_pool": (
              "container_engine", "CreateNodePoolDetails", "UpdateNodePoolDetails",
              {"node_config_details": ("CreateNodePoolNodeConfigDetails", "UpdateNodePoolNodeConfigDetails")},
              "node_pool_id", {"compartment_id", "cluster_id"})}


def _creates():
    """(module, arguments) of every task of the OCI roles' apply that can create a resource."""
    for role in ("oci_network", "oke_cluster"):
        with open(os.path.join(ROOT, "roles", role, "tasks", "apply.yml"), encoding="utf-8") as handle:
            tasks = yaml.safe_load(handle)
        for task in tasks + [t for block in tasks for t in block.get("block", [])]:
            for key, args in task.items():
                name = key.rsplit(".", 1)[-1]
                if key.startswith("oracle.oci.") and name in MODELS and args.get("state", "present") == "present":
                    own_id = args.get(MODELS[name][4])
                    if own_id is None or "omit" in str(own_id):
                        yield name, args


def test_immutable_fields_are_what_the_sdk_says_cannot_be_updated():
    # The oci SDK (requirements.txt pins it): a missing one is a broken set-up, not a reason to skip.
    import oci  # pylint: disable=import-outside-toplevel
    seen = set()
    for module, args in _creates():
        package, create, update, nested, own_id, identity = MODELS[module]
        models = getattr(oci, package).models
        creatable = set(getattr(models, create)().swagger_types) - identity - {own_id}
        updatable = set(getattr(models, update)().swagger_types)
        fixed = set()
        for field, value in args.items():
            if field not in creatable:
                continue
            if field in nested and isinstance(value, dict):
                inner_create, inner_update = (set(getattr(models, m)().swagger_types) for m in nested[field])
                fixed.update("%s.%s" % (field, sub) for sub in value if sub in inner_create - inner_update)
            elif field not in updatable:
                fixed.add(field)
        assert sorted(fixed) == sorted(_oci_stack.IMMUTABLE_FIELDS.get(module, ())), module
        seen.add(module)
    assert set(_oci_stack.IMMUTABLE_FIELDS) <= seen, seen


def test_leftovers_delete_the_stacks_wait_for_what_oci_deletes_and_stop_on_the_rest():
    view = _oci_stack.network_view(read(), PLAN, TAGS)
    workers = view["subnets"]["workers"]["id"]
    api = view["subnets"]["api_endpoint"]["id"]
    left = {
        "load_balancers": [
            {"id": "lb-ours", "display_name": "svc-1", "lifecycle_state": "ACTIVE", "subnet_ids": [workers],
             "freeform_tags": TAGS},
            {"id": "lb-going", "display_name": "svc-2", "lifecycle_state": "DELETING", "subnet_ids": [workers],
             "freeform_tags": {}},
            {"id": "lb-theirs", "display_name": "svc-3", "lifecycle_state": "ACTIVE", "subnet_ids": [workers],
             "freeform_tags": {}, "system_tags": {"orcl-containerengine": {"Cluster": "ocid1.cluster.oc1..c"}}},
            {"id": "lb-elsewhere", "display_name": "x", "lifecycle_state": "ACTIVE", "subnet_ids": ["other"],
             "freeform_tags": {}}],
        "volumes": [{"id": "vol-ours", "display_name": "csi-1", "lifecycle_state": "AVAILABLE", "freeform_tags": TAGS},
                    {"id": "vol-going", "display_name": "csi-2", "lifecycle_state": "TERMINATING",
                     "freeform_tags": TAGS},
                    {"id": "vol-theirs", "display_name": "data", "lifecycle_state": "AVAILABLE", "freeform_tags": {}}],
        # A load balancer's subnet is busy until it goes; an address in another subnet blocks at once.
        "private_ips": {workers: [{"id": "ip-lb", "ip_address": "10.0.16.5", "vnic_id": "vnic-lb"}],
                        api: [{"id": "ip-x", "ip_address": "10.0.0.9", "vnic_id": "vnic-x"}]}}
    out = _oci_stack.leftovers(left, view, TAGS)
    assert out["delete_load_balancers"] == [{"id": "lb-ours", "name": "svc-1"}]
    assert out["delete_volumes"] == [{"id": "vol-ours", "name": "csi-1"}]
    assert out["pending"] == ["load balancer svc-2 (lb-going) in subnet es-dev-workers is DELETING",
                              "block volume csi-2 (vol-going) is TERMINATING"]
    assert out["blockers"] == [
        "load balancer svc-3 (lb-theirs) in subnet es-dev-workers does not carry the stack's tags (OKE's cloud "
        "controller made it for cluster ocid1.cluster.oc1..c): delete it yourself (or delete its Service in the "
        "cluster first), then run destroy again",
        "private IP 10.0.0.9 (ip-x, VNIC vnic-x) is still in subnet es-dev-api: detach or delete what holds it, then "
        "run destroy again"]
    assert _oci_stack.leftovers({}, view, TAGS) == {"delete_load_balancers": [], "delete_volumes": [], "pending": [],
                                                    "blockers": []}


BASTION_TAGS = {"eventstack.io/stack": "todo", "eventstack.io/environment": "prod"}


def bastion(**changes):
    found = {"id": "ocid1.bastion.oc1..b", "name": "eventstackprod", "lifecycle_state": "ACTIVE",
             "target_subnet_id": "ocid1.subnet.oc1..api", "client_cidr_block_allow_list": ["203.0.113.7/32"],
             "max_session_ttl_in_seconds": 10800, "freeform_tags": dict(BASTION_TAGS)}
    found.update(changes)
    return found


WANT = {"subnet_id": "ocid1.subnet.oc1..api", "client_cidrs": ["203.0.113.7/32"], "max_session_ttl": 10800}


def test_a_missing_bastion_is_created_and_a_current_one_left_alone():
    assert _oci_stack.bastion_plan({"bastions": []}, "eventstackprod", BASTION_TAGS, WANT)["create"]
    plan = _oci_stack.bastion_plan({"bastions": [bastion()]}, "eventstackprod", BASTION_TAGS, WANT)
    assert plan == {"id": "ocid1.bastion.oc1..b", "state": "ACTIVE", "create": False, "changes": {}, "problems": []}


def test_a_bastion_is_updated_where_oci_allows_and_refused_where_it_does_not():
    plan = _oci_stack.bastion_plan({"bastions": [bastion(client_cidr_block_allow_list=["198.51.100.0/24"],
                                                         max_session_ttl_in_seconds=3600)]},
                                   "eventstackprod", BASTION_TAGS, WANT)
    assert plan["changes"] == {"client_cidr_block_allow_list": ["203.0.113.7/32"], "max_session_ttl_in_seconds": 10800}
    plan = _oci_stack.bastion_plan({"bastions": [bastion(target_subnet_id="ocid1.subnet.oc1..old")]},
                                   "eventstackprod", BASTION_TAGS, WANT)
    assert "OCI cannot change a bastion's target" in plan["problems"][0]


def test_a_same_named_bastion_without_the_tags_is_refused_unless_adopted():
    foreign = {"bastions": [bastion(freeform_tags={})]}
    plan = _oci_stack.bastion_plan(foreign, "eventstackprod", BASTION_TAGS, WANT)
    assert "without this stack's tags" in plan["problems"][0] and not plan["create"]
    plan = _oci_stack.bastion_plan(foreign, "eventstackprod", BASTION_TAGS, WANT, adopt=True)
    assert plan["problems"] == [] and plan["changes"] == {"freeform_tags": BASTION_TAGS}
