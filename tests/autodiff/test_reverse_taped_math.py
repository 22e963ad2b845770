"""Library calls inside nested loops go on the load tape (reverse_activity.TAPED_MATH):
a replay reads them back instead of calling again. The gradients stay those of central
differences and forward mode, the derived code calls tanh once per primal call (not
three times), a single loop keeps recomputing (its derivative may run inside a loop that
a second reverse pass differentiates), and forward-over-reverse and reverse-over-reverse
still see through the tape."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.autodiff import jvp, vjp
from ember.ir.parser import parse_module
from tests.autodiff.harness import derive
from tests.autodiff.test_reverse_util import check_vjp, derive_vjp, fresh
from tests.autodiff.test_reverse_vs_forward import stacked_jvps


def mlp(w1, b1, w2, xs, ys):
    loss = 0.0
    for s in range(xs.shape[0]):
        out = 0.0
        for h in range(w1.shape[0]):
            a = b1[h]
            for d in range(w1.shape[1]):
                a += w1[h, d] * xs[s, d]
            out += w2[h] * math.tanh(a)
        r = out - ys[s]
        loss += r * r
    return loss / xs.shape[0]


def branchy(x, c):
    """Calls in a branch of an inner loop (a varying count per outer iteration), two kinds."""
    e = 0.0
    for i in range(x.shape[0]):
        for j in range(i + 1):
            if x[j] > 0.2:
                e += math.exp(-c * x[i] * x[j])
            else:
                e += math.sin(c * x[j]) * math.log1p(x[i] * x[i])
    return e


def while_inner(x, c):
    """A while loop nested in a for loop, a call in each."""
    s = 0.0
    for i in range(x.shape[0]):
        t = x[i]
        k = 0
        while k < 3:
            t = math.tanh(c * t) + 0.5 * t
            k += 1
        s += math.cos(t) * t
    return s


def grid(x, c):
    """Two nested for loops, a call in the inner one."""
    s = 0.0
    for i in range(x.shape[0]):
        for j in range(x.shape[0]):
            s += math.tanh(c * x[i] - x[j]) * x[j]
    return s


def single(x, c):
    s = 0.0
    for i in range(x.shape[0]):
        s += math.tanh(c * x[i])
    return s


RNG = np.random.default_rng(3)
MLP_ARGS = (RNG.standard_normal((4, 3)) * 0.5, RNG.standard_normal(4) * 0.1,
            RNG.standard_normal(4) * 0.5, RNG.standard_normal((5, 3)), RNG.standard_normal(5))
CASES = [
    (mlp, MLP_ARGS, (0, 1, 2)),
    (branchy, (RNG.random(6) - 0.2, 0.8), (0, 1)),
    (while_inner, (RNG.random(5), 1.3), (0, 1)),
    (grid, (RNG.random(5), 0.7), (0, 1)),
]


@pytest.mark.parametrize("f, primals, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_matches_differences_and_forward_mode(f, primals, wrt):
    _, grads = check_vjp(f, primals, wrt, rtol=1e-5, atol=1e-7)
    for g, i in zip(grads, wrt):
        np.testing.assert_allclose(g, stacked_jvps(f, primals, i), rtol=1e-10, atol=1e-12)


def _calls(f, args, argnums, name: str) -> int:
    g = ember.value_and_grad(f, argnums=argnums)  # the primal value is used: not dead code
    g(*args)
    module = parse_module(g.inspect_ir("optimized"))
    return sum(op.name == name for fn in module for op in fn.walk())


def test_nested_loop_calls_tanh_once_and_a_single_loop_recomputes():
    assert _calls(mlp, MLP_ARGS, (0, 1, 2), "math.tanh") == 1
    assert _calls(single, (RNG.random(4), 0.5), (0, 1), "math.tanh") == 2


def test_forward_over_reverse_reads_the_taped_calls():
    primals = (RNG.random(6) - 0.2, 0.8)
    hvp = derive(branchy, primals, lambda m, e: jvp(m, vjp(m, e, (0,)), (0,)))
    grad = derive_vjp(branchy, primals, (0,))
    x, c = primals
    v = RNG.standard_normal(6)
    (_, _), (_, (hv,)) = hvp(*fresh(primals), 1.0, v)
    h = 1e-5
    fd = (grad(x + h * v, c, 1.0)[1][0] - grad(x - h * v, c, 1.0)[1][0]) / (2 * h)
    np.testing.assert_allclose(hv, fd, rtol=1e-5, atol=1e-7)


def test_reverse_over_reverse_reads_the_taped_calls():
    primals = (RNG.random(5), 1.3)
    d = derive(grid, primals, lambda m, e: vjp(m, vjp(m, e, (1,)), (1,)))
    (_, (gc,)), (hcc,) = d(*fresh(primals), 1.0, (0.0, (1.0,)))
    grad = derive_vjp(grid, primals, (1,))
    x, c = primals
    h = 1e-5
    fd = (grad(x.copy(), c + h, 1.0)[1][0] - grad(x.copy(), c - h, 1.0)[1][0]) / (2 * h)
    assert abs(hcc - fd) < 1e-5 * max(1.0, abs(fd))
    assert gc == pytest.approx(grad(x.copy(), c, 1.0)[1][0], rel=1e-12)
