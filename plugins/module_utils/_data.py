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


_TRUE = ("true", "yes", "on", "1", "y", "t")
_FALSE = ("false", "no", "off", "0", "n", "f", "")


def coerce(value, kind):
    """value as its argument spec's type says (kind: int, float or bool), when it is a string that reads as one.

    Values given as `-e key=value` reach roles and filters as strings whatever the argument spec says (the spec
    validates a converted copy). Anything that does not read as the type is returned unchanged, so that the caller's
    own check reports it with the variable's name."""
    if not isinstance(value, str):
        if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value
    text = value.strip()
    if kind == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        return value
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError:
        return value


def typed(settings, types):
    """A copy of the settings mapping with the keys named in types ({key: 'int' | 'float' | 'bool'}) coerced."""
    out = dict(settings)
    for key, kind in types.items():
        if key in out:
            out[key] = coerce(out[key], kind)
    return out
