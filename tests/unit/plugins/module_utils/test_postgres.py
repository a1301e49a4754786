"""The connection-string parsing, TLS settings and redaction behind postgres_check."""

from __future__ import annotations

import ssl

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils import _postgres


def test_parse_a_full_uri():
    settings = _postgres.parse_url("postgresql://todo:p%40ss%2Fw@db.example.com:6543/app?sslmode=verify-full"
                                   "&sslrootcert=/etc/ca.pem")
    assert settings == {"host": "db.example.com", "port": 6543, "database": "app", "user": "todo",
                        "password": "p@ss/w", "sslmode": "verify-full", "sslrootcert": "/etc/ca.pem"}


def test_defaults_follow_libpq():
    settings = _postgres.parse_url("postgres://todo@db.example.com")
    assert (settings["port"], settings["database"], settings["sslmode"], settings["password"]) == (5432, "todo",
                                                                                                   "prefer", "")


def test_query_parameters_name_host_and_port():
    settings = _postgres.parse_url("postgresql:///app?host=10.0.0.5&port=5433&user=u&password=pw")
    assert (settings["host"], settings["port"], settings["user"], settings["password"]) == ("10.0.0.5", 5433, "u",
                                                                                            "pw")


@pytest.mark.parametrize("url, message", [
    ("", "the connection string is empty"),
    ("mysql://u:p@h/db", "the connection string must start with postgresql:// (found 'mysql://')"),
    ("postgresql://u:p@/db", "the connection string names no host"),
    ("postgresql://:p@h/db", "the connection string names no user"),
    ("postgresql://u:p@h/db?host=/var/run/postgresql",
     "the connection string names a Unix socket directory; give a TCP host"),
    ("postgresql://u:p@h/db?sslmode=always",
     "sslmode=always is not one of disable, allow, prefer, require, verify-ca, verify-full"),
])
def test_unusable_strings_are_refused_without_the_password(url, message):
    with pytest.raises(_postgres.UrlError) as error:
        _postgres.parse_url(url)
    assert str(error.value) == message


def test_a_bad_port_never_echoes_the_password():
    with pytest.raises(_postgres.UrlError) as error:
        _postgres.parse_url("postgresql://u:hunter2@h:99999/db")
    assert "hunter2" not in str(error.value)


def test_redact_masks_every_secret_longest_first():
    assert _postgres.redact("url postgresql://u:pw@h and pw", ["postgresql://u:pw@h", "pw", ""]) == \
        "url ******** and ********"


@pytest.mark.parametrize("mode, tls, verify, hostname", [
    ("disable", False, None, None), ("allow", False, None, None),
    ("prefer", True, ssl.CERT_NONE, False), ("require", True, ssl.CERT_NONE, False),
    ("verify-ca", True, ssl.CERT_REQUIRED, False), ("verify-full", True, ssl.CERT_REQUIRED, True),
])
def test_ssl_context_per_sslmode(mode, tls, verify, hostname):
    context = _postgres.ssl_context(mode)
    assert (context is not None) == tls
    if context is not None:
        assert context.verify_mode == verify and context.check_hostname is hostname


def test_check_reports_a_bad_url_as_such():
    result = _postgres.check("postgresql://u:secret@h:notaport/db")
    assert result["ok"] is False and result["reason"] == "url"
    assert "secret" not in result["msg"]
