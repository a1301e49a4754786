"""oci_stack_info's action plugin: once as asked; with wait_for_leftovers, reads until nothing OCI is deleting is left
in the stack's subnets, showing what is pending and the time waited, failing with it, naming the setting, on timeout."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.action import oci_stack_info as action_plugin
from ansible_collections.eventstack.oke.plugins.plugin_utils import _waiting

from ._fake_task import make_action

VIEW = {"subnets": {"load_balancers": {"id": "ocid1.subnet.lb", "display_name": "eventstack-dev-load-balancers"}}}
TAGS = {"eventstack": "dev"}
READ = {"compartment_id": "ocid1.compartment.x", "tags": TAGS, "vcn_name": "eventstack-dev", "leftovers": True}


def stack(*states):
    """What the module reads: one load balancer in the stack's subnet per state given."""
    return {"changed": False, "stack": {"load_balancers": [
        {"id": "ocid1.loadbalancer.%d" % n, "display_name": "lb-%d" % n, "subnet_ids": ["ocid1.subnet.lb"],
         "lifecycle_state": state, "freeform_tags": TAGS} for n, state in enumerate(states)]}}


def action(answers, check_mode=False, **wait):
    args = dict(READ, wait_for_leftovers=dict({"view": VIEW, "interval": 0, "progress_interval": 0}, **wait))
    return make_action(action_plugin.ActionModule, args, lambda _name, _args: answers.pop(0) if len(answers) > 1
                       else answers[0], check_mode=check_mode)


def test_reads_until_nothing_is_deleting_and_shows_what_is_pending(monkeypatch):
    shown = []
    monkeypatch.setattr(_waiting.display, "display", shown.append)
    plugin = action([stack("DELETING", "DELETING"), stack("DELETING"), stack()])
    result = plugin.run(task_vars={})
    assert [name for name, _args in plugin.calls] == ["eventstack.oke.oci_stack_info"] * 3
    assert all(args == READ for _name, args in plugin.calls), "the wait's own option never reaches the module"
    assert shown[0].startswith("  waiting (0s): 2 pending: load balancer lb-0 (ocid1.loadbalancer.0) in subnet "
                               "eventstack-dev-load-balancers is DELETING; load balancer lb-1"), shown
    assert shown[-1] == "  done (0s): nothing pending"
    assert not result.get("failed") and result["polls"] == 3 and result["stack"]["load_balancers"] == []


def test_out_of_time_fails_naming_what_is_pending_and_the_setting(monkeypatch):
    monkeypatch.setattr(_waiting.display, "display", lambda line: None)
    result = action([stack("DELETING")], timeout=0, setting="oci_network_wait_timeout").run(task_vars={})
    assert result["failed"]
    assert result["msg"].startswith("still deleting in the stack's subnets after 0s (oci_network_wait_timeout): "
                                    "1 pending: load balancer lb-0"), result["msg"]
    assert result["msg"].endswith("or raise oci_network_wait_timeout")


@pytest.mark.parametrize("check_mode, wait", [(True, True), (False, False)])
def test_once_in_check_mode_or_without_the_wait(check_mode, wait):
    plugin = action([stack("DELETING")], check_mode=check_mode)
    if not wait:
        del plugin._task.args["wait_for_leftovers"]  # pylint: disable=protected-access
    result = plugin.run(task_vars={})
    assert plugin.calls == [("eventstack.oke.oci_stack_info", READ)] and "polls" not in result
