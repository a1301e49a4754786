"""postgres_check where no server is needed: a host that does not resolve, a closed port, a string that is no
PostgreSQL URL, fail_on_error=false; never the password in the output (the checks against a real PostgreSQL server
are in tests/integration/test_postgres_check.py)."""

from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.modules import postgres_check
from tests.support.postgres_server import APP_PASSWORD, password_free_runner, free_port


@pytest.fixture()
def run(run_module):
    """run(**args): postgres_check with args; the password never reaches its output."""
    return password_free_runner(run_module, postgres_check)


def test_unknown_host_is_dns(run):
    code, result = run(url="postgresql://todo:%s@db.eventstack.invalid:5432/todo" % APP_PASSWORD)
    assert code == 1 and result["reason"] == "dns", result
    assert "cannot resolve host db.eventstack.invalid" in result["msg"]


def test_closed_port_is_refused(run):
    port = free_port()
    code, result = run(url="postgresql://todo:%s@127.0.0.1:%d/todo" % (APP_PASSWORD, port))
    assert code == 1 and result["reason"] == "refused", result
    assert "nothing accepts connections on 127.0.0.1:%d (connection refused)" % port in result["msg"]


def test_not_a_postgresql_url(run):
    code, result = run(url="mysql://todo:%s@127.0.0.1/todo" % APP_PASSWORD)
    assert code == 1 and result["reason"] == "url"
    assert result["msg"] == "the connection string must start with postgresql:// (found 'mysql://')"


def test_fail_on_error_false_reports_instead(run):
    code, result = run(url="postgresql://todo:%s@127.0.0.1:%d/todo" % (APP_PASSWORD, free_port()),
                       fail_on_error=False)
    assert code == 0
    assert result["ok"] is False and result["reason"] == "refused" and "failed" not in result
