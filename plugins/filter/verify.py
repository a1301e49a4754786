# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The verify role's evidence and report (docs in verify_evidence.yml and verify_report.yml)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.eventstack.oke.plugins.module_utils import _verify
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def verify_evidence(result, kind):
    try:
        return _verify.evidence(to_builtin(result or {}), kind)
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError("verify_evidence: %s" % exc) from exc


def verify_report(checkpoints, environment, mode, generated):
    return _verify.report(to_builtin(checkpoints or []), environment, mode, generated)


class FilterModule:
    def filters(self):
        return {"verify_evidence": verify_evidence, "verify_report": verify_report}
