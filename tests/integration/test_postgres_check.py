"""postgres_check against a real PostgreSQL server on 127.0.0.1 (tests/support/postgres_server.py): its version, TLS
require / verify-full / a server without TLS, wrong password, unknown database, check mode; and against a listener
that never answers (the checks that need no server are in tests/unit/plugins/modules/test_postgres_check.py)."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from ansible.module_utils.testing import patch_module_args
from ansible_collections.eventstack.oke.plugins.modules import postgres_check
from tests.support.postgres_server import APP_PASSWORD, password_free_runner, PostgresServer


@pytest.fixture(scope="module")
def server():
    pg = PostgresServer().start()
    yield pg
    pg.stop()


@pytest.fixture()
def run(run_module):
    """run(**args): postgres_check with args; the password never reaches its output."""
    return password_free_runner(run_module, postgres_check)


def test_answers_with_the_server_version(run, server):
    code, result = run(url=server.url())
    assert code == 0, result
    assert result["ok"] is True and result["changed"] is False
    assert result["server_version_num"] >= 100000
    assert result["server_version"].split()[0] == "%d.%d" % (result["server_version_num"] // 10000,
                                                             result["server_version_num"] % 10000)
    found = (result["host"], result["port"], result["database"], result["user"])
    assert found == ("127.0.0.1", server.port, "todo", "todo")
    assert result["tls"] is False


def test_tls_require_encrypts_without_verifying(run, server):
    code, result = run(url=server.url(sslmode="require"))
    assert code == 0, result
    assert result["tls"] is True


def test_tls_verify_full_against_the_servers_ca(run, server):
    code, result = run(url=server.url(sslmode="verify-full"), ssl_root_cert=server.cert_file)
    assert code == 0, result
    assert result["tls"] is True


def test_tls_verify_full_with_an_unknown_ca_fails_as_tls(run, server):
    code, result = run(url=server.url(sslmode="verify-full"))
    assert code == 1
    assert result["reason"] == "tls"
    assert "TLS with 127.0.0.1:%d failed (sslmode=verify-full)" % server.port in result["msg"]
    assert "CERTIFICATE_VERIFY_FAILED" in result["msg"]


def test_server_without_tls(run, server):
    server.set_ssl(False)
    try:
        code, result = run(url=server.url(sslmode="require"))
        assert code == 1 and result["reason"] == "tls", result
        assert "does not offer TLS but sslmode=require requires it" in result["msg"]
        code, result = run(url=server.url(sslmode="prefer"))
        assert code == 0 and result["tls"] is False, result
    finally:
        server.set_ssl(True)


def test_wrong_password_is_auth_and_never_printed(capsys, server):
    wrong = "Wr0ng-" + APP_PASSWORD[::-1]
    with patch_module_args({"url": server.url(password=wrong)}), pytest.raises(SystemExit) as exc:
        postgres_check.main()
    out = capsys.readouterr().out
    assert wrong not in out and APP_PASSWORD not in out
    result = json.loads(out)
    assert exc.value.code == 1 and result["failed"] is True
    assert result["reason"] == "auth"
    assert result["msg"] == ("cannot connect to PostgreSQL at 127.0.0.1:%d (database todo, user todo): the server "
                             "rejected user todo: password authentication failed for user \"todo\"" % server.port)


def test_unknown_database(run, server):
    code, result = run(url=server.url(database="nope"))
    assert code == 1 and result["reason"] == "database", result
    assert 'database "nope" does not exist' in result["msg"]


def test_a_server_that_never_answers_is_a_timeout(run):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        code, result = run(url="postgresql://todo:%s@127.0.0.1:%d/todo?sslmode=disable" % (APP_PASSWORD, port),
                           timeout=1)
        assert code == 1 and result["reason"] == "timeout", result
        assert "no answer from 127.0.0.1:%d within the timeout" % port in result["msg"]
    finally:
        for conn, _addr in accepted:
            conn.close()
        listener.close()


def test_check_mode_reads_the_same(run, server):
    code, result = run(url=server.url(), _ansible_check_mode=True)
    assert code == 0 and result["ok"] is True and result["changed"] is False
