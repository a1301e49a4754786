"""Stand-in for the get-pip bootstrap script ansible-test downloads from an Ansible server.

ansible-test --venv creates virtual environments without pip and then runs
~/.ansible/test/cache/get_pip_<version>.py, which it downloads when absent. That server is not
reachable from every machine, so scripts/ansible_test.sh seeds the cache with this file: it
installs pip from the standard library's ensurepip and then hands the requested packages to pip,
like the real script. ansible-test sets PIP_CONFIG_FILE=/dev/null, so the CA bundle is passed
explicitly when one is known.
"""

import ensurepip
import os
import subprocess
import sys

# Options only the real get-pip understands.
_GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}


def main():
    ensurepip.bootstrap(upgrade=True)
    args = [arg for arg in sys.argv[1:] if arg not in _GET_PIP_ONLY]
    cert = os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE") or os.environ.get("REQUESTS_CA_BUNDLE")
    if not cert and os.path.exists("/etc/ssl/certs/ca-certificates.crt"):
        cert = "/etc/ssl/certs/ca-certificates.crt"
    if cert:
        args = ["--cert", cert] + args
    packages = [arg for arg in args if not arg.startswith("-") and arg != cert]
    if packages:
        subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    main()
