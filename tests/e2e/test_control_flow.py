"""Branches and loops compiled, compared exactly with CPython."""
import pytest

import ember
from .differential import check
from tests.programs import (continue_odd, damped, early_return, elif_chain, last_index, nested_flags,
                            newton_sqrt, return_in_while, while_else)


def sum_range(a, b, c):
    s = 0
    n = 0
    for i in range(a, b, c):
        s += i % 1000 - 500
        n += 1
    return s, n


def range_one(n):
    s = 0.0
    for i in range(n):
        s += 1.0 / (i + 1)
    return s


def for_else(n, stop):
    found = -1
    for i in range(n):
        if i == stop:
            found = i
            break
    else:
        found = 1000
    return found


def promoted(n):
    s = 0
    for i in range(n):
        s += 0.5 * i
    return s


def int_or_float(x):
    if x > 0:
        return 1
    return 2.5


def defined_in_both(flag):
    if flag:
        y = 1.5
    else:
        y = 2
    return y


def test_damped_example():
    f = ember.jit(damped)
    for x in [1.5, -1.5, 0.0, 3.25]:
        for n in [0, 1, 10, 1000]:
            check(damped, x, n, jitted=f)


def test_ranges():
    f = ember.jit(sum_range)
    for a, b, c in [(0, 10, 1), (10, 0, -1), (10, -10, -3), (0, 0, 1), (5, 100, 7), (-5, 5, 2),
                    (3, 3, -1), (0, 10, 100), (2**62, 2**63 - 1, 2**61)]:
        check(sum_range, a, b, c, jitted=f)
    with pytest.raises(ValueError, match="must not be zero"):
        f(0, 10, 0)
    check(range_one, 0)
    check(range_one, 10)
    check(last_index, 0)
    check(last_index, 5)


@pytest.mark.parametrize("fn,argsets", [
    (for_else, [(10, 3), (10, 20), (0, 0)]),
    (while_else, [(6,), (20,), (0,)]),
    (continue_odd, [(0,), (11,)]),
    (early_return, [(2,), (10,)]),
    (return_in_while, [(100.0,), (0.5,)]),
    (promoted, [(7,)]),
    (int_or_float, [(-1,)]),
    (nested_flags, [(0,), (30,)]),
    (elif_chain, [(-5,), (-0.5,), (0,), (3,)]),
    (defined_in_both, [(True,)]),
    (newton_sqrt, [(2.0,), (1e10,)]),
])
def test_control(fn, argsets):
    f = ember.jit(fn)
    for args in argsets:
        check(fn, *args, jitted=f)


def test_promotion_at_merges():
    """A variable or result that is an int on one path and a float on another is a float."""
    check(promoted, 0, promoted=True)
    check(int_or_float, 1, promoted=True)
    check(defined_in_both, False, promoted=True)


def test_promotion_types():
    assert ember.jit(promoted)(3) == 1.5
    assert type(ember.jit(int_or_float)(1)) is float
    assert type(ember.jit(promoted)(0)) is float
