# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: OCI SDK clients for the read-only check modules.

OciApi builds the SDK config and signer for the chosen auth type (api_key, instance_principal,
resource_principal, security_token), creates clients on demand (all aimed at `service_endpoint` when
given), and runs every call through `call`/`all`: OCI throttling (429), transient 5xx and connection
errors are retried with exponential backoff; the SDK's own retry and circuit breaker are off, so the
behaviour is this one. Failures become OciCallError naming the call, the HTTP status and OCI's message,
never a credential.
"""

from __future__ import annotations

import os
import time

try:
    import oci
    from oci._vendor.requests.exceptions import RequestException
    HAS_OCI = True
    OCI_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the module's missing_required_lib path
    HAS_OCI = False
    OCI_IMPORT_ERROR = exc

RETRYABLE_STATUSES = (429, 500, 502, 503, 504)
AUTH_TYPES = ("api_key", "instance_principal", "resource_principal", "security_token")


def oci_auth_argspec(**extra):
    spec = {
        "auth_type": {"type": "str", "choices": list(AUTH_TYPES)},
        "config_file_location": {"type": "path"},
        "config_profile_name": {"type": "str"},
        "region": {"type": "str"},
        "service_endpoint": {"type": "str"},
        "api_retries": {"type": "int", "default": 5},
        "api_retry_delay": {"type": "float", "default": 1.0},
    }
    spec.update(extra)
    return spec


class OciCallError(Exception):
    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


def _config_and_signer(params):
    auth_type = params.get("auth_type") or os.environ.get("OCI_ANSIBLE_AUTH_TYPE") or "api_key"
    if auth_type not in AUTH_TYPES:
        raise OciCallError("auth_type %r is not one of %s" % (auth_type, ", ".join(AUTH_TYPES)))
    location = params.get("config_file_location") or os.environ.get("OCI_CONFIG_FILE") or "~/.oci/config"
    profile = params.get("config_profile_name") or os.environ.get("OCI_CONFIG_PROFILE") or "DEFAULT"
    region = params.get("region") or os.environ.get("OCI_REGION")
    if auth_type == "instance_principal":
        signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner()
        return {"region": region or signer.region, "tenancy": signer.tenancy_id}, signer
    if auth_type == "resource_principal":
        signer = oci.auth.signers.get_resource_principals_signer()
        return {"region": region or signer.region, "tenancy": signer.tenancy_id}, signer
    try:
        config = oci.config.from_file(os.path.expanduser(location), profile)
    except oci.exceptions.ConfigFileNotFound as exc:
        raise OciCallError("OCI config file %s not found (set config_file_location or OCI_CONFIG_FILE, or use "
                           "another auth_type)" % location) from exc
    except oci.exceptions.ProfileNotFound as exc:
        raise OciCallError("profile %s is not in %s (set config_profile_name or OCI_CONFIG_PROFILE)"
                           % (profile, location)) from exc
    except oci.exceptions.InvalidConfig as exc:
        raise OciCallError("profile %s of %s is incomplete: %s" % (profile, location, exc)) from exc
    if region:
        config["region"] = region
    if auth_type == "security_token":
        token_file = config.get("security_token_file")
        if not token_file:
            raise OciCallError("profile %s has no security_token_file (run `oci session authenticate`)" % profile)
        with open(os.path.expanduser(token_file), encoding="utf-8") as handle:
            token = handle.read().strip()
        key = oci.signer.load_private_key_from_file(config["key_file"], config.get("pass_phrase"))
        return config, oci.auth.signers.SecurityTokenSigner(token, key)
    try:
        oci.config.validate_config(config)
    except oci.exceptions.InvalidConfig as exc:
        raise OciCallError("profile %s of %s is invalid: %s" % (profile, location, exc)) from exc
    return config, None


class OciApi:
    """Clients and retried calls. `attempts` counts every HTTP attempt, `retries` the repeated ones."""

    CLIENTS = {
        "identity": lambda: oci.identity.IdentityClient,
        "limits": lambda: oci.limits.LimitsClient,
        "container_engine": lambda: oci.container_engine.ContainerEngineClient,
        "virtual_network": lambda: oci.core.VirtualNetworkClient,
        "load_balancer": lambda: oci.load_balancer.LoadBalancerClient,
        "blockstorage": lambda: oci.core.BlockstorageClient,
        "bastion": lambda: oci.bastion.BastionClient,
    }

    def __init__(self, params, sleep=time.sleep):
        self.config, self.signer = _config_and_signer(params)
        self.endpoint = params.get("service_endpoint")
        self.max_attempts = max(1, int(params.get("api_retries") or 1))
        self.delay = float(params.get("api_retry_delay") or 0)
        self.sleep = sleep
        self.attempts = 0
        self.retries = 0
        self._clients = {}

    @property
    def tenancy(self):
        return self.config.get("tenancy")

    def client(self, name):
        if name not in self._clients:
            kwargs = {"retry_strategy": oci.retry.NoneRetryStrategy(),
                      "circuit_breaker_strategy": oci.circuit_breaker.NoCircuitBreakerStrategy()}
            if self.signer is not None:
                kwargs["signer"] = self.signer
            if self.endpoint:
                kwargs["service_endpoint"] = self.endpoint
            client = self.CLIENTS[name]()(self.config, **kwargs)
            # A private CA (proxies, private endpoints): the same variable oracle.oci reads.
            cert_bundle = os.environ.get("OCI_ANSIBLE_CERT_BUNDLE")
            if cert_bundle:
                client.base_client.session.verify = cert_bundle
            self._clients[name] = client
        return self._clients[name]

    def call(self, what, client, operation, *args, **kwargs):
        """client.operation(*args, **kwargs).data, retried; `what` names the call in errors."""
        func = getattr(self.client(client), operation)
        for attempt in range(1, self.max_attempts + 1):
            self.attempts += 1
            try:
                return func(*args, **kwargs)
            except oci.exceptions.ServiceError as exc:
                if exc.status in RETRYABLE_STATUSES and attempt < self.max_attempts:
                    self._wait(attempt)
                    continue
                raise OciCallError("%s failed: HTTP %s %s: %s%s" % (
                    what, exc.status, exc.code, exc.message,
                    " (after %d attempts)" % attempt if attempt > 1 else ""), exc.status) from exc
            except RequestException as exc:
                if attempt < self.max_attempts:
                    self._wait(attempt)
                    continue
                raise OciCallError("%s failed: cannot reach OCI (%s) after %d attempts"
                                   % (what, type(exc).__name__, attempt)) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def data(self, what, client, operation, *args, **kwargs):
        return self.call(what, client, operation, *args, **kwargs).data

    def all(self, what, client, operation, *args, **kwargs):
        """Every item of a paginated list call."""
        items, page = [], None
        while True:
            if page:
                kwargs["page"] = page
            response = self.call(what, client, operation, *args, **kwargs)
            items.extend(response.data or [])
            page = response.headers.get("opc-next-page")
            if not page:
                return items

    def _wait(self, attempt):
        self.retries += 1
        self.sleep(self.delay * (2 ** (attempt - 1)))


def run_module(module, work, errors=(), prefix=""):
    """work(api) for a check module: the SDK's presence checked first, an OciCallError (or one of errors) turned into
    fail_json with the message and the calls made. Returns (work's result, {"attempts", "retries"})."""
    if not HAS_OCI:
        from ansible.module_utils.basic import missing_required_lib  # pylint: disable=import-outside-toplevel
        module.fail_json(msg=missing_required_lib("oci"), exception=str(OCI_IMPORT_ERROR))
    api = None
    try:
        api = OciApi(module.params)
        result = work(api)
    except (OciCallError,) + tuple(errors) as exc:
        module.fail_json(msg="%s%s" % (prefix, exc),
                         api_calls={"attempts": api.attempts, "retries": api.retries} if api else {})
    return result, {"attempts": api.attempts, "retries": api.retries}


def to_dict(model):
    """An SDK model (or list of them) as plain data with snake_case keys."""
    return oci.util.to_dict(model)
