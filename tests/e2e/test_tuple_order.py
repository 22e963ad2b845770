"""Tuple ordering: `<` `<=` `>` `>=` (lexicographic, as CPython), and what it makes work:
sorted() / list.sort(reverse=) of lists of tuples, min / max of tuples, sorted(d.items())
and sorted(d.keys()) (differential against CPython)."""
from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.ir.errors import TypingError
from tests.e2e.differential import check

NAN = math.nan


def compare_all(a, b):
    return a < b, a <= b, a > b, a >= b


def nans(n):
    """n distinct nan objects (CPython counts an object as equal to itself)."""
    return [float("nan") for _ in range(n)]


_N = nans(8)


@pytest.mark.parametrize("a,b", [
    ((1, 2), (1, 2)), ((1, 2), (1, 3)), ((2, 0), (1, 9)), ((-1, 5), (-2, 5)),
    ((1, 2), (1, 2, 3)), ((1, 2, 3), (1, 2)), ((1, 2), (1, 3, 0)), ((), ()), ((), (0,)),
    ((1.5, 2), (1.5, 2.0)), ((1, 2.5), (1.0, 2)), ((True, 0), (1, -1)), ((False,), (0.0,)),
    ((-0.0, 1), (0.0, 0)), ((math.inf, 1), (1e308, 2)), ((-math.inf,), (-1e308,)),
    ((_N[0], 1), (_N[1], 2)), ((1, _N[2]), (1, 2.0)), ((1, 2.0), (1, _N[3])),
    ((1, _N[4]), (2, _N[5])), ((_N[6],), (_N[7], 0)),
    (((1, 2), 3), ((1, 2), 4)), (((1, 2), 3), ((1, 3), 0)), (((1,), 3), ((1, 0), 0)),
    (((_N[0], 1), 3), ((_N[1], 1), 0)),
    ((1, "b"), (1, "a")), (("a", 2), ("a", 2)), (("ab", 0), ("a", 9)), (("", 1), ("a", 0)),
    (("é", 1), ("z", 0)), ((("x", 1.5), "y"), (("x", 1.5), "z")),
])
def test_compare(a, b):
    check(compare_all, a, b)


def mixed_lengths(i, x):
    a = (i, x)
    b = (i, x, 1)
    c = (i,)
    return a < b, b < a, c <= a, a > c, (i, x) >= (i, x), (i, (x, "s")) < (i, (x, "t"))


# (no nan here: CPython finds `x` equal to itself by identity, ember compares values)
@pytest.mark.parametrize("i,x", [(0, 0.0), (-3, 2.5), (1, math.inf)])
def test_compare_in_function(i, x):
    check(mixed_lengths, i, x)


# ---- sorting, min, max -----------------------------------------------------------------------
def sort_forms(xs):
    ys = sorted(xs)
    zs = sorted(xs, reverse=True)
    ws = list(xs)
    ws.sort()
    vs = list(xs)
    vs.sort(reverse=True)
    return ys, zs, ws, vs, min(xs), max(xs)


SORT_FORMS = ember.jit(sort_forms)  # one compile per element type, shared by the tests


def _int_pairs(n, seed):
    rnd = random.Random(seed)
    return [(rnd.randint(-3, 3), rnd.randint(-5, 5)) for _ in range(n)]


@pytest.mark.parametrize("xs", [
    [(3, 1.5), (1, 2.0), (3, -1.0), (1, 2.0), (-2, 0.0)],
    [(1, 0.5)],
    [(0, -0.0), (0, 0.0), (-1, 0.0), (0, -0.0)],
    [(k % 5, -k * 0.5) for k in range(100)],
])
def test_sort_pairs(xs):
    check(sort_forms, xs, jitted=SORT_FORMS)


@pytest.mark.parametrize("n,seed", [(7, 0), (30, 1), (200, 2)])
def test_sort_int_pairs(n, seed):
    check(sort_forms, _int_pairs(n, seed), jitted=SORT_FORMS)


def test_sort_ties_on_nan():
    # within each first element: only nans (equivalent to each other) or one number, so the
    # order is total on the elements that meet and any stable sort gives CPython's answer
    xs = [(2, NAN), (1, 3.0), (2, NAN), (0, -1.0), (2, NAN), (1, 3.0)]
    check(sort_forms, [(k, float(v)) for k, v in xs], jitted=SORT_FORMS)


def test_sort_nested_and_strs():
    check(sort_forms, [((1, "b"), 2.0), ((1, "a"), 3.0), ((0, "z"), 1.0), ((1, "a"), -1.0)])
    check(sort_forms, [("b", 1), ("a", 2), ("ab", 0), ("", 5), ("a", 1)])


def minmax_args(a, b, c):
    return min(a, b), max(a, b), min(a, b, c), max(c, b, a)


@pytest.mark.parametrize("a,b,c", [
    ((1, 2), (1, 3), (0, 9)), ((1, 2), (1, 2), (1, 2)), ((5, -1), (5, -2), (4, 100)),
    (("b", 1), ("a", 2), ("b", 0)),
])
def test_min_max_args(a, b, c):
    check(minmax_args, a, b, c)


def minmax_of_list(n):
    xs = [(i, 0.5 * i) for i in range(n)]
    return min(xs), max(xs)


MINMAX_OF_LIST = ember.jit(minmax_of_list)


@pytest.mark.parametrize("n", [0, 1, 5])
def test_min_max_of_list(n):
    check(minmax_of_list, n, jitted=MINMAX_OF_LIST)


def sorted_dict(n):
    d = {}
    for i in range(n):
        d[(i % 3, -i)] = i * 0.5
    return sorted(d.items()), sorted(d.keys()), sorted(d), sorted(d.items(), reverse=True)


def sorted_str_dict(words):
    d = {}
    for w in words:
        d[w] = d.get(w, 0) + 1
    return sorted(d.items()), sorted(d.keys()), min(d), max(d.keys())


SORTED_DICT = ember.jit(sorted_dict)


@pytest.mark.parametrize("n", [0, 1, 9])
def test_sorted_dict_tuple_keys(n):
    check(sorted_dict, n, jitted=SORTED_DICT)


def test_sorted_dict_str_keys():
    check(sorted_str_dict, ["b", "a", "c", "a", "b", "a"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.floats(-2, 2, width=16),
                          st.booleans()), min_size=1, max_size=40))
def test_sort_hypothesis(xs):
    check(sort_forms, xs, jitted=SORT_FORMS)


# ---- rejected at compile time ------------------------------------------------------------------
def str_against_int(i):
    return (i, "a") < (i, 2)


def tuple_against_int(i):
    return (i, 1) < i


def sort_complex(n):
    xs = [(1, 1j)]
    xs.sort()
    return n


def min_lengths(i):
    return min((i, 1), (i,))


@pytest.mark.parametrize("fn,words", [
    (str_against_int, "'<' not supported between instances of 'str' and 'int'"),
    (tuple_against_int, "'<' not supported between instances of 'tuple' and 'int'"),
    (sort_complex, "sorting a list<tuple<i64, c128>> is not supported"),
    (min_lengths, "min\\(\\) of tuple"),
])
def test_rejected(fn, words):
    with pytest.raises(TypingError, match=words):
        ember.jit(fn)(1)
