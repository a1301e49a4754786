"""k8s_objects' action plugin in apply mode: on the controller (local connection) the batches are converged in the
plugin's own process, no module started; over any other connection each batch is a k8s_apply module run, the Secrets'
with no_log. Either way the Secrets' run shows no value."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest

from ansible_collections.eventstack.oke.plugins.action import k8s_objects
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client

from .._fake_kube import FakeClient

PASSWORD = "pw-Unit-7Kd2"
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}}
CONFIG = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "demo"},
          "data": {"level": "info"}}
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "demo"},
          "stringData": {"password": PASSWORD}}


def action(transport, environment=({},), **args):
    """The plugin for a k8s_objects task over `transport`; .calls records the module runs (name, args, no_log)."""
    task = SimpleNamespace(args=dict({"name": "demo", "definitions": [NAMESPACE, CONFIG, SECRET]}, **args),
                           async_val=0, check_mode=False, diff=True, no_log=False, action="eventstack.oke.k8s_objects",
                           environment=list(environment))
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/tmp/unused"), transport=transport)
    plugin = k8s_objects.ActionModule(task, connection, SimpleNamespace(become=False), None, None)
    plugin.calls = []

    def execute(module_name, module_args, task_vars):
        plugin.calls.append((module_name, module_args, task.no_log))
        return {"changed": True, "requests": 3, "invocation": {"module_args": module_args},
                "results": [{"kind": d["kind"], "namespace": d["metadata"].get("namespace"),
                             "name": d["metadata"]["name"], "action": "create", "data": d.get("stringData")}
                            for d in module_args["definitions"]]}
    plugin._execute_module = execute  # pylint: disable=protected-access
    return plugin


def test_on_the_controller_no_module_runs_and_no_value_is_shown(monkeypatch):
    client = FakeClient(discovery={"v1": {"resources": [
        {"name": "namespaces", "kind": "Namespace", "namespaced": False},
        {"name": "configmaps", "kind": "ConfigMap", "namespaced": True},
        {"name": "secrets", "kind": "Secret", "namespaced": True}]}})
    opened = []
    monkeypatch.setattr(_k8s_client, "open_client", lambda *auth: (opened.append(auth), (client, None))[1])
    plugin = action("ansible.builtin.local", kubeconfig="/k/config", context="dev")
    result = plugin.run(task_vars={})
    assert plugin.calls == [], "no module was started"
    assert opened == [("/k/config", "dev")]
    assert not result.get("failed"), result
    assert result["changed"] and [r["action"] for r in result["results"]] == ["create"] * 3
    assert result["requests"] == client.requests
    patched = [entry[1] for entry in client.log if entry[0] == "PATCH"]
    assert patched[-1] == "/api/v1/namespaces/demo/secrets/db", "the Secret goes last"
    assert client.objects[patched[-1]]["stringData"] == {"password": PASSWORD}
    # The diff shows the plain objects only; nothing of the Secrets' run but kind, namespace, name and action.
    assert [d["after_header"] for d in result["diff"]] == ["Namespace/demo", "ConfigMap/demo/settings"]
    assert PASSWORD not in repr(result) and base64.b64encode(PASSWORD.encode()).decode() not in repr(result)


def test_a_kubeconfig_that_cannot_be_used_fails_the_task_naming_it(monkeypatch):
    monkeypatch.setattr(_k8s_client, "open_client", lambda *auth: (None, "cannot use the kubeconfig /k/config"))
    result = action("local", kubeconfig="/k/config").run(task_vars={})
    assert result["failed"] and result["msg"] == "k8s_objects demo: cannot use the kubeconfig /k/config"


@pytest.mark.parametrize("transport, environment", [
    ("ssh", [{}]), ("ansible.builtin.ssh", [{}]),
    ("local", [{}, {"HTTPS_PROXY": "http://proxy:3128"}]),  # a task environment reaches a module's process only
])
def test_elsewhere_each_batch_is_a_module_run_the_secrets_with_no_log(monkeypatch, transport, environment):
    monkeypatch.setattr(_k8s_client, "open_client", lambda *auth: pytest.fail("no client on this side"))
    plugin = action(transport, environment)
    result = plugin.run(task_vars={})
    assert [(name, [d["kind"] for d in args["definitions"]], no_log) for name, args, no_log in plugin.calls] == [
        ("eventstack.oke.k8s_apply", ["Namespace", "ConfigMap"], False),
        ("eventstack.oke.k8s_apply", ["Secret"], True)]
    assert result["requests"] == 6
    assert PASSWORD not in repr(result["results"]) and "invocation" not in repr(result["results"])


def templated(tmp_path, text, **variables):
    """The plugin with a real loader and templar, its role's templates/objects.yml.j2 holding text."""
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    from ansible.template import Templar  # pylint: disable=import-outside-toplevel

    (tmp_path / "objects.yml.j2").write_text(text)
    plugin = action("local")
    plugin._loader = DataLoader()  # pylint: disable=protected-access
    plugin._templar = Templar(loader=plugin._loader, variables={})  # pylint: disable=protected-access
    plugin._find_needle = lambda kind, name: str(tmp_path / name)  # pylint: disable=protected-access
    return plugin._from_template("objects.yml.j2", dict(variables))  # pylint: disable=protected-access


def test_a_template_renders_the_objects_with_the_tasks_variables(tmp_path):
    text = ("{% for name in names %}\n- {apiVersion: v1, kind: Namespace, metadata: {name: {{ name | to_json }}}}\n"
            "{% endfor %}\n")
    assert templated(tmp_path, text, names=["a", "b"]) == [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}}]
    assert templated(tmp_path, "{% if false %}- {}{% endif %}\n") == [], "a template rendering nothing: no objects"


def test_a_template_that_renders_no_list_fails_naming_it(tmp_path):
    from ansible.errors import AnsibleActionFail  # pylint: disable=import-outside-toplevel

    with pytest.raises(AnsibleActionFail, match="objects.yml.j2 renders a dict, not a list of objects"):
        templated(tmp_path, "kind: Namespace\n")
    with pytest.raises(AnsibleActionFail, match="objects.yml.j2 does not render YAML"):
        templated(tmp_path, "- [unclosed\n")
