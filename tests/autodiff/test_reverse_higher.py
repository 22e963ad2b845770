"""The output of vjp is ordinary typed IR: forward mode differentiates it again (a
Hessian-vector product, forward over reverse), and so does reverse mode (reverse over
reverse: the first vjp's tapes, arrays and lists, get shadows of their own)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ember.autodiff import jvp, vjp
from tests.autodiff.harness import derive
from tests.autodiff.test_reverse_arrays import heat
from tests.autodiff.test_reverse_util import derive_vjp, fresh


def looped(x, y, n):
    s = 0.0
    for i in range(n):
        s = s * 0.5 + math.sin(x * y + s)
    return s * x


def whiled(x, n):
    t = x
    k = 0
    while k < n:
        t = t * 0.9 + math.sin(t)
        k += 1
    return t


CASES = [(looped, (0.3, 0.7, 4), (0, 1)), (whiled, (0.3, 4), (0,)),
         (heat, (np.array([0.1, 0.5, -0.3, 0.8, 0.2]), 0.2, 3), (0,))]


@pytest.mark.parametrize("f, primals, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_forward_over_reverse_is_the_hessian(f, primals, wrt):
    hvp = derive(f, primals, lambda m, e: jvp(m, vjp(m, e, wrt), (0,)))
    grad = derive_vjp(f, primals, wrt)
    x = primals[0]
    direction = np.ones_like(x) if isinstance(x, np.ndarray) else 1.0
    (_, grads), (_, hess) = hvp(*fresh(tuple(primals)), 1.0, direction)
    h = 1e-5
    up = grad(*fresh((x + h * direction,) + tuple(primals[1:])), 1.0)[1]
    down = grad(*fresh((x - h * direction,) + tuple(primals[1:])), 1.0)[1]
    for got, a, b in zip(hess, up, down):
        np.testing.assert_allclose(got, (np.asarray(a) - np.asarray(b)) / (2 * h), rtol=1e-5, atol=1e-7)


def test_reverse_over_reverse_through_a_for_loop():
    d = derive(looped, (0.3, 0.7, 4), lambda m, e: vjp(m, vjp(m, e, (0, 1)), (0,)))
    (_, (gx, _)), (hxx,) = d(0.3, 0.7, 4, 1.0, (0.0, (1.0, 0.0)))
    grad = derive_vjp(looped, (0.3, 0.7, 4), (0, 1))
    h = 1e-5
    fd = (grad(0.3 + h, 0.7, 4, 1.0)[1][0] - grad(0.3 - h, 0.7, 4, 1.0)[1][0]) / (2 * h)
    assert abs(hxx - fd) < 1e-6 * max(1.0, abs(fd))


def second_order_cases():
    from tests.autodiff.test_reverse_arrays import elementwise_out, overwritten
    from tests.autodiff.test_reverse_control import chain_energy, early_exits, list_in_loop
    rng = np.random.default_rng(21)
    return [(chain_energy, (rng.normal(size=5), 0.8, 7), (0, 1)),
            (heat, (rng.normal(size=5), 0.2, 3), (0, 1)),
            (elementwise_out, (rng.normal(size=4),), (0,)),
            (overwritten, (rng.normal(size=4) * 0.5, 2), (0,)),
            (early_exits, (0.7, 9), (0,)), (whiled, (0.3, 4), (0,)),
            (list_in_loop, (0.3, 5), (0,))]


@pytest.mark.parametrize("case", range(7))
def test_reverse_over_reverse_equals_forward_over_reverse(case):
    f, primals, wrt = second_order_cases()[case]
    x = primals[0]
    direction = np.zeros_like(x) if isinstance(x, np.ndarray) else 1.0
    if isinstance(x, np.ndarray):
        direction.flat[0] = 1.0
    fwd = derive(f, primals, lambda m, e: jvp(m, vjp(m, e, wrt), (0,)))
    _, (_, hv) = fwd(*fresh(tuple(primals)), 1.0, direction)
    rev = derive(f, primals, lambda m, e: vjp(m, vjp(m, e, wrt), (0,)))
    zeros = [np.zeros_like(primals[i]) if isinstance(primals[i], np.ndarray) else 0.0 for i in wrt]
    zeros[0] = direction
    _, (h,) = rev(*fresh(tuple(primals)), 1.0, (0.0, tuple(zeros)))
    np.testing.assert_allclose(h, hv[0], rtol=1e-9, atol=1e-12)
