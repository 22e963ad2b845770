"""Branches and loops compiled, compared exactly with CPython."""
import math

import pytest

import ember
from .differential import check


def damped(x, n):
    s = 0.0
    i = 0
    while i < n:
        if i % 3 == 0 and x > 0:
            s += math.sin(x * i)
        elif i % 3 == 1:
            s -= math.sqrt(abs(x) + i)
        else:
            s = s * 0.5 if s > 1 else s + 1
        i += 1
    return s


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


def last_index(n):
    i = -1
    for i in range(n):
        pass
    return i


def for_else(n, stop):
    found = -1
    for i in range(n):
        if i == stop:
            found = i
            break
    else:
        found = 1000
    return found


def while_else(n):
    i = 0
    while i < n:
        i += 2
        if i == 7:
            break
    else:
        i = -i
    return i


def continue_odd(n):
    s = 0
    for i in range(n):
        if i % 2:
            continue
        s += i
    return s


def early_return(n):
    for i in range(n):
        for j in range(n):
            if i * j > 12:
                return i - j
    return -1


def return_in_while(x):
    while True:
        x = x * 0.5
        if x < 1.0:
            return x


def promoted(n):
    s = 0
    for i in range(n):
        s += 0.5 * i
    return s


def int_or_float(x):
    if x > 0:
        return 1
    return 2.5


def nested_flags(n):
    total = 0
    i = 0
    while i < n:
        i += 1
        if i % 5 == 0:
            continue
        j = 0
        while True:
            j += 1
            if j > i:
                break
            if (i + j) % 7 == 0:
                continue
            total += j
    return total


def elif_chain(x):
    if x < -1:
        r = 1
    elif x < 0:
        r = 2
    elif x == 0:
        r = 3
    else:
        r = 4
    return r


def defined_in_both(flag):
    if flag:
        y = 1.5
    else:
        y = 2
    return y


def newton_sqrt(a):
    x = a
    for _ in range(100):
        nx = 0.5 * (x + a / x)
        if abs(nx - x) < 1e-15:
            break
        x = nx
    return x


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
