"""A local, stateful Kubernetes API server for tests and benchmarks (no cluster needed).

Built on kmock 0.8: ``kmock.KubernetesEmulator`` served by ``kmock.Server`` gives the HTTP
server, request parsing, API discovery over the built-in resources of a K3s v1.26 dump
(``resources.load_bundled()``) and Status rendering.  kmock's own object handling is too
thin for the kubernetes client and kubernetes.core, so the resource verbs are served here.
Every fix is marked ``kmock defect:`` (kmock does it wrong) or ``kmock gap:`` (kmock lacks it).

Deliberate approximations of a real API server:
* server-side apply is a JSON merge patch of the applied config (no field ownership, no
  removal of fields dropped from the config); strategic merge patch is a JSON merge patch
  without ``$``-directives (lists are replaced, not merged by key);
* objects are stored version-agnostic (CRD conversion strategy "None" for every kind);
* no watch, no defaulting; one admission plugin, Pod Security: a Pod created in a Namespace
  labelled ``pod-security.kubernetes.io/enforce`` is refused (403, the admission controller's
  message) when it breaks that level's rules at the labelled version (the collection's
  ``_pod_security`` module, the rules of the Pod Security Standards page), as the pods of the
  test controllers are; no other admission; CRD schemas are validated but not pruned;
* Pods also pass LimitRanger (defaults) and ResourceQuota's "must specify" admission, SubjectAccessReviews are
  answered by an RBAC authorizer over the stored roles and bindings (``kube_review``), and aggregated API groups
  (metrics.k8s.io) answer 503 until a stand-in serves them (``serve_api_group()``);
* every object carries metadata.generation (bumped when anything but metadata/status changes);
* DELETE removes at once (no graceful deletion), unless the object has finalizers: then it stays, with
  metadata.deletionTimestamp set, until a write empties its finalizers (as a controller does once it has released
  what the finalizer guards: a cloud load balancer, a volume), and no finalizer may be added to it meanwhile (422);
  deleting a Namespace removes its objects at once, deleting a CRD removes its kind and objects;
* the Namespaces default, kube-system, kube-public and kube-node-lease exist from the start
  (``objects()`` leaves them out until a client changes them).

Use it in-process (``with KubeEmulator() as kube: kube.write_kubeconfig(path)``) or as a process:
``python -m tests.support.kube_emulator --port 0 --kubeconfig PATH [--request-log FILE] [--server-version 1.34]``.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import datetime
import functools
import json
import pathlib
import pickle
import re
import secrets
import signal
import sys
import threading
import uuid
import warnings
from typing import Any, Callable, Iterable

import aiohttp.web
import jsonpatch
import jsonschema
import kmock
import yaml
from kmock._internal import parsing as _kmock_parsing

# The collection's own code (make setup links this checkout in as eventstack.oke under .collections).
_COLLECTIONS = str(pathlib.Path(__file__).resolve().parents[2] / '.collections')
if _COLLECTIONS not in sys.path:
    sys.path.append(_COLLECTIONS)
from ansible_collections.eventstack.oke.plugins.module_utils import _pod_security  # noqa: E402  pylint: disable=wrong-import-position
from tests.support import kube_review  # noqa: E402  pylint: disable=wrong-import-position


def _copy(value):
    """A deep copy of plain data (what the API server stores and answers): a pickle round trip, which copies the same
    as copy.deepcopy, some times faster (the emulator copies every object it stores, answers and restores)."""
    return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


APPLY = 'application/apply-patch+yaml'
MERGE = 'application/merge-patch+json'
STRATEGIC = 'application/strategic-merge-patch+json'
JSON_PATCH = 'application/json-patch+json'
BUILTIN_NAMESPACES = ('default', 'kube-system', 'kube-public', 'kube-node-lease')
CRD = kmock.resource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')
CR_VERBS = {'get', 'list', 'create', 'update', 'patch', 'delete', 'deletecollection'}
SERVER_FIELDS = ('uid', 'creationTimestamp', 'generation', 'resourceVersion', 'deletionTimestamp',
                 'deletionGracePeriodSeconds')
DNS_SUBDOMAIN = re.compile(r'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')
DNS_LABEL = re.compile(r'[a-z0-9]([-a-z0-9]*[a-z0-9])?')
DNS_1035_LABEL = re.compile(r'[a-z]([-a-z0-9]*[a-z0-9])?')
NO_RESOURCE = 'the server could not find the requested resource'
NAMESPACE_MISMATCH = 'the namespace of the provided object does not match the namespace sent on the request'


class ApiError(Exception):
    """An API failure rendered as a Kubernetes ``Status`` body."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def response(self) -> aiohttp.web.Response:
        body = {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure',
                'message': self.message, 'reason': self.reason, 'code': self.code}
        if self.details is not None:
            body['details'] = self.details
        return aiohttp.web.json_response(body, status=self.code)


def _qualified(res: kmock.resource) -> str:
    return f'{res.plural}.{res.group}' if res.group else res.plural


def _not_found(res: kmock.resource, name: str) -> ApiError:
    return ApiError(404, 'NotFound', f'{_qualified(res)} "{name}" not found',
                    {'name': name, 'group': res.group, 'kind': res.plural})


def _api_version(res: kmock.resource) -> str:
    return f'{res.group}/{res.version}' if res.group else res.version


def _bad_request(message: str) -> ApiError:
    return ApiError(400, 'BadRequest', message)


def _invalid(res: kmock.resource, info: kmock.ResourceInfo, name: str, field: str, problem: str) -> ApiError:
    kind = f'{info.kind}.{res.group}' if res.group else info.kind
    return ApiError(422, 'Invalid', f'{kind} "{name}" is invalid: {field}: {problem}',
                    {'name': name, 'group': res.group, 'kind': info.kind,
                     'causes': [{'reason': 'FieldValueInvalid', 'message': problem, 'field': field}]})


def _as_object(body: Any) -> dict:
    if not isinstance(body, dict) or not isinstance(body.setdefault('metadata', {}), dict):
        raise _bad_request('the request body must be a Kubernetes object')
    return body


def _header(request: kmock.Request, name: str) -> str:
    return next((v for k, v in request.headers.items() if k.lower() == name), '')


# kmock defect: parse_path() raises ValueError on /api/v1/namespaces (HTTP 500 on listing or
# creating Namespaces) and reads /api/v1/namespaces/NAME as "namespace NAME, no resource".
_NAMESPACE_PATH = re.compile(r'/api/v1/namespaces(?:/([^/]+)(?:/(status|finalize))?)?/?')


# services/proxy: /api/v1/namespaces/{ns}/services/{[scheme:]name[:port]}/proxy[/{path}]
_SERVICE_PROXY = re.compile(r'/api/v1/namespaces/([^/]+)/services/([^/]+)/proxy(/.*)?')


def _parse_path(path: str, _original: Callable = _kmock_parsing.parse_path) -> Any:
    if m := _NAMESPACE_PATH.fullmatch(path):
        return _kmock_parsing.ParsedPath('', 'v1', 'namespaces', None, m[1], m[2])
    return _original(path)


if not getattr(_kmock_parsing.parse_path, 'namespace_fix', False):
    _parse_path.namespace_fix = True  # type: ignore[attr-defined]
    _kmock_parsing.parse_path = _parse_path


def _version_priority(version: str) -> tuple:
    m = re.fullmatch(r'v(\d+)(?:(alpha|beta)(\d+))?', version)
    if not m:
        return (3, 0, 0, version)
    return ({None: 0, 'beta': 1, 'alpha': 2}[m[2]], -int(m[1]), -int(m[3] or 0), version)


def _order_versions(group: dict) -> dict:
    group['versions'].sort(key=lambda gv: _version_priority(gv['version']))
    group['preferredVersion'] = dict(group['versions'][0])
    return group


class _Handler(kmock.KubernetesEmulator):
    """kmock's emulator; resource requests go to the KubeEmulator store, discovery stays kmock's."""

    emulator: KubeEmulator

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        # kmock defect: GET /version/ (kubernetes.client.VersionApi adds the slash) is a 404.
        self.fallback['get /version/'] << self._serve_server_version

    async def _handle(self, request: kmock.Request) -> aiohttp.web.StreamResponse:
        # kmock gap: its request list holds parsed aiohttp requests, not a plain log to count or reset.
        self.emulator._record(request)
        try:
            if match := _SERVICE_PROXY.fullmatch(request.url.path):
                # kmock gap: no services/proxy; it reaches the handlers of serve_pod_port() behind the Service.
                return self.emulator._service_proxy(request, *match.groups())
            res = request.resource
            if res is not None and (res.group, res.plural, request.subresource) == ('', 'pods', 'portforward'):
                # kmock gap: no streaming subresources; port-forward reaches the handlers of serve_pod_port().
                return await self.emulator._port_forward(request)
            if res is not None and (res.group, res.plural, request.subresource) == ('', 'pods', 'exec'):
                # Likewise exec, which reaches the handler of serve_pod_exec().
                return await self.emulator._pod_exec(request)
            if res is not None and (res.group, res.plural) == ('authorization.k8s.io', 'subjectaccessreviews'):
                return self.emulator._access_review(request)  # kmock gap: no authorizer (kube_review.py)
            if res is not None and res.plural and res.group in self.emulator._aggregated:
                # kmock gap: no aggregated APIs (APIService); their discovery stays kmock's.
                return self.emulator._aggregated_api(request)
            if res is not None and res.version and res.plural:
                # kmock defect/gap: its CRUD keeps no metadata, lacks PUT/apply/dryRun/validation.
                return self.emulator._serve(request)
            return await super()._handle(request)
        except ApiError as e:
            return e.response()

    # kmock defect: Status bodies carry kmock's own reasons ("Resource Not Found") and a traceback.
    async def _render_error(self, exc: Exception) -> aiohttp.web.StreamResponse:
        if isinstance(exc, kmock.KubernetesNotFoundError):
            return ApiError(404, 'NotFound', NO_RESOURCE, {}).response()
        return await super()._render_error(exc)

    # kmock defect: /api/v1 reports groupVersion "/v1"; resource order is random.
    async def _serve_version(self, request: kmock.Request) -> Any:
        doc = await super()._serve_version(request)
        doc['groupVersion'] = doc['groupVersion'].lstrip('/')
        doc['resources'].sort(key=lambda r: r['name'])
        return doc

    # kmock defect: preferredVersion is an arbitrary member of a set, so groups with several
    # versions (autoscaling, multi-version CRDs) may flip their preferred version per request.
    async def _serve_apis(self, request: kmock.Request) -> Any:
        doc = await super()._serve_apis(request)
        doc['groups'] = sorted((_order_versions(g) for g in doc['groups']), key=lambda g: g['name'])
        return doc

    async def _serve_group(self, request: kmock.Request) -> Any:
        return _order_versions(await super()._serve_group(request))

    # kmock gap: /version is fixed at v1.26.4+k3s1; the emulated server version is configurable.
    async def _serve_server_version(self, request: kmock.Request) -> Any:
        doc = await super()._serve_server_version(request)
        if self.emulator.server_version:
            major, minor, patch = (self.emulator.server_version.lstrip('v').split('.') + ['0'])[:3]
            doc.update(major=major, minor=minor, gitVersion=f'v{major}.{minor}.{patch}')
        return doc


class _NoInterceptor:
    async def __aexit__(self, *exc_info: Any) -> None:
        pass


_SERVER_START_LOCK = threading.Lock()


async def _start_server(handler: _Handler, host: str, port: int) -> kmock.Server:
    # kmock defect: Server globally re-routes aiohttp's DNS resolver and requires strict LIFO
    # teardown, so stopping emulators out of order raises and leaks the listening socket.
    # Clients connect by IP, so undo the interception at once (atomically across threads).
    server = kmock.Server(handler, host, port or None)
    with _SERVER_START_LOCK:
        await server.__aenter__()
        await server._managed_interceptor.__aexit__(None, None, None)
        server._managed_interceptor = _NoInterceptor()
    return server


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def _merge(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (``None`` deletes a key, lists and scalars replace)."""
    if not isinstance(patch, dict):
        return _copy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge(result.get(key), value)
    return result


def _strip_directives(patch: Any) -> Any:
    if isinstance(patch, dict):
        return {k: _strip_directives(v) for k, v in patch.items() if not k.startswith('$')}
    return patch


def _content(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k not in ('apiVersion', 'kind', 'metadata', 'status')}


def _nullable(schema: Any) -> Any:
    """OpenAPI ``nullable: true`` as JSON-schema (the rest of a structural schema is compatible)."""
    if isinstance(schema, list):
        return [_nullable(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    result = {k: _nullable(v) for k, v in schema.items()}
    if result.get('nullable') and isinstance(result.get('type'), str):
        result['type'] = [result['type'], 'null']
    return result


def _selector(labels: str | None, fields: str | None) -> Callable[[dict], bool]:
    """Label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors (=, ==, !=)."""
    checks: list[Callable[[dict], bool]] = []
    for term in filter(None, (t.strip() for t in re.split(r',(?![^()]*\))', labels or ''))):
        if m := re.fullmatch(r'([^\s!=()]+)\s+(in|notin)\s+\((.*)\)', term):
            values = {v.strip() for v in m[3].split(',')}
            checks.append(lambda o, k=m[1], vs=values, neg=m[2] == 'notin': (_labels(o).get(k) in vs) != neg)
        elif m := re.fullmatch(r'!\s*([^\s!=()]+)', term):
            checks.append(lambda o, k=m[1]: k not in _labels(o))
        elif m := re.fullmatch(r'([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=()]*)', term):
            checks.append(lambda o, k=m[1], v=m[3], neg=m[2] == '!=': (_labels(o).get(k) == v) != neg)
        elif re.fullmatch(r'[^\s!=()]+', term):
            checks.append(lambda o, k=term: k in _labels(o))
        else:
            raise _bad_request(f'unable to parse requirement: {term!r}')
    for term in filter(None, (t.strip() for t in (fields or '').split(','))):
        if not (m := re.fullmatch(r'([\w.]+)\s*(==|=|!=)\s*(.*)', term)):
            raise _bad_request(f'invalid field selector: {term!r}')
        checks.append(lambda o, p=m[1], v=m[3], neg=m[2] == '!=': (_dig(o, p) == v) != neg)
    return lambda obj: all(check(obj) for check in checks)


def _labels(obj: dict) -> dict:
    return obj['metadata'].get('labels') or {}


def _dig(obj: Any, path: str) -> str:
    for part in path.split('.'):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return '' if obj is None else str(obj)


class KubeEmulator:
    """A stateful Kubernetes API server on ``http://host:port`` served from a background thread."""

    def __init__(self, host: str = '127.0.0.1', port: int = 0, *,
                 server_version: str | None = None, request_log: str | None = None,
                 crds: Iterable[str | pathlib.Path] = (), restore: dict | None = None) -> None:
        """``server_version`` (e.g. "1.34") is what /version reports; discovery stays K3s v1.26's.
        ``crds``: CRD files installed before the server starts, as a chart or operator would have.
        ``restore``: a ``snapshot()`` of another emulator to start from (its objects, resource versions and CRDs)."""
        self.host, self.port, self.server_version = host, port, server_version
        self.url: str = ''
        self.requests: list[dict] = []
        self._request_log = open(request_log, 'a', encoding='utf-8') if request_log else None
        self._lock = threading.RLock()
        self._store: dict[tuple, dict] = {}  # (group, plural, namespace, name) -> object
        self._rv = 0
        self._custom: dict[kmock.resource, jsonschema.Draft7Validator | None] = {}  # served by CRDs
        self._pod_ports: dict[int, Callable[[dict, dict], tuple]] = {}
        self._exec: Callable[[dict, list], tuple] | None = None
        self._pod_started: Callable[[dict], dict] | None = None
        # API group -> what serves it, None: its APIService's backend is missing (see serve_api_group()).
        self._aggregated: dict[str, Callable[[dict], tuple] | None] = {'metrics.k8s.io': None}
        self._handler = _Handler()
        self._handler.emulator = self
        with warnings.catch_warnings():  # kmock uses the deprecated importlib.resources.read_binary
            warnings.simplefilter('ignore', DeprecationWarning)
            self._handler.resources.load_bundled()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._failure: BaseException | None = None
        ns = kmock.resource('', 'v1', 'namespaces')
        seeded = [self._create(ns, self._info(ns), None, {'metadata': {'name': n}}, False) for n in BUILTIN_NAMESPACES]
        for path in crds:
            for doc in _crd_documents(str(path)):
                seeded.append(self._create(CRD, self._info(CRD), None, _copy(doc), False))
        self._seeds = {obj['metadata']['uid']: obj['metadata']['resourceVersion'] for obj in seeded}
        if restore is not None:
            self._restore(restore)

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> KubeEmulator:
        ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main(ready)),
                                        name='kube-emulator', daemon=True)
        self._thread.start()
        if not ready.wait(timeout=30) or self._failure is not None:
            self.stop()
            raise RuntimeError('the Kubernetes emulator failed to start') from self._failure
        return self

    async def _main(self, ready: threading.Event) -> None:
        try:
            self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
            async with self._handler:
                server = await _start_server(self._handler, self.host, self.port)
                try:
                    self.port = server.port
                    self.url = f'http://{self.host}:{server.port}'
                    ready.set()
                    await self._stopping.wait()
                finally:
                    await server.__aexit__(None, None, None)
        except Exception as e:  # re-raised by start()
            self._failure = e
        finally:
            ready.set()

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive() and self._loop and self._stopping:
            self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join(timeout=30)
        self._thread = None
        if self._request_log is not None:
            self._request_log.close()
            self._request_log = None

    def __enter__(self) -> KubeEmulator:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def write_kubeconfig(self, path: str | pathlib.Path) -> str:
        config = {
            'apiVersion': 'v1', 'kind': 'Config', 'preferences': {},
            'clusters': [{'name': 'emulator', 'cluster': {'server': self.url}}],
            'users': [{'name': 'emulator', 'user': {'token': 'emulator-dummy-token'}}],
            'contexts': [{'name': 'emulator', 'context': {'cluster': 'emulator', 'user': 'emulator'}}],
            'current-context': 'emulator',
        }
        pathlib.Path(path).write_text(yaml.safe_dump(config, sort_keys=False), encoding='utf-8')
        return str(path)

    def serve_pod_port(self, port: int, handler: Callable[[dict, dict], tuple] | None) -> None:
        """What answers an HTTP request port-forwarded to ``port`` of any Pod (None: nothing listens there).
        ``handler(pod, request)`` gets the Pod and ``{'method', 'path', 'headers', 'body'}`` and returns
        ``(status, content_type, body bytes)``; a raised ConnectionRefusedError is what a closed port does."""
        with self._lock:
            if handler is None:
                self._pod_ports.pop(port, None)
            else:
                self._pod_ports[port] = handler

    def serve_pod_exec(self, handler: Callable[[dict, list], tuple] | None) -> None:
        """What runs a command exec'd into any Pod (None: nothing does; the exec is refused). ``handler(pod,
        command)`` gets the Pod and the command's argv and returns ``(exit code, stdout bytes, stderr bytes)``."""
        with self._lock:
            self._exec = handler

    def start_pods(self, kubelet: Callable[[dict], dict] | None) -> None:
        """What a node does with every Pod created from now on: ``kubelet(pod)`` returns the pod's status as the
        kubelet would report it once it runs (None: pods keep no status, as until now)."""
        with self._lock:
            self._pod_started = kubelet

    def serve_api_group(self, group: str, handler: Callable[[dict], tuple] | None) -> None:
        """An aggregated API group (an APIService such as metrics-server's metrics.k8s.io): ``handler(request)`` gets
        ``{'method', 'path', 'query'}`` and returns ``(status, JSON body)``; None: the APIService is registered but its
        backend does not answer (HTTP 503, as the API server says then)."""
        with self._lock:
            self._aggregated[group] = handler

    def _aggregated_api(self, req: kmock.Request) -> aiohttp.web.Response:
        with self._lock:
            handler = self._aggregated.get(req.resource.group)
        if handler is None:
            raise ApiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request')
        status, body = handler({'method': req.method.value, 'path': req.url.path, 'query': dict(req.params)})
        return aiohttp.web.json_response(body, status=status)

    def _access_review(self, req: kmock.Request) -> aiohttp.web.Response:
        """SubjectAccessReview: create only, answered by the RBAC authorizer over the stored RBAC objects."""
        if req.method.value != 'POST' or req.name is not None:
            raise ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
        body = _as_object(self._body(req))
        spec = body.get('spec') or {}
        if not spec.get('user') and not spec.get('groups'):
            raise ApiError(422, 'Invalid', 'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: '
                                           'Invalid value: "": at least one of user or group must be specified')
        if bool(spec.get('resourceAttributes')) == bool(spec.get('nonResourceAttributes')):
            raise ApiError(422, 'Invalid', 'SubjectAccessReview.authorization.k8s.io "" is invalid: '
                                           'spec.resourceAttributes: Invalid value: exactly one of '
                                           'nonResourceAttributes or resourceAttributes must be specified')
        with self._lock:
            rbac = [_copy(o) for k, o in self._store.items() if k[0] == kube_review.RBAC]
        answer = dict(body, apiVersion='authorization.k8s.io/v1', kind='SubjectAccessReview',
                      status=kube_review.review(rbac, body))
        return aiohttp.web.json_response(answer, status=201)

    # --- inspection ----------------------------------------------------------------------
    def objects(self, kind: str | None = None, namespace: str | None = None) -> list[dict]:
        """What clients stored: the built-in Namespaces are left out until a client changes them."""
        with self._lock:
            return [_copy(obj) for obj in self._store.values()
                    if kind in (None, obj['kind']) and namespace in (None, obj['metadata'].get('namespace'))
                    and self._seeds.get(obj['metadata']['uid']) != obj['metadata']['resourceVersion']]

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> dict | None:
        group = api_version.rpartition('/')[0]
        with self._lock:
            for (g, _kind, ns, n), obj in self._store.items():
                if (g, ns, n) == (group, namespace, name) and obj['kind'] == kind:
                    return dict(_copy(obj), apiVersion=api_version)
        return None

    def call(self, method: str, path: str, body: Any,
             content_type: str = 'application/merge-patch+json') -> int:
        """Send one request over HTTP, as a controller would (e.g. a PATCH of a /status subresource); return the
        status code, raising on an error status."""
        import urllib.request  # pylint: disable=import-outside-toplevel

        request = urllib.request.Request(self.url + path, method=method, data=json.dumps(body).encode(),
                                         headers={'Content-Type': content_type})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status

    def snapshot(self) -> dict:
        """Everything the server holds, to start another emulator from (``KubeEmulator(restore=...)``)."""
        with self._lock:
            return _copy({'store': self._store, 'rv': self._rv, 'seeds': self._seeds})

    def _restore(self, snapshot: dict) -> None:
        self._store = _copy(snapshot['store'])
        self._rv, self._seeds = snapshot['rv'], dict(snapshot['seeds'])
        for key, obj in self._store.items():  # CRDs created by clients make their kinds servable again
            if key[:2] == (CRD.group, CRD.plural):
                self._register_crd(obj, None)

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()
            self._handler._requests.clear()  # kmock keeps every parsed request forever

    def _record(self, request: kmock.Request) -> None:
        entry = {'method': request.method.value, 'path': request.url.path,
                 'query': dict(request.params), 'content_type': _header(request, 'content-type') or None}
        with self._lock:
            self.requests.append(entry)
            if self._request_log is not None:
                self._request_log.write(json.dumps(entry) + '\n')
                self._request_log.flush()

    # --- serving -------------------------------------------------------------------------
    async def _port_forward(self, req: kmock.Request) -> aiohttp.web.StreamResponse:
        """pods/portforward over a WebSocket (channel protocol v4): per port a data and an error channel, each
        opened by a frame carrying the port number; one HTTP request per data channel, answered by the port's
        handler, then the connection closes (the request asks for that with Connection: close or not)."""
        pods = kmock.resource('', 'v1', 'pods')
        with self._lock:
            pod = _copy(self._existing(pods, req.namespace, req.name))
        raw = req._raw_request
        try:
            ports = [int(p) for value in raw.query.getall('ports', []) for p in value.split(',')]
        except ValueError as e:
            raise _bad_request(f'invalid port: {e}') from e
        if not ports:
            raise _bad_request('at least one port is required: ?ports=<port>')
        ws = aiohttp.web.WebSocketResponse(protocols=('v4.channel.k8s.io',))
        await ws.prepare(raw)
        for index, port in enumerate(ports):
            for channel in (2 * index, 2 * index + 1):
                await ws.send_bytes(bytes([channel]) + port.to_bytes(2, 'little'))
        received = {index: b'' for index in range(len(ports))}
        open_ports = set(received)
        async for message in ws:
            if message.type != aiohttp.WSMsgType.BINARY or not message.data:
                continue
            index = message.data[0] // 2
            if index not in open_ports:
                continue
            received[index] += message.data[1:]
            request = _http_request(received[index])
            if request is None:
                continue
            open_ports.discard(index)
            with self._lock:
                handler = self._pod_ports.get(ports[index])
            try:
                if handler is None:
                    raise ConnectionRefusedError
                status, content_type, body, *_headers = handler(pod, request)
            except ConnectionRefusedError:
                await ws.send_bytes(bytes([2 * index + 1]) + (
                    f'error forwarding port {ports[index]} to pod {pod["metadata"]["uid"]}, uid : '
                    f'failed to connect to localhost:{ports[index]}: connection refused').encode())
            else:
                head = (f'HTTP/1.1 {status} {_REASONS.get(status, "Status")}\r\nContent-Type: {content_type}\r\n'
                        f'Content-Length: {len(body)}\r\nConnection: close\r\n\r\n')
                await ws.send_bytes(bytes([2 * index]) + head.encode() + body)
            if not open_ports:
                break
        await ws.close()
        return ws

    def _service_proxy(self, req: kmock.Request, namespace: str, target: str, path: str | None) -> aiohttp.web.Response:
        """services/proxy as the API server serves it: ``[scheme:]name[:port]`` picks the Service port (number or
        name; none: the first), a ready endpoint of it (a Running, Ready pod matching the selector; none: 503 "no
        endpoints available"), and the request goes to its target port (what serve_pod_port() serves there) with
        the endpoint's address as Host, answered as the backend answers (status, headers, body, an upgrade's 101
        too). TLS to the backend (https:) is not emulated: the handler gets the request with scheme https."""
        parts = target.split(':')
        scheme = parts.pop(0) if len(parts) == 3 or (len(parts) == 2 and parts[0] in ('http', 'https')) else ''
        name, port_ref = parts[0], (parts[1] if len(parts) > 1 else '')
        services = kmock.resource('', 'v1', 'services')
        with self._lock:
            service = _copy(self._existing(services, namespace, name))
            pods = [_copy(o) for k, o in self._store.items() if k[:3] == ('', 'pods', namespace)]
        ports = (service.get('spec') or {}).get('ports') or []
        port = next((p for p in ports if port_ref in (str(p.get('port')), p.get('name', ''))), None) if port_ref \
            else (ports[0] if ports else None)
        selector = (service.get('spec') or {}).get('selector') or {}
        ready = [p for p in sorted(pods, key=lambda p: p['metadata']['name'])
                 if selector and all(_labels(p).get(k) == v for k, v in selector.items())
                 and (p.get('status') or {}).get('phase', 'Running') == 'Running'
                 and not p['metadata'].get('deletionTimestamp')
                 and all(c.get('status') == 'True' for c in (p.get('status') or {}).get('conditions') or []
                         if c.get('type') == 'Ready')]
        if port is None or not ready:
            raise ApiError(503, 'ServiceUnavailable', f'no endpoints available for service "{target}"')
        pod, target_port = ready[0], port.get('targetPort', port.get('port'))
        if isinstance(target_port, str):  # a named container port
            target_port = next((cp['containerPort'] for c in pod['spec'].get('containers', [])
                                for cp in c.get('ports') or [] if cp.get('name') == target_port), 0)
        address = f'{(pod.get("status") or {}).get("podIP") or pod["metadata"]["name"]}:{target_port}'
        with self._lock:
            handler = self._pod_ports.get(target_port)
        raw = req._raw_request
        headers = {k.lower(): v for k, v in raw.headers.items() if k.lower() != 'authorization'}
        headers['host'] = address
        query = f'?{raw.query_string}' if raw.query_string else ''
        request = {'method': req.method.value, 'path': (path or '/') + query,
                   'headers': headers, 'body': b'', 'scheme': scheme or 'http'}
        try:
            if handler is None:
                raise ConnectionRefusedError
            status, content_type, body, *extra = handler(pod, request)
        except ConnectionRefusedError:
            raise ApiError(503, 'ServiceUnavailable', f'error trying to reach service: dial tcp {address}: '
                                                      f'connect: connection refused') from None
        response = aiohttp.web.Response(status=status, body=body, headers=dict(extra[0] if extra else {}))
        if content_type:
            response.content_type = content_type.split(';')[0]
        return response

    async def _pod_exec(self, req: kmock.Request) -> aiohttp.web.StreamResponse:
        """pods/exec over a WebSocket (channel protocol v4): the handler's stdout on channel 1, stderr on 2, then the
        kubelet's Status on channel 3 (Success, or NonZeroExitCode with the code as its cause), and the close. As
        the API server does, an exec into a pod that does not run is a 400 before any upgrade."""
        pods = kmock.resource('', 'v1', 'pods')
        with self._lock:
            pod = _copy(self._existing(pods, req.namespace, req.name))
            handler = self._exec
        raw = req._raw_request
        command = raw.query.getall('command', [])
        if not command:
            raise _bad_request('you must specify at least 1 command')
        if (pod.get('status') or {}).get('phase', 'Running') != 'Running':
            raise _bad_request(f'pod {pod["metadata"]["name"]} is not running')
        ws = aiohttp.web.WebSocketResponse(protocols=('v4.channel.k8s.io',))
        await ws.prepare(raw)
        if handler is None:
            code, out, err = 126, b'', b'exec: no runtime serves this node\n'
        else:
            code, out, err = handler(pod, list(command))
        if out:
            await ws.send_bytes(b'\x01' + out)
        if err:
            await ws.send_bytes(b'\x02' + err)
        status = {'metadata': {}, 'status': 'Success'} if code == 0 else {
            'metadata': {}, 'status': 'Failure', 'reason': 'NonZeroExitCode',
            'message': f'command terminated with non-zero exit code: error executing command {command}, '
                       f'exit code {code}',
            'details': {'causes': [{'reason': 'ExitCode', 'message': str(code)}]}}
        await ws.send_bytes(b'\x03' + json.dumps(status).encode())
        await ws.close()
        return ws

    def _info(self, res: kmock.resource) -> kmock.ResourceInfo:
        if res not in self._handler.resources:
            raise ApiError(404, 'NotFound', NO_RESOURCE, {})
        return self._handler.resources[res]

    def _serve(self, req: kmock.Request) -> aiohttp.web.Response:
        res, method, params = req.resource, req.method.value, req.params
        info, ns, name, sub = self._info(res), req.namespace, req.name, req.subresource
        if ((ns is not None and not info.namespaced) or (ns is None and info.namespaced and name is not None)
                or (sub is not None and (sub != 'status' or sub not in info.subresources))):
            raise ApiError(404, 'NotFound', NO_RESOURCE, {})
        if params.get('dryRun', 'All') != 'All':
            raise _bad_request(f'Invalid dry run value: {params["dryRun"]!r}')
        dry = method != 'GET' and 'dryRun' in params
        with self._lock:
            if method == 'GET' and params.get('watch') in ('true', '1'):
                raise ApiError(405, 'MethodNotAllowed', 'watch is not supported by the emulator')
            if method == 'GET' and name is None:
                return aiohttp.web.json_response(self._list(res, info, ns, params))
            if method == 'GET':
                return aiohttp.web.json_response(self._view(self._existing(res, ns, name), res))
            if method == 'POST' and name is None:
                return aiohttp.web.json_response(self._create(res, info, ns, self._body(req), dry), status=201)
            if method == 'PUT' and name is not None:
                body = self._identified(self._body(req), ns, name)
                old = self._existing(res, ns, name)
                self._precondition(body, old)
                return aiohttp.web.json_response(self._commit(res, info, old, body, dry, sub))
            if method == 'PATCH' and name is not None:
                obj, created = self._patch(req, res, info, ns, name, sub, dry)
                return aiohttp.web.json_response(obj, status=201 if created else 200)
            if method == 'DELETE' and name is not None:
                return aiohttp.web.json_response(self._delete(res, self._existing(res, ns, name), dry))
            if method == 'DELETE':  # deletecollection
                listing = self._list(res, info, ns, params)
                listing['items'] = [self._delete(res, self._existing(res, o['metadata'].get('namespace'),
                                                                     o['metadata']['name']), dry)
                                    for o in listing['items']]
                return aiohttp.web.json_response(listing)
        raise ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')

    def _body(self, req: kmock.Request, apply: bool = False) -> Any:
        try:
            return yaml.safe_load(req.body) if apply else json.loads(req.body or b'null')
        except (ValueError, yaml.YAMLError) as e:
            raise _bad_request(f'the request body is malformed: {e}') from None

    def _view(self, obj: dict, res: kmock.resource) -> dict:
        # Stored objects are version-agnostic; serve them as the requested version.
        return dict(_copy(obj), apiVersion=_api_version(res))

    def _existing(self, res: kmock.resource, ns: str | None, name: str) -> dict:
        if (obj := self._store.get((res.group, res.plural, ns, name))) is None:
            raise _not_found(res, name)
        return obj

    def _list(self, res: kmock.resource, info: kmock.ResourceInfo, ns: str | None, params: dict) -> dict:
        # kmock defect: its lists carry no kind/apiVersion (kubernetes.core k8s_info needs "kind").
        match = _selector(params.get('labelSelector'), params.get('fieldSelector'))
        found = sorted(((k[2] or '', k[3]), o) for k, o in self._store.items()
                       if k[:2] == (res.group, res.plural) and ns in (None, k[2]) and match(o))
        return {'apiVersion': _api_version(res), 'kind': f'{info.kind}List',
                'metadata': {'resourceVersion': str(self._rv)}, 'items': [self._view(o, res) for _key, o in found]}

    def _identified(self, body: Any, ns: str | None, name: str) -> dict:
        """Check that the body names the object of the URL (HTTP 400 otherwise) and fill it in."""
        body = _as_object(body)
        meta = body['metadata']
        if meta.setdefault('name', name) != name:
            raise _bad_request(f'the name of the object ({meta["name"]}) does not match the name on the URL ({name})')
        if ns is not None and meta.setdefault('namespace', ns) != ns:
            raise _bad_request(NAMESPACE_MISMATCH)
        return body

    def _precondition(self, body: dict, old: dict) -> None:
        wanted = (body.get('metadata') or {}).get('resourceVersion')
        if wanted and wanted != old['metadata']['resourceVersion']:
            raise ApiError(409, 'Conflict', f'Operation cannot be fulfilled on {old["kind"]} '
                                            f'"{old["metadata"]["name"]}": the object has been modified')

    def _create(self, res: kmock.resource, info: kmock.ResourceInfo, ns: str | None, body: Any, dry: bool) -> dict:
        meta = (body := _as_object(body))['metadata']
        if ns is not None and meta.setdefault('namespace', ns) != ns:
            raise _bad_request(NAMESPACE_MISMATCH)
        if not info.namespaced:
            meta.pop('namespace', None)
        elif not meta.get('namespace'):
            raise ApiError(404, 'NotFound', NO_RESOURCE, {})
        if not meta.get('name') and meta.get('generateName'):
            meta['name'] = meta['generateName'] + ''.join(secrets.choice('bcdfghjklmnpqrstvwxz2456789')
                                                          for _i in range(5))
        self._check_name(res, info, meta.get('name'))
        if (namespace := meta.get('namespace')) and ('', 'namespaces', None, namespace) not in self._store:
            raise _not_found(kmock.resource('', 'v1', 'namespaces'), namespace)
        if (res.group, res.plural, meta.get('namespace'), meta['name']) in self._store:
            raise ApiError(409, 'AlreadyExists', f'{_qualified(res)} "{meta["name"]}" already exists',
                           {'name': meta['name'], 'group': res.group, 'kind': res.plural})
        if (res.group, res.plural) == ('', 'pods'):  # mutating admission (LimitRanger), then validating
            body = kube_review.limit_ranger(body, self._namespaced('limitranges', meta['namespace']))
            meta = body['metadata']
            if refusal := kube_review.quota_refusal(body, self._namespaced('resourcequotas', meta['namespace'])):
                raise ApiError(403, 'Forbidden', refusal, {'name': meta['name'], 'kind': 'pods'})
            self._admit_pod(body)
        created = self._commit(res, info, None, body, dry)
        if (res.group, res.plural) == ('', 'pods') and self._pod_started is not None and not dry:
            # The node runs it: its status, written after the create as the kubelet writes it.
            running = dict(_copy(created), status=self._pod_started(_copy(created)))
            self._rv += 1
            running['metadata']['resourceVersion'] = str(self._rv)
            self._store['', 'pods', running['metadata']['namespace'], running['metadata']['name']] = running
        return created

    def _namespaced(self, plural: str, namespace: str) -> list[dict]:
        return [_copy(o) for k, o in self._store.items() if k[:3] == ('', plural, namespace)]

    def _admit_pod(self, pod: dict) -> None:
        """Pod Security admission: the pod against its Namespace's enforced level and version (403 when refused)."""
        namespace = self._store.get(('', 'namespaces', None, pod['metadata']['namespace'])) or {}
        try:
            level, version = _pod_security.namespace_policy(_labels(namespace) if namespace else {})
            violations = _pod_security.judge(pod, level, version)
        except _pod_security.PodSecurityError as e:  # a label the admission controller would not accept either
            raise ApiError(403, 'Forbidden', f'pods "{pod["metadata"]["name"]}" is forbidden: {e}') from None
        if violations:
            raise ApiError(403, 'Forbidden', _pod_security.refusal(pod['metadata']['name'], level, version, violations),
                           {'name': pod['metadata']['name'], 'kind': 'pods'})

    def _check_name(self, res: kmock.resource, info: kmock.ResourceInfo, name: Any) -> None:
        if not name:
            raise _invalid(res, info, '', 'metadata.name', 'Required value: name or generateName is required')
        if res.group == 'rbac.authorization.k8s.io':  # path segment names, e.g. "system:auth-delegator"
            valid = isinstance(name, str) and name not in ('.', '..') and not set('/%') & set(name)
        else:
            pattern, limit = {('', 'namespaces'): (DNS_LABEL, 63),
                              ('', 'services'): (DNS_1035_LABEL, 63)}.get((res.group, res.plural), (DNS_SUBDOMAIN, 253))
            valid = isinstance(name, str) and len(name) <= limit and pattern.fullmatch(name) is not None
        if not valid:
            raise _invalid(res, info, str(name), 'metadata.name', f'Invalid value: "{name}"')

    def _patch(self, req: kmock.Request, res: kmock.resource, info: kmock.ResourceInfo,
               ns: str | None, name: str, sub: str | None, dry: bool) -> tuple[dict, bool]:
        ctype = _header(req, 'content-type').split(';')[0].strip()
        if ctype == APPLY:  # kmock gap: server-side apply, an upsert (merge semantics, see the docstring)
            if not req.params.get('fieldManager'):
                raise _bad_request('PATCH, application/apply-patch+yaml requests require fieldManager')
            body = self._identified(self._body(req, apply=True), ns, name)
            if not body.get('apiVersion') or not body.get('kind'):
                raise _bad_request('apply patches must set apiVersion and kind')
            if (old := self._store.get((res.group, res.plural, ns, name))) is None:
                if sub is not None:
                    raise _not_found(res, name)
                return self._create(res, info, ns, body, dry), True
            self._precondition(body, old)
            return self._commit(res, info, old, _merge(self._view(old, res), body), dry, sub), False
        old, body = self._existing(res, ns, name), self._body(req)
        if ctype == STRATEGIC and res in self._custom:  # as for real custom resources
            raise ApiError(415, 'UnsupportedMediaType', f'{STRATEGIC} is not supported for custom resources')
        if ctype in (MERGE, STRATEGIC) and isinstance(body, dict):
            self._precondition(body, old)
            new = _merge(self._view(old, res), _strip_directives(body))
        elif ctype == JSON_PATCH and isinstance(body, list):
            try:
                new = jsonpatch.apply_patch(self._view(old, res), body)
            except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, KeyError, TypeError) as e:
                raise ApiError(422, 'Invalid', f'the JSON patch cannot be applied: {e}') from None
        elif ctype in (MERGE, STRATEGIC, JSON_PATCH):
            raise _bad_request(f'the body of a {ctype} request has the wrong type')
        else:
            raise ApiError(415, 'UnsupportedMediaType', f'the body of the request was in an unknown format: {ctype!r}')
        return self._commit(res, info, old, self._identified(new, ns, name), dry, sub), False

    def _commit(self, res: kmock.resource, info: kmock.ResourceInfo, old: dict | None, new: dict,
                dry: bool, sub: str | None = None) -> dict:
        """Normalise and store an object; a write that changes nothing returns the stored object."""
        # kmock gap: realistic metadata (uid, creationTimestamp, resourceVersion, generation).
        api_group = str(new.get('apiVersion') or '').rpartition('/')[0]
        if new.get('kind') not in (None, info.kind) or (new.get('apiVersion') and api_group != res.group):
            raise _bad_request(f'the object is a {new.get("apiVersion")}, Kind={new.get("kind")}, '
                               f'not a {_api_version(res)}, Kind={info.kind}')
        new = dict(_copy(new), apiVersion=_api_version(res), kind=info.kind)
        before = self._view(old, res) if old is not None else None
        if sub == 'status':  # a /status write changes only the status
            new = dict(_copy(before), status=new.get('status'))
        elif 'status' in info.subresources:  # ... and the main resource never does
            new.pop('status', None)
            if before is not None and 'status' in before:
                new['status'] = before['status']
        new = {k: v for k, v in new.items() if v is not None}
        meta = new['metadata']
        if not info.namespaced:
            meta.pop('namespace', None)
        for field in SERVER_FIELDS:  # set by the server only
            meta.pop(field, None)
            if before is not None and field in before['metadata']:
                meta[field] = before['metadata'][field]
        if before is None:
            meta.update(uid=str(uuid.uuid4()), creationTimestamp=_now(), generation=1)
        self._normalize(res, info, new)
        if before is not None and _content(new) != _content(before):
            meta['generation'] = before['metadata'].get('generation', 0) + 1
        if new == before:
            return before  # a no-op: identical object, unchanged resourceVersion
        if before is not None and before['metadata'].get('deletionTimestamp'):
            added = set(meta.get('finalizers') or []) - set(before['metadata'].get('finalizers') or [])
            if added:
                raise ApiError(422, 'Invalid', f'{info.kind} "{meta["name"]}" is invalid: metadata.finalizers: '
                                               f'Forbidden: no new finalizers can be added if the object is being '
                                               f'deleted, found new finalizers {sorted(added)!r}')
        meta['resourceVersion'] = str(self._rv + 1)
        if dry:
            return new
        self._rv += 1
        key = (res.group, res.plural, meta.get('namespace'), meta['name'])
        if meta.get('deletionTimestamp') and not meta.get('finalizers'):  # the last finalizer is gone: deleted
            self._store[key] = _copy(new)
            self._remove(key)
            return new
        self._store[key] = _copy(new)
        if res == CRD:
            self._register_crd(new, old)
        return new

    def _normalize(self, res: kmock.resource, info: kmock.ResourceInfo, obj: dict) -> None:
        """What the API server does to objects of particular kinds on every write."""
        name, kind = obj['metadata']['name'], (res.group, res.plural)
        if kind in (('', 'secrets'), ('', 'configmaps')):
            for field in ('data', 'stringData', 'binaryData'):
                values = obj.get(field) or {}
                if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
                    raise _bad_request(f'{info.kind} in version "v1" cannot be handled as a {info.kind}: '
                                       f'{field} values must be strings')
        if kind == ('', 'secrets'):  # kmock gap: fold stringData into data, as the API server does
            data = dict(obj.pop('data', None) or {})
            for key, value in (obj.pop('stringData', None) or {}).items():
                data[key] = base64.b64encode(value.encode()).decode()
            for key, value in data.items():
                try:
                    base64.b64decode(value, validate=True)
                except binascii.Error:
                    raise _bad_request(f'Secret in version "v1" cannot be handled as a Secret: '
                                       f'illegal base64 data in data.{key}') from None
            if data:
                obj['data'] = data
            obj.setdefault('type', 'Opaque')
        elif kind == ('', 'namespaces'):
            obj['metadata'].setdefault('labels', {})['kubernetes.io/metadata.name'] = name
            obj['status'] = {'phase': 'Active'}
        elif res == CRD:
            self._crd_status(obj)
        elif (validator := self._custom.get(res)) is not None:  # the CRD's openAPIV3Schema
            if (error := jsonschema.exceptions.best_match(validator.iter_errors(obj))) is not None:
                field = '.'.join(str(p) for p in error.absolute_path) or '<root>'
                raise _invalid(res, info, name, field, f'Invalid value: {error.message}')

    def _crd_status(self, crd: dict) -> None:
        spec, name = crd.get('spec') or {}, crd['metadata']['name']
        names, versions = dict(spec.get('names') or {}), spec.get('versions') or []
        problems = [(field, problem) for field, problem, bad in [
            ('spec.group', 'Required value', not spec.get('group')),
            ('spec.names', 'plural and kind are required', not names.get('plural') or not names.get('kind')),
            ('spec.scope', 'must be Namespaced or Cluster', spec.get('scope') not in ('Namespaced', 'Cluster')),
            ('spec.versions', 'exactly one must be the storage version', sum(bool(v.get('storage')) for v in versions) != 1),
            ('metadata.name', 'must be <plural>.<group>', name != f'{names.get("plural")}.{spec.get("group")}'),
        ] if bad]
        if problems:
            raise _invalid(CRD, self._info(CRD), name, *problems[0])
        names.setdefault('singular', names['kind'].lower())
        names.setdefault('listKind', names['kind'] + 'List')
        stored = set((crd.get('status') or {}).get('storedVersions') or [])
        stored |= {v['name'] for v in versions if v.get('storage')}
        since = crd['metadata']['creationTimestamp']
        crd['status'] = {'acceptedNames': names, 'storedVersions': sorted(stored), 'conditions': [
            {'type': 'NamesAccepted', 'status': 'True', 'reason': 'NoConflicts',
             'message': 'no conflicts found', 'lastTransitionTime': since},
            {'type': 'Established', 'status': 'True', 'reason': 'InitialNamesAccepted',
             'message': 'the initial names have been accepted', 'lastTransitionTime': since}]}

    def _crd_resources(self, crd: dict) -> list[kmock.resource]:
        spec = crd['spec']
        return [kmock.resource(spec['group'], v['name'], spec['names']['plural'])
                for v in spec['versions'] if v.get('served', True)]

    def _register_crd(self, crd: dict, old: dict | None) -> None:
        # kmock defect: a created CRD does not make its kind servable (discovery + CRUD).
        for res in self._crd_resources(old) if old is not None else []:
            self._forget(res)
        spec, names = crd['spec'], crd['status']['acceptedNames']
        for version, res in zip([v for v in spec['versions'] if v.get('served', True)], self._crd_resources(crd)):
            self._handler.resources[res] = kmock.ResourceInfo(
                kind=names['kind'], singular=names['singular'], namespaced=spec['scope'] == 'Namespaced',
                verbs=CR_VERBS, shortnames=names.get('shortNames') or (), categories=names.get('categories') or (),
                subresources=set(version.get('subresources') or {}))
            schema = (version.get('schema') or {}).get('openAPIV3Schema')
            self._custom[res] = jsonschema.Draft7Validator(_nullable(schema)) if schema else None

    def _forget(self, res: kmock.resource) -> None:
        if res in self._handler.resources:
            del self._handler.resources[res]
        self._custom.pop(res, None)

    def _delete(self, res: kmock.resource, obj: dict, dry: bool) -> dict:
        key = (res.group, res.plural, obj['metadata'].get('namespace'), obj['metadata']['name'])
        if obj['metadata'].get('finalizers'):  # kept until its finalizers are gone, marked as being deleted
            if obj['metadata'].get('deletionTimestamp'):
                return self._view(obj, res)
            marked = _copy(obj)
            marked['metadata'].update(deletionTimestamp=_now(), deletionGracePeriodSeconds=0,
                                      resourceVersion=str(self._rv + 1))
            if not dry:
                self._rv += 1
                self._store[key] = marked
            return self._view(marked, res)
        if not dry:
            self._remove(key)
        return self._view(obj, res)

    def _remove(self, key: tuple) -> None:
        obj = self._store.pop(key)
        self._rv += 1
        if key[:2] == ('', 'namespaces'):  # a namespace takes its objects along
            for other in [k for k in self._store if k[2] == key[3]]:
                del self._store[other]
        elif key[:2] == (CRD.group, CRD.plural):  # a CRD takes its kind and objects along
            for res in self._crd_resources(obj):
                self._forget(res)
            for other in [k for k in self._store if k[:2] == (obj['spec']['group'], obj['spec']['names']['plural'])]:
                del self._store[other]


_REASONS = {200: 'OK', 204: 'No Content', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found',
            500: 'Internal Server Error'}


def _http_request(data: bytes) -> dict | None:
    """A complete HTTP/1.1 request in ``data`` (Content-Length bodies), else None."""
    head, sep, rest = data.partition(b'\r\n\r\n')
    if not sep:
        return None
    lines = head.decode('latin-1').split('\r\n')
    method, path, _version = lines[0].split(' ', 2)
    headers = {}
    for line in lines[1:]:
        name, _colon, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get('content-length', '0'))
    if len(rest) < length:
        return None
    return {'method': method, 'path': path, 'headers': headers, 'body': rest[:length]}


@functools.lru_cache(maxsize=None)
def _crd_documents(path: str) -> tuple:
    """The CRDs in a file, parsed once per process (the largest are over 1 MB)."""
    loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
    with open(path, encoding='utf-8') as handle:
        return tuple(doc for doc in yaml.load_all(handle, Loader=loader)
                     if doc and doc.get('kind') == 'CustomResourceDefinition')


# The emulator cannot run Helm charts or operators: runs against it skip the Helm releases (role helm_releases)
# and the waits for operator-set conditions with the variables an inventory would set (tests.support.playbook's
# run_playbook(emulator=True) passes them as extra variables, molecule/default/host_vars sets them), and get the
# charts' CRDs from platform_crds() instead. A test that plays a controller turns its role's wait back on with the
# role's own variable (strimzi_kafka_wait: true, ...), which beats eventstack_wait.
EMULATOR_VARS = {'helm_releases_enabled': False, 'eventstack_wait': False}
# Nothing here makes an object Ready (no controllers): site.yml's verify play is left out (ansible-playbook's own
# setting), and tests/converge/test_verify.py runs playbooks/verify.yml with the statuses a cluster would report.
EMULATOR_ENV = {'ANSIBLE_SKIP_TAGS': 'verify'}

# CRDs of the charts the platform roles install with Helm (which the emulator cannot run).
PLATFORM_CRD_DIRS = ('gateway-api', 'envoy-gateway', 'cert-manager', 'strimzi', 'dapr', 'cloudnative-pg',
                     'prometheus-operator', 'calico')


def platform_crds() -> list[pathlib.Path]:
    """The CRD files of PLATFORM_CRD_DIRS under tests/support/schemas.crd_dir()."""
    from tests.support.schemas import crd_dir  # late: schemas imports kubernetes_validate

    root = crd_dir()
    return sorted(path for name in PLATFORM_CRD_DIRS for path in (root / name).glob('*.yaml'))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog='python -m tests.support.kube_emulator', description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--kubeconfig', required=True, help='where to write the kubeconfig (context "emulator")')
    parser.add_argument('--request-log', help='append every request to this file as a JSON line')
    parser.add_argument('--server-version', help='the version /version reports, e.g. 1.34')
    args = parser.parse_args(argv)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    emulator = KubeEmulator(args.host, args.port, server_version=args.server_version,
                            request_log=args.request_log).start()
    try:
        emulator.write_kubeconfig(args.kubeconfig)
        print(f'listening on {emulator.url}', flush=True)
        while not stop.wait(0.2):
            pass
    finally:
        emulator.stop()


if __name__ == '__main__':
    main()
