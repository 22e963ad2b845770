"""Compiled fused expressions against NumPy: several fusions into one consumer.

Regression: `x //= y + 1` and `x[...] = x // (y + 1)` on int arrays crashed in
fuse_arrays (a stale use map after the first fusion in a block).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from tests.e2e.array_check import check_np


def ifloordiv_plus(x, y):
    x //= y + 1
    return x


def assign_floordiv_plus(x, y):
    x[...] = x // (y + 1)
    return x


def imod_plus(x, y):
    x %= y + 1
    return x


def same_producer_twice(a):
    x = (a + 1) * (a + 1)
    return x


def chain_of_three_twice(a, b):
    t = ((a + 1) * b - 2) // (b + 3)
    return t * t + t


def chain_inplace(x, a, b):
    x[...] = ((a + 1) * (a + 1) - b) // (x + 1) + (a + 1)
    return x


def _ints(n: int, lo: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(lo, lo + 9, n).astype(np.int64)


@pytest.mark.parametrize("fn", [ifloordiv_plus, assign_floordiv_plus, imod_plus])
@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_inplace_floordiv_of_a_sum(fn, dtype):
    jitted = ember.jit(fn)
    x = _ints(7, -4, 1).astype(dtype)
    for y in (_ints(7, 0, 2), _ints(7, 1, 3)[:1]):  # same shape; broadcast from (1,)
        check_np(fn, x, y.astype(dtype), jitted=jitted)
    # 2-d destination, 1-d operand broadcast along rows
    check_np(fn, np.arange(12, dtype=dtype).reshape(3, 4) - 5, np.arange(4, dtype=dtype),
             jitted=jitted)


def test_floordiv_by_zero_after_the_sum_matches_numpy():
    """y + 1 == 0 for some elements: NumPy gives 0 for ints (with a warning) and inf/nan
    for floats."""
    for dtype in (np.int64, np.float64):
        x, y = np.arange(-3, 3).astype(dtype), np.array([-1, 0, -1, 2, -1, 1]).astype(dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            check_np(ifloordiv_plus, x, y)
            check_np(assign_floordiv_plus, x, y)


@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_same_producer_twice_and_chains(dtype):
    a, b = _ints(6, -3, 4).astype(dtype), _ints(6, 0, 5).astype(dtype)
    check_np(same_producer_twice, a)
    check_np(same_producer_twice, a.reshape(2, 3))
    check_np(chain_of_three_twice, a, b)
    check_np(chain_of_three_twice, a.reshape(2, 3), b[:3])
    check_np(chain_inplace, _ints(6, 0, 6).astype(dtype), a, b)


def test_mismatch_inside_a_fused_chain_reports_numpy_message():
    a, b = np.arange(4), np.arange(3)
    check_np(chain_of_three_twice, a, b)
    check_np(ifloordiv_plus, np.arange(4), np.arange(3))
    check_np(assign_floordiv_plus, np.arange(3), np.arange(6).reshape(2, 3))


def where_plus(c, a, b):
    return np.where(c > 0, a + 1, b) * 2


@pytest.mark.parametrize("shapes", [((2, 2, 2), (3, 2, 2), (2, 2, 2)),
                                    ((2, 1, 2, 2, 1), (1, 3, 2, 2, 2), (2, 2, 1, 1, 3))])
def test_wide_broadcast_group_message_has_every_extent(shapes):
    """A three-operand group of 3-d or 5-d operands formats 9 or 15 extents into NumPy's
    message (backend/runtime_helpers.ERR_ARG_SLOTS is 16)."""
    check_np(where_plus, *(np.ones(s) for s in shapes))
    s0 = shapes[0]
    check_np(where_plus, np.arange(np.prod(s0)).reshape(s0) % 2, np.ones(s0[1:]), np.zeros(1))
