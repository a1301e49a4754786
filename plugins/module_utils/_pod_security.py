# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the Kubernetes Pod Security Standards, judged without a cluster.

Every control of the Pod Security Standards page (https://kubernetes.io/docs/concepts/security/pod-security-standards/)
is one rule here, with the level it belongs to and the Kubernetes minor version from which it applies, as the Pod
Security Admission controller evaluates them for a namespace's ``pod-security.kubernetes.io/enforce`` level and
``enforce-version``:

Baseline: HostProcess, Host Namespaces, Privileged Containers, Capabilities, HostPath Volumes, Host Ports, Host Probes
/ Lifecycle Hooks (1.34+), AppArmor, SELinux (``container_engine_t`` allowed from 1.31), /proc Mount Type (any value
in a user namespace from 1.35), Seccomp, Sysctls (the safe set of each version: 1.27, 1.29, 1.32, 1.37 added names).

Restricted, in addition: Volume Types, Privilege Escalation, Running as Non-root, Running as Non-root user (both
relaxed for pods in a user namespace, ``hostUsers: false``, from 1.35), Seccomp (must be set), Capabilities (drop ALL,
add at most NET_BIND_SERVICE), /proc Mount Type without the user-namespace relaxation (1.35+). A restricted rule
replaces the baseline rule of the same control (Capabilities, Seccomp, HostPath through Volume Types, /proc Mount).
Pods with ``spec.os.name: windows`` are exempt from the Linux-only restricted controls.

``judge(pod, level, version)`` returns the violations of one pod (``{"metadata", "spec"}``), each with the rule id,
the control's name, the reason and a detail naming the containers and fields, worded as the admission controller
words its refusals; ``refusal(...)`` the whole message. Versions are ``v1.<minor>`` or ``latest``; from 1.25 on.
"""

from __future__ import annotations

LEVELS = ("privileged", "baseline", "restricted")
ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
VERSION_LABEL = "pod-security.kubernetes.io/enforce-version"
LATEST = (1, 999)
OLDEST = (1, 25)

BASELINE_CAPABILITIES = frozenset(("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                   "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"))
RESTRICTED_VOLUMES = frozenset(("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
                                "persistentVolumeClaim", "projected", "secret"))
SELINUX_TYPES = ("", "container_t", "container_init_t", "container_kvm_t")
SELINUX_TYPES_1_31 = SELINUX_TYPES + ("container_engine_t",)
SYSCTLS = (
    ((1, 0), ("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
              "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start")),
    ((1, 27), ("net.ipv4.ip_local_reserved_ports",)),
    ((1, 29), ("net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
               "net.ipv4.tcp_keepalive_probes")),
    ((1, 32), ("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem")),
    ((1, 37), ("net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat")),
)
SECCOMP_ALLOWED = ("RuntimeDefault", "Localhost")
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


class PodSecurityError(ValueError):
    """A level or version the standards do not define (the message names it)."""


def parse_version(text):
    """"v1.34", "1.34" -> (1, 34); "latest" or empty -> the newest rules."""
    text = str(text or "latest").strip()
    if text == "latest":
        return LATEST
    parts = text.lstrip("v").split(".")
    try:
        major, minor = int(parts[0]), int(parts[1])
        if len(parts) != 2:
            raise ValueError(text)
    except (ValueError, IndexError):
        raise PodSecurityError("Pod Security version %r is neither latest nor v<major>.<minor>" % text) from None
    if (major, minor) < OLDEST:
        raise PodSecurityError("Pod Security version %s is older than v%d.%d, which this check does not model"
                               % (text, OLDEST[0], OLDEST[1]))
    return major, minor


def show_version(version):
    return "latest" if version == LATEST else "v%d.%d" % version


def parse_level(text):
    level = str(text or "privileged").strip()
    if level not in LEVELS:
        raise PodSecurityError("Pod Security level %r is not one of %s" % (level, ", ".join(LEVELS)))
    return level


# --- helpers -------------------------------------------------------------------------------------------------


def _spec(pod):
    return pod.get("spec") or {}


def _containers(spec):
    """(kind, container) of every init, regular and ephemeral container."""
    for field in ("initContainers", "containers", "ephemeralContainers"):
        yield from spec.get(field) or []


def _sc(obj):
    return (obj or {}).get("securityContext") or {}


def _quote(names):
    return ", ".join('"%s"' % name for name in names)


def _plural(word, names):
    return "%s%s %s" % (word, "" if len(names) == 1 else "s", _quote(names))


def _windows(spec):
    return ((spec.get("os") or {}).get("name")) == "windows"


def _user_namespace(spec):
    return spec.get("hostUsers") is False


# --- baseline ------------------------------------------------------------------------------------------------


def _host_process(pod, _version):
    spec = _spec(pod)
    setters = ["pod"] if (_sc(spec).get("windowsOptions") or {}).get("hostProcess") is True else []
    bad = [c.get("name") for c in _containers(spec) if (_sc(c).get("windowsOptions") or {}).get("hostProcess") is True]
    if bad:
        setters.append(_plural("container", bad))
    if setters:
        return "hostProcess", "%s must not set securityContext.windowsOptions.hostProcess=true" % " and ".join(setters)
    return None


def _host_namespaces(pod, _version):
    spec = _spec(pod)
    bad = ["%s=true" % field for field in ("hostNetwork", "hostPID", "hostIPC") if spec.get(field) is True]
    return ("host namespaces", ", ".join(bad)) if bad else None


def _privileged(pod, _version):
    bad = [c.get("name") for c in _containers(_spec(pod)) if _sc(c).get("privileged") is True]
    return ("privileged", "%s must not set securityContext.privileged=true" % _plural("container", bad)) if bad else None


def _capabilities_baseline(pod, _version):
    problems = []
    for container in _containers(_spec(pod)):
        added = [c for c in (_sc(container).get("capabilities") or {}).get("add") or [] if c not in BASELINE_CAPABILITIES]
        if added:
            problems.append('container "%s" must not include %s in securityContext.capabilities.add'
                            % (container.get("name"), _quote(added)))
    return ("non-default capabilities", "; ".join(problems)) if problems else None


def _host_path_volumes(pod, _version):
    bad = [v.get("name") for v in _spec(pod).get("volumes") or [] if v.get("hostPath") is not None]
    return ("hostPath volumes", _plural("volume", bad)) if bad else None


def _host_ports(pod, _version):
    problems = []
    for container in _containers(_spec(pod)):
        ports = [str(p["hostPort"]) for p in container.get("ports") or [] if p.get("hostPort")]
        if ports:
            problems.append('container "%s" uses hostPort %s' % (container.get("name"), ", ".join(ports)))
    return ("hostPort", "; ".join(problems)) if problems else None


def _probe_hosts(container):
    handlers = [container.get(probe) or {} for probe in ("livenessProbe", "readinessProbe", "startupProbe")]
    handlers += [(container.get("lifecycle") or {}).get(hook) or {} for hook in ("postStart", "preStop")]
    for handler in handlers:
        for action in ("httpGet", "tcpSocket"):
            host = (handler.get(action) or {}).get("host")
            if host:
                yield host


def _host_probes(pod, _version):
    problems = []
    for container in _containers(_spec(pod)):
        hosts = sorted(set(_probe_hosts(container)))
        if hosts:
            problems.append('container "%s" uses probe or lifecycle host %s' % (container.get("name"), _quote(hosts)))
    return ("probe or lifecycle host", "; ".join(problems)) if problems else None


def _app_armor(pod, _version):
    spec, bad = _spec(pod), []
    for key, value in sorted(((pod.get("metadata") or {}).get("annotations") or {}).items()):
        if key.startswith(APPARMOR_ANNOTATION) and value not in ("", "runtime/default") \
                and not str(value).startswith("localhost/"):
            bad.append('%s="%s"' % (key, value))
    profiles = [("pod", _sc(spec).get("appArmorProfile"))]
    profiles += [('container "%s"' % c.get("name"), _sc(c).get("appArmorProfile")) for c in _containers(spec)]
    for where, profile in profiles:
        if profile and profile.get("type") not in SECCOMP_ALLOWED:
            bad.append('%s securityContext.appArmorProfile.type="%s"' % (where, profile.get("type")))
    return ("forbidden AppArmor profiles", ", ".join(bad)) if bad else None


def _se_linux(pod, version):
    spec = _spec(pod)
    allowed = SELINUX_TYPES_1_31 if version >= (1, 31) else SELINUX_TYPES
    problems = []
    options = [("pod", _sc(spec).get("seLinuxOptions"))]
    options += [('container "%s"' % c.get("name"), _sc(c).get("seLinuxOptions")) for c in _containers(spec)]
    for where, option in options:
        if not option:
            continue
        if option.get("type", "") not in allowed:
            problems.append('%s seLinuxOptions.type "%s"' % (where, option.get("type")))
        for field in ("user", "role"):
            if option.get(field):
                problems.append('%s seLinuxOptions.%s "%s"' % (where, field, option[field]))
    return ("seLinuxOptions", "%s: forbidden" % ", ".join(problems)) if problems else None


def _proc_mount_unconditional(pod, _version):
    bad = [c.get("name") for c in _containers(_spec(pod)) if _sc(c).get("procMount") not in (None, "Default")]
    if bad:
        return "procMount", '%s must not set securityContext.procMount to a value other than "Default"' % _plural(
            "container", bad)
    return None


def _proc_mount_baseline(pod, version):
    if version >= (1, 35) and _user_namespace(_spec(pod)):
        return None
    return _proc_mount_unconditional(pod, version)


def _seccomp_baseline(pod, _version):
    spec = _spec(pod)
    bad = []
    profile = _sc(spec).get("seccompProfile")
    if profile and profile.get("type") not in SECCOMP_ALLOWED:
        bad.append('pod seccompProfile.type "%s"' % profile.get("type"))
    for container in _containers(spec):
        profile = _sc(container).get("seccompProfile")
        if profile and profile.get("type") not in SECCOMP_ALLOWED:
            bad.append('container "%s" seccompProfile.type "%s"' % (container.get("name"), profile.get("type")))
    return ("seccompProfile", "%s: forbidden" % ", ".join(bad)) if bad else None


def allowed_sysctls(version):
    return frozenset(name for since, names in SYSCTLS if version >= since for name in names)


def _sysctls(pod, version):
    allowed = allowed_sysctls(version)
    bad = [s.get("name") for s in _sc(_spec(pod)).get("sysctls") or [] if s.get("name") not in allowed]
    return ("forbidden sysctls", ", ".join(bad)) if bad else None


# --- restricted ----------------------------------------------------------------------------------------------


def _restricted_volumes(pod, _version):
    problems = []
    for volume in _spec(pod).get("volumes") or []:
        kinds = [key for key in volume if key != "name" and volume[key] is not None]
        bad = [kind for kind in kinds if kind not in RESTRICTED_VOLUMES]
        if bad:
            problems.append('volume "%s" uses restricted volume type %s' % (volume.get("name"), _quote(bad)))
    return ("restricted volume types", "; ".join(problems)) if problems else None


def _privilege_escalation(pod, _version):
    spec = _spec(pod)
    if _windows(spec):
        return None
    bad = [c.get("name") for c in _containers(spec) if _sc(c).get("allowPrivilegeEscalation") is not False]
    if bad:
        return "allowPrivilegeEscalation != false", "%s must set securityContext.allowPrivilegeEscalation=false" % (
            _plural("container", bad))
    return None


def _run_as_non_root(pod, version):
    spec = _spec(pod)
    if version >= (1, 35) and _user_namespace(spec):
        return None
    pod_value = _sc(spec).get("runAsNonRoot")
    setters = ["pod"] if pod_value is False else []
    explicit, implicit = [], []
    for container in _containers(spec):
        value = _sc(container).get("runAsNonRoot")
        if value is False:
            explicit.append(container.get("name"))
        elif value is None and pod_value is not True:
            implicit.append(container.get("name"))
    if explicit:
        setters.append(_plural("container", explicit))
    if setters:
        return "runAsNonRoot != true", "%s must not set securityContext.runAsNonRoot=false" % " and ".join(setters)
    if implicit:
        return "runAsNonRoot != true", "pod or %s must set securityContext.runAsNonRoot=true" % _plural(
            "container", implicit)
    return None


def _run_as_user(pod, version):
    spec = _spec(pod)
    if version >= (1, 35) and _user_namespace(spec):
        return None
    setters = ["pod"] if _sc(spec).get("runAsUser") == 0 else []
    bad = [c.get("name") for c in _containers(spec) if _sc(c).get("runAsUser") == 0]
    if bad:
        setters.append(_plural("container", bad))
    if setters:
        return "runAsUser=0", "%s must not set runAsUser=0" % " and ".join(setters)
    return None


def _seccomp_restricted(pod, _version):
    spec = _spec(pod)
    if _windows(spec):
        return None
    profile = _sc(spec).get("seccompProfile")
    pod_set = bool(profile) and profile.get("type") in SECCOMP_ALLOWED
    setters, values = (["pod"], {profile.get("type")}) if profile and not pod_set else ([], set())
    explicit, implicit = [], []
    for container in _containers(spec):
        profile = _sc(container).get("seccompProfile")
        if profile:
            if profile.get("type") not in SECCOMP_ALLOWED:
                explicit.append(container.get("name"))
                values.add(profile.get("type"))
        elif not pod_set:
            implicit.append(container.get("name"))
    if explicit:
        setters.append(_plural("container", explicit))
    if setters:
        return "seccompProfile", "%s must not set securityContext.seccompProfile.type to %s" % (
            " and ".join(setters), _quote(sorted(str(v) for v in values)))
    if implicit:
        return "seccompProfile", 'pod or %s must set securityContext.seccompProfile.type to "RuntimeDefault" or ' \
                                 '"Localhost"' % _plural("container", implicit)
    return None


def _capabilities_restricted(pod, _version):
    spec = _spec(pod)
    if _windows(spec):
        return None
    not_dropped, added = [], []
    for container in _containers(spec):
        capabilities = _sc(container).get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            not_dropped.append(container.get("name"))
        extra = [c for c in capabilities.get("add") or [] if c != "NET_BIND_SERVICE"]
        if extra:
            added.append('container "%s" must not include %s in securityContext.capabilities.add'
                         % (container.get("name"), _quote(extra)))
    problems = []
    if not_dropped:
        problems.append('%s must set securityContext.capabilities.drop=["ALL"]' % _plural("container", not_dropped))
    problems += added
    return ("unrestricted capabilities", "; ".join(problems)) if problems else None


# --- the registry --------------------------------------------------------------------------------------------

# id (the admission controller's check id), level, control (the PSS page's name), first version, check, rule ids it
# replaces from that version on.
RULES = (
    ("windowsHostProcess", "baseline", "HostProcess", (1, 0), _host_process, ()),
    ("hostNamespaces", "baseline", "Host Namespaces", (1, 0), _host_namespaces, ()),
    ("privileged", "baseline", "Privileged Containers", (1, 0), _privileged, ()),
    ("capabilities_baseline", "baseline", "Capabilities", (1, 0), _capabilities_baseline, ()),
    ("hostPathVolumes", "baseline", "HostPath Volumes", (1, 0), _host_path_volumes, ()),
    ("hostPorts", "baseline", "Host Ports", (1, 0), _host_ports, ()),
    ("hostProbesAndHostLifecycle", "baseline", "Host Probes / Lifecycle Hooks", (1, 34), _host_probes, ()),
    ("appArmorProfile", "baseline", "AppArmor", (1, 0), _app_armor, ()),
    ("seLinuxOptions", "baseline", "SELinux", (1, 0), _se_linux, ()),
    ("procMount", "baseline", "/proc Mount Type", (1, 0), _proc_mount_baseline, ()),
    ("seccompProfile_baseline", "baseline", "Seccomp", (1, 19), _seccomp_baseline, ()),
    ("sysctls", "baseline", "Sysctls", (1, 0), _sysctls, ()),
    ("restrictedVolumes", "restricted", "Volume Types", (1, 0), _restricted_volumes, ("hostPathVolumes",)),
    ("allowPrivilegeEscalation", "restricted", "Privilege Escalation", (1, 8), _privilege_escalation, ()),
    ("runAsNonRoot", "restricted", "Running as Non-root", (1, 0), _run_as_non_root, ()),
    ("runAsUser", "restricted", "Running as Non-root user", (1, 23), _run_as_user, ()),
    ("seccompProfile_restricted", "restricted", "Seccomp", (1, 19), _seccomp_restricted,
     ("seccompProfile_baseline",)),
    ("capabilities_restricted", "restricted", "Capabilities", (1, 22), _capabilities_restricted,
     ("capabilities_baseline",)),
    ("procMount_restricted", "restricted", "/proc Mount Type", (1, 35), _proc_mount_unconditional, ("procMount",)),
)
RULE_IDS = tuple(rule[0] for rule in RULES)


def rules_for(level, version):
    """The rules a namespace at this level and version enforces, in the order the admission controller reports
    them: the baseline ones by id, then the restricted ones by id."""
    level = parse_level(level)
    if level == "privileged":
        return []
    wanted = ("baseline",) if level == "baseline" else ("baseline", "restricted")
    active = [rule for rule in RULES if rule[1] in wanted and version >= rule[3]]
    replaced = {old for rule in active for old in rule[5]}
    return sorted((rule for rule in active if rule[0] not in replaced),
                  key=lambda rule: (rule[1] == "restricted", rule[0]))


def judge(pod, level, version="latest"):
    """The violations of one pod ({metadata, spec}) at a level and version: [{rule, control, level, reason, detail}]."""
    if not isinstance(version, tuple):
        version = parse_version(version)
    found = []
    for rule_id, rule_level, control, _since, check, _replaces in rules_for(level, version):
        result = check(pod, version)
        if result:
            found.append({"rule": rule_id, "control": control, "level": rule_level, "reason": result[0],
                          "detail": result[1]})
    return found


def refusal(name, level, version, violations):
    """The admission controller's refusal of a pod, e.g. 'pods "x" is forbidden: violates PodSecurity
    "restricted:v1.34": runAsNonRoot != true (pod or container "app" must set ...)'."""
    if not isinstance(version, tuple):
        version = parse_version(version)
    return 'pods "%s" is forbidden: violates PodSecurity "%s:%s": %s' % (
        name, level, show_version(version), ", ".join("%s (%s)" % (v["reason"], v["detail"]) for v in violations))


def namespace_policy(labels):
    """(level, version) a namespace enforces from its labels; no label is the admission default, privileged."""
    labels = labels or {}
    return parse_level(labels.get(ENFORCE_LABEL)), parse_version(labels.get(VERSION_LABEL))
