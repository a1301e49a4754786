from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _policy_engine

FLANNEL = {"enabled": True, "pod_networking": "flannel", "cluster_type": "BASIC_CLUSTER", "pods_cidr": "10.244.0.0/16"}


def test_a_basic_flannel_cluster_takes_calico_and_an_engine_that_is_off_asks_nothing():
    assert _policy_engine.problems(FLANNEL) == []
    assert _policy_engine.problems(dict(FLANNEL, enabled=False, pod_networking="vcn_native")) == []


@pytest.mark.parametrize("change, expected", [
    ({"pod_networking": "vcn_native"}, "policy_engine_enabled: the Tigera operator cannot run Calico beside OKE's "
                                       "VCN-native CNI (Oracle's procedure sets calico-node's FELIX_INTERFACEPREFIX=oci"),
    ({"pod_networking": ""}, "policy_engine_enabled: Calico is set up for an OKE cluster with flannel pod networking "
                             "(oke_cluster_pod_networking), not 'a cluster the OCI roles do not manage'"),
    ({"cluster_type": "ENHANCED_CLUSTER"}, "policy_engine_enabled: on an enhanced cluster flannel is a cluster add-on "
                                           "that must be disabled before Calico takes over"),
    ({"pods_cidr": "10.244.0.1/16"}, "policy_engine_pods_cidr: '10.244.0.1/16' is not the cluster's pod CIDR"),
])
def test_where_calico_cannot_run_as_asked_the_variable_and_the_fix_are_named(change, expected):
    problems = _policy_engine.problems(dict(FLANNEL, **change))
    assert len(problems) == 1 and problems[0].startswith(expected), problems
