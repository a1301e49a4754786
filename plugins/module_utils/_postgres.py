# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: a read-only PostgreSQL connection check (the database role's external mode).

parse_url() turns a libpq connection URI (postgresql://user:password@host:port/database?sslmode=...) into
settings; check() connects with pg8000 (pure Python), asks the server's version and reports either the version
or the reason it could not: dns, refused, timeout, network, tls, auth, database, or error. No message or result
ever holds the password: redact() removes it from every text the check returns.
"""

from __future__ import annotations

import importlib.util
import socket
import ssl
import sys
from urllib.parse import parse_qs, unquote, urlsplit

# pg8000 is imported by the check itself (_connect), not here: the database filters load this file in every Ansible
# task that templates one of the collection's filters, and only the check talks to a server.
HAS_PG8000 = importlib.util.find_spec("pg8000") is not None
PG8000_IMPORT_ERROR = None if HAS_PG8000 else ImportError("No module named 'pg8000'")

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
DEFAULT_PORT = 5432
MASK = "********"
# SQLSTATE classes that mean "these credentials are not accepted" and "no such database".
AUTH_CODES = ("28000", "28P01")
DATABASE_CODES = ("3D000",)


class UrlError(ValueError):
    """The connection string cannot be used; the message never contains the password."""


def parse_url(url):
    """Settings from a postgresql:// (or postgres://) URI, as libpq reads them (query parameters win)."""
    if not isinstance(url, str) or not url.strip():
        raise UrlError("the connection string is empty")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UrlError("the connection string is not a valid URI (%s)" % redact(str(error), [url])) from None
    if parts.scheme not in ("postgresql", "postgres"):
        raise UrlError("the connection string must start with postgresql:// (found %r)" % (parts.scheme + "://"))
    query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    settings = {
        "host": query.get("host") or (parts.hostname or ""),
        "port": int(query.get("port") or port or DEFAULT_PORT),
        "database": unquote(parts.path.lstrip("/")) or query.get("dbname") or "",
        "user": unquote(parts.username or "") or query.get("user") or "",
        "password": unquote(parts.password or "") or query.get("password") or "",
        "sslmode": query.get("sslmode") or "prefer",
        "sslrootcert": query.get("sslrootcert") or "",
    }
    if not settings["host"]:
        raise UrlError("the connection string names no host")
    if settings["host"].startswith("/"):
        raise UrlError("the connection string names a Unix socket directory; give a TCP host")
    if not settings["user"]:
        raise UrlError("the connection string names no user")
    if not settings["database"]:
        settings["database"] = settings["user"]
    if settings["sslmode"] not in SSL_MODES:
        raise UrlError("sslmode=%s is not one of %s" % (settings["sslmode"], ", ".join(SSL_MODES)))
    return settings


def redact(text, secrets):
    """text with every non-empty secret (and its URL-encoded form) replaced by ********."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def ssl_context(sslmode, sslrootcert=""):
    """The pg8000 ssl_context for an sslmode: None (no TLS), or a context that verifies as libpq would."""
    if sslmode in ("disable", "allow"):
        return None
    context = ssl.create_default_context(cafile=sslrootcert or None)
    if sslmode in ("prefer", "require") and not sslrootcert:
        # libpq: without a root certificate, require only encrypts; verify-ca/verify-full also check the server.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif sslmode in ("prefer", "require", "verify-ca"):
        context.check_hostname = False
    return context


def _chain(error):
    seen = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


def _server_error(error):
    """(SQLSTATE, message) of an error the server sent, else (None, None)."""
    native = sys.modules.get("pg8000.native")  # a server's error comes from a check that imported it
    if native is not None and isinstance(error, native.DatabaseError) and error.args \
            and isinstance(error.args[0], dict):
        fields = error.args[0]
        return fields.get("C"), fields.get("M")
    return None, None


def classify(error, settings):
    """(reason, message) for an exception raised while connecting."""
    where = "%s:%s" % (settings["host"], settings["port"])
    for cause in _chain(error):
        code, message = _server_error(cause)
        if code in AUTH_CODES:
            return "auth", "the server rejected user %s: %s" % (settings["user"], message)
        if code in DATABASE_CODES:
            return "database", "database %s: %s" % (settings["database"], message)
        if code:
            return "error", "the server answered %s: %s" % (code, message)
        if isinstance(cause, socket.gaierror):
            return "dns", "cannot resolve host %s (%s)" % (settings["host"], cause.strerror or cause)
        if isinstance(cause, ConnectionRefusedError):
            return "refused", "nothing accepts connections on %s (connection refused)" % where
        if isinstance(cause, (socket.timeout, TimeoutError)):
            return "timeout", "no answer from %s within the timeout" % where
        if isinstance(cause, ssl.SSLError):
            return "tls", "TLS with %s failed (sslmode=%s): %s" % (where, settings["sslmode"],
                                                                   getattr(cause, "reason", None) or cause)
        if "SSL" in str(cause) and "refuse" in str(cause).lower():
            return "tls", "%s does not offer TLS but sslmode=%s requires it" % (where, settings["sslmode"])
    for cause in _chain(error):
        if isinstance(cause, OSError):
            return "network", "cannot reach %s: %s" % (where, cause.strerror or cause)
    return "error", "%s: %s" % (type(error).__name__, error)


def _connect(settings, context, timeout, application_name):
    import pg8000.native  # pylint: disable=import-outside-toplevel

    return pg8000.native.Connection(
        user=settings["user"], password=settings["password"] or None, host=settings["host"],
        port=settings["port"], database=settings["database"], ssl_context=context, timeout=timeout,
        application_name=application_name)


def check(url, timeout=10, application_name="eventstack-oke-check", sslrootcert=""):
    """Connect, read the server version, disconnect. Returns a result dict; never raises for connection problems.

    The result holds ok, reason (on failure), msg, host, port, database, user, sslmode, tls (whether the session is
    encrypted) and, on success, server_version and server_version_num. It never holds the password.
    """
    try:
        settings = parse_url(url)
    except UrlError as error:
        return {"ok": False, "reason": "url", "msg": redact(str(error), [url])}
    secrets = [url, settings["password"]]
    settings["sslrootcert"] = sslrootcert or settings["sslrootcert"]
    result = {key: settings[key] for key in ("host", "port", "database", "user", "sslmode")}
    context = ssl_context(settings["sslmode"], settings["sslrootcert"])
    connection = None
    try:
        try:
            connection = _connect(settings, context, timeout, application_name)
        except Exception as error:  # pylint: disable=broad-except
            reason, _message = classify(error, settings)
            # libpq's prefer: TLS if the server offers it, otherwise plain.
            if settings["sslmode"] == "prefer" and reason == "tls":
                context = None
                connection = _connect(settings, context, timeout, application_name)
            else:
                raise
        rows = connection.run("SELECT current_setting('server_version'), current_setting('server_version_num'), "
                              "current_user, current_database()")
        version, version_num, user, database = rows[0]
        where = "%s:%s" % (settings["host"], settings["port"])
        result.update(ok=True, server_version=version, server_version_num=int(version_num), tls=context is not None,
                      msg="PostgreSQL %s at %s, database %s as %s" % (version, where, database, user))
    except Exception as error:  # pylint: disable=broad-except
        reason, message = classify(error, settings)
        result.update(ok=False, reason=reason, msg=redact(
            "cannot connect to PostgreSQL at %s:%s (database %s, user %s): %s" % (
                settings["host"], settings["port"], settings["database"], settings["user"], message), secrets))
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:  # pylint: disable=broad-except
                pass
    return result
