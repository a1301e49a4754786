# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The observability role's checks and its log shipper's configuration (docs in observability_problems.yml and
fluent_bit_config.yml)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _observability
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def observability_problems(settings):
    return _observability.problems(to_builtin(settings or {}))


def fluent_bit_config(loki):
    return _observability.fluent_bit_config(to_builtin(loki or {}))


class FilterModule:
    def filters(self):
        return {"observability_problems": observability_problems, "fluent_bit_config": fluent_bit_config}
