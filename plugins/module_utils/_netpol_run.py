# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: one run of eventstack.oke.netpol_reachability - the objects read (build_dir, the cluster), analysed
(_netpol.analyse) and judged (fail_on_*). Shared by the module and its action plugin, which runs it in the
controller's process on a local connection (plugin_utils/_in_controller.py).

Not a public API: the leading underscore says so.
"""

from __future__ import annotations

import os
import time

from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client, _manifests, _netpol
from ansible_collections.eventstack.oke.plugins.module_utils._k8s_apply import collection_path

ARGUMENT_SPEC = _k8s_client.kube_auth_argspec(**{
    "build_dir": {"type": "path"},
    "from_cluster": {"type": "bool", "default": False},
    "objects": {"type": "list", "elements": "dict", "default": []},
    "pods": {"type": "list", "elements": "dict", "default": []},
    "externals": {"type": "list", "elements": "dict", "default": []},
    "intended": {"type": "list", "elements": "dict", "default": []},
    "flows": {"type": "dict", "default": {}},
    "check_unexpected": {"type": "bool", "default": True},
    "fail_on_blocked": {"type": "bool", "default": True},
    "fail_on_unexpected": {"type": "bool", "default": False},
})

# What the analysis reads from a cluster: (api_version, plural).
CLUSTER_KINDS = (("networking.k8s.io/v1", "networkpolicies"), ("v1", "namespaces"), ("v1", "pods"),
                 ("apps/v1", "deployments"), ("apps/v1", "statefulsets"), ("apps/v1", "daemonsets"))
KINDS = {"networkpolicies": "NetworkPolicy", "namespaces": "Namespace", "pods": "Pod", "deployments": "Deployment",
         "statefulsets": "StatefulSet", "daemonsets": "DaemonSet"}


class _Failed(Exception):
    """Ends a run with the result it carries (failed, msg, and what else the task returns)."""

    def __init__(self, result):
        super().__init__(result["msg"])
        self.result = result


def _read_cluster(client):
    """(the cluster's objects the analysis uses, the requests made)."""
    objects = []
    try:
        for api_version, plural in CLUSTER_KINDS:
            for item in client.request("GET", collection_path(api_version, plural)).get("items") or []:
                objects.append(dict(item, kind=KINDS[plural]))  # list items carry no kind
    except _k8s_client.KubeError as exc:
        raise _Failed(dict(failed=True, msg="cannot read the cluster's objects: %s" % exc,
                           requests=client.requests)) from exc
    return objects, client.requests


def _problems(params, result):
    """What fails the task under the fail_on_* options, one sentence each."""
    problems = []
    if params["fail_on_blocked"]:
        problems += ["%s is blocked (%s -> %s:%s): %s" % (f["flow"], f["from"], f["to"], f["port"], f["reason"])
                     for f in result["blocked"]]
        problems += ["%s names no existing %s" % (f["flow"], f["missing"]) for f in result["unresolved"]]
        problems += ["%s %s is isolated by %s but in no intended flow" % (s["kind"], s["pod"], ", ".join(s["isolated_by"]))
                     for s in result["stranded"]]
    if params["fail_on_unexpected"]:
        problems += ["%s -> %s:%s/%s is allowed but not intended" % (f["from"], f["to"], f["port"], f["protocol"])
                     for f in result["unexpected"]]
    return problems


def reachability(params, connect=None):
    """The task's result for params (validated against ARGUMENT_SPEC): blocked, allowed_intended, unexpected,
    unresolved, stranded, summary, elapsed and requests, with changed=False; with failed and msg when the task must
    fail. connect() is called only when from_cluster and answers (client, None) or (None, why not)."""
    started = time.monotonic()
    flows = params.get("flows") or {}
    params = dict(params, **{key: list(params[key]) + list(flows.get(key) or [])
                             for key in ("pods", "externals", "intended")})
    try:
        objects = list(params["objects"])
        if params["build_dir"]:
            if not os.path.isdir(os.path.join(params["build_dir"], "manifests")):
                return dict(failed=True, msg="build_dir %s has no manifests: render first (make plan ENV=<env>)"
                            % params["build_dir"])
            objects += _manifests.load_build(params["build_dir"])[0]
        requests = 0
        if params["from_cluster"]:
            client, error = connect()
            if error:
                return dict(failed=True, msg=error)
            live, requests = _read_cluster(client)
            objects += live
        policies, pods, namespaces = _netpol.from_objects(objects)
        pods += params["pods"]
        result = _netpol.analyse(policies, pods, namespaces, params["externals"], params["intended"],
                                 params["check_unexpected"])
    except _Failed as exc:
        return exc.result
    except (_netpol.NetpolError, KeyError, TypeError, ValueError) as exc:
        return dict(failed=True, msg="cannot analyse the policies: %s" % exc)
    result["summary"] = dict({"policies": len(policies), "endpoints": len(pods) + len(params["externals"])},
                             **{key: len(value) for key, value in result.items()})
    result["elapsed"] = round(time.monotonic() - started, 3)
    result["requests"] = requests
    problems = _problems(params, result)
    if problems:
        return dict(result, failed=True, msg="%d network policy problem(s): %s" % (len(problems), "; ".join(problems)))
    return dict(result, changed=False)
