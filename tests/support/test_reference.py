"""tests/support/reference.py: a reference file the tests need is found, checked, or failed for (never skipped)."""

from __future__ import annotations

import hashlib

import pytest

from tests.support import reference

KAFKATOPIC = "strimzi/043-Crd-kafkatopic.yaml"


def test_a_listed_crd_is_found_with_its_sha256():
    path = reference.crd_file(KAFKATOPIC)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == reference.crd_sources()[KAFKATOPIC]["sha256"]
    assert [p.name for p in reference.crd_files("dapr/")] == [
        "components.yaml", "configuration.yaml", "resiliency.yaml", "subscription.yaml"]


def test_a_missing_crd_fails_naming_it_and_make_schemas(tmp_path, monkeypatch):
    monkeypatch.setattr(reference, "SHARED", tmp_path / "shared")
    monkeypatch.setattr(reference, "REPO", tmp_path / "checkout")
    with pytest.raises(pytest.fail.Exception) as failed:
        reference.crd_file(KAFKATOPIC)
    assert "missing CRD %s" % KAFKATOPIC in str(failed.value) and "run `make schemas`" in str(failed.value)


def test_a_crd_with_another_sha256_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(reference, "SHARED", tmp_path / "shared")
    monkeypatch.setattr(reference, "REPO", tmp_path / "checkout")
    changed = tmp_path / "checkout" / ".cache" / "schemas" / "crds" / KAFKATOPIC
    changed.parent.mkdir(parents=True)
    changed.write_text("kind: CustomResourceDefinition\n", encoding="utf-8")
    with pytest.raises(pytest.fail.Exception) as failed:
        reference.crd_file(KAFKATOPIC)
    assert "%s has sha256 %s" % (changed, hashlib.sha256(changed.read_bytes()).hexdigest()) in str(failed.value)


def test_a_missing_shared_file_fails_naming_it_and_where_it_comes_from(tmp_path, monkeypatch):
    monkeypatch.setattr(reference, "SHARED", tmp_path / "shared")
    with pytest.raises(pytest.fail.Exception) as failed:
        reference.shared_file("reference/dapr_component_metadata.json")
    message = str(failed.value)
    assert str(tmp_path / "shared" / "reference" / "dapr_component_metadata.json") in message
    assert "../shared/README.md" in message
