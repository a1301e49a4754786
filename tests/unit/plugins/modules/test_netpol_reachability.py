from __future__ import annotations

import functools

import pytest

from ansible_collections.eventstack.oke.plugins.modules import netpol_reachability

DENY = {"kind": "NetworkPolicy", "metadata": {"name": "deny", "namespace": "app"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}
ALLOW = {"kind": "NetworkPolicy", "metadata": {"name": "web-to-api", "namespace": "app"},
         "spec": {"podSelector": {"matchLabels": {"app": "api"}},
                  "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": "http"}]}]}}
WEB_EGRESS = {"kind": "NetworkPolicy", "metadata": {"name": "web-egress", "namespace": "app"},
              "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                       "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "api"}}}]}]}}


def deployment(name, port):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "app"},
            "spec": {"template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [
                {"name": name, "ports": [{"name": "http", "containerPort": port}]}]}}}}


FLOW = {"name": "web -> api", "from": {"namespace": "app", "labels": {"app": "web"}},
        "to": {"namespace": "app", "labels": {"app": "api"}}, "port": 8000}


@pytest.fixture()
def run(run_module):
    """run(args): netpol_reachability run as Ansible runs it (run_module in tests/unit/conftest.py)."""
    return functools.partial(run_module, netpol_reachability)


def test_intended_flow_allowed(run):
    code, result = run({"objects": [DENY, ALLOW, WEB_EGRESS, deployment("web", 3000), deployment("api", 8000)],
                        "intended": [FLOW]})
    assert code == 0, result
    assert result["changed"] is False
    assert [f["flow"] for f in result["allowed_intended"]] == ["web -> api"]
    assert result["summary"]["policies"] == 3 and result["summary"]["blocked"] == 0


def test_blocked_flow_fails_with_the_reason(run):
    code, result = run({"objects": [DENY, ALLOW, deployment("web", 3000), deployment("api", 8000)],
                        "intended": [FLOW]})
    assert code == 1
    assert "web -> api is blocked (app/web -> app/api:8000): egress of app/web is isolated by deny" in result["msg"]


def test_unexpected_flows_fail_only_when_asked(run):
    objects = [deployment("web", 3000), deployment("api", 8000)]
    code, result = run({"objects": objects, "intended": [FLOW]})
    assert code == 0 and {(f["from"], f["to"]) for f in result["unexpected"]} == {("app/api", "app/web")}
    code, result = run({"objects": objects, "intended": [FLOW], "fail_on_unexpected": True})
    assert code == 1 and "app/api -> app/web:3000/TCP is allowed but not intended" in result["msg"]


def test_bad_input_fails_cleanly(run):
    code, result = run({"objects": [{"kind": "NetworkPolicy", "metadata": {"name": "x"}}]})
    assert code == 1 and "cannot analyse the policies" in result["msg"]


def test_stand_in_pods_count_as_endpoints(run):
    api = {"name": "api", "namespace": "app", "labels": {"app": "api"},
           "ports": [{"name": "http", "port": 8000, "protocol": "TCP"}]}
    code, result = run({"objects": [DENY, ALLOW, WEB_EGRESS, deployment("web", 3000)], "pods": [api],
                        "intended": [FLOW]})
    assert code == 0, result
    assert result["summary"]["endpoints"] == 2 and result["summary"]["allowed_intended"] == 1
    code, result = run({"objects": [DENY, deployment("web", 3000)], "pods": [api], "intended": [FLOW]})
    assert code == 1 and result["blocked"][0]["flow"] == "web -> api"
