from __future__ import annotations

import copy

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_apply as ka

from .._fake_kube import CORE, FakeClient


def ns(name, **labels):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def cm(name, namespace="app", **data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace}, "data": data}


def test_paths():
    assert ka.api_prefix("v1") == "/api/v1"
    assert ka.object_path("apps/v1", "deployments", "api", "app") == "/apis/apps/v1/namespaces/app/deployments/api"
    assert ka.collection_path("v1", "namespaces") == "/api/v1/namespaces"


def test_discovery_index_skips_subresources():
    assert ka.discovery_index(CORE)["Namespace"] == {"plural": "namespaces", "namespaced": False}
    assert len(ka.discovery_index(CORE)) == 3


@pytest.mark.parametrize("desired, live, expected", [
    ({"a": 1}, {"a": 1, "b": 2}, True),
    ({"a": {"b": "x"}}, {"a": {"b": "x", "c": "y"}}, True),
    ({"a": "30"}, {"a": 30}, True),
    ({"a": True}, {"a": "True"}, False),
    ({"a": [1, 2]}, {"a": [1, 2, 3]}, False),
    ({"a": [{"n": 1}]}, {"a": [{"n": 1, "extra": 0}]}, True),
    ({"a": None}, {}, True),
    ({"a": None}, {"a": 1}, False),
    ({"a": 1}, {}, False),
    ({"a": {"b": 1}}, {"a": "flat"}, False),
])
def test_is_subset(desired, live, expected):
    assert ka.is_subset(desired, live) is expected


def test_comparable_folds_string_data():
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "v"},
              "data": {"a": "Yg=="}, "status": {}}
    assert ka.comparable(secret) == {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                                     "data": {"a": "Yg==", "k": "dg=="}}


def test_plan_action():
    desired = ns("app", team="a")
    assert ka.plan_action(desired, None, "m") == ka.CREATE
    live = copy.deepcopy(desired)
    live["metadata"]["labels"]["kubernetes.io/metadata.name"] = "app"
    live["metadata"]["uid"] = "u1"
    assert ka.plan_action(desired, live, "m") == ka.UNCHANGED
    assert ka.plan_action(ns("app", team="b"), live, "m") == ka.UPDATE


def test_a_field_we_applied_and_dropped_means_update():
    live = ns("app", team="a", old="x")
    live["metadata"]["managedFields"] = [
        {"manager": "m", "operation": "Apply", "fieldsV1": {"f:metadata": {"f:labels": {"f:team": {}, "f:old": {}}}}},
        {"manager": "kube-apiserver", "operation": "Update",
         "fieldsV1": {"f:metadata": {"f:labels": {"f:kubernetes.io/metadata.name": {}}}}},
    ]
    desired = ns("app", team="a")
    assert ka.dropped_fields(live, desired, "m") == ["metadata.labels.old"]
    assert ka.plan_action(desired, live, "m") == ka.UPDATE
    assert ka.dropped_fields(live, desired, "someone-else") == []


def test_list_members_in_managed_fields_do_not_count_as_dropped():
    owned = {"f:spec": {"f:ports": {'k:{"port":80}': {".": {}, "f:port": {}}}}}
    live = {"apiVersion": "v1", "kind": "X",
            "metadata": {"name": "x", "managedFields": [{"manager": "m", "operation": "Apply", "fieldsV1": owned}]},
            "spec": {"ports": [{"port": 80}]}}
    desired = {"apiVersion": "v1", "kind": "X", "metadata": {"name": "x"}, "spec": {"ports": [{"port": 80}]}}
    assert ka.dropped_fields(live, desired, "m") == []


def test_batch_creates_then_sends_nothing_on_a_second_run():
    client = FakeClient()
    objects = [ns("app"), cm("c", a="1")]
    results, before, after, warnings = ka.apply_batch(client, objects, "m")
    assert [r["action"] for r in results] == ["create", "create"]
    assert [entry[0] for entry in client.log] == ["GET", "GET", "PATCH", "GET", "PATCH"]
    patch = client.log[2]
    assert patch[1] == "/api/v1/namespaces/app" and patch[2] == {"fieldManager": "m", "force": "true"}
    assert warnings == [] and before == [{}, {}] and after[1]["data"] == {"a": "1"}
    client.log.clear()
    results, _before, _after, _warnings = ka.apply_batch(client, objects, "m")
    assert [r["action"] for r in results] == ["unchanged", "unchanged"]
    assert [entry[0] for entry in client.log] == ["GET", "GET"], "one list per kind and namespace, nothing else"


def test_one_list_per_kind_and_namespace():
    client = FakeClient()
    ka.apply_batch(client, [cm("a"), cm("b"), cm("c", "other")], "m")
    lists = [e for e in client.log if e[0] == "GET" and "configmaps" in e[1]]
    assert [e[1] for e in lists] == ["/api/v1/namespaces/app/configmaps", "/api/v1/namespaces/other/configmaps"]


def test_unknown_kind_fails_before_anything_is_sent():
    client = FakeClient()
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "app"}}
    with pytest.raises(ka.BatchError, match="serves no kind Widget in example.com/v1"):
        ka.apply_batch(client, [ns("app"), widget], "m")
    assert not [e for e in client.log if e[0] == "PATCH"]


def test_custom_resource_waits_for_its_crd_in_the_same_batch():
    crd_discovery = {"resources": [{"name": "widgets", "kind": "Widget", "namespaced": True}]}
    client = FakeClient(discovery={"v1": CORE, "apiextensions.k8s.io/v1": {"resources": [
        {"name": "customresourcedefinitions", "kind": "CustomResourceDefinition", "namespaced": False}]},
        "pending": {"example.com/v1": crd_discovery}})
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}}}
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "app"}}
    results, _b, _a, _w = ka.apply_batch(client, [crd, widget], "m", crd_wait=5)
    assert [r["action"] for r in results] == ["create", "create"]
    assert ("SLEEP", 1) in client.log
    assert client.log[-1][1] == "/apis/example.com/v1/namespaces/app/widgets/w"


def test_check_mode_dry_runs_and_reports_objects_of_missing_namespaces():
    client = FakeClient(missing_namespaces={"app"})
    results, _before, after, warnings = ka.apply_batch(client, [ns("app"), cm("c")], "m", check_mode=True)
    assert [r["action"] for r in results] == ["create", "create"]
    assert all(e[2].get("dryRun") == "All" for e in client.log if e[0] == "PATCH")
    assert client.objects == {}
    assert warnings == ["check mode: namespace app does not exist yet, so ConfigMap/c was not dry-run"]
    assert after[1]["metadata"]["name"] == "c"


def test_a_missing_namespace_outside_check_mode_is_an_error():
    client = FakeClient(missing_namespaces={"app"})
    with pytest.raises(ka.BatchError, match='ConfigMap app/c: namespaces "app" not found'):
        ka.apply_batch(client, [cm("c")], "m")


def test_namespaced_kind_without_namespace_is_rejected():
    client = FakeClient()
    with pytest.raises(ka.BatchError, match="ConfigMap c is namespaced"):
        ka.apply_batch(client, [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}], "m")


def test_diff_never_shows_secret_values():
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "app"},
              "data": {"k": "c2VjcmV0"}}
    _results, _before, after, _warnings = ka.apply_batch(FakeClient(), [secret], "m")
    assert after[0]["data"] == {"k": "REDACTED"}
    assert "resourceVersion" not in after[0]["metadata"]


def test_delete_removes_in_reverse_order_and_then_finds_nothing():
    client = FakeClient()
    objects = [ns("app"), cm("c")]
    ka.apply_batch(client, objects, "m")
    client.log.clear()
    results, before = ka.delete_batch(client, objects)
    assert [(r["kind"], r["action"]) for r in results] == [("ConfigMap", "delete"), ("Namespace", "delete")]
    assert [e[1] for e in client.log if e[0] == "DELETE"] == ["/api/v1/namespaces/app/configmaps/c",
                                                              "/api/v1/namespaces/app"]
    assert client.objects == {} and len(before) == 2
    client.log.clear()
    results, before = ka.delete_batch(client, objects)
    assert {r["action"] for r in results} == {"unchanged"} and before == []
    assert not [e for e in client.log if e[0] == "DELETE"]


def test_delete_in_check_mode_only_dry_runs():
    client = FakeClient()
    ka.apply_batch(client, [ns("app")], "m")
    results, _before = ka.delete_batch(client, [ns("app")], check_mode=True)
    assert results[0]["action"] == "delete"
    assert "/api/v1/namespaces/app" in client.objects
    assert [e[2] for e in client.log if e[0] == "DELETE"] == [{"propagationPolicy": "Foreground", "dryRun": "All"}]


def test_delete_of_a_kind_the_cluster_lacks_is_a_no_op():
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "app"}}
    results, before = ka.delete_batch(FakeClient(), [widget])
    assert results[0]["action"] == "unchanged" and before == []
