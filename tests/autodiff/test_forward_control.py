"""Forward mode through control flow: branches, for loops with carried values, while loops
with data-dependent trip counts, break / continue / early return, nested loops."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests.autodiff.test_forward_util import check_jvp, derive_jvp
from tests.autodiff.programs import chain_energy


def branches(x, y):
    if x > y:
        z = x * y
        if z > 1.0:
            z = math.log(z)
        else:
            z = -z * z
    elif x < -y:
        z = math.sin(x) + 1.0
    else:
        z = 2.0  # a constant on this path: zero tangent
    return z * y


def newton_sqrt(a):
    # a while loop whose trip count depends on the value differentiated
    x = a
    while abs(x * x - a) > 1e-12 * a:
        x = 0.5 * (x + a / x)
    return x


def loops(x, n):
    s = 0.0
    p = 1.0
    for i in range(n):
        if i % 3 == 1:
            continue
        s += math.sin(x * i) * p
        p *= x
        for j in range(i):
            s -= 0.01 * x * j
        if s > 50.0:
            break
    return s + p


def early(x, n):
    acc = x
    for i in range(n):
        acc = acc * 1.1 + math.cos(acc)
        if acc > 10.0:
            return acc * 2.0
    return acc - x * x


def guarded(x, n):
    s = 0.0
    for i in range(n):
        try:
            s += math.sqrt(x - i)     # ValueError once i > x
            if s > 6.0:
                raise ValueError("big")
        except ValueError:
            s = s * 0.5 + x           # continues from the state recorded before the raise
    return s


def nested_try(x):
    try:
        a = x * x
        try:
            b = math.log(a - 4.0)
        except ValueError:
            b = a * 0.25
        c = math.sqrt(b - 1.0)
    except ValueError:
        c = -x
    return c * x


_cache: dict = {}


def derived(f, primals, wrt):
    key = (f, tuple(wrt))
    if key not in _cache:
        _cache[key] = derive_jvp(f, primals, wrt)
    return _cache[key]


@pytest.mark.parametrize("seed", range(3))
def test_chain_energy_from_the_issue(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=6)
    d = derived(chain_energy, (x, 2.0, 10), (0, 1))
    check_jvp(d, chain_energy, (x, 2.0, 10), (0, 1), (rng.normal(size=6), 0.7))


@pytest.mark.parametrize("xy", [(2.0, 0.9), (0.5, 0.25), (-2.0, 0.5), (0.1, 0.3)])
def test_nested_branches(xy):
    check_jvp(derived(branches, xy, (0, 1)), branches, xy, (0, 1), (1.0, -0.5))


@pytest.mark.parametrize("a", [0.5, 2.0, 17.0])
def test_while_with_data_dependent_trip_count(a):
    d = derived(newton_sqrt, (a,), (0,))
    out, tan = d(a, 1.0)
    assert out == newton_sqrt(a)
    assert abs(tan - 0.5 / math.sqrt(a)) < 1e-9


@pytest.mark.parametrize("x,n", [(0.9, 7), (1.3, 12), (0.2, 0), (2.0, 30)])
def test_continue_break_and_nested_loops(x, n):
    check_jvp(derived(loops, (x, n), (0,)), loops, (x, n), (0,), (1.0,))


@pytest.mark.parametrize("x,n", [(0.5, 3), (0.5, 40), (3.0, 5)])
def test_early_return_from_a_loop(x, n):
    check_jvp(derived(early, (x, n), (0,)), early, (x, n), (0,), (1.0,))


@pytest.mark.parametrize("x,n", [(3.5, 3), (3.5, 6), (30.0, 5), (0.5, 4)])
def test_try_except(x, n):
    check_jvp(derived(guarded, (x, n), (0,)), guarded, (x, n), (0,), (1.0,))


@pytest.mark.parametrize("x", [3.0, 1.5, 2.2, 0.5])
def test_nested_try(x):
    check_jvp(derived(nested_try, (x,), (0,)), nested_try, (x,), (0,), (1.0,))
