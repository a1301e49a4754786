"""The release check: the tarball `ansible-galaxy collection build` makes holds the collection and nothing of the
checkout's tooling or local state, galaxy-importer (the checks Galaxy runs on an upload, in .venv-importer) accepts
it and rejects broken copies, antsibull-changelog lint rejects a bad fragment, and a release cut with
`antsibull-changelog release` meets what .github/workflows/release.yml checks on a tag.

galaxy-importer runs offline: no ansible-test (it needs docker or podman and a container image from a registry) and
no ansible-lint (the lint layer runs it with the collection's dependencies installed; here kubernetes.core is absent).
"""

from __future__ import annotations

import collections
import fnmatch
import json
import os
import shutil
import subprocess
import tarfile

import pytest
import yaml

from tests.support.playbook import BIN, REPO

IMPORTER_VENV = os.path.join(REPO, ".venv-importer")
IMPORTER_PYTHON = os.path.join(IMPORTER_VENV, "bin", "python")
TIMEOUT = 600

# Never in the tarball: tooling, tests, local state and build output of a working checkout. Patterns for the first
# path component, and for any component.
FORBIDDEN_TOP = [".git", ".github", ".ci", ".collections", ".cache", ".pytest_cache", ".ansible", ".gitignore",
                 ".yamllint", "build", "tests", "inventories", "molecule", "scripts", "Makefile", "pytest.ini",
                 "ansible.cfg", "requirements*.txt", "importer_result.json"]
FORBIDDEN_ANYWHERE = [".venv", ".venv-*", ".git", "__pycache__", "node_modules", "*.pyc", "*.tar.gz",
                      ".plugin-cache.yaml"]


def forbidden(paths):
    """The paths a release tarball must not hold."""
    def matches(part, patterns):
        return any(fnmatch.fnmatch(part, pattern) for pattern in patterns)
    return [path for path in paths
            if matches(path.split("/")[0], FORBIDDEN_TOP)
            or any(matches(part, FORBIDDEN_ANYWHERE) for part in path.split("/"))]


def load_yaml(*path):
    with open(os.path.join(*path), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def tool(name):
    path = os.path.join(BIN, name)
    return path if os.path.exists(path) else shutil.which(name) or name


def build(source, output):
    """ansible-galaxy collection build of source into output; returns the tarball's path."""
    os.makedirs(output, exist_ok=True)
    # This checkout's ansible.cfg, not one in source (a cluttered copy plants junk there).
    proc = subprocess.run([tool("ansible-galaxy"), "collection", "build", "--output-path", str(output)],
                          cwd=source, capture_output=True, text=True, timeout=TIMEOUT, check=False,
                          env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[WARNING]" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    tarballs = [name for name in os.listdir(output) if name.endswith(".tar.gz")]
    assert len(tarballs) == 1, tarballs
    return os.path.join(output, tarballs[0])


def members(tarball):
    with tarfile.open(tarball) as tar:
        return {member.name.rstrip("/"): member for member in tar.getmembers()}


def source_copy(tarball, dest):
    """A collection source tree made from a built tarball (galaxy.yml back in), to break and build again."""
    with tarfile.open(tarball) as tar:
        tar.extractall(dest, filter="data")
    for name in ("MANIFEST.json", "FILES.json"):
        os.remove(os.path.join(dest, name))
    shutil.copy(os.path.join(REPO, "galaxy.yml"), dest)
    return dest


Imported = collections.namedtuple("Imported", "rc output data errors warnings")


def start_importer(workdir, tarball, **overrides):
    """python -m galaxy_importer.main on a tarball, offline, with a config of our own (GALAXY_IMPORTER_CONFIG)."""
    workdir = str(workdir)
    os.makedirs(workdir, exist_ok=True)
    settings = {
        # ansible-test sanity runs in a container (docker or podman, an image from a registry): not offline. The
        # sanity layer runs ansible-test sanity with --venv instead.
        "RUN_ANSIBLE_TEST": False, "ANSIBLE_TEST_LOCAL_IMAGE": False, "LOCAL_IMAGE_DOCKER": False, "INFRA_OSD": False,
        # The lint layer runs ansible-lint with the collection's dependencies installed and our .ansible-lint.
        "RUN_ANSIBLE_LINT": False, "OFFLINE_ANSIBLE_LINT": True, "RUN_FLAKE8": False,
        "RUN_ANSIBLE_DOC": True, "CHECK_CHANGELOG": True, "CHECK_REQUIRED_TAGS": True, "REQUIRE_V1_OR_GREATER": False,
        "TMP_ROOT_DIR": workdir, "ANSIBLE_LOCAL_TMP": os.path.join(workdir, "ansible-tmp"),
    }
    settings.update(overrides)
    config = os.path.join(workdir, "galaxy-importer.cfg")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write("[galaxy-importer]\n")
        handle.writelines("%s = %s\n" % item for item in settings.items())
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ANSIBLE_", "GALAXY_IMPORTER_", "VIRTUAL_ENV"))}
    # Its ansible-doc comes from PATH: the importer venv's own.
    env.update(GALAXY_IMPORTER_CONFIG=config,
               PATH=os.path.join(IMPORTER_VENV, "bin") + os.pathsep + env.get("PATH", ""))
    python = IMPORTER_PYTHON
    assert os.access(python, os.X_OK), "no %s: run make setup (scripts/setup.sh)" % python
    # It writes importer_result.json into its working directory.
    with open(os.path.join(workdir, "output.txt"), "w", encoding="utf-8") as output:
        proc = subprocess.Popen([python, "-m", "galaxy_importer.main", str(tarball)], cwd=workdir, env=env,
                                stdout=output, stderr=subprocess.STDOUT)
    return workdir, proc


def finish_importer(started):
    workdir, proc = started
    rc = proc.wait(timeout=TIMEOUT)
    with open(os.path.join(workdir, "output.txt"), encoding="utf-8") as handle:
        output = handle.read()
    data = None
    result = os.path.join(workdir, "importer_result.json")
    if rc == 0 and os.path.exists(result):
        with open(result, encoding="utf-8") as handle:
            data = json.load(handle)
    lines = output.splitlines()
    return Imported(rc, output, data, [line for line in lines if line.startswith("ERROR")],
                    [line for line in lines if line.startswith("WARNING")])


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("release")


@pytest.fixture(scope="module")
def tarball(work):
    return build(REPO, work / "dist")


@pytest.fixture(scope="module", autouse=True)
def importing(work, tarball):
    """The importer on our tarball, started before the first test: it runs while the others do (ansible-doc)."""
    if not os.access(IMPORTER_PYTHON, os.X_OK):
        yield None  # the importer tests say so
        return
    started = start_importer(work / "import", tarball)
    yield started
    if started[1].poll() is None:
        started[1].kill()
        started[1].wait()


@pytest.fixture(scope="module")
def imported(importing):
    assert importing, "no %s: run make setup (scripts/setup.sh)" % IMPORTER_PYTHON
    return finish_importer(importing)


def repo_modules():
    return sorted(name[:-3] for name in os.listdir(os.path.join(REPO, "plugins", "modules"))
                  if name.endswith(".py") and name != "__init__.py")


def repo_roles():
    return sorted(name for name in os.listdir(os.path.join(REPO, "roles"))
                  if os.path.isdir(os.path.join(REPO, "roles", name)))


def repo_filters():
    """Filters documented by a sidecar .yml (the name is the file's)."""
    return sorted(name[:-4] for name in os.listdir(os.path.join(REPO, "plugins", "filter")) if name.endswith(".yml"))


def documented(data, content_type):
    return {entry["content_name"] for entry in data["docs_blob"]["contents"]
            if entry["content_type"] == content_type and entry["doc_strings"]}


# --- the tarball -------------------------------------------------------------------------------------------------


def test_tarball_holds_the_collection_and_its_docs(tarball):
    names = members(tarball)
    galaxy = load_yaml(REPO, "galaxy.yml")
    assert os.path.basename(tarball) == "%s-%s-%s.tar.gz" % (galaxy["namespace"], galaxy["name"], galaxy["version"])
    required = ["MANIFEST.json", "FILES.json", "README.md", "COPYING", "CHANGELOG.md", "meta/runtime.yml",
                "changelogs/config.yaml", "docs/tags.md", "plugins/modules", "plugins/module_utils", "plugins/filter",
                "plugins/doc_fragments", "playbooks/site.yml", "playbooks/destroy.yml", "playbooks/verify.yml"]
    required += ["plugins/modules/%s.py" % name for name in repo_modules()]
    required += ["plugins/filter/%s.yml" % name for name in repo_filters()]
    for role in repo_roles():
        # Galaxy refuses a role without README.md.
        required += ["roles/%s/README.md" % role, "roles/%s/meta/main.yml" % role, "roles/%s/tasks/main.yml" % role]
    assert [name for name in required if name not in names] == []

    with tarfile.open(tarball) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))
        files = json.load(tar.extractfile("FILES.json"))
    info = manifest["collection_info"]
    for key in ("namespace", "name", "version", "license", "tags", "dependencies", "repository", "readme"):
        assert info[key] == galaxy[key], key
    listed = {entry["name"] for entry in files["files"] if entry["name"] != "."}
    assert listed == set(names) - {"MANIFEST.json", "FILES.json"}


def test_tarball_holds_nothing_of_the_checkout(tarball):
    names = sorted(members(tarball))
    assert forbidden(names) == []
    # Nothing git ignores ships either (local state, dev/prod vault.yml, whatever lands in a working checkout).
    if shutil.which("git") and os.path.isdir(os.path.join(REPO, ".git")):
        proc = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                              capture_output=True, text=True, check=True)
        known = set(proc.stdout.split("\0"))
        files = [name for name, member in members(tarball).items()
                 if member.isfile() and name not in ("MANIFEST.json", "FILES.json")]
        assert [name for name in files if name not in known] == []


def test_build_ignore_keeps_a_working_checkouts_state_out(work, tarball):
    """Whatever a working checkout holds besides the collection stays out of the build (galaxy.yml build_ignore)."""
    source = source_copy(tarball, work / "cluttered-src")
    planted = [".venv/lib/site.py", ".venv-importer/lib/job.yaml", ".venv-checkov/bin/checkov", ".collections/x.yml",
               ".cache/wheels/x.whl", "build/local/manifests/k8s_base.yaml", "build/dist/x.txt",
               "tests/output/junit/x.xml", "tests/unit/plugins/test_x.py", "node_modules/pkg/index.js",
               "plugins/modules/__pycache__/k8s_apply.cpython-311.pyc", "plugins/filter/k8s.pyc",
               ".pytest_cache/v/cache/lastfailed", ".git/HEAD", ".github/workflows/ci.yml", ".ansible/roles/x.yml",
               "importer_result.json", "eventstack-oke-0.0.1.tar.gz", "requirements-importer.txt",
               "requirements.txt", "changelogs/.plugin-cache.yaml", "inventories/dev/group_vars/all/vault.yml",
               "molecule/default/converge.yml", "scripts/setup.sh", "Makefile", "pytest.ini", "ansible.cfg"]
    # The check itself can fail: it names every planted path.
    assert forbidden(planted) == planted
    for path in planted:
        full = os.path.join(source, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as handle:
            handle.write("planted\n")
    names = sorted(members(build(source, work / "cluttered-dist")))
    assert forbidden(names) == []
    assert set(names) == set(members(tarball))


# --- galaxy-importer ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["version", "role_readme"])
def test_galaxy_importer_rejects_a_broken_copy(work, tarball, case):
    source = source_copy(tarball, work / ("broken-%s-src" % case))
    if case == "version":
        galaxy_yml = os.path.join(source, "galaxy.yml")
        with open(galaxy_yml, encoding="utf-8") as handle:
            text = handle.read()
        with open(galaxy_yml, "w", encoding="utf-8") as handle:
            handle.write(text.replace("\nversion: ", "\nversion: \"1.0\"  # ", 1))
        expected = "Expecting 'version' to be in semantic version format"
    else:
        os.remove(os.path.join(source, "roles", "helm_releases", "README.md"))
        expected = "No role readme found"
    broken = build(source, work / ("broken-%s-dist" % case))
    # The metadata and role checks need no ansible-doc.
    result = finish_importer(start_importer(work / ("import-broken-%s" % case), broken, RUN_ANSIBLE_DOC=False))
    assert result.rc != 0, result.output
    assert any(expected in line for line in result.errors), result.output


# --- changelog and the release workflow -------------------------------------------------------------------------


def changelog(args, cwd):
    # It runs ansible-doc, on the copy's plugins (not through ansible.cfg's .collections, which links the checkout).
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    return subprocess.run([tool("antsibull-changelog"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)


def test_changelog_lint_rejects_a_bad_fragment(work, tarball):
    source = source_copy(tarball, work / "bad-fragment-src")
    fragments = os.path.join(source, "changelogs", "fragments")
    with open(os.path.join(fragments, "9999-bad.yml"), "w", encoding="utf-8") as handle:
        handle.write("---\nminor_change:\n  - a section name that does not exist\nbugfixes: not a list\n")
    proc = changelog(["lint"], source)
    assert proc.returncode != 0
    assert "9999-bad.yml" in proc.stdout + proc.stderr, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def released(work, tarball):
    """A copy on which `antsibull-changelog release` has cut the galaxy.yml version, with .venv reachable."""
    source = source_copy(tarball, work / "released")
    proc = changelog(["release"], source)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    os.symlink(os.path.join(REPO, ".venv"), os.path.join(source, ".venv"))
    return source


def release_check_step():
    workflow = load_yaml(REPO, ".github", "workflows", "release.yml")
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]
             if "galaxy.yml" in step.get("run", "") and "changelogs/changelog.yaml" in step.get("run", "")]
    assert len(steps) == 1, "release.yml: expected one step checking the tag against galaxy.yml and the changelog"
    return steps[0]["run"]


def run_release_check(source, tag):
    # GitHub runs a run: step with bash -e (shell unset on Linux).
    return subprocess.run(["bash", "-e", "-c", release_check_step()], cwd=source, env=dict(os.environ, TAG=tag),
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)


def test_antsibull_changelog_release_cuts_the_galaxy_yml_version(released):
    version = str(load_yaml(REPO, "galaxy.yml")["version"])
    data = load_yaml(released, "changelogs", "changelog.yaml")
    assert version in data["releases"]
    assert os.listdir(os.path.join(released, "changelogs", "fragments")) == []
    with open(os.path.join(released, "CHANGELOG.md"), encoding="utf-8") as handle:
        assert "## v%s" % version.replace(".", "\\.") in handle.read()


def test_release_workflow_refuses_a_tag_that_is_not_the_galaxy_yml_version(released):
    proc = run_release_check(released, "v99.0.0")
    assert proc.returncode != 0
    assert "does not match galaxy.yml" in proc.stdout + proc.stderr


def test_release_workflow_accepts_a_release_cut_with_antsibull_changelog_and_refuses_one_not_cut(released):
    version = str(load_yaml(REPO, "galaxy.yml")["version"])
    proc = run_release_check(released, "v" + version)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    uncut = run_release_check(REPO, "v" + version)  # the checkout: fragments, no release of this version yet
    assert uncut.returncode != 0
    assert "changelogs/changelog.yaml has no release %s" % version in uncut.stdout + uncut.stderr


# Last: the importer on our tarball has been running since the first test (fixture importing).
def test_galaxy_importer_accepts_the_collection(imported):
    assert imported.rc == 0 and "Importer processing completed successfully" in imported.output, imported.output
    assert imported.errors == [] and imported.warnings == [], "\n".join(imported.errors + imported.warnings)
    data = imported.data
    galaxy = load_yaml(REPO, "galaxy.yml")
    assert data["metadata"]["version"] == galaxy["version"]
    assert data["requires_ansible"] == load_yaml(REPO, "meta", "runtime.yml")["requires_ansible"]
    contents = {(entry["content_type"], entry["name"]) for entry in data["contents"]}
    assert {("module", name) for name in repo_modules()} <= contents
    assert {("role", name) for name in repo_roles()} <= contents
    # Every module and every filter with a sidecar doc has its documentation on Galaxy. The importer does not
    # fail on a module whose DOCUMENTATION does not parse: it drops the docs and logs nothing, so this is the check.
    assert documented(data, "module") >= set(repo_modules())
    assert documented(data, "filter") >= set(repo_filters())
    assert data["docs_blob"]["collection_readme"]["name"] == "README.md"
