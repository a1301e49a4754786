# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the logic of eventstack.oke.k8s_read - the API server's version and named objects, read live.

Not a public API: the leading underscore says so.
"""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_apply

ARGUMENT_SPEC = dict(
    version=dict(type="bool", default=False),
    objects=dict(type="list", elements="dict", default=[], options=dict(
        api_version=dict(type="str", required=True),
        kind=dict(type="str", required=True),
        name=dict(type="str", required=True),
        namespace=dict(type="str"),
    )),
    lists=dict(type="list", elements="dict", default=[], options=dict(
        api_version=dict(type="str", required=True),
        kind=dict(type="str", required=True),
        namespace=dict(type="str"),
    )),
    kubeconfig=dict(type="path"),
    context=dict(type="str"),
)


def _one(client, ref):
    """The live object ref names, or None when the cluster has no such object or does not serve its kind."""
    found = _k8s_apply.discovery_index(client.discover(ref["api_version"]) or {}).get(ref["kind"])
    if not found:
        return None
    namespace = ref.get("namespace") if found["namespaced"] else None
    if found["namespaced"] and not namespace:
        raise ValueError("objects: %s %s is namespaced: set its namespace" % (ref["kind"], ref["name"]))
    try:
        return client.request("GET", _k8s_apply.object_path(ref["api_version"], found["plural"], ref["name"],
                                                            namespace))
    except Exception as exc:  # KubeError; 404 is an answer
        if getattr(exc, "status", 0) == 404:
            return None
        raise


def _items(client, ref):
    """The objects of one kind (in ref's namespace, or in all namespaces without one), each with its kind and
    apiVersion (a list's items carry neither); [] when the cluster does not serve the kind."""
    found = _k8s_apply.discovery_index(client.discover(ref["api_version"]) or {}).get(ref["kind"])
    if not found:
        return []
    namespace = ref.get("namespace") if found["namespaced"] else None
    listing = client.request("GET", _k8s_apply.collection_path(ref["api_version"], found["plural"], namespace))
    return [dict(item, apiVersion=ref["api_version"], kind=ref["kind"]) for item in listing.get("items") or []]


def read(client, version=False, objects=(), lists=()):
    """{version, objects, lists, requests}: the server's /version (asked each time: nothing is cached between runs, so
    an upgraded cluster is seen at once) when `version`, each of `objects` live (None when it does not exist) and the
    objects of each kind of `lists`; {failed, msg, requests} when the API cannot be read."""
    out = {"changed": False}
    try:
        if version:
            answer = client.request("GET", "/version")
            minor = "".join(ch for ch in str(answer.get("minor", "")) if ch.isdigit())
            out["version"] = dict(answer, minor_version="%s.%s" % (answer.get("major", ""), minor))
        out["objects"] = [_one(client, ref) for ref in objects]
        out["lists"] = [_items(client, ref) for ref in lists]
    except ValueError as exc:
        return dict(failed=True, msg=str(exc), requests=client.requests)
    except Exception as exc:  # KubeError
        if not hasattr(exc, "status"):
            raise
        return dict(failed=True, msg=str(exc), requests=client.requests)
    out["requests"] = client.requests
    return out
