"""Strings as run-time values, differential against CPython: literals and str arguments
compared, measured, merged, stored in tuples, returned, and formatted in exception messages."""
from __future__ import annotations

import pytest

import ember
from ember.ir.errors import TypingError

WORDS = ["", "a", "b", "ab", "abc", "héllo", "hello", "日本", "\U0001F600", "a\0b", "pos", "neg"]


def compare_all(s, t):
    return (s == t, s != t, s < t, s <= t, s > t, s >= t, len(s), bool(s), not s)


def pick(x):
    if x > 0:
        s = "pos"
    elif x < 0:
        s = "neg"
    else:
        s = "zéro"
    return s, len(s), s in ("pos", "zéro"), s == "neg"


def loop_merge(n):
    s = "start"
    for i in range(n):
        s = "even" if i % 2 == 0 else "odd"
    return s


def assigned_in_loop_only(n):
    for i in range(n):
        last = "x"
    return n


def mode(m, x):
    if m == "double":
        return 2 * x
    if m in ("neg", "negate"):
        return -x
    return x


def helper(s):
    return len(s) + (1 if s == "x" else 0)


def calls_helper(s):
    return helper(s) + helper("x") + helper("héé")


def tuples(s):
    t = (s, "lit", (1, s))
    return t, t == (s, "lit", (1, s)), t[0] == "lit", ("a", 1) == (s, 1), s == 1, s != 2.5


def record_value(p):
    q = {"name": "run", "x": 2.0}
    return p["name"] == q["name"], q["name"], p["x"] * q["x"]


def check(fn, *args):
    want = fn(*args)
    got = ember.jit(fn)(*args)
    assert got == want and type(got) is type(want)


@pytest.mark.parametrize("s", WORDS)
@pytest.mark.parametrize("t", WORDS[:6] + ["日"])
def test_compare(s, t):
    check(compare_all, s, t)


@pytest.mark.parametrize("x", [-3, 0, 5])
def test_branches_and_in(x):
    check(pick, x)


@pytest.mark.parametrize("n", [0, 1, 4])
def test_loops(n):
    check(loop_merge, n)
    check(assigned_in_loop_only, n)


@pytest.mark.parametrize("m", ["double", "neg", "negate", "other", ""])
def test_dispatch_on_mode(m):
    check(mode, m, 3.5)


def test_calls_tuples_records():
    for s in ["x", "lit", "a", "héllo"]:
        check(calls_helper, s)
        check(tuples, s)
    for name in ["run", "walk"]:
        check(record_value, {"name": name, "x": 1.5})


def fstring_message(s, k):
    if k > 0:
        raise ValueError(f"bad mode {s!r} at {k}: {s:>6}|{s:<4}|" + str(s))
    return k


def percent_message(s, x):
    if x < 0:
        raise KeyError("mode %s has x=%.2f (%r)" % (s, x, s))
    return x


def assert_message(s):
    assert s == "ok", f"got {s}"
    return s


def local_literal_message(k):
    name = "café"
    if k:
        raise RuntimeError(f"{name} {k}")
    return k


@pytest.mark.parametrize("fn,args", [
    (fstring_message, ("héllo", 2)), (fstring_message, ("", 1)),
    (percent_message, ("fast", -1.0)), (local_literal_message, (3,)),
])
def test_messages_match_cpython(fn, args):
    with pytest.raises(Exception) as want:
        fn(*args)
    with pytest.raises(want.type) as got:
        ember.jit(fn)(*args)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("s", ["nope", "", "日本"])
def test_assert_message(s):
    # (pytest rewrites asserts in this file, so CPython's message is spelled out)
    with pytest.raises(AssertionError) as got:
        ember.jit(assert_message)(s)
    assert str(got.value) == f"got {s}"
    assert ember.jit(assert_message)("ok") == "ok"


def concat(s):
    return s + "x"


def index(s):
    return s[0]


def order_mixed(s):
    return s < 1


def substring(s):
    return "a" in s


@pytest.mark.parametrize("fn", [concat, index, order_mixed, substring])
def test_unsupported_is_a_typing_error(fn):
    with pytest.raises(TypingError):
        ember.jit(fn)("abc")


def test_hash_is_consistent():
    from ember.ir.builder import Builder  # noqa: F401  (the op is used by dicts; test it here)
    from ember.backend import compile_module
    from ember.ir.core import FuncOp, Module
    from ember.ir.types import I64, STR
    f = FuncOp("h", [STR], I64, ["s"])
    b = Builder(f.body.block)
    h = b.value("str.hash", [f.args[0]], I64)
    b.op("func.return", [h], [])
    call = compile_module(Module([f]), "h").make_callable(None)
    words = ["", "a", "b", "ab", "ba", "héllo", "x" * 100]
    hashes = [call(w) for w in words]
    assert hashes == [call(str(w)) for w in words]  # equal strings hash equal
    assert len(set(hashes)) == len(words)
