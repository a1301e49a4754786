"""Core Services (20160918: virtual network, block storage, core work requests) and Load Balancing (20170115).

Behaviour as the API reference (quoted in the SDK's docstrings) documents it:

- Create answers 200 with the resource in PROVISIONING; it becomes AVAILABLE as it is read (see
  oci_api_state). Delete answers 204; the resource goes TERMINATING, then TERMINATED (still readable and
  listed, as OCI shows terminated network resources for a while; `Scenario.gone_after` makes it 404 later).
- A VCN comes with its default route table (no rules), default security list (OCI's default rules: SSH 22 and
  ICMP 3/4 from anywhere, ICMP 3 from the VCN, all egress) and default DHCP options; their ids are in the VCN.
- Deletes that would leave a dangling reference are refused with 409 `Conflict` and OCI's message shape
  "The <Kind> <id> references the <Kind> <id>. You must remove the reference to proceed with this operation."
  (the subnet/VNIC wording is from an OCI answer quoted in oracle/terraform-provider-oci#2185): a VCN with
  subnets, gateways, NSGs or non-default route tables/security lists/DHCP options; a subnet holding private
  IPs (nodes, load balancers, a cluster's API endpoint); a gateway a route rule targets; a route table or
  security list a subnet uses; an NSG a VNIC, load balancer, cluster endpoint or node pool uses. A VCN's
  default route table/security list cannot be deleted on their own (409, message guessed).
- A subnet CIDR must lie in the VCN's CIDRs and not overlap another live subnet (400 `InvalidParameter`, "The
  requested CIDR ... is invalid: subnet ... with CIDR ... overlaps with this CIDR.").
- NSG rules: Add/Update take at most 25 rules per call (AddNetworkSecurityGroupSecurityRulesDetails doc); rule
  ids are 6 hex characters; a NETWORK_SECURITY_GROUP source/destination must be an existing NSG.
- Load balancers (made by tests with Scenario.add_load_balancer, as OKE's cloud controller makes them) are
  listed, read and deleted; DeleteLoadBalancer is asynchronous: 204 with `opc-work-request-id`, followed with
  GetWorkRequest of the load balancer service (lifecycleState ACCEPTED -> IN_PROGRESS -> SUCCEEDED).
"""

from __future__ import annotations

import ipaddress
import random
import re

from .oci_api_catalogue import ApiError, Reply
from .oci_api_state import Job, list_records, make_ocid

NAMES = {"vcn": "Vcn", "subnet": "Subnet", "internet_gateway": "InternetGateway", "nat_gateway": "NatGateway",
         "service_gateway": "ServiceGateway", "route_table": "RouteTable", "security_list": "SecurityList",
         "dhcp_options": "DhcpOptions", "network_security_group": "NetworkSecurityGroup", "vnic": "VNIC",
         "load_balancer": "LoadBalancer", "cluster": "Cluster", "node_pool": "NodePool"}
VCN_CHILDREN = ("subnet", "internet_gateway", "nat_gateway", "service_gateway", "network_security_group",
                "route_table", "security_list", "dhcp_options")


def conflict(kind, rid, ref_kind, ref_id):
    return ApiError(409, "Conflict", "The %s %s references the %s %s. You must remove the reference to proceed "
                    "with this operation." % (NAMES[kind], rid, ref_kind, ref_id))


def invalid(message):
    return ApiError(400, "InvalidParameter", message)


def check_etag(call, record):
    wanted = call.headers.get("if-match")
    if wanted and wanted != record.etag:
        raise ApiError(412, "NoEtagMatch", "The resource's etag does not match the value of the if-match header.")


def make_ready(s, record, ready, kind=None):
    """The job that moves a just-created record to its ready state."""
    def finish():
        s.set_state(record, ready)
    Job(s, [record], [(s.step(kind or record.kind), finish)])


def terminate(s, record, then=None, kind=None):
    dying = {"AVAILABLE": "TERMINATING", "ACTIVE": "DELETING"}.get(record.state, "TERMINATING")
    dead = "TERMINATED" if dying == "TERMINATING" else "DELETED"
    s.set_state(record, dying)

    def finish():
        s.set_state(record, dead)
        if then:
            then()
    Job(s, [record], [(s.step(kind or record.kind), finish)])


def live_vcn(s, call, vcn_id):
    vcn = s.record(vcn_id, "vcn", call.region)
    if vcn.state not in ("PROVISIONING", "AVAILABLE", "UPDATING"):
        raise ApiError(409, "IncorrectState", "The VCN %s is %s" % (vcn_id, vcn.state))
    return vcn


def _base(s, call, body, fields):
    data = {k: body.get(k) for k in fields if k in body}
    data.setdefault("freeformTags", {})
    data.setdefault("definedTags", {})
    data["systemTags"] = {}
    data["timeCreated"] = s.now()
    return data


# ---- VCN ------------------------------------------------------------------------------------------------

_DNS_LABEL = re.compile(r"^[a-zA-Z][a-zA-Z0-9]{0,14}$")


def new_vcn(s, body, region, state="PROVISIONING"):
    cidrs = body.get("cidrBlocks") or ([body["cidrBlock"]] if body.get("cidrBlock") else [])
    if not cidrs:
        raise ApiError(400, "MissingParameter", "Missing required parameter 'cidrBlocks' (or 'cidrBlock')")
    for cidr in cidrs:
        try:
            network = ipaddress.ip_network(cidr)
        except ValueError:
            raise invalid("The requested CIDR %s is invalid" % cidr)
        if not 16 <= network.prefixlen <= 30:
            raise invalid("The requested CIDR %s is invalid: the prefix must be between /16 and /30" % cidr)
    label = body.get("dnsLabel")
    if label and not _DNS_LABEL.match(label):
        raise invalid("Invalid dnsLabel %r" % label)
    data = {k: body.get(k) for k in ("compartmentId", "displayName", "dnsLabel", "freeformTags", "definedTags",
                                     "isZprOnly", "securityAttributes") if body.get(k) is not None}
    data.update({"cidrBlock": cidrs[0], "cidrBlocks": list(cidrs), "lifecycleState": state,
                 "timeCreated": s.now(), "systemTags": {}, "ipv6CidrBlocks": [], "byoipv6CidrBlocks": [],
                 "ipv6PrivateCidrBlocks": []})
    data.setdefault("freeformTags", {})
    data.setdefault("definedTags", {})
    data.setdefault("displayName", "vcn%s" % s.now().replace(":", "").replace("-", "")[:15])
    if label:
        data["vcnDomainName"] = "%s.oraclevcn.com" % label.lower()
    vcn = s.add("vcn", data, region)
    name = data["displayName"]
    common = {"compartmentId": data["compartmentId"], "vcnId": vcn.id, "lifecycleState": state,
              "freeformTags": {}, "definedTags": {}, "systemTags": {}}
    route_table = s.add("route_table", dict(common, displayName="Default Route Table for " + name, routeRules=[],
                                            timeCreated=s.now()), region)
    everywhere = "0.0.0.0/0"
    security_list = s.add("security_list", dict(
        common, displayName="Default Security List for " + name, timeCreated=s.now(),
        ingressSecurityRules=[
            {"protocol": "6", "source": everywhere, "sourceType": "CIDR_BLOCK", "isStateless": False,
             "tcpOptions": {"destinationPortRange": {"min": 22, "max": 22}}},
            {"protocol": "1", "source": everywhere, "sourceType": "CIDR_BLOCK", "isStateless": False,
             "icmpOptions": {"type": 3, "code": 4}},
            {"protocol": "1", "source": cidrs[0], "sourceType": "CIDR_BLOCK", "isStateless": False,
             "icmpOptions": {"type": 3}}],
        egressSecurityRules=[{"protocol": "all", "destination": everywhere, "destinationType": "CIDR_BLOCK",
                              "isStateless": False}]), region)
    options = [{"type": "DomainNameServer", "serverType": "VcnLocalPlusInternet"}]
    if label:
        options.append({"type": "SearchDomain", "searchDomainNames": [data["vcnDomainName"]]})
    dhcp = s.add("dhcp_options", dict(common, displayName="Default DHCP Options for " + name, options=options,
                                      domainNameType="CUSTOM_DOMAIN", timeCreated=s.now()), region)
    for record in (route_table, security_list, dhcp):
        record.extra["default_of"] = vcn.id
    data.update(defaultRouteTableId=route_table.id, defaultSecurityListId=security_list.id,
                defaultDhcpOptionsId=dhcp.id)
    if state != "AVAILABLE":
        defaults = [route_table, security_list, dhcp]

        def ready():
            for record in [vcn] + defaults:
                s.set_state(record, "AVAILABLE")
        Job(s, [vcn] + defaults, [(s.step("vcn"), ready)])
    return vcn


def create_vcn(s, call):
    vcn = new_vcn(s, call.body, call.region)
    return Reply(200, vcn.data, record=vcn)


def delete_vcn(s, call):
    vcn = s.record(call.params["vcnId"], "vcn", call.region)
    check_etag(call, vcn)
    s.settle(vcn)
    if not vcn.alive:
        raise ApiError(404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
    for kind in VCN_CHILDREN:
        for child in s.live(kind, vcnId=vcn.id):
            if child.extra.get("default_of") != vcn.id:
                raise conflict("vcn", vcn.id, NAMES[kind], child.id)
    defaults = [r for kind in ("route_table", "security_list", "dhcp_options") for r in s.live(kind, vcnId=vcn.id)]
    for record in defaults:
        s.set_state(record, "TERMINATING")

    def gone():
        for record in defaults:
            s.set_state(record, "TERMINATED")
    terminate(s, vcn, gone)
    return Reply(204)


# ---- subnets --------------------------------------------------------------------------------------------

def _check_subnet_cidr(s, vcn, cidr, subnet_id=None):
    try:
        network = ipaddress.ip_network(cidr)
    except ValueError:
        raise invalid("The requested CIDR %s is invalid" % cidr)
    if not any(network.subnet_of(ipaddress.ip_network(c)) for c in vcn.data["cidrBlocks"]):
        raise invalid("The requested CIDR %s is invalid: it is not within the VCN's CIDR blocks %s"
                      % (cidr, ", ".join(vcn.data["cidrBlocks"])))
    for other in s.live("subnet", vcnId=vcn.id):
        if other.id != subnet_id and network.overlaps(ipaddress.ip_network(other.data["cidrBlock"])):
            raise invalid("The requested CIDR %s is invalid: subnet %s with CIDR %s overlaps with this CIDR."
                          % (cidr, other.id, other.data["cidrBlock"]))


def _check_same_vcn(s, vcn, kind, ids, field):
    for rid in ids:
        record = s.records.get(rid)
        if record is None or record.kind != kind or not record.alive:
            raise ApiError(404, "NotAuthorizedOrNotFound", "%s %s not found" % (field, rid))
        if record.data.get("vcnId") != vcn.id:
            raise invalid("%s %s belongs to another VCN" % (field, rid))


def new_subnet(s, body, vcn, state="PROVISIONING"):
    cidr = body.get("cidrBlock")
    _check_subnet_cidr(s, vcn, cidr)
    ad = body.get("availabilityDomain")
    if ad and ad not in s.ads_in(vcn.region):
        raise invalid("Invalid availabilityDomain %s" % ad)
    _check_same_vcn(s, vcn, "route_table", [body["routeTableId"]] if body.get("routeTableId") else [], "routeTableId")
    _check_same_vcn(s, vcn, "security_list", body.get("securityListIds") or [], "securityListIds")
    label = body.get("dnsLabel")
    if label and not _DNS_LABEL.match(label):
        raise invalid("Invalid dnsLabel %r" % label)
    data = {k: body.get(k) for k in ("availabilityDomain", "compartmentId", "definedTags", "displayName", "dnsLabel",
                                     "freeformTags", "vcnId") if body.get(k) is not None}
    network = ipaddress.ip_network(cidr)
    private = bool(body.get("prohibitPublicIpOnVnic", body.get("prohibitInternetIngress", False)))
    data.update({"cidrBlock": cidr, "ipv4CidrBlocks": [cidr], "lifecycleState": state, "timeCreated": s.now(),
                 "routeTableId": body.get("routeTableId") or vcn.data["defaultRouteTableId"],
                 "securityListIds": body.get("securityListIds") or [vcn.data["defaultSecurityListId"]],
                 "dhcpOptionsId": body.get("dhcpOptionsId") or vcn.data["defaultDhcpOptionsId"],
                 "prohibitPublicIpOnVnic": private, "prohibitInternetIngress": private,
                 "virtualRouterIp": str(next(network.hosts())), "virtualRouterMac": "00:00:17:5A:0C:01",
                 "systemTags": {}, "ipv6CidrBlocks": []})
    data.setdefault("freeformTags", {})
    data.setdefault("definedTags", {})
    if label and vcn.data.get("vcnDomainName"):
        data["subnetDomainName"] = "%s.%s" % (label.lower(), vcn.data["vcnDomainName"])
    subnet = s.add("subnet", data, vcn.region)
    if state != "AVAILABLE":
        make_ready(s, subnet, "AVAILABLE")
    return subnet


def create_subnet(s, call):
    vcn = live_vcn(s, call, call.body["vcnId"])
    subnet = new_subnet(s, call.body, vcn)
    return Reply(200, subnet.data, record=subnet)


def update_subnet(s, call):
    subnet = s.record(call.params["subnetId"], "subnet", call.region)
    check_etag(call, subnet)
    s.settle(subnet)
    vcn = s.records[subnet.data["vcnId"]]
    body = call.body
    if body.get("cidrBlock"):
        _check_subnet_cidr(s, vcn, body["cidrBlock"], subnet.id)
        body = dict(body, ipv4CidrBlocks=[body["cidrBlock"]])
    _check_same_vcn(s, vcn, "route_table", [body["routeTableId"]] if body.get("routeTableId") else [], "routeTableId")
    _check_same_vcn(s, vcn, "security_list", body.get("securityListIds") or [], "securityListIds")
    return merge(s, subnet, body)


def delete_subnet(s, call):
    subnet = s.record(call.params["subnetId"], "subnet", call.region)
    check_etag(call, subnet)
    s.settle(subnet)
    if not subnet.alive:
        raise ApiError(404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
    for private_ip in s.live_private_ips(subnet.id):
        vnic = s.records[private_ip.data["vnicId"]]
        raise conflict("subnet", subnet.id, "service VNIC" if vnic.extra.get("service") else "VNIC", vnic.id)
    terminate(s, subnet)
    return Reply(204)


# ---- gateways, route tables, security lists, DHCP options ----------------------------------------------

def _route_entities(s, vcn, rules):
    for index, rule in enumerate(rules or []):
        target = s.records.get(rule.get("networkEntityId"))
        if target is None or not target.alive:
            raise invalid("routeRules[%d].networkEntityId %s does not exist" % (index, rule.get("networkEntityId")))
        if target.kind in ("internet_gateway", "nat_gateway", "service_gateway") and target.data["vcnId"] != vcn.id:
            raise invalid("routeRules[%d].networkEntityId %s belongs to another VCN" % (index, target.id))
        destination_type = rule.get("destinationType") or "CIDR_BLOCK"
        if target.kind == "service_gateway" and destination_type != "SERVICE_CIDR_BLOCK":
            raise invalid("routeRules[%d]: a rule targeting a service gateway needs destinationType "
                          "SERVICE_CIDR_BLOCK" % index)
        if destination_type == "SERVICE_CIDR_BLOCK":
            labels = {svc["cidrBlock"] for svc in services(s, vcn.region)}
            if rule.get("destination") not in labels:
                raise invalid("routeRules[%d].destination %s is not a service CIDR label"
                              % (index, rule.get("destination")))


def _rules(rules):
    out = []
    for rule in rules or []:
        rule = dict(rule)
        if rule.get("cidrBlock") and not rule.get("destination"):
            rule["destination"] = rule["cidrBlock"]
            rule.setdefault("destinationType", "CIDR_BLOCK")
        rule.setdefault("destinationType", "CIDR_BLOCK")
        rule["cidrBlock"] = rule.get("destination") if rule["destinationType"] == "CIDR_BLOCK" else None
        rule.setdefault("routeType", "STATIC")
        out.append(rule)
    return out


def _security_rules(rules, direction):
    out = []
    for rule in rules or []:
        rule = dict(rule)
        rule.setdefault("isStateless", False)
        rule.setdefault("sourceType" if direction == "INGRESS" else "destinationType", "CIDR_BLOCK")
        out.append(rule)
    return out


FIELDS = {
    "internet_gateway": ("compartmentId", "definedTags", "displayName", "freeformTags", "isEnabled", "vcnId",
                         "routeTableId"),
    "nat_gateway": ("compartmentId", "definedTags", "displayName", "freeformTags", "blockTraffic", "vcnId",
                    "routeTableId", "publicIpId"),
    "service_gateway": ("compartmentId", "definedTags", "displayName", "freeformTags", "routeTableId", "vcnId"),
    "route_table": ("compartmentId", "definedTags", "displayName", "freeformTags", "vcnId"),
    "security_list": ("compartmentId", "definedTags", "displayName", "freeformTags", "vcnId"),
    "dhcp_options": ("compartmentId", "definedTags", "displayName", "freeformTags", "vcnId", "options",
                     "domainNameType"),
    "network_security_group": ("compartmentId", "definedTags", "displayName", "freeformTags", "vcnId"),
}


def _creator(kind, id_param):
    def create(s, call):
        body = call.body
        vcn = live_vcn(s, call, body["vcnId"])
        data = _base(s, call, body, FIELDS[kind])
        data["lifecycleState"] = "PROVISIONING"
        if body.get("routeTableId"):
            _check_same_vcn(s, vcn, "route_table", [body["routeTableId"]], "routeTableId")
        if kind == "nat_gateway":
            data.setdefault("blockTraffic", False)
            data["natIp"] = "203.0.113.%d" % (10 + len(s.of_kind("nat_gateway")))
        elif kind == "service_gateway":
            data["blockTraffic"] = False
            data["services"] = _services(s, vcn.region, body["services"])
        elif kind == "route_table":
            _route_entities(s, vcn, body.get("routeRules"))
            data["routeRules"] = _rules(body.get("routeRules"))
        elif kind == "security_list":
            data["ingressSecurityRules"] = _security_rules(body.get("ingressSecurityRules"), "INGRESS")
            data["egressSecurityRules"] = _security_rules(body.get("egressSecurityRules"), "EGRESS")
        elif kind == "network_security_group":
            data["securityAttributes"] = {}
        data.setdefault("displayName", "%s%s" % (kind.replace("_", ""), s.now()[11:19].replace(":", "")))
        record = s.add(kind, data, call.region)
        record.extra["rules"] = []
        make_ready(s, record, "AVAILABLE")
        return Reply(200, record.data, record=record)
    create.id_param = id_param
    return create


def merge(s, record, body):
    """Update: the Update*Details fields given replace the resource's (tags replace the whole map)."""
    for key, value in body.items():
        if value is not None:
            record.data[key] = value
    record.touch()
    return Reply(200, record.data, record=record)


def _updater(kind, id_param):
    def update(s, call):
        record = s.record(call.params[id_param], kind, call.region)
        check_etag(call, record)
        s.settle(record)
        if not record.alive:
            raise ApiError(409, "IncorrectState", "The %s %s is %s" % (NAMES[kind], record.id, record.state))
        body = dict(call.body)
        vcn = s.records.get(record.data.get("vcnId"))
        if body.get("routeTableId"):
            _check_same_vcn(s, vcn, "route_table", [body["routeTableId"]], "routeTableId")
        if kind == "route_table" and "routeRules" in body:
            _route_entities(s, vcn, body["routeRules"])
            body["routeRules"] = _rules(body["routeRules"])
        if kind == "security_list":
            for key, direction in (("ingressSecurityRules", "INGRESS"), ("egressSecurityRules", "EGRESS")):
                if key in body:
                    body[key] = _security_rules(body[key], direction)
        if kind == "service_gateway" and "services" in body:
            body["services"] = _services(s, record.region, body["services"])
        return merge(s, record, body)
    return update


def _getter(kind, id_param):
    def get(s, call):
        record = s.record(call.params[id_param], kind, call.region)
        s.tick(record)
        return Reply(200, record.data, record=record)
    return get


def _lister(kind, handled=()):
    def listing(s, call):
        records = list_records(s, call, kind, handled=handled)
        return Reply(200, [r.data for r in records], paginate=True)
    return listing


def _references(s, record):
    """(kind name, id) of the first live resource that still references `record`, or None."""
    rid = record.id
    if record.extra.get("default_of") and s.records[record.extra["default_of"]].alive \
            and record.kind in ("route_table", "security_list", "dhcp_options"):
        return "Vcn", record.extra["default_of"]
    if record.kind in ("internet_gateway", "nat_gateway", "service_gateway"):
        for table in s.of_kind("route_table"):
            if table.alive and any(r.get("networkEntityId") == rid for r in table.data.get("routeRules") or []):
                return "RouteTable", table.id
    if record.kind == "route_table":
        for kind in ("subnet", "internet_gateway", "nat_gateway", "service_gateway"):
            for user in s.of_kind(kind):
                if user.alive and user.data.get("routeTableId") == rid:
                    return NAMES[kind], user.id
    if record.kind == "security_list":
        for subnet in s.of_kind("subnet"):
            if subnet.alive and rid in (subnet.data.get("securityListIds") or []):
                return "Subnet", subnet.id
    if record.kind == "dhcp_options":
        for subnet in s.of_kind("subnet"):
            if subnet.alive and subnet.data.get("dhcpOptionsId") == rid:
                return "Subnet", subnet.id
    if record.kind == "network_security_group":
        for vnic in s.of_kind("vnic"):
            if vnic.alive and rid in (vnic.data.get("nsgIds") or []):
                return "VNIC", vnic.id
        for lb in s.of_kind("load_balancer"):
            if lb.alive and rid in (lb.data.get("networkSecurityGroupIds") or []):
                return "LoadBalancer", lb.id
        for cluster in s.of_kind("cluster"):
            if cluster.alive and rid in ((cluster.data.get("endpointConfig") or {}).get("nsgIds") or []):
                return "Cluster", cluster.id
        for pool in s.of_kind("node_pool"):
            if pool.alive and rid in ((pool.data.get("nodeConfigDetails") or {}).get("nsgIds") or []):
                return "NodePool", pool.id
    return None


def _deleter(kind, id_param):
    def delete(s, call):
        record = s.record(call.params[id_param], kind, call.region)
        check_etag(call, record)
        s.settle(record)
        if not record.alive:
            raise ApiError(404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
        if record.extra.get("default_of") and kind in ("route_table", "security_list", "dhcp_options"):
            raise ApiError(409, "Conflict", "The default %s of a VCN cannot be deleted; it is deleted with the VCN "
                           "%s" % (NAMES[kind], record.extra["default_of"]))
        found = _references(s, record)
        if found:
            raise conflict(kind, record.id, found[0], found[1])
        terminate(s, record)
        return Reply(204)
    return delete


# ---- services (Oracle Services Network) -----------------------------------------------------------------

def services(s, region):
    """The Oracle Services Network services of a region, named as OCI names them (region key in capitals)."""
    key = s.regions.get(region, "XXX").upper()
    found = []
    for name, label in (("All %s Services In Oracle Services Network", "all-%s-services-in-oracle-services-network"),
                        ("OCI %s Object Storage", "oci-%s-objectstorage")):
        name = name % key
        found.append({"id": make_ocid("service", region, random.Random(region + name)), "name": name,
                      "description": name, "cidrBlock": label % key.lower()})
    return found


def _services(s, region, requested):
    known = {svc["id"]: svc for svc in services(s, region)}
    out = []
    for item in requested or []:
        svc = known.get(item.get("serviceId"))
        if svc is None:
            raise invalid("Service %s does not exist" % item.get("serviceId"))
        out.append({"serviceId": svc["id"], "serviceName": svc["name"]})
    return out


def list_services(s, call):
    return Reply(200, services(s, call.region), paginate=True)


def get_service(s, call):
    for svc in services(s, call.region):
        if svc["id"] == call.params["serviceId"]:
            return Reply(200, svc)
    raise ApiError(404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")


# ---- network security group rules -----------------------------------------------------------------------

def _check_nsg_rules(s, rules):
    if len(rules) > 25:
        raise invalid("You can add or update up to 25 security rules in a single call; got %d" % len(rules))
    for index, rule in enumerate(rules):
        for end in ("source", "destination"):
            if rule.get(end + "Type") == "NETWORK_SECURITY_GROUP":
                target = s.records.get(rule.get(end))
                if target is None or target.kind != "network_security_group" or not target.alive:
                    raise invalid("securityRules[%d].%s %s is not an existing network security group"
                                  % (index, end, rule.get(end)))
        if rule.get("direction") == "INGRESS" and not rule.get("source"):
            raise ApiError(400, "MissingParameter", "securityRules[%d].source is required for an INGRESS rule" % index)
        if rule.get("direction") == "EGRESS" and not rule.get("destination"):
            raise ApiError(400, "MissingParameter",
                           "securityRules[%d].destination is required for an EGRESS rule" % index)


def _nsg(s, call):
    nsg = s.record(call.params["networkSecurityGroupId"], "network_security_group", call.region)
    s.settle(nsg)
    if not nsg.alive:
        raise ApiError(409, "IncorrectState", "The NetworkSecurityGroup %s is %s" % (nsg.id, nsg.state))
    return nsg


def _complete_rule(s, rule):
    rule = dict(rule)
    if rule["direction"] == "INGRESS":
        rule.setdefault("sourceType", "CIDR_BLOCK")
    else:
        rule.setdefault("destinationType", "CIDR_BLOCK")
    rule.setdefault("isStateless", False)
    rule["isValid"] = True
    return rule


def list_nsg_rules(s, call):
    nsg = s.record(call.params["networkSecurityGroupId"], "network_security_group", call.region)
    rules = nsg.extra.get("rules", [])
    if call.arg("direction"):
        rules = [r for r in rules if r["direction"] == call.arg("direction")]
    return Reply(200, list(rules), paginate=True)


def add_nsg_rules(s, call):
    nsg = _nsg(s, call)
    rules = call.body.get("securityRules") or []
    _check_nsg_rules(s, rules)
    added = []
    for rule in rules:
        rule = _complete_rule(s, rule)
        rule["id"] = "%06X" % s.rng.getrandbits(24)
        rule["timeCreated"] = s.now()
        added.append(rule)
    nsg.extra.setdefault("rules", []).extend(added)
    nsg.touch()
    return Reply(200, {"securityRules": added})


def update_nsg_rules(s, call):
    nsg = _nsg(s, call)
    rules = call.body.get("securityRules") or []
    _check_nsg_rules(s, rules)
    current = {r["id"]: r for r in nsg.extra.get("rules", [])}
    updated = []
    for rule in rules:
        if rule["id"] not in current:
            raise invalid("Security rule %s does not exist in network security group %s" % (rule["id"], nsg.id))
        fresh = _complete_rule(s, rule)
        fresh["timeCreated"] = current[rule["id"]]["timeCreated"]
        current[rule["id"]].clear()
        current[rule["id"]].update(fresh)
        updated.append(current[rule["id"]])
    nsg.touch()
    return Reply(200, {"securityRules": updated})


def remove_nsg_rules(s, call):
    nsg = _nsg(s, call)
    ids = call.body.get("securityRuleIds") or []
    known = {r["id"] for r in nsg.extra.get("rules", [])}
    for rid in ids:
        if rid not in known:
            raise invalid("Security rule %s does not exist in network security group %s" % (rid, nsg.id))
    nsg.extra["rules"] = [r for r in nsg.extra.get("rules", []) if r["id"] not in ids]
    nsg.touch()
    return Reply(200)


# ---- private IPs and VNICs ------------------------------------------------------------------------------

def list_private_ips(s, call):
    subnet_id, vnic_id, address = call.arg("subnetId"), call.arg("vnicId"), call.arg("ipAddress")
    if not (subnet_id or vnic_id):
        raise ApiError(400, "MissingParameter", "ListPrivateIps needs subnetId or vnicId")
    records = [p for p in s.of_kind("private_ip", call.region) if not p.extra.get("released")
               and (subnet_id is None or p.data["subnetId"] == subnet_id)
               and (vnic_id is None or p.data["vnicId"] == vnic_id)
               and (address is None or p.data["ipAddress"] == address)]
    return Reply(200, [p.data for p in records], paginate=True)


def get_private_ip(s, call):
    record = s.record(call.params["privateIpId"], "private_ip", call.region)
    return Reply(200, record.data, record=record)


def get_vnic(s, call):
    record = s.record(call.params["vnicId"], "vnic", call.region)
    return Reply(200, record.data, record=record)


# ---- block storage -----------------------------------------------------------------------------------

def _volume_lister(kind):
    def listing(s, call):
        records = list_records(s, call, kind)
        return Reply(200, [r.data for r in records], paginate=True)
    return listing


def _volume_deleter(kind, id_param):
    def delete(s, call):
        record = s.record(call.params[id_param], kind, call.region)
        check_etag(call, record)
        s.settle(record)
        if not record.alive:
            raise ApiError(404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
        owner = record.extra.get("attached_to")
        if owner and s.records[owner].alive:
            raise ApiError(409, "Conflict", "The %s %s is attached to the instance %s; detach it first"
                           % ("boot volume" if kind == "boot_volume" else "volume", record.id, owner))
        terminate(s, record)
        return Reply(204)
    return delete


# ---- load balancers -------------------------------------------------------------------------------------

def list_load_balancers(s, call):
    records = list_records(s, call, "load_balancer", handled=("detail",))
    return Reply(200, [r.data for r in records], paginate=True)


def get_load_balancer(s, call):
    record = s.record(call.params["loadBalancerId"], "load_balancer", call.region)
    s.tick(record)
    return Reply(200, record.data, record=record)


def delete_load_balancer(s, call):
    lb = s.record(call.params["loadBalancerId"], "load_balancer", call.region)
    check_etag(call, lb)
    if not lb.alive:
        raise ApiError(404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")
    s.busy(lb)
    if lb.data.get("isDeleteProtectionEnabled"):
        raise ApiError(409, "Conflict", "Delete protection is enabled on load balancer %s" % lb.id)
    wr = s.add("lb_work_request", {"loadBalancerId": lb.id, "type": "DeleteLoadBalancer",
                                   "compartmentId": lb.data["compartmentId"], "lifecycleState": "ACCEPTED",
                                   "message": "", "timeAccepted": s.now(), "errorDetails": []}, call.region)
    s.set_state(lb, "DELETING")

    def progress():
        wr.data.update(lifecycleState="IN_PROGRESS", message="Deleting load balancer")

    def finish():
        s.set_state(lb, "DELETED")
        s.release_ips(lb)
        wr.data.update(lifecycleState="SUCCEEDED", message="Load balancer deleted", timeFinished=s.now())
    step = s.step("load_balancer")
    Job(s, [lb], [(step, progress), (step, finish)], work_request=wr)
    return Reply(204, work_request=wr)


def get_lb_work_request(s, call):
    wr = s.record(call.params["workRequestId"], "lb_work_request", call.region)
    s.tick(wr)
    return Reply(200, wr.data)


def list_lb_work_requests(s, call):
    lb_id = call.params["loadBalancerId"]
    records = [w for w in s.of_kind("lb_work_request", call.region) if w.data["loadBalancerId"] == lb_id]
    return Reply(200, [w.data for w in records], paginate=True)


# ---- core work requests (WorkRequestClient) --------------------------------------------------------------

def get_core_work_request(s, call):
    wr = s.record(call.params["workRequestId"], "core_work_request", call.region)
    s.tick(wr)
    return Reply(200, wr.data)


def list_core_work_request_errors(s, call):
    wr = s.record(call.params["workRequestId"], "core_work_request", call.region)
    return Reply(200, wr.extra.get("errors", []), paginate=True)


def _handlers():
    handlers = {
        "create_vcn": create_vcn, "get_vcn": _getter("vcn", "vcnId"), "list_vcns": _lister("vcn"),
        "update_vcn": _updater("vcn", "vcnId"), "delete_vcn": delete_vcn,
        "create_subnet": create_subnet, "get_subnet": _getter("subnet", "subnetId"),
        "list_subnets": _lister("subnet"), "update_subnet": update_subnet, "delete_subnet": delete_subnet,
        "list_services": list_services, "get_service": get_service,
        "list_network_security_group_security_rules": list_nsg_rules,
        "add_network_security_group_security_rules": add_nsg_rules,
        "update_network_security_group_security_rules": update_nsg_rules,
        "remove_network_security_group_security_rules": remove_nsg_rules,
        "list_private_ips": list_private_ips, "get_private_ip": get_private_ip, "get_vnic": get_vnic,
        "list_volumes": _volume_lister("volume"), "get_volume": _getter("volume", "volumeId"),
        "delete_volume": _volume_deleter("volume", "volumeId"),
        "list_boot_volumes": _volume_lister("boot_volume"), "get_boot_volume": _getter("boot_volume", "bootVolumeId"),
        "delete_boot_volume": _volume_deleter("boot_volume", "bootVolumeId"),
        "list_load_balancers": list_load_balancers, "get_load_balancer": get_load_balancer,
        "delete_load_balancer": delete_load_balancer,
        "load_balancer.get_work_request": get_lb_work_request,
        "load_balancer.list_work_requests": list_lb_work_requests,
        "work_requests.get_work_request": get_core_work_request,
        "work_requests.list_work_request_errors": list_core_work_request_errors,
    }
    for kind, name, id_param in (("internet_gateway", "internet_gateway", "igId"),
                                 ("nat_gateway", "nat_gateway", "natGatewayId"),
                                 ("service_gateway", "service_gateway", "serviceGatewayId"),
                                 ("route_table", "route_table", "rtId"),
                                 ("security_list", "security_list", "securityListId"),
                                 ("dhcp_options", "dhcp_options", "dhcpId"),
                                 ("network_security_group", "network_security_group", "networkSecurityGroupId")):
        plural = "dhcp_options" if name == "dhcp_options" else name + "s"
        handlers["create_" + name] = _creator(kind, id_param)
        handlers["get_" + name] = _getter(kind, id_param)
        handlers["list_" + plural] = _lister(kind)
        handlers["update_" + name] = _updater(kind, id_param)
        handlers["delete_" + name] = _deleter(kind, id_param)
    return handlers


HANDLERS = _handlers()
SERVICES = ("virtual_network", "blockstorage", "compute", "load_balancer")
