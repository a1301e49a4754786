"""The action plugins of the check modules verify runs (k8s_checkpoint, k8s_live_checks, the enforcement, event, Dapr
and gateway probes) and of k8s_rollout: on the controller (local connection, no task environment) the check runs in the plugin's own
process, no module started, and answers what the module answers for the same arguments and cluster, failures and
check mode included; over any other connection, or with a task environment, the module runs with the task's
arguments."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from ansible_collections.eventstack.oke.plugins.action import dapr_probe as dapr_probe_action
from ansible_collections.eventstack.oke.plugins.action import event_flow_probe as event_flow_probe_action
from ansible_collections.eventstack.oke.plugins.action import gateway_probe as gateway_probe_action
from ansible_collections.eventstack.oke.plugins.action import k8s_checkpoint as k8s_checkpoint_action
from ansible_collections.eventstack.oke.plugins.action import k8s_live_checks as k8s_live_checks_action
from ansible_collections.eventstack.oke.plugins.action import k8s_rollout as k8s_rollout_action
from ansible_collections.eventstack.oke.plugins.action import netpol_enforcement as netpol_enforcement_action
from ansible_collections.eventstack.oke.plugins.module_utils import _verify_live
from ansible_collections.eventstack.oke.plugins.modules import (dapr_probe, event_flow_probe, gateway_probe,
                                                                k8s_checkpoint, k8s_live_checks, k8s_rollout,
                                                                netpol_enforcement)

from ..module_utils import test_checkpoint, test_dapr_probe, test_enforcement, test_event_probe, test_gateway_probe
from ..module_utils import test_rollout, test_verify_live
from ._fake_task import make_action

STATE = {"store": "statestore", "app_ids": ["audit-worker"]}
KAFKA = {"kind": "Kafka", "api_version": "kafka.strimzi.io/v1", "namespace": "kafka", "name": "todo-kafka",
         "condition": {"type": "Ready"}}
AVAILABLE = {"kind": "Deployment", "namespace": "todo-app", "condition": {"type": "Available"}}
ROLLOUT = {"namespace": test_rollout.NS, "names": ["todo-backend"], "timeout": 0, "rollback_timeout": 0}
ENFORCEMENT = {"namespace": "todo-app", "service": "todo-frontend", "port": 3000, "image": "busybox:1.37.0",
               "engines": ["calico-node"], "timeout": 5}
EVENTS = {"namespace": "todo-app", "pubsub": "pubsub-kafka", "probes": [test_event_probe.PROBE],
          "exporter": test_event_probe.EXPORTER_AT, "timeout": 4, "interval": 2}
GATEWAY = {"gateway": {"namespace": "ingress", "name": "eventstack"}, "namespace": "todo-app",
           "routes": test_gateway_probe.ROUTES, "headers": test_gateway_probe.HEADERS, "tls": False}


def counting(client):
    """client with its request count at 0 (the fake counts only where a test set the count)."""
    client.requests = 0
    return client


def refusing_dapr():
    return test_dapr_probe.FakeClient(
        [test_dapr_probe.pod("audit-worker")],
        lambda *_a: test_dapr_probe.error(400, "ERR_STATE_STORE_NOT_FOUND", "state store statestore is not found"))


# name: (action plugin, module, task arguments, a fresh fake cluster); each case's cluster passes or fails it.
CASES = {
    "k8s_checkpoint ready": (k8s_checkpoint_action, k8s_checkpoint, {"expectations": [KAFKA]},
                             lambda: test_checkpoint.FakeClient(test_checkpoint.LISTS)),
    "k8s_checkpoint failing": (k8s_checkpoint_action, k8s_checkpoint, {"expectations": [KAFKA, AVAILABLE]},
                               lambda: test_checkpoint.FakeClient(test_checkpoint.LISTS)),
    "k8s_live_checks failing": (k8s_live_checks_action, k8s_live_checks, {"nodes": {"count": 1}}, lambda: counting(
        test_verify_live.FakeClient({"/api/v1/nodes": [test_verify_live.node("a", "2", "12Gi", ready="False")]}))),
    "k8s_rollout rolled out": (k8s_rollout_action, k8s_rollout, ROLLOUT,
                               lambda: counting(test_rollout.FakeApi([test_rollout.deployment()]))),
    "k8s_rollout rolled back": (k8s_rollout_action, k8s_rollout, ROLLOUT, lambda: counting(test_rollout.FakeApi(
        [test_rollout.deployment(revision=2, available=0)],
        [test_rollout.replicaset(1, "reg/todo-backend:1"), test_rollout.replicaset(2, "reg/todo-backend:2")]))),
    "netpol_enforcement enforced": (netpol_enforcement_action, netpol_enforcement, ENFORCEMENT,
                                    test_enforcement.FakeCluster),
    "netpol_enforcement not enforced": (netpol_enforcement_action, netpol_enforcement,
                                        dict(ENFORCEMENT, fail_on_failure=False),
                                        lambda: test_enforcement.FakeCluster(daemonsets=(), answers={
                                            "todo-frontend": (0, "", "")})),
    "event_flow_probe consumed": (event_flow_probe_action, event_flow_probe, EVENTS,
                                  lambda: test_event_probe.FakeCluster(test_event_probe.healthy_pods(), subscribers=[
                                      "recurring-worker", "audit-worker"])),
    "event_flow_probe not consumed": (event_flow_probe_action, event_flow_probe, EVENTS,
                                      lambda: test_event_probe.FakeCluster(test_event_probe.healthy_pods(),
                                                                           subscribers=["audit-worker"], lag=9)),
    "event_flow_probe no exporter": (event_flow_probe_action, event_flow_probe, EVENTS,
                                     lambda: test_event_probe.FakeCluster(test_event_probe.healthy_pods()[:2])),
    "dapr_probe refused": (dapr_probe_action, dapr_probe, {"namespace": "todo-app", "state": STATE}, refusing_dapr),
    "gateway_probe healthy": (gateway_probe_action, gateway_probe, GATEWAY,
                              lambda: test_gateway_probe.FakeClient(redirect=None)),
    "gateway_probe missing header": (gateway_probe_action, gateway_probe, dict(GATEWAY, routing=False),
                                     lambda: test_gateway_probe.FakeClient(late={"x-frame-options": "DENY"},
                                                                           redirect=None)),
}


def comparable(result):
    """A result as JSON carries it, without the seconds taken, the time an event was sent and the module's
    invocation."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("elapsed", "seconds", "sent", "invocation")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(json.loads(json.dumps(result)))


@pytest.fixture()
def cluster(monkeypatch, kube_client):
    """cluster(make): a fresh fake cluster from make(), which every KubeClient opened from now on is; time.monotonic
    reads its clock where it has one (the probes wait on it), and the probes' random names are the same each run."""
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=0x5eed))

    def fresh(make):
        client = kube_client(make())
        clock = getattr(client, "clock", None)
        if callable(clock):
            monkeypatch.setattr(time, "monotonic", clock)
        return client
    return fresh


def run_action(plugin_module, args, transport="local", check_mode=False, environment=None):
    plugin = make_action(plugin_module.ActionModule, dict(args), transport=transport, check_mode=check_mode,
                         environment=environment)
    return plugin, plugin.run(task_vars={})


@pytest.mark.parametrize("case", sorted(CASES))
def test_on_the_controller_no_module_runs_and_the_answer_is_the_modules(run_module, cluster, case):
    plugin_module, module, args, make = CASES[case]
    cluster(make)
    plugin, result = run_action(plugin_module, args)
    assert plugin.calls == [], "no module was started"
    code, expected = run_module(module, dict(args), cluster(make))
    assert bool(result.get("failed")) is (code == 1)
    assert comparable(result) == dict(comparable(expected), **({"failed": True} if code else {}))


@pytest.mark.parametrize("plugin_module, module, args", [
    (netpol_enforcement_action, netpol_enforcement, ENFORCEMENT), (event_flow_probe_action, event_flow_probe, EVENTS),
    (dapr_probe_action, dapr_probe, {"namespace": "todo-app", "state": STATE})])
def test_in_check_mode_the_writing_checks_skip_here_as_in_the_module(run_module, cluster, plugin_module, module, args):
    client = cluster(refusing_dapr if module is dapr_probe else (
        test_enforcement.FakeCluster if module is netpol_enforcement else
        lambda: test_event_probe.FakeCluster(test_event_probe.healthy_pods())))
    plugin, result = run_action(plugin_module, args, check_mode=True)
    assert plugin.calls == [] and not result.get("failed") and result["passed"] is True
    assert getattr(client, "requests", 0) == 0 and not getattr(client, "calls", []), "nothing was asked or written"
    _code, expected = run_module(module, dict(args, _ansible_check_mode=True))
    assert comparable(result) == comparable(expected)


@pytest.mark.parametrize("args, says", [
    (dict(EVENTS, probes=[{"topic": "task-events"}]), "missing required arguments: publisher found in probes"),
    (dict(EVENTS, probes=[{"topic": "task-events", "publisher": "todo-backend", "subscriber": ["a"]}]),
     "Unsupported parameters for (eventstack.oke.event_flow_probe) module: probes.subscriber. Supported parameters"),
    (dict(EVENTS, probes=[{"topic": "task-events", "publisher": "todo-backend", "subscriber": ["a"]}], timeout="x"),
     "argument 'timeout' is of type str and we were unable to convert to float"),
])
def test_arguments_are_validated_here_as_the_module_validates_them(run_module, cluster, args, says):
    """The module reports the first error only, in its own words (an unsupported option is named with the module):
    the same here."""
    cluster(lambda: test_event_probe.FakeCluster([]))
    plugin, result = run_action(event_flow_probe_action, args)
    # Ansible gives a module its name as the task wrote it (the roles write every module's FQCN).
    code, expected = run_module(event_flow_probe, dict(args, _ansible_module_name="eventstack.oke.event_flow_probe"))
    assert plugin.calls == [] and code == 1
    assert result == {"failed": True, "msg": expected["msg"]}
    assert says in result["msg"]


def test_an_unexpected_error_fails_the_task_with_its_traceback_as_a_module_would(cluster, monkeypatch):
    def broken(_client, _settings):
        raise KeyError("spec")
    monkeypatch.setattr(_verify_live, "run_all", broken)
    cluster(lambda: counting(test_verify_live.FakeClient({})))
    plugin, result = run_action(k8s_live_checks_action, {"nodes": {"count": 1}})
    assert plugin.calls == [] and result["failed"] is True
    assert result["msg"] == "eventstack.oke.k8s_live_checks failed: KeyError: 'spec'"
    assert "Traceback" in result["exception"] and "raise KeyError" in result["exception"]


def test_an_unusable_kubeconfig_is_named_as_the_module_names_it(run_module, tmp_path):
    missing = str(tmp_path / "nope")
    args = {"expectations": [KAFKA], "kubeconfig": missing}
    plugin, result = run_action(k8s_live_checks_action, {"nodes": {"count": 1}, "kubeconfig": missing})
    assert plugin.calls == [] and result["failed"] is True
    assert result["msg"].startswith("cannot use the kubeconfig %s (context current): " % missing)
    plugin, result = run_action(k8s_checkpoint_action, args)
    code, expected = run_module(k8s_checkpoint, dict(args))
    assert plugin.calls == [] and code == 1 and result == {"failed": True, "msg": expected["msg"]}


@pytest.mark.parametrize("changes", [{"transport": "ssh"}, {"environment": [{"HTTPS_PROXY": "http://proxy:3128"}]}])
@pytest.mark.parametrize("case", ["k8s_checkpoint ready", "dapr_probe refused", "gateway_probe healthy"])
def test_elsewhere_or_with_a_task_environment_the_module_runs_with_the_tasks_arguments(case, changes):
    plugin_module, _module, args, _make = CASES[case]
    plugin, result = run_action(plugin_module, args, **changes)
    assert plugin.calls == [(plugin_module.ActionModule.MODULE, args)]
    assert result["from"] == "the module"


def test_an_option_the_module_does_not_have_fails_before_anything_runs():
    plugin = make_action(k8s_live_checks_action.ActionModule, {"nodes": {"count": 1}, "node": {}})
    with pytest.raises(Exception, match="node"):
        plugin.run(task_vars={})
    assert plugin.calls == []
