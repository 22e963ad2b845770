"""Reverse mode through control flow: branches, for loops (several carried values,
nested, triangular), while loops with data-dependent trip counts, break/continue/early
return, and the issue's chain_energy example. Loops stay loops: a loop tapes its carried
values once per iteration and the reverse replays each iteration from its tape."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ember.autodiff import vjp
from ember.backend.runtime_helpers import live_blocks
from ember.compiler import _infer, untyped_ir
from ember.ir.passes import optimize
from ember.ir.verifier import verify_module
from ember.typeof import typeof
from tests.autodiff.test_reverse_util import check_vjp
from tests.autodiff.programs import chain_energy, early_exits


@pytest.mark.parametrize("seed", range(3))
def test_chain_energy(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=int(rng.integers(2, 9)))
    check_vjp(chain_energy, (x, float(rng.uniform(0.1, 2.0)), int(rng.integers(0, 12))), (0, 1),
              float(rng.normal()))


def branchy(x, y):
    if x > y:
        z = x * y
        w = math.sin(z)
    else:
        z = x / y
        w = z * z
    if w > 0.3:
        return w * z
    return w + y


@pytest.mark.parametrize("seed", range(4))
def test_branches(seed):
    rng = np.random.default_rng(seed)
    x, y = (float(v) for v in rng.uniform(0.2, 2.0, size=2))
    check_vjp(branchy, (x, y), (0, 1), 1.0)


def carried(x, y, n):
    a, b, c = x, y, 0.0
    for i in range(n):
        a, b = b, a * b + 0.1 * math.sin(c)
        c += a * i
    return a + 2 * b + c


def triangular(x, n):
    s = 0.0
    for i in range(n):
        t = x
        for j in range(i):
            t = t * 0.9 + math.sin(t) * 0.1
        s += t * (i + 1)
    return s


def stepped(x, lo, hi):
    s = x
    for i in range(hi, lo, -2):
        s = s * 0.5 + math.cos(s * i)
    return s


def test_loops_carrying_several_values():
    check_vjp(carried, (0.9, 1.1, 5), (0, 1), 1.0)
    check_vjp(carried, (0.9, 1.1, 0), (0, 1), 1.0)


def test_nested_triangular_loops():
    check_vjp(triangular, (0.4, 6), (0,), 1.0)


def test_negative_step_range():
    check_vjp(stepped, (0.3, -3, 9), (0,), 1.0)
    check_vjp(stepped, (0.3, 9, 3), (0,), 1.0)     # empty range


def test_break_continue_early_return():
    check_vjp(early_exits, (0.7, 9), (0,), 1.0)
    check_vjp(early_exits, (1.9, 9), (0,), 1.0)


def while_nested(x, tol):
    t = x
    steps = 0
    while abs(t) > tol:
        u = t
        j = 0
        while j < 3:
            u = u * 0.7 + 0.01 * math.sin(u)
            j += 1
        t = u
        steps += 1
    return t + steps


def test_while_inside_while():
    check_vjp(while_nested, (3.0, 1e-2), (0,), 1.0)


def newton_sqrt(a):
    x = a
    for _ in range(30):
        if abs(x * x - a) < 1e-12:
            break
        x = 0.5 * (x + a / x)
    return x


def test_newton_iteration():
    _, (g,) = check_vjp(newton_sqrt, (2.0,), (0,), 1.0)
    assert abs(g - 0.5 / math.sqrt(2.0)) < 1e-9


def long_while(x, n):
    t = x
    i = 0
    while i < n:
        t = t + 1e-5 * math.sin(t)
        i += 1
    return t


def test_while_of_1e5_iterations_tapes_linearly():
    before = live_blocks()
    check_vjp(long_while, (0.3, 100_000), (0,), 1.0, rtol=1e-5)
    assert live_blocks() == before      # every tape is freed
    # The tape is allocated outside the loop and grown by appends: no allocation per iteration.
    types = (typeof(0.3, "x"), typeof(10, "n"))
    m, entry = _infer(untyped_ir(long_while), types, {})
    optimize(m, entry, counted=False)
    name = vjp(m, entry, (0,))
    verify_module(m, typed=True)
    for op in m[name].walk():
        if op.name in ("scf.while", "scf.for"):
            inner = [o.name for o in op.walk() if o is not op]
            assert "list.new" not in inner and "array.alloc" not in inner


def loops_in_branches(x, y, n):
    s = y
    if x > 0.5:
        for i in range(n):
            s = s * 0.9 + math.sin(x * s)
    else:
        k = 0
        while k < n:
            s = s * x + 0.1
            k += 1
    return s


def while_in_for(x, n):
    s = 0.0
    for i in range(n):
        t = x[i]
        while t < 3.0:
            t = t * 1.5 + 0.2
        s += t * x[i]
    return s


def test_loops_inside_branches():
    check_vjp(loops_in_branches, (0.7, 0.3, 4), (0, 1))
    check_vjp(loops_in_branches, (0.2, 0.3, 4), (0, 1))


def test_data_dependent_while_inside_for():
    rng = np.random.default_rng(8)
    check_vjp(while_in_for, (rng.uniform(0.5, 1.0, size=4), 4), (0,))


def list_in_loop(x, n):
    vals = [1]
    s = 0.0
    for i in range(n):
        vals.append(i * 2)       # not replayed: the replay reads len and items from the tape
        s = s * 0.5 + math.sin(x * len(vals)) * vals[i]
    return s


def test_lists_changed_inside_a_reversed_loop():
    check_vjp(list_in_loop, (0.3, 5), (0,))


def init_used_in_body(x, n):
    t = x                        # the loop's initial value is also used inside it
    for i in range(n):
        t = math.sin(t) + x * 0.5
    return t


def float_list(x, n):
    vals = []
    t = x
    for i in range(n):
        t = math.sin(t) + x * 0.5
        vals.append(t)           # a list of floats has a shadow list
    s = 0.0
    for i in range(len(vals)):
        s += vals[i] * vals[len(vals) - 1 - i]
    vals[0] = x * 3.0
    return s + vals[0] * vals[1]


def list_made_in_loop(x, n):
    s = 0.0
    for k in range(n):
        v = [x * k, x * x]
        s += v[0] * v[1]
    return s


def test_loop_init_that_the_body_also_uses():
    check_vjp(init_used_in_body, (0.4, 5), (0,))


def test_lists_of_floats():
    check_vjp(float_list, (0.4, 5), (0,))


def test_list_of_floats_made_inside_a_loop_is_refused():
    from ember.ir.errors import DifferentiationError
    with pytest.raises(DifferentiationError, match="outside any loop"):
        check_vjp(list_made_in_loop, (0.4, 3), (0,))
