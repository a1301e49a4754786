#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: k8s_read
short_description: Read the Kubernetes API server's version and named objects, live
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Reads C(/version) of the API server when O(version=true), asked on every run. No discovery cache is kept
    between runs, so a cluster upgraded since the last run is seen as it is.
  - Reads each object of O(objects) by API version, kind and name, C(null) when the cluster has no such object or
    does not serve its kind, and the objects of each kind of O(lists). A read costs one request per object or list
    plus one discovery request per API group-version.
  - Changes nothing.
  - On the controller (local connection) the action plugin of the same name reads in its own process, without
    starting the module.
attributes:
  check_mode:
    support: full
    description: Reads as in a normal run.
  diff_mode:
    support: none
    description: Changes nothing, so there is nothing to show.
  action:
    support: full
    description: The action plugin reads on the controller when the connection is local.
options:
  version:
    description: Read the server's version (returned as RV(version)).
    type: bool
    default: false
  objects:
    description: The objects to read (returned as RV(objects), in the same order).
    type: list
    elements: dict
    default: []
    suboptions:
      api_version:
        description: API version, e.g. C(apiregistration.k8s.io/v1).
        type: str
        required: true
      kind:
        description: Kind, e.g. C(APIService).
        type: str
        required: true
      name:
        description: Name of the object.
        type: str
        required: true
      namespace:
        description: Namespace of a namespaced object.
        type: str
  lists:
    description: The kinds whose objects to list (returned as RV(lists), in the same order).
    type: list
    elements: dict
    default: []
    suboptions:
      api_version:
        description: API version, e.g. C(apps/v1).
        type: str
        required: true
      kind:
        description: Kind, e.g. C(DaemonSet).
        type: str
        required: true
      namespace:
        description: Namespace to list in; all namespaces when left out.
        type: str
extends_documentation_fragment:
  - eventstack.oke.kube_auth
seealso:
  - module: kubernetes.core.k8s_cluster_info
  - module: kubernetes.core.k8s_info
"""

EXAMPLES = r"""
- name: Read the server version and the metrics APIService
  eventstack.oke.k8s_read:
    version: true
    objects:
      - {api_version: apiregistration.k8s.io/v1, kind: APIService, name: v1beta1.metrics.k8s.io}
  register: cluster
"""

RETURN = r"""
version:
  description: The server's C(/version), plus C(minor_version) (C(major.minor), digits only, e.g. C(1.34)).
  returned: when O(version=true)
  type: dict
  sample: {"major": "1", "minor": "34", "gitVersion": "v1.34.1", "minor_version": "1.34"}
objects:
  description: Each object of O(objects) as the API returns it, C(null) when it does not exist.
  returned: always
  type: list
  elements: dict
lists:
  description:
    - For each kind of O(lists), its objects (each with C(apiVersion) and C(kind)); an empty list when the cluster
      does not serve the kind.
  returned: always
  type: list
  elements: list
requests:
  description: Number of API requests made.
  returned: always
  type: int
  sample: 2
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _k8s_client, _k8s_read


def main():
    module = AnsibleModule(argument_spec=_k8s_read.ARGUMENT_SPEC, supports_check_mode=True)
    client = _k8s_client.connect(module)
    output = _k8s_read.read(client, module.params["version"], module.params["objects"], module.params["lists"])
    if output.get("failed"):
        module.fail_json(**output)
    module.exit_json(**output)


if __name__ == "__main__":
    main()
