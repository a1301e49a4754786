"""Identity (20160918), Limits (20190729), Artifacts (20160918), Object Storage (GetNamespace), Bastion (20210331).

Identity, as the API reference (SDK docstrings) and IAM's documentation describe it:

- Identity is global but served by every subscribed region; writes (Create/Update/Delete of compartments and
  policies) are only accepted in the tenancy's home region: elsewhere 403 `NotAllowed`, "Please go to your home
  region <KEY> to execute CREATE, UPDATE and DELETE operations." That is why the oracle.oci modules, for every
  IdentityClient, first call ListRegionSubscriptions and re-target the client to the region marked
  isHomeRegion (unless OCI_IDENTITY_DO_NOT_REDIRECT_TO_HOME_REGION is set); the stand-in serves
  ListRegionSubscriptions from Scenario.regions/home_region, and ListAvailabilityDomains per region (the region
  of the Host the request went to), so a test can tell which region a module asked.
- Compartments: CreateCompartment answers the compartment CREATING, then ACTIVE; names are unique in the tenancy
  (409, code guessed: `CompartmentAlreadyExists`). ListCompartments lists the first-level children of
  compartmentId, the whole subtree with compartmentIdInSubtree=true (only allowed on the tenancy, else 400).
  DeleteCompartment answers 202 with `opc-work-request-id`; the compartment is DELETING while the work request
  runs; "to delete a compartment, it must be empty of all resources" — if it still holds live resources the
  work request FAILS (error code guessed: `CompartmentNotEmpty`) and the compartment returns to ACTIVE (IAM
  docs: "If the work request fails, the compartment isn't deleted and it returns to the Active state"); on
  success it is DELETED and a random suffix is appended to its name (CompartmentA -> CompartmentA.qR5hP2BD).
- Policies: Create -> ACTIVE, Update (statements, description, versionDate, tags), Delete -> DELETED.

Limits: GetResourceAvailability, ListLimitValues, ListLimitDefinitions, ListServices from Scenario.limits plus
the usage of the stand-in's own live resources. Block storage is service `block-storage` with the AD-scoped
`total-storage-gb` and `volume-count` (OCI's Block Volume quota table) and the regional Always Free
`total-free-storage-gb-regional` (200 GB); that last name is seen in public tools calling the limits API, not in
Oracle's reference pages, so it is less certain.

Artifacts: container repositories (Create -> AVAILABLE, List as a ContainerRepositoryCollection, Get, Update,
Delete -> DELETING -> DELETED; a second repository with the same name in the tenancy is a 409, code guessed).
Object Storage: GetNamespace returns the namespace as a JSON string.
Bastion: bastions (Create -> CREATING -> ACTIVE, with opc-work-request-id) and sessions (PORT_FORWARDING or
MANAGED_SSH; CREATING -> ACTIVE; sshMetadata.command as OCI's console shows it).
"""

from __future__ import annotations

import datetime
import random
import re

from .oci_api_catalogue import ApiError, Reply, not_found
from .oci_api_network import check_etag
from .oci_api_state import DOMAIN, LIMIT_DEFINITIONS, WORK_REQUEST_KINDS, Job, list_records, make_ocid

NOT_HOME = "Please go to your home region %s to execute CREATE, UPDATE and DELETE operations."


def _home_only(s, call):
    if call.region != s.home_region:
        raise ApiError(403, "NotAllowed", NOT_HOME % s.regions[s.home_region])


# ---- identity ------------------------------------------------------------------------------------------

def list_region_subscriptions(s, call):
    if call.params["tenancyId"] != s.tenancy:
        raise not_found()
    return Reply(200, [{"regionKey": key, "regionName": region, "status": "READY",
                        "isHomeRegion": region == s.home_region} for region, key in s.regions.items()])


def get_tenancy(s, call):
    if call.params["tenancyId"] != s.tenancy:
        raise not_found()
    return Reply(200, {"id": s.tenancy, "name": s.tenancy_name, "description": "",
                       "homeRegionKey": s.regions[s.home_region], "freeformTags": {}, "definedTags": {}})


def list_availability_domains(s, call):
    if call.arg("compartmentId") not in (s.tenancy,) + tuple(s.compartments):
        raise not_found()
    return Reply(200, [{"name": ad, "id": make_ocid("availabilitydomain", "", random.Random(ad)),
                        "compartmentId": call.arg("compartmentId")} for ad in s.ads_in(call.region)])


def get_compartment(s, call):
    if call.params["compartmentId"] == s.tenancy:
        return Reply(200, {"id": s.tenancy, "compartmentId": s.tenancy, "name": s.tenancy_name, "description": "",
                           "timeCreated": "2025-01-01T00:00:00.000Z", "lifecycleState": "ACTIVE",
                           "freeformTags": {}, "definedTags": {}})
    record = s.record(call.params["compartmentId"], "compartment")
    s.tick(record)
    return Reply(200, record.data, record=record)


def _subtree(s, root):
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop(0)
        children = [r for r in s.of_kind("compartment") if r.data["compartmentId"] == parent]
        found.extend(children)
        frontier.extend(c.id for c in children)
    return found


def list_compartments(s, call):
    parent = call.arg("compartmentId")
    if call.flag("compartmentIdInSubtree"):
        if parent != s.tenancy:
            raise ApiError(400, "InvalidParameter", "compartmentIdInSubtree can only be true when compartmentId is "
                           "the tenancy")
        records = _subtree(s, parent)
    else:
        records = [r for r in s.of_kind("compartment") if r.data["compartmentId"] == parent]
    wanted = {r.id for r in records}
    records = [r for r in list_records(s, call, "compartment", handled=("compartmentId", "compartmentIdInSubtree",
                                                                        "accessLevel"), region=False)
               if r.id in wanted]
    return Reply(200, [r.data for r in records], paginate=True)


def create_compartment(s, call):
    _home_only(s, call)
    body = call.body
    if body["compartmentId"] != s.tenancy:
        s.record(body["compartmentId"], "compartment")
    for other in s.of_kind("compartment"):
        if other.data["name"] == body["name"] and other.state != "DELETED":
            raise ApiError(409, "CompartmentAlreadyExists", "Compartment '%s' already exists" % body["name"])
    record = s.add("compartment", {
        "compartmentId": body["compartmentId"], "name": body["name"], "description": body["description"],
        "freeformTags": body.get("freeformTags") or {}, "definedTags": body.get("definedTags") or {},
        "timeCreated": s.now(), "lifecycleState": "CREATING", "isAccessible": True})

    def ready():
        s.set_state(record, "ACTIVE")
    Job(s, [record], [(s.step("compartment"), ready)])
    return Reply(200, record.data, record=record)


def update_compartment(s, call):
    _home_only(s, call)
    record = s.record(call.params["compartmentId"], "compartment")
    check_etag(call, record)
    for key, value in call.body.items():
        if value is not None:
            record.data[key] = value
    record.touch()
    return Reply(200, record.data, record=record)


def _contents(s, compartment_id):
    return [r for r in s.records.values() if r.kind not in WORK_REQUEST_KINDS and r.alive
            and r.kind not in ("private_ip",) and r.data.get("compartmentId") == compartment_id]


def delete_compartment(s, call):
    _home_only(s, call)
    record = s.record(call.params["compartmentId"], "compartment")
    check_etag(call, record)
    s.busy(record)
    if record.state != "ACTIVE":
        raise ApiError(409, "IncorrectState", "Compartment %s is %s" % (record.id, record.state))
    wr = s.add("identity_work_request", {
        "operationType": "DELETE_COMPARTMENT", "compartmentId": record.id, "status": "ACCEPTED",
        "resources": [{"identifier": record.id, "entityType": "Compartment", "actionType": "IN_PROGRESS",
                       "entityUri": "/compartments/" + record.id}],
        "errors": [], "logs": [], "timeAccepted": s.now(), "percentComplete": 0.0})
    s.set_state(record, "DELETING")

    def progress():
        wr.data.update(status="IN_PROGRESS", timeStarted=s.now(), percentComplete=50.0)

    def finish():
        left = _contents(s, record.id)
        when = s.now()
        if left:
            wr.data.update(status="FAILED", timeFinished=when, percentComplete=100.0)
            wr.data["resources"][0]["actionType"] = "FAILED"
            wr.data["errors"].append({"code": "CompartmentNotEmpty", "timestamp": when, "message": (
                "Compartment %s is not empty: it still contains %d resource(s), e.g. %s %s" % (
                    record.id, len(left), left[0].kind, left[0].id))})
            s.set_state(record, "ACTIVE")
        else:
            wr.data.update(status="SUCCEEDED", timeFinished=when, percentComplete=100.0)
            wr.data["resources"][0]["actionType"] = "DELETED"
            letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
            suffix = "".join(s.rng.choice(letters) for _position in range(8))
            s.set_state(record, "DELETED", name="%s.%s" % (record.data["name"], suffix))
    step = s.step("compartment")
    Job(s, [record], [(step, progress), (step, finish)], work_request=wr)
    return Reply(202, work_request=wr)


def get_identity_work_request(s, call):
    wr = s.record(call.params["workRequestId"], "identity_work_request")
    s.tick(wr)
    return Reply(200, wr.data)


def create_policy(s, call):
    _home_only(s, call)
    body = call.body
    for other in s.live("policy", compartmentId=body["compartmentId"]):
        if other.data["name"] == body["name"]:
            raise ApiError(409, "PolicyAlreadyExists", "Policy '%s' already exists" % body["name"])
    record = s.add("policy", {
        "compartmentId": body["compartmentId"], "name": body["name"], "statements": list(body["statements"]),
        "description": body["description"], "versionDate": body.get("versionDate"),
        "freeformTags": body.get("freeformTags") or {}, "definedTags": body.get("definedTags") or {},
        "timeCreated": s.now(), "lifecycleState": "CREATING"})

    def ready():
        s.set_state(record, "ACTIVE")
    Job(s, [record], [(s.step("policy"), ready)])
    return Reply(200, record.data, record=record)


def get_policy(s, call):
    record = s.record(call.params["policyId"], "policy")
    s.tick(record)
    return Reply(200, record.data, record=record)


def list_policies(s, call):
    records = list_records(s, call, "policy", region=False)
    return Reply(200, [r.data for r in records], paginate=True)


def update_policy(s, call):
    _home_only(s, call)
    record = s.record(call.params["policyId"], "policy")
    check_etag(call, record)
    if not record.alive:
        raise not_found()
    for key, value in call.body.items():
        if value is not None:
            record.data[key] = value
    record.touch()
    return Reply(200, record.data, record=record)


def delete_policy(s, call):
    _home_only(s, call)
    record = s.record(call.params["policyId"], "policy")
    check_etag(call, record)
    if not record.alive:
        raise not_found()
    s.set_state(record, "DELETING")

    def gone():
        s.set_state(record, "DELETED")
    Job(s, [record], [(s.step("policy"), gone)])
    return Reply(204)


# ---- limits -----------------------------------------------------------------------------------------------

def _known_limit(s, service, limit):
    return any(key[0] == service and key[1] == limit for key in s.limits)


def get_resource_availability(s, call):
    service, limit, ad = call.params["serviceName"], call.params["limitName"], call.arg("availabilityDomain")
    if (service, limit, ad) not in s.limits:
        if ad is None and _known_limit(s, service, limit):
            raise ApiError(400, "InvalidParameter", "availabilityDomain is required for the AD-scoped limit %s" % limit)
        raise not_found()
    found = s.availability(service, limit, ad, call.region)
    return Reply(200, {"used": found["used"], "available": found["available"], "fractionalUsage": found["used"],
                       "fractionalAvailability": found["available"],
                       "effectiveQuotaValue": found["used"] + found["available"]})


def _scope(service, limit, ad):
    return LIMIT_DEFINITIONS.get((service, limit), ("AD" if ad else "REGION", ""))[0]


def list_limit_values(s, call):
    service = call.arg("serviceName")
    rows = []
    for (svc, limit, ad), value in s.limits.items():
        scope = _scope(svc, limit, ad)
        if svc != service or (call.arg("name") and call.arg("name") != limit) \
                or (call.arg("scopeType") and call.arg("scopeType") != scope) \
                or (call.arg("availabilityDomain") and call.arg("availabilityDomain") != ad):
            continue
        rows.append({"name": limit, "scopeType": scope, "availabilityDomain": ad,
                     "value": value["used"] + value["available"]})
    return Reply(200, rows, paginate=True)


def list_limit_definitions(s, call):
    seen, rows = set(), []
    for svc, limit, ad in s.limits:
        if (svc, limit) in seen or (call.arg("serviceName") and call.arg("serviceName") != svc) \
                or (call.arg("name") and call.arg("name") != limit):
            continue
        seen.add((svc, limit))
        scope, description = LIMIT_DEFINITIONS.get((svc, limit), (_scope(svc, limit, ad), ""))
        rows.append({"name": limit, "serviceName": svc, "description": description, "scopeType": scope,
                     "areQuotasSupported": True, "isResourceAvailabilitySupported": True, "isDeprecated": False,
                     "isEligibleForLimitIncrease": True, "isDynamic": False})
    return Reply(200, rows, paginate=True)


def list_limit_services(s, call):
    names = sorted({key[0] for key in s.limits})
    return Reply(200, [{"name": name, "description": name} for name in names], paginate=True)


# ---- artifacts ---------------------------------------------------------------------------------------------

_REPO_SUMMARY_COUNTS = ("imageCount", "layerCount", "layersSizeInBytes")


def create_container_repository(s, call):
    body = call.body
    for other in s.of_kind("container_repository"):
        if other.alive and other.data["displayName"] == body["displayName"]:
            raise ApiError(409, "NAMESPACE_CONFLICT", "Repository %s already exists" % body["displayName"])
    record = s.add("container_repository", {
        "compartmentId": body["compartmentId"], "displayName": body["displayName"], "createdBy": s.user,
        "imageCount": 0, "layerCount": 0, "layersSizeInBytes": 0, "billableSizeInGBs": 0,
        "isImmutable": bool(body.get("isImmutable")), "isPublic": bool(body.get("isPublic")),
        "readme": body.get("readme"), "lifecycleState": "AVAILABLE", "timeCreated": s.now(),
        "namespace": s.namespace, "freeformTags": body.get("freeformTags") or {},
        "definedTags": body.get("definedTags") or {}, "systemTags": {}}, call.region)
    return Reply(200, record.data, record=record)


def get_container_repository(s, call):
    record = s.record(call.params["repositoryId"], "container_repository", call.region)
    s.tick(record)
    return Reply(200, record.data, record=record)


def list_container_repositories(s, call):
    records = list_records(s, call, "container_repository", handled=("compartmentIdInSubtree", "repositoryId"))
    if call.arg("repositoryId"):
        records = [r for r in records if r.id == call.arg("repositoryId")]
    items = [r.data for r in records]
    totals = {key: sum(i[key] for i in items) for key in _REPO_SUMMARY_COUNTS}
    return Reply(200, dict(totals, items=items, repositoryCount=len(items), remainingItemsCount=0), paginate=True)


def update_container_repository(s, call):
    record = s.record(call.params["repositoryId"], "container_repository", call.region)
    check_etag(call, record)
    for key, value in call.body.items():
        if value is not None:
            record.data[key] = value
    record.touch()
    return Reply(200, record.data, record=record)


def delete_container_repository(s, call):
    record = s.record(call.params["repositoryId"], "container_repository", call.region)
    check_etag(call, record)
    if not record.alive:
        raise not_found()
    s.set_state(record, "DELETING")

    def gone():
        s.set_state(record, "DELETED")
    Job(s, [record], [(s.step("container_repository"), gone)])
    return Reply(204)


# ---- object storage ---------------------------------------------------------------------------------------------

def get_namespace(s, call):
    return Reply(200, s.namespace)


# ---- bastion ------------------------------------------------------------------------------------------------------

def _bastion_wr(s, call, operation, record):
    data = {"operationType": operation, "status": "ACCEPTED", "compartmentId": record.data["compartmentId"],
            "resources": [{"entityType": "bastion", "actionType": "IN_PROGRESS", "identifier": record.id,
                           "entityUri": "/bastions/" + record.id}], "percentComplete": 0.0, "timeAccepted": s.now()}
    return s.add("bastion_work_request", data, call.region)


def _progress(s, wr, record, final_state, action):
    def start():
        wr.data.update(status="IN_PROGRESS", timeStarted=s.now(), percentComplete=50.0)

    def finish():
        s.set_state(record, final_state)
        wr.data.update(status="SUCCEEDED", timeFinished=s.now(), percentComplete=100.0)
        wr.data["resources"][0]["actionType"] = action
    step = s.step(record.kind)
    Job(s, [record], [(step, start), (step, finish)], work_request=wr)


def create_bastion(s, call):
    body = call.body
    if body.get("name") and not re.match(r"^[A-Za-z0-9]{1,255}$", body["name"]):
        # The console and the API reference: the name takes letters and digits only (error code guessed).
        raise ApiError(400, "InvalidParameter", "name must contain only alphanumeric characters")
    ttl = body.get("maxSessionTtlInSeconds")
    if ttl is not None and not 1800 <= ttl <= 10800:
        raise ApiError(400, "InvalidParameter", "maxSessionTtlInSeconds must be between 1800 and 10800")
    subnet = s.record(body["targetSubnetId"], "subnet", call.region)
    record = s.add("bastion", {
        "bastionType": body["bastionType"], "name": body.get("name") or "bastion%s" % s.now()[11:19].replace(":", ""),
        "compartmentId": body["compartmentId"], "targetVcnId": subnet.data["vcnId"], "targetSubnetId": subnet.id,
        "clientCidrBlockAllowList": body.get("clientCidrBlockAllowList") or [],
        "maxSessionTtlInSeconds": body.get("maxSessionTtlInSeconds") or 10800, "maxSessionsAllowed": 20,
        "dnsProxyStatus": body.get("dnsProxyStatus") or "DISABLED", "staticJumpHostIpAddresses": [],
        "timeCreated": s.now(), "lifecycleState": "CREATING", "freeformTags": body.get("freeformTags") or {},
        "definedTags": body.get("definedTags") or {}, "systemTags": {}}, call.region)
    record.data["privateEndpointIpAddress"] = s.allocate_ip(subnet, record, "bastion-" + record.id[-8:],
                                                            is_service=True)
    wr = _bastion_wr(s, call, "CREATE_BASTION", record)
    _progress(s, wr, record, "ACTIVE", "CREATED")
    return Reply(200, record.data, record=record, work_request=wr)


def get_bastion(s, call):
    record = s.record(call.params["bastionId"], "bastion", call.region)
    s.tick(record)
    return Reply(200, record.data, record=record)


def list_bastions(s, call):
    records = list_records(s, call, "bastion", handled=("bastionId", "bastionLifecycleState"))
    if call.arg("bastionId"):
        records = [r for r in records if r.id == call.arg("bastionId")]
    if call.arg("bastionLifecycleState"):
        records = [r for r in records if r.state == call.arg("bastionLifecycleState")]
    return Reply(200, [r.data for r in records], paginate=True)


def delete_bastion(s, call):
    record = s.record(call.params["bastionId"], "bastion", call.region)
    check_etag(call, record)
    if not record.alive:
        raise not_found()
    s.busy(record)
    wr = _bastion_wr(s, call, "DELETE_BASTION", record)
    s.set_state(record, "DELETING")
    for session in s.live("bastion_session", bastionId=record.id):
        s.set_state(session, "DELETED")
    s.release_ips(record)
    _progress(s, wr, record, "DELETED", "DELETED")
    return Reply(204, work_request=wr)


def _expire_sessions(s, records):
    """OCI deletes a session when its TTL has run out."""
    for record in records:
        if record.alive and record.data.get("lifecycleState") == "ACTIVE":
            created = datetime.datetime.strptime(record.data["timeCreated"], "%Y-%m-%dT%H:%M:%S.000Z").replace(
                tzinfo=datetime.timezone.utc)
            if s.clock >= created + datetime.timedelta(seconds=record.data["sessionTtlInSeconds"]):
                s.set_state(record, "DELETED")
                record.data["lifecycleDetails"] = "Session expired"


def create_session(s, call):
    body = call.body
    bastion = s.record(body["bastionId"], "bastion", call.region)
    if bastion.state != "ACTIVE":
        raise ApiError(409, "Conflict", "Bastion %s is %s" % (bastion.id, bastion.state))
    ttl = body.get("sessionTtlInSeconds") or 1800
    if not 1800 <= ttl <= bastion.data["maxSessionTtlInSeconds"]:
        raise ApiError(400, "InvalidParameter", "sessionTtlInSeconds must be between 1800 and the bastion's "
                                                "maxSessionTtlInSeconds (%d)" % bastion.data["maxSessionTtlInSeconds"])
    target = dict(body["targetResourceDetails"])
    record = s.add("bastion_session", {
        "displayName": body.get("displayName") or "Session-%s" % s.now()[11:19].replace(":", ""),
        "bastionId": bastion.id, "bastionName": bastion.data["name"], "targetResourceDetails": target,
        "keyType": body.get("keyType") or "PUB", "keyDetails": body["keyDetails"],
        "sessionTtlInSeconds": body.get("sessionTtlInSeconds") or 1800, "timeCreated": s.now(),
        "lifecycleState": "CREATING", "compartmentId": bastion.data["compartmentId"]}, call.region)
    record.data["bastionUserName"] = record.id
    host = "host.bastion.%s.oci.%s" % (call.region, DOMAIN)
    if target["sessionType"] == "PORT_FORWARDING":
        destination = target.get("targetResourcePrivateIpAddress") or target.get("targetResourceFqdn")
        command = ("ssh -i <privateKey> -N -L <localPort>:%s:%s -p 22 %s@%s"
                   % (destination, target.get("targetResourcePort", 22), record.id, host))
    else:
        command = ("ssh -i <privateKey> -o ProxyCommand=\"ssh -i <privateKey> -W %%h:%%p -p 22 %s@%s\" -p %s "
                   "%s@%s" % (record.id, host, target.get("targetResourcePort", 22),
                              target.get("targetResourceOperatingSystemUserName", "opc"),
                              target.get("targetResourcePrivateIpAddress")))
    record.data["sshMetadata"] = {"command": command}

    def ready():
        s.set_state(record, "ACTIVE")
    Job(s, [record], [(s.step("bastion_session"), ready)])
    return Reply(200, record.data, record=record)


def get_session(s, call):
    record = s.record(call.params["sessionId"], "bastion_session", call.region)
    s.tick(record)
    _expire_sessions(s, [record])
    return Reply(200, record.data, record=record)


def list_sessions(s, call):
    _expire_sessions(s, s.of_kind("bastion_session", call.region))
    records = [r for r in s.of_kind("bastion_session", call.region) if r.data["bastionId"] == call.arg("bastionId")
               and (not call.arg("displayName") or r.data["displayName"] == call.arg("displayName"))
               and (not call.arg("sessionLifecycleState") or r.state == call.arg("sessionLifecycleState"))
               and (not call.arg("sessionId") or r.id == call.arg("sessionId"))]
    return Reply(200, [r.data for r in records], paginate=True)


def delete_session(s, call):
    record = s.record(call.params["sessionId"], "bastion_session", call.region)
    if not record.alive:
        raise not_found()
    s.set_state(record, "DELETING")

    def gone():
        s.set_state(record, "DELETED")
    Job(s, [record], [(s.step("bastion_session"), gone)])
    return Reply(204)


def get_bastion_work_request(s, call):
    wr = s.record(call.params["workRequestId"], "bastion_work_request", call.region)
    s.tick(wr)
    return Reply(200, wr.data)


HANDLERS = {
    "identity.list_region_subscriptions": list_region_subscriptions, "identity.get_tenancy": get_tenancy,
    "identity.list_availability_domains": list_availability_domains,
    "identity.get_compartment": get_compartment, "identity.list_compartments": list_compartments,
    "identity.create_compartment": create_compartment, "identity.update_compartment": update_compartment,
    "identity.delete_compartment": delete_compartment, "identity.get_work_request": get_identity_work_request,
    "identity.create_policy": create_policy, "identity.get_policy": get_policy,
    "identity.list_policies": list_policies, "identity.update_policy": update_policy,
    "identity.delete_policy": delete_policy,
    "limits.get_resource_availability": get_resource_availability, "limits.list_limit_values": list_limit_values,
    "limits.list_limit_definitions": list_limit_definitions, "limits.list_services": list_limit_services,
    "artifacts.create_container_repository": create_container_repository,
    "artifacts.get_container_repository": get_container_repository,
    "artifacts.list_container_repositories": list_container_repositories,
    "artifacts.update_container_repository": update_container_repository,
    "artifacts.delete_container_repository": delete_container_repository,
    "object_storage.get_namespace": get_namespace,
    "bastion.create_bastion": create_bastion, "bastion.get_bastion": get_bastion,
    "bastion.list_bastions": list_bastions, "bastion.delete_bastion": delete_bastion,
    "bastion.create_session": create_session, "bastion.get_session": get_session,
    "bastion.list_sessions": list_sessions, "bastion.delete_session": delete_session,
    "bastion.get_work_request": get_bastion_work_request,
}
SERVICES = ()
