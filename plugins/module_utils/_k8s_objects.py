# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the logic of the eventstack.oke.k8s_objects action plugin - which objects carry secret values, the
module runs apply mode makes (in order), and how the result of a hidden run is cut down to what may be shown.

Not a public API: the leading underscore says so.
"""

from __future__ import annotations

import base64
import binascii

from ansible.module_utils.common.parameters import remove_values
from ansible_collections.eventstack.oke.plugins.module_utils import _manifests

MODULE = "eventstack.oke.k8s_apply"
# The options of eventstack.oke.k8s_objects (plugins/modules/k8s_objects.py documents them).
ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    definitions=dict(type="list", elements="dict", no_log=True),
    template=dict(type="str"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    mode=dict(type="str", choices=["apply", "render"], default="apply"),
    build_dir=dict(type="path"),
    field_manager=dict(type="str", default="eventstack-oke"),
    hide_secrets=dict(type="bool", default=True),
    kubeconfig=dict(type="path"),
    context=dict(type="str"),
)
# One of them gives the objects.
ONE_OF = [["definitions", "template"]]
# What a hidden run may show: whether it changed or failed, its message (values masked) and per object the action.
_SHOWN = ("kind", "namespace", "name", "action")


def _sensitive(obj):
    return obj.get("kind") == "Secret" and ("data" in obj or "stringData" in obj)


def split(objects):
    """(plain, sensitive) in apply order: sensitive are the Secrets that carry values (data or stringData);
    everything else, a Secret without values included (a service-account token the API server fills), is plain."""
    objects = _manifests.check_objects(_manifests.plain(objects))
    return (_manifests.sort_objects([obj for obj in objects if not _sensitive(obj)]),
            _manifests.sort_objects([obj for obj in objects if _sensitive(obj)]))


def secret_strings(objects):
    """Every value a Secret of objects carries, as given and (data) base64-decoded: what must never be shown. A value
    found in an object's reference (kind, namespace, name - shown anyway, and in the rendered manifest) is left out:
    masking a user name "todo" would garble every "todo-app" in the messages that name the objects."""
    refs = [_manifests.object_ref(obj) for obj in objects]
    found = set()
    for obj in objects:
        if obj.get("kind") != "Secret":
            continue
        for field in ("data", "stringData"):
            for value in (obj.get(field) or {}).values():
                if value in (None, ""):
                    continue
                found.add(str(value))
                if field == "data":
                    try:
                        found.add(base64.b64decode(str(value), validate=True).decode("utf-8"))
                    except (binascii.Error, ValueError):
                        pass
    return {value for value in found if value and not any(value in ref for ref in refs)}


def steps(plain, sensitive, state, field_manager):
    """The k8s_apply runs of apply mode, in order, as (hidden, module arguments): Secrets with values are deleted
    before the other objects and applied after them, each time in a run of their own whose output is hidden."""
    present = dict(state="present", field_manager=field_manager)
    runs = []
    if sensitive and state == "absent":
        runs.append((True, dict(definitions=sensitive, state="absent")))
    if plain:
        runs.append((False, dict(definitions=plain, **(present if state == "present" else dict(state="absent")))))
    if sensitive and state == "present":
        runs.append((True, dict(definitions=sensitive, **present)))
    return runs


def hidden_result(answer, secrets):
    """What the result of a hidden run may show: changed, failed, msg and warnings with every secret value masked,
    and per object only kind, namespace, name and action - never its arguments (invocation), diff or output."""
    shown = {"changed": bool(answer.get("changed")), "results": [
        {key: entry.get(key) for key in _SHOWN} for entry in answer.get("results") or [] if isinstance(entry, dict)]}
    if answer.get("failed"):
        shown["failed"] = True
        shown["msg"] = str(answer.get("msg") or "k8s_apply failed (its output is hidden: it handles Secret values)")
    if answer.get("warnings"):
        shown["warnings"] = [_text(warning) for warning in answer["warnings"]]
    if answer.get("requests"):
        shown["requests"] = int(answer["requests"])
    return remove_values(shown, secrets)


def _text(warning):
    """A warning's message (ansible-core 2.19 hands a module's warnings back as WarningSummary objects)."""
    return str(getattr(getattr(warning, "event", None), "msg", None) or warning)


def merge(result, answer):
    """Add one run's answer to the action's result: changed and failed add up, results and warnings append."""
    result["changed"] = bool(result.get("changed")) or bool(answer.get("changed"))
    result.setdefault("results", []).extend(answer.get("results") or [])
    result["requests"] = result.get("requests", 0) + int(answer.get("requests") or 0)
    if answer.get("warnings"):
        result.setdefault("warnings", []).extend(answer["warnings"])
    if answer.get("deprecations"):
        result.setdefault("deprecations", []).extend(answer["deprecations"])
    if answer.get("diff"):
        diffs = answer["diff"] if isinstance(answer["diff"], list) else [answer["diff"]]
        result.setdefault("diff", []).extend(diffs)
    for key in ("invocation",):
        if key in answer:
            result[key] = answer[key]
    if answer.get("failed"):
        result["failed"] = True
        result["msg"] = answer.get("msg", "k8s_apply failed")
        for key in ("exception", "module_stdout", "module_stderr"):
            if key in answer:
                result[key] = answer[key]
    return result
