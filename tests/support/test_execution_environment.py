"""execution-environment.yml: a valid ansible-builder v3 file whose pins match requirements.txt."""

from __future__ import annotations

import os
import subprocess

import yaml

from tests.support.playbook import BIN, REPO


def load(name):
    with open(os.path.join(REPO, name), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def requirement_pins():
    pins = {}
    with open(os.path.join(REPO, "requirements.txt"), encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#"):
                name, version = line.split("==")
                pins[name.lower()] = version
    return pins


def test_python_pins_repeat_requirements_txt():
    ee = load("execution-environment.yml")
    pins = requirement_pins()
    deps = ee["dependencies"]
    listed = deps["python"] + [deps["ansible_core"]["package_pip"]]
    for requirement in listed:
        name, version = requirement.split("==")
        assert pins.get(name.lower()) == version, "%s differs from requirements.txt (%s)" % (
            requirement, pins.get(name.lower()))


def test_galaxy_collections_match_galaxy_yml_dependencies():
    ee = load("execution-environment.yml")
    wanted = {c["name"]: c["version"] for c in ee["dependencies"]["galaxy"]["collections"]}
    assert wanted == load("galaxy.yml")["dependencies"]


def test_ansible_builder_creates_the_build_context(tmp_path):
    context = tmp_path / "context"
    proc = subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "-f", "execution-environment.yml",
                           "-c", str(context), "--output-filename", "Containerfile"],
                          cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    assert 'EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in containerfile
    assert "sha256sum -c" in containerfile and "get.helm.sh/helm-${HELM_VERSION}" in containerfile
    requirements = (context / "_build" / "requirements.yml").read_text(encoding="utf-8")
    assert "kubernetes.core" in requirements and "oracle.oci" in requirements
    assert "oci==2.189.0" in (context / "_build" / "requirements.txt").read_text(encoding="utf-8")
    # The oci CLI in a venv of its own, from the same pins make setup uses.
    assert (context / "_build" / "configs" / "requirements-oci-cli.txt").read_text(encoding="utf-8") == (
        open(os.path.join(REPO, "requirements-oci-cli.txt"), encoding="utf-8").read())
    assert "-m venv /opt/oci-cli" in containerfile and "ln -s /opt/oci-cli/bin/oci /usr/local/bin/oci" in containerfile


def test_navigator_runs_the_image_the_ee_builds():
    navigator = load("ansible-navigator.yml")["ansible-navigator"]
    assert navigator["execution-environment"]["enabled"] is True
    assert navigator["execution-environment"]["image"].startswith("eventstack-oke-ee:")
