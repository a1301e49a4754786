"""Values given on the command line as -e key=value reach Ansible as strings, whatever the argument spec says (the
spec validates a converted copy and leaves the variable as it is). Every int, float and bool variable of every role,
passed that way with the value the inventory already has, must give a clean preflight and the very same render."""

from __future__ import annotations

import filecmp
import os

import pytest
import yaml

from tests.support.playbook import NO_CLUSTER, REPO, inventory_vars, run_playbook

TYPES = ("int", "float", "bool")


def _role_defaults(role):
    path = os.path.join(REPO, "roles", role, "defaults", "main.yml")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def typed_variables(env_name):
    """{variable: its value as the inventory resolves it, as a string}, for every int/float/bool option of every role's
    argument spec whose value is a literal (an inventory value, else the role default)."""
    inventory = inventory_vars(env_name)
    found = {}
    for role in sorted(os.listdir(os.path.join(REPO, "roles"))):
        spec_path = os.path.join(REPO, "roles", role, "meta", "argument_specs.yml")
        if not os.path.exists(spec_path):
            continue
        with open(spec_path, encoding="utf-8") as handle:
            specs = yaml.safe_load(handle)["argument_specs"]
        defaults = _role_defaults(role)
        for spec in specs.values():
            for name, option in (spec.get("options") or {}).items():
                if option.get("type") not in TYPES:
                    continue
                value = inventory.get(name, defaults.get(name, option.get("default")))
                if value is None or (isinstance(value, str) and "{{" in value):
                    continue
                found[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return found


def _same_tree(left, right):
    comparison = filecmp.dircmp(left, right)
    differ = list(comparison.diff_files) + comparison.left_only + comparison.right_only
    for sub in comparison.common_dirs:
        differ += [os.path.join(sub, f) for f in _same_tree(os.path.join(left, sub), os.path.join(right, sub))]
    return differ


@pytest.mark.parametrize("env_name", ["dev", "prod"])
def test_every_typed_variable_given_as_a_string_renders_the_same(env_name, site_render, tmp_path):
    build, _run, _by_file, _releases = site_render(env_name)
    variables = typed_variables(env_name)
    assert len(variables) > 40, variables  # the roles' ints and bools, not a handful
    args = []
    for name, value in sorted(variables.items()):
        args += ["-e", "%s=%s" % (name, value)]
    out = tmp_path / "build"
    run = run_playbook("inventories/" + env_name, *args, env=NO_CLUSTER,
                       extra_vars={"eventstack_mode": "render", "eventstack_build_dir": str(out)})
    assert run.rc == 0, run.output[-3000:]
    differ = [f for f in _same_tree(build, str(out)) if not f.startswith("report")]
    assert differ == [], differ
