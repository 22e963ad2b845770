"""What reverse mode spends beyond the primal (docs/higher-order.md, "Why the HVP of the
ODE loss cost 6-7 primals"): the derivative factor of sin / cos / sinh / cosh / erf / erfc
is computed next to the function in the forward sweep (taped with it in nested loops), so
the reverse sweep calls no libm function; the shadows of arrays a loop body makes and
keeps to itself are allocated once outside the reverse loop; load tapes of loops with
nested loops are sized after the first iteration. Gradients, HVPs and second reverse
passes stay those of central differences and forward mode."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.autodiff import jvp, vjp
from ember.ir.parser import parse_module
from ember.ir.passes.array_facts import const_int
from tests.autodiff.harness import derive
from tests.autodiff.test_reverse_util import check_vjp, derive_vjp, fresh
from tests.autodiff.test_reverse_vs_forward import stacked_jvps


def top_level(x, c):
    return math.sin(x[0] * c) * math.cos(x[1]) + math.sinh(x[2]) * math.cosh(c) + \
        math.erf(x[0]) - math.erfc(x[1] * c)


def single_loop(x, c):
    s = 0.0
    for i in range(x.shape[0]):
        s += math.sin(c * x[i]) + x[i] * math.cos(x[i]) + math.erf(x[i] - c)
    return s


def nested(x, c):
    """Calls two loops deep: taped with their factors."""
    s = 0.0
    for i in range(x.shape[0]):
        for j in range(x.shape[0]):
            s += math.sin(c * x[i] - x[j]) * math.cosh(x[j]) + math.cos(x[i] * x[j])
    return s


def nested_branch(x, c):
    """A varying number of taped calls per outer iteration (appended, not slotted)."""
    s = 0.0
    for i in range(x.shape[0]):
        for j in range(i + 1):
            if x[j] > 0.3:
                s += math.sinh(c * x[i] * x[j]) * math.erfc(x[j])
            else:
                s += math.cos(c * x[j]) * x[i]
    return s


def while_in_for(x, c):
    s = 0.0
    for i in range(x.shape[0]):
        t = x[i]
        k = 0
        while k < 3:
            t = math.sin(c * t) + 0.5 * t
            k += 1
        s += math.cos(t) * t
    return s


def rk_steps(p, y0):
    """The benchmark's shape: helper arrays made and filled every step, rebound state."""
    y = y0
    for _ in range(4):
        k1 = _rhs(p, y)
        k2 = _rhs(p, y + 0.1 * k1)
        y = y + 0.05 * (k1 + k2)
    return np.sum(y * y)


def _rhs(p, y):
    n = y.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = -p[i] * y[i] + 0.5 * math.sin(y[i - 1])
    return out


def local_scratch(x, c):
    """An array each iteration makes, writes, reads and drops (its shadow is hoisted),
    and one it passes on (not hoisted)."""
    acc = 0.0
    carry = x * 1.0
    for k in range(3):
        tmp = np.empty(x.shape[0])
        for i in range(x.shape[0]):
            tmp[i] = math.sin(carry[i] * c) + x[i]
        for i in range(x.shape[0]):
            acc += tmp[i] * tmp[(i + 1) % x.shape[0]]
        carry = carry * 0.5 + tmp
    return acc + np.sum(carry)


RNG = np.random.default_rng(11)
CASES = [
    (top_level, (RNG.random(3), 0.7), (0, 1)),
    (single_loop, (RNG.random(5), 0.9), (0, 1)),
    (nested, (RNG.random(4), 1.1), (0, 1)),
    (nested_branch, (RNG.random(6), 0.8), (0, 1)),
    (while_in_for, (RNG.random(4), 1.3), (0, 1)),
    (rk_steps, (RNG.uniform(0.5, 1.5, 5), RNG.uniform(-1, 1, 5)), (0, 1)),
    (local_scratch, (RNG.random(5), 0.6), (0, 1)),
]
IDS = [c[0].__name__ for c in CASES]


@pytest.mark.parametrize("f, primals, wrt", CASES, ids=IDS)
def test_gradient_matches_differences_and_forward_mode(f, primals, wrt):
    _, grads = check_vjp(f, primals, wrt, rtol=1e-5, atol=1e-7)
    for g, i in zip(grads, wrt):
        np.testing.assert_allclose(g, stacked_jvps(f, primals, i), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("f, primals, wrt", CASES, ids=IDS)
def test_hvp_matches_differences_of_the_gradient(f, primals, wrt):
    hvp = derive(f, primals, lambda m, e: jvp(m, vjp(m, e, (0,)), (0,)))
    grad = derive_vjp(f, primals, (0,))
    x, c = primals
    v = RNG.standard_normal(x.shape[0])
    (_, _), (_, (hv,)) = hvp(*fresh(primals), 1.0, v)
    h = 1e-5
    fd = (grad(x + h * v, fresh(c), 1.0)[1][0] - grad(x - h * v, fresh(c), 1.0)[1][0]) / (2 * h)
    np.testing.assert_allclose(hv, fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f", [nested, nested_branch])
def test_reverse_over_reverse_reads_the_taped_factors(f):
    primals = (RNG.random(5), 1.3)
    d = derive(f, primals, lambda m, e: vjp(m, vjp(m, e, (1,)), (1,)))
    (_, (gc,)), (hcc,) = d(*fresh(primals), 1.0, (0.0, (1.0,)))
    grad = derive_vjp(f, primals, (1,))
    x, c = primals
    h = 1e-5
    fd = (grad(x.copy(), c + h, 1.0)[1][0] - grad(x.copy(), c - h, 1.0)[1][0]) / (2 * h)
    assert abs(hcc - fd) < 1e-5 * max(1.0, abs(fd))
    assert gc == pytest.approx(grad(x.copy(), c, 1.0)[1][0], rel=1e-12)


def _optimized(f, args, argnums=0):
    g = ember.value_and_grad(f, argnums=argnums)  # the primal value is used: not dead code
    g(*args)
    return parse_module(g.inspect_ir("optimized"))


@pytest.mark.parametrize("f, args", [(nested, (RNG.random(4), 1.1)),
                                     (top_level, (RNG.random(3), 0.7))])
def test_each_sin_has_its_cos_beside_it(f, args):
    """The factor is computed next to the call, on the same value (one sincos), and the
    reverse sweep computes none of its own (it used to take cos in the reverse loop,
    apart from the forward sweep's sin)."""
    m = _optimized(f, args, (0, 1))
    for name, partner in (("math.sin", "math.cos"), ("math.cos", "math.sin"),
                          ("math.sinh", "math.cosh"), ("math.cosh", "math.sinh")):
        for fn in m:
            for op in fn.walk():
                if op.name == name:
                    assert any(o.name == partner and o.operands[0] is op.operands[0]
                               for o in op.parent.ops), f"{name} without {partner}"


def _allocs_in_reverse_loops(m) -> int:
    """array.alloc ops inside loops that run down (the reverse sweep's loops)."""
    return sum(o.name == "array.alloc" for fn in m for op in fn.walk()
               if op.name == "scf.for" and const_int(op.operands[2]) == -1 for o in op.walk())


@pytest.mark.parametrize("f, args", [
    (rk_steps, (RNG.uniform(0.5, 1.5, 5), RNG.uniform(-1, 1, 5))),
    (local_scratch, (RNG.random(5), 0.6))])
def test_loop_body_scratch_shadows_are_allocated_outside_the_reverse_loop(f, args):
    """Per reverse step only the shadow of the state passed on to the step before (it
    crosses iterations) is new: the helper arrays' shadows are allocated once before the
    loop (before: 9 and 5 allocations per step), and the replayed helper arrays, whose
    contents come from the tape, are dropped by dce."""
    assert _allocs_in_reverse_loops(_optimized(f, args)) <= 2
