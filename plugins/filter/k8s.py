# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that order, redact, serialise and judge Kubernetes objects (docs in the sidecar .yml files)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.module_utils import _checkpoint, _manifests


def _wrap(func):
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except _manifests.ManifestError as exc:
            raise AnsibleFilterError(str(exc)) from exc

    run.__name__ = func.__name__
    return run


def k8s_sort(objects):
    return _manifests.sort_objects(objects)


def k8s_redact(objects):
    return [_manifests.redact(obj) for obj in _manifests.check_objects(objects)]


def k8s_manifest(objects, source=None):
    return _manifests.to_manifest(objects, source)


def helm_release_files(releases, build_dir, source):
    return _manifests.helm_release_files(releases, build_dir, source)


def k8s_gone(objects):
    return _checkpoint.gone(objects)


class FilterModule:
    def filters(self):
        return {
            "k8s_sort": _wrap(k8s_sort),
            "k8s_redact": _wrap(k8s_redact),
            "k8s_manifest": _wrap(k8s_manifest),
            "helm_release_files": _wrap(helm_release_files),
            "k8s_gone": k8s_gone,
        }
