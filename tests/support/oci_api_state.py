"""The state behind the OCI stand-in: the Scenario a test edits, its resources and their lifecycles.

Resources are `Record`s: the resource as OCI sends it (camelCase fields of its SDK model, in `data`), its
kind, region and an in-flight `Job`. Ids are shaped like real OCIDs, `ocid1.<type>.oc99.<region>.aaaaaaaa<52
chars>` (global resources have an empty region part); the 52 characters come from a vowel-free base32-like
alphabet, so no English word (a label key such as `pool`, `node`, `app`) can occur in a random part and be
masked by Ansible's no_log in a module result (see ../shared/reference/oci.md part f).

Time is deterministic: transitions advance on reads, not on the wall clock. A mutation starts a `Job`: a list
of stages, each run after `steps` ticks. Every GET of the resource, or of its work request, ticks the job once
(before answering), so with the default `steps` of 1 a resource created in PROVISIONING/CREATING is AVAILABLE/
ACTIVE at the first poll and a work request goes ACCEPTED -> IN_PROGRESS -> SUCCEEDED over two polls (the SDK
waiters poll after 1 s, 2 s, 4 s...). Lists never tick. Knobs on the Scenario:

- `steps[kind]`: reads per stage for that kind (`vcn`, `subnet`, `cluster`, `node_pool`, `node`, ...; `default`).
- `freeze(kind_or_id)` / `release(kind_or_id)`: a frozen resource's job does not advance (a cluster stays
  CREATING and its work request IN_PROGRESS until released).
- `capacity[ad]`: how many more instances (OKE nodes) the AD has host capacity for (absent: unlimited). A node
  placed where there is none fails with OCI's node error `InternalError` / `Out of host capacity.` (500).
- `limits[(service, limit, ad or None)] = {"used", "available"}`: what the tenancy's limits leave, before the
  stand-in's own resources; its live nodes (A1 OCPUs and memory), volumes and boot volumes (GB) and load
  balancers are counted on top. A node beyond the A1 limits is accepted by CreateNodePool and fails in the work
  request with `LimitExceeded`.
- `gone_after`: reads after which a TERMINATED/DELETED resource answers 404 (default None: stays visible).
- `failures`, `page_size`: see oci_standin.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import random

from .oci_api_catalogue import ApiError, not_found

REALM = "oc99"
DOMAIN = "oci-standin.test"
REGION = "eu-standin-1"
REGION_KEY = "XSN"

_ALPHABET = "bcdfghjklmnpqrstvwxz234567"
_fixed = random.Random("eventstack-oke oci stand-in")


def _unique(rng):
    return "aaaaaaaa" + "".join(rng.choice(_ALPHABET) for _position in range(52))


def make_ocid(kind_type, region="", rng=None):
    return "ocid1.%s.%s.%s.%s" % (kind_type, REALM, region, _unique(rng or _fixed))


TENANCY = make_ocid("tenancy")
USER = make_ocid("user")
COMPARTMENT = make_ocid("compartment")
CLUSTER = make_ocid("cluster", REGION)
NODE_POOL = make_ocid("nodepool", REGION)


def ads_for(region):
    return ["Uocm:%s-AD-%d" % (region.upper(), n) for n in (1, 2, 3)]


ADS = ads_for(REGION)
DEAD = ("TERMINATED", "DELETED", "DETACHED")
WORK_REQUEST_KINDS = ("ce_work_request", "identity_work_request", "lb_work_request", "core_work_request",
                      "bastion_work_request")

# kind -> (OCID type, regional, states: created, ready, deleting, dead)
KINDS = {
    "compartment": ("compartment", False, ("CREATING", "ACTIVE", "DELETING", "DELETED")),
    "policy": ("policy", False, ("CREATING", "ACTIVE", "DELETING", "DELETED")),
    "vcn": ("vcn", True, ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED")),
    "subnet": ("subnet", True, ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED")),
    "internet_gateway": ("internetgateway", True, ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED")),
    "nat_gateway": ("natgateway", True, ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED")),
    "service_gateway": ("servicegateway", True, ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED")),
    "route_table": ("routetable", True, ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED")),
    "security_list": ("securitylist", True, ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED")),
    "dhcp_options": ("dhcpoptions", True, ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED")),
    "network_security_group": ("networksecuritygroup", True,
                               ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED")),
    "vnic": ("vnic", True, ("PROVISIONING", "AVAILABLE", "DETACHING", "DETACHED")),
    "private_ip": ("privateip", True, (None, None, None, None)),
    "cluster": ("cluster", True, ("CREATING", "ACTIVE", "DELETING", "DELETED")),
    "node_pool": ("nodepool", True, ("CREATING", "ACTIVE", "DELETING", "DELETED")),
    "node": ("instance", True, ("CREATING", "ACTIVE", "DELETING", "DELETED")),
    "load_balancer": ("loadbalancer", True, ("CREATING", "ACTIVE", "DELETING", "DELETED")),
    "volume": ("volume", True, ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED")),
    "boot_volume": ("bootvolume", True, ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED")),
    "container_repository": ("containerrepo", True, ("AVAILABLE", "AVAILABLE", "DELETING", "DELETED")),
    "bastion": ("bastion", True, ("CREATING", "ACTIVE", "DELETING", "DELETED")),
    "bastion_session": ("bastionsession", True, ("CREATING", "ACTIVE", "DELETING", "DELETED")),
    "ce_work_request": ("clustersworkrequest", True, (None, None, None, None)),
    "identity_work_request": ("workrequest", False, (None, None, None, None)),
    "lb_work_request": ("loadbalancerworkrequest", True, (None, None, None, None)),
    "core_work_request": ("coreservicesworkrequest", True, (None, None, None, None)),
    "bastion_work_request": ("bastionworkrequest", True, (None, None, None, None)),
}

# (service, limit) -> (scope, description); the limits the stand-in knows by default.
LIMIT_DEFINITIONS = {
    ("compute", "standard-a1-core-count"): ("AD", "VM.Standard.A1.Flex and BM.Standard.A1.160 OCPUs"),
    ("compute", "standard-a1-memory-count"): ("AD", "VM.Standard.A1.Flex and BM.Standard.A1.160 memory (GB)"),
    ("compute", "standard-a1-core-regional-count"): ("REGION", "A1 OCPUs in the region"),
    ("compute", "standard-a1-memory-regional-count"): ("REGION", "A1 memory (GB) in the region"),
    ("block-storage", "total-storage-gb"): ("AD", "Maximum storage space of block and boot volumes, in GB"),
    ("block-storage", "volume-count"): ("AD", "Total number of block and boot volumes"),
    ("block-storage", "total-free-storage-gb-regional"): ("REGION", "Always Free block and boot volume storage (GB)"),
    ("load-balancer", "lb-flexible-count"): ("REGION", "Flexible load balancers"),
    ("container-engine", "cluster-count"): ("REGION", "Clusters"),
}


class Record:
    """One resource: `data` is what OCI sends for it; `extra` holds what only the stand-in needs."""

    def __init__(self, kind, rid, data, region):
        self.kind = kind
        self.id = rid
        self.data = data
        self.region = region
        self.job = None
        self.version = 1
        self.dead_reads = 0
        self.extra = {}

    @property
    def state(self):
        return self.data.get("lifecycleState") or self.data.get("status")

    @property
    def alive(self):
        return self.state not in DEAD

    @property
    def etag(self):
        return hashlib.sha256(("%s/%d" % (self.id, self.version)).encode()).hexdigest()[:32]

    def touch(self):
        self.version += 1


class Job:
    """Stages run one after another, each after `steps` ticks; `targets` are the records it moves."""

    def __init__(self, scenario, targets, stages, work_request=None):
        self.scenario = scenario
        self.targets = list(targets)
        self.stages = list(stages)   # [(steps, callable)]
        self.work_request = work_request
        self.wait = self.stages[0][0] if self.stages else 0
        for record in self.targets:
            record.job = self
        if work_request is not None:
            work_request.job = self

    @property
    def done(self):
        return not self.stages

    def tick(self):
        if self.done or any(self.scenario.is_frozen(r) for r in self.targets):
            return
        if self.wait > 1:
            self.wait -= 1
            return
        _steps, stage = self.stages.pop(0)
        stage()
        if self.stages:
            self.wait = self.stages[0][0]
        else:
            for record in self.targets:
                if record.job is self:
                    record.job = None


class Scenario:
    """What the stand-in serves; tests read and change it (before or between requests)."""

    def __init__(self, region=REGION, region_key=REGION_KEY, home_region=None, home_region_key=None, seed=0,
                 clock=None):
        self.rng = random.Random(seed)
        self.region = region
        self.regions = {region: region_key}
        self.home_region = home_region or region
        if self.home_region not in self.regions:
            self.regions[self.home_region] = home_region_key or "XHM"
        self.region_ads = {}
        self.tenancy = TENANCY
        self.tenancy_name = "eventstack-tenancy"
        self.user = USER
        self.namespace = "axbcdfghjkl2"
        self.records = {}
        # Deterministic by default; `clock` (an aware datetime, e.g. now) where a client compares OCI's times with
        # its own (a bastion session's remaining lifetime).
        self._clock = clock or datetime.datetime(2026, 1, 5, 10, 0, 0, tzinfo=datetime.timezone.utc)
        self.steps = {"default": 1}
        self.frozen = set()
        self.capacity = {}
        self.gone_after = None
        self.failures = []   # [(path regex, [status, ...])] or [(method, path regex, [status, ...])]
        self.page_size = None
        self.kubernetes_versions = ["v1.32.10", "v1.33.1", "v1.34.1", "v1.34.2"]
        self.image_builds = [("2025.08.30-0", 1132), ("2025.09.16-0", 1186)]
        self.shapes = ["VM.Standard.A1.Flex", "VM.Standard.E4.Flex", "VM.Standard.E5.Flex", "VM.Standard3.Flex",
                       "VM.Standard2.1", "BM.Standard.A1.160"]
        # (service, limit, ad or None) -> availability; A1 defaults: 4 OCPU / 24 GB free in AD-1 only.
        self.limits = {}
        for ad in self.ads:
            free = ad.endswith("AD-1")
            self.limits[("compute", "standard-a1-core-count", ad)] = {"used": 0, "available": 4 if free else 0}
            self.limits[("compute", "standard-a1-memory-count", ad)] = {"used": 0, "available": 24 if free else 0}
            self.limits[("block-storage", "total-storage-gb", ad)] = {"used": 0, "available": 30720}
            self.limits[("block-storage", "volume-count", ad)] = {"used": 0, "available": 100}
        self.limits[("compute", "standard-a1-core-regional-count", None)] = {"used": 0, "available": 4}
        self.limits[("compute", "standard-a1-memory-regional-count", None)] = {"used": 0, "available": 24}
        self.limits[("block-storage", "total-free-storage-gb-regional", None)] = {"used": 0, "available": 200}
        self.limits[("load-balancer", "lb-flexible-count", None)] = {"used": 0, "available": 1}
        self.limits[("container-engine", "cluster-count", None)] = {"used": 0, "available": 15}
        self.add_compartment("eventstack", rid=COMPARTMENT)

    # ---- regions, clock, ids ------------------------------------------------------------------

    @property
    def ads(self):
        return self.region_ads.setdefault(self.region, ads_for(self.region))

    @ads.setter
    def ads(self, value):
        self.region_ads[self.region] = list(value)

    def ads_in(self, region):
        return self.region_ads.setdefault(region, ads_for(region))

    def subscribe(self, region, key):
        """Subscribe the tenancy to another region (ListRegionSubscriptions lists it); before the stand-in
        starts, which makes its certificate for the scenario's regions."""
        self.regions[region] = key

    def now(self):
        self._clock += datetime.timedelta(seconds=1)
        return self._clock.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def advance(self, seconds):
        """Let time pass (what expires with time, such as bastion sessions, expires)."""
        self._clock += datetime.timedelta(seconds=seconds)

    @property
    def clock(self):
        return self._clock

    def new_id(self, kind, region=None):
        ocid_type, regional, _states = KINDS[kind]
        return make_ocid(ocid_type, (region or self.region) if regional else "", self.rng)

    def step(self, kind):
        return self.steps.get(kind, self.steps.get("default", 1))

    # ---- records ------------------------------------------------------------------------------

    def add(self, kind, data, region=None, rid=None):
        rid = rid or data.get("id") or self.new_id(kind, region)
        data["id"] = rid
        record = Record(kind, rid, data, region or self.region)
        self.records[rid] = record
        return record

    def record(self, rid, kind=None, region=None):
        """The record with this id (of this kind, in this region) or a 404 as OCI answers."""
        record = self.records.get(rid)
        if record is None or (kind and record.kind not in ((kind,) if isinstance(kind, str) else kind)):
            raise not_found()
        if region and KINDS[record.kind][1] and record.region != region:
            raise not_found()
        if self.gone_after is not None and not record.alive:
            if record.dead_reads >= self.gone_after:
                raise not_found()
            record.dead_reads += 1
        return record

    def of_kind(self, kind, region=None):
        return [r for r in self.records.values() if r.kind == kind and (region is None or r.region == region)]

    def live(self, kind, **match):
        return [r for r in self.of_kind(kind) if r.alive and all(r.data.get(k) == v for k, v in match.items())]

    def is_frozen(self, record):
        return record.kind in self.frozen or record.id in self.frozen

    def freeze(self, kind_or_id):
        self.frozen.add(kind_or_id)

    def release(self, kind_or_id):
        self.frozen.discard(kind_or_id)

    def tick(self, record):
        if record.job is not None:
            record.job.tick()

    def busy(self, record):
        """409 when a job is in flight on the record (OKE: one work request per resource at a time)."""
        if record.job is not None and not record.job.done:
            wr = record.job.work_request
            raise ApiError(409, "Conflict", "Resource %s has an operation in progress%s; retry when it has finished"
                           % (record.id, " (work request %s)" % wr.id if wr is not None else ""))

    def settle(self, record):
        """Before a synchronous mutation: the record's pending transition (e.g. PROVISIONING -> AVAILABLE) is
        taken as done, as time would have passed on OCI; a frozen one is a 409 IncorrectState."""
        job = record.job
        if job is None or job.done:
            return
        if any(self.is_frozen(r) for r in job.targets):
            raise ApiError(409, "IncorrectState", "%s %s is %s" % (record.kind, record.id, record.state))
        while not job.done:
            job.wait = 1
            job.tick()

    def set_state(self, record, state, **fields):
        record.data["lifecycleState"] = state
        record.data.update(fields)
        record.touch()

    # ---- views ------------------------------------------------------------------------------------

    def state(self):
        """Every resource: kind, id, name, compartment, region, lifecycle state. Work requests are left out, and
        so are VNICs and private IPs: they belong to the node, load balancer or cluster endpoint listed."""
        rows = []
        for r in self.records.values():
            if r.kind in WORK_REQUEST_KINDS or r.kind in ("vnic", "private_ip"):
                continue
            rows.append({"kind": r.kind, "id": r.id, "name": r.data.get("displayName") or r.data.get("name")
                         or r.data.get("ipAddress"), "compartmentId": r.data.get("compartmentId"),
                         "region": r.region, "lifecycleState": r.state})
        return rows

    def view(self, record):
        """The resource as a GET shows it (a copy), with its kind: a node pool carries its current nodes."""
        data = dict(record.data, kind=record.kind)
        if record.kind == "node_pool":
            data["nodes"] = [dict(self.records[n].data) for n in record.extra.get("nodes", [])
                             if self.records[n].state != "DELETED"]
        return data

    def alive(self, kind=None, compartment=None):
        """The resources not TERMINATED/DELETED (as `view` shows them), optionally of one kind and/or in one
        compartment; work requests, VNICs and private IPs left out as in `state`."""
        return [self.view(r) for r in self.records.values()
                if r.kind not in WORK_REQUEST_KINDS and r.kind not in ("vnic", "private_ip") and r.alive
                and (kind is None or r.kind == kind)
                and (compartment is None or r.data.get("compartmentId") == compartment)]

    # ---- compatibility views for the check-module tests -------------------------------------------

    @property
    def compartments(self):
        return {r.id: r.data for r in self.of_kind("compartment")}

    @property
    def clusters(self):
        return {r.id: r.data for r in self.of_kind("cluster")}

    @property
    def node_pools(self):
        return {r.id: r.data for r in self.of_kind("node_pool")}

    # ---- limits -------------------------------------------------------------------------------

    def usage(self, service, limit, ad, region=None):
        """What the stand-in's own live resources use of a limit (added to the scenario's baseline)."""
        region = region or self.region
        nodes = [n for n in self.of_kind("node", region) if n.alive and n.extra.get("launched")]
        a1 = [n for n in nodes if n.extra.get("shape", "").startswith(("VM.Standard.A1", "BM.Standard.A1"))]
        if (service, limit) in (("compute", "standard-a1-core-count"), ("compute", "standard-a1-core-regional-count")):
            return sum(n.extra["ocpus"] for n in a1 if ad is None or n.data["availabilityDomain"] == ad)
        if (service, limit) in (("compute", "standard-a1-memory-count"),
                                ("compute", "standard-a1-memory-regional-count")):
            return sum(n.extra["memory"] for n in a1 if ad is None or n.data["availabilityDomain"] == ad)
        volumes = [v for kind in ("volume", "boot_volume") for v in self.of_kind(kind, region) if v.alive
                   and (ad is None or v.data["availabilityDomain"] == ad)]
        if (service, limit) in (("block-storage", "total-storage-gb"),
                                ("block-storage", "total-free-storage-gb-regional")):
            return sum(v.data.get("sizeInGBs") or 0 for v in volumes)
        if (service, limit) == ("block-storage", "volume-count"):
            return len(volumes)
        if (service, limit) == ("load-balancer", "lb-flexible-count"):
            return len([lb for lb in self.of_kind("load_balancer", region) if lb.alive])
        if (service, limit) == ("container-engine", "cluster-count"):
            return len([c for c in self.of_kind("cluster", region) if c.alive])
        return 0

    def availability(self, service, limit, ad, region=None):
        base = self.limits[(service, limit, ad)]
        used = self.usage(service, limit, ad, region)
        return {"used": base["used"] + used, "available": base["available"] - used}

    def exceeded(self, needs, ad, region=None):
        """The A1 limits that `needs` ({limit: amount}) would exceed in this AD (and region)."""
        names = []
        for limit, amount in needs.items():
            for key in ((limit, ad), (limit.replace("-count", "-regional-count"), None)):
                if ("compute",) + key in self.limits and self.availability("compute", key[0], key[1], region)[
                        "available"] < amount:
                    names.append(key[0])
        return names

    # ---- private IPs ----------------------------------------------------------------------------

    def allocate_ip(self, subnet, owner, display_name, is_service=False, nsg_ids=None):
        """A VNIC with a primary private IP in the subnet, held by `owner` (a node, LB, cluster endpoint)."""
        network = ipaddress.ip_network(subnet.data["cidrBlock"])
        used = {p.data["ipAddress"] for p in self.live_private_ips(subnet.id)}
        address = next(str(ip) for ip in list(network.hosts())[1:] if str(ip) not in used)
        when = self.now()
        vnic = self.add("vnic", {
            "availabilityDomain": subnet.data.get("availabilityDomain") or owner.data.get("availabilityDomain")
            or self.ads_in(subnet.region)[0], "compartmentId": owner.data.get("compartmentId"),
            "displayName": display_name, "freeformTags": {}, "definedTags": {}, "hostnameLabel": None,
            "isPrimary": True, "lifecycleState": "AVAILABLE", "macAddress": "02:00:17:00:%02x:%02x" % (
                len(used) // 256, len(used) % 256), "nsgIds": list(nsg_ids or []), "privateIp": address,
            "subnetId": subnet.id, "timeCreated": when, "skipSourceDestCheck": False}, subnet.region)
        vnic.extra["owner"] = owner.id
        vnic.extra["service"] = is_service
        private_ip = self.add("private_ip", {
            "availabilityDomain": vnic.data["availabilityDomain"], "compartmentId": owner.data.get("compartmentId"),
            "displayName": display_name, "freeformTags": {}, "definedTags": {}, "ipAddress": address,
            "isPrimary": True, "subnetId": subnet.id, "timeCreated": when, "vnicId": vnic.id,
            "ipState": "ASSIGNED", "lifetime": "EPHEMERAL"}, subnet.region)
        private_ip.extra["vnic"] = vnic.id
        owner.extra.setdefault("vnics", []).append(vnic.id)
        return address

    def release_ips(self, owner):
        for vnic_id in owner.extra.pop("vnics", []):
            vnic = self.records[vnic_id]
            self.set_state(vnic, "DETACHED")
            for private_ip in self.of_kind("private_ip"):
                if private_ip.data["vnicId"] == vnic_id:
                    private_ip.data["ipState"] = "AVAILABLE"
                    private_ip.extra["released"] = True

    def live_private_ips(self, subnet_id):
        return [p for p in self.of_kind("private_ip") if p.data["subnetId"] == subnet_id
                and not p.extra.get("released")]

    # ---- seeding helpers ------------------------------------------------------------------------

    def add_compartment(self, name, parent=None, rid=None, state="ACTIVE", description=""):
        return self.add("compartment", {
            "compartmentId": parent or self.tenancy, "name": name, "description": description,
            "lifecycleState": state, "timeCreated": "2026-01-05T10:00:00.000Z", "freeformTags": {},
            "definedTags": {}, "isAccessible": True}, rid=rid).id

    def add_vcn(self, cidr="10.0.0.0/16", display_name="vcn", compartment=None, freeform_tags=None,
                defined_tags=None, dns_label=None, region=None):
        """An AVAILABLE VCN with its default route table, security list and DHCP options (untagged unless
        told), as if made outside the collection, e.g. for adoption tests. Returns its id."""
        from .oci_api_network import new_vcn  # the network module knows OCI's defaults for a new VCN
        record = new_vcn(self, {"cidrBlocks": [cidr], "compartmentId": compartment or COMPARTMENT,
                                "displayName": display_name, "dnsLabel": dns_label,
                                "freeformTags": dict(freeform_tags or {}), "definedTags": dict(defined_tags or {})},
                         region or self.region, "AVAILABLE")
        return record.id

    def add_subnet(self, vcn_id, cidr, display_name="subnet", compartment=None, freeform_tags=None, public=False):
        from .oci_api_network import new_subnet
        vcn = self.records[vcn_id]
        body = {"cidrBlock": cidr, "compartmentId": compartment or vcn.data["compartmentId"], "vcnId": vcn_id,
                "displayName": display_name, "freeformTags": dict(freeform_tags or {}),
                "prohibitPublicIpOnVnic": not public}
        return new_subnet(self, body, vcn, "AVAILABLE").id

    def add_load_balancer(self, subnet_id, cluster_id=None, display_name=None, freeform_tags=None,
                          defined_tags=None, compartment=None, is_private=False, nsg_ids=None):
        """An ACTIVE flexible load balancer in the subnet, as OKE's cloud controller makes one for a Service of
        type LoadBalancer: named after the Service's UID, with OKE's system tag orcl-containerengine.Cluster,
        holding a private IP (service VNIC) in the subnet. Returns its id."""
        subnet = self.records[subnet_id]
        data = {"compartmentId": compartment or subnet.data["compartmentId"],
                "displayName": display_name or "%08x-0000-4000-8000-%012x" % (self.rng.getrandbits(32),
                                                                              self.rng.getrandbits(48)),
                "lifecycleState": "ACTIVE", "timeCreated": self.now(), "shapeName": "flexible",
                "shapeDetails": {"minimumBandwidthInMbps": 10, "maximumBandwidthInMbps": 10},
                "isPrivate": is_private, "subnetIds": [subnet_id], "networkSecurityGroupIds": list(nsg_ids or []),
                "listeners": {}, "hostnames": {}, "sslCipherSuites": {}, "certificates": {}, "backendSets": {},
                "pathRouteSets": {}, "ruleSets": {}, "routingPolicies": {}, "ipMode": "IPV4",
                "freeformTags": dict(freeform_tags or {}), "definedTags": dict(defined_tags or {}),
                "systemTags": {"orcl-containerengine": {"Cluster": cluster_id}} if cluster_id else {}}
        record = self.add("load_balancer", data, subnet.region)
        address = self.allocate_ip(subnet, record, "lb-" + record.id[-8:], is_service=True, nsg_ids=nsg_ids)
        public = "203.0.113.%d" % (100 + len(self.of_kind("load_balancer")))
        data["ipAddresses"] = [{"ipAddress": address if is_private else public, "isPublic": not is_private}]
        return record.id

    def add_volume(self, availability_domain=None, size_in_gbs=50, display_name=None, compartment=None,
                   cluster_id=None, freeform_tags=None, defined_tags=None, boot=False, region=None):
        """An AVAILABLE block volume (or boot volume), as OKE's CSI driver makes one for a PVC: named after the
        PV, with OKE's system tag orcl-containerengine.Cluster when a cluster is given. Returns its id."""
        region = region or self.region
        data = {"availabilityDomain": availability_domain or self.ads_in(region)[0],
                "compartmentId": compartment or COMPARTMENT,
                "displayName": display_name or "csi-%08x-%04x" % (self.rng.getrandbits(32), self.rng.getrandbits(16)),
                "freeformTags": dict(freeform_tags or {}), "definedTags": dict(defined_tags or {}),
                "systemTags": {"orcl-containerengine": {"Cluster": cluster_id}} if cluster_id else {},
                "lifecycleState": "AVAILABLE", "sizeInGBs": size_in_gbs, "sizeInMBs": size_in_gbs * 1024,
                "timeCreated": self.now(), "vpusPerGB": 10, "isHydrated": True}
        return self.add("boot_volume" if boot else "volume", data, region).id

    def add_cluster(self, state="ACTIVE", nodes=None, pool_state="ACTIVE", ocpus=2, memory=8, size=None,
                    name="eventstack-dev", version="v1.34.2", compartment=None, vcn_id=None):
        """The cluster CLUSTER with its node pool NODE_POOL holding `nodes` (dicts from `node()`), settled."""
        from .oci_api_oke import seed_cluster
        nodes = [node(1, self.ads[0])] if nodes is None else nodes
        seed_cluster(self, state, nodes, pool_state, ocpus, memory, size, name, version,
                     compartment or COMPARTMENT, vcn_id)

    def add_work_request(self, wr_id, operation, status, accepted, errors=None, resource=None):
        """A finished Container Engine work request on CLUSTER (or `resource`), with its errors."""
        record = self.add("ce_work_request", {
            "id": wr_id, "operationType": operation, "status": status, "compartmentId": COMPARTMENT,
            "resources": [{"actionType": "CREATED", "entityType": "cluster", "identifier": resource or CLUSTER,
                           "entityUri": "/clusters/" + (resource or CLUSTER)}],
            "timeAccepted": accepted, "timeStarted": accepted, "timeFinished": accepted}, rid=wr_id)
        record.extra["errors"] = [{"code": c, "message": m, "timestamp": accepted} for c, m in errors or []]
        record.extra["logs"] = []


def node(index, ad, state="ACTIVE", error=None, version="v1.34.2"):
    """A node of a node pool, as OKE reports it (for Scenario.add_cluster)."""
    return {"id": make_ocid("instance", REGION, random.Random(index)), "name": "oke-node-%d" % index,
            "availabilityDomain": ad, "privateIp": "10.0.16.%d" % (10 + index), "lifecycleState": state,
            "lifecycleDetails": "", "nodeError": error, "kubernetesVersion": version,
            "faultDomain": "FAULT-DOMAIN-1"}


def paginate(items, call, scenario):
    """(page of items, next page token or None): `limit`/`page` query, or the scenario's page size."""
    try:
        size = int(call.arg("limit")) if call.arg("limit") else None
    except ValueError:
        raise ApiError(400, "InvalidParameter", "limit must be an integer")
    if scenario.page_size:
        size = min(size, scenario.page_size) if size else scenario.page_size
    token = call.arg("page")
    start = 0
    if token:
        if not token.startswith("pg-") or not token[3:].isdigit():
            raise ApiError(400, "InvalidParameter", "Invalid page token %r" % token)
        start = int(token[3:])
    if not size:
        return items[start:], None
    page = items[start:start + size]
    return page, ("pg-%d" % (start + size) if start + size < len(items) else None)


_SORT_FIELDS = {"TIMECREATED": "timeCreated", "TIME_CREATED": "timeCreated", "DISPLAYNAME": "displayName",
                "NAME": "name", "ID": "id", "timeCreated": "timeCreated", "displayName": "displayName",
                "name": "name", "TIMEACCEPTED": "timeAccepted", "OPERATION_TYPE": "operationType",
                "STATUS": "status", "TIME_ACCEPTED": "timeAccepted", "TIME_STARTED": "timeStarted",
                "TIME_FINISHED": "timeFinished", "TIMEUPDATED": "timeUpdated", "timeUpdated": "timeUpdated"}


def list_records(scenario, call, kind, handled=(), region=True, data_of=None):
    """The records of a kind a List call asks for: every query parameter that names a field of the resource
    filters on it (a repeated one means any of its values); sortBy/sortOrder sort; unknown filters are a 501
    so a test never gets a silently unfiltered list."""
    records = scenario.of_kind(kind, call.region if region and KINDS[kind][1] else None)
    sample_fields = set(call.op.response_fields())
    for name, values in call.query.items():
        if name in ("limit", "page", "sortBy", "sortOrder") or name in handled:
            continue
        if name not in sample_fields:
            raise ApiError(501, "NotImplemented", "the stand-in does not model the %s filter of %s"
                           % (name, call.op.name))
        records = [r for r in records if _value(r, name, data_of) in values]
    key = _SORT_FIELDS.get(call.arg("sortBy") or "")
    if key:
        records = sorted(records, key=lambda r: str(_value(r, key, data_of) or ""),
                         reverse=call.arg("sortOrder", "ASC" if key != "timeCreated" else "DESC") == "DESC")
    elif call.arg("sortOrder") == "DESC":
        records = list(reversed(records))
    return records


def _value(record, name, data_of):
    data = data_of(record) if data_of else record.data
    value = data.get(name)
    if value is None and name == "timeCreated":
        value = (data.get("metadata") or {}).get("timeCreated")
    if isinstance(value, bool):
        return str(value).lower()
    return value
