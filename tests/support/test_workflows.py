"""The GitHub workflows: zizmor (offline, pedantic) finds nothing in ours and does catch the classic mistakes."""

from __future__ import annotations

import os
import re
import subprocess

import yaml

from tests.support.playbook import BIN, REPO

WORKFLOWS = os.path.join(REPO, ".github", "workflows")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def zizmor(path):
    return subprocess.run([os.path.join(BIN, "zizmor"), "--offline", "--persona=pedantic", "--no-progress",
                           "--format=plain", path], capture_output=True, text=True, check=False)


def workflows():
    return sorted(os.path.join(WORKFLOWS, name) for name in os.listdir(WORKFLOWS) if name.endswith(".yml"))


def test_our_workflows_have_no_findings():
    result = zizmor(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_catches_unpinned_actions_injection_and_broad_permissions(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "name: bad\non: [issues]\npermissions: write-all\njobs:\n  j:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - uses: actions/checkout@v5\n      - run: echo \"${{ github.event.issue.title }}\"\n")
    result = zizmor(str(bad))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for audit in ("unpinned-uses", "template-injection", "excessive-permissions"):
        assert audit in output, output


def test_every_action_is_pinned_to_a_commit_with_its_version_noted():
    for path in workflows():
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for line in text.splitlines():
            match = re.search(r"uses:\s*(\S+)(.*)$", line)
            if match:
                assert PINNED.match(match.group(1)), "%s: %s is not pinned to a commit" % (path, match.group(1))
                assert re.search(r"#\s*v\d", match.group(2)), "%s: %s lacks its version comment" % (path, line)


def test_every_workflow_sets_least_privilege_permissions():
    for path in workflows():
        with open(path, encoding="utf-8") as handle:
            workflow = yaml.safe_load(handle)
        assert workflow.get("permissions") == {"contents": "read"}, path
