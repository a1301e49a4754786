from __future__ import annotations

import pytest

from ansible_collections.eventstack.oke.plugins.module_utils._data import to_builtin


class TaggedStr(str):
    pass


class TaggedDict(dict):
    pass


def test_subclasses_become_builtins():
    out = to_builtin(TaggedDict(a=(TaggedStr("x"), 1, 2.5, True, None)))
    assert out == {"a": ["x", 1, 2.5, True, None]}
    assert type(out) is dict and type(out["a"][0]) is str  # pylint: disable=unidiomatic-typecheck


def test_other_objects_are_refused():
    with pytest.raises(TypeError, match="is not plain data"):
        to_builtin({"a": object()})
