"""Differential tests of the frontend: the untyped IR, run by a reference interpreter with
CPython semantics, must give exactly what CPython gives. This checks the lowering of every
control-flow form (flags, carried values, short-circuit evaluation) before any later stage."""
import math

import pytest

from ember.frontend import build_function

from .interp import Interpreter
from .structure import check_structure
from tests.programs import (continue_odd, damped, early_return, elif_chain, last_index, nested_flags,
                            newton_sqrt, return_in_while, while_else)

SCALE = 3
PAIR = (2, 0.5)


def arith(a, b):
    return a + b * 2 - a / b + a // b - a % b + a ** 2, -a, +b, ~3, not a


def bits(a, b):
    return a << 2, a >> 1, a & b, a | b, a ^ b


def chain(a, b, c):
    return a < b <= c, a == b != c, a > b >= c


def chain_once(x):
    calls = 0
    r = 0 < helper_count(x) < 10
    return r


def helper_count(x):
    return x * 2


def and_or(a, b, c):
    return (a and b), (a or b), (a and b or c), (a or b and c), (not a and c)


def ifexp(x):
    return 1.5 if x > 0 else (2 if x == 0 else -1)


def swap(a, b):
    a, b = b, a
    (c, (d, e)) = (a + 1, (b, a))
    t = c, d
    p, q = t
    return p, q, e


def gcd(a, b):
    """Euclid."""
    while b:
        a, b = b, a % b
    return a


def aug(x):
    y = x
    y += 2
    y *= 3
    y -= 1
    y //= 2
    y **= 2
    y %= 1000
    y <<= 1
    y |= 1
    return y


def sum_range(a, b, c):
    s = 0
    for i in range(a, b, c):
        s += i * i
    return s


def loop_var_reassigned(n):
    for i in range(n):
        i = i * 10
    return i if n > 0 else -1


def for_else(n, stop):
    found = -1
    for i in range(n):
        if i == stop:
            found = i
            break
    else:
        found = 1000
    return found, i if n > 0 else -1


def for_break_runtime_step(a, b, c, stop):
    s = 0
    k = 0
    for k in range(a, b, c):
        if k == stop:
            break
        s += k
    else:
        s = -s
    return s, k


def early_exit_sequence(x):
    if x < 0:
        return -1
    y = x * 2
    if y > 10:
        return y
    y += 1
    return y


def break_in_else_of_inner(n):
    hits = 0
    for i in range(n):
        for j in range(i):
            hits += 1
        else:
            if i > 3:
                break
        hits += 100
    return hits, i if n else 0


def continue_then_break(n):
    s = 0
    k = 0
    while True:
        k += 1
        if k % 2 == 0:
            continue
        if k > n:
            break
        s += k
    return s


def return_from_else_clause(n):
    for i in range(n):
        if i == 100:
            break
    else:
        return -7
    return i


def procedure(n):
    s = 0
    for i in range(n):
        if i > 2:
            return
        s += i


def negative_steps(n):
    s = 0
    for i in range(n, -1, -2):
        if i == 3:
            continue
        s = s * 3 + i
    for j in range(n, 0, -1):
        if s > 10 ** 6:
            break
        s += j
    return s


def builtins_mix(a, b):
    q, r = divmod(a, b)
    return abs(a - b), min(a, b, 3), max(a, b), int(a / 3), float(a), bool(b), round(a / 7), \
        round(a / 7, 2), q, r


def math_mix(x):
    return (math.floor(x), math.ceil(x), math.trunc(x), math.log(x + 3, 2), math.hypot(x, 1),
            math.atan2(x, 2), math.copysign(1.0, x), math.pi * math.e, math.isnan(x),
            math.fmod(x, 0.7), math.exp2(x))


def uses_globals(x):
    a, b = PAIR
    return x * SCALE + a + b


def kw_callee(a, b=10, c=0.5):
    return a * b + c


def calls_kw(x):
    return kw_callee(x) + kw_callee(x, c=2.0) + kw_callee(b=3, a=x)


def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)


def shadow_then_use(flag):
    if flag:
        y = 1
    else:
        y = 2.5
    z = y + 1
    return z


def deep_return(n):
    i = 0
    while i < n:
        j = 0
        while j < n:
            k = 0
            while k < n:
                if i + j + k == 5:
                    return i, j, k
                k += 1
            j += 1
        i += 1
    return -1, -1, -1


CASES = [
    (arith, [(7, 2), (-7, 3), (2.5, -1.5)]),
    (bits, [(5, 3), (-8, 6)]),
    (chain, [(1, 2, 3), (1, 1, 1), (3, 2, 1), (1, 2, 2)]),
    (chain_once, [(1,), (10,)]),
    (and_or, [(0, 1, 2), (1, 0, 2), (3, 4, 0), (0, 0, 0), (0.0, 2.5, 1)]),
    (ifexp, [(1,), (0,), (-3,)]),
    (swap, [(1, 2), (3.5, -1)]),
    (gcd, [(12, 18), (17, 5), (0, 3)]),
    (aug, [(5,), (-3,)]),
    (damped, [(1.5, 10), (-1.5, 7), (0.0, 0)]),
    (sum_range, [(0, 10, 1), (10, 0, -1), (10, -10, -3), (0, 0, 1), (5, 100, 7)]),
    (last_index, [(0,), (5,)]),
    (loop_var_reassigned, [(0,), (4,)]),
    (for_else, [(10, 3), (10, 20), (0, 0)]),
    (for_break_runtime_step, [(0, 10, 1, 5), (10, 0, -1, 5), (10, 0, -3, 5), (0, 10, 2, 99),
                              (3, 3, 1, 0)]),
    (while_else, [(6,), (20,), (0,)]),
    (continue_odd, [(0,), (11,)]),
    (early_return, [(2,), (10,)]),
    (return_in_while, [(100.0,), (0.5,)]),
    (nested_flags, [(0,), (30,)]),
    (elif_chain, [(-5,), (-0.5,), (0,), (3,)]),
    (early_exit_sequence, [(-1,), (2,), (7,)]),
    (break_in_else_of_inner, [(0,), (3,), (10,)]),
    (continue_then_break, [(0,), (9,)]),
    (return_from_else_clause, [(3,), (200,)]),
    (procedure, [(0,), (10,)]),
    (newton_sqrt, [(2.0,), (1e10,)]),
    (negative_steps, [(0,), (9,), (2000,)]),
    (builtins_mix, [(7, 3), (-4, 5)]),
    (math_mix, [(0.3,), (-2.5,)]),
    (uses_globals, [(2,)]),
    (calls_kw, [(3,), (0.5,)]),
    (fact, [(0,), (6,)]),
    (shadow_then_use, [(True,), (False,)]),
    (deep_return, [(2,), (4,)]),
]


@pytest.mark.parametrize("fn,argsets", CASES, ids=[c[0].__name__ for c in CASES])
def test_matches_cpython(fn, argsets):
    ir = build_function(fn)
    check_structure(ir)
    interp = Interpreter()
    for args in argsets:
        want = fn(*args)
        got = interp.call(ir, list(args))
        assert got == want and type(got) is type(want), (fn.__name__, args, got, want)


def test_zero_step_raises_in_break_loop():
    ir = build_function(for_break_runtime_step)
    with pytest.raises(ValueError, match="must not be zero"):
        Interpreter().call(ir, [0, 10, 0, 3])


def test_short_circuit_does_not_evaluate_right_side():
    def f(a, b):
        return a != 0 and b // a > 1

    ir = build_function(f)
    assert Interpreter().call(ir, [0, 5]) is False  # b // 0 never evaluated
    assert Interpreter().call(ir, [2, 5]) is True
