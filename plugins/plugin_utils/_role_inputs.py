# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: the logic of the eventstack.oke.role_inputs action plugin, which checks the inventory for every role
before anything changes, in one task. For each role it validates the variables against the role's `main` argument
spec (roles/<role>/meta/argument_specs.yml, as Ansible does on the role's entry) and reads the role's cross-checks,
the list of messages its vars/main.yml declares as <role>_input_problems (see problems_var)."""

from __future__ import annotations

import os

import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values

# plugins/plugin_utils/_role_inputs.py -> the collection's root, whose roles/ holds the roles.
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The prefix of the variables whose values are secrets (the inventories' vault.yml): never shown in a message.
SECRET_PREFIX = "vault_"


class RoleInputsError(Exception):
    """A role of the list cannot be checked (no such role, or no usable `main` argument spec)."""


def problems_var(role):
    """The variable of a role's vars/main.yml listing its cross-check problems: messages naming the variable and the
    fix, an empty list when the inventory is fine. Either one template giving the list, or a YAML list of checks,
    each a template giving a list of messages (or one message, or nothing): each check is then worked out on its own,
    so that one which cannot be (a filter failing on values another role's check explains) hides no other."""
    return "%s_input_problems" % role


_SPEC_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def main_spec(role, root=COLLECTION_ROOT):
    """The options of the role's `main` entry point, from roles/<role>/meta/argument_specs.yml."""
    path = os.path.join(root, "roles", role, "meta", "argument_specs.yml")
    if not os.path.isfile(path):
        raise RoleInputsError("%s: no role of this collection has that name (no %s)" % (
            role, os.path.relpath(path, root)))
    with open(path, encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=_SPEC_LOADER) or {}  # nosec B506 - a safe loader (libyaml's when present)
    spec = (data.get("argument_specs") or {}).get("main")
    if not isinstance(spec, dict):
        raise RoleInputsError("%s: meta/argument_specs.yml has no entry point main" % role)
    return spec.get("options") or {}


def spec_problems(options, values):
    """The messages of Ansible's role argument validation of values (only the options' names) against options; the
    values of no_log options are masked, as Ansible masks them."""
    result = ArgumentSpecValidator(options).validate(
        {name: value for name, value in values.items() if name in options}, validate_role_argument_spec=True)
    # pylint: disable-next=protected-access
    return [remove_values(message, result._no_log_values) for message in result.error_messages]


def secret_values(variables):
    """The values of the vault_ variables that are plain strings (the secrets an inventory holds), to mask."""
    return {str(value) for name, value in variables.items()
            if name.startswith(SECRET_PREFIX) and isinstance(value, str) and value and "{{" not in value}


def _messages(value):
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value if item]
    return [str(value)] if value else []


def check_roles(roles, template, variables, root=COLLECTION_ROOT):
    """[{role, source, message}] for every problem of every role. variables maps the names defined to their raw
    values; template(raw) returns a raw value templated (any exception when it cannot be worked out). First each
    role's argument spec; then the cross-checks of the roles whose spec passed (they read the values it checks). A
    value that cannot be worked out is a problem too, listed once per cause with every variable it hides."""
    problems, unworkable = [], {}
    secrets = secret_values(variables)

    def add(role, source, message):
        problems.append({"role": role, "source": source,
                         "message": remove_values(str(message), secrets) if secrets else str(message)})

    def work_out(role, name, raw):
        try:
            return True, template(raw)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            unworkable.setdefault(str(exc), []).append((role, name))
            return False, None

    passed = []
    for role in roles:
        options, values = main_spec(role, root), {}
        for name in options:
            if name in variables:
                done, value = work_out(role, name, variables[name])
                if done:
                    values[name] = value
        messages = spec_problems(options, values)
        for message in messages:
            add(role, "argument spec", message)
        if messages:
            add(role, problems_var(role), "not worked out until the argument spec problems above are fixed")
        else:
            passed.append(role)
    for role in passed:
        name = problems_var(role)
        raw = variables.get(name)
        for check in raw if isinstance(raw, (list, tuple)) else [] if raw is None else [raw]:
            done, value = work_out(role, name, check)
            for message in _messages(value) if done else []:
                add(role, name, message)
    for cause, where in unworkable.items():
        add(", ".join(dict.fromkeys(role for role, _name in where)),
            ", ".join(dict.fromkeys(name for _role, name in where)), "cannot be worked out: %s" % cause)
    return problems


def failure(problems):
    """The one message listing every problem, or '' when there is none."""
    if not problems:
        return ""
    lines = ["the inventory has %d problem(s); nothing was changed. Fix them and run again:" % len(problems)]
    lines += ["- %s (%s): %s" % (item["role"], item["source"], item["message"]) for item in problems]
    return "\n".join(lines)
