from __future__ import annotations

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.module_utils import _manifests


def obj(kind, name, namespace=None, api_version="v1", **extra):
    meta = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return dict({"apiVersion": api_version, "kind": kind, "metadata": meta}, **extra)


def test_sort_puts_namespaces_first_then_known_kinds_then_custom_resources():
    objects = [
        obj("KafkaTopic", "events", "kafka", "kafka.strimzi.io/v1"),
        obj("Deployment", "api", "app", "apps/v1"),
        obj("Secret", "b", "app"),
        obj("Secret", "a", "app"),
        obj("Namespace", "kafka"),
        obj("Namespace", "app"),
    ]
    order = [_manifests.object_ref(o) for o in _manifests.sort_objects(objects)]
    assert order == ["Namespace/app", "Namespace/kafka", "Secret/app/a", "Secret/app/b",
                     "Deployment/app/api", "KafkaTopic/kafka/events"]


@pytest.mark.parametrize("bad, message", [
    ({"kind": "ConfigMap", "metadata": {"name": "x"}}, "lacks apiVersion"),
    ({"apiVersion": "v1", "metadata": {"name": "x"}}, "lacks kind"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}, "lacks metadata.name"),
    ("not-a-dict", "not a Kubernetes object"),
])
def test_check_objects_names_the_broken_item(bad, message):
    with pytest.raises(_manifests.ManifestError, match=message):
        _manifests.check_objects([obj("Namespace", "ok"), bad])


def test_duplicates_are_rejected():
    with pytest.raises(_manifests.ManifestError, match="Secret/app/a is defined twice"):
        _manifests.check_objects([obj("Secret", "a", "app"), obj("Secret", "a", "app")])


def test_same_name_in_other_namespace_is_fine():
    assert len(_manifests.check_objects([obj("Secret", "a", "app"), obj("Secret", "a", "kafka")])) == 2


def test_redact_replaces_every_secret_value_and_keeps_keys():
    secret = obj("Secret", "db", "app", data={"URL": "c2VjcmV0", "PW": "eA=="}, stringData={"TOKEN": "plain"})
    out = _manifests.redact(secret)
    assert out["data"] == {"URL": _manifests.REDACTED_B64, "PW": _manifests.REDACTED_B64}
    assert out["stringData"] == {"TOKEN": "REDACTED"}
    assert secret["data"]["URL"] == "c2VjcmV0", "the input must not be modified"


def test_redact_leaves_other_kinds_alone():
    config = obj("ConfigMap", "c", "app", data={"URL": "visible"})
    assert _manifests.redact(config) == config


def test_manifest_is_deterministic_redacted_and_round_trips():
    objects = [obj("Secret", "db", "app", data={"URL": "c2VjcmV0"}), obj("Namespace", "app")]
    text = _manifests.to_manifest(objects, "k8s_base")
    assert text == _manifests.to_manifest(list(reversed(objects)), "k8s_base")
    assert "c2VjcmV0" not in text
    assert text.startswith("# Rendered by eventstack.oke role k8s_base.")
    docs = list(yaml.safe_load_all(text))
    assert [d["kind"] for d in docs] == ["Namespace", "Secret"]
    assert docs[1]["data"] == {"URL": _manifests.REDACTED_B64}


def test_plain_converts_subclasses_and_rejects_other_types():
    class TaggedStr(str):
        pass

    class TaggedDict(dict):
        pass

    out = _manifests.plain(TaggedDict(a=[TaggedStr("x"), 1, True, None, 1.5]))
    assert not isinstance(out, TaggedDict) and not isinstance(out["a"][0], TaggedStr)
    assert out == {"a": ["x", 1, True, None, 1.5]}
    with pytest.raises(_manifests.ManifestError, match="cannot be part of a Kubernetes object"):
        _manifests.plain({"a": object()})


def test_multiline_strings_use_block_style():
    text = _manifests.to_manifest([obj("ConfigMap", "c", "app", data={"script": "line1\nline2\n"})])
    assert "script: |\n    line1\n    line2\n" in text


def test_summarize_counts_per_kind_and_namespace():
    counts = _manifests.summarize([obj("Namespace", "a"), obj("Secret", "s", "a"), obj("Secret", "t", "a")])
    assert counts == {("Namespace", "(cluster)"): 1, ("Secret", "a"): 2}


def test_helm_release_files_hold_what_apply_mode_installs():
    releases = [{"name": "dapr", "namespace": "dapr-system", "chart": "dapr", "repo": "https://dapr.github.io/helm-charts",
                 "version": 1.18, "values": {"global": {"ha": {"enabled": False}}}, "wait": True}]
    [entry] = _manifests.helm_release_files(releases, "build/local", "dapr")
    assert entry["path"] == "build/local/helm/dapr.yaml"
    header, _sep, body = entry["content"].partition("\n")
    assert header == "# Rendered by eventstack.oke (dapr). Apply mode installs exactly this with Helm."
    assert yaml.safe_load(body) == {"name": "dapr", "namespace": "dapr-system", "chart": "dapr",
                                    "repo": "https://dapr.github.io/helm-charts", "version": "1.18",
                                    "values": {"global": {"ha": {"enabled": False}}}, "crds_first": False}
    with pytest.raises(_manifests.ManifestError, match="Helm release dapr has no 'chart'"):
        _manifests.helm_release_files([{k: v for k, v in releases[0].items() if k != "chart"}], "b", "dapr")
