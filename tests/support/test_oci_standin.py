"""The OCI stand-in (tests/support/oci_standin.py) through the real oci SDK clients over HTTPS (custom region
in realm oc99, the stand-in as HTTPS proxy, the test CA) and through the real oracle.oci modules run by
ansible-playbook. Each test checks an answer OCI documents, so a stand-in that answered otherwise fails it."""

from __future__ import annotations

import json
import pathlib

import oci
import pytest
import yaml

from tests.support.oci_api_oke import images
from tests.support.oci_config import write_config
from tests.support.oci_standin import ADS, COMPARTMENT, TENANCY, OciStandIn, Scenario
from tests.support.playbook import REPO, run_playbook

NO_RETRY = oci.retry.NoneRetryStrategy()
core = oci.core.models
ce = oci.container_engine.models
ORACLE_OCI = pathlib.Path(REPO, ".collections/ansible_collections/oracle/oci/plugins/modules/oci_network_vcn.py")


@pytest.fixture(name="api")
def fixture_api(tmp_path):
    config_path, _pem = write_config(tmp_path)
    with OciStandIn(Scenario()) as standin:
        standin.config_path = config_path
        standin.config = oci.config.from_file(config_path)
        yield standin


def client(api, cls, **kwargs):
    return api.sdk_client(cls, api.config, retry_strategy=kwargs.pop("retry_strategy", NO_RETRY), **kwargs)


def service_error(call, *args, **kwargs):
    with pytest.raises(oci.exceptions.ServiceError) as caught:
        call(*args, **kwargs)
    return caught.value


def raw(sdk_client, method, path, body, response_type=None):
    """A request with a hand-written JSON body, signed by the SDK (its models would never send unknown fields)."""
    return sdk_client.base_client.call_api(resource_path=path, method=method, body=body, response_type=response_type,
                                           header_params={"content-type": "application/json",
                                                          "accept": "application/json"})


def network(api):
    """A VCN with a worker subnet and an API endpoint subnet, made through the API; (vn client, vcn, subnets)."""
    vn = client(api, oci.core.VirtualNetworkClient)
    vcn = vn.create_vcn(core.CreateVcnDetails(compartment_id=COMPARTMENT, cidr_blocks=["10.0.0.0/16"],
                                              display_name="vcn", dns_label="vcn")).data
    endpoint = vn.create_subnet(core.CreateSubnetDetails(compartment_id=COMPARTMENT, vcn_id=vcn.id,
                                                         cidr_block="10.0.0.0/28", dns_label="api")).data
    workers = vn.create_subnet(core.CreateSubnetDetails(compartment_id=COMPARTMENT, vcn_id=vcn.id,
                                                        cidr_block="10.0.16.0/20", dns_label="workers")).data
    return vn, vcn, endpoint, workers


def wait_wr(engine, wr_id, reads=10):
    for _attempt in range(reads):
        wr = engine.get_work_request(wr_id).data
        if wr.status in ("SUCCEEDED", "FAILED", "CANCELED"):
            return wr
    raise AssertionError("work request %s still %s after %d reads" % (wr_id, wr.status, reads))


def a1_image(api, version="v1.34.2"):
    return [i for i in images(api.scenario, api.scenario.region) if i["arch"] == "AARCH64"
            and i["version"] == version][-1]["imageId"]


def pool_details(cluster_id, subnet_id, size, ads=(ADS[0],), image=None, version=None, ocpus=2, memory=12):
    return ce.CreateNodePoolDetails(
        compartment_id=COMPARTMENT, cluster_id=cluster_id, name="pool1", node_shape="VM.Standard.A1.Flex",
        kubernetes_version=version,
        node_shape_config=ce.CreateNodeShapeConfigDetails(ocpus=ocpus, memory_in_gbs=memory),
        node_source_details=ce.NodeSourceViaImageDetails(image_id=image) if image else None,
        node_config_details=ce.CreateNodePoolNodeConfigDetails(size=size, placement_configs=[
            ce.NodePoolPlacementConfigDetails(availability_domain=ad, subnet_id=subnet_id) for ad in ads]))


def active_cluster(api, endpoint, vcn, cluster_type="BASIC_CLUSTER"):
    engine = client(api, oci.container_engine.ContainerEngineClient)
    response = engine.create_cluster(ce.CreateClusterDetails(
        name="eventstack-dev", compartment_id=COMPARTMENT, vcn_id=vcn.id, kubernetes_version="v1.34.2",
        type=cluster_type,
        endpoint_config=ce.CreateClusterEndpointConfigDetails(subnet_id=endpoint.id, is_public_ip_enabled=True)))
    wr = wait_wr(engine, response.headers["opc-work-request-id"])
    cluster_id = [r.identifier for r in wr.resources if r.entity_type == "cluster"][0]
    return engine, cluster_id


# ---- transport ------------------------------------------------------------------------------------------

def test_every_client_reaches_the_host_the_sdk_derives_over_https(api):
    calls = [
        (oci.identity.IdentityClient, "identity", lambda c: c.get_tenancy(TENANCY).data.home_region_key),
        (oci.core.VirtualNetworkClient, "virtual_network", lambda c: len(c.list_vcns(COMPARTMENT).data)),
        (oci.core.BlockstorageClient, "blockstorage", lambda c: len(c.list_volumes(compartment_id=COMPARTMENT).data)),
        (oci.container_engine.ContainerEngineClient, "container_engine",
         lambda c: c.get_cluster_options("all").data.kubernetes_versions[-1]),
        (oci.limits.LimitsClient, "limits", lambda c: c.get_resource_availability(
            "compute", "standard-a1-core-count", TENANCY, availability_domain=ADS[0]).data.available),
        (oci.artifacts.ArtifactsClient, "artifacts",
         lambda c: c.list_container_repositories(COMPARTMENT).data.repository_count),
        (oci.object_storage.ObjectStorageClient, "object_storage", lambda c: c.get_namespace().data),
        (oci.load_balancer.LoadBalancerClient, "load_balancer", lambda c: len(c.list_load_balancers(COMPARTMENT).data)),
        (oci.bastion.BastionClient, "bastion", lambda c: len(c.list_bastions(COMPARTMENT).data)),
    ]
    answers = [call(client(api, cls)) for cls, _service, call in calls]
    assert answers == ["XSN", 0, 0, "v1.34.2", 4, 0, api.scenario.namespace, 0, 0]
    assert [r["host"] for r in api.requests] == [api.host(service) for _cls, service, _call in calls]
    assert api.host("virtual_network") == "iaas.eu-standin-1.oci-standin.test"
    assert api.host("identity") == "identity.eu-standin-1.oci.oci-standin.test"
    assert all(r["signed"] and r["status"] == 200 for r in api.requests)


def test_unsigned_and_unknown_requests_are_refused_as_oci_does(api):
    session = oci._vendor.requests.Session()  # pylint: disable=protected-access
    session.trust_env, session.proxies, session.verify = False, {"https": api.proxy}, api.ca_path
    unsigned = session.get("https://%s/20160918/vcns" % api.host("virtual_network"),
                           params={"compartmentId": COMPARTMENT})
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "NotAuthenticated"
    assert unsigned.headers["opc-request-id"]
    vn = client(api, oci.core.VirtualNetworkClient)
    error = service_error(vn.get_vcn, "ocid1.vcn.oc99.eu-standin-1.aaaaaaaanope")
    assert (error.status, error.code, error.message) == (
        404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
    compute = client(api, oci.core.ComputeClient)
    error = service_error(compute.list_instances, COMPARTMENT)
    assert error.status == 501 and "list_instances" in error.message


# ---- validation against the SDK's models -------------------------------------------------------------------

def test_bodies_are_checked_against_the_create_and_update_models(api):
    vn = client(api, oci.core.VirtualNetworkClient)
    error = service_error(vn.create_vcn, core.CreateVcnDetails(cidr_blocks=["10.0.0.0/16"]))
    assert (error.status, error.code) == (400, "MissingParameter") and "compartmentId" in error.message
    body = {"compartmentId": COMPARTMENT, "cidrBlocks": ["10.0.0.0/16"], "displayNmae": "typo"}
    error = service_error(raw, vn, "POST", "/vcns", body)
    assert (error.status, error.code) == (400, "InvalidParameter") and "displayNmae" in error.message
    vcn = vn.create_vcn(core.CreateVcnDetails(compartment_id=COMPARTMENT, cidr_blocks=["10.0.0.0/16"])).data
    error = service_error(raw, vn, "PUT", "/vcns/" + vcn.id, {"cidrBlocks": ["10.1.0.0/16"]})  # not updatable
    assert (error.status, error.code) == (400, "InvalidParameter") and "cidrBlocks" in error.message
    engine = client(api, oci.container_engine.ContainerEngineClient)
    error = service_error(raw, engine, "POST", "/clusters", {"name": "c", "compartmentId": COMPARTMENT,
                                                             "vcnId": vcn.id, "kubernetesVersion": "v1.34.2",
                                                             "type": "PREMIUM_CLUSTER"})
    assert error.status == 400 and "BASIC_CLUSTER, ENHANCED_CLUSTER" in error.message
    error = service_error(vn.list_vcns, COMPARTMENT, lifecycle_state="AVAILABLE", sort_by="TIMECREATED",
                          limit=1, page="not-a-token")
    assert (error.status, error.code) == (400, "InvalidParameter")


# ---- networking ---------------------------------------------------------------------------------------------

def test_vcn_lifecycle_defaults_update_and_delete(api):
    vn = client(api, oci.core.VirtualNetworkClient)
    response = vn.create_vcn(core.CreateVcnDetails(compartment_id=COMPARTMENT, cidr_blocks=["10.0.0.0/16"],
                                                   display_name="vcn", dns_label="vcn", freeform_tags={"a": "b"}))
    vcn = response.data
    assert vcn.lifecycle_state == "PROVISIONING" and vcn.vcn_domain_name == "vcn.oraclevcn.com"
    assert vcn.id.startswith("ocid1.vcn.oc99.eu-standin-1.aaaaaaaa") and response.headers["etag"]
    assert vn.get_vcn(vcn.id).data.lifecycle_state == "AVAILABLE"
    tables = vn.list_route_tables(COMPARTMENT, vcn_id=vcn.id).data
    assert [t.id for t in tables] == [vcn.default_route_table_id] and tables[0].route_rules == []
    default = vn.get_security_list(vcn.default_security_list_id).data
    assert default.display_name == "Default Security List for vcn"
    assert [(r.protocol, r.source, r.tcp_options and r.tcp_options.destination_port_range.min)
            for r in default.ingress_security_rules] == [("6", "0.0.0.0/0", 22), ("1", "0.0.0.0/0", None),
                                                         ("1", "10.0.0.0/16", None)]
    assert [(r.protocol, r.destination) for r in default.egress_security_rules] == [("all", "0.0.0.0/0")]
    etag = vn.get_vcn(vcn.id).headers["etag"]
    updated = vn.update_vcn(vcn.id, core.UpdateVcnDetails(display_name="renamed"), if_match=etag).data
    assert updated.display_name == "renamed" and updated.freeform_tags == {"a": "b"}
    error = service_error(vn.update_vcn, vcn.id, core.UpdateVcnDetails(display_name="x"), if_match=etag)
    assert (error.status, error.code) == (412, "NoEtagMatch")
    assert vn.delete_vcn(vcn.id).status == 204
    assert vn.get_vcn(vcn.id).data.lifecycle_state == "TERMINATED"
    assert vn.get_route_table(vcn.default_route_table_id).data.lifecycle_state == "TERMINATED"
    assert api.alive(compartment=COMPARTMENT) == []
    api.scenario.gone_after = 1
    vn.get_vcn(vcn.id)
    assert service_error(vn.get_vcn, vcn.id).status == 404


def test_deletes_that_leave_references_are_409_conflicts(api):
    vn, vcn, endpoint, workers = network(api)
    igw = vn.create_internet_gateway(core.CreateInternetGatewayDetails(
        compartment_id=COMPARTMENT, vcn_id=vcn.id, is_enabled=True)).data
    table = vn.create_route_table(core.CreateRouteTableDetails(
        compartment_id=COMPARTMENT, vcn_id=vcn.id, route_rules=[core.RouteRule(
            destination="0.0.0.0/0", destination_type="CIDR_BLOCK", network_entity_id=igw.id)])).data
    vn.update_subnet(workers.id, core.UpdateSubnetDetails(route_table_id=table.id))
    error = service_error(vn.delete_vcn, vcn.id)
    assert (error.status, error.code) == (409, "Conflict")
    assert error.message.startswith("The Vcn %s references the Subnet " % vcn.id)
    assert error.message.endswith("You must remove the reference to proceed with this operation.")
    assert "references the RouteTable %s" % table.id in service_error(vn.delete_internet_gateway, igw.id).message
    assert "references the Subnet %s" % workers.id in service_error(vn.delete_route_table, table.id).message
    assert service_error(vn.delete_route_table, vcn.default_route_table_id).status == 409
    lb = api.scenario.add_load_balancer(workers.id, cluster_id="ocid1.cluster.oc99.eu-standin-1.aaaaaaaax")
    error = service_error(vn.delete_subnet, workers.id)
    assert error.status == 409 and "references the service VNIC ocid1.vnic." in error.message
    ips = vn.list_private_ips(subnet_id=workers.id).data
    assert [ip.ip_address for ip in ips] == ["10.0.16.2"]
    balancer = client(api, oci.load_balancer.LoadBalancerClient)
    found = balancer.list_load_balancers(COMPARTMENT).data
    assert [b.id for b in found] == [lb] and found[0].system_tags["orcl-containerengine"]["Cluster"]
    wr_id = balancer.delete_load_balancer(lb).headers["opc-work-request-id"]
    states = [balancer.get_work_request(wr_id).data.lifecycle_state for _attempt in range(3)]
    assert states == ["IN_PROGRESS", "SUCCEEDED", "SUCCEEDED"]
    assert balancer.get_load_balancer(lb).data.lifecycle_state == "DELETED"
    assert vn.list_private_ips(subnet_id=workers.id).data == []
    vn.update_subnet(workers.id, core.UpdateSubnetDetails(route_table_id=vcn.default_route_table_id))
    assert vn.delete_route_table(table.id).status == 204
    assert "references the RouteTable" in service_error(vn.delete_internet_gateway, igw.id).message  # TERMINATING
    assert vn.get_route_table(table.id).data.lifecycle_state == "TERMINATED"
    for delete, rid in ((vn.delete_internet_gateway, igw.id), (vn.delete_subnet, workers.id),
                        (vn.delete_subnet, endpoint.id)):
        assert delete(rid).status == 204
    assert service_error(vn.delete_vcn, vcn.id).status == 409  # its children are TERMINATING, not gone yet
    for get, rid in ((vn.get_internet_gateway, igw.id), (vn.get_subnet, workers.id), (vn.get_subnet, endpoint.id)):
        assert get(rid).data.lifecycle_state == "TERMINATED"
    assert vn.delete_vcn(vcn.id).status == 204


def test_subnet_cidrs_must_fit_the_vcn_and_not_overlap(api):
    vn, vcn, _endpoint, workers = network(api)
    error = service_error(vn.create_subnet, core.CreateSubnetDetails(
        compartment_id=COMPARTMENT, vcn_id=vcn.id, cidr_block="10.0.20.0/24"))
    assert error.message == ("The requested CIDR 10.0.20.0/24 is invalid: subnet %s with CIDR 10.0.16.0/20 overlaps "
                             "with this CIDR." % workers.id)
    assert service_error(vn.create_subnet, core.CreateSubnetDetails(
        compartment_id=COMPARTMENT, vcn_id=vcn.id, cidr_block="192.168.0.0/24")).code == "InvalidParameter"


def test_services_and_service_gateway(api):
    vn, vcn, _endpoint, _workers = network(api)
    services = vn.list_services().data
    osn = [s for s in services if s.name == "All XSN Services In Oracle Services Network"]
    assert osn and osn[0].cidr_block == "all-xsn-services-in-oracle-services-network"
    sgw = vn.create_service_gateway(core.CreateServiceGatewayDetails(
        compartment_id=COMPARTMENT, vcn_id=vcn.id, services=[core.ServiceIdRequestDetails(service_id=osn[0].id)])).data
    assert sgw.services[0].service_name == osn[0].name
    error = service_error(vn.create_route_table, core.CreateRouteTableDetails(
        compartment_id=COMPARTMENT, vcn_id=vcn.id, route_rules=[core.RouteRule(
            destination="0.0.0.0/0", destination_type="CIDR_BLOCK", network_entity_id=sgw.id)]))
    assert error.status == 400 and "SERVICE_CIDR_BLOCK" in error.message


def test_network_security_group_rules(api):
    vn, vcn, _endpoint, workers = network(api)
    nsg = vn.create_network_security_group(core.CreateNetworkSecurityGroupDetails(
        compartment_id=COMPARTMENT, vcn_id=vcn.id, display_name="workers")).data
    rule = core.AddSecurityRuleDetails(direction="INGRESS", protocol="6", source="10.0.0.0/16",
                                       tcp_options=core.TcpOptions(destination_port_range=core.PortRange(
                                           min=10250, max=10250)))
    error = service_error(vn.add_network_security_group_security_rules, nsg.id,
                          core.AddNetworkSecurityGroupSecurityRulesDetails(security_rules=[rule] * 26))
    assert error.status == 400 and "25" in error.message
    added = vn.add_network_security_group_security_rules(nsg.id, core.AddNetworkSecurityGroupSecurityRulesDetails(
        security_rules=[rule, core.AddSecurityRuleDetails(direction="EGRESS", protocol="all", destination=nsg.id,
                                                          destination_type="NETWORK_SECURITY_GROUP")])).data
    ids = [r.id for r in added.security_rules]
    assert len(ids) == 2 and all(len(i) == 6 for i in ids) and added.security_rules[0].source_type == "CIDR_BLOCK"
    vn.update_network_security_group_security_rules(nsg.id, core.UpdateNetworkSecurityGroupSecurityRulesDetails(
        security_rules=[core.UpdateSecurityRuleDetails(id=ids[0], direction="INGRESS", protocol="17",
                                                       source="10.0.0.0/16")]))
    listed = vn.list_network_security_group_security_rules(nsg.id).data
    assert [(r.id, r.protocol) for r in listed] == [(ids[0], "17"), (ids[1], "all")]
    vn.remove_network_security_group_security_rules(nsg.id, core.RemoveNetworkSecurityGroupSecurityRulesDetails(
        security_rule_ids=[ids[1]]))
    assert [r.id for r in vn.list_network_security_group_security_rules(nsg.id).data] == [ids[0]]
    lb = api.scenario.add_load_balancer(workers.id, nsg_ids=[nsg.id])
    error = service_error(vn.delete_network_security_group, nsg.id)
    assert error.status == 409 and "NetworkSecurityGroup %s references the VNIC" % nsg.id in error.message
    assert lb in [b["id"] for b in api.alive("load_balancer")]


# ---- container engine ---------------------------------------------------------------------------------------------

def test_cluster_create_is_a_work_request_and_one_mutation_at_a_time(api):
    _vn, vcn, endpoint, _workers = network(api)
    engine = client(api, oci.container_engine.ContainerEngineClient)
    response = engine.create_cluster(ce.CreateClusterDetails(
        name="eventstack-dev", compartment_id=COMPARTMENT, vcn_id=vcn.id, kubernetes_version="v1.34.2",
        endpoint_config=ce.CreateClusterEndpointConfigDetails(subnet_id=endpoint.id, is_public_ip_enabled=True)))
    assert response.status == 202 and response.data is None
    wr_id = response.headers["opc-work-request-id"]
    assert wr_id.startswith("ocid1.clustersworkrequest.oc99.eu-standin-1.")
    cluster_id = engine.list_clusters(COMPARTMENT, name="eventstack-dev").data[0].id
    error = service_error(engine.update_cluster, cluster_id, ce.UpdateClusterDetails(name="other"))
    assert (error.status, error.code) == (409, "Conflict")
    first = engine.get_work_request(wr_id).data
    assert first.status == "IN_PROGRESS" and first.operation_type == "CLUSTER_CREATE"
    assert engine.get_cluster(cluster_id).data.lifecycle_state == "ACTIVE"   # the second read finishes it
    cluster = engine.get_cluster(cluster_id).data
    assert cluster.endpoints.private_endpoint == "10.0.0.2:6443" and cluster.endpoints.public_endpoint
    assert engine.get_work_request(wr_id).data.status == "SUCCEEDED"
    listed = engine.list_clusters(COMPARTMENT, lifecycle_state=["CREATING", "ACTIVE"]).data
    assert [c.id for c in listed] == [cluster_id]
    assert engine.list_clusters(COMPARTMENT, lifecycle_state=["DELETED"]).data == []
    requests = engine.list_work_requests(COMPARTMENT, cluster_id=cluster_id).data
    assert [w.id for w in requests] == [wr_id]
    kubeconfig = engine.create_kubeconfig(cluster_id, create_cluster_kubeconfig_content_details=(
        ce.CreateClusterKubeconfigContentDetails(token_version="2.0.0", endpoint="PUBLIC_ENDPOINT"))).data.text
    user = yaml.safe_load(kubeconfig)["users"][0]["user"]["exec"]
    assert user["command"] == "oci"
    assert user["args"] == ["ce", "cluster", "generate-token", "--cluster-id", cluster_id, "--region",
                            "eu-standin-1"]


def test_node_pool_nodes_fail_for_host_capacity_and_the_pool_needs_attention(api):
    _vn, vcn, endpoint, workers = network(api)
    engine, cluster_id = active_cluster(api, endpoint, vcn)
    api.scenario.capacity[ADS[1]] = 0
    api.scenario.limits[("compute", "standard-a1-core-count", ADS[1])]["available"] = 4
    api.scenario.limits[("compute", "standard-a1-memory-count", ADS[1])]["available"] = 24
    api.scenario.limits[("compute", "standard-a1-core-regional-count", None)]["available"] = 8
    api.scenario.limits[("compute", "standard-a1-memory-regional-count", None)]["available"] = 48
    response = engine.create_node_pool(pool_details(cluster_id, workers.id, 2, ads=ADS[:2], image=a1_image(api)))
    pool_id = engine.list_node_pools(COMPARTMENT, cluster_id=cluster_id).data[0].id
    pool = engine.get_node_pool(pool_id).data
    assert pool.lifecycle_state == "CREATING" and [n.lifecycle_state for n in pool.nodes] == ["CREATING"] * 2
    wr = wait_wr(engine, response.headers["opc-work-request-id"])
    assert wr.status == "FAILED"
    pool = engine.get_node_pool(pool_id).data
    assert pool.lifecycle_state == "NEEDS_ATTENTION"
    placed = [(n.availability_domain, n.lifecycle_state) for n in pool.nodes]
    assert placed == [(ADS[0], "ACTIVE"), (ADS[1], "FAILING")]
    error = pool.nodes[1].node_error
    assert (error.code, error.message) == ("InternalError", "Out of host capacity.")
    assert pool.nodes[0].private_ip == "10.0.16.2" and pool.nodes[1].private_ip is None
    errors = engine.list_work_request_errors(COMPARTMENT, wr.id).data
    assert [(e.code, e.message) for e in errors] == [("InternalError", "1 node(s) launch failure. Reason for failure "
                                                      "on one of the nodes : Out of host capacity.")]
    available = client(api, oci.limits.LimitsClient).get_resource_availability(
        "compute", "standard-a1-core-count", TENANCY, availability_domain=ADS[0]).data
    assert (available.used, available.available) == (2, 2)


def test_a1_limits_are_checked_in_the_work_request_not_at_create(api):
    _vn, vcn, endpoint, workers = network(api)
    engine, cluster_id = active_cluster(api, endpoint, vcn)
    response = engine.create_node_pool(pool_details(cluster_id, workers.id, 3, image=a1_image(api)))
    assert response.status == 202
    wr = wait_wr(engine, response.headers["opc-work-request-id"])
    assert wr.status == "FAILED"
    pool = engine.get_node_pool([r.identifier for r in wr.resources if r.entity_type == "nodepool"][0]).data
    assert [n.lifecycle_state for n in pool.nodes] == ["ACTIVE", "ACTIVE", "FAILING"]
    assert pool.nodes[2].node_error.code == "LimitExceeded"
    assert "standard-a1-core-count" in pool.nodes[2].node_error.message
    assert engine.list_work_request_errors(COMPARTMENT, wr.id).data[0].code == "LimitExceeded"


def test_node_pool_update_cycles_nodes_only_when_asked(api):
    api.scenario.limits[("compute", "standard-a1-core-count", ADS[0])]["available"] = 16
    api.scenario.limits[("compute", "standard-a1-memory-count", ADS[0])]["available"] = 96
    api.scenario.limits[("compute", "standard-a1-core-regional-count", None)]["available"] = 16
    api.scenario.limits[("compute", "standard-a1-memory-regional-count", None)]["available"] = 96
    _vn, vcn, endpoint, workers = network(api)
    engine, cluster_id = active_cluster(api, endpoint, vcn, "ENHANCED_CLUSTER")
    old = a1_image(api, "v1.34.1")
    response = engine.create_node_pool(pool_details(cluster_id, workers.id, 1, image=old, version="v1.34.1"))
    wr = wait_wr(engine, response.headers["opc-work-request-id"])
    pool_id = [r.identifier for r in wr.resources if r.entity_type == "nodepool"][0]
    error = service_error(engine.update_node_pool, pool_id, ce.UpdateNodePoolDetails(kubernetes_version="v1.34.2"))
    assert error.status == 409 and error.message.endswith("OKE worker node image (v1.34.1)")
    new = a1_image(api, "v1.34.2")
    response = engine.update_node_pool(pool_id, ce.UpdateNodePoolDetails(
        kubernetes_version="v1.34.2", node_source_details=ce.NodeSourceViaImageDetails(image_id=new),
        node_config_details=ce.UpdateNodePoolNodeConfigDetails(size=2)))
    assert wait_wr(engine, response.headers["opc-work-request-id"]).status == "SUCCEEDED"
    versions = [n.kubernetes_version for n in engine.get_node_pool(pool_id).data.nodes]
    assert versions == ["v1.34.1", "v1.34.2"]  # properties apply to new nodes only
    response = engine.update_node_pool(pool_id, ce.UpdateNodePoolDetails(
        node_pool_cycling_details=ce.NodePoolCyclingDetails(is_node_cycling_enabled=True, maximum_surge="1"),
        node_shape_config=ce.UpdateNodeShapeConfigDetails(ocpus=1, memory_in_gbs=6)))
    assert wait_wr(engine, response.headers["opc-work-request-id"]).status == "SUCCEEDED"
    nodes = engine.get_node_pool(pool_id).data.nodes
    assert [n.kubernetes_version for n in nodes] == ["v1.34.2", "v1.34.2"] and len(api.alive("node")) == 2
    error = service_error(engine.update_node_pool, pool_id, ce.UpdateNodePoolDetails(
        node_shape_config=ce.UpdateNodeShapeConfigDetails(ocpus=2, memory_in_gbs=12),
        node_config_details=ce.UpdateNodePoolNodeConfigDetails(placement_configs=[
            ce.NodePoolPlacementConfigDetails(availability_domain=ADS[0], subnet_id=workers.id),
            ce.NodePoolPlacementConfigDetails(availability_domain=ADS[1], subnet_id=workers.id)])))
    assert error.message == ("Cannot perform nodepool cycling and nodepool Placement Configuration change "
                             "simultaneously.")


def test_node_cycling_is_refused_on_a_basic_cluster(api):
    _vn, vcn, endpoint, workers = network(api)
    engine, cluster_id = active_cluster(api, endpoint, vcn)
    response = engine.create_node_pool(pool_details(cluster_id, workers.id, 1, image=a1_image(api, "v1.34.2"),
                                                    version="v1.34.2"))
    wr = wait_wr(engine, response.headers["opc-work-request-id"])
    pool_id = [r.identifier for r in wr.resources if r.entity_type == "nodepool"][0]
    error = service_error(engine.update_node_pool, pool_id, ce.UpdateNodePoolDetails(
        node_pool_cycling_details=ce.NodePoolCyclingDetails(is_node_cycling_enabled=True, maximum_surge="1")))
    assert error.status == 400 and "only supported for node pools of enhanced clusters" in error.message


def test_frozen_cluster_stays_creating_until_released_and_delete_takes_pools(api):
    _vn, vcn, endpoint, workers = network(api)
    api.scenario.freeze("cluster")
    engine = client(api, oci.container_engine.ContainerEngineClient)
    wr_id = engine.create_cluster(ce.CreateClusterDetails(
        name="c", compartment_id=COMPARTMENT, vcn_id=vcn.id, kubernetes_version="v1.34.2",
        endpoint_config=ce.CreateClusterEndpointConfigDetails(subnet_id=endpoint.id))).headers["opc-work-request-id"]
    assert {engine.get_work_request(wr_id).data.status for _attempt in range(5)} == {"ACCEPTED"}
    api.scenario.release("cluster")
    assert wait_wr(engine, wr_id).status == "SUCCEEDED"
    cluster_id = engine.list_clusters(COMPARTMENT).data[0].id
    wait_wr(engine, engine.create_node_pool(pool_details(cluster_id, workers.id, 1, image=a1_image(api)))
            .headers["opc-work-request-id"])
    assert len(api.alive("boot_volume")) == 1
    wr = wait_wr(engine, engine.delete_cluster(cluster_id).headers["opc-work-request-id"])
    assert wr.status == "SUCCEEDED" and engine.get_cluster(cluster_id).data.lifecycle_state == "DELETED"
    kinds = {row["kind"] for row in api.alive(compartment=COMPARTMENT)}
    assert kinds == {"vcn", "subnet", "route_table", "security_list", "dhcp_options"}


def test_a_work_request_that_has_not_started_can_be_canceled(api):
    _vn, vcn, endpoint, _workers = network(api)
    engine = client(api, oci.container_engine.ContainerEngineClient)
    details = ce.CreateClusterDetails(name="c", compartment_id=COMPARTMENT, vcn_id=vcn.id,
                                      kubernetes_version="v1.34.2",
                                      endpoint_config=ce.CreateClusterEndpointConfigDetails(subnet_id=endpoint.id))
    wr_id = engine.create_cluster(details).headers["opc-work-request-id"]
    assert engine.delete_work_request(wr_id).status == 204
    assert engine.list_work_requests(COMPARTMENT, status=["CANCELING"]).data[0].id == wr_id
    wr = engine.get_work_request(wr_id).data
    assert wr.status == "CANCELED" and wr.resources[0].action_type == "CANCELED_CREATE"
    assert engine.get_cluster(wr.resources[0].identifier).data.lifecycle_state == "DELETED"
    started = engine.create_cluster(details).headers["opc-work-request-id"]
    engine.get_work_request(started)
    assert service_error(engine.delete_work_request, started).status == 409


def test_node_pool_options_offer_oke_images_per_version_and_arch(api):
    engine = client(api, oci.container_engine.ContainerEngineClient)
    options = engine.get_node_pool_options("all", node_pool_os_arch="AARCH64").data
    names = [s.source_name for s in options.sources]
    assert "Oracle-Linux-8.10-aarch64-2025.09.16-0-OKE-1.34.2-1186" in names
    assert all("aarch64" in n for n in names) and {n.split("-OKE-")[1].rsplit("-", 1)[0] for n in names} == {
        v.lstrip("v") for v in api.scenario.kubernetes_versions}
    x86 = engine.get_node_pool_options("all", node_pool_os_arch="X86_64", node_pool_k8s_version="v1.33.1").data
    assert "Oracle-Linux-8.10-2025.09.16-0-OKE-1.33.1-1186" in [s.source_name for s in x86.sources]
    assert "VM.Standard.A1.Flex" in options.shapes


# ---- identity, limits, artifacts, bastion --------------------------------------------------------------------------

def test_compartment_delete_fails_while_it_holds_resources(api):
    identity = client(api, oci.identity.IdentityClient)
    child = identity.create_compartment(oci.identity.models.CreateCompartmentDetails(
        compartment_id=TENANCY, name="TodoApp-prod", description="d")).data
    assert child.lifecycle_state == "CREATING"
    assert identity.get_compartment(child.id).data.lifecycle_state == "ACTIVE"
    assert service_error(identity.create_compartment, oci.identity.models.CreateCompartmentDetails(
        compartment_id=TENANCY, name="TodoApp-prod", description="d")).status == 409
    subtree = identity.list_compartments(TENANCY, compartment_id_in_subtree=True, access_level="ANY").data
    assert {c.name for c in subtree} == {"eventstack", "TodoApp-prod"}
    api.scenario.add_vcn(compartment=child.id)
    response = identity.delete_compartment(child.id)
    assert response.status == 202
    wr = [identity.get_work_request(response.headers["opc-work-request-id"]).data for _attempt in range(3)][-1]
    assert wr.status == "FAILED" and wr.errors and wr.percent_complete == 100.0
    assert identity.get_compartment(child.id).data.lifecycle_state == "ACTIVE"
    vn = client(api, oci.core.VirtualNetworkClient)
    vcn_id = vn.list_vcns(child.id).data[0].id
    vn.delete_vcn(vcn_id)
    assert vn.get_vcn(vcn_id).data.lifecycle_state == "TERMINATED"
    response = identity.delete_compartment(child.id)
    statuses = [identity.get_work_request(response.headers["opc-work-request-id"]).data.status for _attempt in range(2)]
    assert statuses == ["IN_PROGRESS", "SUCCEEDED"]
    gone = identity.get_compartment(child.id).data
    assert gone.lifecycle_state == "DELETED" and gone.name.startswith("TodoApp-prod.")


def test_limits_values_definitions_and_usage(api):
    api.scenario.add_volume(size_in_gbs=50)
    limits = client(api, oci.limits.LimitsClient)
    free = limits.get_resource_availability("block-storage", "total-free-storage-gb-regional", TENANCY).data
    assert (free.used, free.available) == (50, 150)
    values = limits.list_limit_values(TENANCY, "block-storage", scope_type="REGION").data
    assert [(v.name, v.value) for v in values] == [("total-free-storage-gb-regional", 200)]
    definitions = limits.list_limit_definitions(TENANCY, service_name="compute").data
    scopes = {(d.name, d.scope_type) for d in definitions}
    assert {("standard-a1-core-count", "AD"), ("standard-a1-core-regional-count", "REGION")} <= scopes
    error = service_error(limits.get_resource_availability, "compute", "standard-a1-core-count", TENANCY)
    assert error.status == 400


def test_container_repositories(api):
    artifacts = client(api, oci.artifacts.ArtifactsClient)
    made = artifacts.create_container_repository(oci.artifacts.models.CreateContainerRepositoryDetails(
        compartment_id=COMPARTMENT, display_name="todo/backend", is_public=False)).data
    assert made.lifecycle_state == "AVAILABLE" and made.namespace == api.scenario.namespace
    listed = artifacts.list_container_repositories(COMPARTMENT, display_name="todo/backend").data
    assert listed.repository_count == 1 and listed.items[0].id == made.id
    assert service_error(artifacts.create_container_repository, oci.artifacts.models.CreateContainerRepositoryDetails(
        compartment_id=COMPARTMENT, display_name="todo/backend")).status == 409
    artifacts.update_container_repository(made.id, oci.artifacts.models.UpdateContainerRepositoryDetails(
        is_immutable=True))
    assert artifacts.get_container_repository(made.id).data.is_immutable is True
    assert artifacts.delete_container_repository(made.id).status == 204
    assert artifacts.get_container_repository(made.id).data.lifecycle_state == "DELETED"


def test_bastion_port_forwarding_session(api):
    _vn, _vcn, endpoint, _workers = network(api)
    bastions = client(api, oci.bastion.BastionClient)
    response = bastions.create_bastion(oci.bastion.models.CreateBastionDetails(
        bastion_type="STANDARD", compartment_id=COMPARTMENT, target_subnet_id=endpoint.id, name="b",
        client_cidr_block_allow_list=["203.0.113.0/24"]))
    bastion = response.data
    assert bastion.lifecycle_state == "CREATING" and response.headers["opc-work-request-id"]
    assert [bastions.get_bastion(bastion.id).data.lifecycle_state for _attempt in range(2)] == ["CREATING", "ACTIVE"]
    session = bastions.create_session(oci.bastion.models.CreateSessionDetails(
        bastion_id=bastion.id, key_details=oci.bastion.models.PublicKeyDetails(public_key_content="ssh-rsa AAAA"),
        target_resource_details=oci.bastion.models.CreatePortForwardingSessionTargetResourceDetails(
            target_resource_private_ip_address="10.0.0.2", target_resource_port=6443))).data
    assert session.lifecycle_state == "CREATING"
    session = bastions.get_session(session.id).data
    assert session.lifecycle_state == "ACTIVE"
    assert session.ssh_metadata["command"] == (
        "ssh -i <privateKey> -N -L <localPort>:10.0.0.2:6443 -p 22 %s@host.bastion.eu-standin-1.oci.oci-standin.test"
        % session.id)


def test_failures_are_injected_for_any_method_and_lists_page(api):
    vn = client(api, oci.core.VirtualNetworkClient, retry_strategy=oci.retry.RetryStrategyBuilder(
        max_attempts=3, retry_max_wait_between_calls_seconds=0, retry_base_sleep_time_seconds=0,
        decorrelated_jitter=0).get_retry_strategy())
    api.scenario.failures.append(("POST", r"/vcns$", [429, 503]))
    vcn = vn.create_vcn(core.CreateVcnDetails(compartment_id=COMPARTMENT, cidr_blocks=["10.0.0.0/16"])).data
    assert [(r["method"], r["status"]) for r in api.requests] == [("POST", 429), ("POST", 503), ("POST", 200)]
    for n in range(4):
        api.scenario.add_vcn(cidr="10.%d.0.0/16" % (n + 1), display_name="v%d" % n)
    api.scenario.page_size = 2
    every = oci.pagination.list_call_get_all_results(vn.list_vcns, COMPARTMENT).data
    assert [v.display_name for v in every][1:] == ["v0", "v1", "v2", "v3"] and every[0].id == vcn.id
    pages = [r for r in api.requests if r["operation"] == "list_vcns"]
    assert [r["query"].get("page") for r in pages] == [None, "pg-2", "pg-4"]


# ---- through the real oracle.oci modules ------------------------------------------------------------------------

def playbook(tmp_path, api, tasks, env=None, name="play"):
    """Run the tasks with ansible-playbook (the oracle.oci modules reach the stand-in through its env) and return
    the results they registered, as a dict."""
    if not ORACLE_OCI.exists():
        pytest.fail("oracle.oci is not installed in .collections: run make setup (it installs it from Galaxy or from "
                    "../shared/collections)", pytrace=False)
    results = tmp_path / ("%s-results.json" % name)
    names = [t["register"] for t in tasks if "register" in t]
    tasks = tasks + [{"ansible.builtin.copy": {"dest": str(results), "content": "{{ %s | to_json }}" % (
        "{" + ", ".join("'%s': %s" % (n, n) for n in names) + "}")}}]
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, "tasks": tasks}]
    path = tmp_path / ("%s.yml" % name)
    path.write_text(yaml.safe_dump(play))
    run = run_playbook("localhost,", playbook=str(path), env=dict(api.env(api.config_path), **(env or {})))
    assert results.exists(), run.output
    return json.loads(results.read_text()), run


def test_oracle_oci_vcn_create_is_idempotent_and_a_409_reaches_the_module(api, tmp_path):
    vcn = {"compartment_id": COMPARTMENT, "display_name": "eventstack-dev-vcn", "cidr_blocks": ["10.0.0.0/16"],
           "dns_label": "eventstack", "key_by": ["compartment_id", "display_name"]}
    results, run = playbook(tmp_path, api, [
        {"oracle.oci.oci_network_vcn": vcn, "register": "first"},
        {"oracle.oci.oci_network_vcn": vcn, "register": "second"},
        {"oracle.oci.oci_network_subnet": {"compartment_id": COMPARTMENT, "vcn_id": "{{ first.vcn.id }}",
                                           "cidr_block": "10.0.16.0/20", "display_name": "workers"},
         "register": "subnet"},
        {"oracle.oci.oci_network_vcn": {"vcn_id": "{{ first.vcn.id }}", "state": "absent"}, "register": "blocked",
         "ignore_errors": True},
        {"oracle.oci.oci_network_subnet": {"subnet_id": "{{ subnet.subnet.id }}", "state": "absent"},
         "register": "subnet_gone"},
        {"oracle.oci.oci_network_vcn": {"vcn_id": "{{ first.vcn.id }}", "state": "absent"}, "register": "deleted"},
        {"oracle.oci.oci_network_vcn": {"vcn_id": "{{ first.vcn.id }}", "state": "absent"}, "register": "again"},
    ])
    assert results["first"]["changed"] is True and results["first"]["vcn"]["lifecycle_state"] == "AVAILABLE"
    assert results["second"]["changed"] is False and results["second"]["vcn"]["id"] == results["first"]["vcn"]["id"]
    blocked = results["blocked"]
    assert blocked["failed"] is True and (blocked["http_response_status"], blocked["error_code"]) == ("409", "Conflict")
    assert "references the Subnet %s" % results["subnet"]["subnet"]["id"] in blocked["msg"], blocked
    assert results["deleted"]["changed"] is True and results["again"]["changed"] is False
    assert api.alive(compartment=COMPARTMENT) == [], run.output
    assert [r["operation"] for r in api.writes()] == ["create_vcn", "create_subnet", "delete_vcn", "delete_subnet",
                                                      "delete_vcn"]
    assert all(r["host"] == api.host("virtual_network") for r in api.requests)


def test_oracle_oci_cluster_waits_on_its_work_request_and_node_errors_surface(api, tmp_path):
    vcn = api.scenario.add_vcn()
    endpoint = api.scenario.add_subnet(vcn, "10.0.0.0/28")
    workers = api.scenario.add_subnet(vcn, "10.0.16.0/20")
    api.scenario.capacity[ADS[0]] = 0
    results, run = playbook(tmp_path, api, [
        {"oracle.oci.oci_container_engine_cluster": {
            "compartment_id": COMPARTMENT, "name": "eventstack-dev", "vcn_id": vcn, "kubernetes_version": "v1.34.2",
            "endpoint_config": {"subnet_id": endpoint, "is_public_ip_enabled": True}}, "register": "cluster"},
        {"oracle.oci.oci_container_engine_node_pool": {
            "compartment_id": COMPARTMENT, "cluster_id": "{{ cluster.cluster.id }}", "name": "eventstack-dev-pool1",
            "node_shape": "VM.Standard.A1.Flex", "node_shape_config": {"ocpus": 2, "memory_in_gbs": 12},
            "node_source_details": {"source_type": "IMAGE", "image_id": a1_image(api)},
            "node_config_details": {"size": 1, "placement_configs": [
                {"availability_domain": ADS[0], "subnet_id": workers}]}}, "register": "pool", "ignore_errors": True},
        {"eventstack.oke.oke_cluster_info": {"cluster_id": "{{ cluster.cluster.id }}", "api_retry_delay": 0},
         "register": "info"},
    ])
    assert results["cluster"]["cluster"]["lifecycle_state"] == "ACTIVE", run.output
    # the collection's own check module reaches the stand-in over HTTPS too (region endpoints, proxy, CA)
    assert results["info"]["ready"] is False
    assert any("Out of host capacity." in problem for problem in results["info"]["problems"]), results["info"]
    polls = [r for r in api.requests if r["operation"] == "get_work_request"]
    assert len(polls) >= 4
    assert results["pool"]["failed"] is True and "Out of host capacity." in results["pool"]["msg"], results["pool"]
    assert [row["lifecycleState"] for row in api.alive("node_pool")] == ["NEEDS_ATTENTION"]


def test_oracle_oci_retries_a_throttled_create_and_reads_every_page(api, tmp_path):
    for n in range(3):
        api.scenario.add_vcn(cidr="10.%d.0.0/16" % n, display_name="old-%d" % n)
    api.scenario.page_size = 1
    api.scenario.failures.append(("POST", r"/vcns$", [429]))
    results, _run = playbook(tmp_path, api, [
        {"oracle.oci.oci_network_vcn_facts": {"compartment_id": COMPARTMENT}, "register": "facts"},
        {"oracle.oci.oci_network_vcn": {"compartment_id": COMPARTMENT, "display_name": "new",
                                        "cidr_blocks": ["10.9.0.0/16"]}, "register": "made"},
    ])
    assert sorted(v["display_name"] for v in results["facts"]["vcns"]) == ["old-0", "old-1", "old-2"]
    assert results["made"]["changed"] is True
    assert [r["status"] for r in api.requests if r["method"] == "POST"] == [429, 200]


def test_identity_modules_go_to_the_home_region_except_for_availability_domains(tmp_path):
    """oracle.oci 5.5.0 re-targets IdentityClient to the home region (ListRegionSubscriptions) unless
    OCI_IDENTITY_DO_NOT_REDIRECT_TO_HOME_REGION is set; oci_identity_availability_domain_facts forces
    do_not_redirect_to_home_region, so it lists the ADs of the configured region."""
    config_path, _pem = write_config(tmp_path)
    scenario = Scenario(home_region="us-standin-2", home_region_key="XHM")
    with OciStandIn(scenario) as api:
        api.config_path = config_path
        stay = {"OCI_IDENTITY_DO_NOT_REDIRECT_TO_HOME_REGION": "1"}
        new = {"parent_compartment_id": TENANCY, "name": "TodoApp-prod", "description": "stack"}
        results, run = playbook(tmp_path, api, [
            {"oracle.oci.oci_identity_availability_domain_facts": {"compartment_id": TENANCY}, "register": "ads"},
            {"oracle.oci.oci_identity_compartment_facts": {"compartment_id": COMPARTMENT}, "register": "home"},
            {"oracle.oci.oci_identity_compartment": new, "register": "refused", "environment": stay,
             "ignore_errors": True},
            {"oracle.oci.oci_identity_compartment": new, "register": "made"},
        ])
        assert [ad["name"] for ad in results["ads"]["availability_domains"]] == ADS, run.output
        assert results["home"]["compartments"][0]["name"] == "eventstack"
        assert results["refused"]["failed"] is True and results["refused"]["error_code"] == "NotAllowed"
        assert "Please go to your home region XHM" in results["refused"]["msg"]
        assert results["made"]["changed"] is True and results["made"]["compartment"]["lifecycle_state"] == "ACTIVE"
        calls = [(r["operation"], r["region"]) for r in api.requests]
        assert calls[:4] == [("list_availability_domains", "eu-standin-1"),
                             ("list_region_subscriptions", "eu-standin-1"), ("get_compartment", "us-standin-2"),
                             ("list_compartments", "eu-standin-1")]
        assert ("create_compartment", "eu-standin-1") in calls and ("create_compartment", "us-standin-2") in calls
        api.register_regions()
        identity = api.sdk_client(oci.identity.IdentityClient, oci.config.from_file(config_path),
                                  retry_strategy=NO_RETRY)
        assert [ad.name for ad in identity.list_availability_domains(TENANCY).data] == ADS
        identity.base_client.set_region("us-standin-2")
        assert [ad.name for ad in identity.list_availability_domains(TENANCY).data] == [
            "Uocm:US-STANDIN-2-AD-1", "Uocm:US-STANDIN-2-AD-2", "Uocm:US-STANDIN-2-AD-3"]
