"""eventstack.oke.role_inputs: preflight's one task checking every role's inputs - each role's main argument spec (read
from the collection's roles/), then its cross-checks (<role>_input_problems in its vars/main.yml), every problem of
every role listed once, no secret value shown."""

from __future__ import annotations

import os
import re
from types import SimpleNamespace

import pytest
import yaml

from ansible_collections.eventstack.oke.plugins.action import role_inputs as action_plugin
from ansible_collections.eventstack.oke.plugins.plugin_utils import _role_inputs

ROOT = _role_inputs.COLLECTION_ROOT
# Roles whose inputs need no rule an argument spec cannot express (preflight's version and controller checks are its
# own tasks; verify reads what the others offer).
NO_CROSS_CHECKS = {"preflight", "verify"}


def load(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def checked_roles():
    """The roles preflight_validate_roles lists with the OCI roles on (the names quoted in its template)."""
    return re.findall(r"'(\w+)'", load("roles", "preflight", "defaults", "main.yml")["preflight_validate_roles"])


def site_roles():
    play = load("playbooks", "site.yml")[0]
    return [task["ansible.builtin.import_role"]["name"].rsplit(".", 1)[-1] for task in play["tasks"]]


def run(roles, variables):
    """check_roles with variables already templated, except callables (called to work them out)."""
    return _role_inputs.check_roles(roles, lambda raw: raw() if callable(raw) else raw, variables)


def valid_value(option):
    """A value the option takes (its first choice, or one of its type with the required suboptions)."""
    if option.get("choices"):
        return option["choices"][0]
    if option.get("type") == "dict" and option.get("options"):
        return {name: valid_value(sub) for name, sub in option["options"].items() if sub.get("required")}
    return {"list": [], "dict": {}, "int": 1, "bool": True, "float": 1.0}.get(option.get("type", "str"), "x")


def required_values(role):
    """The required options of the role's main spec, each with a value it takes."""
    return {name: valid_value(option) for name, option in _role_inputs.main_spec(role).items()
            if option.get("required")}


def wrong_value(option):
    """A value the option's type or choices refuse."""
    if option.get("choices"):
        return "not-one-of-the-choices"
    return {"list": {"not": "a list"}, "dict": ["not", "a dict"], "int": "many", "bool": "sometimes",
            "float": "much"}.get(option.get("type", "str"))


def test_preflight_checks_every_role_of_site_yml_itself_first():
    """Every role site.yml imports (without Ansible's own check), preflight's collection-wide inputs first."""
    assert sorted(checked_roles()) == sorted(site_roles()) and checked_roles()[0] == "preflight"


@pytest.mark.parametrize("playbook", ["site.yml", "destroy.yml", "verify.yml"])
def test_each_playbook_imports_its_roles_unchecked_after_preflight_which_checks_them(playbook):
    """Ansible's own check on entering a role would repeat preflight's, once per role (a task each): the playbooks
    import every role with rolespec_validate false, and only after preflight, tagged always, first of its play."""
    plays = [play for play in load("playbooks", playbook)
             if any("ansible.builtin.import_role" in task for task in play.get("tasks", []))]
    assert len(plays) == 1 and "roles" not in plays[0]
    tasks = plays[0]["tasks"]
    imported = [task["ansible.builtin.import_role"] for task in tasks]
    assert all(role.get("rolespec_validate") is False for role in imported), imported
    assert imported[0]["name"] == "eventstack.oke.preflight" and tasks[0]["tags"] == ["always"]
    assert "when" not in tasks[0]


@pytest.mark.parametrize("role", checked_roles())
def test_each_checked_role_has_its_main_spec_checked(role):
    """Fails if a role's spec is not read or not checked: a value its spec refuses is reported, naming the role and
    the variable, and its cross-checks then wait."""
    options = _role_inputs.main_spec(role)
    assert options, "%s has no options in its main argument spec" % role
    name, option = next((name, option) for name, option in options.items() if wrong_value(option) is not None)
    problems = run([role], dict(required_values(role), **{name: wrong_value(option),
                                                          _role_inputs.problems_var(role): ["never worked out"]}))
    spec = [item for item in problems if item["source"] == "argument spec"]
    assert spec and all(item["role"] == role for item in spec), problems
    assert name in spec[0]["message"]
    assert "never worked out" not in str(problems)


@pytest.mark.parametrize("role", checked_roles())
def test_each_checked_role_declares_its_cross_checks_and_no_validate_entry_point(role):
    assert role in NO_CROSS_CHECKS or _role_inputs.problems_var(role) in load("roles", role, "vars", "main.yml")
    assert set(load("roles", role, "meta", "argument_specs.yml")["argument_specs"]) == {"main"}
    assert not os.path.exists(os.path.join(ROOT, "roles", role, "tasks", "validate.yml"))


def test_fine_inputs_give_no_problem():
    variables = dict(required_values("ingress"), **required_values("hardening"))
    assert run(["ingress", "hardening"], dict(variables, ingress_tls="none", ingress_input_problems=[],
                                              hardening_input_problems=[[], "", None])) == []


def test_every_problem_of_every_role_is_listed_with_its_role_and_source():
    problems = run(["k8s_base", "ingress", "apps"], {
        **required_values("k8s_base"), **required_values("ingress"), **required_values("apps"),
        "k8s_base_mode": "deploy",
        "k8s_base_input_problems": ["skipped: the spec failed"],
        "ingress_input_problems": ["ingress_hostname: 'A_B' is not a DNS name", "ingress_x: too small"],
        "apps_input_problems": [["apps_image_tag: 'latest' cannot be rolled back to"], [], "apps_overrides: typo"],
    })
    assert [(item["role"], item["source"]) for item in problems] == [
        ("k8s_base", "argument spec"), ("k8s_base", "k8s_base_input_problems"),
        ("ingress", "ingress_input_problems"), ("ingress", "ingress_input_problems"),
        ("apps", "apps_input_problems"), ("apps", "apps_input_problems")]
    assert "k8s_base_mode" in problems[0]["message"] and "apply, render" in problems[0]["message"]
    assert "skipped: the spec failed" not in str(problems)
    message = _role_inputs.failure(problems)
    assert message.startswith("the inventory has 6 problem(s); nothing was changed")
    assert "- apps (apps_input_problems): apps_overrides: typo" in message.splitlines()
    assert _role_inputs.failure([]) == ""


def test_a_value_that_cannot_be_worked_out_is_listed_once_with_everything_it_hides():
    def plan():
        raise ValueError("the OCI network settings have 1 problem(s): oci_network_subnets: overlap")

    def compartment():
        return ["oci_network_compartment_id: 'x' is not a compartment OCID"]

    problems = run(["oci_network", "hardening"], {
        **required_values("oci_network"), **required_values("hardening"), "oci_network_input_problems": [compartment, plan], "hardening_api_server_cidrs": plan,
        "hardening_input_problems": plan})
    assert problems[0] == {"role": "oci_network", "source": "oci_network_input_problems",
                           "message": "oci_network_compartment_id: 'x' is not a compartment OCID"}
    assert problems[1:] == [{
        "role": "hardening, oci_network",
        "source": "hardening_api_server_cidrs, oci_network_input_problems, hardening_input_problems",
        "message": "cannot be worked out: the OCI network settings have 1 problem(s): oci_network_subnets: overlap"}]


def test_no_secret_value_is_shown():
    """A vault_ value, or a no_log option's, never reaches a message, even if a check were to quote it."""
    problems = run(["database"], {"vault_database_url": "postgresql://app:Hunter2-never-shown@db/app",
                                  "database_input_problems": [
                                      "database_external_url_var: postgresql://app:Hunter2-never-shown@db/app is bad"]})
    assert problems and "Hunter2-never-shown" not in str(problems)
    options = {"token": {"type": "str", "no_log": True, "choices": ["a", "b"]}}
    assert "s3cr3t-token" not in str(_role_inputs.spec_problems(options, {"token": "s3cr3t-token"}))


def test_an_unknown_role_is_refused(tmp_path):
    with pytest.raises(_role_inputs.RoleInputsError, match="no role of this collection"):
        _role_inputs.main_spec("nope")
    (tmp_path / "roles" / "demo" / "meta").mkdir(parents=True)
    (tmp_path / "roles" / "demo" / "meta" / "argument_specs.yml").write_text("argument_specs: {other: {}}\n")
    with pytest.raises(_role_inputs.RoleInputsError, match="no entry point main"):
        _role_inputs.main_spec("demo", str(tmp_path))


def plugin(args, check_mode=False):
    task = SimpleNamespace(args=args, async_val=0, check_mode=check_mode, action="eventstack.oke.role_inputs")
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/tmp/unused"))
    templar = SimpleNamespace(template=lambda raw: raw)
    return action_plugin.ActionModule(task, connection, None, None, templar, None)


@pytest.mark.parametrize("check_mode", [False, True])
def test_the_action_fails_once_listing_the_problems_and_changes_nothing(check_mode):
    result = plugin({"roles": ["ingress"]}, check_mode).run(task_vars=dict(
        required_values("ingress"), ingress_controller="traefik", ingress_input_problems=[]))
    assert result["failed"] and not result["changed"]
    assert "- ingress (argument spec):" in result["msg"] and "ingress_controller" in result["msg"]
    result = plugin({"roles": ["ingress"]}, check_mode).run(task_vars=dict(
        required_values("ingress"), ingress_input_problems=[]))
    assert not result.get("failed") and result["problems"] == []
    result = plugin({"roles": ["nope"]}).run(task_vars={})
    assert result["failed"] and "cannot check the roles' inputs: nope" in result["msg"]
