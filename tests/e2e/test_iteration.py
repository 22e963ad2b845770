"""Iteration forms compiled, compared exactly with CPython: enumerate, zip, reversed, nested
forms, tuples, and generator expressions consumed by sum/min/max/any/all/tuple."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
from ember.errors import TypingError, UnsupportedSyntaxError
from .differential import check as check_exact

_jitted: dict = {}


def _plain(v):
    """NumPy scalars (what CPython gets from array elements) as Python numbers."""
    if isinstance(v, tuple):
        return tuple(_plain(e) for e in v)
    return v.item() if isinstance(v, np.generic) else v


def check(fn, *args):
    fast = _jitted.setdefault(fn, ember.jit(fn))
    check_exact(lambda *a: _plain(fn(*a)), *args, jitted=fast)


def enum_sum(x, start):
    s = 0.0
    for i, v in enumerate(x, start):
        s += i * v
    for i, v in enumerate(x):
        s -= i
    return s


def zip_three(x, n, m):
    s = 0.0
    c = 0
    for a, b, k in zip(x, range(n), range(m, 0, -2)):
        s += a * b - k
        c += 1
    return s, c


def nested_forms(x, y):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, y)):
        if i == 5:
            break
        if a > b:
            continue
        s += i * (a - b)
    else:
        s += 1000.0
    return s


def reversed_forms(x, a, b, c):
    s = 0
    for v in reversed(range(a, b, c)):
        s = s * 3 + v
    t = 0.0
    for v in reversed(x):
        t = t * 0.5 + v
    return s, t


def pair_target(x):
    s = 0.0
    for p in zip(x, x):
        s += p[0] * p[1]
    return s


def tuple_loops(a, b, c, t):
    s = 0.0
    for v in (a, b, c):
        s += v * v
    for v in t:
        s = s * 2 + v
    for i, v in enumerate(reversed(t)):
        if v == b:
            break
        s += i
    return s


def reductions(x, y, n):
    # start 0.0: an empty float sum is 0.0 in ember, 0 in CPython (docs/language.md)
    dot = sum((x[i] * y[i] for i in range(n)), 0.0)
    pos = sum((v for v in x if v > 0), 0.0)
    return (dot, pos, any(v > 0.5 for v in x), all(v > -0.5 for v in x),
            min(v for v in x), max(abs(v) for v in x), sum(i * j for i in range(n) for j in range(i)))


def empty_min(x):
    return min(v for v in x if v > 10)


def short_circuit(x, limit):
    # stops at the first True: an index past the end is never read
    return any(x[i] > limit for i in range(len(x) + 5))


def all_short(x):
    return all(x[i] < 100.0 for i in range(len(x) + 5))


def tuple_gen(a):
    t = tuple(a * i for i in range(4))
    u = tuple(v + 1 for v in (a, 2 * a))
    return t, u, sum(t), len(t)


def sum_start(x):
    return sum((v for v in x), 10.0), sum(x), max(x), sum([v * 2 for v in x])


floats = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=0, max_size=9)


@settings(max_examples=25, deadline=None)
@given(floats, st.integers(-3, 3))
def test_enumerate(xs, start):
    check(enum_sum, np.array(xs), start)


@settings(max_examples=25, deadline=None)
@given(floats, st.integers(-2, 12), st.integers(-3, 12))
def test_zip(xs, n, m):
    check(zip_three, np.array(xs), n, m)


@settings(max_examples=25, deadline=None)
@given(floats, floats)
def test_nested(xs, ys):
    check(nested_forms, np.array(xs), np.array(ys))


@settings(max_examples=25, deadline=None)
@given(floats, st.integers(-6, 6), st.integers(-6, 6), st.sampled_from([-3, -1, 1, 2, 0]))
def test_reversed(xs, a, b, c):
    check(reversed_forms, np.array(xs), a, b, c)


def test_pair_target():
    check(pair_target, np.arange(5.0))


@pytest.mark.parametrize("t", [(1.0, 2.0, 3.0), (4, 5), (1, 2.5, 3), ()])
def test_tuple_loops(t):
    check(tuple_loops, 1.0, 2.0, -0.5, t)


@settings(max_examples=25, deadline=None)
@given(floats.filter(bool), st.integers(0, 5))
def test_reductions(xs, n):
    x = np.array(xs)
    n = min(n, len(xs))
    check(reductions, x, x[::-1].copy(), n)


def test_empty_min_raises():
    check(empty_min, np.arange(3.0))
    check(empty_min, np.arange(30.0))


def test_any_all_short_circuit():
    x = np.array([0.1, 0.9, 0.3])
    check(short_circuit, x, 0.5)
    check(short_circuit, x, 5.0)  # reaches the end: IndexError as in CPython
    check(all_short, np.array([200.0, 1.0]))


def test_tuple_of_genexpr():
    check(tuple_gen, 3)
    check(tuple_gen, 1.5)


def test_sum_start_and_plain_iterables():
    check(sum_start, np.array([1.5, -2.0, 3.25]))


def hetero(t):
    s = 0.0
    for v in t:
        s += v
    return s


def tuple_of_unknown_length(n):
    return tuple(i for i in range(n))


def iter_map(x):
    s = 0.0
    for v in map(abs, x):
        s += v
    return s


def test_errors():
    with pytest.raises(TypingError, match="mixes element types"):
        ember.jit(hetero)((1.0, np.zeros(2)))
    with pytest.raises(UnsupportedSyntaxError, match="known at compile time"):
        ember.jit(tuple_of_unknown_length)(3)
    with pytest.raises(UnsupportedSyntaxError, match="map"):
        ember.jit(iter_map)(np.zeros(2))
