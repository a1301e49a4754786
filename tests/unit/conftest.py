"""Fixtures the unit tests share (in the style of community.hashi_vault's tests/unit/conftest.py): running one of the
collection's modules as Ansible runs it, and pointing the Kubernetes modules at a fake cluster. The integration tests
use the same fixtures (tests/integration/conftest.py imports them)."""

from __future__ import annotations

import json
import time

import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client


class FakeClock:
    """A clock that moves only when slept on: call it for the time (from 0), sleep(seconds) to move it on."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture()
def clock():
    """A FakeClock at 0: pass it as a wait's clock and clock.sleep as its sleep, so waits take no time."""
    return FakeClock()


@pytest.fixture()
def kube_client(monkeypatch):
    """kube_client(client): every KubeClient a module makes (module_utils._k8s_client) is client, whatever kubeconfig
    and context it is given; returns client."""
    def use(client):
        monkeypatch.setattr(_k8s_client, "KubeClient", lambda kubeconfig, context: client)
        return client
    return use


@pytest.fixture()
def run_module(capsys, monkeypatch, kube_client):
    """run_module(module, args, client=None, clock=None, output=False): the module's main() with args as its module
    arguments, run to its end as Ansible runs it. Returns (exit code, the JSON result it printed): 0 for exit_json, 1
    for fail_json; with output=True also the printed text (to look for what must not be there). client: the fake
    cluster every KubeClient is (see kube_client); clock: what time.monotonic reads meanwhile (a fake cluster's clock,
    so waits take no time)."""
    def run(module, args, client=None, clock=None, output=False):
        if client is not None:
            kube_client(client)
        if clock is not None:
            monkeypatch.setattr(time, "monotonic", clock)
        with patch_module_args(args), pytest.raises(SystemExit) as exc:
            module.main()
        printed = capsys.readouterr().out
        result = json.loads(printed)
        return (exc.value.code, result, printed) if output else (exc.value.code, result)
    return run
