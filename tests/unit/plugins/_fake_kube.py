"""A stand-in for _k8s_client.KubeClient: serves discovery and stored objects from dicts, records requests."""

from __future__ import annotations

import copy

from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_apply as ka

CORE = {"resources": [
    {"name": "namespaces", "kind": "Namespace", "namespaced": False},
    {"name": "namespaces/status", "kind": "Namespace", "namespaced": False},
    {"name": "secrets", "kind": "Secret", "namespaced": True},
    {"name": "configmaps", "kind": "ConfigMap", "namespaced": True},
]}


class FakeError(Exception):
    """Shaped like _k8s_client.KubeError."""

    def __init__(self, status, reason, details=None):
        super().__init__(reason)
        self.status, self.reason, self.details = status, reason, details or {}


class FakeClient:
    """Serves discovery and stored objects from dicts and records every request."""

    def __init__(self, discovery=None, objects=None, missing_namespaces=()):
        self.discovery = {"v1": CORE} if discovery is None else discovery
        self.objects = objects or {}   # path -> object
        self.missing_namespaces = set(missing_namespaces)
        self.log = []
        self.cache = {}
        self.requests = 0  # as KubeClient counts them

    def discover(self, api_version):
        if api_version not in self.cache:
            self.log.append(("GET", ka.api_prefix(api_version)))
            self.requests += 1
            self.cache[api_version] = self.discovery.get(api_version)
        return self.cache[api_version]

    def forget(self, api_version):
        self.cache.pop(api_version, None)

    def sleep(self, seconds):
        self.log.append(("SLEEP", seconds))
        if "pending" in self.discovery:
            self.discovery.update(self.discovery.pop("pending"))

    def request(self, method, path, query=None, body=None, content_type=None):
        self.log.append((method, path, dict(query or {})))
        self.requests += 1
        if method == "GET":
            items = [o for p, o in sorted(self.objects.items()) if p.rsplit("/", 1)[0] == path]
            return {"items": copy.deepcopy(items)}
        if method == "PATCH":
            parts = path.split("/")
            # .../namespaces/<ns>/<plural>/<name> is namespaced; .../namespaces/<name> is a Namespace.
            index = parts.index("namespaces") if "namespaces" in parts else -1
            namespace = parts[index + 1] if 0 <= index < len(parts) - 3 else None
            if namespace in self.missing_namespaces:
                raise FakeError(404, 'namespaces "%s" not found' % namespace, {"kind": "namespaces", "name": namespace})
            stored = dict(body, metadata=dict(body["metadata"], resourceVersion="2"))
            if (query or {}).get("dryRun") != "All":
                self.objects[path] = stored
            return stored
        if method == "DELETE":
            if path not in self.objects:
                raise FakeError(404, "not found")
            if (query or {}).get("dryRun") != "All":
                del self.objects[path]
            return {"kind": "Status", "status": "Success"}
        raise AssertionError(method)
