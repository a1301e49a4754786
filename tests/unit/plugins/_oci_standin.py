"""A local HTTP stand-in for the parts of OCI's REST API the check modules read.

It serves JSON shaped like OCI's responses (camelCase, as the SDK deserialises them) for Identity
(compartments, availability domains), Limits (resource availability) and Container Engine (cluster
options, clusters, node pools with nodes, work requests and their errors), from a Scenario the test
edits. It records every request (method, path, query, whether it was signed) and can be told to answer
a path with a series of error statuses first (429 throttling, 5xx) to exercise retries.

    with OciStandIn(Scenario()) as oci:
        module params: service_endpoint=oci.url
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TENANCY = "ocid1.tenancy.oc1..standin"
COMPARTMENT = "ocid1.compartment.oc1..standin"
CLUSTER = "ocid1.cluster.oc1.eu-frankfurt-1.standin"
NODE_POOL = "ocid1.nodepool.oc1.eu-frankfurt-1.standin"
ADS = ["Uocm:EU-FRANKFURT-1-AD-1", "Uocm:EU-FRANKFURT-1-AD-2", "Uocm:EU-FRANKFURT-1-AD-3"]


def node(index, ad, state="ACTIVE", error=None):
    return {"id": "ocid1.instance.oc1.eu-frankfurt-1.node%d" % index, "name": "oke-node-%d" % index,
            "availabilityDomain": ad, "privateIp": "10.0.16.%d" % (10 + index), "lifecycleState": state,
            "lifecycleDetails": "", "nodeError": error}


class Scenario:
    """What the stand-in serves; tests change the attributes."""

    def __init__(self):
        self.compartments = {COMPARTMENT: {"id": COMPARTMENT, "compartmentId": TENANCY, "name": "eventstack",
                                           "description": "", "lifecycleState": "ACTIVE",
                                           "timeCreated": "2026-01-05T10:00:00.000Z"}}
        self.ads = list(ADS)
        # (service, limit, ad or None) -> availability; A1 defaults: 4 OCPU / 24 GB free in AD-1 only.
        self.limits = {}
        for ad in ADS:
            free = ad.endswith("AD-1")
            self.limits[("compute", "standard-a1-core-count", ad)] = {"used": 0, "available": 4 if free else 0}
            self.limits[("compute", "standard-a1-memory-count", ad)] = {"used": 0, "available": 24 if free else 0}
        self.limits[("load-balancer", "lb-flexible-count", None)] = {"used": 0, "available": 1}
        self.kubernetes_versions = ["v1.32.10", "v1.33.1", "v1.34.1", "v1.34.2"]
        self.clusters = {}
        self.node_pools = {}
        self.work_requests = []
        self.work_request_errors = {}
        self.failures = []  # [(path regex, [status, ...])]: answered in order before the real response
        self.page_size = None  # list responses come in pages of this size (opc-next-page) when set

    def add_cluster(self, state="ACTIVE", nodes=None, pool_state="ACTIVE", ocpus=2, memory=8, size=None):
        nodes = [node(1, ADS[0])] if nodes is None else nodes
        self.clusters[CLUSTER] = {
            "id": CLUSTER, "name": "eventstack-dev", "compartmentId": COMPARTMENT, "vcnId": "ocid1.vcn.oc1..v",
            "kubernetesVersion": "v1.34.2", "lifecycleState": state, "lifecycleDetails": "",
            "type": "BASIC_CLUSTER", "endpoints": {"kubernetes": None, "publicEndpoint": "203.0.113.10:6443",
                                                   "privateEndpoint": "10.0.0.5:6443"}}
        self.node_pools[NODE_POOL] = {
            "id": NODE_POOL, "name": "eventstack-dev-pool1", "clusterId": CLUSTER, "compartmentId": COMPARTMENT,
            "kubernetesVersion": "v1.34.2", "nodeShape": "VM.Standard.A1.Flex", "lifecycleState": pool_state,
            "lifecycleDetails": "", "nodeShapeConfig": {"ocpus": ocpus, "memoryInGBs": memory},
            "nodeConfigDetails": {"size": len(nodes) if size is None else size, "placementConfigs": []},
            "nodes": nodes}

    def add_work_request(self, wr_id, operation, status, accepted, errors=None):
        self.work_requests.append({
            "id": wr_id, "operationType": operation, "status": status, "compartmentId": COMPARTMENT,
            "resources": [{"actionType": "CREATED", "entityType": "cluster", "identifier": CLUSTER,
                           "entityUri": "/clusters/" + CLUSTER}],
            "timeAccepted": accepted, "timeStarted": accepted, "timeFinished": accepted})
        if errors is not None:
            self.work_request_errors[wr_id] = [{"code": c, "message": m, "timestamp": accepted} for c, m in errors]


def _summary(resource, keys):
    return {k: v for k, v in resource.items() if k in keys}


class _Handler(BaseHTTPRequestHandler):
    server_version = "oci-standin"

    def log_message(self, *_args):  # keep test output clean
        pass

    def do_GET(self):  # noqa: N802 - http.server naming
        parsed = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        standin = self.server.standin
        standin.requests.append({"method": "GET", "path": parsed.path, "query": query,
                                 "signed": "authorization" in {k.lower() for k in self.headers.keys()}})
        for index, (pattern, statuses) in enumerate(standin.scenario.failures):
            if statuses and re.search(pattern, parsed.path):
                status = statuses.pop(0)
                code = "TooManyRequests" if status == 429 else "InternalServerError"
                return self._send(status, {"code": code, "message": "stand-in says %d" % status})
        try:
            status, body = self._route(parsed.path, query, standin.scenario)
        except KeyError:
            status, body = 404, {"code": "NotAuthorizedOrNotFound",
                                 "message": "Authorization failed or requested resource not found."}
        headers = {}
        size = standin.scenario.page_size
        if isinstance(body, list) and size:
            start = int(query.get("page") or 0)
            if start + size < len(body):
                headers["opc-next-page"] = str(start + size)
            body = body[start:start + size]
        self._send(status, body, headers)

    def _send(self, status, body, headers=None):
        payload = json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("opc-request-id", "standin-%d" % len(self.server.standin.requests))
        self.end_headers()
        self.wfile.write(payload)

    @staticmethod
    def _route(path, query, s):
        match = re.fullmatch(r"/20160918/compartments/([^/]+)", path)
        if match:
            return 200, s.compartments[match.group(1)]
        if path.rstrip("/") == "/20160918/availabilityDomains":
            return 200, [{"name": ad, "id": "ocid1.availabilitydomain.oc1..%d" % i,
                          "compartmentId": query.get("compartmentId")} for i, ad in enumerate(s.ads)]
        match = re.fullmatch(r"/20190729/services/([^/]+)/limits/([^/]+)/resourceAvailability", path)
        if match:
            found = s.limits[(match.group(1), match.group(2), query.get("availabilityDomain"))]
            return 200, {"used": found["used"], "available": found["available"],
                         "fractionalUsage": found["used"], "fractionalAvailability": found["available"],
                         "effectiveQuotaValue": found["used"] + found["available"]}
        if path == "/20180222/clusterOptions/all":
            return 200, {"kubernetesVersions": s.kubernetes_versions,
                         "clusterPodNetworkOptions": [{"cniType": "FLANNEL_OVERLAY"}, {"cniType": "OCI_VCN_IP_NATIVE"}]}
        if path == "/20180222/clusters":
            return 200, [_summary(c, ("id", "name", "compartmentId", "vcnId", "kubernetesVersion", "lifecycleState",
                                      "lifecycleDetails", "type", "endpoints"))
                         for c in s.clusters.values() if c["compartmentId"] == query.get("compartmentId")
                         and query.get("name") in (None, c["name"])]
        match = re.fullmatch(r"/20180222/clusters/([^/]+)", path)
        if match:
            return 200, s.clusters[match.group(1)]
        if path == "/20180222/nodePools":
            return 200, [_summary(p, ("id", "name", "clusterId", "compartmentId", "kubernetesVersion", "nodeShape",
                                      "lifecycleState", "lifecycleDetails", "nodeShapeConfig"))
                         for p in s.node_pools.values() if p["clusterId"] == query.get("clusterId")]
        match = re.fullmatch(r"/20180222/nodePools/([^/]+)", path)
        if match:
            return 200, s.node_pools[match.group(1)]
        if path == "/20180222/workRequests":
            return 200, [w for w in s.work_requests
                         if any(r["identifier"] == query.get("clusterId") for r in w["resources"])]
        match = re.fullmatch(r"/20180222/workRequests/([^/]+)/errors", path)
        if match:
            return 200, s.work_request_errors.get(match.group(1), [])
        raise KeyError(path)


class OciStandIn:
    def __init__(self, scenario=None):
        self.scenario = scenario or Scenario()
        self.requests = []
        self._server = None
        self._thread = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self._server.server_address[1]

    def __enter__(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
