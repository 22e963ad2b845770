"""A missing tuple key raises KeyError carrying the tuple, as CPython does (`d[k]`,
`del d[k]`, `d.pop(k)`), and tuples formatted in exception messages read as CPython
prints them (differential: exception type, str() and args compared).

PYTEST_DONT_REWRITE: pytest must not rewrite the `assert` statements under test.
"""
from __future__ import annotations

import math

import pytest

import ember
from ember.ir.errors import TypingError
from tests.e2e.differential import check, check_stages, same


def outcome(fn, args):
    try:
        return ("value", fn(*args))
    except Exception as exc:  # compared with CPython's exception
        return ("raise", type(exc), str(exc), exc.args)


def check_args(fn, *args):
    """Like differential.check, and the exception's args must be CPython's too."""
    fast = ember.jit(fn)
    want, got = outcome(fn, args), outcome(fast, args)
    check_stages(fast)
    assert want[0] == got[0], f"CPython {want}, ember {got}"
    if want[0] == "value":
        assert same(want[1], got[1]), f"CPython {want}, ember {got}"
    else:
        assert want[1:3] == got[1:3], f"CPython {want}, ember {got}"
        assert same(want[3], got[3]), f"CPython args {want[3]!r}, ember {got[3]!r}"


# ---- d[k], del d[k], d.pop(k) with tuple keys ---------------------------------------------
def get_int_pair(i, j):
    d = {}
    d[(1, 2)] = 10
    d[(2, 1)] = 20
    return d[(i, j)]


def get_mixed(i, x, flag):
    d = {}
    d[(1, 0.5, True)] = 1.0
    return d[(i, x, flag)]


def get_str_key(i, s):
    d = {}
    d[(0, "a")] = 1
    return d[(i, s)]


def get_nested(i, x, s):
    d = {}
    d[((0, 1.5), "k")] = 3
    return d[((i, x), s)]


def get_one(i):
    # a 1-tuple key through a variable: the frontend reads `d[(i,)]` as `d[i]` (as for arrays)
    d = {}
    k0 = (0,)
    d[k0] = 1
    k = (i,)
    return d[k]


def delete_key(i, j):
    d = {}
    d[(1, 2)] = 10
    del d[(i, j)]
    return len(d)


def pop_key(i, j):
    d = {}
    d[(1, 2)] = 10
    return d.pop((i, j))


def pop_default(i, j):
    d = {}
    d[(1, 2)] = 10
    return d.pop((i, j), -1)


def caught(i, j):
    d = {}
    d[(1, 2)] = 10
    try:
        return d[(i, j)]
    except KeyError:
        return -1


@pytest.mark.parametrize("fn,args", [
    (get_int_pair, (1, 2)), (get_int_pair, (3, -4)), (get_int_pair, (2, 2)),
    (get_mixed, (1, 0.5, True)), (get_mixed, (1, 0.5, False)), (get_mixed, (-7, -0.0, True)),
    (get_mixed, (2, math.inf, True)), (get_mixed, (2, math.nan, False)),
    (get_mixed, (2, 1e300, True)), (get_mixed, (2, 0.1, True)),
    (get_str_key, (0, "a")), (get_str_key, (0, "b")), (get_str_key, (3, "it's \"q\"")),
    (get_str_key, (3, "é€")),
    (get_nested, (0, 1.5, "k")), (get_nested, (0, 1.5, "j")), (get_nested, (1, -2.25, "")),
    (get_one, (0,)), (get_one, (5,)),
    (delete_key, (1, 2)), (delete_key, (2, 1)),
    (pop_key, (1, 2)), (pop_key, (0, 0)),
    (pop_default, (1, 2)), (pop_default, (0, 0)),
    (caught, (1, 2)), (caught, (9, 9)),
])
def test_missing_tuple_key(fn, args):
    check_args(fn, *args)


def test_key_error_args_are_the_tuple():
    fast = ember.jit(get_nested)
    with pytest.raises(KeyError) as info:
        fast(4, 2.5, "z")
    assert info.value.args == (((4, 2.5), "z"),)
    assert type(info.value.args[0][0][0]) is int and type(info.value.args[0][0][1]) is float
    assert str(info.value) == "((4, 2.5), 'z')"


# ---- raise E(tuple) and tuples in messages --------------------------------------------------
def raise_tuple_literal(i, x):
    if i > 0:
        raise KeyError((i, x))
    return i


def raise_with_str(i):
    if i > 0:
        raise LookupError((i, "a", (True,)))
    return i


def message_fstring(i, x, s):
    t = (i, x, s)
    if i > 0:
        raise ValueError(f"bad {t} / {t!r} / {(i,)} / {(x, (s, i > 1))!s:>30}|")
    return i


def message_str_repr(i, x):
    t = ((i, x), ())
    if i > 0:
        raise RuntimeError("t = " + str(t) + ", r = " + repr(t) + " %s" % (t,))
    return i


def assert_tuple(i, x):
    t = (i, x)
    assert i < 0, f"{t} not negative"
    return i


def empty_tuple(i):
    if i > 0:
        raise KeyError(())
    return i


@pytest.mark.parametrize("fn,args", [
    (raise_tuple_literal, (0, 1.0)), (raise_tuple_literal, (3, -1.5)),
    (raise_tuple_literal, (3, math.nan)),
    (raise_with_str, (0,)), (raise_with_str, (2,)),
    (message_fstring, (0, 1.0, "a")), (message_fstring, (1, 2.5, "b")),
    (message_fstring, (2, -0.0, "x'y")),
    (message_str_repr, (0, 1.0)), (message_str_repr, (7, 1e-7)),
    (assert_tuple, (-1, 1.0)), (assert_tuple, (4, 0.25)),
    (empty_tuple, (0,)), (empty_tuple, (1,)),
])
def test_tuples_in_raise(fn, args):
    check_args(fn, *args)


# ---- rejected at compile time ---------------------------------------------------------------
def spec_on_tuple(i):
    t = (i, i)
    if i > 0:
        raise ValueError(f"{t:>10}")
    return i


def too_many_leaves(i):
    t = (i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i)
    if i > 0:
        raise KeyError(t)
    return i


def complex_element(i):
    t = (i, 1j)
    if i > 0:
        raise KeyError(t)
    return i


def percent_tuple_variable(i):
    t = (i,)
    if i > 0:
        raise ValueError("t is %s" % t)  # CPython formats t[0] here: 't is 1'
    return i


def percent_scalar_variable(i):
    if i > 0:
        raise ValueError("i is %s" % i + ", %5.2f|%r" % (i * 0.5, (i, "a")))
    return i


def test_percent_of_a_scalar_variable():
    check_args(percent_scalar_variable, 0)
    check_args(percent_scalar_variable, 3)


@pytest.mark.parametrize("fn,words", [
    (spec_on_tuple, "tuple.__format__"),
    (percent_tuple_variable, "takes the tuple as the argument list"),
    (too_many_leaves, "at most 16"),
    (complex_element, "c128"),
])
def test_rejected(fn, words):
    with pytest.raises(TypingError, match=words):
        ember.jit(fn)(1)


# ---- one-element tuple keys: `d[(i,)]` and `d[i,]` key with the tuple, not with i -----------
def one_tuple_keys(n):
    d = {}
    for i in range(n):
        d[(i,)] = i * 2
    s = 0
    for i in range(n):
        s += d[(i,)] + d[i,]
    return s, d


def one_tuple_missing(n):
    d = {(0,): 1.5}
    return d[(n,)]


def test_one_element_tuple_subscript_keeps_the_tuple():
    check_args(one_tuple_keys, 4)
    check_args(one_tuple_missing, 0)
    check_args(one_tuple_missing, 3)
