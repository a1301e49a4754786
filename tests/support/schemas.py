"""Offline, strict schema validation of rendered Kubernetes objects (no cluster needed).

Each object is checked the way ``kubectl apply --validate=strict`` against a real API server
would check it, as far as a JSON schema can:

* Built-in kinds (``v1 ConfigMap``, ``apps/v1 Deployment``, ...) use the strict JSON schemas
  that ``kubernetes_validate`` ships for every supported Kubernetes minor version
  (``supported_kubernetes_versions()``).  ``kubernetes_validate.validate()`` re-reads its
  1.5 MB ``_definitions.json`` on every call (about 23 ms an object), so this module resolves
  the same schema files with ``kubernetes_validate.utils`` the same way and keeps one compiled
  validator per (version, kind).  Unlike the library it reports every error, not the first.
* Custom resources use the CustomResourceDefinitions under ``crd_dir()``: every served version
  of every CRD becomes a Draft 7 JSON schema (``crd_json_schemas``), indexed by
  ``(apiVersion, kind)``, e.g. ``("kafka.strimzi.io/v1", "KafkaTopic")``.
* An object whose apiVersion/kind has neither is an error (``no schema for <apiVersion> <kind>``).

Conversion of a CRD ``openAPIV3Schema`` (``openapi_to_json_schema``), node by node:

* ``nullable: true``: ``type`` also admits ``null`` (and ``enum`` gets ``None``).  Without it a
  ``null`` is an error.
* ``x-kubernetes-int-or-string: true``: ``type: [integer, string]`` (the same as
  ``anyOf: [{type: integer}, {type: string}]``; the generated anyOf of that form is dropped).
* ``x-kubernetes-preserve-unknown-fields: true``: unknown fields are allowed at that node (the
  declared properties are still checked; nested nodes do not inherit it).
* Every other object node (with ``properties``, or a bare ``type: object``) that gives no
  ``additionalProperties`` gets ``additionalProperties: false``: the API server would prune
  such fields, and strict field validation makes that an error, so a typo'd field is an error.
  Nodes inside ``allOf``/``anyOf``/``oneOf``/``not`` only add value checks and stay open.
* ``x-kubernetes-embedded-resource: true``: ``apiVersion`` and ``kind`` (strings) are required
  and ``metadata`` is checked against the strict ObjectMeta schema, as for the object itself.
* The object itself: ``apiVersion`` and ``kind`` must be the indexed ones and ``metadata`` is
  checked against ``OBJECT_META_SCHEMA`` (name, generateName, namespace, labels, annotations,
  finalizers, ownerReferences; nothing else) plus whatever the CRD declares for it.
* ``x-kubernetes-list-type: set`` / ``map`` (with ``x-kubernetes-list-map-keys``): duplicate
  items / duplicate keys (after defaulting) are errors (a keyword added to the Draft 7 validator).
* A property with a ``default`` is not ``required`` (the API server defaults before it validates).
* OpenAPI 3.0 boolean ``exclusiveMinimum``/``exclusiveMaximum`` become the Draft 7 numbers.
* ``format``, ``description``, ``example``, ``x-kubernetes-map-type`` and
  ``x-kubernetes-validations`` are dropped (``default`` stays, an annotation that Draft 7
  ignores); any other unknown keyword is a conversion error.

For every object, built-in or custom, metadata is also checked like the API server does:
``metadata.name`` (or ``generateName``) is required; the name of a custom resource must be a
DNS subdomain, of a Namespace a DNS label, of a Service a DNS-1035 label, of anything else a
path segment; ``namespace`` must be a DNS label; label and annotation keys must be qualified
names, label values valid label values, and annotations at most 256 KiB in total.

Limitations (things a real API server would catch or do differently):

* CEL rules (``x-kubernetes-validations``) are not evaluated.
* ``format`` (int32, date-time, byte, ...) is not checked.
* ``null`` on a non-nullable field is reported; the API server would drop it silently.
* Built-in kinds get a schema check only: no semantic validation (duplicate container names,
  port ranges, immutable fields, the name rules of kinds not listed above), no defaulting.
* No admission (webhooks, ValidatingAdmissionPolicies, quotas), no check that a namespace is
  set for namespaced kinds or absent for cluster-scoped ones, no conversion between versions.
* Go RE2 patterns are evaluated with Python ``re`` after two rewrites (``^(?i)...`` becomes
  ``(?i)^...``, ``\\z`` becomes ``\\Z``); a pattern Python cannot compile is a conversion error.
* Built-in schemas (from kubernetes_validate) admit ``null`` for every field.

Loading is lazy and happens once per process: built-in schemas per (version, kind) on first
use, the CRD files on the first object that is not a built-in kind, each CRD version's schema
on first use.
"""
from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema.exceptions
import yaml
from kubernetes_validate import utils as kv_utils
from kubernetes_validate.version import __version__ as KUBERNETES_VALIDATE_VERSION
from referencing import Registry, Resource

__all__ = [
    "CRDValidator",
    "OBJECT_META_SCHEMA",
    "ManifestValidator",
    "SchemaConversionError",
    "SchemaSetupError",
    "crd_dir",
    "crd_json_schemas",
    "default_validator",
    "expected_crd_files",
    "load_crds",
    "object_ref",
    "openapi_to_json_schema",
    "supported_kubernetes_versions",
    "validate",
    "validate_all",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
# Both relative to the repository root.
SHARED_CRD_DIR = Path("..") / "shared" / "schemas" / "crds"
CACHE_CRD_DIR = Path(".cache") / "schemas" / "crds"
CRD_SOURCES = Path(__file__).resolve().parent / "crd_sources.yml"

_MAX_MESSAGE = 300
_ANNOTATIONS_MAX_BYTES = 256 * 1024


class SchemaSetupError(RuntimeError):
    """The schemas cannot be loaded (CRD directory missing or incomplete, bad version, ...)."""


class SchemaConversionError(ValueError):
    """A CRD schema uses something the conversion does not understand."""


# --------------------------------------------------------------------------- CRD files


def crd_dir(repo_root: Path | str | None = None) -> Path:
    """Return the directory to read CRDs from.

    ``<repo>/../shared/schemas/crds`` if it exists, else ``<repo>/.cache/schemas/crds`` (filled by
    ``make schemas``) if it exists, else raise ``SchemaSetupError``.
    """
    root = Path(repo_root) if repo_root is not None else REPO_ROOT
    shared, cache = root / SHARED_CRD_DIR, root / CACHE_CRD_DIR
    for candidate in (shared, cache):
        if candidate.is_dir():
            return candidate
    raise SchemaSetupError(
        "no CRD schemas: neither %s nor %s exists; run `make schemas` to download them "
        "(into %s) from the upstream release tags listed in tests/support/crd_sources.yml"
        % (shared, cache, CACHE_CRD_DIR)
    )


def expected_crd_files(sources: Path = CRD_SOURCES) -> list[str]:
    """The relative CRD paths that crd_sources.yml lists."""
    with open(sources, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return [entry["path"] for entry in data["crds"]]


class _YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loader (libyaml when available) that keeps timestamps as strings, as JSON would."""


_YamlLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def load_crds(directory: Path | str) -> list[tuple[Path, dict]]:
    """Every CustomResourceDefinition document of every *.yaml/*.yml file under ``directory``.

    Returns ``(file, crd)`` pairs in path order; files may hold several documents, other kinds
    and empty documents are skipped.
    """
    directory = Path(directory)
    found = []
    files = sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    for path in files:
        with open(path, encoding="utf-8") as handle:
            for doc in yaml.load_all(handle, Loader=_YamlLoader):
                if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                    found.append((path, doc))
    return found


# --------------------------------------------------------------------------- conversion

_PASSTHROUGH = frozenset({
    "type", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum", "multipleOf",
    "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
    "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
    "default",  # an annotation for Draft 7; _list_type reads the defaults of list-map keys
})
_DROPPED = frozenset({
    "description", "example", "format", "title", "externalDocs",
    "x-kubernetes-validations", "x-kubernetes-map-type",
    # handled below from the source node
    "nullable", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource", "exclusiveMinimum", "exclusiveMaximum", "required",
})
_JUNCTORS = ("allOf", "anyOf", "oneOf")
_INT_OR_STRING_ANYOF = [{"type": "integer"}, {"type": "string"}]

_OWNER_REFERENCE = {
    "type": "object",
    "required": ["apiVersion", "kind", "name", "uid"],
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "name": {"type": "string"},
        "uid": {"type": "string"},
        "controller": {"type": "boolean"},
        "blockOwnerDeletion": {"type": "boolean"},
    },
    "additionalProperties": False,
}
#: Strict ObjectMeta: only what a manifest sets.  The syntax of names, labels and annotations
#: is checked in Python (``_metadata_errors``) for clearer messages.
OBJECT_META_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "generateName": {"type": "string"},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        "finalizers": {"type": "array", "items": {"type": "string"}},
        "ownerReferences": {"type": "array", "items": _OWNER_REFERENCE},
    },
    "additionalProperties": False,
}


_LEADING_FLAGS = re.compile(r"\^\(\?([imsU]+)\)")
_GO_END_OF_TEXT = re.compile(r"(?<!\\)((?:\\\\)*)\\z")  # an unescaped \z


def _python_pattern(pattern: str, where: str) -> str:
    """A Go (RE2) ``pattern`` as a Python regular expression with the same meaning.

    Python rejects global flags after ``^`` (``^(?i)(abort|warn)?$``, valid in Go): they move to
    the front.  Go's ``\\z`` is Python's ``\\Z``.  Anything Python cannot compile is an error.
    """
    converted = _GO_END_OF_TEXT.sub(r"\1\\Z", pattern)
    match = _LEADING_FLAGS.match(converted)
    if match and "U" not in match.group(1):
        converted = "(?%s)^%s" % (match.group(1), converted[match.end():])
    try:
        re.compile(converted)
    except re.error as exc:
        raise SchemaConversionError("%s: pattern %r is not a Python regular expression: %s" % (where, pattern, exc)) from None
    return converted


def _types(schema: Mapping) -> set:
    value = schema.get("type")
    if value is None:
        return set()
    return {value} if isinstance(value, str) else set(value)


def _convert(node: Any, structural: bool, where: str) -> dict:
    """Convert one OpenAPI v3 schema node; ``structural`` is False inside junctors."""
    if not isinstance(node, Mapping):
        raise SchemaConversionError("%s: schema is not a mapping" % where)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "pattern":
            out[key] = _python_pattern(value, where)
        elif key in _PASSTHROUGH:
            out[key] = value
        elif key == "properties":
            out[key] = {name: _convert(sub, structural, "%s.%s" % (where, name)) for name, sub in value.items()}
        elif key == "items":
            if not isinstance(value, Mapping):
                raise SchemaConversionError("%s: items must be a single schema" % where)
            out[key] = _convert(value, structural, where + "[]")
        elif key == "additionalProperties":
            out[key] = value if isinstance(value, bool) else _convert(value, structural, where + ".*")
        elif key in _JUNCTORS:
            out[key] = [_convert(sub, False, "%s<%s>" % (where, key)) for sub in value]
        elif key == "not":
            out[key] = _convert(value, False, where + "<not>")
        elif key not in _DROPPED:
            raise SchemaConversionError("%s: unsupported OpenAPI keyword %r" % (where, key))

    # OpenAPI 3.0 boolean exclusive bounds -> Draft 7 numeric ones.
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = node.get(bound)
        if value is True and limit in out:
            out[bound] = out.pop(limit)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[bound] = value

    # A property with a default is defaulted before validation, so it is never missing.
    required = node.get("required")
    if required:
        props = node.get("properties") or {}
        required = [name for name in required if "default" not in (props.get(name) or {})]
        if required:
            out["required"] = list(required)

    if node.get("x-kubernetes-int-or-string") is True:
        out["type"] = ["integer", "string"]
        if out.get("anyOf") == _INT_OR_STRING_ANYOF:
            del out["anyOf"]

    if node.get("nullable") is True:
        if "type" in out:
            types = [out["type"]] if isinstance(out["type"], str) else list(out["type"])
            out["type"] = types + ["null"] if "null" not in types else types
        if "enum" in out and None not in out["enum"]:
            out["enum"] = list(out["enum"]) + [None]

    if not structural:
        return out

    if node.get("x-kubernetes-embedded-resource") is True:
        _add_resource_fields(out, node, where, api_version=None, kind=None)

    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
    if not preserve and "additionalProperties" not in out and ("properties" in out or "object" in _types(out)):
        out["additionalProperties"] = False
    return out


def _add_resource_fields(out: dict, node: Mapping, where: str, api_version: str | None, kind: str | None) -> None:
    """apiVersion, kind and metadata of an object or an embedded resource."""
    props = out.setdefault("properties", {})
    props["apiVersion"] = {"type": "string", "minLength": 1}
    props["kind"] = {"type": "string", "minLength": 1}
    if api_version is not None:
        props["apiVersion"] = {"enum": [api_version]}
    if kind is not None:
        props["kind"] = {"enum": [kind]}
    declared = (node.get("properties") or {}).get("metadata")
    meta: dict[str, Any] = OBJECT_META_SCHEMA
    if declared:
        # What a CRD may say about metadata (restrictions of name/generateName) is a value check.
        extra = _convert(declared, False, where + ".metadata")
        extra.pop("type", None)
        if extra:
            meta = {"allOf": [OBJECT_META_SCHEMA, extra]}
    props["metadata"] = meta
    out["required"] = sorted(set(out.get("required", [])) | {"apiVersion", "kind"})


def openapi_to_json_schema(
    schema: Mapping, *, api_version: str | None = None, kind: str | None = None
) -> dict:
    """Convert a CRD ``openAPIV3Schema`` into a strict Draft 7 JSON schema (see module doc).

    With ``api_version`` and ``kind`` the schema is that of a whole object (the top of a CRD
    version); without them it converts a nested schema.
    """
    where = "%s %s" % (api_version, kind) if kind else "schema"
    out = _convert(schema, True, where)
    if kind is not None:
        _add_resource_fields(out, schema, where, api_version=api_version, kind=kind)
        if schema.get("x-kubernetes-preserve-unknown-fields") is not True:
            out["additionalProperties"] = False
        out.setdefault("type", "object")
    out["$schema"] = "http://json-schema.org/draft-07/schema#"
    return out


def crd_json_schemas(crd: Mapping) -> dict[tuple[str, str], dict]:
    """``{(apiVersion, kind): json_schema}`` for every served version of one CRD."""
    spec = crd["spec"]
    group, kind = spec["group"], spec["names"]["kind"]
    result = {}
    for version in spec.get("versions") or []:
        if not version.get("served", False):
            continue
        api_version = "%s/%s" % (group, version["name"])
        try:
            openapi = version["schema"]["openAPIV3Schema"]
        except (KeyError, TypeError):
            raise SchemaConversionError("%s %s has no openAPIV3Schema" % (api_version, kind)) from None
        result[(api_version, kind)] = openapi_to_json_schema(openapi, api_version=api_version, kind=kind)
    return result


def _list_type(validator, list_type, instance, schema):
    """``x-kubernetes-list-type``: no duplicate items in a set, no duplicate keys in a map."""
    if not validator.is_type(instance, "array"):
        return
    seen: dict[Any, int] = {}
    if list_type == "set":
        for index, item in enumerate(instance):
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                yield jsonschema.ValidationError(
                    "duplicate value %s (also item %d) in a list of type set" % (key, seen[key]),
                    path=(index,),
                )
            seen.setdefault(key, index)
    elif list_type == "map":
        names = schema.get("x-kubernetes-list-map-keys") or []
        item_props = (schema.get("items") or {}).get("properties") or {}
        defaults = {name: (item_props.get(name) or {}).get("default") for name in names}
        for index, item in enumerate(instance):
            if not isinstance(item, Mapping):
                continue
            # the API server compares keys after defaulting
            key = tuple(json.dumps(item.get(name, defaults[name]), sort_keys=True) for name in names)
            if key in seen:
                yield jsonschema.ValidationError(
                    "duplicate entry %s (also item %d) in a list of type map"
                    % (", ".join("%s=%s" % pair for pair in zip(names, key)), seen[key]),
                    path=(index,),
                )
            seen.setdefault(key, index)


CRDValidator = jsonschema.validators.extend(
    jsonschema.Draft7Validator, {"x-kubernetes-list-type": _list_type}
)


class _CRDIndex:
    """The CRDs of one directory, loaded on first use; validators built per kind on first use."""

    def __init__(self, directory: Path | None, expected: Iterable[str] | None, extra: Iterable[Mapping] = ()):
        self._directory = directory
        self._expected = expected
        self._extra = list(extra)
        self._lock = threading.Lock()
        self._openapi: dict[tuple[str, str], tuple[Mapping, Path]] | None = None
        self._validators: dict[tuple[str, str], Any] = {}

    @property
    def directory(self) -> Path:
        if self._directory is None:
            self._directory = crd_dir()
        return self._directory

    def _load(self) -> dict[tuple[str, str], tuple[Mapping, Path]]:
        with self._lock:
            if self._openapi is not None:
                return self._openapi
            directory = self.directory
            if self._expected is not None:
                missing = [rel for rel in self._expected if not (directory / rel).is_file()]
                if missing:
                    raise SchemaSetupError(
                        "%s lacks %d CRD file(s) listed in tests/support/crd_sources.yml (%s); "
                        "run `make schemas`" % (directory, len(missing), ", ".join(missing))
                    )
            index: dict[tuple[str, str], tuple[Mapping, Path]] = {}
            extra = [(Path("<render>"), crd) for crd in self._extra
                     if isinstance(crd, Mapping) and crd.get("kind") == "CustomResourceDefinition"]
            for path, crd in load_crds(directory) + extra:
                spec = crd.get("spec") or {}
                kind = (spec.get("names") or {}).get("kind")
                for version in spec.get("versions") or []:
                    if not version.get("served", False):
                        continue
                    key = ("%s/%s" % (spec.get("group"), version.get("name")), kind)
                    if key in index and str(path) == "<render>":
                        continue  # the reference CRDs win over a render's copy of the same kind
                    if key in index:
                        raise SchemaSetupError("%s %s is defined twice: %s and %s" % (key + (index[key][1], path)))
                    index[key] = (crd, path)
            self._openapi = index
            return index

    def keys(self) -> list[tuple[str, str]]:
        return sorted(self._load())

    def validator(self, api_version: str, kind: str):
        key = (api_version, kind)
        if key in self._validators:
            return self._validators[key]
        entry = self._load().get(key)
        if entry is None:
            return None
        crd, path = entry
        try:
            schema = crd_json_schemas(crd)[key]
        except SchemaConversionError as exc:
            raise SchemaConversionError("%s: %s" % (path, exc)) from None
        validator = CRDValidator(schema)
        self._validators[key] = validator
        return validator

    def served_versions(self, kind: str) -> list[str]:
        return sorted(api_version for api_version, known in self._load() if known == kind)


# --------------------------------------------------------------------------- built-in kinds


@functools.lru_cache(maxsize=None)
def _shipped_versions() -> dict[tuple[int, int], str]:
    """{(major, minor): "1.34.0"} for the schema sets kubernetes_validate ships."""
    shipped = {}
    for full in kv_utils.all_versions():
        major, minor = full.split(".")[:2]
        shipped[(int(major), int(minor))] = full
    return dict(sorted(shipped.items()))


def supported_kubernetes_versions() -> list[str]:
    """The Kubernetes minor versions (``"1.25"``, ...) kubernetes_validate has schemas for."""
    return ["%d.%d" % key for key in _shipped_versions()]


def _schema_dir(kubernetes_version: str) -> str:
    if not isinstance(kubernetes_version, str):
        raise TypeError(
            "kubernetes_version must be a string like '1.34', not %r (quote it in YAML)" % (kubernetes_version,)
        )
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", kubernetes_version.strip())
    if not match:
        raise ValueError("kubernetes_version %r is not like '1.34'" % kubernetes_version)
    wanted = (int(match.group(1)), int(match.group(2)))
    shipped = _shipped_versions()
    usable = [key for key in shipped if key <= wanted]
    if not usable or wanted > max(shipped):
        raise SchemaSetupError(
            "kubernetes-validate %s has no schemas for Kubernetes %s; supported: %s"
            % (KUBERNETES_VALIDATE_VERSION, kubernetes_version, ", ".join(supported_kubernetes_versions()))
        )
    return "v%s-local-strict" % shipped[usable[-1]]


@functools.lru_cache(maxsize=None)
def _definitions(schema_dir: str) -> Resource:
    contents = kv_utils.schema_contents("kubernetes-json-schema/%s/_definitions.json" % schema_dir, schema_dir)
    return Resource.from_contents(contents)


@functools.lru_cache(maxsize=None)
def _builtin_validator(schema_dir: str, api_version: str, kind: str):
    """The validator of a built-in kind, or None if kubernetes_validate has no such kind."""
    # kubernetes_validate's file naming: rbac.authorization.k8s.io/v1 -> rbac-v1, v1 -> v1.
    flat = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = kv_utils.schema_contents(
            "kubernetes-json-schema/%s/%s-%s.json" % (schema_dir, kind.lower(), flat), schema_dir
        )
    except (FileNotFoundError, NotADirectoryError):
        return None
    group, version = api_version.rpartition("/")[::2]
    # The file name is ambiguous (apps.example.com/v1 -> apps-v1, v1 Affinity is a sub-type):
    # only a top-level kind with exactly this group, version and kind counts.
    if {"group": group, "version": version, "kind": kind} not in schema.get("x-kubernetes-group-version-kind", []):
        return None
    registry = _definitions(schema_dir) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


# --------------------------------------------------------------------------- messages

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_NAME_PART = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_IDENTIFIER = re.compile(r"[A-Za-z_$][-A-Za-z0-9_$]*")


def _path(parts: Iterable) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += "[%d]" % part
        elif _IDENTIFIER.fullmatch(str(part)):
            text += ".%s" % part if text else str(part)
        else:
            text += "[%s]" % json.dumps(part)
    return text or "(root)"


def _join(base: str, key: str) -> str:
    return _path([key]) if base == "(root)" else base + (("." + key) if _IDENTIFIER.fullmatch(key) else "[%s]" % json.dumps(key))


def _short(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _format_error(error: jsonschema.ValidationError) -> list[str]:
    path = _path(error.absolute_path)
    if error.validator == "additionalProperties" and error.validator_value is False and isinstance(error.instance, dict):
        known = error.schema.get("properties") or {}
        patterns = error.schema.get("patternProperties") or {}
        extra = [
            key for key in error.instance
            if key not in known and not any(re.search(p, key) for p in patterns)
        ]
        if extra:
            return ["%s: unknown field" % _join(path, str(key)) for key in extra]
    message = error.message
    if error.context:
        best = jsonschema.exceptions.best_match(error.context)
        if best is not None:
            message = "%s (closest: %s: %s)" % (_short(message), _path(best.absolute_path), _short(best.message))
    return ["%s: %s" % (path, _short(message))]


def _qualified_name_problem(key: str) -> str | None:
    parts = key.split("/")
    if len(parts) > 2:
        return "at most one '/'"
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix):
            return "the prefix before '/' must be a lowercase DNS subdomain of at most 253 characters"
    name = parts[-1]
    if not name or len(name) > 63 or not _QUALIFIED_NAME_PART.fullmatch(name):
        return ("the name must be 1-63 characters of [A-Za-z0-9-_.], starting and ending "
                "with an alphanumeric character")
    return None


def _metadata_errors(meta: Any, api_version: str, kind: str, custom: bool) -> list[str]:
    """API server checks of names, labels and annotations (types are left to the schema)."""
    if meta is None:
        return ["metadata: required"]
    if not isinstance(meta, Mapping):
        return []  # the schema reports the type
    errors = []
    name = meta.get("name")
    if not name and not meta.get("generateName"):
        errors.append("metadata.name: required")
    if isinstance(name, str) and name:
        if custom:
            rule, pattern, limit = "a lowercase DNS subdomain", _DNS_SUBDOMAIN, 253
        elif (api_version, kind) == ("v1", "Namespace"):
            rule, pattern, limit = "a lowercase DNS label", _DNS_LABEL, 63
        elif (api_version, kind) == ("v1", "Service"):
            rule, pattern, limit = "a DNS-1035 label (lowercase, starting with a letter)", _DNS_1035_LABEL, 63
        else:  # the one rule every kind shares
            rule, pattern, limit = "a path segment (not '.' or '..', no '/' or '%')", re.compile(r"(?!\.\.?$)[^/%]+"), 253
        if len(name) > limit:
            errors.append("metadata.name: %r is longer than %d characters" % (name, limit))
        elif not pattern.fullmatch(name):
            errors.append("metadata.name: %r must be %s" % (name, rule))
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and (len(namespace) > 63 or not _DNS_LABEL.fullmatch(namespace)):
        errors.append("metadata.namespace: %r must be a lowercase DNS label of at most 63 characters" % namespace)
    labels = meta.get("labels")
    if isinstance(labels, Mapping):
        for key, value in labels.items():
            problem = _qualified_name_problem(str(key))
            if problem:
                errors.append("%s: invalid label key: %s" % (_join("metadata.labels", str(key)), problem))
            if isinstance(value, str) and (len(value) > 63 or not (value == "" or _QUALIFIED_NAME_PART.fullmatch(value))):
                errors.append(
                    "%s: invalid label value %r: at most 63 characters of [A-Za-z0-9-_.], starting and "
                    "ending with an alphanumeric character (or empty)" % (_join("metadata.labels", str(key)), value)
                )
    annotations = meta.get("annotations")
    if isinstance(annotations, Mapping):
        size = 0
        for key, value in annotations.items():
            problem = _qualified_name_problem(str(key).lower())
            if problem:
                errors.append("%s: invalid annotation key: %s" % (_join("metadata.annotations", str(key)), problem))
            size += len(str(key).encode()) + (len(value.encode()) if isinstance(value, str) else 0)
        if size > _ANNOTATIONS_MAX_BYTES:
            errors.append("metadata.annotations: %d bytes in total, more than 256 KiB" % size)
    return errors


def object_ref(obj: Any) -> str:
    """``<kind>/<namespace>/<name>`` of an object; ``-`` for no namespace, ``?`` if unknown."""
    if not isinstance(obj, Mapping):
        return "?/?/?"
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
    return "%s/%s/%s" % (obj.get("kind") or "?", meta.get("namespace") or "-", meta.get("name") or meta.get("generateName") or "?")


# --------------------------------------------------------------------------- validation


class ManifestValidator:
    """Validates objects against the built-in schemas and the CRDs of one directory.

    ``crd_directory=None`` means ``crd_dir()``, found on the first custom resource.  The CRD
    directory must hold every relative path in ``expected_files``, which defaults to the files
    listed in crd_sources.yml for ``crd_dir()`` and to nothing for an explicit directory.
    ``extra_crds`` are CRD objects a render installs itself (a chart's ``crds/``): their kinds are
    validated against them where the CRD directory has no schema of its own for the kind, as the
    API server would once the chart installed them.
    """

    def __init__(self, crd_directory: Path | str | None = None, expected_files: Iterable[str] | None = None,
                 extra_crds: Iterable[Mapping] = ()):
        if expected_files is None and crd_directory is None and CRD_SOURCES.is_file():
            expected_files = expected_crd_files()
        directory = Path(crd_directory) if crd_directory is not None else None
        self._crds = _CRDIndex(directory, list(expected_files) if expected_files is not None else None,
                               extra_crds)

    @property
    def crd_directory(self) -> Path:
        return self._crds.directory

    def crd_kinds(self) -> list[tuple[str, str]]:
        """Every ``(apiVersion, kind)`` the CRDs serve."""
        return self._crds.keys()

    def validate(self, obj: Any, kubernetes_version: str) -> list[str]:
        """Errors of one object, each prefixed with ``<kind>/<namespace>/<name>: ``; [] if valid."""
        schema_dir = _schema_dir(kubernetes_version)
        prefix = object_ref(obj)
        if not isinstance(obj, Mapping):
            return ["%s: not a Kubernetes object (a %s, not a mapping)" % (prefix, type(obj).__name__)]
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if not (isinstance(api_version, str) and api_version and isinstance(kind, str) and kind):
            return ["%s: apiVersion and kind must be non-empty strings" % prefix]
        validator = _builtin_validator(schema_dir, api_version, kind)
        custom = validator is None
        if custom:
            validator = self._crds.validator(api_version, kind)
        if validator is None:
            served = self._crds.served_versions(kind)
            hint = " (served for this kind: %s)" % ", ".join(served) if served else ""
            return ["%s: no schema for %s %s%s" % (prefix, api_version, kind, hint)]
        errors: list[str] = []
        for error in sorted(validator.iter_errors(obj), key=lambda e: (_path(e.absolute_path), e.message)):
            errors.extend(_format_error(error))
        errors.extend(_metadata_errors(obj.get("metadata"), api_version, kind, custom))
        return ["%s: %s" % (prefix, error) for error in errors]

    def validate_all(self, objs: Iterable[Any], kubernetes_version: str) -> list[str]:
        """Errors of all objects, in order."""
        errors: list[str] = []
        for obj in objs:
            errors.extend(self.validate(obj, kubernetes_version))
        return errors


@functools.lru_cache(maxsize=1)
def default_validator() -> ManifestValidator:
    """The process-wide validator over ``crd_dir()`` (everything is loaded once)."""
    return ManifestValidator()


def validate(obj: Any, kubernetes_version: str) -> list[str]:
    """Errors of one object (``[]`` if valid), each prefixed with ``<kind>/<namespace>/<name>``."""
    return default_validator().validate(obj, kubernetes_version)


def validate_all(objs: Iterable[Any], kubernetes_version: str) -> list[str]:
    """Errors of all objects (``[]`` if all are valid)."""
    return default_validator().validate_all(objs, kubernetes_version)
