# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of the policy_engine settings (docs in policy_engine_problems.yml)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _policy_engine
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def policy_engine_problems(settings):
    return _policy_engine.problems(to_builtin(settings or {}))


class FilterModule:
    def filters(self):
        return {"policy_engine_problems": policy_engine_problems}
