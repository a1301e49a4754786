"""netpol_reachability's action plugin: on the controller (local connection) the analysis runs in the plugin's own
process, no module started, with the module's result; over any other connection the module runs with the task's
arguments."""

from __future__ import annotations

import json

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.action import netpol_reachability as action_plugin
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client
from ansible_collections.eventstack.oke.plugins.modules import netpol_reachability

from ._fake_task import make_action

DENY = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny", "namespace": "app"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}
ALLOW = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "web-to-api", "namespace": "app"},
         "spec": {"podSelector": {"matchLabels": {"app": "api"}},
                  "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": "http"}]}]}}
WEB_EGRESS = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
              "metadata": {"name": "web-egress", "namespace": "app"},
              "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
                       "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "api"}}}]}]}}
FLOW = {"name": "web -> api", "from": {"namespace": "app", "labels": {"app": "web"}},
        "to": {"namespace": "app", "labels": {"app": "api"}}, "port": 8000}
BLOCKED = "web -> api is blocked (app/web -> app/api:8000): egress of app/web is isolated by deny"


def deployment(name, port):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "app"},
            "spec": {"template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [
                {"name": name, "ports": [{"name": "http", "containerPort": port}]}]}}}}


def build_dir(tmp_path, *objects):
    """A render's build directory whose manifests/x.yaml holds objects."""
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "x.yaml").write_text(yaml.safe_dump_all(objects))
    return str(tmp_path)


def action(transport, args):
    """The plugin for a netpol_reachability task over `transport`; .calls records the module runs (name, args)."""
    return make_action(action_plugin.ActionModule, args, transport=transport)


def comparable(result):
    """A result as JSON carries it, without what differs between runs (the seconds, the module's invocation)."""
    result = json.loads(json.dumps(result))
    for key in ("elapsed", "invocation"):
        result.pop(key, None)
    return result


CASES = {
    "build_dir": lambda tmp_path: {"build_dir": build_dir(tmp_path, DENY, ALLOW, WEB_EGRESS, deployment("web", 3000),
                                                          deployment("api", 8000)), "intended": [FLOW]},
    "objects": lambda tmp_path: {"objects": [DENY, ALLOW, WEB_EGRESS, deployment("web", 3000), deployment("api", 8000)],
                                 "intended": [FLOW]},
    # The flows option (hardening_network.flows) adds its intended flows, pods and externals to those options.
    "flows": lambda tmp_path: {"objects": [DENY, ALLOW, WEB_EGRESS, deployment("web", 3000), deployment("api", 8000)],
                               "flows": {"intended": [FLOW], "pods": [], "externals": []}},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_on_the_controller_no_module_runs_and_the_result_is_the_modules(run_module, monkeypatch, tmp_path, case):
    monkeypatch.setattr(_k8s_client, "open_client", lambda *auth: pytest.fail("no cluster without from_cluster"))
    args = CASES[case](tmp_path)
    plugin = action("ansible.builtin.local", dict(args))
    result = plugin.run(task_vars={})
    assert plugin.calls == [], "no module was started"
    assert not result.get("failed"), result
    assert [f["flow"] for f in result["allowed_intended"]] == ["web -> api"]
    code, expected = run_module(netpol_reachability, dict(args))
    assert code == 0 and comparable(result) == comparable(expected)


def test_a_blocked_flow_fails_with_the_modules_message(run_module, tmp_path):
    args = {"build_dir": build_dir(tmp_path, DENY, ALLOW, deployment("web", 3000), deployment("api", 8000)),
            "intended": [FLOW]}
    result = action("local", dict(args)).run(task_vars={})
    code, expected = run_module(netpol_reachability, dict(args))
    assert code == 1 and result["failed"] and BLOCKED in result["msg"]
    assert result["msg"] == expected["msg"] == "1 network policy problem(s): " + BLOCKED + " and no rule allows it"
    assert comparable(result) == comparable(expected)


def test_a_build_dir_without_manifests_fails_as_the_module_does(run_module, tmp_path):
    result = action("local", {"build_dir": str(tmp_path)}).run(task_vars={})
    code, expected = run_module(netpol_reachability, {"build_dir": str(tmp_path)})
    assert code == 1 and result["failed"] and result["msg"] == expected["msg"]
    assert "has no manifests: render first" in result["msg"]


class ListingClient:
    """Answers each collection a cluster read lists with the items stored for its path; counts the requests."""

    def __init__(self, items):
        self.items = items
        self.requests = 0

    def request(self, method, path):
        assert method == "GET"
        self.requests += 1
        return {"items": self.items.get(path, [])}


def strip(obj):
    """obj as a list's item: without its kind."""
    return {key: value for key, value in obj.items() if key != "kind"}


def cluster():
    return ListingClient({"/apis/networking.k8s.io/v1/networkpolicies": [strip(DENY), strip(ALLOW), strip(WEB_EGRESS)],
                          "/apis/apps/v1/deployments": [strip(deployment("web", 3000)),
                                                        strip(deployment("api", 8000))]})


def test_from_cluster_on_the_controller_reads_the_cluster_here(run_module, kube_client, monkeypatch):
    monkeypatch.setattr(_k8s_client, "HAS_KUBERNETES", True)
    client, opened = cluster(), []
    monkeypatch.setattr(_k8s_client, "open_client", lambda *auth: (opened.append(auth), (client, None))[1])
    args = {"from_cluster": True, "intended": [FLOW], "kubeconfig": "/k/config", "context": "dev"}
    plugin = action("local", dict(args))
    result = plugin.run(task_vars={})
    assert plugin.calls == [] and opened == [("/k/config", "dev")]
    assert not result.get("failed"), result
    assert result["requests"] == 6 and result["summary"]["policies"] == 3
    monkeypatch.undo()
    monkeypatch.setattr(_k8s_client, "HAS_KUBERNETES", True)
    code, expected = run_module(netpol_reachability, dict(args), client=cluster())
    assert code == 0 and comparable(result) == comparable(expected)


def test_from_cluster_with_a_kubeconfig_that_cannot_be_used_fails_naming_it(monkeypatch):
    monkeypatch.setattr(_k8s_client, "HAS_KUBERNETES", True)
    monkeypatch.setattr(_k8s_client, "open_client", lambda *auth: (None, "cannot use the kubeconfig /k/config"))
    result = action("local", {"from_cluster": True, "kubeconfig": "/k/config"}).run(task_vars={})
    assert result["failed"] and result["msg"] == "cannot use the kubeconfig /k/config"


def test_from_cluster_without_the_kubernetes_package_here_runs_the_module(monkeypatch):
    monkeypatch.setattr(_k8s_client, "HAS_KUBERNETES", False)
    plugin = action("local", {"from_cluster": True})
    assert plugin.run(task_vars={})["from"] == "the module"
    assert plugin.calls == [("eventstack.oke.netpol_reachability", {"from_cluster": True})]


@pytest.mark.parametrize("transport", ["ssh", "ansible.builtin.ssh"])
def test_elsewhere_the_module_runs_with_the_tasks_arguments(monkeypatch, transport):
    monkeypatch.setattr(_k8s_client, "open_client", lambda *auth: pytest.fail("no client on this side"))
    args = {"objects": [DENY], "intended": [FLOW], "fail_on_blocked": False}
    plugin = action(transport, args)
    result = plugin.run(task_vars={})
    assert plugin.calls == [("eventstack.oke.netpol_reachability", args)]
    assert result["from"] == "the module"
