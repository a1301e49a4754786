"""checkov over a render: the role manifests and the charts' rendered output together (so that checks across objects,
such as pods without a NetworkPolicy, see the policies); prints the counts, every failed check and every skip with its
reason.

    python scripts/scan.py build/<env>      (make plan runs it; exits 1 when a check fails)

checkov runs from its own venv (.venv-checkov, made by make setup) with --skip-download, so nothing leaves the
machine. A skip is an annotation on the object (checkov.io/skipN: CKV_K8S_NN=reason) and is listed here.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKOV = os.path.join(REPO, ".venv-checkov", "bin", "checkov")


def scan(manifests):
    """{"passed", "failed", "skipped", "failures": [...], "skips": [...], "version"} of checkov over a directory."""
    if not os.path.exists(CHECKOV):
        raise SystemExit("scan: %s is missing; run make setup" % os.path.relpath(CHECKOV, REPO))
    run = subprocess.run([CHECKOV, "-d", str(manifests), "--framework", "kubernetes", "--skip-download",
                          "-o", "json"], capture_output=True, text=True, check=False,
                         env=dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false"))
    if run.returncode not in (0, 1) or not run.stdout.strip():
        raise SystemExit("scan: checkov failed (rc=%d): %s" % (run.returncode, run.stderr[-2000:]))
    report = json.loads(run.stdout)
    report = report[0] if isinstance(report, list) else report
    if "results" not in report:  # no resources at all
        return {"passed": 0, "failed": 0, "skipped": 0, "failures": [], "skips": [], "version": ""}
    results = report["results"]

    def entry(check):
        return {"id": check["check_id"], "name": check["check_name"], "resource": check["resource"],
                "file": os.path.basename(check.get("file_path") or ""),
                "reason": (check.get("check_result") or {}).get("suppress_comment", "")}
    summary = report["summary"]
    return {"passed": summary["passed"], "failed": summary["failed"], "skipped": summary["skipped"],
            "failures": [entry(c) for c in results.get("failed_checks", [])],
            "skips": [entry(c) for c in results.get("skipped_checks", [])],
            "version": summary.get("checkov_version", "")}


def scan_build(build_dir):
    """scan() over build_dir/manifests/*.yaml and build_dir/helm/*.manifests.yaml (linked into one directory)."""
    with tempfile.TemporaryDirectory(prefix="eventstack-scan-") as workdir:
        for sub, suffix in (("manifests", ".yaml"), ("helm", ".manifests.yaml")):
            directory = os.path.join(build_dir, sub)
            for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
                if name.endswith(suffix):
                    os.symlink(os.path.abspath(os.path.join(directory, name)), os.path.join(workdir, name))
        return scan(workdir)


def report_lines(result, where):
    lines = ["checkov %s over %s: %d passed, %d failed, %d skipped" % (
        result["version"], where, result["passed"], result["failed"], result["skipped"])]
    for failure in result["failures"]:
        lines.append("  FAILED %s %s (%s, %s)" % (failure["id"], failure["resource"], failure["file"], failure["name"]))
    reasons = collections.defaultdict(list)
    for skip in result["skips"]:
        reasons[(skip["id"], skip["reason"])].append(skip["resource"].rpartition(".")[2])
    for (check, reason), resources in sorted(reasons.items()):
        lines.append("  skipped %s x%d (%s): %s" % (check, len(resources), ", ".join(sorted(resources)), reason))
    return lines


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    result = scan_build(argv[1])
    print("\n".join(report_lines(result, "%s (manifests/, helm/*.manifests.yaml)" % argv[1])))
    return 1 if result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
