# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: decide what a batched server-side apply has to send.

Pure functions (no I/O): the module reads the live objects with one LIST per kind and namespace,
asks plan_action() what each desired object needs, and only sends a server-side apply for the
objects that differ. An object is unchanged when every field the definition sets already holds
that value on the server, and the field manager owns no field the definition no longer sets
(server-side apply would remove such a field).
"""

from __future__ import annotations

import base64

from ansible_collections.eventstack.oke.plugins.module_utils._manifests import REDACTED, redact

CREATE, UPDATE, DELETE, UNCHANGED = "create", "update", "delete", "unchanged"


def api_prefix(api_version):
    """'/api/v1' for the core group, '/apis/<group>/<version>' otherwise."""
    return "/api/" + api_version if "/" not in api_version else "/apis/" + api_version


def collection_path(api_version, plural, namespace=None):
    path = api_prefix(api_version)
    if namespace:
        path += "/namespaces/" + namespace
    return path + "/" + plural


def object_path(api_version, plural, name, namespace=None):
    return collection_path(api_version, plural, namespace) + "/" + name


def discovery_index(document):
    """Map kind -> {'plural', 'namespaced'} from an APIResourceList (subresources skipped)."""
    index = {}
    for resource in document.get("resources") or []:
        if "/" not in resource.get("name", ""):
            index[resource["kind"]] = {"plural": resource["name"], "namespaced": bool(resource.get("namespaced"))}
    return index


def _scalar_equal(desired, live):
    if desired == live and type(desired) is type(live):
        return True
    if isinstance(desired, bool) or isinstance(live, bool):
        return False
    # Numbers and their string form are the same value to the API server (e.g. quota "30" and 30).
    return desired is not None and live is not None and str(desired) == str(live)


def is_subset(desired, live):
    """True when every field of desired holds the same value in live (lists must match item by item)."""
    if isinstance(desired, dict):
        if not isinstance(live, dict):
            return False
        return all(is_subset(value, live.get(key)) if value is not None else live.get(key) is None
                   for key, value in desired.items())
    if isinstance(desired, list):
        return isinstance(live, list) and len(desired) == len(live) and all(
            is_subset(d, v) for d, v in zip(desired, live))
    return _scalar_equal(desired, live)


def comparable(obj):
    """The desired object as the server stores it: Secret stringData folded into data, no status."""
    out = {key: value for key, value in obj.items() if key != "status"}
    if obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1" and obj.get("stringData"):
        data = dict(out.get("data") or {})
        for key, value in obj["stringData"].items():
            data[key] = base64.b64encode(str(value).encode("utf-8")).decode("ascii")
        out["data"] = data
        del out["stringData"]
    return out


def _walk_owned(fields, desired, path, dropped):
    for key, sub in sorted((fields or {}).items()):
        if not key.startswith("f:"):
            continue  # '.', or a list member (k:/v:/i:): the list is compared whole by is_subset
        name = key[2:]
        if not isinstance(desired, dict) or name not in desired:
            dropped.append(path + name)
        elif isinstance(sub, dict) and sub:
            _walk_owned(sub, desired[name], path + name + ".", dropped)


def dropped_fields(live, desired, field_manager):
    """Fields field_manager applied earlier that desired no longer sets (server-side apply removes them)."""
    dropped = []
    for entry in (live.get("metadata") or {}).get("managedFields") or []:
        if entry.get("manager") == field_manager and entry.get("operation") == "Apply":
            _walk_owned(entry.get("fieldsV1"), desired, "", dropped)
    return dropped


def plan_action(desired, live, field_manager):
    """CREATE, UPDATE or UNCHANGED for one desired object against its live state (None if absent)."""
    if live is None:
        return CREATE
    wanted = comparable(desired)
    if not is_subset(wanted, live) or dropped_fields(live, wanted, field_manager):
        return UPDATE
    return UNCHANGED


def for_diff(obj):
    """An object as shown in --diff output: Secret values redacted, server bookkeeping left out."""
    if obj is None:
        return {}
    out = redact(obj)
    meta = dict(out.get("metadata") or {})
    for key in ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"):
        meta.pop(key, None)
    out["metadata"] = meta
    out.pop("status", None)
    if out.get("kind") == "Secret" and isinstance(out.get("data"), dict):
        out["data"] = {key: REDACTED for key in out["data"]}
    return out


class BatchError(Exception):
    """The batch cannot be applied; nothing after the failing object was sent."""


def _group_of(api_version):
    return api_version.split("/")[0] if "/" in api_version else ""


def _crd_kinds(objects):
    """(group, kind) of every CustomResourceDefinition in the batch: their objects may wait for them."""
    return {(crd["spec"]["group"], crd["spec"]["names"]["kind"]) for crd in objects
            if crd["kind"] == "CustomResourceDefinition" and isinstance(crd.get("spec"), dict)}


def _resolve(client, obj, pending_crds, wait):
    """{'plural', 'namespaced'} for obj's kind, waiting for a CRD of this batch when needed."""
    api_version, kind = obj["apiVersion"], obj["kind"]
    for attempt in range(wait + 1):
        found = discovery_index(client.discover(api_version) or {}).get(kind)
        if found or (_group_of(api_version), kind) not in pending_crds:
            break
        if attempt < wait:
            client.forget(api_version)
            client.sleep(1)
    if not found:
        raise BatchError("the cluster serves no kind %s in %s; install its CustomResourceDefinition first "
                         "(or fix apiVersion/kind)" % (kind, api_version))
    return found


def apply_batch(client, objects, field_manager, force=True, check_mode=False, crd_wait=30):
    """Apply objects (already sorted) with server-side apply; return (results, before, after, warnings).

    results: one {'kind', 'namespace', 'name', 'action'} per object. before/after: the changed objects as
    --diff shows them. Kinds are resolved before anything is sent, except kinds whose CRD is in the batch.
    """
    pending_crds = _crd_kinds(objects)
    resolved = {}
    for obj in objects:
        key = (obj["apiVersion"], obj["kind"])
        if key not in resolved and (_group_of(key[0]), key[1]) not in pending_crds:
            resolved[key] = _resolve(client, obj, pending_crds, 0)
    live = {}
    results, before, after, warnings = [], [], [], []
    for obj in objects:
        key = (obj["apiVersion"], obj["kind"])
        meta = obj["metadata"]
        if key not in resolved:
            if check_mode:  # the CRD was only dry-run: its kind cannot be served yet
                warnings.append("check mode: %s %s waits for its CustomResourceDefinition, so it was not dry-run"
                                % (obj["kind"], meta["name"]))
                results.append({"kind": obj["kind"], "namespace": meta.get("namespace"), "name": meta["name"],
                                "action": CREATE})
                after.append(for_diff(obj))
                before.append({})
                continue
            resolved[key] = _resolve(client, obj, pending_crds, crd_wait)
        info = resolved[key]
        namespace = meta.get("namespace") if info["namespaced"] else None
        if info["namespaced"] and not namespace:
            raise BatchError("%s %s is namespaced: set metadata.namespace" % (obj["kind"], meta["name"]))
        group = key + (namespace,)
        if group not in live:
            live[group] = _list(client, obj["apiVersion"], info["plural"], namespace)
        current = live[group].get(meta["name"])
        action = plan_action(obj, current, field_manager)
        result = {"kind": obj["kind"], "namespace": namespace, "name": meta["name"], "action": action}
        results.append(result)
        if action == UNCHANGED:
            continue
        path = object_path(obj["apiVersion"], info["plural"], meta["name"], namespace)
        query = {"fieldManager": field_manager, "force": "true" if force else "false"}
        if check_mode:
            query["dryRun"] = "All"
        try:
            applied = client.request("PATCH", path, query=query, body=obj,
                                     content_type="application/apply-patch+yaml")
        except Exception as exc:  # KubeError; kept generic so this module needs no client import
            if check_mode and getattr(exc, "status", 0) == 404 and \
                    (getattr(exc, "details", {}) or {}).get("kind") == "namespaces":
                warnings.append("check mode: namespace %s does not exist yet, so %s/%s was not dry-run" % (
                    namespace, obj["kind"], meta["name"]))
                applied = obj
            else:
                raise BatchError("%s %s%s: %s" % (obj["kind"], namespace + "/" if namespace else "",
                                                  meta["name"], getattr(exc, "reason", exc))) from exc
        before.append(for_diff(current))
        after.append(for_diff(applied))
    return results, before, after, warnings


def _list(client, api_version, plural, namespace):
    """Live objects of one kind in one namespace, by name (a namespace that does not exist has none)."""
    try:
        listing = client.request("GET", collection_path(api_version, plural, namespace))
    except Exception as exc:  # KubeError
        if getattr(exc, "status", 0) == 404 and namespace:
            return {}
        raise BatchError("cannot list %s%s: %s" % (plural, " in " + namespace if namespace else "",
                                                   getattr(exc, "reason", exc))) from exc
    return {item["metadata"]["name"]: item for item in listing.get("items") or []}


def delete_batch(client, objects, check_mode=False):
    """Delete objects in reverse order; return (results, before). Kinds the cluster lacks have nothing to delete."""
    live = {}
    results, before = [], []
    for obj in reversed(objects):
        meta = obj["metadata"]
        found = discovery_index(client.discover(obj["apiVersion"]) or {}).get(obj["kind"])
        namespace = meta.get("namespace") if found and found["namespaced"] else None
        result = {"kind": obj["kind"], "namespace": namespace, "name": meta["name"], "action": UNCHANGED}
        results.append(result)
        if not found:
            continue
        group = (obj["apiVersion"], obj["kind"], namespace)
        if group not in live:
            live[group] = _list(client, obj["apiVersion"], found["plural"], namespace)
        current = live[group].get(meta["name"])
        if current is None or (current.get("metadata") or {}).get("deletionTimestamp"):
            continue
        query = {"propagationPolicy": "Foreground"}
        if check_mode:
            query["dryRun"] = "All"
        try:
            client.request("DELETE", object_path(obj["apiVersion"], found["plural"], meta["name"], namespace),
                           query=query)
        except Exception as exc:  # KubeError: gone in the meantime is fine
            if getattr(exc, "status", 0) != 404:
                raise BatchError("cannot delete %s %s: %s" % (obj["kind"], meta["name"],
                                                              getattr(exc, "reason", exc))) from exc
            continue
        result["action"] = DELETE
        before.append(for_diff(current))
    return results, before


def _ref(result):
    return "/".join(part for part in (result["kind"], result["namespace"], result["name"]) if part)


def run(client, definitions, state="present", field_manager="eventstack-oke", force_conflicts=True, crd_wait=30,
        check_mode=False, diff=False):
    """What eventstack.oke.k8s_apply answers, wherever it runs (the module, or the k8s_objects action plugin in the
    controller): {changed, results, requests[, diff]} with "warnings" (strings), or {failed, msg, requests} when the
    batch cannot be converged. client: a KubeClient (module_utils/_k8s_client.py) or None when it could not be made."""
    from ansible_collections.eventstack.oke.plugins.module_utils import _manifests  # pylint: disable=import-outside-toplevel

    try:
        objects = _manifests.sort_objects(definitions)
    except _manifests.ManifestError as exc:
        return dict(failed=True, msg="definitions: %s" % exc, requests=0)
    try:
        if state == "absent":
            results, before = delete_batch(client, objects, check_mode)
            after, warnings = [{} for _entry in before], []
        else:
            results, before, after, warnings = apply_batch(client, objects, field_manager, force_conflicts,
                                                           check_mode, crd_wait)
    except BatchError as exc:
        return dict(failed=True, msg=str(exc), requests=client.requests)
    except Exception as exc:  # KubeError (kept generic so this file needs no client import)
        if not hasattr(exc, "status"):
            raise
        return dict(failed=True, msg=str(exc), requests=client.requests)
    changed = any(result["action"] != UNCHANGED for result in results)
    output = dict(changed=changed, results=results, requests=client.requests, warnings=warnings)
    if diff and changed:
        changes = [r for r in results if r["action"] != UNCHANGED]
        output["diff"] = [
            {"before": old, "after": new, "before_header": _ref(result), "after_header": _ref(result)}
            for result, old, new in zip(changes, before, after)]
    return output
