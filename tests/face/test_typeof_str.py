"""Python str arguments: typeof gives `str` (inside tuples and dicts too), a str subclass
is passed as a plain str, and the wrapper borrows the UTF-8 buffer (lone surrogates raise
CPython's UnicodeEncodeError)."""
from __future__ import annotations

import pytest

import ember
from ember.ir.types import F64, I64, STR, RecordType, TupleType
from ember.typeof import canonical, typeof


class Name(str):
    pass


@pytest.mark.parametrize("value, want", [
    ("", STR), ("héllo", STR), (Name("x"), STR), (("a", 1), TupleType((STR, I64))),
    ({"name": "a", "x": 1.0}, RecordType(("name", "x"), (STR, F64))),
])
def test_typeof_str(value, want) -> None:
    assert typeof(value, "s") == want


def test_canonical_makes_subclasses_plain() -> None:
    c = canonical(Name("abc"))
    assert type(c) is str and c == "abc"
    assert type(canonical(("a", Name("b")))[1]) is str


def echo(s):
    return s


def test_round_trip_and_subclass() -> None:
    f = ember.jit(echo)
    for s in ["", "abc", "héllo wörld", "日本語", "emoji \U0001F600", "a\0b"]:
        r = f(s)
        assert r == s and type(r) is str
    r = f(Name("sub"))
    assert r == "sub" and type(r) is str
    assert f(("x", ("y", 2))) == ("x", ("y", 2))


def test_lone_surrogate_raises_like_cpython() -> None:
    f = ember.jit(echo)
    with pytest.raises(UnicodeEncodeError) as got:
        f("a\ud800")
    with pytest.raises(UnicodeEncodeError) as want:
        "a\ud800".encode("utf-8")
    assert str(got.value) == str(want.value)
