#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: helm_render
short_description: Expand Helm releases into the objects Helm would install, with helm template
version_added: 0.1.0
author: eventstack.oke maintainers (@eventstack)
description:
  - Runs C(helm template) for every release at once (the pinned chart, the release's values, the Kubernetes version,
    the CRDs of the charts' C(crds/) directories, no test hooks). The chart is the packaged archive
    C(<chart_dir>/<chart>-<version>.tgz) where there is one, else the release's repository (https or C(oci://)).
  - With O(output=files) writes C(<build_dir>/helm/<release>.manifests.yaml) (what Helm installs, hooks included, with
    the release's C(scan_skips) annotated as its post-renderer does and the release namespace set where a namespaced
    object names none) and C(<build_dir>/helm/<release>.crds.yaml) (the CRDs of the C(crds/) directories, or the
    output of the release's C(crds_chart)), each only when its content differs; removes those files of a release
    that cannot be expanded.
  - A release whose chart cannot be reached (no archive, repository unreachable) is not expanded - a warning gives
    helm's message - and the task does not fail.
  - With O(output=crds) writes nothing and returns the CRDs, for applying them before the chart is installed.
  - When the target is the controller (connection C(local)), the action plugin does the work in the controller's
    process.
attributes:
  check_mode:
    support: full
    description: Reports the files that would change and writes nothing.
  diff_mode:
    support: full
    description: The before and after text of every file that changes.
  action:
    support: full
    description: Runs in the controller's process for a local connection.
options:
  releases:
    description:
      - The releases, as P(eventstack.oke.helm_release_files#filter) takes them (C(name), C(namespace), C(chart),
        C(repo), C(version), C(values)), with optional C(scan_skips) (selector - C(Kind/name), C(Kind/*) or
        C(workloads) - to a list of C(CHECK=reason)) and C(crds_chart) (C(chart), C(repo), C(version), C(values) of a
        chart that holds the release's CRDs).
    type: list
    elements: dict
    required: true
  kube_version:
    description: The Kubernetes version the charts are rendered for (C(1.34)).
    type: str
    required: true
  build_dir:
    description: The render's build directory; required with O(output=files).
    type: path
  chart_dir:
    description: A directory of packaged charts named C(<chart>-<version>.tgz), used before the repositories.
    type: path
  helm:
    description: The helm binary.
    type: str
    default: helm
  source:
    description: The calling role, named in the files' header.
    type: str
    default: ""
  output:
    description: Write the build files, or return the CRDs.
    type: str
    choices: [files, crds]
    default: files
requirements:
  - helm 3
seealso:
  - module: kubernetes.core.helm_template
"""

EXAMPLES = r"""
- name: Expand the Strimzi operator's chart into build/dev/helm/
  eventstack.oke.helm_render:
    releases:
      - name: strimzi-kafka-operator
        namespace: kafka
        chart: strimzi-kafka-operator
        repo: oci://quay.io/strimzi-helm
        version: 1.2.0
        values:
          extraEnvs: [{name: STRIMZI_POD_SECURITY_PROVIDER_CLASS, value: restricted}]
    kube_version: "1.34"
    build_dir: build/dev
    chart_dir: ../shared/charts
"""

RETURN = r"""
releases:
  description: Per release its C(name), whether it was C(expanded), the C(reason) when not, where the chart came from
    (C(origin) - C(archive) or the repository) and C(crds_reason) when its CRD chart was not reached.
  returned: always
  type: list
  elements: dict
files:
  description: The files written (O(output=files)), each with its C(path) and whether it C(changed).
  returned: when output is files
  type: list
  elements: dict
removed:
  description: Files of releases that are no longer expanded, removed (O(output=files)).
  returned: when output is files
  type: list
  elements: str
crds:
  description: The CRDs of every release (O(output=crds)).
  returned: when output is crds
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.eventstack.oke.plugins.module_utils import _build_files, _helm_render


def main():
    module = AnsibleModule(
        argument_spec=dict(
            releases=dict(type="list", elements="dict", required=True),
            kube_version=dict(type="str", required=True),
            build_dir=dict(type="path"),
            chart_dir=dict(type="path"),
            helm=dict(type="str", default="helm"),
            source=dict(type="str", default=""),
            output=dict(type="str", choices=["files", "crds"], default="files"),
        ),
        required_if=[("output", "files", ("build_dir",))],
        supports_check_mode=True,
    )
    try:
        result = _helm_render.run(module.params, module.check_mode, module._diff)
    except (_helm_render.HelmRenderError, _build_files.BuildFilesError, KeyError, ValueError) as exc:
        module.fail_json(msg="helm_render: %s" % exc)
    for warning in result.pop("warnings", []):
        module.warn(warning)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
