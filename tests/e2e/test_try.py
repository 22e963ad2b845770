"""try / except / else / finally and re-raise in compiled code, differential against
CPython: the result, or the exception type and message, and the values the body
computed before the failing statement."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.ir.errors import UnsupportedSyntaxError
from tests.e2e.differential import check


def simple(x):
    try:
        y = 10 / x
    except ZeroDivisionError:
        y = -1.0
    return y


def hierarchy(k, x):
    a = np.zeros(3)
    try:
        if k == 0:
            return 1.0 / x
        if k == 1:
            return float(a[k + x])
        if k == 2:
            return math.sqrt(x)
        if k == 3:
            raise KeyError("missing")
        if k == 4:
            raise OverflowError(f"too big {x}")
        return 0.5
    except ArithmeticError:
        return -1.0
    except LookupError:
        return -2.0
    except Exception:
        return -3.0


def tuple_clause_and_as(k):
    try:
        if k == 1:
            raise IndexError("i")
        if k == 2:
            raise TypeError("t")
        r = 0
    except (IndexError, TypeError) as e:
        r = k * 10
    return r


def bare_except(x):
    try:
        v = 1 // x
    except:  # noqa: E722
        v = 7
    return v


def else_clause(x):
    s = 0
    try:
        s = 100 // x
    except ZeroDivisionError:
        s = -5
    else:
        s += 1
    return s


def finally_runs(x):
    log = 0
    try:
        log += 1
        v = 12 // x
        log += 10
    except ZeroDivisionError:
        log += 100
        v = 0
    finally:
        log += 1000
    return log, v


def finally_uncaught(x):
    total = 0
    try:
        try:
            total = 5
            if x > 2:
                raise ValueError(f"x is {x}")
            total = 6
        finally:
            total += 100
    except ValueError:
        return total
    return total


def finally_propagates(x):
    t = 0
    try:
        t = 1 // x
    finally:
        t = 3
    return t


def reraise(x):
    n = 0
    try:
        n = 1
        if x < 0:
            raise ValueError(f"negative: {x}")
    except ValueError:
        n = 2
        raise
    return n


def reraise_named(x):
    try:
        if x < 0:
            raise IndexError("neg %d" % x)
    except IndexError as err:
        raise err
    return x


def values_before_raise(n, bad):
    total = 0.0
    count = 0
    try:
        for i in range(n):
            count = i
            total += 1.0 / (i - bad)
    except ZeroDivisionError:
        return total, count
    return total, -1


def nested(a, b):
    r = 0
    try:
        try:
            r = 1
            q = a // b
            r = 2
        except ValueError:
            r = 3
        r += 10
        q = q + 1
    except ZeroDivisionError:
        r += 100
        q = -1
    return r, q


def in_loop(n):
    hits = 0
    acc = 0
    for i in range(n):
        try:
            acc += 60 // (i % 4)
        except ZeroDivisionError:
            hits += 1
            continue
        if acc > 1000:
            break
    return hits, acc


def _helper(x):
    if x > 5:
        raise ValueError(f"too large: {x}")
    return 1.0 / x


def calls_helper(x):
    try:
        return _helper(x)
    except ZeroDivisionError:
        return -1.0
    except ValueError:
        return -2.0


def uncaught_kind(x):
    try:
        v = 1 / x
    except IndexError:
        v = 0.0
    return v


def handler_raises(x):
    try:
        v = 1 // x
    except ZeroDivisionError:
        raise ValueError(f"bad x {x}")
    return v


def domain_error(x):
    try:
        return math.log(x)
    except ValueError:
        return -math.inf


CASES = [
    (simple, [(2.0,), (0.0,), (5,), (0,)]),
    (hierarchy, [(k, x) for k in range(6) for x in (0, 1, 5, -1)]),
    (tuple_clause_and_as, [(0,), (1,), (2,)]),
    (bare_except, [(0,), (3,)]),
    (else_clause, [(0,), (7,)]),
    (finally_runs, [(0,), (4,)]),
    (finally_uncaught, [(1,), (3,)]),
    (finally_propagates, [(0,), (1,)]),
    (reraise, [(1,), (-3,)]),
    (reraise_named, [(1,), (-3,)]),
    (values_before_raise, [(5, 3), (5, 9), (0, 0), (4, 0)]),
    (nested, [(5, 2), (5, 0)]),
    (in_loop, [(3,), (10,), (200,)]),
    (calls_helper, [(2,), (0,), (9,)]),
    (uncaught_kind, [(0.0,), (2.0,)]),
    (handler_raises, [(0,), (2,)]),
    (domain_error, [(1.0,), (-1.0,), (0.0,)]),
]


@pytest.mark.parametrize("fn,argsets", CASES, ids=[f.__name__ for f, _ in CASES])
def test_differential(fn, argsets):
    fast = ember.jit(fn)
    for args in argsets:
        check(fn, *args, jitted=fast)


def uses_exception_object(x):
    try:
        v = 1 // x
    except ZeroDivisionError as e:
        v = len(str(e))
    return v


def bare_raise_outside(x):
    if x:
        raise
    return x


def not_an_exception(x):
    try:
        v = 1 // x
    except math:
        v = 0
    return v


@pytest.mark.parametrize("fn,line", [(uses_exception_object, 4), (bare_raise_outside, 2),
                                     (not_an_exception, 3)])
def test_rejected(fn, line):
    with pytest.raises(UnsupportedSyntaxError) as info:
        ember.jit(fn)(1)
    first = fn.__code__.co_firstlineno
    assert info.value.loc.line == first + line


def test_break_and_return_through_finally():
    def f(n):
        log = 0
        for i in range(n):
            try:
                if i == 3:
                    break
                if i == 1:
                    continue
                log += i
            finally:
                log += 100
        return log

    def g(x):
        k = 0
        try:
            if x > 0:
                return x * 2
            k = 1
        finally:
            k += 10
        return k

    check(f, 6)
    check(f, 2)
    check(g, 4)
    check(g, -4)


def test_array_index_error_in_loop_keeps_partial_sum():
    def f(a, n):
        s = 0.0
        i = 0
        try:
            while True:
                s += float(a[i])
                i += 1
        except IndexError:
            pass
        return s, i

    check(f, np.arange(5.0), 0)
