"""The verify play at the end of every render: the offline checkpoints pass for local, dev and prod, the report is
written as JSON, Markdown and HTML, and a deliberately broken render fails the verdict with the reasons."""

from __future__ import annotations

import html.parser
import json
import pathlib
import shutil

import pytest
import yaml

from tests.support.playbook import run_playbook

NO_CLUSTER = {"KUBECONFIG": "/nonexistent/kubeconfig", "K8S_AUTH_KUBECONFIG": "/nonexistent/kubeconfig"}


def report_of(build):
    with open(build + "/report.json", encoding="utf-8") as handle:
        return json.load(handle)


@pytest.mark.parametrize("env_name", ["local", "dev", "prod"])
def test_every_render_ends_with_a_passing_offline_report(site_render, env_name):
    build, run, _by_file, _releases = site_render(env_name)
    build = pathlib.Path(build)
    report = report_of(str(build))
    assert report["verdict"]["passed"] is True, report
    assert (report["environment"], report["mode"]) == (env_name, "render")
    names = [c["name"] for c in report["checkpoints"]]
    assert names == ["NetworkPolicies allow the flows the stack needs",
                     "Every pod is admitted by its namespace's Pod Security level",
                     "The stack fits the nodes, the quotas and the budget"]
    reachability, pod_security, capacity = report["checkpoints"]
    assert " 0 refused; namespaces enforce: " in pod_security["evidence"][0], pod_security["evidence"]
    assert reachability["evidence"][0].endswith("endpoints") and " 0 blocked, 0 unresolved" in reachability["evidence"][0]
    # Every pod of the full render (chart output included) that the policies isolate is in a flow the stack needs.
    assert not [line for line in reachability["evidence"] if line.startswith("stranded: ")], reachability["evidence"]
    assert capacity["evidence"][0].startswith(tuple("123456789"))  # "<n> pods request ..."
    assert all(isinstance(c["seconds"], float) for c in report["checkpoints"])
    assert "PASS: 3 of 3 checkpoints passed" in run.output  # printed at the end of the run
    markdown = (build / "report.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Verification report: %s (render mode)" % env_name)
    page = (build / "report.html").read_text(encoding="utf-8")
    tags = TagCounter()
    tags.feed(page)
    assert tags.open == tags.closed and tags.open["tr"] == 4 and tags.open["pre"] == 3, (tags.open, tags.closed)


class TagCounter(html.parser.HTMLParser):
    """Counts opened and closed elements (void elements such as meta left out)."""

    def __init__(self):
        super().__init__()
        self.open, self.closed = {}, {}

    def handle_starttag(self, tag, attrs):
        if tag != "meta":
            self.open[tag] = self.open.get(tag, 0) + 1

    def handle_endtag(self, tag):
        self.closed[tag] = self.closed.get(tag, 0) + 1


def test_dev_fits_its_one_always_free_node(site_render):
    build = str(site_render("dev")[0])
    capacity = report_of(build)["checkpoints"][2]
    assert "on 1 node(s)" in capacity["evidence"][0] and "budget (eventstack_budget) headroom" in \
        capacity["evidence"][1]


def test_a_broken_policy_and_a_tight_budget_fail_the_verdict(site_render, tmp_path):
    shared = site_render("local")[0]
    build = tmp_path / "build"
    shutil.copytree(shared, build)
    path = build / "manifests" / "hardening.yaml"
    with open(path, encoding="utf-8") as handle:
        docs = [d for d in yaml.safe_load_all(handle) if d]
    kept = [d for d in docs if d["metadata"]["name"] != "eventstack-app-todo-backend"]
    assert len(kept) == len(docs) - 1
    path.write_text(yaml.safe_dump_all(kept), encoding="utf-8")
    (build / "report.json").unlink()
    run = run_playbook("inventories/local", playbook="playbooks/verify.yml", env=NO_CLUSTER, extra_vars={
        "eventstack_mode": "render", "eventstack_build_dir": str(build), "eventstack_budget": {"cpu": "100m", "memory": "6Gi"}})
    assert run.rc != 0 and "Every required checkpoint passes" in run.output, run.output
    report = report_of(str(build))
    assert report["verdict"]["failed_required"] == ["NetworkPolicies allow the flows the stack needs",
                                                    "The stack fits the nodes, the quotas and the budget"]
    blocked = [line for line in report["checkpoints"][0]["evidence"] if line.startswith("blocked: ")]
    assert blocked and all("todo-backend" in line for line in blocked)
    assert any("over the budget of 0.1 (eventstack_budget)" in line for line in report["checkpoints"][2]["evidence"])
    assert "FAIL: 1 of 3 checkpoints passed" in run.output
