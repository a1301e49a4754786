"""The OCI API as the oci SDK defines it: operations, request validation and response shapes.

Nothing here is written after what a caller sends. The operations (HTTP method, path, path and query
parameters with their allowed values, body model, response model, API reference link) are read from
the SDK's generated client code (`oci/<service>/*_client.py`, e.g. `VirtualNetworkClient.create_vcn`),
the service hosts from each client's `service_endpoint_template`, and the field names, types, required
flags (`**[Required]**` in the property docstrings, which quote the API reference) and enum values from
its models (`swagger_types`, `attribute_map`). The stand-in uses this to

- route a request to the operation it names (`Catalogue.match`),
- check a request body against the operation's Create*/Update* details model (`check_body`): an unknown
  field, a missing required field, a wrong type or a value outside the enum is a 400, as OCI answers.
  Missing required fields are `MissingParameter`; unknown fields, wrong types and bad enum values are
  `InvalidParameter`. The exact wording of OCI's messages is not documented; these messages name the
  field (path in the body, e.g. `nodeConfigDetails.placementConfigs[0].subnetId`).
- shape every response on the operation's response model (`project`): only the model's fields, camelCase,
  nested models shaped the same way, so a field the SDK would not know never reaches a client.
"""

from __future__ import annotations

import importlib
import inspect
import re
from functools import lru_cache

# client module, class; the services the stand-in serves.
CLIENTS = {
    "identity": ("oci.identity", "IdentityClient"),
    "virtual_network": ("oci.core", "VirtualNetworkClient"),
    "blockstorage": ("oci.core", "BlockstorageClient"),
    "compute": ("oci.core", "ComputeClient"),
    "work_requests": ("oci.work_requests", "WorkRequestClient"),
    "container_engine": ("oci.container_engine", "ContainerEngineClient"),
    "limits": ("oci.limits", "LimitsClient"),
    "artifacts": ("oci.artifacts", "ArtifactsClient"),
    "load_balancer": ("oci.load_balancer", "LoadBalancerClient"),
    "bastion": ("oci.bastion", "BastionClient"),
    "object_storage": ("oci.object_storage", "ObjectStorageClient"),
}


class ApiError(Exception):
    """An error answer, as OCI sends them: {"code": ..., "message": ...} with an HTTP status."""

    def __init__(self, status, code, message, headers=None):
        super().__init__("%s %s: %s" % (status, code, message))
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class Call:
    """One request as a handler sees it: the operation, path parameters, query (name -> [values]), body."""

    def __init__(self, op, params, query, body, headers, region):
        self.op = op
        self.params = params
        self.query = query
        self.body = body
        self.headers = headers
        self.region = region

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name):
        return list(self.query.get(name, []))

    def flag(self, name):
        return (self.arg(name) or "").lower() == "true"


class Reply:
    """A handler's answer: status, data (shaped on the operation's response model), the record whose etag it
    carries, the work request whose id goes into `opc-work-request-id`, extra headers, raw text bodies."""

    def __init__(self, status=200, data=None, record=None, work_request=None, headers=None, text=None,
                 paginate=False):
        self.status = status
        self.data = data
        self.record = record
        self.work_request = work_request
        self.headers = dict(headers or {})
        self.text = text
        self.paginate = paginate


def not_found():
    return ApiError(404, "NotAuthorizedOrNotFound", "Authorization failed or requested resource not found.")


class Operation:
    """One API operation of one SDK client."""

    def __init__(self, service, name, method, path, base_path, query, path_params, body_param, body_model,
                 response_type, models, reference):
        self.service = service
        self.name = name
        self.method = method
        self.path = base_path.rstrip("/") + path
        self.query = query            # camelCase name -> {"snake", "allowed", "multi", "required"}
        self.path_params = path_params
        self.body_param = body_param
        self.body_model = body_model  # model class or None
        self.response_type = response_type
        self.models = models          # the client's models module
        self.reference = reference
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        self.regex = re.compile(pattern + "/?$")
        self.literal_length = len(re.sub(r"\{\w+\}", "", self.path))

    def __repr__(self):
        return "<%s %s %s>" % (self.name, self.method, self.path)

    def response_model(self):
        """The model class of the response (of its items, for lists and collections), or None."""
        name = self.response_type or ""
        if name.startswith("list["):
            name = name[5:-1]
        cls = getattr(self.models, name, None)
        if not isinstance(cls, type):
            return None
        fields = model_fields(cls)
        if "items" in fields and fields["items"][1].startswith("list["):
            return getattr(self.models, fields["items"][1][5:-1], None)
        return cls

    def response_fields(self):
        cls = self.response_model()
        return set(model_fields(cls)) if cls else set()


_METHOD = re.compile(r"\n    def (\w+)\(self(.*?)(?=\n    def |\Z)", re.S)
_QUERY_LINE = re.compile(r'"(\w+)": (?:self\.base_client\.generate_collection_format_param\()?'
                         r'(?:kwargs\.get\("(\w+)", missing\)|(\w+))(?:, \'(\w+)\'\))?')
_ALLOWED = re.compile(r"(\w+)_allowed_values = \[([^\]]*)\]")


def _parse_client(service):
    module_name, class_name = CLIENTS[service]
    module = importlib.import_module(module_name)
    client = getattr(module, class_name)
    source = inspect.getsource(inspect.getmodule(client))
    base_path = re.search(r"'base_path': '([^']*)'", source).group(1)
    template = re.search(r"'service_endpoint_template': '([^']*)'", source).group(1)
    models = importlib.import_module(module_name + ".models")
    operations = []
    for match in _METHOD.finditer(source):
        name, block = match.group(1), match.group(2)
        path = re.search(r'resource_path = "([^"]+)"', block)
        if name.startswith("_") or not path:
            continue
        method = re.search(r'method = "(\w+)"', block).group(1)
        required = re.search(r"required_arguments = \[([^\]]*)\]", block)
        required = set(re.findall(r"'(\w+)'", required.group(1))) if required else set()
        allowed = {snake: re.findall(r'"([^"]*)"', values) for snake, values in _ALLOWED.findall(block)}
        query = {}
        query_block = re.search(r"query_params = \{(.*?)\n        \}", block, re.S)
        for camel, kw_snake, positional, fmt in _QUERY_LINE.findall(query_block.group(1) if query_block else ""):
            snake = kw_snake or positional
            query[camel] = {"snake": snake, "allowed": allowed.get(snake), "multi": fmt == "multi",
                            "required": camel in required}
        path_params = re.findall(r"\{(\w+)\}", path.group(1))
        body_param = re.search(r"body=(\w+)", block)
        body_model = None
        body_param = body_param.group(1) if body_param else None
        if body_param:
            declared = re.search(r":param ([\w.]+) %s:" % body_param, block)
            if declared and ".models." in declared.group(1):
                body_model = getattr(models, declared.group(1).rsplit(".", 1)[1])
        response = re.search(r'response_type="([^"]+)"', block)
        reference = re.search(r'api_reference_link = "([^"]*)"', block)
        operations.append(Operation(service, name, method, path.group(1), base_path, query, path_params,
                                    body_param, body_model, response.group(1) if response else None, models,
                                    reference.group(1) if reference else ""))
    return operations, template, base_path


class Catalogue:
    """Every operation of the served clients, with the host each client talks to."""

    def __init__(self):
        self.operations = []
        self.templates = {}
        for service in CLIENTS:
            operations, template, _base = _parse_client(service)
            self.operations.extend(operations)
            self.templates[service] = template
        # Most specific path first, so /clusterOptions/all is not taken for a /clusters/{clusterId}.
        self.operations.sort(key=lambda op: -op.literal_length)

    def host(self, service, region, domain):
        """The host the SDK derives for a service (the `{dualStack?...}` part resolves to nothing)."""
        url = self.templates[service].replace("{region}", region).replace("{secondLevelDomain}", domain)
        url = re.sub(r"\{dualStack\?[^:}]*:([^}]*)\}", r"\1", url)
        return url.split("://", 1)[1]

    def services_for_host(self, host_label):
        """The services whose host starts with `host_label` (e.g. iaas serves core, load balancer...)."""
        return [s for s, t in self.templates.items() if t.split("://", 1)[1].split(".", 1)[0] == host_label]

    def match(self, method, path, services):
        """[(operation, path parameters)] for this method and path among those services, best first."""
        found = []
        for op in self.operations:
            if op.method == method and op.service in services:
                m = op.regex.match(path)
                if m:
                    found.append((op, m.groupdict()))
        return found


@lru_cache(maxsize=1)
def catalogue():
    return Catalogue()


# ---- models ---------------------------------------------------------------------------------------

def _instance(cls):
    return cls()


@lru_cache(maxsize=None)
def model_fields(cls):
    """{camelCase: (snake, swagger type, required, allowed values)} of an SDK model class."""
    obj = _instance(cls)
    fields = {}
    for snake, camel in obj.attribute_map.items():
        doc = getattr(cls, snake).__doc__ or ""
        allowed = re.search(r"Allowed values for this property are: (.*)", doc)
        values = None
        if allowed:
            values = [v for v in re.findall(r"""["']([^"']+)["']""", allowed.group(1)) if v != "UNKNOWN_ENUM_VALUE"]
            if "Allowed values for items in this list" in doc:
                values = None  # list items: checked nowhere by OCI's docs in a way we can mirror simply
        fields[camel] = (snake, obj.swagger_types[snake], "**[Required]**" in doc, values)
    return fields


def _subtype(cls, data, models):
    getter = getattr(cls, "get_subtype", None)
    if getter is None or not isinstance(data, dict):
        return cls
    try:
        name = getter(data)
    except KeyError:  # no discriminator: the base model's own required check names it
        return cls
    return getattr(models, name, cls)


def _is_model(type_name, models):
    return isinstance(getattr(models, type_name, None), type)


def check_body(cls, data, models, path=""):
    """Raise ApiError(400) when `data` does not fit the SDK model `cls` (recursively)."""
    if not isinstance(data, dict):
        raise ApiError(400, "InvalidParameter", "%s must be a JSON object" % (path or "The request body"))
    cls = _subtype(cls, data, models)
    fields = model_fields(cls)
    for key in data:
        if key not in fields:
            raise ApiError(400, "InvalidParameter", "Unknown field '%s%s' for %s" % (path, key, cls.__name__))
    for camel, (_snake, type_name, required, allowed) in fields.items():
        where = path + camel
        if data.get(camel) is None:
            if required:
                raise ApiError(400, "MissingParameter", "Missing required parameter '%s'" % where)
            continue
        _check_value(type_name, data[camel], models, where)
        if allowed and isinstance(data[camel], str) and data[camel] not in allowed:
            raise ApiError(400, "InvalidParameter", "Invalid value for '%s': %r is not one of %s"
                           % (where, data[camel], ", ".join(allowed)))


def _check_value(type_name, value, models, where):
    bad = ApiError(400, "InvalidParameter", "'%s' must be of type %s" % (where, type_name))
    if type_name.startswith("list["):
        if not isinstance(value, list):
            raise bad
        for index, item in enumerate(value):
            _check_value(type_name[5:-1], item, models, "%s[%d]" % (where, index))
    elif type_name.startswith("dict("):
        if not isinstance(value, dict):
            raise bad
        inner = type_name[5:-1].split(", ", 1)[1]
        for key, item in value.items():
            _check_value(inner, item, models, "%s.%s" % (where, key))
    elif type_name == "str" or type_name == "datetime":
        if not isinstance(value, str):
            raise bad
    elif type_name == "bool":
        if not isinstance(value, bool):
            raise bad
    elif type_name == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
    elif type_name == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad
    elif _is_model(type_name, models):
        check_body(getattr(models, type_name), value, models, where + ".")


def project(type_name, data, models):
    """`data` shaped on the SDK type `type_name` (e.g. "list[VcnSummary]", "Cluster", "str")."""
    if data is None or type_name is None:
        return data
    if type_name.startswith("list["):
        return [project(type_name[5:-1], item, models) for item in data]
    if type_name.startswith("dict("):
        inner = type_name[5:-1].split(", ", 1)[1]
        return {key: project(inner, item, models) for key, item in data.items()}
    if _is_model(type_name, models) and isinstance(data, dict):
        cls = _subtype(getattr(models, type_name), data, models)
        fields = model_fields(cls)
        return {camel: project(fields[camel][1], value, models) for camel, value in data.items() if camel in fields}
    return data


def updatable_fields(cls):
    """The camelCase fields an Update*Details model lets a caller change."""
    return set(model_fields(cls))
