# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: prove that the cluster enforces its NetworkPolicies, with a connection they deny.

Logic of the netpol_enforcement module. Policies are only as good as what enforces them (OKE's CNIs enforce none),
and no reading of objects can tell that apart: a pod has to try. The probe:

1. reads the target Service and its ready pods, the namespace's NetworkPolicies, and the DaemonSets of the known
   policy engines (for the report);
2. checks with the NetworkPolicy semantics (``_netpol``) that the policies deny a pod labelled as the probe the
   target's port and allow it DNS - else the probe could prove nothing and says so;
3. creates the probe pod (restricted security context, its own labels, no token), waits until it runs, then through
   the API server's ``pods/exec`` runs two allowed controls - it resolves the target's name (DNS over UDP) and opens
   a TCP connection to the cluster DNS Service's port 53 (``nc -v -z -w``: the pod's TCP works, and so does ``nc``,
   which exits 0 on a connection) - and then tries a TCP connection to the target: refused or timed out - enforced;
   connected - nothing enforces the policies. A control that fails makes the probe inconclusive, never a pass;
4. deletes the pod, whatever happened.

The commands are busybox's (``nslookup``, ``nc`` with its netcat 1.10 options ``-v -z -w``, ``sleep``): exit 126/127
(no such command) is reported as an image that cannot probe.
"""

from __future__ import annotations

import time
import uuid

from ansible_collections.eventstack.oke.plugins.module_utils import _netpol
from ansible_collections.eventstack.oke.plugins.module_utils._checkpoint import verdict
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_client import KubeError, kube_auth_argspec

PROBE_LABELS = {"app.kubernetes.io/name": "eventstack-netpol-probe", "app.kubernetes.io/part-of": "eventstack",
                "app.kubernetes.io/managed-by": "eventstack-oke"}
PROBE_UID = 65534
# The cluster DNS (hardening_dns's default) and its Service, as kubeadm and OKE name it.
DNS = {"namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}, "port": 53, "service": "kube-dns"}
NOT_RUNNABLE = (126, 127)  # the shell's "cannot execute" and "not found"


class EnforcementError(Exception):
    """The probe cannot be run at all (a missing Service, no API access); the message says why."""


def probe_pod(name, namespace, image, labels=None):
    """The probe pod: meets the restricted Pod Security level, mounts no token, asks little."""
    context = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(labels or PROBE_LABELS)},
            "spec": {"automountServiceAccountToken": False, "restartPolicy": "Never",
                     "terminationGracePeriodSeconds": 1,
                     "securityContext": {"runAsNonRoot": True, "runAsUser": PROBE_UID, "runAsGroup": PROBE_UID,
                                         "seccompProfile": {"type": "RuntimeDefault"}},
                     "containers": [{"name": "probe", "image": image, "command": ["sleep", "3600"],
                                     "securityContext": context,
                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"},
                                                   "limits": {"cpu": "100m", "memory": "32Mi"}}}]}}


def _ready(pod):
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return False
    conditions = [c for c in status.get("conditions") or [] if c.get("type") == "Ready"]
    return not conditions or conditions[0].get("status") == "True"


def _waiting(pod):
    """Why a pod is not running yet, from its phase and container states."""
    status = pod.get("status") or {}
    for container in status.get("containerStatuses") or []:
        waiting = (container.get("state") or {}).get("waiting")
        if waiting:
            return "%s: %s" % (waiting.get("reason"), waiting.get("message") or "")
    return "phase %s" % (status.get("phase") or "unknown (nothing has started it)")


def _output(out, err, limit=200):
    return ((err or "").strip() or (out or "").strip())[:limit]


def _selector(labels):
    return ",".join("%s=%s" % item for item in sorted((labels or {}).items()))


def engines_status(daemonsets, engines):
    """One phrase per policy engine DaemonSet found, e.g. "calico-node in calico-system: 1 of 1 ready"."""
    found = []
    for daemonset in daemonsets:
        meta, status = daemonset.get("metadata") or {}, daemonset.get("status") or {}
        if meta.get("name") in engines:
            found.append("%s in %s: %s of %s ready" % (meta.get("name"), meta.get("namespace"),
                                                       status.get("numberReady", 0),
                                                       status.get("desiredNumberScheduled", 0)))
    return found


class Prober:
    """One enforcement probe against `service`:`port` in `namespace`."""

    def __init__(self, client, namespace, service, port, image, engines=(), timeout=120.0, connect_timeout=3,
                 interval=1.0, clock=None, cluster_domain="cluster.local", new_name=None):
        self.client, self.namespace, self.service, self.port = client, namespace, service, int(port)
        self.image, self.engines, self.timeout = image, list(engines), float(timeout)
        self.connect_timeout, self.interval = int(connect_timeout), float(interval)
        self.clock = clock or time.monotonic
        self.fqdn = "%s.%s.svc.%s" % (service, namespace, cluster_domain)
        self.dns_fqdn = "%s.%s.svc.%s" % (DNS["service"], DNS["namespace"], cluster_domain)
        self.new_name = new_name or (lambda: "eventstack-netpol-probe-%s" % uuid.uuid4().hex[:6])

    def _get(self, path, query=None):
        try:
            return self.client.request("GET", path, query=query)
        except KubeError as exc:
            if exc.status == 404:
                return None
            raise EnforcementError("cannot read %s: %s" % (path, exc.reason)) from exc

    def _expectation(self):
        """(target description, why the policies deny it) after checking what the probe can prove."""
        service = self._get("/api/v1/namespaces/%s/services/%s" % (self.namespace, self.service))
        if service is None:
            raise EnforcementError("no Service %s in %s to probe" % (self.service, self.namespace))
        spec = service.get("spec") or {}
        ports = [p for p in spec.get("ports") or [] if int(p.get("port", 0)) == self.port]
        if not ports:
            raise EnforcementError("Service %s/%s has no port %d" % (self.namespace, self.service, self.port))
        selector = spec.get("selector") or {}
        pods = (self._get("/api/v1/namespaces/%s/pods" % self.namespace, {"labelSelector": _selector(selector)})
                or {}).get("items") or []
        pods = [p for p in pods if selector and _ready(p)
                and _netpol.selector_matches({"matchLabels": selector}, (p.get("metadata") or {}).get("labels"))]
        if not pods:
            raise EnforcementError("Service %s/%s has no ready pod: a refused connection would prove nothing"
                                   % (self.namespace, self.service))
        target_port = ports[0].get("targetPort", self.port)
        policies = (self._get("/apis/networking.k8s.io/v1/namespaces/%s/networkpolicies" % self.namespace)
                    or {}).get("items") or []
        namespaces = [{"name": n["metadata"]["name"], "labels": n["metadata"].get("labels") or {}}
                      for n in (self._get("/api/v1/namespaces") or {}).get("items") or []]
        _policies, endpoints, _ns = _netpol.from_objects([dict(p, kind="Pod") for p in pods])
        target = endpoints[0]
        if not str(target_port).isdigit():
            named = [p["port"] for p in target["ports"] if p.get("name") == target_port]
            if not named:
                raise EnforcementError("the pods of Service %s/%s have no port named %s"
                                       % (self.namespace, self.service, target_port))
            target_port = named[0]
        probe = {"name": "probe", "namespace": self.namespace, "labels": PROBE_LABELS, "ports": []}
        dns = {"name": "dns", "namespace": DNS["namespace"], "labels": DNS["labels"],
               "ports": [{"port": DNS["port"], "protocol": "UDP"}]}
        cluster = _netpol.Cluster([dict(p, kind="NetworkPolicy") for p in policies], [probe, target, dns], namespaces)
        allowed, reason = cluster.check(probe, target, int(target_port))
        if allowed:
            raise EnforcementError("the NetworkPolicies of %s allow a pod labelled %s to reach %s:%d, so the probe "
                                   "could prove nothing; probe a port they deny" % (
                                       self.namespace, _selector(PROBE_LABELS), self.service, self.port))
        if not (cluster.check(probe, dns, DNS["port"], "UDP")[0] and cluster.check(probe, dns, DNS["port"])[0]):
            raise EnforcementError("the NetworkPolicies of %s deny the probe DNS (UDP and TCP %d), so a failed "
                                   "connection would not tell a denied one from a broken network"
                                   % (self.namespace, DNS["port"]))
        return "%s:%d" % (self.service, self.port), reason

    def _start(self, name):
        body = probe_pod(name, self.namespace, self.image)
        try:
            self.client.request("POST", "/api/v1/namespaces/%s/pods" % self.namespace, body=body)
        except KubeError as exc:
            raise EnforcementError("cannot create the probe pod %s/%s: %s" % (self.namespace, name, exc.reason)) \
                from exc
        deadline = self.clock() + self.timeout
        while True:
            pod = self._get("/api/v1/namespaces/%s/pods/%s" % (self.namespace, name)) or {}
            if _ready(pod):
                return
            if (pod.get("status") or {}).get("phase") in ("Failed", "Succeeded") or self.clock() >= deadline:
                raise EnforcementError("the probe pod %s/%s did not run within %ss: %s" % (
                    self.namespace, name, int(self.timeout), _waiting(pod)))
            self.client.sleep(self.interval)

    def _delete(self, name):
        try:
            self.client.request("DELETE", "/api/v1/namespaces/%s/pods/%s" % (self.namespace, name),
                                body={"gracePeriodSeconds": 0})
            return True
        except KubeError as exc:
            return exc.status == 404

    def _exec(self, name, command):
        try:
            code, out, err = self.client.pod_exec(self.namespace, name, command, timeout=self.connect_timeout + 30)
        except KubeError as exc:
            raise EnforcementError("cannot run %s in the probe pod: %s" % (" ".join(command), exc.reason)) from exc
        if code in NOT_RUNNABLE:
            raise EnforcementError("the probe image %s cannot run %s (exit %s: %s): give verify_netpol_probe_image "
                                   "an image with busybox's nslookup and nc" % (
                                       self.image, command[0], code, _output(out, err)))
        return code, out, err

    def _connect(self, name, host, port):
        return self._exec(name, ["nc", "-v", "-z", "-w", str(self.connect_timeout), host, str(port)])

    def run(self):
        """The result: passed, enforced (True/False, None when the probe could not tell), reason, evidence."""
        started = self.clock()
        result = {"passed": False, "enforced": None, "reason": "", "pod": None, "deleted": None, "target": None,
                  "engines": []}
        name = None
        try:
            daemonsets = (self._get("/apis/apps/v1/daemonsets") or {}).get("items") or []
            result["engines"] = engines_status(daemonsets, self.engines)
            result["target"], denial = self._expectation()
            name = self.new_name()
            result["pod"] = "%s/%s" % (self.namespace, name)
            self._start(name)
            code, out, err = self._exec(name, ["nslookup", self.fqdn])
            if code != 0:
                raise EnforcementError("the probe pod could not resolve %s although the policies allow it DNS (exit "
                                       "%s: %s): its network does not work, so nothing can be concluded"
                                       % (self.fqdn, code, _output(out, err)))
            code, out, err = self._connect(name, self.dns_fqdn, DNS["port"])
            if code != 0:
                raise EnforcementError("the probe pod could not connect to %s:%d over TCP although the policies "
                                       "allow it (exit %s: %s), so a failed connection would prove nothing"
                                       % (self.dns_fqdn, DNS["port"], code, _output(out, err)))
            code, out, err = self._connect(name, self.fqdn, self.port)
            found = "; ".join(result["engines"])
            if code == 0:
                result.update(enforced=False, reason=(
                    "the probe pod %s connected to %s although the NetworkPolicies deny it (%s): nothing enforces "
                    "them - %s" % (result["pod"], result["target"], denial,
                                   found or "no policy engine DaemonSet (%s) runs" % ", ".join(self.engines))))
            else:
                result.update(enforced=True, passed=True, reason=(
                    "the probe pod %s resolved %s and reached the cluster DNS over TCP but could not connect to %s "
                    "(%s), as the NetworkPolicies require (%s); enforced by %s" % (
                        result["pod"], self.fqdn, result["target"], _output(out, err) or "exit %s" % code, denial,
                        found or "something other than the known policy engine DaemonSets (%s)"
                        % ", ".join(self.engines))))
        except EnforcementError as exc:
            result["reason"] = str(exc)
        finally:
            if name is not None:
                result["deleted"] = self._delete(name)
        result["elapsed"] = round(self.clock() - started, 3)
        return result


def evidence(result):
    """The report's lines."""
    verdict = "pass" if result.get("passed") else "FAIL"
    lines = ["%s %s" % (verdict, result.get("reason") or "not run")]
    if result.get("deleted") is False:
        lines.append("the probe pod %s could not be deleted: delete it by hand" % result.get("pod"))
    return lines


ARGUMENT_SPEC = kube_auth_argspec(
    namespace=dict(type="str", required=True),
    service=dict(type="str", required=True),
    port=dict(type="int", required=True),
    image=dict(type="str", required=True),
    engines=dict(type="list", elements="str", default=[]),
    timeout=dict(type="float", default=120.0),
    connect_timeout=dict(type="int", default=3),
    fail_on_failure=dict(type="bool", default=True),
)


def check(params, connect, check_mode=False):
    """netpol_enforcement's answer (the module's or, on the controller, the action plugin's): one probe through the
    client connect() returns; in check mode no probe pod is created (and the cluster is not asked)."""
    if check_mode:
        return dict(changed=False, skipped=True, skip_reason="check mode creates no probe pod", passed=True,
                    enforced=None, reason="", evidence=["skipped in check mode: no probe pod created"], pod=None,
                    deleted=None, engines=[], requests=0, elapsed=0.0)
    client = connect()
    result = Prober(client, params["namespace"], params["service"], params["port"], params["image"],
                    engines=params["engines"], timeout=params["timeout"],
                    connect_timeout=params["connect_timeout"]).run()
    output = dict(changed=False, evidence=evidence(result), requests=client.requests, **result)
    return verdict(output, result["reason"], params["fail_on_failure"])
