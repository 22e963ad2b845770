"""Scalar operators on unsigned values read from arrays, against NumPy scalars (hypothesis).

ember's rule (typeinfer/pyops.py): an operator with an unsigned operand is NumPy's scalar
operator (wrapping uint arithmetic, exact int comparisons whatever the signedness, x // 0 == 0),
with an int64 operand taken as a Python int (NEP 50). Results come back as Python numbers,
so values are compared, and their kind (bool / int / float)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember

U64 = st.integers(0, 2 ** 64 - 1)
BIG_U64 = st.one_of(U64, st.integers(2 ** 63 - 2, 2 ** 63 + 2), st.integers(2 ** 64 - 3, 2 ** 64 - 1))
I64 = st.integers(-2 ** 63, 2 ** 63 - 1)
FEW = settings(max_examples=150, deadline=None)


def binary(a, b):
    x = a[0]
    y = b[0]
    return (x + y, x - y, x * y, x / y, x // y, x % y, x ** (y % 70), x & y, x | y, x ^ y,
            x << (y % 70), x >> (y % 70), x < y, x <= y, x > y, x >= y, x == y, x != y,
            -x, ~x, +x, min(x, y), max(x, y), bool(x))


def compare(a, b):
    x = a[0]
    y = b[0]
    return x < y, x <= y, x > y, x >= y, x == y, x != y, y < x, y >= x


def with_int(a, n):
    x = a[0]
    return x + n, x - n, x * n, x // (n + 1), x % (n + 1), x < n, n <= x, x == n


def with_float(a, f):
    x = a[0]
    return x + f, x * f, x - f


def mixed_strong(a, b):
    x = a[0]
    y = b[0]
    return x + y, x * y, x // y if y != 0 else x - y


JIT = {f.__name__: ember.jit(f) for f in (binary, compare, with_int, with_float, mixed_strong)}


def kind(v):
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, (int, np.integer)):
        return "int"
    return "float"


def assert_like_numpy(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy warns on overflow and division by zero
        try:
            want = fn(*args)
        except OverflowError as e:
            with pytest.raises(OverflowError, match=str(e)):
                JIT[fn.__name__](*args)
            return
    got = JIT[fn.__name__](*args)
    assert len(got) == len(want)
    for k, (g, w) in enumerate(zip(got, want)):
        assert kind(g) == kind(w), (fn.__name__, k, g, w)
        if kind(w) == "float" and np.isnan(w):
            assert np.isnan(g), (fn.__name__, k, g, w)
        else:
            assert g == w.item() if hasattr(w, "item") else g == w, (fn.__name__, k, g, w)


def arr(x, dtype):
    return np.array([x], dtype=dtype)


@FEW
@given(BIG_U64, BIG_U64)
def test_uint64_operators(x, y):
    assert_like_numpy(binary, arr(x, np.uint64), arr(y, np.uint64))


@FEW
@given(st.integers(0, 255), st.integers(0, 255))
def test_uint8_operators(x, y):
    assert_like_numpy(binary, arr(x, np.uint8), arr(y, np.uint8))


@FEW
@given(BIG_U64, I64)
def test_uint64_int64_comparisons_are_exact(x, y):
    assert_like_numpy(compare, arr(x, np.uint64), arr(y, np.int64))


@pytest.mark.parametrize("x, y", [(2 ** 64 - 1, -1), (2 ** 63, 2 ** 63 - 1), (2 ** 63, -2 ** 63),
                                  (0, -1), (5, 5), (2 ** 63 - 1, 2 ** 63 - 1)])
def test_uint64_int64_comparison_edges(x, y):
    assert_like_numpy(compare, arr(x, np.uint64), arr(y, np.int64))


@FEW
@given(BIG_U64, st.integers(-2 ** 62, 2 ** 62))
def test_uint64_with_python_int(x, n):
    # NEP 50: the Python int must fit uint64 (OverflowError otherwise), the result is uint64
    assert_like_numpy(with_int, arr(x, np.uint64), n)


@FEW
@given(st.integers(0, 255), st.integers(-300, 300))
def test_uint8_with_python_int(x, n):
    assert_like_numpy(with_int, arr(x, np.uint8), n)


@FEW
@given(BIG_U64, st.floats(allow_nan=True, allow_infinity=True, width=64))
def test_uint64_with_float(x, f):
    assert_like_numpy(with_float, arr(x, np.uint64), f)


@pytest.mark.parametrize("da, db", [(np.uint8, np.int8), (np.uint32, np.int32),
                                    (np.uint64, np.int32), (np.uint16, np.float32),
                                    (np.uint32, np.float32), (np.uint8, np.uint64)])
def test_mixed_dtypes_promote_as_numpy(da, db):
    rng = np.random.default_rng(3)
    for _ in range(20):
        a = rng.integers(0, np.iinfo(da).max, 1, dtype=da, endpoint=True)
        b = (rng.standard_normal(1) * 100).astype(db)
        assert_like_numpy(mixed_strong, a, b)


def uint_sum(a):
    s = np.uint64(0)
    for i in range(a.shape[0]):
        s += a[i]
    return s


def test_uint64_accumulator_wraps_as_numpy():
    a = np.array([2 ** 63, 2 ** 63 + 5, 7], dtype=np.uint64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = uint_sum(a)
    assert ember.jit(uint_sum)(a) == int(want)
