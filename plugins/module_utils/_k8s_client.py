# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: a thin, counted Kubernetes REST client on top of the kubernetes Python package.

Raw paths instead of the dynamic client: discovery is fetched once per group-version actually used,
so a batch costs one request per group-version, one per kind and namespace, and one per object that
needs a change.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import sys
import time
import urllib.parse

try:
    from kubernetes import client as _k8s_client
    from kubernetes import config as _k8s_config
    from kubernetes.client.rest import ApiException
    HAS_KUBERNETES = True
except ImportError:  # pragma: no cover - reported by the module
    HAS_KUBERNETES = False

    class ApiException(Exception):  # type: ignore[no-redef]
        """Stand-in so callers can always catch it."""

        status = 0
        body = ""


def connect(module):
    """A KubeClient from a module's kubeconfig and context options (doc_fragments/kube_auth.py); fails the module,
    naming both, when the library is missing or the kubeconfig cannot be used."""
    if not HAS_KUBERNETES:
        from ansible.module_utils.basic import missing_required_lib  # pylint: disable=import-outside-toplevel
        module.fail_json(msg=missing_required_lib("kubernetes"))
    client, error = open_client(module.params["kubeconfig"], module.params["context"])
    if error:
        module.fail_json(msg=error)
    return client


class ConnectError(Exception):
    """The kubeconfig and context cannot be used, or the kubernetes package is missing (the message says which)."""


def connector(kubeconfig=None, context=None):
    """connect() for a check run in an action plugin's own process (plugin_utils/_in_controller.py): the KubeClient,
    or ConnectError saying why not; opened when the check first needs the cluster."""
    def connect():
        client, error = open_client(kubeconfig, context)
        if error:
            raise ConnectError(error)
        return client
    return connect


def open_client(kubeconfig=None, context=None):
    """(KubeClient, None), or (None, why not) naming the kubeconfig and context when it cannot be used: for modules
    (connect) and for action plugins that talk to the API from the controller."""
    if not HAS_KUBERNETES:
        return None, "the kubernetes Python package is not installed for %s" % sys.executable
    try:
        return KubeClient(kubeconfig, context), None
    except Exception as exc:  # whatever the kubeconfig loader raises
        return None, "cannot use the kubeconfig %s (context %s): %s" % (
            kubeconfig or "from the environment", context or "current", exc)


def kube_auth_argspec(**extra):
    """Argument spec of the options documented in doc_fragments/kube_auth.py, plus the module's own."""
    spec = dict(kubeconfig=dict(type="path"), context=dict(type="str"))
    spec.update(extra)
    return spec


class KubeError(Exception):
    """A request failed; status is the HTTP status (0 when none), reason the server's message."""

    def __init__(self, method, path, status, reason, details=None):
        super().__init__("%s %s: HTTP %s: %s" % (method, path, status, reason))
        self.status = status
        self.reason = reason
        self.details = details or {}


def _status_message(body):
    try:
        status = json.loads(body)
        return status.get("message") or body, status.get("details") or {}
    except (TypeError, ValueError):
        return body, {}


class KubeClient:
    """Counts every request it makes (`requests`), so callers and benchmarks can report the cost."""

    def __init__(self, kubeconfig=None, context=None, api_client=None):
        self.requests = 0
        self._discovery = {}
        if api_client is not None:
            self.api = api_client
            return
        kubeconfig = kubeconfig or os.environ.get("K8S_AUTH_KUBECONFIG")
        default_path = os.path.expanduser(os.environ.get("KUBECONFIG", "~/.kube/config").split(os.pathsep)[0])
        if not kubeconfig and not os.path.exists(default_path) and os.environ.get("KUBERNETES_SERVICE_HOST"):
            _k8s_config.load_incluster_config()
            self.api = _k8s_client.ApiClient()
        else:
            self.api = _k8s_config.new_client_from_config(
                config_file=os.path.expanduser(kubeconfig) if kubeconfig else None, context=context or None)

    def request(self, method, path, query=None, body=None, content_type="application/json"):
        """Send one request; return the decoded JSON body; raise KubeError on an HTTP error."""
        self.requests += 1
        headers = {"Accept": "application/json", "Content-Type": content_type}
        payload = json.dumps(body) if body is not None else None
        try:
            if hasattr(self.api, "param_serialize"):  # kubernetes >= 35: openapi-generator 7 transport
                prepared = self.api.param_serialize(method, path, query_params=list((query or {}).items()),
                                                    header_params=headers, body=payload,
                                                    auth_settings=["BearerToken"])
                response = self.api.call_api(*prepared)
                response.read()
                status, data = response.status, response.data
            else:  # older generated clients serialise a JSON (or apply-patch) body themselves
                response = self.api.call_api(
                    path, method, query_params=list((query or {}).items()), header_params=headers, body=body,
                    auth_settings=["BearerToken"], _preload_content=False, _return_http_data_only=True)
                status, data = 200, response.data
        except ApiException as exc:
            message, details = _status_message(exc.body)
            raise KubeError(method, path, exc.status, message, details) from exc
        except Exception as exc:  # connection refused, TLS, DNS: no HTTP status
            raise KubeError(method, path, 0, str(exc)) from exc
        if not 200 <= status <= 299:
            message, details = _status_message(data)
            raise KubeError(method, path, status, message, details)
        return json.loads(data) if data else {}

    def pod_http(self, namespace, pod, port, method, path, body=None, content_type="application/json", timeout=10):
        """One HTTP request to a pod's port through pods/portforward (reaches ports that listen on localhost only);
        returns (status, body bytes); raises KubeError when the forward or the connection fails."""
        from kubernetes.stream import ws_client  # pylint: disable=import-outside-toplevel

        self.requests += 1
        forward_path = "/api/v1/namespaces/%s/pods/%s/portforward" % (namespace, pod)
        config = self.api.configuration
        headers = {}
        auth = config.auth_settings().get("BearerToken")  # refreshes exec-plugin tokens (oci ce generate-token)
        if auth and auth.get("value"):
            headers["authorization"] = auth["value"]
        try:
            forward = ws_client.portforward_call(config, "GET", config.host + forward_path, headers=headers,
                                                 query_params=[("ports", str(port))])
        except ApiException as exc:
            handshake = exc.__context__  # websocket-client's bad-status exception carries the API server's answer
            status = getattr(handshake, "status_code", 0) or 0
            message, details = _status_message(getattr(handshake, "resp_body", None) or exc.reason)
            raise KubeError("GET", forward_path, status, message, details) from exc
        sock = forward.socket(port)
        sock.settimeout(timeout)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.sock = sock
        try:
            connection.request(method, path, body=body, headers={"Content-Type": content_type, "Connection": "close"})
            response = connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise KubeError(method, "%s (port %s) %s" % (pod, port, path), 0,
                            forward.error(port) or str(exc) or type(exc).__name__) from exc
        finally:
            connection.close()
            forward.close()

    def raw_http(self, method, path, headers=None, body=None, timeout=10):
        """One request to the API server sent as it is, its answer taken as it is: (status, {lower-case header: value},
        body bytes) whatever the status (no redirect followed, an upgrade's 101 returned); raises KubeError when no
        answer comes. For the service proxy, whose answers are the proxied server's, not API objects."""
        self.requests += 1
        config = self.api.configuration
        url = urllib.parse.urlsplit(config.host)
        sent = dict(headers or {})
        auth = config.auth_settings().get("BearerToken")  # refreshes exec-plugin tokens (oci ce generate-token)
        if auth and auth.get("value"):
            sent["Authorization"] = auth["value"]
        if url.scheme == "https":
            context = ssl.create_default_context(cafile=config.ssl_ca_cert or None)
            if not config.verify_ssl:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            if config.cert_file:
                context.load_cert_chain(config.cert_file, config.key_file)
            connection = http.client.HTTPSConnection(url.hostname, url.port or 443, timeout=timeout, context=context)
        else:
            connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)
        try:
            connection.request(method, url.path.rstrip("/") + path, body=body, headers=sent)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise KubeError(method, path, 0, str(exc) or type(exc).__name__) from exc
        finally:
            connection.close()

    def service_http(self, namespace, service, port, method, path, headers=None, scheme="", timeout=10):
        """One HTTP request through the API server's service proxy
        (/api/v1/namespaces/<ns>/services/[<scheme>:]<name>:<port>/proxy/<path>); see raw_http()."""
        target = "%s%s:%s" % (scheme + ":" if scheme else "", service, port)
        return self.raw_http(method, "/api/v1/namespaces/%s/services/%s/proxy%s" % (namespace, target, path),
                             headers=headers, timeout=timeout)

    def pod_exec(self, namespace, pod, command, container=None, timeout=30):
        """Run a command in a pod's container through pods/exec (as `kubectl exec` does); returns (exit code, stdout,
        stderr) as the kubelet reports them; raises KubeError when the exec cannot start or outlives `timeout`."""
        from kubernetes.stream import ws_client  # pylint: disable=import-outside-toplevel

        self.requests += 1
        exec_path = "/api/v1/namespaces/%s/pods/%s/exec" % (namespace, pod)
        config = self.api.configuration
        headers = {}
        auth = config.auth_settings().get("BearerToken")
        if auth and auth.get("value"):
            headers["authorization"] = auth["value"]
        query = [("command", str(part)) for part in command] + [("stdout", "true"), ("stderr", "true")]
        if container:
            query.append(("container", container))
        try:
            session = ws_client.websocket_call(config, "GET", config.host + exec_path, headers=headers,
                                               query_params=query, _preload_content=False)
        except ApiException as exc:
            handshake = exc.__context__
            status = getattr(handshake, "status_code", 0) or 0
            message, details = _status_message(getattr(handshake, "resp_body", None) or exc.reason)
            raise KubeError("GET", exec_path, status, message, details) from exc
        try:
            session.run_forever(timeout=timeout)
            if session.is_open():
                raise KubeError("GET", exec_path, 0, "%s did not finish within %ss" % (" ".join(command), timeout))
            stdout, stderr = session.read_stdout(), session.read_stderr()
            return session.returncode, stdout, stderr
        finally:
            session.close()

    def discover(self, api_version):
        """The APIResourceList of a group-version (cached per client); None when the server has none."""
        if api_version not in self._discovery:
            from ansible_collections.eventstack.oke.plugins.module_utils._k8s_apply import api_prefix
            try:
                self._discovery[api_version] = self.request("GET", api_prefix(api_version))
            except KubeError as exc:
                if exc.status != 404:
                    raise
                self._discovery[api_version] = None
        return self._discovery[api_version]

    def forget(self, api_version):
        self._discovery.pop(api_version, None)

    @staticmethod
    def sleep(seconds):
        time.sleep(seconds)
