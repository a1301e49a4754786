# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of eventstack.oke.netpol_enforcement: on the controller (local connection) the check runs in this process
(plugin_utils/_in_controller.py); elsewhere it runs the module."""

from __future__ import annotations

from ansible_collections.eventstack.oke.plugins.module_utils import _enforcement
from ansible_collections.eventstack.oke.plugins.plugin_utils._in_controller import CheckAction


class ActionModule(CheckAction):
    MODULE = "eventstack.oke.netpol_enforcement"
    SPEC = _enforcement.ARGUMENT_SPEC
    _VALID_ARGS = frozenset(SPEC)
    check = staticmethod(_enforcement.check)
