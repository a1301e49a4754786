#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: postgres_check
short_description: Check that a PostgreSQL database answers with the given credentials
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Read-only. Connects with the connection string the application and the Dapr state store use, reads the server
    version, and disconnects. Nothing is written.
  - On failure it fails naming the host, port, database and user and one reason, C(dns), C(refused), C(timeout),
    C(network), C(tls), C(auth), C(database), C(url) or C(error), with the server's or the system's words.
  - The password never appears in the result or the message, whatever the server or the system say.
  - Used by the P(eventstack.oke.database#role) role in external mode before the applications deploy.
requirements:
  - pg8000 (pure Python PostgreSQL driver) on the host that runs the module
attributes:
  check_mode:
    support: full
    description: Reads only; runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes.
options:
  url:
    description:
      - libpq connection URI, C(postgresql://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=MODE).
      - C(sslmode) is C(prefer) when absent; C(require) encrypts without verifying the server, C(verify-ca) and
        C(verify-full) verify it against O(ssl_root_cert) (or C(sslrootcert) in the URI, or the system's CAs).
    type: str
    required: true
  timeout:
    description: Seconds to wait for the connection and each answer.
    type: int
    default: 10
  ssl_root_cert:
    description: CA bundle to verify the server's certificate with (overrides C(sslrootcert) in O(url)).
    type: path
  fail_on_error:
    description: Fail when the database does not answer; false returns C(ok=false) with the reason instead.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Check the application's database answers
  eventstack.oke.postgres_check:
    url: "{{ vault_database_url }}"
  register: database

- name: Show the version
  ansible.builtin.debug:
    msg: "{{ database.server_version }}"

- name: Report without failing (verification)
  eventstack.oke.postgres_check:
    url: "{{ vault_database_url }}"
    fail_on_error: false
  register: database_report
"""

RETURN = r"""
ok:
  description: The database answered.
  returned: always
  type: bool
reason:
  description: Why it did not (dns, refused, timeout, network, tls, auth, database, url, error).
  returned: when ok is false
  type: str
  sample: auth
server_version:
  description: The server's version string.
  returned: when ok is true
  type: str
  sample: "15.18 (Debian 15.18-0+deb12u1)"
server_version_num:
  description: The server's version as a number.
  returned: when ok is true
  type: int
  sample: 150018
tls:
  description: Whether the session is encrypted.
  returned: when ok is true
  type: bool
host:
  description: Host from the connection string.
  returned: when the connection string could be read
  type: str
port:
  description: Port from the connection string.
  returned: when the connection string could be read
  type: int
database:
  description: Database from the connection string.
  returned: when the connection string could be read
  type: str
user:
  description: User from the connection string.
  returned: when the connection string could be read
  type: str
sslmode:
  description: The sslmode used.
  returned: when the connection string could be read
  type: str
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.eventstack.oke.plugins.module_utils import _postgres


def main():
    module = AnsibleModule(
        argument_spec={
            "url": {"type": "str", "required": True, "no_log": True},
            "timeout": {"type": "int", "default": 10},
            "ssl_root_cert": {"type": "path"},
            "fail_on_error": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    if not _postgres.HAS_PG8000:
        module.fail_json(msg=missing_required_lib("pg8000"), exception=str(_postgres.PG8000_IMPORT_ERROR))
    result = _postgres.check(module.params["url"], timeout=module.params["timeout"],
                             sslrootcert=module.params["ssl_root_cert"] or "")
    if not result["ok"] and module.params["fail_on_error"]:
        module.fail_json(changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
