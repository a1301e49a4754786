"""eventstack.oke.k8s_objects (action plugin) against the API emulator: one task applies a role's objects, its
Secrets with values in a hidden run of their own - no value reaches the output, even at -vvvv with --diff."""

from __future__ import annotations

import base64

import pytest
import yaml

from tests.support.playbook import run_playbook

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
PASSWORD = "pw-Zq8rT4vNm1"  # in stringData
TOKEN = "tok-Lk3pW9xYc7"  # in data, base64-encoded
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}}
CONFIG = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "demo"},
          "data": {"level": "info"}}
# A service-account token Secret carries no value (the API server fills it): it goes with the plain objects.
SA_TOKEN = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
            "metadata": {"name": "deployer-token", "namespace": "demo",
                         "annotations": {"kubernetes.io/service-account.name": "deployer"}}}


def b64(text):
    return base64.b64encode(text.encode()).decode()


def secrets(password=PASSWORD, token=TOKEN):
    return [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "demo"},
             "stringData": {"password": password}},
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "api", "namespace": "demo"},
             "data": {"token": b64(token)}}]


def playbook(tmp_path, definitions, name="play.yml", **options):
    path = tmp_path / name
    path.write_text(yaml.safe_dump([{
        "name": "Objects", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": [{"name": "The objects of demo", "register": "objects",
                   "eventstack.oke.k8s_objects": dict({"name": "demo", "definitions": definitions}, **options)},
                  {"name": "Show the registered result", "ansible.builtin.debug": {"var": "objects"}}],
    }]))
    return str(path)


def assert_no_value(output, *values):
    for value in values:
        for shown in (value, b64(value)):
            assert shown not in output, "a Secret value (%s) was shown" % shown


def test_secret_values_never_shown_at_vvvv(empty_cluster, tmp_path):
    server, env = empty_cluster
    path = playbook(tmp_path, [NAMESPACE, CONFIG, SA_TOKEN] + secrets())
    first = run_playbook("localhost,", "-vvvv", "--diff", env=env, playbook=path, emulator=True)
    assert first.rc == 0, first.output
    assert first.recap["changed"] == 1
    assert_no_value(first.output, PASSWORD, TOKEN)
    assert "--- before: ConfigMap/demo/settings" in first.output, "the plain objects' diff is shown"
    assert "--- before: Secret/demo/db" not in first.output, "the Secrets' run is hidden"
    assert server.get("v1", "Secret", "db", "demo")["data"] == {"password": b64(PASSWORD)}
    assert server.get("v1", "Secret", "api", "demo")["data"] == {"token": b64(TOKEN)}
    assert server.get("v1", "Secret", "deployer-token", "demo") is not None
    # Every object is reported by reference and action, the Secrets with values last.
    assert "name: api" in first.output and "action: create" in first.output
    creates = [r["path"] for r in server.requests if r["method"] in WRITES and "dryRun" not in r["query"]]
    assert creates[-2:] == ["/api/v1/namespaces/demo/secrets/api", "/api/v1/namespaces/demo/secrets/db"], creates

    server.reset_requests()
    second = run_playbook("localhost,", "-vvvv", "--diff", env=env, playbook=path, emulator=True)
    assert second.rc == 0 and second.recap["changed"] == 0, second.output
    assert [r for r in server.requests if r["method"] in WRITES] == []
    assert_no_value(second.output, PASSWORD, TOKEN)


def test_hide_secrets_false_shows_the_secrets_run_but_still_no_value(empty_cluster, tmp_path):
    # hide_secrets false (eventstack_no_log false, for debugging) shows the Secrets' run like any other: its diff and
    # results. Their values stay redacted: the run is made on the controller, with no module arguments to show.
    _server, env = empty_cluster
    shown = run_playbook("localhost,", "-vvvv", "--diff", env=env, emulator=True,
                         playbook=playbook(tmp_path, [NAMESPACE] + secrets(), hide_secrets=False))
    assert shown.rc == 0, shown.output
    assert "--- before: Secret/demo/db" in shown.output and "--- before: Secret/demo/api" in shown.output
    assert_no_value(shown.output, PASSWORD, TOKEN)
    with pytest.raises(AssertionError):  # the check above fails on a value shown, encoded or not
        assert_no_value(shown.output + b64(TOKEN), PASSWORD, TOKEN)


def test_check_mode_and_a_changed_value(empty_cluster, tmp_path):
    server, env = empty_cluster
    assert run_playbook("localhost,", env=env, playbook=playbook(tmp_path, [NAMESPACE] + secrets()),
                        emulator=True).rc == 0
    changed = playbook(tmp_path, [NAMESPACE] + secrets(password="pw-new-Hq2sD5"), "changed.yml")
    checked = run_playbook("localhost,", "-vvvv", "--check", "--diff", env=env, playbook=changed, emulator=True)
    assert checked.rc == 0 and checked.recap["changed"] == 1, checked.output
    assert_no_value(checked.output, PASSWORD, TOKEN, "pw-new-Hq2sD5")
    assert server.get("v1", "Secret", "db", "demo")["data"] == {"password": b64(PASSWORD)}, "check mode wrote"
    applied = run_playbook("localhost,", "-vvvv", "--diff", env=env, playbook=changed, emulator=True)
    assert applied.rc == 0 and applied.recap["changed"] == 1, applied.output
    assert_no_value(applied.output, PASSWORD, TOKEN, "pw-new-Hq2sD5")
    assert server.get("v1", "Secret", "db", "demo")["data"] == {"password": b64("pw-new-Hq2sD5")}


def test_check_mode_on_a_fresh_cluster_warns_by_name(empty_cluster, tmp_path):
    server, env = empty_cluster
    checked = run_playbook("localhost,", "--check", env=env, playbook=playbook(tmp_path, [NAMESPACE] + secrets()),
                           emulator=True)
    assert checked.rc == 0 and checked.recap["changed"] == 1, checked.output
    # The hidden run's warnings are shown, as text (ansible-core hands them back as objects).
    assert "[WARNING]: check mode: namespace demo does not exist yet, so Secret/db was not dry-run" in checked.output
    assert "WarningSummary" not in checked.output
    assert_no_value(checked.output, PASSWORD, TOKEN)
    assert server.objects() == []


def test_absent_deletes_the_secrets_first(empty_cluster, tmp_path):
    server, env = empty_cluster
    definitions = [NAMESPACE, CONFIG] + secrets()
    assert run_playbook("localhost,", env=env, playbook=playbook(tmp_path, definitions), emulator=True).rc == 0
    server.reset_requests()
    removed = run_playbook("localhost,", "-vvvv", env=env, emulator=True,
                           playbook=playbook(tmp_path, definitions, "absent.yml", state="absent"))
    assert removed.rc == 0 and removed.recap["changed"] == 1, removed.output
    assert_no_value(removed.output, PASSWORD, TOKEN)
    deletes = [r["path"] for r in server.requests if r["method"] == "DELETE"]
    # (each run deletes in reverse apply order)
    assert set(deletes[:2]) == {"/api/v1/namespaces/demo/secrets/api", "/api/v1/namespaces/demo/secrets/db"}, deletes
    assert server.objects(kind="Secret") == []


def test_render_writes_the_manifest_with_values_redacted(tmp_path):
    build = tmp_path / "build"
    path = playbook(tmp_path, [NAMESPACE, CONFIG] + secrets(), mode="render", build_dir=str(build))
    rendered = run_playbook("localhost,", "-vvvv", "--diff", playbook=path,
                            env={"K8S_AUTH_KUBECONFIG": "/nonexistent/kubeconfig"})
    assert rendered.rc == 0 and rendered.recap["changed"] == 1, rendered.output
    assert_no_value(rendered.output, PASSWORD, TOKEN)
    manifest = (build / "manifests" / "demo.yaml").read_text(encoding="utf-8")
    assert manifest.startswith("# Rendered by eventstack.oke role demo.")
    assert "REDACTED" in manifest
    assert_no_value(manifest, PASSWORD, TOKEN)
    again = run_playbook("localhost,", playbook=path, env={"K8S_AUTH_KUBECONFIG": "/nonexistent/kubeconfig"})
    assert again.rc == 0 and again.recap["changed"] == 0, again.output
