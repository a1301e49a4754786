"""_helm_wait: the line eventstack.oke.helm_release shows while Helm waits - the release, and its namespace's pods."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _helm_wait


def pod(name, phase="Running", ready=False, waiting=None, deleting=False):
    status = {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    if waiting:
        status["containerStatuses"] = [{"name": "app", "ready": False, "state": {"waiting": {"reason": waiting}}}]
    metadata = {"name": name}
    if deleting:
        metadata["deletionTimestamp"] = "2026-12-05T10:00:00Z"
    return {"metadata": metadata, "status": status}


def test_ready_pods_are_counted_and_the_others_say_why():
    line = _helm_wait.pods_line([pod("operator-b", ready=True),
                                 pod("operator-a", phase="Pending", waiting="ImagePullBackOff"),
                                 pod("hook-job", phase="Succeeded"),
                                 pod("webhook", phase="Pending", waiting="ContainerCreating")])
    assert line == ("pods ready 2/4; pod operator-a container app: ImagePullBackOff; "
                    "pod webhook: Pending (ContainerCreating)")


def test_at_most_three_reasons_then_how_many_more():
    line = _helm_wait.pods_line([pod("p%d" % n, phase="Pending") for n in range(5)])
    assert line == "pods ready 0/5; pod p0: Pending; pod p1: Pending; pod p2: Pending; and 2 more"


def test_terminating_pods_are_not_the_release_s_and_an_empty_namespace_says_so():
    assert _helm_wait.pods_line([pod("old", ready=True, deleting=True)]) == "no pods yet"
    assert _helm_wait.pods_line([]) == "no pods yet"


def test_removing_counts_what_is_left():
    assert _helm_wait.pods_line([pod("a", deleting=True), pod("b")], removing=True) == "pods left 2 (terminating 1)"
    assert _helm_wait.pods_line([], removing=True) == "no pods left"


def test_the_release_line_names_chart_version_and_namespace():
    assert _helm_wait.release_line({"name": "strimzi", "chart_ref": "oci://quay.io/strimzi-helm/strimzi-kafka-operator",
                                    "chart_version": "0.48.0", "release_namespace": "kafka"}) == (
        "release strimzi (oci://quay.io/strimzi-helm/strimzi-kafka-operator 0.48.0) in kafka")


def test_only_a_wait_outside_check_mode_lasts():
    assert _helm_wait.waits({"wait": True}, check_mode=False)
    assert _helm_wait.waits({"wait": "True"}, check_mode=False)
    assert not _helm_wait.waits({"wait": True}, check_mode=True)
    assert not _helm_wait.waits({"wait": False}, check_mode=False)
    assert not _helm_wait.waits({}, check_mode=False)
