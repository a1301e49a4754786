"""Container Engine for Kubernetes (20180222): options, clusters, node pools and their nodes, work requests,
kubeconfig.

As the API reference (SDK docstrings) and OKE's documented behaviour have it:

- Every mutation (Create/Update/Delete Cluster and NodePool, UpdateClusterEndpointConfig) answers 202 with no
  body and `opc-work-request-id`; the work request goes ACCEPTED -> IN_PROGRESS -> SUCCEEDED or FAILED as it is
  read (the Container Engine WorkRequest model has no percentComplete, so none is sent). While one is in flight
  on a cluster or node pool, another mutation of it is a 409 `Conflict` (message guessed). DeleteWorkRequest
  cancels one that has not started (CANCELING -> CANCELED).
- Cluster: CREATING -> ACTIVE (its API endpoint takes a private IP in the endpoint subnet); UPDATING on update;
  DELETING -> DELETED, taking its node pools and nodes with it.
- Node pool: CREATING with its nodes CREATING; nodes are placed round-robin over the placement configs; each
  then becomes ACTIVE, or FAILING with a nodeError when its AD has no host capacity (`InternalError`, "Out of
  host capacity.", 500: the compute error quoted in OKE work-request failures) or it would exceed the A1 limits
  (`LimitExceeded`, 400). The work request SUCCEEDS only when every node is ACTIVE; otherwise the pool is
  NEEDS_ATTENTION and the work request FAILED with "<n> node(s) launch failure. Reason for failure on one of
  the nodes : <message>" in ListWorkRequestErrors.
- UpdateNodePool: properties apply to new nodes only, unless nodePoolCyclingDetails.isNodeCyclingEnabled, then
  nodes whose version, image or shape differ are replaced; a placement change (ADs, subnets) terminates the
  existing nodes and creates new ones where the new placement says (OKE's "Updating worker nodes" page).
  Cycling is for enhanced clusters only (OKE's "Performing an In-Place Worker Node Update by Cycling Nodes" page):
  asked for on a basic cluster's pool it is a 400 `InvalidParameter` (message guessed).
  Cycling together with a placement change is a 409 ("Cannot perform nodepool cycling and nodepool Placement
  Configuration change simultaneously.", an OKE answer quoted in terraform-oci-oke#879). A node image whose OKE
  version differs from the pool's kubernetesVersion is a 409 ("Kubernetes version does not match Kubernetes
  version of OKE worker node image (vX.Y.Z)", quoted in Rapha-Borges/oke-free#22).
- Node pool options list OKE images named as OKE names them, e.g. Oracle-Linux-8.10-aarch64-2025.09.16-0-OKE-
  1.34.2-1186 (x86_64 images have no arch part; GPU images say Gen2-GPU) for every offered version.
- CreateKubeconfig returns the kubeconfig YAML whose user runs `oci ce cluster generate-token --cluster-id <id>
  --region <region>`, as OKE's does.
"""

from __future__ import annotations

import base64
import random

from .oci_api_catalogue import ApiError, Reply
from .oci_api_network import live_vcn
from .oci_api_state import CLUSTER, NODE_POOL, Job, list_records, make_ocid

A1 = ("VM.Standard.A1", "BM.Standard.A1")


# ---- options ---------------------------------------------------------------------------------------------

def images(s, region):
    """Every OKE image the region offers: [{sourceName, imageId, arch, version}]."""
    out = []
    for version in s.kubernetes_versions:
        for date, build in s.image_builds:
            for arch, name in (("AARCH64", "Oracle-Linux-8.10-aarch64-%s-OKE-%s-%d"),
                               ("X86_64", "Oracle-Linux-8.10-%s-OKE-%s-%d"),
                               ("X86_64", "Oracle-Linux-8.10-Gen2-GPU-%s-OKE-%s-%d")):
                source = name % (date, version.lstrip("v"), build)
                out.append({"sourceName": source, "arch": arch, "version": version,
                            "imageId": make_ocid("image", region, random.Random(source))})
    return out


def _image(s, region, image_id):
    for image in images(s, region):
        if image["imageId"] == image_id:
            return image
    return None


def _minor(version):
    parts = version.lstrip("v").split(".")
    return int(parts[0]), int(parts[1])


def get_cluster_options(s, call):
    versions = list(s.kubernetes_versions)
    option = call.params["clusterOptionId"]
    if option != "all":
        cluster = s.record(option, "cluster", call.region)
        versions = [v for v in versions if _minor(v) >= _minor(cluster.data["kubernetesVersion"])]
    return Reply(200, {"kubernetesVersions": versions,
                       "clusterPodNetworkOptions": [{"cniType": "FLANNEL_OVERLAY"}, {"cniType": "OCI_VCN_IP_NATIVE"}]})


def get_node_pool_options(s, call):
    versions = list(s.kubernetes_versions)
    option = call.params["nodePoolOptionId"]
    if option != "all":
        cluster = s.record(option, "cluster", call.region)
        top = _minor(cluster.data["kubernetesVersion"])
        versions = [v for v in versions if top[0] == _minor(v)[0] and 0 <= top[1] - _minor(v)[1] <= 3
                    and _version_key(v) <= _version_key(cluster.data["kubernetesVersion"])]
    if call.arg("nodePoolK8sVersion"):
        versions = [v for v in versions if v == call.arg("nodePoolK8sVersion")]
    found = [i for i in images(s, call.region) if i["version"] in versions
             and call.arg("nodePoolOsArch", i["arch"]) == i["arch"] and call.arg("nodePoolOsType", "OL8") == "OL8"]
    sources = [{"sourceType": "IMAGE", "sourceName": i["sourceName"], "imageId": i["imageId"]} for i in found]
    return Reply(200, {"kubernetesVersions": versions, "shapes": list(s.shapes),
                       "images": [i["sourceName"] for i in found], "sources": sources})


def _version_key(version):
    return tuple(int(p) for p in version.lstrip("v").split("."))


# ---- work requests ----------------------------------------------------------------------------------------

def work_request(s, region, operation, compartment, resources):
    """A Container Engine work request; resources: [(entityType, record)]."""
    wr = s.add("ce_work_request", {
        "operationType": operation, "status": "ACCEPTED", "compartmentId": compartment,
        "resources": [{"actionType": "IN_PROGRESS", "entityType": entity, "identifier": record.id,
                       "entityUri": "/%s/%s" % ("clusters" if entity == "cluster" else "nodePools", record.id)}
                      for entity, record in resources],
        "timeAccepted": s.now()}, region)
    wr.extra["errors"] = []
    wr.extra["logs"] = [{"message": "Work request %s accepted" % operation, "timestamp": wr.data["timeAccepted"]}]
    return wr


def _start(s, wr, message):
    wr.data.update(status="IN_PROGRESS", timeStarted=s.now())
    wr.extra["logs"].append({"message": message, "timestamp": wr.data["timeStarted"]})


def _finish(s, wr, action, errors=None):
    when = s.now()
    wr.data.update(status="FAILED" if errors else "SUCCEEDED", timeFinished=when)
    for resource in wr.data["resources"]:
        if resource["actionType"] == "IN_PROGRESS":
            resource["actionType"] = "FAILED" if errors else action
    wr.extra["errors"].extend(dict(e, timestamp=when) for e in errors or [])
    wr.extra["logs"].append({"message": "Work request %s" % wr.data["status"].lower(), "timestamp": when})


def get_work_request(s, call):
    wr = s.record(call.params["workRequestId"], "ce_work_request", call.region)
    s.tick(wr)
    return Reply(200, wr.data)


def cancel_work_request(s, call):
    """DeleteWorkRequest: "Cancel a work request that has not started" (ACCEPTED -> CANCELING -> CANCELED); a
    canceled create leaves the resource DELETED, a canceled update or delete leaves it ACTIVE. Canceling one
    that has started is a 409 (message guessed)."""
    wr = s.record(call.params["workRequestId"], "ce_work_request", call.region)
    if wr.data["status"] != "ACCEPTED":
        raise ApiError(409, "Conflict", "Work request %s is %s; only a work request that has not started can be "
                       "canceled" % (wr.id, wr.data["status"]))
    targets = list(wr.job.targets) if wr.job is not None else []
    operation = wr.data["operationType"]
    wr.data["status"] = "CANCELING"

    def canceled():
        verb = operation.rsplit("_", 1)[1]
        for resource in wr.data["resources"]:
            if resource["actionType"] == "IN_PROGRESS":
                resource["actionType"] = "CANCELED_" + verb
        for record in targets:
            s.set_state(record, "DELETED" if verb == "CREATE" else "ACTIVE")
            if verb == "CREATE":
                s.release_ips(record)
            if record.kind == "node_pool":
                for member in _nodes(s, record):
                    if member.state == "DELETING":
                        s.set_state(member, "ACTIVE")
        wr.data.update(status="CANCELED", timeFinished=s.now())
    for record in targets:
        record.job = None
    Job(s, targets, [(1, canceled)], work_request=wr)
    return Reply(204)


def list_work_requests(s, call):
    records = [w for w in s.of_kind("ce_work_request", call.region)
               if w.data["compartmentId"] == call.arg("compartmentId")]
    for name in ("clusterId", "resourceId"):
        if call.arg(name):
            records = [w for w in records if any(r["identifier"] == call.arg(name) for r in w.data["resources"])]
    if call.arg("resourceType"):
        entity = {"CLUSTER": "cluster", "NODEPOOL": "nodepool"}[call.arg("resourceType")]
        records = [w for w in records if any(r["entityType"] == entity for r in w.data["resources"])]
    if call.args("status"):
        records = [w for w in records if w.data["status"] in call.args("status")]
    records = sorted(records, key=lambda w: w.data["timeAccepted"], reverse=call.arg("sortOrder", "DESC") == "DESC")
    return Reply(200, [w.data for w in records], paginate=True)


def list_work_request_errors(s, call):
    wr = s.record(call.params["workRequestId"], "ce_work_request", call.region)
    return Reply(200, wr.extra.get("errors", []))


def list_work_request_logs(s, call):
    wr = s.record(call.params["workRequestId"], "ce_work_request", call.region)
    return Reply(200, wr.extra.get("logs", []))


# ---- clusters ---------------------------------------------------------------------------------------------

def _subnet_in(s, vcn, subnet_id, field):
    subnet = s.records.get(subnet_id)
    if subnet is None or subnet.kind != "subnet" or not subnet.alive or subnet.data["vcnId"] != vcn.id:
        raise ApiError(400, "InvalidParameter", "%s %s is not a subnet of the VCN %s" % (field, subnet_id, vcn.id))
    return subnet


def _upgrades(s, version):
    return [v for v in s.kubernetes_versions if _version_key(v) > _version_key(version)
            and _minor(v)[1] - _minor(version)[1] <= 1]


def create_cluster(s, call):
    body = call.body
    vcn = live_vcn(s, call, body["vcnId"])
    if body["kubernetesVersion"] not in s.kubernetes_versions:
        raise ApiError(400, "InvalidParameter", "Invalid kubernetesVersion %s; offered: %s"
                       % (body["kubernetesVersion"], ", ".join(s.kubernetes_versions)))
    endpoint = dict(body.get("endpointConfig") or {})
    subnet = _subnet_in(s, vcn, endpoint["subnetId"], "endpointConfig.subnetId") if endpoint.get("subnetId") else None
    options = dict(body.get("options") or {})
    for subnet_id in options.get("serviceLbSubnetIds") or []:
        _subnet_in(s, vcn, subnet_id, "options.serviceLbSubnetIds")
    options.setdefault("kubernetesNetworkConfig", {"podsCidr": "10.244.0.0/16", "servicesCidr": "10.96.0.0/16"})
    options.setdefault("serviceLbSubnetIds", [])
    options.setdefault("ipFamilies", ["IPv4"])
    data = {"name": body["name"], "compartmentId": body["compartmentId"], "vcnId": vcn.id,
            "kubernetesVersion": body["kubernetesVersion"], "kmsKeyId": body.get("kmsKeyId"),
            "freeformTags": body.get("freeformTags") or {}, "definedTags": body.get("definedTags") or {},
            "systemTags": {}, "options": options, "lifecycleState": "CREATING", "lifecycleDetails": "",
            "endpointConfig": dict(endpoint, isPublicIpEnabled=bool(endpoint.get("isPublicIpEnabled")),
                                   nsgIds=endpoint.get("nsgIds") or []) if endpoint else None,
            "endpoints": None, "availableKubernetesUpgrades": _upgrades(s, body["kubernetesVersion"]),
            "imagePolicyConfig": body.get("imagePolicyConfig") or {"isPolicyEnabled": False, "keyDetails": []},
            "clusterPodNetworkOptions": body.get("clusterPodNetworkOptions") or [{"cniType": "FLANNEL_OVERLAY"}],
            "type": body.get("type") or "BASIC_CLUSTER"}
    cluster = s.add("cluster", data, call.region)
    wr = work_request(s, call.region, "CLUSTER_CREATE", data["compartmentId"], [("cluster", cluster)])
    data["metadata"] = {"timeCreated": s.now(), "createdByUserId": s.user, "createdByWorkRequestId": wr.id}
    if subnet is not None:
        address = s.allocate_ip(subnet, cluster, "oke-api-endpoint", is_service=True, nsg_ids=endpoint.get("nsgIds"))
        cluster.extra["endpoint"] = (address, subnet)

    def finish():
        address, endpoint_subnet = cluster.extra.get("endpoint", ("10.0.0.2", None))
        endpoints = {"kubernetes": None, "privateEndpoint": "%s:6443" % address}
        if data["endpointConfig"] is None or data["endpointConfig"]["isPublicIpEnabled"]:
            endpoints["publicEndpoint"] = "203.0.113.%d:6443" % (50 + len(s.of_kind("cluster")))
        if endpoint_subnet is not None and endpoint_subnet.data.get("subnetDomainName"):
            endpoints["vcnHostnameEndpoint"] = "%s.%s:6443" % (cluster.id[-11:],
                                                               endpoint_subnet.data["subnetDomainName"])
        s.set_state(cluster, "ACTIVE", endpoints=endpoints)
        _finish(s, wr, "CREATED")
    step = s.step("cluster")
    Job(s, [cluster], [(step, lambda: _start(s, wr, "Creating cluster")), (step, finish)], work_request=wr)
    return Reply(202, work_request=wr)


def get_cluster(s, call):
    cluster = s.record(call.params["clusterId"], "cluster", call.region)
    s.tick(cluster)
    return Reply(200, cluster.data, record=cluster)


def list_clusters(s, call):
    records = list_records(s, call, "cluster")
    return Reply(200, [r.data for r in records], paginate=True)


def _mutable_cluster(s, call):
    cluster = s.record(call.params["clusterId"], "cluster", call.region)
    wanted = call.headers.get("if-match")
    if wanted and wanted != cluster.etag:
        raise ApiError(412, "NoEtagMatch", "The resource's etag does not match the value of the if-match header.")
    s.busy(cluster)
    for pool in s.of_kind("node_pool", call.region):
        if pool.data["clusterId"] == cluster.id:
            s.busy(pool)
    if cluster.state in ("DELETING", "DELETED"):
        raise ApiError(409, "Conflict", "Cluster %s is %s" % (cluster.id, cluster.state))
    return cluster


def update_cluster(s, call):
    cluster = _mutable_cluster(s, call)
    body = call.body
    version = body.get("kubernetesVersion")
    if version and version != cluster.data["kubernetesVersion"] and version not in \
            cluster.data["availableKubernetesUpgrades"]:
        raise ApiError(400, "InvalidParameter", "Cannot upgrade cluster from %s to %s; available upgrades: %s"
                       % (cluster.data["kubernetesVersion"], version,
                          ", ".join(cluster.data["availableKubernetesUpgrades"]) or "none"))
    if body.get("type") == "BASIC_CLUSTER" and cluster.data["type"] == "ENHANCED_CLUSTER":
        raise ApiError(400, "InvalidParameter", "An enhanced cluster cannot be changed to a basic cluster")
    return _cluster_job(s, call, cluster, body, "Updating cluster")


def _cluster_job(s, call, cluster, changes, message, endpoint=None):
    wr = work_request(s, call.region, "CLUSTER_UPDATE", cluster.data["compartmentId"], [("cluster", cluster)])
    s.set_state(cluster, "UPDATING")

    def finish():
        for key, value in changes.items():
            if key == "options" and value is not None:
                cluster.data["options"] = dict(cluster.data["options"], **value)
            elif value is not None:
                cluster.data[key] = value
        if endpoint is not None:
            cluster.data["endpointConfig"] = dict(cluster.data.get("endpointConfig") or {}, **endpoint)
            for vnic_id in cluster.extra.get("vnics", []):
                s.records[vnic_id].data["nsgIds"] = cluster.data["endpointConfig"].get("nsgIds") or []
        cluster.data["availableKubernetesUpgrades"] = _upgrades(s, cluster.data["kubernetesVersion"])
        cluster.data["metadata"].update(timeUpdated=s.now(), updatedByUserId=s.user, updatedByWorkRequestId=wr.id)
        s.set_state(cluster, "ACTIVE")
        _finish(s, wr, "UPDATED")
    step = s.step("cluster")
    Job(s, [cluster], [(step, lambda: _start(s, wr, message)), (step, finish)], work_request=wr)
    return Reply(202, work_request=wr)


def update_cluster_endpoint_config(s, call):
    cluster = _mutable_cluster(s, call)
    if cluster.data.get("endpointConfig") is None:
        raise ApiError(400, "InvalidParameter", "Cluster %s has no native VCN endpoint to update" % cluster.id)
    endpoint = {k: v for k, v in call.body.items() if v is not None}
    return _cluster_job(s, call, cluster, {}, "Updating cluster endpoint", endpoint=endpoint)


def delete_cluster(s, call):
    cluster = _mutable_cluster(s, call)
    pools = [p for p in s.of_kind("node_pool", call.region) if p.data["clusterId"] == cluster.id and p.alive]
    wr = work_request(s, call.region, "CLUSTER_DELETE", cluster.data["compartmentId"], [("cluster", cluster)])
    s.set_state(cluster, "DELETING")
    for pool in pools:
        s.set_state(pool, "DELETING")
        for member in _nodes(s, pool):
            s.set_state(member, "DELETING")

    def finish():
        for pool in pools:
            for member in _nodes(s, pool):
                _node_gone(s, member)
            s.set_state(pool, "DELETED")
        s.release_ips(cluster)
        cluster.data["metadata"].update(timeDeleted=s.now(), deletedByUserId=s.user, deletedByWorkRequestId=wr.id)
        s.set_state(cluster, "DELETED")
        _finish(s, wr, "DELETED")
    step = s.step("cluster")
    Job(s, [cluster] + pools, [(step, lambda: _start(s, wr, "Deleting cluster")), (step, finish)], work_request=wr)
    return Reply(202, work_request=wr)


_KUBECONFIG = """---
apiVersion: v1
kind: ""
clusters:
- name: cluster-{short}
  cluster:
    server: https://{server}
    certificate-authority-data: {ca}
users:
- name: user-{short}
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - ce
      - cluster
      - generate-token
      - --cluster-id
      - {cluster_id}
      - --region
      - {region}
      command: oci
      env: []
contexts:
- name: context-{short}
  context:
    cluster: cluster-{short}
    user: user-{short}
current-context: context-{short}
"""


def create_kubeconfig(s, call):
    cluster = s.record(call.params["clusterId"], "cluster", call.region)
    if cluster.state not in ("ACTIVE", "UPDATING"):
        raise ApiError(409, "Conflict", "Cluster %s is %s" % (cluster.id, cluster.state))
    body = call.body or {}
    endpoint = body.get("endpoint") or "LEGACY_KUBERNETES"
    endpoints = cluster.data.get("endpoints") or {}
    server = {"PUBLIC_ENDPOINT": endpoints.get("publicEndpoint"), "PRIVATE_ENDPOINT": endpoints.get("privateEndpoint"),
              "VCN_HOSTNAME": endpoints.get("vcnHostnameEndpoint"),
              "LEGACY_KUBERNETES": endpoints.get("kubernetes") or endpoints.get("publicEndpoint")}[endpoint]
    if not server:
        raise ApiError(400, "InvalidParameter", "Cluster %s has no %s" % (cluster.id, endpoint))
    # The cluster's CA: the stand-in's own, which also signs tests.support.oke_api's certificate for the endpoint.
    from .oci_standin import ca_pem  # pylint: disable=import-outside-toplevel  # (a cycle at import time)
    ca = base64.b64encode(ca_pem())
    text = _KUBECONFIG.format(short=cluster.id[-11:], server=server, ca=ca.decode(), cluster_id=cluster.id,
                              region=call.region)
    return Reply(200, text=text)


# ---- node pools ----------------------------------------------------------------------------------------------

def _nodes(s, pool):
    return [s.records[n] for n in pool.extra.get("nodes", [])]


def _pool_view(s, pool):
    """The node pool as GetNodePool shows it: its current nodes (deleted ones drop out)."""
    data = pool.data
    data["nodes"] = [n.data for n in _nodes(s, pool) if n.state != "DELETED"]
    return data


def _size(details, body_or_pool):
    if details and details.get("size") is not None:
        return details["size"]
    subnets = body_or_pool.get("subnetIds") or []
    return (body_or_pool.get("quantityPerSubnet") or 0) * len(subnets)


def _placements(pool):
    details = pool.data.get("nodeConfigDetails") or {}
    if details.get("placementConfigs"):
        return details["placementConfigs"]
    return [{"availabilityDomain": None, "subnetId": subnet_id} for subnet_id in pool.data.get("subnetIds") or []]


def _check_source(s, region, body, version):
    source = body.get("nodeSourceDetails") or {}
    image = None
    if source.get("imageId"):
        image = _image(s, region, source["imageId"])
        if image is None:
            raise ApiError(404, "NotAuthorizedOrNotFound", "Image %s not found" % source["imageId"])
        if version and image["version"] != version:
            raise ApiError(409, "Conflict", "Kubernetes version does not match Kubernetes version of OKE worker "
                           "node image (%s)" % image["version"])
    return image


def _check_placement(s, cluster, region, placements):
    vcn = s.records[cluster.data["vcnId"]] if cluster.data["vcnId"] in s.records else None
    for index, placement in enumerate(placements or []):
        if placement.get("availabilityDomain") and placement["availabilityDomain"] not in s.ads_in(region):
            raise ApiError(400, "InvalidParameter", "nodeConfigDetails.placementConfigs[%d].availabilityDomain %s is "
                           "not an availability domain of %s" % (index, placement["availabilityDomain"], region))
        if vcn is not None:
            _subnet_in(s, vcn, placement["subnetId"], "nodeConfigDetails.placementConfigs[%d].subnetId" % index)


def create_node_pool(s, call):
    body = call.body
    cluster = s.record(body["clusterId"], "cluster", call.region)
    if cluster.state != "ACTIVE":
        raise ApiError(409, "Conflict", "Cluster %s is %s" % (cluster.id, cluster.state))
    if body["nodeShape"] not in s.shapes:
        raise ApiError(400, "InvalidParameter", "Invalid nodeShape %s" % body["nodeShape"])
    if body["nodeShape"].endswith(".Flex") and not (body.get("nodeShapeConfig") or {}).get("ocpus"):
        raise ApiError(400, "InvalidParameter", "nodeShapeConfig.ocpus is required for the flexible shape %s"
                       % body["nodeShape"])
    details = body.get("nodeConfigDetails")
    if not details and not body.get("subnetIds"):
        raise ApiError(400, "InvalidParameter", "Either nodeConfigDetails or subnetIds must be given")
    version = body.get("kubernetesVersion") or cluster.data["kubernetesVersion"]
    image = _check_source(s, call.region, body, version)
    _check_placement(s, cluster, call.region, (details or {}).get("placementConfigs"))
    shape_config = dict(body.get("nodeShapeConfig") or {})
    if shape_config.get("ocpus") and not shape_config.get("memoryInGBs"):
        shape_config["memoryInGBs"] = shape_config["ocpus"] * (6 if body["nodeShape"].startswith(A1) else 16)
    source = dict(body.get("nodeSourceDetails") or {})
    if source:
        source.setdefault("bootVolumeSizeInGBs", 50)
    data = {k: body.get(k) for k in ("compartmentId", "clusterId", "name", "nodeMetadata", "nodeShape",
                                     "initialNodeLabels", "sshPublicKey", "quantityPerSubnet", "subnetIds",
                                     "nodeEvictionNodePoolSettings")}
    data.update({"kubernetesVersion": version, "nodeShapeConfig": shape_config or None,
                 "nodeSourceDetails": source or None, "nodeImageId": source.get("imageId"),
                 "nodeImageName": image["sourceName"] if image else body.get("nodeImageName"),
                 "nodeSource": {"sourceType": "IMAGE", "sourceName": image["sourceName"], "imageId": image["imageId"]}
                 if image else None,
                 "nodeConfigDetails": dict(details, nsgIds=details.get("nsgIds") or [],
                                           isPvEncryptionInTransitEnabled=bool(
                                               details.get("isPvEncryptionInTransitEnabled")),
                                           nodePoolPodNetworkOptionDetails=details.get(
                                               "nodePoolPodNetworkOptionDetails") or {"cniType": "FLANNEL_OVERLAY"})
                 if details else None,
                 "nodePoolCyclingDetails": body.get("nodePoolCyclingDetails") or {
                     "isNodeCyclingEnabled": False, "maximumSurge": "1", "maximumUnavailable": "0"},
                 "freeformTags": body.get("freeformTags") or {}, "definedTags": body.get("definedTags") or {},
                 "systemTags": {}, "lifecycleState": "CREATING", "lifecycleDetails": "", "nodes": []})
    pool = s.add("node_pool", data, call.region)
    pool.extra["nodes"] = []
    wr = work_request(s, call.region, "NODEPOOL_CREATE", data["compartmentId"],
                      [("nodepool", pool), ("cluster", cluster)])
    wr.data["resources"][1]["actionType"] = "RELATED"
    return _pool_job(s, pool, wr, _size(details, body), "Creating node pool", "CREATED")


def _node_config(pool):
    shape_config = pool.data.get("nodeShapeConfig") or {}
    return {"shape": pool.data["nodeShape"], "ocpus": shape_config.get("ocpus") or 1,
            "memory": shape_config.get("memoryInGBs") or 16, "image": pool.data.get("nodeImageId"),
            "version": pool.data["kubernetesVersion"],
            "boot": (pool.data.get("nodeSourceDetails") or {}).get("bootVolumeSizeInGBs") or 50}


def _new_node(s, pool, placement, index):
    ad = placement.get("availabilityDomain")
    subnet = s.records.get(placement["subnetId"])
    if ad is None:
        ad = (subnet.data.get("availabilityDomain") if subnet else None) or s.ads_in(pool.region)[0]
    config = _node_config(pool)
    cluster_short = pool.data["clusterId"][-11:]
    data = {"name": "oke-%s-%s-%d" % (cluster_short, pool.id[-11:], index),
            "kubernetesVersion": config["version"], "availabilityDomain": ad, "subnetId": placement["subnetId"],
            "nodePoolId": pool.id, "faultDomain": "FAULT-DOMAIN-%d" % (index % 3 + 1), "privateIp": None,
            "publicIp": None, "nodeError": None, "lifecycleState": "CREATING", "lifecycleDetails": "",
            "freeformTags": dict((pool.data.get("nodeConfigDetails") or {}).get("freeformTags") or {}),
            "definedTags": {}, "compartmentId": pool.data["compartmentId"],
            "systemTags": {"orcl-containerengine": {"Cluster": pool.data["clusterId"], "NodePool": pool.id}}}
    member = s.add("node", data, pool.region)
    member.extra.update(config)
    member.extra["index"] = index
    pool.extra["nodes"].append(member.id)
    return member


def _launch(s, member):
    """Launch the instance behind a CREATING node: ACTIVE, or FAILING with OCI's node error."""
    ad = member.data["availabilityDomain"]
    needs = {}
    if member.extra["shape"].startswith(A1):
        needs = {"standard-a1-core-count": member.extra["ocpus"], "standard-a1-memory-count": member.extra["memory"]}
    exceeded = s.exceeded(needs, ad, member.region)
    request_id = "%032X" % s.rng.getrandbits(128)
    if exceeded:
        error = {"code": "LimitExceeded", "status": "400", "opc-request-id": request_id,
                 "message": "The following service limits were exceeded: %s. Request a service limit increase "
                            "from the service limits page in the console. " % ", ".join(exceeded)}
    elif ad in s.capacity and s.capacity[ad] <= 0:
        error = {"code": "InternalError", "message": "Out of host capacity.", "status": "500",
                 "opc-request-id": request_id}
    else:
        error = None
    if error:
        s.set_state(member, "FAILING", nodeError=error, lifecycleDetails=error["message"])
        return error
    if ad in s.capacity:
        s.capacity[ad] -= 1
    member.extra["launched"] = True
    subnet = s.records.get(member.data["subnetId"])
    nsg_ids = (s.records[member.data["nodePoolId"]].data.get("nodeConfigDetails") or {}).get("nsgIds")
    if subnet is not None:
        member.data["privateIp"] = s.allocate_ip(subnet, member, member.data["name"], nsg_ids=nsg_ids)
    boot = s.add("boot_volume", {
        "availabilityDomain": ad, "compartmentId": member.data["compartmentId"],
        "displayName": "%s (Boot Volume)" % member.data["name"], "freeformTags": {}, "definedTags": {},
        "systemTags": dict(member.data["systemTags"]), "lifecycleState": "AVAILABLE",
        "sizeInGBs": member.extra["boot"], "sizeInMBs": member.extra["boot"] * 1024, "imageId": member.extra["image"],
        "timeCreated": s.now(), "vpusPerGB": 10, "isHydrated": True}, member.region)
    boot.extra["attached_to"] = member.id
    member.extra["boot_volume"] = boot.id
    s.set_state(member, "ACTIVE", lifecycleDetails="")
    return None


def _node_gone(s, member):
    if member.state == "DELETED":
        return
    if member.extra.get("launched"):
        ad = member.data["availabilityDomain"]
        if ad in s.capacity:
            s.capacity[ad] += 1
        s.release_ips(member)
        boot = s.records.get(member.extra.get("boot_volume"))
        if boot is not None:
            s.set_state(boot, "TERMINATED")
    member.extra["launched"] = False
    s.set_state(member, "DELETED")


def _pool_job(s, pool, wr, size, message, action, replace=(), cycling=False):
    """Bring the pool to `size` nodes (replacing the nodes in `replace`), then settle pool and work request."""
    step_pool, step_node = s.step("node_pool"), s.step("node")
    plan = {"new": [], "old": []}

    def start():
        _start(s, wr, message)
        current = [n for n in _nodes(s, pool) if n.state not in ("DELETED", "DELETING")]
        retire = [n for n in current if n.state == "FAILING" or n.id in replace]
        keep = [n for n in current if n not in retire]
        while len(keep) > size:
            retire.append(keep.pop())
        placements = _placements(pool) or [{"availabilityDomain": None, "subnetId": None}]
        index = max([n.extra["index"] for n in _nodes(s, pool)] + [-1]) + 1
        for count in range(size - len(keep)):
            plan["new"].append(_new_node(s, pool, placements[(index + count) % len(placements)], index + count))
        for member in retire:
            s.set_state(member, "DELETING")
        plan["old"] = retire
        if cycling:
            wr.extra["logs"].append({"message": "Cycling %d node(s)" % len(replace), "timestamp": s.now()})

    def finish():
        errors = [error for error in (_launch(s, member) for member in plan["new"]) if error]
        for member in plan["old"]:
            _node_gone(s, member)
        failing = [n for n in _nodes(s, pool) if n.state == "FAILING"]
        if failing:
            first = failing[0].data["nodeError"]
            s.set_state(pool, "NEEDS_ATTENTION", lifecycleDetails="%d node(s) failed" % len(failing))
            _finish(s, wr, action, [{"code": first["code"], "message": "%d node(s) launch failure. Reason for "
                                     "failure on one of the nodes : %s" % (len(errors) or len(failing),
                                                                           first["message"])}])
        else:
            s.set_state(pool, "ACTIVE", lifecycleDetails="")
            _finish(s, wr, action)
    Job(s, [pool], [(step_pool, start), (step_node, finish)], work_request=wr)
    return Reply(202, work_request=wr)


def get_node_pool(s, call):
    pool = s.record(call.params["nodePoolId"], "node_pool", call.region)
    s.tick(pool)
    return Reply(200, _pool_view(s, pool), record=pool)


def list_node_pools(s, call):
    records = list_records(s, call, "node_pool")
    return Reply(200, [r.data for r in records], paginate=True)


def _mutable_pool(s, call):
    pool = s.record(call.params["nodePoolId"], "node_pool", call.region)
    wanted = call.headers.get("if-match")
    if wanted and wanted != pool.etag:
        raise ApiError(412, "NoEtagMatch", "The resource's etag does not match the value of the if-match header.")
    s.busy(pool)
    cluster = s.records.get(pool.data["clusterId"])
    if cluster is not None:
        s.busy(cluster)
    if pool.state in ("DELETING", "DELETED"):
        raise ApiError(409, "Conflict", "Node pool %s is %s" % (pool.id, pool.state))
    return pool, cluster


def update_node_pool(s, call):
    pool, cluster = _mutable_pool(s, call)
    body = {k: v for k, v in call.body.items() if v is not None}
    details = body.get("nodeConfigDetails") or {}
    cycling_details = dict(pool.data.get("nodePoolCyclingDetails") or {}, **(body.get("nodePoolCyclingDetails") or {}))
    cycling = bool(cycling_details.get("isNodeCyclingEnabled"))
    if (body.get("nodePoolCyclingDetails") or {}).get("isNodeCyclingEnabled") and cluster is not None \
            and cluster.data.get("type") != "ENHANCED_CLUSTER":
        # OKE: "You can only cycle nodes to perform an in-place worker node update when using enhanced clusters."
        # (message guessed)
        raise ApiError(400, "InvalidParameter", "Node cycling is only supported for node pools of enhanced clusters; "
                       "cluster %s is a %s" % (cluster.id, cluster.data.get("type")))
    current_placements = (pool.data.get("nodeConfigDetails") or {}).get("placementConfigs")
    if cycling and details.get("placementConfigs") is not None and details["placementConfigs"] != current_placements:
        raise ApiError(409, "Conflict", "Cannot perform nodepool cycling and nodepool Placement Configuration change "
                       "simultaneously.")
    version = body.get("kubernetesVersion") or pool.data["kubernetesVersion"]
    if body.get("kubernetesVersion") and cluster is not None and \
            _version_key(version) > _version_key(cluster.data["kubernetesVersion"]):
        raise ApiError(400, "InvalidParameter", "The node pool version %s cannot be newer than the cluster's %s"
                       % (version, cluster.data["kubernetesVersion"]))
    image = _check_source(s, call.region, body, version) if body.get("nodeSourceDetails") else None
    if body.get("kubernetesVersion") and not body.get("nodeSourceDetails") and pool.data.get("nodeImageId"):
        current = _image(s, call.region, pool.data["nodeImageId"])
        if current is not None and current["version"] != version:
            raise ApiError(409, "Conflict", "Kubernetes version does not match Kubernetes version of OKE worker node "
                           "image (%s)" % current["version"])
    if details.get("placementConfigs"):
        _check_placement(s, cluster, call.region, details["placementConfigs"])
    before = _node_config(pool)
    for key, value in body.items():
        if key == "nodeConfigDetails":
            pool.data["nodeConfigDetails"] = dict(pool.data.get("nodeConfigDetails") or {}, **value)
        elif key == "nodePoolCyclingDetails":
            pool.data[key] = cycling_details
        elif key == "nodeSourceDetails":
            source = dict(value)
            source.setdefault("bootVolumeSizeInGBs", (pool.data.get("nodeSourceDetails") or {}).get(
                "bootVolumeSizeInGBs", 50))
            pool.data.update(nodeSourceDetails=source, nodeImageId=source.get("imageId"))
            if image is not None:
                pool.data.update(nodeImageName=image["sourceName"], nodeSource={
                    "sourceType": "IMAGE", "sourceName": image["sourceName"], "imageId": image["imageId"]})
        else:
            pool.data[key] = value
    pool.touch()
    after = _node_config(pool)
    replace = []
    live = [n for n in _nodes(s, pool) if n.state not in ("DELETED", "DELETING")]
    if cycling and any(before[k] != after[k] for k in ("shape", "ocpus", "memory", "image", "version")):
        replace = [n.id for n in live
                   if any(n.extra.get(k) != after[k] for k in ("shape", "ocpus", "memory", "image", "version"))]
    if details.get("placementConfigs") is not None and details["placementConfigs"] != current_placements:
        replace = [n.id for n in live]  # OKE: a placement change terminates the nodes and creates new ones
    size = _size(pool.data.get("nodeConfigDetails"), pool.data)
    wr = work_request(s, call.region, "NODEPOOL_UPDATE", pool.data["compartmentId"], [("nodepool", pool)])
    s.set_state(pool, "UPDATING")
    return _pool_job(s, pool, wr, size, "Updating node pool", "UPDATED", replace=replace, cycling=bool(replace))


def delete_node_pool(s, call):
    pool, _cluster = _mutable_pool(s, call)
    wr = work_request(s, call.region, "NODEPOOL_DELETE", pool.data["compartmentId"], [("nodepool", pool)])
    s.set_state(pool, "DELETING")
    members = [n for n in _nodes(s, pool) if n.state != "DELETED"]
    for member in members:
        s.set_state(member, "DELETING")

    def finish():
        for member in members:
            _node_gone(s, member)
        s.set_state(pool, "DELETED")
        _finish(s, wr, "DELETED")
    step = s.step("node_pool")
    Job(s, [pool], [(step, lambda: _start(s, wr, "Deleting node pool")), (step, finish)], work_request=wr)
    return Reply(202, work_request=wr)


# ---- seeding ---------------------------------------------------------------------------------------------------

def seed_cluster(s, state, nodes, pool_state, ocpus, memory, size, name, version, compartment, vcn_id):
    """Scenario.add_cluster: CLUSTER and NODE_POOL, settled in the given states."""
    region = s.region
    cluster = s.add("cluster", {
        "name": name, "compartmentId": compartment, "vcnId": vcn_id or make_ocid("vcn", region, s.rng),
        "kubernetesVersion": version, "lifecycleState": state, "lifecycleDetails": "", "type": "BASIC_CLUSTER",
        "endpoints": {"kubernetes": None, "publicEndpoint": "203.0.113.10:6443", "privateEndpoint": "10.0.0.5:6443"},
        "endpointConfig": {"isPublicIpEnabled": True, "nsgIds": []}, "options": {"serviceLbSubnetIds": []},
        "metadata": {"timeCreated": "2026-01-05T10:00:00.000Z"}, "freeformTags": {}, "definedTags": {},
        "systemTags": {}, "availableKubernetesUpgrades": _upgrades(s, version),
        "clusterPodNetworkOptions": [{"cniType": "FLANNEL_OVERLAY"}]}, region, rid=CLUSTER)
    pool = s.add("node_pool", {
        "name": name + "-pool1", "clusterId": cluster.id, "compartmentId": compartment,
        "kubernetesVersion": version, "nodeShape": "VM.Standard.A1.Flex", "lifecycleState": pool_state,
        "lifecycleDetails": "", "nodeShapeConfig": {"ocpus": ocpus, "memoryInGBs": memory},
        "nodeConfigDetails": {"size": len(nodes) if size is None else size, "placementConfigs": []},
        "nodePoolCyclingDetails": {"isNodeCyclingEnabled": False}, "freeformTags": {}, "definedTags": {},
        "systemTags": {}, "nodes": []}, region, rid=NODE_POOL)
    pool.extra["nodes"] = []
    for index, data in enumerate(nodes):
        data = dict(data, nodePoolId=pool.id, compartmentId=compartment)
        data.setdefault("subnetId", None)
        member = s.add("node", data, region)
        member.extra.update(shape="VM.Standard.A1.Flex", ocpus=ocpus, memory=memory, image=None, version=version,
                            boot=50, index=index, launched=False)  # already counted in Scenario.limits
        pool.extra["nodes"].append(member.id)


HANDLERS = {
    "get_cluster_options": get_cluster_options, "get_node_pool_options": get_node_pool_options,
    "create_cluster": create_cluster, "get_cluster": get_cluster, "list_clusters": list_clusters,
    "update_cluster": update_cluster, "update_cluster_endpoint_config": update_cluster_endpoint_config,
    "delete_cluster": delete_cluster, "create_kubeconfig": create_kubeconfig,
    "create_node_pool": create_node_pool, "get_node_pool": get_node_pool, "list_node_pools": list_node_pools,
    "update_node_pool": update_node_pool, "delete_node_pool": delete_node_pool,
    "get_work_request": get_work_request, "list_work_requests": list_work_requests,
    "delete_work_request": cancel_work_request,
    "list_work_request_errors": list_work_request_errors, "list_work_request_logs": list_work_request_logs,
}
SERVICES = ("container_engine",)
