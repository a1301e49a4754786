"""The oracle.oci argument checker, and every oracle.oci task of this collection run through it."""

from __future__ import annotations

import os

import pytest
import yaml

from tests.support import oci_argspecs


@pytest.fixture(autouse=True)
def option_data():
    """Every test here reads oracle.oci's option data: a missing one fails them, naming both sources."""
    oci_argspecs.require()


VCN = {"compartment_id": "{{ oci_network_compartment_id }}", "display_name": "eventstack-dev",
       "cidr_blocks": ["10.0.0.0/16"], "dns_label": "eventstack", "key_by": ["compartment_id", "display_name"],
       "wait_timeout": 600, "state": "present"}
RULES = {"network_security_group_id": "{{ nsg.id }}", "action": "add", "security_rules": [
    {"direction": "INGRESS", "protocol": "6", "source": "10.0.0.0/16", "source_type": "CIDR_BLOCK",
     "tcp_options": {"destination_port_range": {"min": 6443, "max": 6443}}}]}


def test_the_option_data_knows_the_modules_we_use():
    specs = oci_argspecs.module_specs()
    assert "cidr_blocks" in specs["oci_network_vcn"]
    assert "wait_timeout" in specs["oci_network_vcn"], "doc fragment options must be merged in"
    assert "security_rules" in specs["oci_network_security_group_security_rule_actions"]


@pytest.mark.parametrize("module, args", [
    ("oracle.oci.oci_network_vcn", VCN),
    ("oracle.oci.oci_network_security_group_security_rule_actions", RULES),
    ("oracle.oci.oci_network_vcn", "{{ vcn_args }}"),
    ("oracle.oci.oci_network_vcn", dict(VCN, wait_timeout="{{ oci_network_wait_timeout }}")),
    ("oracle.oci.oci_network_vcn", dict(VCN, state="{{ oci_network_state }}")),
    ("oracle.oci.oci_network_security_group_security_rule_actions",
     dict(RULES, security_rules="{{ plan.nsgs.workers.rules }}")),
])
def test_valid_arguments_pass(module, args):
    assert oci_argspecs.validate_task(module, args) == []


@pytest.mark.parametrize("module, args, fragment", [
    ("oracle.oci.oci_network_vcn", dict(VCN, cidr_blok="10.0.0.0/16"), "cidr_blok"),
    ("oracle.oci.oci_network_vcn", dict(VCN, wait_timeout="soon"), "wait_timeout"),
    ("oracle.oci.oci_network_vcn", dict(VCN, state="presnt"), "presnt"),
    ("oracle.oci.oci_network_vcn", dict(VCN, cidr_blocks="10.0.0.0/16, {{ x }}"), ""),
    ("oracle.oci.oci_network_security_group_security_rule_actions",
     {k: v for k, v in RULES.items() if k != "network_security_group_id"}, "network_security_group_id"),
    ("oracle.oci.oci_network_security_group_security_rule_actions",
     dict(RULES, security_rules=[dict(RULES["security_rules"][0], directon="INGRESS")]), "directon"),
    ("oracle.oci.oci_network_security_group_security_rule_actions",
     dict(RULES, security_rules=[dict(RULES["security_rules"][0], direction="INBOUND")]), "INBOUND"),
    ("oracle.oci.oci_network_security_group_security_rule_actions",
     dict(RULES, security_rules=[dict(RULES["security_rules"][0],
                                      tcp_options={"destination_port_range": {"min": "6443-6444", "max": 1}})]),
     "min"),
    ("oracle.oci.oci_network_vnc", VCN, "unknown module oracle.oci.oci_network_vnc"),
])
def test_mistakes_are_reported(module, args, fragment):
    problems = oci_argspecs.validate_task(module, args)
    if fragment:
        assert any(fragment in problem for problem in problems), problems
    else:
        assert problems == [], "a string for a list option is split by Ansible, so it passes"


def test_aliases_are_accepted():
    args = {k: v for k, v in RULES.items() if k != "network_security_group_id"}
    assert oci_argspecs.validate_task("oracle.oci.oci_network_security_group_security_rule_actions",
                                      dict(args, id="ocid1.networksecuritygroup.oc1..x")) == []


def test_the_walker_finds_tasks_in_blocks_and_playbooks(tmp_path):
    tasks = tmp_path / "roles" / "demo" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "main.yml").write_text(yaml.safe_dump([
        {"name": "Outer", "block": [{"name": "VCN", "oracle.oci.oci_network_vcn": VCN}],
         "rescue": [{"name": "Fail", "ansible.builtin.fail": {"msg": "x"}}]}]))
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "playbooks" / "p.yml").write_text(yaml.safe_dump([
        {"hosts": "all", "tasks": [{"name": "Rules", "oracle.oci.oci_network_security_group_security_rule_actions": RULES}]}]))
    found = oci_argspecs.oci_tasks(str(tmp_path))
    assert [(task[1], task[2]) for task in found] == [
        ("VCN", "oracle.oci.oci_network_vcn"), ("Rules", "oracle.oci.oci_network_security_group_security_rule_actions")]


def test_every_oracle_oci_task_of_the_collection_is_valid():
    problems = ["%s: %s (%s): %s" % (source, name, module, problem)
                for source, name, module, args in oci_argspecs.oci_tasks()
                for problem in oci_argspecs.validate_task(module, args)]
    assert problems == []


def test_ansible_lint_mocks_exactly_the_oracle_oci_modules_used():
    with open(os.path.join(oci_argspecs.REPO, ".ansible-lint"), encoding="utf-8") as handle:
        mocked = set(yaml.safe_load(handle).get("mock_modules") or [])
    used = {module for _source, _name, module, _args in oci_argspecs.oci_tasks()}
    assert mocked == used
