"""The Pod Security Standards, control by control (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
at the version the namespaces pin (v1.34), each at its own level and at the levels around it; then the controls whose
rules change with the version."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _pod_security

PINNED = "v1.34"


def restricted_pod():
    """A pod every level admits: the restricted profile's settings on the pod and its containers."""
    context = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    return {"metadata": {"name": "web", "annotations": {}},
            "spec": {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                     "initContainers": [{"name": "init", "securityContext": copy.deepcopy(context)}],
                     "containers": [{"name": "app", "securityContext": copy.deepcopy(context),
                                     "ports": [{"containerPort": 8080}],
                                     "readinessProbe": {"httpGet": {"path": "/", "port": 8080}}}],
                     "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "conf", "configMap": {"name": "c"}}]}}


def app(pod):
    return pod["spec"]["containers"][0]


def context(pod):
    return app(pod)["securityContext"]


# rule -> (level, what breaks it). Each function changes a compliant pod so that it breaks exactly that control.
def host_process(pod):
    context(pod)["windowsOptions"] = {"hostProcess": True}


def host_network(pod):
    pod["spec"]["hostNetwork"] = True


def privileged(pod):
    context(pod)["privileged"] = True


def add_sys_admin(pod):
    context(pod)["capabilities"]["add"] = ["SYS_ADMIN"]


def host_path(pod):
    pod["spec"]["volumes"].append({"name": "logs", "hostPath": {"path": "/var/log"}})


def host_port(pod):
    app(pod)["ports"][0]["hostPort"] = 80


def probe_host(pod):
    app(pod)["readinessProbe"]["httpGet"]["host"] = "169.254.169.254"


def unconfined_apparmor(pod):
    context(pod)["appArmorProfile"] = {"type": "Unconfined"}


def selinux_user(pod):
    context(pod)["seLinuxOptions"] = {"user": "system_u"}


def unmasked_proc(pod):
    context(pod)["procMount"] = "Unmasked"


def unconfined_seccomp(pod):
    context(pod)["seccompProfile"] = {"type": "Unconfined"}


def unsafe_sysctl(pod):
    pod["spec"]["securityContext"]["sysctls"] = [{"name": "kernel.msgmax", "value": "65536"}]


def nfs_volume(pod):
    pod["spec"]["volumes"].append({"name": "share", "nfs": {"server": "nfs", "path": "/"}})


def may_escalate(pod):
    del context(pod)["allowPrivilegeEscalation"]


def runs_as_root_maybe(pod):
    del pod["spec"]["securityContext"]["runAsNonRoot"]


def runs_as_uid_0(pod):
    context(pod)["runAsUser"] = 0


def no_seccomp(pod):
    del pod["spec"]["securityContext"]["seccompProfile"]


def keeps_capabilities(pod):
    del context(pod)["capabilities"]


CASES = [
    # rule id, its level, the change, the rule named at restricted (a restricted rule replaces some baseline ones)
    ("windowsHostProcess", "baseline", host_process, "windowsHostProcess"),
    ("hostNamespaces", "baseline", host_network, "hostNamespaces"),
    ("privileged", "baseline", privileged, "privileged"),
    ("capabilities_baseline", "baseline", add_sys_admin, "capabilities_restricted"),
    ("hostPathVolumes", "baseline", host_path, "restrictedVolumes"),
    ("hostPorts", "baseline", host_port, "hostPorts"),
    ("hostProbesAndHostLifecycle", "baseline", probe_host, "hostProbesAndHostLifecycle"),
    ("appArmorProfile", "baseline", unconfined_apparmor, "appArmorProfile"),
    ("seLinuxOptions", "baseline", selinux_user, "seLinuxOptions"),
    ("procMount", "baseline", unmasked_proc, "procMount"),
    ("seccompProfile_baseline", "baseline", unconfined_seccomp, "seccompProfile_restricted"),
    ("sysctls", "baseline", unsafe_sysctl, "sysctls"),
    ("restrictedVolumes", "restricted", nfs_volume, "restrictedVolumes"),
    ("allowPrivilegeEscalation", "restricted", may_escalate, "allowPrivilegeEscalation"),
    ("runAsNonRoot", "restricted", runs_as_root_maybe, "runAsNonRoot"),
    ("runAsUser", "restricted", runs_as_uid_0, "runAsUser"),
    ("seccompProfile_restricted", "restricted", no_seccomp, "seccompProfile_restricted"),
    ("capabilities_restricted", "restricted", keeps_capabilities, "capabilities_restricted"),
]


def rules(pod, level, version=PINNED):
    return [v["rule"] for v in _pod_security.judge(pod, level, version)]


def test_the_compliant_pod_is_admitted_at_every_level():
    for level in _pod_security.LEVELS:
        assert rules(restricted_pod(), level) == []


def test_every_control_of_the_pinned_version_has_a_case():
    active = {rule[0] for rule in _pod_security.rules_for("restricted", _pod_security.parse_version(PINNED))}
    active |= {rule[0] for rule in _pod_security.rules_for("baseline", _pod_security.parse_version(PINNED))}
    assert active == {case[0] for case in CASES}


@pytest.mark.parametrize("rule, level, breaks, at_restricted", CASES, ids=[case[0] for case in CASES])
def test_a_pod_breaking_one_control_is_refused_at_its_level_and_above_and_admitted_below(rule, level, breaks,
                                                                                         at_restricted):
    pod = restricted_pod()
    breaks(pod)
    assert rules(pod, "privileged") == []
    if level == "baseline":
        assert rules(pod, "baseline") == [rule]
    else:
        assert rules(pod, "baseline") == [], "a restricted control is not a baseline one"
    assert rules(pod, "restricted") == [at_restricted]


def test_violations_come_in_the_admission_controllers_order_baseline_then_restricted_each_by_id():
    pod = restricted_pod()
    for breaks in (keeps_capabilities, host_network, no_seccomp, runs_as_root_maybe, host_port, may_escalate):
        breaks(pod)
    assert rules(pod, "restricted") == ["hostNamespaces", "hostPorts", "allowPrivilegeEscalation",
                                        "capabilities_restricted", "runAsNonRoot", "seccompProfile_restricted"]


def test_the_refusal_names_the_level_version_reason_and_containers_like_the_admission_controller():
    pod = restricted_pod()
    may_escalate(pod)
    runs_as_root_maybe(pod)
    violations = _pod_security.judge(pod, "restricted", PINNED)
    assert _pod_security.refusal("web-0", "restricted", PINNED, violations) == (
        'pods "web-0" is forbidden: violates PodSecurity "restricted:v1.34": allowPrivilegeEscalation != false '
        '(container "app" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or '
        'containers "init", "app" must set securityContext.runAsNonRoot=true)')


def test_container_settings_stand_in_for_missing_pod_settings_and_explicit_bad_values_are_named():
    pod = restricted_pod()
    del pod["spec"]["securityContext"]
    for container in pod["spec"]["initContainers"] + pod["spec"]["containers"]:
        container["securityContext"].update(runAsNonRoot=True, seccompProfile={"type": "Localhost",
                                                                               "localhostProfile": "p.json"})
    assert rules(pod, "restricted") == []
    context(pod)["runAsNonRoot"] = False
    (violation,) = _pod_security.judge(pod, "restricted", PINNED)
    assert violation["detail"] == 'container "app" must not set securityContext.runAsNonRoot=false'


def test_baseline_allows_the_default_capabilities_and_restricted_only_net_bind_service():
    pod = restricted_pod()
    context(pod)["capabilities"]["add"] = ["NET_BIND_SERVICE"]
    assert rules(pod, "restricted") == []
    context(pod)["capabilities"]["add"] = ["CHOWN"]
    assert rules(pod, "baseline") == [] and rules(pod, "restricted") == ["capabilities_restricted"]


def test_apparmor_annotations_and_seccomp_localhost_are_allowed_values():
    pod = restricted_pod()
    pod["metadata"]["annotations"]["container.apparmor.security.beta.kubernetes.io/app"] = "localhost/k8s-app"
    context(pod)["appArmorProfile"] = {"type": "RuntimeDefault"}
    assert rules(pod, "restricted") == []
    pod["metadata"]["annotations"]["container.apparmor.security.beta.kubernetes.io/app"] = "unconfined"
    assert rules(pod, "baseline") == ["appArmorProfile"]


def test_windows_pods_are_exempt_from_the_linux_only_restricted_controls():
    pod = restricted_pod()
    pod["spec"]["os"] = {"name": "windows"}
    may_escalate(pod)
    no_seccomp(pod)
    keeps_capabilities(pod)
    assert rules(pod, "restricted") == []


@pytest.mark.parametrize("version, expected", [("v1.33", []), ("v1.34", ["hostProbesAndHostLifecycle"]),
                                               ("latest", ["hostProbesAndHostLifecycle"])])
def test_probe_hosts_are_refused_from_1_34(version, expected):
    pod = restricted_pod()
    probe_host(pod)
    assert rules(pod, "baseline", version) == expected


def test_selinux_container_engine_t_is_allowed_from_1_31():
    pod = restricted_pod()
    context(pod)["seLinuxOptions"] = {"type": "container_engine_t"}
    assert rules(pod, "baseline", "v1.30") == ["seLinuxOptions"]
    assert rules(pod, "baseline", "v1.31") == []


@pytest.mark.parametrize("sysctl, first", [("net.ipv4.ip_local_reserved_ports", (1, 27)),
                                           ("net.ipv4.tcp_keepalive_time", (1, 29)),
                                           ("net.ipv4.tcp_rmem", (1, 32)),
                                           ("net.ipv4.tcp_notsent_lowat", (1, 37))])
def test_each_safe_sysctl_is_allowed_from_its_version(sysctl, first):
    pod = restricted_pod()
    pod["spec"]["securityContext"]["sysctls"] = [{"name": sysctl, "value": "1"}]
    before = "v%d.%d" % (first[0], first[1] - 1)
    assert rules(pod, "baseline", before) == ["sysctls"]
    assert rules(pod, "baseline", "v%d.%d" % first) == []


def test_user_namespaces_relax_non_root_and_proc_mount_from_1_35_but_not_under_restricted_proc_mount():
    pod = restricted_pod()
    pod["spec"]["hostUsers"] = False
    runs_as_root_maybe(pod)
    runs_as_uid_0(pod)
    assert rules(pod, "restricted", "v1.34") == ["runAsNonRoot", "runAsUser"]
    assert rules(pod, "restricted", "v1.35") == []
    unmasked_proc(pod)
    assert rules(pod, "baseline", "v1.34") == ["procMount"]
    assert rules(pod, "baseline", "v1.35") == []
    assert rules(pod, "restricted", "v1.35") == ["procMount_restricted"]


def test_namespace_labels_give_level_and_version_and_none_is_privileged():
    assert _pod_security.namespace_policy({}) == ("privileged", _pod_security.LATEST)
    assert _pod_security.namespace_policy({"pod-security.kubernetes.io/enforce": "restricted",
                                           "pod-security.kubernetes.io/enforce-version": "v1.34"}) == (
        "restricted", (1, 34))


@pytest.mark.parametrize("bad", ["strict", "v1", "1.x", "v1.24"])
def test_levels_and_versions_the_standards_do_not_define_are_errors(bad):
    with pytest.raises(_pod_security.PodSecurityError):
        if bad == "strict":
            _pod_security.parse_level(bad)
        else:
            _pod_security.parse_version(bad)
