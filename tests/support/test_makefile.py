"""The Makefile's guard: `make destroy` names the inventory it destroys, or runs nothing."""

from __future__ import annotations

import os
import subprocess

from tests.support.playbook import REPO


def make(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("ENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env.update(env_extra or {})
    return subprocess.run(["make", "--no-print-directory", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          check=False, timeout=120)


def test_destroy_without_env_runs_nothing():
    done = make("destroy")
    assert done.returncode != 0
    assert "make destroy: name the inventory to destroy, e.g. make destroy ENV=dev (nothing was run)" in done.stderr
    assert "ansible-playbook" not in done.stdout and "PLAY" not in done.stdout


def test_destroy_with_env_runs_destroy_yml_on_that_inventory():
    for args, env in (((), {"ENV": "dev"}), (("ENV=dev",), None)):
        done = make("-n", "destroy", *args, env_extra=env)
        assert done.returncode == 0, done.stderr
        assert "ansible-playbook playbooks/destroy.yml -i inventories/dev" in done.stdout
