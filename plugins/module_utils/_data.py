# -*- coding: utf-8 -*-
# Copyright: eventstack.oke contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal: plain data from what Ansible hands a plugin."""

from __future__ import annotations

from collections.abc import Mapping


def to_builtin(value):
    """Copy value into builtin types (Ansible hands plugins tagged subclasses of dict, list and str).

    Raises TypeError for anything that is not mapping, list, str, int, float, bool or None.
    """
    if isinstance(value, Mapping):
        return {str(key): to_builtin(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_builtin(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    for kind in (str, int, float):
        if isinstance(value, kind):
            return kind(value)
    raise TypeError("%r (%s) is not plain data" % (value, type(value).__name__))
