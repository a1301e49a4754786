#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: gateway_probe
short_description: Checkpoints of the ingress gateway asked over HTTP(S) - routing, WebSocket, TLS, redirect, headers
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Asks the Gateway API Gateway of the ingress role (Envoy Gateway) as a client would and returns one checkpoint
    per check (C(name), C(required), C(passed), C(seconds), C(evidence)).
  - The requests go to the Gateway's address (O(address), else its C(status.addresses)) when the controller can open
    a TCP connection to it, with the host name as C(Host) and TLS SNI; otherwise (no address, as on a local cluster,
    or one the controller cannot reach) through the API server's service proxy
    (C(/api/v1/namespaces/<ns>/services/[https:]<name>:<port>/proxy/<path>)) to the Envoy proxy Service of the
    Gateway (labels C(gateway.envoyproxy.io/owning-gateway-name) and C(-namespace)). No NetworkPolicy is opened.
  - The service proxy sends the endpoint's address as C(Host), so a listener or route bound to a host name does not
    match it; the evidence says so. It also ends TLS at the API server, so the certificate is then read from the
    HTTPS listener's certificate Secret (its C(tls.crt) only) instead of a handshake.
  - O(routing) - each request of O(requests) answers below 400 (a WebSocket upgrade 101 with the
    C(Sec-WebSocket-Accept) of RFC 6455), and the rule of the live HTTPRoutes attached to the Gateway that takes it
    (longest C(PathPrefix)) sends it to the Service O(routes) routes that path to. The evidence names the status,
    the backend and the cause of a failure (no rule for the path, no ready pod behind the Service).
  - O(https) - the headers of O(headers) are on the answer to C(GET /); with O(tls), C(GET /) on the HTTP listener
    answers 301 or 308 to C(https://), and the certificate covers O(hostname), is valid now and has at least
    O(min_days) days left (fewer is a warning). Its chain is checked against O(ca_file) (a failure) or the
    controller's trust store (a warning).
  - Secret values are never returned. Needs C(get) on C(gateways), C(list) on C(httproutes), C(services) and
    C(pods), C(get) on C(services/proxy), and C(get) on the certificate Secret when going through the service proxy.
extends_documentation_fragment:
  - eventstack.oke.kube_auth
attributes:
  check_mode:
    support: full
    description: The checks only read (GET requests and a WebSocket handshake closed at once); they run in check mode.
  diff_mode:
    support: none
    description: Nothing changes.
requirements:
  - cryptography (to read the certificate)
options:
  gateway:
    description: The Gateway - C(namespace) and C(name).
    type: dict
    required: true
    suboptions:
      namespace:
        description: Its namespace.
        type: str
        required: true
      name:
        description: Its name.
        type: str
        required: true
  hostname:
    description: The host name the apps are served on (C(Host), SNI, the certificate's name); empty - any.
    type: str
    default: ""
  tls:
    description: Whether TLS is on - the apps are asked on the HTTPS listener and O(https) checks the certificate
      and the redirect.
    type: bool
    default: false
  address:
    description: The gateway's address; empty - the Gateway's C(status.addresses).
    type: str
    default: ""
  ports:
    description: Ports of the address - C(http) (default 80) and C(https) (default 443).
    type: dict
    default: {}
  via:
    description: C(auto) - the address when reachable, else the service proxy; C(address) or C(service_proxy) only.
    type: str
    default: auto
    choices: [auto, address, service_proxy]
  namespace:
    description: Namespace of the Services of O(routes).
    type: str
    default: ""
  routes:
    description: What the stack routes - C(prefix) (a path prefix) and C(service) (a Service of O(namespace)).
    type: list
    elements: dict
    default: []
  requests:
    description: The requests of O(routing) - C(path) and C(websocket) (an upgrade request).
    type: list
    elements: dict
    default: [{path: /}, {path: /api/health}, {path: /ws, websocket: true}]
  headers:
    description: Response headers the gateway must set (name - value).
    type: dict
    default: {}
  min_days:
    description: Days the certificate must still be valid before a warning.
    type: float
    default: 14
  ca_file:
    description: CA bundle the certificate's chain must verify against; empty - the controller's (a warning only).
    type: path
  timeout:
    description: Seconds per request.
    type: float
    default: 10
  routing:
    description: Run the routing check.
    type: bool
    default: true
  https:
    description: Run the HTTPS, redirect and headers check.
    type: bool
    default: true
  fail_on_failure:
    description: Fail when a required checkpoint fails.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: The gateway serves the apps over HTTPS with its headers
  eventstack.oke.gateway_probe:
    gateway: {namespace: ingress, name: eventstack}
    hostname: todo.example.com
    tls: true
    namespace: todo-app
    routes:
      - {prefix: /, service: todo-frontend}
      - {prefix: /api, service: todo-backend}
      - {prefix: /ws, service: websocket-worker}
    headers:
      X-Frame-Options: DENY
      Strict-Transport-Security: max-age=31536000; includeSubDomains
    min_days: 14
"""

RETURN = r"""
checkpoints:
  description: One per check run - C(name), C(required), C(passed), C(seconds), C(evidence) (list of lines).
  returned: always
  type: list
  elements: dict
passed:
  description: Whether every required checkpoint passed.
  returned: always
  type: bool
requests:
  description: Kubernetes API requests made (each proxied request counts one).
  returned: always
  type: int
elapsed:
  description: Seconds the checks took.
  returned: always
  type: float
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _checkpoint, _gateway_probe, _k8s_client


def main():
    module = AnsibleModule(argument_spec=_gateway_probe.ARGUMENT_SPEC, supports_check_mode=True)
    answer = _gateway_probe.check(module.params, lambda: _k8s_client.connect(module), module.check_mode)
    _checkpoint.exit_module(module, answer)


if __name__ == "__main__":
    main()
