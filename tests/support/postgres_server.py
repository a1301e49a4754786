"""A real PostgreSQL server on 127.0.0.1 for the connection-check tests, with TLS (a freshly made self-signed
certificate for 127.0.0.1), scram-sha-256 passwords, a database "todo" owned by the user "todo".

The server binaries come from the machine (Debian: apt-get install postgresql; scripts/test.sh installs it where it
can). PostgreSQL refuses to run as root: as root the server runs as the "postgres" system user. Where neither works
the tests skip, saying why.
"""

from __future__ import annotations

import datetime
import glob
import ipaddress
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

SUPERUSER_PASSWORD = "superuser-pw-for-tests-only"
APP_USER = "todo"
APP_PASSWORD = "S3cret-pa55word-never-printed"
APP_DATABASE = "todo"


def password_free_runner(run_module, module):
    """run(**args) -> (exit code, result): the module run as Ansible runs it (the unit tests' run_module fixture),
    failing the test if APP_PASSWORD reaches its output."""
    def run(**args):
        code, result, out = run_module(module, args, output=True)
        assert APP_PASSWORD not in out, "the password reached the module's output"
        return code, result
    return run


def _bindir():
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.append(found)
    return os.path.dirname(candidates[0]) if candidates else None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _self_signed(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = os.path.join(directory, "server.crt"), os.path.join(directory, "server.key")
    with open(cert_file, "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    os.chmod(key_file, 0o600)
    return cert_file, key_file


class PostgresServer:
    """initdb + postgres in a temporary directory; stop() removes everything."""

    def __init__(self):
        self.bindir = _bindir()
        if not self.bindir:
            pytest.skip("no PostgreSQL server binaries (initdb) on this machine: apt-get install postgresql")
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no 'postgres' user to run the PostgreSQL server as")
        self.root = tempfile.mkdtemp(prefix="eventstack-pg-")
        os.chmod(self.root, 0o755)  # the server user must reach it
        self.data = os.path.join(self.root, "data")
        self.port = free_port()
        self.process = None
        self.cert_file = None

    def _run(self, *argv, **kwargs):
        if self.user:
            kwargs.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
        return subprocess.run(argv, check=True, capture_output=True, text=True, **kwargs)

    def start(self):
        tls = os.path.join(self.root, "tls")
        os.mkdir(tls)
        self.cert_file, key_file = _self_signed(tls)
        pwfile = os.path.join(self.root, "pwfile")
        with open(pwfile, "w", encoding="utf-8") as handle:
            handle.write(SUPERUSER_PASSWORD + "\n")
        if self.user:
            for path in (tls, self.cert_file, key_file, pwfile):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self._run(os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", "postgres", "--pwfile", pwfile,
                  "--auth", "scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions")
        # TLS in postgresql.conf, not on the command line, so set_ssl() can turn it off with ALTER SYSTEM.
        with open(os.path.join(self.data, "postgresql.conf"), "a", encoding="utf-8") as conf:
            conf.write("ssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\n" % (self.cert_file, key_file))
        options = {"listen_addresses": "127.0.0.1", "port": str(self.port), "unix_socket_directories": "",
                   "fsync": "off", "log_min_messages": "warning", "max_connections": "20", "shared_buffers": "16MB"}
        argv = [os.path.join(self.bindir, "postgres"), "-D", self.data]
        for key, value in options.items():
            argv += ["-c", "%s=%s" % (key, value)]
        kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []} if self.user else {}
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL,  # pylint: disable=consider-using-with
                                        stderr=open(os.path.join(self.root, "server.log"), "wb"), **kwargs)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.superuser("SELECT 1")
                break
            except Exception:  # pylint: disable=broad-except
                if self.process.poll() is not None or time.monotonic() > deadline:
                    with open(os.path.join(self.root, "server.log"), encoding="utf-8", errors="replace") as log:
                        pytest.fail("PostgreSQL did not start: %s" % log.read()[-2000:])
                time.sleep(0.2)
        self.superuser("CREATE ROLE %s LOGIN PASSWORD '%s'" % (APP_USER, APP_PASSWORD))
        self.superuser("CREATE DATABASE %s OWNER %s" % (APP_DATABASE, APP_USER))
        return self

    def superuser(self, sql):
        import pg8000.native

        connection = pg8000.native.Connection("postgres", password=SUPERUSER_PASSWORD, host="127.0.0.1",
                                              port=self.port, database="postgres", timeout=5)
        try:
            return connection.run(sql)
        finally:
            connection.close()

    def set_ssl(self, enabled):
        self.superuser("ALTER SYSTEM SET ssl = %s" % ("on" if enabled else "off"))
        self.superuser("SELECT pg_reload_conf()")
        time.sleep(0.5)

    def url(self, user=APP_USER, password=APP_PASSWORD, database=APP_DATABASE, host="127.0.0.1", port=None,
            sslmode="disable"):
        return "postgresql://%s:%s@%s:%s/%s?sslmode=%s" % (user, password, host, port or self.port, database,
                                                           sslmode)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)
