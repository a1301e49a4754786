from __future__ import annotations

import json
import subprocess

from ansible_collections.eventstack.oke.plugins.module_utils import _controller


def make_collection(base, namespace, name, version, galaxy=False):
    path = base / "ansible_collections" / namespace / name
    path.mkdir(parents=True)
    if galaxy:
        (path / "galaxy.yml").write_text("namespace: %s\nname: %s\nversion: %s\n" % (namespace, name, version))
    else:
        (path / "MANIFEST.json").write_text(json.dumps({"collection_info": {"version": version}}))
    return path


def test_first_match_on_the_search_path_wins(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    make_collection(first, "kubernetes", "core", "6.2.0")
    make_collection(second, "kubernetes", "core", "5.0.0")
    make_collection(second, "eventstack", "oke", "0.1.0", galaxy=True)
    found = _controller.find_collections(["kubernetes.core", "eventstack.oke", "oracle.oci"],
                                         [str(first), str(second)])
    assert found["kubernetes.core"]["version"] == "6.2.0"
    assert found["kubernetes.core"]["path"].startswith(str(first))
    assert found["eventstack.oke"]["version"] == "0.1.0"
    assert found["oracle.oci"] is None


def test_directory_without_metadata_is_not_a_collection(tmp_path):
    (tmp_path / "ansible_collections" / "oracle" / "oci").mkdir(parents=True)
    assert _controller.find_collections(["oracle.oci"], [str(tmp_path)]) == {"oracle.oci": None}


def test_python_packages():
    found = _controller.python_packages(["PyYAML", "surely-not-installed-package-xyz"])
    assert found["PyYAML"] and found["surely-not-installed-package-xyz"] is None


def test_binary_version_parses_helm_output(monkeypatch):
    monkeypatch.setattr(_controller.shutil, "which", lambda name: "/usr/local/bin/" + name)

    def fake_run(cmd, **kwargs):
        assert cmd == ["/usr/local/bin/helm", "version", "--short"]
        return subprocess.CompletedProcess(cmd, 0, stdout="v3.19.0+g3d8990f\n", stderr="")

    assert _controller.binary_version("helm", run=fake_run) == {"path": "/usr/local/bin/helm", "version": "3.19.0"}


def test_binary_missing(monkeypatch):
    monkeypatch.setattr(_controller.shutil, "which", lambda name: None)
    assert _controller.binary_version("helm") is None


def test_binary_that_fails_to_run_has_no_version(monkeypatch):
    monkeypatch.setattr(_controller.shutil, "which", lambda name: "/bin/helm")

    def broken(cmd, **kwargs):
        raise OSError("exec format error")

    assert _controller.binary_version("helm", run=broken) == {"path": "/bin/helm", "version": None}
