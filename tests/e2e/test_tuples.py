"""Tuple operations compiled, compared exactly with CPython: len, `in`, constant and
run-time indexing, constant slices, `+`, `*` by a constant, `==` / `!=`."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
from ember.errors import TypingError
from .differential import check


def ops(t, u, x):
    return (len(t), t + u, u + t, t * 2, 3 * u, t * 0, t[-1], t[1:], t[::-1], t[:-1:2],
            t == u, t != u, t == t, (t, u) == (t, u), x in t, x not in u, x in (1, 2, 3),
            t == x)


def runtime_index(t, i):
    return t[i]


def dynamic_sum(t):
    s = 0
    for k in range(len(t)):
        s += t[k] * (k + 1)
    return s


def nested_in(a, b):
    return (a, b) in ((1, 2), (3, 4)), (a, (b,)) == (a, (b,)), () == ()


def array_elements(a, b):
    s = 0.0
    for v in (a, b):
        s += v.sum()
    return s


ints = st.integers(-3, 3)
tuples3 = st.tuples(ints, ints, ints)


@settings(max_examples=40, deadline=None)
@given(tuples3, tuples3, ints)
def test_ops(t, u, x):
    check(ops, t, u, x)


@settings(max_examples=30, deadline=None)
@given(st.tuples(st.floats(-10, 10), st.floats(-10, 10)), st.integers(-4, 4))
def test_runtime_index(t, i):
    check(runtime_index, t, i)  # out of range: IndexError('tuple index out of range')


def test_dynamic_and_nested():
    check(dynamic_sum, (1, 2, 3, 4))
    check(dynamic_sum, (1.5, -2.0))
    check(nested_in, 1, 2)
    check(nested_in, 3, 5)


def test_tuple_of_arrays():
    fast = ember.jit(array_elements)
    a, b = np.arange(3.0), np.ones(4)
    assert fast(a, b) == array_elements(a, b)


def repeat_runtime(t, n):
    return t * n


def test_errors():
    with pytest.raises(TypingError, match="known at compile time"):
        ember.jit(repeat_runtime)((1, 2), 3)
    with pytest.raises(TypingError, match="mixes element types"):
        ember.jit(runtime_index)((1.0, (2, 3)), 0)
