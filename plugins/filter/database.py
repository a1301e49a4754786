# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of the database settings (docs in database_problems.yml)."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _database
from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


def database_problems(settings):
    return _database.database_problems(to_builtin(settings or {}))


class FilterModule:
    def filters(self):
        return {"database_problems": database_problems}
