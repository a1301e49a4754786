"""checkov (kubernetes framework, offline) over the rendered dev and prod manifests and the charts' rendered output: no
failed check; every skip is an annotation on its object with a reason. make test prints the counts (scripts/scan.py)."""

from __future__ import annotations

import os
import shutil

import pytest
import yaml

from scripts.scan import report_lines, scan, scan_build


@pytest.mark.parametrize("env_name", ["dev", "prod"])
def test_checkov_finds_nothing_and_every_skip_has_a_reason(site_render, env_name):
    build = site_render(env_name)[0]
    result = scan_build(str(build))
    lines = report_lines(result, "build/%s (manifests/, helm/*.manifests.yaml)" % env_name)
    logs = os.environ.get("EVENTSTACK_TEST_LOGS")
    if logs:
        with open(os.path.join(logs, "checkov-%s.txt" % env_name), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    assert result["failed"] == 0, "\n".join(lines)
    assert result["passed"] > 1500, "the charts' output is scanned with the role manifests"
    assert {"dapr.manifests.yaml", "strimzi-kafka-operator.manifests.yaml"} <= {s["file"] for s in result["skips"]}
    for skip in result["skips"]:
        assert len(skip["reason"]) > 20, skip


def test_a_finding_fails_the_scan(tmp_path):
    """The scan is not blind: a privileged, unbounded container in a copy of the manifests is reported."""
    (tmp_path / "manifests").mkdir()
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bad", "namespace": "todo-app"},
           "spec": {"containers": [{"name": "c", "image": "busybox:latest",
                                    "securityContext": {"privileged": True}}]}}
    (tmp_path / "manifests" / "bad.yaml").write_text(yaml.safe_dump(pod))
    result = scan(str(tmp_path / "manifests"))
    failed = {f["id"] for f in result["failures"]}
    assert {"CKV_K8S_16", "CKV_K8S_11", "CKV_K8S_13"} <= failed, failed
    shutil.rmtree(tmp_path / "manifests")
