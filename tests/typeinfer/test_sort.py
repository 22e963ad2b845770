"""np.sort / np.argsort / a.sort() / a.argsort() of 1-D arrays against NumPy.

ember's sort is a stable merge sort for every kind=, so argsort is compared with NumPy's
kind='stable' (NumPy's default argsort is not stable: with ties the index order differs),
or on arrays without ties. nan sorts last; -0.0 and 0.0 are equal (stable order kept)."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from tests.e2e.array_check import check_np, layouts, same_value

RNG = np.random.default_rng(7)
DTYPES = [np.float64, np.float32, np.int64, np.int32, np.int16, np.int8, np.uint64,
          np.uint32, np.uint16, np.uint8, np.bool_]


def data(n, dtype):
    if dtype is np.bool_:
        return RNG.random(n) > 0.5
    x = RNG.standard_normal(n) * 50
    if np.dtype(dtype).kind == "u":
        x = np.abs(x)
    a = x.astype(dtype)
    if np.dtype(dtype).kind == "f" and n > 4:
        a[[1, n // 2]] = np.nan
        a[3] = -0.0
        a[0] = 0.0
    if dtype is np.uint64 and n > 3:
        a[2] = 2 ** 64 - 3  # above int64's range: unsigned order
        a[1] = 2 ** 63
    return a


def sort(a):
    return np.sort(a)


def argsort(a):
    return np.argsort(a)


def argsort_stable_np(a):
    return np.argsort(a, kind="stable")


def sort_method(a):
    a.sort()
    return a


def argsort_method(a):
    return a.argsort()


SORT, ARGSORT, SORT_M, ARGSORT_M = (ember.jit(f) for f in (sort, argsort, sort_method,
                                                          argsort_method))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [0, 1, 7, 1000])
def test_sort(dtype, n):
    a = data(n, dtype)
    # NumPy's default sort may swap -0.0 and 0.0 (unstable): values compared by ==, and
    # exactly (sign of zero too) against NumPy's stable sort
    check_np(sort, a[3:] if n > 4 else a, jitted=SORT)
    want = np.sort(a, kind="stable")
    assert same_value(SORT(a), want)
    b = a.copy()
    assert SORT_M(b) is b and same_value(b, want)
    # argsort: ember is stable whatever the kind: compare with NumPy's stable argsort
    got = ARGSORT(a)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, np.argsort(a, kind="stable"))
    np.testing.assert_array_equal(ARGSORT_M(a), np.argsort(a, kind="stable"))


def test_argsort_without_ties_matches_default():
    a = RNG.permutation(1001).astype(np.float64)
    check_np(argsort, a, jitted=ARGSORT)
    check_np(argsort_method, a, jitted=ARGSORT_M)


@pytest.mark.parametrize("dtype", [np.float64, np.int32])
def test_layouts(dtype):
    x = data(101, dtype)
    x[x == 0] = 1  # NumPy's unstable sort may swap -0.0 and 0.0
    for a in layouts(x):
        check_np(sort, a, jitted=SORT)
        np.testing.assert_array_equal(ARGSORT(a), np.argsort(a, kind="stable"))
        check_np(sort_method, a, jitted=SORT_M)  # in place into a strided view


def test_sorts_a_view_in_place():
    def f(a):
        a[::2].sort()
    check_np(f, data(31, np.float64)[3:])


def test_readonly():
    a = data(9, np.float64)
    a.flags.writeable = False
    check_np(sort, a, jitted=SORT)
    with pytest.raises(ember.errors.TypingError, match="read-only"):
        SORT_M(a)


def test_zeros_keep_their_order():
    a = np.array([0.0, -0.0, 1.0, -0.0, 0.0, np.nan, -1.0])
    got = SORT(a)
    np.testing.assert_array_equal(np.signbit(got), [True, False, True, True, False, False,
                                                     False])
    assert same_value(got, np.sort(a, kind="stable"))


def test_axis_keyword_and_errors():
    def ax(a):
        return np.sort(a, axis=0), np.sort(a, -1), np.argsort(a, axis=None)
    check_np(ax, data(10, np.float64))

    def bad_axis(a):
        return np.sort(a, axis=1)
    with pytest.raises(ember.errors.TypingError, match="axis 1 is out of bounds"):
        ember.jit(bad_axis)(data(3, np.float64))

    def two_d(a):
        return np.sort(a)
    with pytest.raises(ember.errors.TypingError, match="1-D arrays only"):
        ember.jit(two_d)(np.zeros((2, 2)))
