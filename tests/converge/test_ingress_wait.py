"""The ingress role's wait for the load balancer address, against the emulator: the test plays the controller,
which writes the Gateway's status the way Envoy Gateway does once the cloud load balancer exists."""

from __future__ import annotations

import re

from tests.support.playbook import run_playbook

GATEWAY_STATUS = "/apis/gateway.networking.k8s.io/v1/namespaces/envoy-gateway-system/gateways/eventstack/status"


def set_gateway_status(server, status):
    assert server.call("PATCH", GATEWAY_STATUS, {"status": status}) == 200


def converge(env, **extra):
    return run_playbook("inventories/local", "--tags", "ingress", env=env, emulator=True,
                        extra_vars=dict({"ingress_wait_for_address": True, "ingress_address_timeout": 10}, **extra))


def test_address_is_published_once_the_gateway_has_one(converged):
    server, env = converged  # the Gateway exists, no address yet
    set_gateway_status(server, {"addresses": [{"type": "IPAddress", "value": "203.0.113.80"}], "conditions": [
        {"type": "Programmed", "status": "True", "reason": "Programmed", "message": "Address assigned",
         "lastTransitionTime": "2026-11-23T10:00:00Z", "observedGeneration": 1}]})
    run = converge(env)
    assert run.rc == 0, run.output
    assert "ingress_address: 203.0.113.80" in run.output


def test_no_address_fails_with_the_gateway_conditions(converged):
    server, env = converged
    set_gateway_status(server, {"conditions": [
        {"type": "Programmed", "status": "False", "reason": "AddressNotAssigned",
         "message": "No addresses have been assigned to the Gateway", "lastTransitionTime": "2026-11-23T10:00:00Z",
         "observedGeneration": 1}]})
    run = converge(env)
    assert run.rc != 0
    output = " ".join(run.output.split())
    # While it waits it says what for and why not yet; at the end it fails naming the Gateway's unmet condition, the
    # timeout's variable and the load balancer quota to check.
    assert re.search(r"waiting \(\d+s\): 0 of 1 ready; pending: Gateway envoy-gateway-system/eventstack has a load "
                     r"balancer address", output), output
    assert "not ready after 10s (ingress_address_timeout): Gateway envoy-gateway-system/eventstack" in output
    assert ("eventstack has no status.addresses yet; Programmed=False reason: AddressNotAssigned message: No addresses "
            "have been assigned to the Gateway") in output
    assert "Always Free allows one flexible LB at 10 Mbps" in output
