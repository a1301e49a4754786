# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """How this collection's Kubernetes modules find the cluster (see module_utils/_k8s_client.py)."""

    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path of the kubeconfig. Defaults to E(K8S_AUTH_KUBECONFIG), then E(KUBECONFIG) or C(~/.kube/config),
        then the in-cluster service account.
    type: path
  context:
    description: Kubeconfig context; the current context when omitted.
    type: str
requirements:
  - kubernetes >= 24.2.0 (Python)
"""
