"""scripts/docs.py (`make docs`): the committed docs/ are what the sources of truth generate, the plugins' and roles'
documentation passes antsibull-docs's linter, and the tables come out right."""

from __future__ import annotations

import filecmp
import importlib.util
import os
import pathlib

import ansible.release
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]

_spec = importlib.util.spec_from_file_location("docs", REPO / "scripts" / "docs.py")
docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(docs)


def differences(committed, generated):
    """Paths (relative to committed) that differ, are missing or are extra."""
    out = []
    compared = filecmp.dircmp(committed, generated)
    out += [name + " (not generated)" for name in compared.left_only]
    out += [name + " (missing)" for name in compared.right_only]
    out += compared.diff_files + compared.funny_files
    for name, sub in compared.subdirs.items():
        out += [os.path.join(name, path) for path in differences(sub.left, sub.right)]
    return out


def lint(collection):
    return docs.antsibull_docs(["lint-collection-docs", "--plugin-docs", "--validate-collection-refs", "self",
                                "--output-format", "simplified-rst", str(collection)], cwd=collection)


def pinned_ansible_core():
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("ansible-core=="):
            return line.split("==")[1]
    return None


def test_committed_role_docs_and_tags_table_are_what_make_docs_writes(tmp_path):
    problems = docs.write(str(tmp_path), plugins=False)
    assert not problems, problems
    stale = ["roles/" + path for path in differences(REPO / "docs" / "roles", tmp_path / "roles")]
    if (REPO / "docs" / "tags.md").read_text(encoding="utf-8") != (tmp_path / "tags.md").read_text(encoding="utf-8"):
        stale.append("tags.md")
    assert not stale, "docs/ is stale, run make docs: " + ", ".join(sorted(stale))


def test_committed_plugin_docs_are_what_make_docs_writes(tmp_path):
    docs.plugin_docs(str(tmp_path / "plugins"))  # fails on any documentation antsibull-docs cannot render
    if ansible.release.__version__ != pinned_ansible_core():
        pytest.skip("docs/plugins/ is generated with the pinned ansible-core %s, this is %s"
                    % (pinned_ansible_core(), ansible.release.__version__))
    stale = differences(REPO / "docs" / "plugins", tmp_path / "plugins")
    assert not stale, "docs/plugins/ is stale, run make docs: " + ", ".join(sorted(stale))


def test_plugin_and_role_documentation_passes_antsibull_docs_lint():
    proc = lint(REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_lint_fails_on_a_broken_documentation_block(tmp_path):
    (tmp_path / "galaxy.yml").write_text("namespace: planted\nname: broken\nversion: 1.0.0\nreadme: README.md\n"
                                         "authors: [nobody]\n", encoding="utf-8")
    (tmp_path / "plugins" / "modules").mkdir(parents=True)
    (tmp_path / "plugins" / "modules" / "thing.py").write_text(
        'DOCUMENTATION = """\nmodule: thing\ndescription: No short_description.\n"""\nEXAMPLES = ""\nRETURN = ""\n',
        encoding="utf-8")
    proc = lint(tmp_path)
    assert proc.returncode != 0
    assert "short_description" in proc.stdout + proc.stderr


# The table logic.

SPEC = {
    "demo_state": {"type": "str", "choices": ["present", "absent"], "default": "present",
                   "description": "C(absent) deletes; see M(eventstack.oke.k8s_apply)."},
    "demo_items": {
        "type": "list", "elements": "dict", "required": True, "description": "Items.",
        "options": {
            "name": {"type": "str", "required": True, "description": "Name."},
            "limits": {"type": "dict", "description": "Limits.",
                       "options": {"cpu": {"type": "raw", "description": "CPU | a quantity."}}},
        },
    },
    "demo_labels": {"type": "dict", "description": "Labels."},
    "demo_env": {"type": "dict", "default": {}, "description": "Env."},
    "demo_undocumented": {"type": "bool"},
}


def rows_by_name(defaults=None, spec=None):
    rows, problems = docs.option_rows(spec or SPEC, "demo", defaults)
    return {row["name"]: row for row in rows}, problems


def test_nested_options_get_a_row_each_named_by_their_path():
    rows = rows_by_name()[0]
    assert list(rows) == ["demo_state", "demo_items", "demo_items[].name", "demo_items[].limits",
                          "demo_items[].limits.cpu", "demo_labels", "demo_env", "demo_undocumented"]
    assert rows["demo_items"]["type"] == "list of dict" and rows["demo_items"]["required"] == "yes"
    assert rows["demo_items[].limits.cpu"]["type"] == "raw"
    assert rows["demo_items[].limits.cpu"]["description"] == "CPU \\| a quantity."
    assert rows["demo_undocumented"]["type"] == "bool"
    assert docs.type_of({}) == "str"


def test_a_default_comes_from_the_spec_else_from_defaults_main_yml():
    rows = rows_by_name({"demo_labels": {"a": "b"}, "demo_state": "present", "demo_env": {"LOG": "json"},
                         "demo_items": [{"name": "x"}]})[0]
    assert rows["demo_state"]["default"] == [("spec", "present")]
    assert rows["demo_labels"]["default"] == [("defaults/main.yml", {"a": "b"})]
    # Both when they differ: the real default is defaults/main.yml's.
    assert rows["demo_env"]["default"] == [("spec", {}), ("defaults/main.yml", {"LOG": "json"})]
    # defaults/main.yml names top-level variables only.
    assert rows["demo_items[].name"]["default"] == []


def test_a_missing_description_is_a_problem_and_an_empty_cell():
    rows, problems = rows_by_name()
    assert problems == ["demo: option demo_undocumented has no description"]
    assert rows["demo_undocumented"]["description"] == ""
    nested = rows_by_name(spec={"a": {"type": "dict", "description": "A.", "options": {"b": {"type": "str"}}}})
    assert nested[1] == ["demo: option a.b has no description"]


def test_markup_becomes_markdown_with_links_to_the_generated_pages():
    text = docs.markup("C(absent) uses M(eventstack.oke.k8s_apply), P(eventstack.oke.helm_releases#role) and "
                       "M(kubernetes.core.helm); O(demo_state=absent).", "demo")
    assert "<code>absent</code>" in text
    assert "[eventstack.oke.k8s_apply](../plugins/k8s_apply_module.rst)" in text
    assert "[eventstack.oke.helm_releases](helm_releases.md)" in text
    assert "kubernetes.core.helm;" in text and "](" not in text.split("helm_releases.md)")[1]
    assert "\n" not in docs.markup(["One\nparagraph.", "Two."], "demo")


def test_role_page_has_the_table_and_long_defaults_below_it():
    spec = {"short_description": "Demo role", "description": ["First.", "Second."], "options": SPEC}
    long_value = [{"name": "n%d" % i, "pod_security": "restricted"} for i in range(3)]
    text, problems = docs.role_markdown("demo", spec, {"demo_labels": long_value}, has_readme=True, validated=True)
    lines = text.splitlines()
    assert "# eventstack.oke.demo" in lines and "First." in lines and "Second." in lines
    assert "| name | type | default | choices | required | description |" in lines
    assert ("| `demo_state` | str | `present` | `present`, `absent` | no | <code>absent</code> deletes; see "
            "[eventstack.oke.k8s_apply](../plugins/k8s_apply_module.rst). |") in lines
    assert "| `demo_labels` | dict | [below](#demo_labels) |  | no | Labels. |" in lines
    assert "### demo_labels" in lines and "- name: n2" in lines
    assert "[README](../../roles/demo/README.md)" in text and "`demo_input_problems`" in text
    assert problems == ["demo: option demo_undocumented has no description"]


SITE = """---
# Header comment, not a role's.
- name: Eventstack
  hosts: all
  tasks:
    # what runs: the checks
    - name: Preflight
      ansible.builtin.import_role:
        name: eventstack.oke.preflight
        rolespec_validate: false
      tags: [always]

    # An unrelated comment.
    # what runs: the network,
    #   continued
    - name: OCI network
      ansible.builtin.import_role:
        name: eventstack.oke.oci_network
      tags: [oci_network, infra]
      when: eventstack_oci_enabled | default(false) | bool

    # what runs: the cluster
    - name: OKE cluster
      ansible.builtin.import_role:
        name: eventstack.oke.oke_cluster
      tags: [oke_cluster, infra]
      when: other_flag

    - name: A task that imports no role
      ansible.builtin.debug:
        msg: not a row

    - name: Apps
      ansible.builtin.import_role:
        name: eventstack.oke.apps
      tags: [apps, workloads]
"""


def test_tags_table_from_site_yml():
    table, problems = docs.tags_table(docs.site_plays(SITE))
    assert table.splitlines() == [
        "| tag | layer | role | what runs |",
        "|---|---|---|---|",
        "| `always` | — | [preflight](roles/preflight.md) | the checks |",
        "| `oci_network` | infra | [oci_network](roles/oci_network.md) | the network, continued (only with "
        "`eventstack_oci_enabled`) |",
        "| `oke_cluster` | infra | [oke_cluster](roles/oke_cluster.md) | the cluster (only when `other_flag`) |",
        "| `infra` | infra | [oci_network](roles/oci_network.md), [oke_cluster](roles/oke_cluster.md) | everything "
        "on the infra layer |",
        "| `apps` | workloads | [apps](roles/apps.md) |  |",
        "| `workloads` | workloads | [apps](roles/apps.md) | everything on the workloads layer |",
    ]
    assert problems == ["playbooks/site.yml: role 'apps' has no '# what runs:' comment above it"]


def test_tags_doc_keeps_the_text_around_the_markers():
    template = "# Tags\n\nIntro.\n\n%s\nold table\n%s\n\nOutro.\n" % (docs.BEGIN, docs.END)
    text = docs.tags_doc(template, SITE)[0]
    assert text.startswith("# Tags\n\nIntro.\n\n" + docs.BEGIN + "\n\n| tag |")
    assert text.endswith("\n\n" + docs.END + "\n\nOutro.\n") and "old table" not in text
    with pytest.raises(docs.DocsError, match="markers"):
        docs.tags_doc("# Tags\n", SITE)
