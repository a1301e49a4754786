"""Shared by the render tests: one whole-site render per inventory for the session (see shared_render)."""

from __future__ import annotations

import os

import pytest

from tests.support.playbook import load_render, shared_render


@pytest.fixture(scope="session")
def site_render(tmp_path_factory):
    """site_render(env) -> (build dir, run, by_file, releases) of site.yml rendered for that inventory."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # one directory for every worker
    cache = {}

    def get(env_name):
        if env_name not in cache:
            build, run = shared_render(env_name, root)
            cache[env_name] = (build, run) + load_render(build)
        return cache[env_name]
    return get


@pytest.fixture(scope="module", params=["local", "dev", "prod"])
def rendered_site(request, site_render):
    """(inventory, {manifest file: [objects]}) of the shared whole-site render, for each inventory in turn."""
    return request.param, site_render(request.param)[2]
