"""Forward mode through lists of floats (shadow lists), and forward over reverse: the jvp of
a vjp (a Hessian-vector product) differentiates reverse mode's tapes, which are lists."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ember.autodiff import jvp, vjp
from ember.compiler import compile_derivative
from ember.ir.errors import DifferentiationError
from ember.typeof import typeof
from tests.autodiff.test_forward_util import check_jvp, derive_jvp


def collect(x, n):
    vals = []
    for i in range(n):
        vals.append(math.sin(x * i))
    vals[0] = x * x
    s = 0.0
    for v in vals:
        s += v * v
    return s + len(vals)


def pairs(x):
    items = [(x, 1)]
    return items[0][0]


@pytest.mark.parametrize("x,n", [(0.3, 5), (1.2, 1)])
def test_list_of_floats(x, n):
    check_jvp(derive_jvp(collect, (x, n), (0,)), collect, (x, n), (0,), (1.0,))


def test_list_of_tuples_with_active_values_is_rejected():
    with pytest.raises(DifferentiationError, match="list"):
        derive_jvp(pairs, (1.0,), (0,))


def chain(x, k, n):
    e = 0.0
    for i in range(x.shape[0] - 1):
        d = x[i + 1] - x[i]
        e += k * d * d if d > 0 else 0.5 * k * math.sin(d)
    t = 1.0
    while t > 1e-3 and n > 0:  # reverse mode tapes this loop in a list
        t *= 0.5 * math.tanh(e)
        n -= 1
    return e + t


def _compile(transform, args):
    types = tuple(typeof(a, f"a{i}") for i, a in enumerate(args))
    return compile_derivative(chain, types, {"boundscheck": True}, transform).make_callable(None)


def test_forward_over_reverse_hessian_vector_product():
    x, k, n = np.array([0.1, 0.5, 0.2, 0.9, 0.4]), 2.0, 6
    grad = _compile(lambda m, e: vjp(m, e, (0,)), (x, k, n))
    hvp = _compile(lambda m, e: jvp(m, vjp(m, e, (0,)), (0,)), (x, k, n))
    v = np.random.default_rng(0).normal(size=5)
    (out, (g,)), (dout, (hv,)) = hvp(x, k, n, 1.0, v)
    assert out == chain(x, k, n)
    g_ref = grad(x, k, n, 1.0)[1][0]
    np.testing.assert_allclose(g, g_ref, rtol=1e-12)
    assert abs(dout - g_ref @ v) < 1e-12
    h = 1e-6
    fd = (grad(x + h * v, k, n, 1.0)[1][0] - grad(x - h * v, k, n, 1.0)[1][0]) / (2 * h)
    np.testing.assert_allclose(hv, fd, rtol=1e-5, atol=1e-7)
