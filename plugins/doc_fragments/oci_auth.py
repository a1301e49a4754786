# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  auth_type:
    description:
      - How to authenticate to OCI. C(api_key) reads the config file; C(instance_principal) and
        C(resource_principal) use the identity of the host or function; C(security_token) uses the session token
        and key named in the config file's profile (C(oci session authenticate)).
      - Defaults to E(OCI_ANSIBLE_AUTH_TYPE), else C(api_key), like the oracle.oci modules.
    type: str
    choices: [api_key, instance_principal, resource_principal, security_token]
  config_file_location:
    description: OCI config file. Defaults to E(OCI_CONFIG_FILE), else C(~/.oci/config).
    type: path
  config_profile_name:
    description: Profile in the config file. Defaults to E(OCI_CONFIG_PROFILE), else C(DEFAULT).
    type: str
  region:
    description: Region identifier, such as C(eu-frankfurt-1). Defaults to the profile's region or E(OCI_REGION).
    type: str
  service_endpoint:
    description:
      - Base URL used for every OCI service call instead of the region's public endpoints (private endpoints, tests).
    type: str
  api_retries:
    description: Attempts per call when OCI answers 429 (throttled) or a transient 5xx, or the connection fails.
    type: int
    default: 5
  api_retry_delay:
    description: Seconds before the first retry; each further retry waits twice as long.
    type: float
    default: 1.0
requirements:
  - oci (the OCI Python SDK)
notes:
  - Credentials are never returned or logged; errors name the call, the HTTP status and OCI's message only.
"""
