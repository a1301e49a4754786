"""make bench: numbers only, no pass/fail.

For each inventory: render wall time and object count; converge against the Kubernetes API emulator
(tests/support/kube_emulator.py) for a first run and a no-change run, with the HTTP requests the
emulator served during the no-change run per object (discovery counted separately).

Usage: python scripts/bench.py [local dev prod]
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.support.kube_emulator import NO_HELM, KubeEmulator, platform_crds  # noqa: E402  pylint: disable=wrong-import-position
from tests.support.playbook import load_manifests, run_playbook  # noqa: E402  pylint: disable=wrong-import-position

DISCOVERY = re.compile(r"/version/?|/api|/apis|/api/v1|/apis/[^/]+(/[^/]+)?")


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
    with KubeEmulator(server_version="1.34", crds=platform_crds()) as server:
        kubeconfig = server.write_kubeconfig(os.path.join(workdir, env_name + ".kubeconfig"))
        # The local inventory's vault gives every inventory real-looking secret values for the emulator.
        args = ["-e", "@inventories/local/group_vars/all/vault.yml"]
        env = {"K8S_AUTH_KUBECONFIG": kubeconfig, "TMPDIR": workdir, **NO_HELM}
        # The Kubernetes layer only: the OCI roles need a tenancy (and oracle.oci), which the bench has not.
        overrides = {"eventstack_kubernetes_version": "1.34", "eventstack_kubeconfig": kubeconfig,
                     "eventstack_oci_enabled": False}
        first, first_s = timed(lambda: run_playbook("inventories/" + env_name, *args, env=env,
                                                    extra_vars=overrides))
        if first.rc != 0:
            return "%-6s converge failed:\n%s" % (env_name, first.output[-2000:])
        server.reset_requests()
        again, again_s = timed(lambda: run_playbook("inventories/" + env_name, *args, env=env,
                                                    extra_vars=overrides))
        requests = list(server.requests)
    discovery = sum(1 for r in requests if DISCOVERY.fullmatch(r["path"]))
    return ("%-6s objects=%-4d render=%5.1fs  converge first=%5.1fs no-change=%5.1fs changed=%d  "
            "no-change requests=%d (discovery %d) = %.2f per object" % (
                env_name, objects, render_s, first_s, again_s, again.recap.get("changed", -1), len(requests),
                discovery, (len(requests) - discovery) / objects if objects else 0.0))


def main(argv):
    envs = argv[1:] or ["local", "dev", "prod"]
    print("eventstack.oke bench on %d CPU(s), Python %s" % (os.cpu_count(), sys.version.split()[0]))
    with tempfile.TemporaryDirectory(prefix="eventstack-bench-") as workdir:
        for env_name in envs:
            print(bench(env_name, workdir), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
