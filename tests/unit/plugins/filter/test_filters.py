from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.filter import k8s, preflight


def test_filters_are_registered():
    assert set(k8s.FilterModule().filters()) == {"k8s_sort", "k8s_redact", "k8s_manifest", "helm_release_files"}
    assert set(preflight.FilterModule().filters()) == {"k8s_base_problems", "controller_problems", "stack_volumes"}


def test_manifest_errors_become_filter_errors():
    with pytest.raises(AnsibleFilterError, match="lacks kind"):
        k8s.FilterModule().filters()["k8s_sort"]([{"apiVersion": "v1", "metadata": {"name": "x"}}])


def test_helm_release_files_errors_become_filter_errors():
    with pytest.raises(AnsibleFilterError, match="Helm release x has no 'namespace'"):
        k8s.FilterModule().filters()["helm_release_files"]([{"name": "x"}], "build", "role")


def test_redact_filter():
    out = k8s.FilterModule().filters()["k8s_redact"](
        [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "dg=="}}])
    assert out[0]["data"] == {"k": "UkVEQUNURUQ="}


def test_k8s_base_problems_combines_namespace_and_secret_checks():
    problems = preflight.k8s_base_problems(
        [{"name": "app", "pod_security": "restricted"}], {"app": "app", "kafka": "kafka"},
        secrets=[{"name": "s", "namespace": "app", "data_from_vars": {"K": "vault_k"}}],
        pull_secret={"enabled": False}, defined_vars=[], require_values=True)
    assert len(problems) == 2
    assert problems[0].startswith("eventstack_namespaces.kafka")
    assert "vault variable 'vault_k' is not defined" in problems[1]
