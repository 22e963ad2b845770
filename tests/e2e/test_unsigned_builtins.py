"""Builtins and math functions on unsigned values read from arrays, against CPython running the
same code on the NumPy scalars (hypothesis over uint64 including >= 2**63, uint8, uint32).

ember's rules (typeinfer/builtins.py, mathfuncs.py): abs keeps the unsigned type; int(x) and
round(x) are exact int64 (a uint64 >= 2**63 raises OverflowError instead of wrapping);
round(x, n) and divmod are NumPy's; min/max compare exactly and merge types as a variable
does (uint64 with a signed int is a TypingError); math.floor/ceil go through float(x) as
CPython does for NumPy ints, math.trunc is refused (CPython's TypeError). Results come back
as Python numbers, so values are compared, with their kind (bool / int / float)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
from ember.errors import TypingError

U64 = st.one_of(st.integers(0, 2 ** 64 - 1), st.integers(2 ** 63 - 3, 2 ** 63 + 3),
                st.integers(2 ** 64 - 20, 2 ** 64 - 1), st.integers(0, 300))
U8 = st.integers(0, 255)
U32 = st.integers(0, 2 ** 32 - 1)
FEW = settings(max_examples=120, deadline=None)
INT64_MAX = 2 ** 63 - 1


def conversions(a):
    x = a[0]
    return (abs(x), float(x), bool(x), round(x, -1), round(x, -2), round(x, -7), round(x, 3),
            divmod(x, 7), divmod(x, 3.5), math.sqrt(x), math.isfinite(x), math.fabs(x),
            math.copysign(x, -1.0), divmod(x, 0))


def to_int(a):
    x = a[0]
    return int(x), round(x), int(x) - 1


def floors(a):
    x = a[0]
    return math.floor(x), math.ceil(x)


def pair(a, b):
    x = a[0]
    y = b[0]
    return min(x, y), max(x, y), min(y, x, x), max(x, y, y), divmod(x, y), abs(x) < abs(y)


def round_digits(a, n):
    x = a[0]
    return round(x, n), divmod(x, n + 21)


def minmax_int(a, n):
    x = a[0]
    return min(x, n), max(x, n), max(n, x, -1), min(x, True), max(x, 2.5)


JIT = {f.__name__: ember.jit(f)
       for f in (conversions, to_int, floors, pair, round_digits, minmax_int)}


def kind(v):
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, (int, np.integer)):
        return "int"
    return "float"


def assert_same(got, want, where):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), where
        for k, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, where + (k,))
        return
    assert kind(got) == kind(want), (where, got, want)
    if kind(want) == "float" and math.isnan(want):
        assert math.isnan(got), (where, got, want)
    else:
        assert got == (want.item() if hasattr(want, "item") else want), (where, got, want)


def python(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy warns on x // 0 and on wrapping casts
        return fn(*args)


def assert_like_numpy(fn, *args):
    try:
        want = python(fn, *args)
    except OverflowError as e:  # NEP 50: a Python int out of the unsigned range
        with pytest.raises(OverflowError, match=str(e)):
            JIT[fn.__name__](*args)
        return
    assert_same(JIT[fn.__name__](*args), want, (fn.__name__,))


def arr(x, dtype):
    return np.array([x], dtype=dtype)


# ---- one operand ----------------------------------------------------------------------
@FEW
@given(U64)
def test_uint64_conversions(x):
    assert_like_numpy(conversions, arr(x, np.uint64))


@FEW
@given(U8)
def test_uint8_conversions(x):
    assert_like_numpy(conversions, arr(x, np.uint8))


@FEW
@given(U32)
def test_uint32_conversions(x):
    assert_like_numpy(conversions, arr(x, np.uint32))


@pytest.mark.parametrize("x", [0, 5, 2 ** 53 + 1, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 5, 2 ** 64 - 1,
                               10 ** 19 + 5, 5 * 10 ** 18 + 5 * 10 ** 17])
def test_uint64_conversion_edges(x):
    assert_like_numpy(conversions, arr(x, np.uint64))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32])
@pytest.mark.parametrize("x", [0, 5, 15, 25, 249, 250, 255])
def test_round_wraps_as_numpy(dtype, x):
    # round(np.uint8(255), -1) is np.uint8(4): NumPy rounds in float and casts back
    assert_like_numpy(conversions, arr(x, dtype))


@FEW
@given(U64)
def test_int_of_uint64_is_exact_or_overflows(x):
    a = arr(x, np.uint64)
    if x > INT64_MAX:
        with pytest.raises(OverflowError, match="does not fit in int64"):
            JIT["to_int"](a)
    else:
        assert_same(JIT["to_int"](a), python(to_int, a), ("to_int",))


@FEW
@given(st.one_of(U64.map(lambda x: arr(x, np.uint64)), U8.map(lambda x: arr(x, np.uint8)),
                 U32.map(lambda x: arr(x, np.uint32))))
def test_floor_ceil_go_through_float(a):
    want = python(floors, a)  # CPython: float(x) then an exact int
    if max(want) > INT64_MAX:
        with pytest.raises(OverflowError, match="int64"):
            JIT["floors"](a)
    else:
        assert_same(JIT["floors"](a), want, ("floors",))


# ---- two operands -----------------------------------------------------------------------
@FEW
@given(U64, U64)
def test_uint64_pairs(x, y):
    assert_like_numpy(pair, arr(x, np.uint64), arr(y, np.uint64))


@FEW
@given(U8, U8)
def test_uint8_pairs(x, y):
    assert_like_numpy(pair, arr(x, np.uint8), arr(y, np.uint8))


@FEW
@given(U32, U8)
def test_uint32_uint8_pairs(x, y):
    assert_like_numpy(pair, arr(x, np.uint32), arr(y, np.uint8))


@FEW
@given(U64, st.integers(-25, 25))
def test_uint64_round_and_divmod_with_python_int(x, n):
    # n < -21 makes divmod's Python int negative: NumPy's OverflowError
    assert_like_numpy(round_digits, arr(x, np.uint64), n)


@FEW
@given(U8, st.integers(-300, 300))
def test_uint8_round_and_divmod_with_python_int(x, n):
    assert_like_numpy(round_digits, arr(x, np.uint8), n)


@FEW
@given(st.one_of(U8.map(lambda x: arr(x, np.uint8)), U32.map(lambda x: arr(x, np.uint32))),
       st.integers(-2 ** 63, INT64_MAX))
def test_narrow_unsigned_min_max_with_int(a, n):
    # CPython returns one of the objects; ember the same value in the merged type: uint8/uint32
    # with int64 or bool is an int (exact), with a float a float (min(1, 2.5) is 1.0 in ember)
    got, want = JIT["minmax_int"](a, n), python(minmax_int, a, n)
    assert [kind(g) for g in got] == ["int", "int", "int", "int", "float"]
    assert list(got) == [w.item() if hasattr(w, "item") else w for w in want]


def test_min_uint64_with_int_is_a_typing_error():
    def f(a, k):
        return min(a[0], k), abs(a[0]), int(a[0])
    with pytest.raises(TypingError, match=r"min\(\) of 'uint64' and 'int64' \(variable 'k'\)"):
        ember.jit(f)(arr(2 ** 64 - 5, np.uint64), 3)


def test_max_uint64_with_explicit_conversion():
    def f(a, k):
        return max(a[0], np.uint64(k)), min(int(a[1]), k)
    a = np.array([2 ** 64 - 5, 7], dtype=np.uint64)
    assert ember.jit(f)(a, 3) == (2 ** 64 - 5, 3)


def test_math_trunc_of_unsigned_is_a_typing_error():
    def f(a):
        return math.trunc(a[0])
    with pytest.raises(TypeError):  # CPython on the NumPy scalar
        f(arr(3, np.uint8))
    with pytest.raises(TypingError, match=r"math.trunc\(\) of a uint8"):
        ember.jit(f)(arr(3, np.uint8))
