"""The database role in apply mode against the emulator: the test plays the CloudNativePG operator (setting the
Cluster's status), and for external mode a real PostgreSQL server on 127.0.0.1 answers the connection check."""

from __future__ import annotations

import base64

import pytest

from tests.support.playbook import run_playbook
from tests.support.postgres_server import APP_PASSWORD, PostgresServer

CLUSTER = "/apis/postgresql.cnpg.io/v1/namespaces/todo-app/clusters/todo-db"


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer().start()
    yield server
    server.stop()


def converge(env, *args, **extra_vars):
    return run_playbook("inventories/local", "--tags", "database", *args,
                        extra_vars=dict({"database_wait": True, "database_wait_timeout": 10,
                                         "hardening_external_database_cidrs": ["127.0.0.1/32"]}, **extra_vars),
                        env=env, emulator=True)


def set_status(server, conditions, phase):
    body = {"status": {"conditions": [dict({"lastTransitionTime": "2026-12-01T10:00:00Z"}, **c) for c in conditions],
                       "phase": phase, "instances": 1}}
    assert server.call("PATCH", CLUSTER + "/status", body) == 200


def connection_url(server):
    secret = server.get("v1", "Secret", "db-credentials", "todo-app")
    return base64.b64decode(secret["data"]["DATABASE_URL"]).decode()


def test_a_ready_cluster_passes_and_the_url_points_at_its_primary(converged):
    server, env = converged
    set_status(server, [{"type": "Ready", "status": "True", "reason": "ClusterIsReady", "message": "Cluster is Ready"}],
               "Cluster in healthy state")
    run = converge(env)
    assert run.rc == 0, run.output
    assert run.recap["changed"] == 0, "the first converge applied everything"
    assert connection_url(server) == ("postgresql://todo:not-a-real-database-password@todo-db-rw.todo-app.svc:5432/"
                                      "todo?sslmode=require")


def test_a_cluster_that_is_not_ready_fails_with_its_phase(converged):
    server, env = converged
    set_status(server, [{"type": "Ready", "status": "False", "reason": "ClusterIsNotReady",
                         "message": "Cluster Is Not Ready"}], "Setting up primary")
    run = converge(env)
    assert run.rc != 0
    output = " ".join(run.output.split())
    assert ("not ready after 10s (database_wait_timeout): PostgreSQL cluster todo-db Ready (0 of 1 Ready: todo-db "
            "Ready=False reason: ClusterIsNotReady message: Cluster Is Not Ready; phase Setting up primary)") in output


def test_external_mode_checks_the_database_then_writes_its_url(converged, postgres):
    server, env = converged
    url = postgres.url(sslmode="require")
    run = converge(env, "-vvv", database_mode="external", vault_database_url=url)
    assert run.rc == 0, run.output
    assert connection_url(server) == url
    assert APP_PASSWORD not in run.output, "-vvv shows no password"
    assert server.get("postgresql.cnpg.io/v1", "Cluster", "todo-db", "todo-app") is not None, \
        "switching modes leaves the in-cluster database alone (destroy removes it)"


def test_external_mode_stops_before_any_change_when_the_database_refuses(converged, postgres):
    server, env = converged
    server.reset_requests()
    run = converge(env, "-vvv", database_mode="external", vault_database_url=postgres.url(password="wrong-pw-x9"))
    assert run.rc != 0
    output = " ".join(run.output.split())
    assert ("cannot connect to PostgreSQL at 127.0.0.1:%d (database todo, user todo): the server rejected user todo"
            % postgres.port) in output
    assert "wrong-pw-x9" not in run.output and APP_PASSWORD not in run.output
    assert [r for r in server.requests if r["method"] in ("POST", "PUT", "PATCH", "DELETE")] == []
    assert connection_url(server).startswith("postgresql://todo:not-a-real-database-password@todo-db-rw")
