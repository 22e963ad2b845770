"""raise / assert in compiled code: same exception type and message as CPython, and the
state computed before the raise kept (differential against CPython).

PYTEST_DONT_REWRITE: pytest must not rewrite the `assert` statements under test.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.ir.errors import TypingError, UnsupportedSyntaxError
from tests.e2e.differential import check

LIMIT = 2.5
WHAT = "limit"


def constant_message(x):
    if x < 0:
        raise ValueError("x must be >= 0 {not a field}")
    return x + 1


def no_message(x):
    if x == 1:
        raise TypeError
    if x == 2:
        raise RuntimeError()
    return x


def fstring_specs(x, k):
    if x > LIMIT:
        raise ArithmeticError(f"diverged at step {k}: x = {x:.3f}, {x:.2e} {x:.4g} {x} "
                              f"{k:5d}|{k:<4}|{x:+10.2f}|{k:,}|{x:.1%} {x > 3} {WHAT!r} {WHAT}")
    return x


def percent_and_str(x, k):
    if k > 2:
        raise OverflowError("k=%d x=%.3f s=%s r=%r %5s|%-6d|%% " % (k, x, x, k > 3, k, k)
                            + str(x) + " " + repr(k) + " " + str(WHAT))
    return k


def assert_forms(x, n):
    assert x > 0, f"x={x} not positive at n={n}"
    assert n != 3
    assert x < 100, "too big"
    return x * n


def key_and_zero(k):
    if k == 0:
        raise ZeroDivisionError("division by zero here")
    if k == 1:
        raise KeyError("missing")
    if k == 2:
        raise IndexError(f"index {k} out of range")
    if k == 3:
        raise NotImplementedError("later")
    if k == 4:
        raise AssertionError(f"{k / 3}")
    return k


def special_floats(x):
    raise ValueError(f"{x} {x:.3f} {x:e}")


def test_constant_and_missing_messages():
    for x in (-1.0, 2.0):
        check(constant_message, x)
    for x in (1, 2, 3):
        check(no_message, x)


@pytest.mark.parametrize("x,k", [(1.0, 0), (3.14159, 7), (123456.789, -1234567), (2.5000001, 12)])
def test_fstring_format_specs(x, k):
    check(fstring_specs, x, k)


@pytest.mark.parametrize("x,k", [(0.1, 1), (1 / 3, 3), (2.0, 4), (1e20, 5)])
def test_percent_and_str(x, k):
    check(percent_and_str, x, k)


@pytest.mark.parametrize("x,n", [(1.5, 2), (-0.5, 1), (2.0, 3), (200.0, 1)])
def test_assert(x, n):
    check(assert_forms, x, n)


@pytest.mark.parametrize("k", range(6))
def test_builtin_classes(k):
    check(key_and_zero, k)


@pytest.mark.parametrize("x", [0.1, -0.0, math.inf, -math.inf, math.nan, 1e300, 5e-324, 1.0])
def test_float_formatting_exact(x):
    check(special_floats, x)


def fill_until(a, limit):
    total = 0.0
    for i in range(a.shape[0]):
        a[i] = i * 1.5
        total += a[i]
        if total > limit:
            raise ValueError(f"total {total} passed {limit} at i={i}")
    return total


@pytest.mark.parametrize("limit", [4.0, 100.0])
def test_state_before_raise_is_kept(limit):
    py, jit = np.zeros(6), np.zeros(6)
    fast = ember.jit(fill_until)
    try:
        expected = ("value", fill_until(py, limit))
    except ValueError as e:
        expected = ("raise", str(e))
    try:
        got = ("value", fast(jit, limit))
    except ValueError as e:
        got = ("raise", str(e))
    assert got == expected
    np.testing.assert_array_equal(jit, py)


def raise_in_while(x):
    steps = 0
    while True:
        x = x * 3.0 + 1.0
        steps += 1
        if not math.isfinite(x):
            raise OverflowError(f"diverged after {steps} steps")
        if steps > 1000:
            return x


def raise_at_top(x):
    raise ValueError(f"always {x}")


def value_then_raise(x):
    if x > 0:
        return x
    raise ValueError("non-positive")


def test_raise_in_loops_and_at_top_level():
    check(raise_in_while, 2.0)
    check(raise_at_top, 4)
    check(value_then_raise, 1.5)
    check(value_then_raise, -1.5)


def test_raise_in_callee_propagates():
    inner = ember.jit(value_then_raise)

    def outer(x):
        return inner(x) + 1.0

    check(outer, 2.0)
    check(outer, -2.0)


def _compile_error(fn, *args):
    with pytest.raises((UnsupportedSyntaxError, TypingError)) as info:
        ember.jit(fn)(*args)
    return str(info.value)


class MyError(Exception):
    pass


def test_unsupported_forms_are_compile_errors():
    def custom(x):
        raise MyError("x")

    def bad_spec(x):
        raise ValueError(f"{x:x}")

    def float_d(x):
        raise ValueError(f"{x:d}")

    def reraise(x):
        raise

    def array_value(a):
        raise ValueError(f"{a}")

    assert "builtin exception classes" in _compile_error(custom, 1)
    assert "format spec" in _compile_error(bad_spec, 1)
    assert "format code 'd'" in _compile_error(float_d, 1.0)
    assert "try/except" in _compile_error(reraise, 1)
    assert "exception message" in _compile_error(array_value, np.zeros(2))


def value_argument(x):
    if x > 0:
        raise KeyError(x)
    raise ValueError(x * 0.5)


def test_value_argument_is_the_exception_argument():
    # raise E(value): the value itself is the argument (str(KeyError(5)) is '5', not "'5'")
    for x in (5, -3):
        with pytest.raises(Exception) as want:
            value_argument(x)
        with pytest.raises(Exception) as got:
            ember.jit(value_argument)(x)
        assert type(got.value) is type(want.value)
        assert got.value.args == want.value.args and str(got.value) == str(want.value)


def test_too_many_values_is_a_compile_error():
    def many(x):
        raise ValueError(f"{x}{x}{x}{x}{x}{x}{x}{x}{x}{x}{x}{x}{x}{x}{x}{x}{x}")

    assert "at most 16" in _compile_error(many, 1)
