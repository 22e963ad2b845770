"""Reverse loops run downwards and their scatter-adds are split into loops of their own
(autodiff/reverse_distribute.py), their adjoint sums into four-lane loops
(autodiff/reverse_reductions.py): the gradients stay those of central differences and of
forward mode (every trip count modulo the four lanes), the split happens where it may (a
stencil's shadow hit at three offsets) and is refused where it would change the result
(an element written twice by the loop, shadows sharing memory through a view)."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.ir.core import Operation
from ember.ir.parser import parse_module
from tests.autodiff.test_reverse_util import check_vjp
from tests.autodiff.test_reverse_vs_forward import stacked_jvps


def heat(u0, alpha, n):
    m = u0.shape[0]
    u = np.empty(m)
    v = np.empty(m)
    for i in range(m):
        u[i] = u0[i]
    for _ in range(n):
        v[0] = 0.0
        v[m - 1] = 0.0
        for i in range(1, m - 1):
            v[i] = u[i] + alpha * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        for i in range(m):
            u[i] = v[i]
    s = 0.0
    for i in range(m):
        s += u[i] * u[i]
    return s


def stencil_once(u, w):
    """One weighted three-point stencil, no time loop: the split loops are top level."""
    m = u.shape[0]
    out = np.zeros(m)
    for i in range(1, m - 1):
        out[i] = w * u[i - 1] + u[i] * u[i] - w * w * u[i + 1]
    s = 0.0
    for i in range(m):
        s += out[i] * (1.0 + i)
    return s


def written_twice(u, c):
    """range(-m, m - 1): v's elements are written twice, the first write overwritten; the
    store adjoint reads and clears an element two iterations share (no split)."""
    m = u.shape[0]
    v = np.zeros(m)
    for i in range(-m, m - 1):
        v[i] = c * (u[i] + 2.0 * u[i + 1])
    s = 0.0
    for i in range(m):
        s += v[i] * v[i]
    return s


def through_view(u, c):
    """u and its view w have shadows sharing memory: scatters into one would move past
    reads of the other (no split)."""
    w = u[1:]
    s = 0.0
    for i in range(1, u.shape[0] - 1):
        s += c * u[i - 1] * w[i] + u[i + 1] * c
    return s


def shifted_start(u, c):
    """A stencil over range(2, m): offsets -2..+1 stay non-negative."""
    m = u.shape[0]
    v = np.zeros(m)
    for i in range(2, m - 1):
        v[i] = c * u[i - 2] + u[i - 1] * u[i + 1] - c * c * u[i]
    s = 0.0
    for i in range(m):
        s += v[i] * v[i] * v[i]
    return s


def branchy_pairs(x, k):
    """A branch in the body (pure once reversed) and the adjoint seed carried unchanged:
    the two scatters into x's shadow still move out."""
    e = 0.0
    for i in range(x.shape[0] - 1):
        d = x[i + 1] - x[i] - 1.0
        if d > 0:
            e += k * d * d
        else:
            e += 0.5 * k * d * d * d
    return e


def _split_loops(f, args, argnums) -> int:
    """How many loops of the derived function hold nothing but one scatter-add (the loops
    reverse_distribute made)."""
    g = ember.grad(f, argnums=argnums)
    g(*args)
    module = parse_module(g.inspect_ir("typed"))
    vjp = next(fn for fn in module if fn.name.endswith("__vjp"))
    count = 0
    for op in vjp.walk():
        if op.name != "scf.for" or op.results:
            continue
        body = op.regions[0].block.ops
        stores = [o for o in body if o.name == "array.store"]
        if (len(stores) == 1 and not any(o.name in ("scf.for", "scf.while") for o in body)
                and _is_scatter(stores[0])):
            count += 1
    return count


def _is_scatter(store: Operation) -> bool:
    add = getattr(store.operands[0], "op", None)
    return add is not None and add.name == "arith.addf" and any(
        getattr(x, "op", None) is not None and x.op.name == "array.load"
        and x.op.operands[0] is store.operands[1] for x in add.operands)


RNG = np.random.default_rng(7)
CASES = [
    (heat, (RNG.random(12), 0.23, 5), (0, 1)),
    (stencil_once, (RNG.random(9), 0.7), (0, 1)),
    (written_twice, (RNG.random(6), 1.3), (0, 1)),
    (through_view, (RNG.random(8), 0.9), (0, 1)),
    (shifted_start, (RNG.random(10), 0.6), (0, 1)),
    (branchy_pairs, (np.cumsum(0.5 + RNG.random(9)), 1.7), (0, 1)),
]


@pytest.mark.parametrize("f, primals, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_matches_differences_and_forward_mode(f, primals, wrt):
    _, grads = check_vjp(f, primals, wrt, rtol=1e-5, atol=1e-7)
    for g, i in zip(grads, wrt):
        np.testing.assert_allclose(g, stacked_jvps(f, primals, i), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("f, primals, split", [
    (heat, (RNG.random(12), 0.23, 5), 3),          # su[i + 1], su[i - 1], su[i]
    (stencil_once, (RNG.random(9), 0.7), 3),
    (shifted_start, (RNG.random(10), 0.6), 4),
    (written_twice, (RNG.random(6), 1.3), 0),       # i from -m: the wrap is not known
    (through_view, (RNG.random(8), 0.9), 0),        # a view's shadow aliases u's
    (branchy_pairs, (np.cumsum(0.5 + RNG.random(9)), 1.7), 2),
], ids=["heat", "stencil_once", "shifted_start", "written_twice", "through_view", "branchy"])
def test_split_where_allowed(f, primals, split):
    assert _split_loops(f, primals, (0, 1)) == split


def test_public_grad_of_heat_is_unchanged_by_the_split():
    u0 = RNG.random(16)
    g_u, g_a = ember.grad(heat, argnums=(0, 1))(u0, 0.2, 7)
    fwd_a = stacked_jvps(heat, (u0, 0.2, 7), 1)
    np.testing.assert_allclose(g_a, fwd_a, rtol=1e-10)
    np.testing.assert_allclose(g_u, stacked_jvps(heat, (u0, 0.2, 7), 0), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("m", [2, 3, 4, 5, 6, 7, 11])
def test_every_trip_count_of_the_lanes(m):
    """stencil_once's reverse loop runs m - 2 times: 0, 1, ... through the four lanes and
    the remainder loop."""
    primals = (RNG.random(m), 0.7)
    _, grads = check_vjp(stencil_once, primals, (0, 1), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(grads[1], stacked_jvps(stencil_once, primals, 1), rtol=1e-12)


def test_adjoint_sum_runs_in_four_lanes():
    g = ember.grad(heat, argnums=(0, 1))
    g(RNG.random(12), 0.23, 5)
    module = parse_module(g.inspect_ir("typed"))
    vjp = next(fn for fn in module if fn.name.endswith("__vjp"))
    lanes = [op for op in vjp.walk() if op.name == "scf.for" and len(op.results) == 4]
    assert len(lanes) == 1 and all(r.type == lanes[0].results[0].type for r in lanes[0].results)
