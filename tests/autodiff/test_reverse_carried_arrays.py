"""Reverse mode through loops that carry arrays: double buffering (`u, v = v, u`) in for
and while loops, `u = f(u)` making a new array each step, in-place steppers, a 1-D heat and
a 2-D diffusion stepper, helpers writing arrays inside loops. Each gradient is checked
against central differences and against forward mode (stacked jvps); the tapes are freed
(runtime_helpers.live_blocks returns to its start)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ember.backend.runtime_helpers import live_blocks
from ember.ir.errors import DifferentiationError
from tests.autodiff.test_reverse_util import check_vjp, derive_vjp, fresh
from tests.autodiff.test_reverse_vs_forward import stacked_jvps


def double_buffer(u0, alpha, n):
    m = u0.shape[0]
    u = u0.copy()
    un = np.zeros(m)
    for _ in range(n):
        for i in range(1, m - 1):
            un[i] = u[i] + alpha * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        un[0] = u[0] * (1.0 - alpha)
        un[m - 1] = u[m - 1] * (1.0 - alpha)
        u, un = un, u
    s = 0.0
    for i in range(m):
        s += u[i] * u[i] * (i + 1.0)
    return s


def double_buffer_while(u0, alpha, n):
    u = u0.copy()
    un = np.zeros(u0.shape[0])
    t = 0
    while t < n:
        for i in range(u.shape[0]):
            un[i] = u[i] * alpha + 0.1 * u[i] * u[i] + 0.05 * u[(i + 1) % u.shape[0]]
        u, un = un, u
        t += 1
    return (u * u).sum()


def three_buffers(u0, c, n):
    """Leapfrog-style: three arrays rotated each step."""
    a = u0.copy()
    b = u0 * 0.5
    nxt = np.zeros(u0.shape[0])
    for _ in range(n):
        for i in range(a.shape[0]):
            nxt[i] = 2.0 * b[i] - a[i] + c * math.sin(b[i])
        a, b, nxt = b, nxt, a
    return (b * a).sum()


def new_each_step(u0, alpha, n):
    u = u0.copy()
    for _ in range(n):
        u = u + alpha * np.sin(u)
    return (u * u).sum()


def step_helper(u, alpha):
    out = np.empty(u.shape[0])
    for i in range(u.shape[0]):
        out[i] = u[i] + alpha * math.tanh(u[i - 1] - u[i])
    return out


def helper_stepper(u0, alpha, n):
    u = u0.copy()
    for _ in range(n):
        u = step_helper(u, alpha)
    return (u * u).sum()


def in_place(u0, alpha, n):
    u = u0.copy()
    for _ in range(n):
        for i in range(1, u.shape[0]):
            u[i] = u[i] + alpha * u[i - 1] * u[i]
    return (u * u).sum()


def heat_buffers(u0, alpha, n):
    m = u0.shape[0]
    u = u0.copy()
    v = np.zeros(m)
    for _ in range(n):
        v[0] = 0.0
        v[m - 1] = 0.0
        for i in range(1, m - 1):
            v[i] = u[i] + alpha * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        u, v = v, u
    return (u * u).sum()


def diffusion_2d(u0, alpha, n):
    u = u0.copy()
    v = np.zeros_like(u0)
    for _ in range(n):
        for i in range(1, u.shape[0] - 1):
            for j in range(1, u.shape[1] - 1):
                v[i, j] = u[i, j] + alpha * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1]
                                             + u[i, j + 1] - 4.0 * u[i, j])
        u, v = v, u
    return (u * u).sum()


def written_then_replaced(u0, a, n):
    u = u0.copy()
    for _ in range(n):
        u[0] = u[0] * a + math.sin(u[1])        # in place, then rebound to a new array
        w = np.empty(u.shape[0])
        for i in range(u.shape[0]):
            w[i] = u[i] * u[(i + 1) % u.shape[0]] * 0.5 + a
        u = w
    return u.sum() + u[0] * u[1]


def with_scalar_carry(u0, a, n):
    u = u0.copy()
    s = 0.0
    v = np.zeros(u0.shape[0])
    for _ in range(n):
        for i in range(u.shape[0]):
            v[i] = math.cos(u[i]) * a + s * 0.1
        s = s + v[0] * v[1]
        u, v = v, u
    return s + u.sum()


def _rng_vec(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(n) - 0.3


CASES = [
    (double_buffer, (_rng_vec(7), 0.2, 5), (0, 1)),
    (double_buffer, (_rng_vec(7, 1), 0.3, 4), (0, 1)),      # even trip count
    (double_buffer_while, (_rng_vec(5), 0.7, 3), (0, 1)),
    (three_buffers, (_rng_vec(5), 0.3, 4), (0, 1)),
    (new_each_step, (_rng_vec(6), 0.3, 4), (0, 1)),
    (helper_stepper, (_rng_vec(6), 0.4, 3), (0, 1)),
    (in_place, (_rng_vec(6), 0.3, 3), (0, 1)),
    (heat_buffers, (_rng_vec(8), 0.2, 6), (0, 1)),
    (diffusion_2d, (np.random.default_rng(2).random((5, 4)), 0.1, 3), (0, 1)),
    (written_then_replaced, (_rng_vec(4, 3) + 0.5, 0.7, 3), (0, 1)),
    (with_scalar_carry, (_rng_vec(4, 4), 0.7, 4), (0, 1)),
]
IDS = [f"{c[0].__name__}-{k}" for k, c in enumerate(CASES)]


@pytest.mark.parametrize("f, primals, wrt", CASES, ids=IDS)
def test_vs_central_differences(f, primals, wrt):
    check_vjp(f, primals, wrt, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("f, primals, wrt", CASES, ids=IDS)
def test_vs_forward_mode(f, primals, wrt):
    _, grads = derive_vjp(f, primals, wrt)(*fresh(tuple(primals)), 1.0)
    for g, i in zip(grads, wrt):
        np.testing.assert_allclose(g, stacked_jvps(f, primals, i), rtol=1e-10, atol=1e-12)


def test_zero_steps_gives_the_direct_gradient():
    u0 = _rng_vec(5)
    _, (gu, ga) = derive_vjp(double_buffer, (u0, 0.2, 0), (0, 1))(u0.copy(), 0.2, 0, 1.0)
    np.testing.assert_allclose(gu, 2.0 * u0 * np.arange(1.0, 6.0))
    assert ga == 0.0


@pytest.mark.parametrize("f, primals", [(double_buffer, (_rng_vec(9), 0.2, 40)),
                                        (helper_stepper, (_rng_vec(9), 0.3, 40))])
def test_tapes_are_freed(f, primals):
    d = derive_vjp(f, primals, (0, 1))
    d(*fresh(tuple(primals)), 1.0)      # warm up (one-time allocations)
    start = live_blocks()
    for _ in range(3):
        d(*fresh(tuple(primals)), 1.0)
    assert live_blocks() == start


def shape_changing(u0, n):
    u = u0.copy()
    for _ in range(n):
        u = np.concatenate((u, u[:1]))
    return (u * u).sum()


def test_shape_change_is_refused_at_run_time():
    u0 = _rng_vec(3)
    try:
        d = derive_vjp(shape_changing, (u0, 2), (0,))
    except DifferentiationError:
        return      # refused when derived: also acceptable
    with pytest.raises(ValueError, match="changed shape"):
        d(u0.copy(), 2, 1.0)


def nested_rebind(u0, n):
    s = 0.0
    for k in range(n):
        u = u0 * (k + 1.0)
        v = np.zeros(u0.shape[0])
        for _ in range(2):
            for i in range(u.shape[0]):
                v[i] = u[i] * u[i] * 0.5
            u, v = v, u
        s += u.sum()
    return s


def test_rebinding_inside_a_replayed_loop_is_refused():
    with pytest.raises(DifferentiationError, match="rebinds array variable"):
        derive_vjp(nested_rebind, (_rng_vec(3), 2), (0,))


def big_stepper(u, a):
    # large enough (and called from two sites) that the inliner keeps the calls: a helper
    # writing only into the array it makes is replayed inside the reverse loop
    out = np.empty(u.shape[0])
    for i in range(u.shape[0]):
        out[i] = u[i] + a * math.tanh(u[i - 1] - u[i]) + 0.01 * math.sin(u[i]) * math.cos(a)
        out[i] += 0.02 * math.atan(out[i]) * math.exp(-u[i] * u[i]) + 0.01 * math.log1p(u[i] ** 2)
        out[i] -= 0.01 * math.sinh(0.1 * u[i]) * math.cosh(0.1 * a) + 0.01 * math.erf(u[i])
    return out


def helper_calls(u0, a, n):
    u = u0.copy()
    for _ in range(n):
        u = big_stepper(u, a)
        u = big_stepper(u, 0.5 * a)
    return (u * u).sum()


def test_helper_making_new_arrays_stays_a_call_and_is_replayed():
    from tests.autodiff.test_reverse_calls import _derived_ir
    args = (_rng_vec(5), 0.3, 3)
    check_vjp(helper_calls, args, (0, 1))
    _, grads = derive_vjp(helper_calls, args, (0, 1))(*fresh(args), 1.0)
    for g, i in zip(grads, (0, 1)):
        np.testing.assert_allclose(g, stacked_jvps(helper_calls, args, i), rtol=1e-10, atol=1e-12)
    m, name = _derived_ir(helper_calls, args, (0, 1))
    called = {str(op.attributes["callee"]) for op in m[name].walk() if op.name == "func.call"}
    assert any(c.startswith("@big_stepper") and c.endswith("__vjp") for c in called)


def smooth_into(out, u, a):
    # big enough (two call sites) that the inliner keeps the calls: a helper writing
    # into an array argument
    for i in range(1, u.shape[0] - 1):
        out[i] = u[i] + a * (u[i - 1] - 2.0 * u[i] + u[i + 1]) + 0.01 * math.sin(u[i]) * math.cos(a)
        out[i] += 0.02 * math.atan(out[i]) * math.exp(-u[i] * u[i]) + 0.01 * math.log1p(u[i] ** 2)
        out[i] -= 0.01 * math.sinh(0.1 * u[i]) * math.cosh(0.1 * a) + 0.01 * math.erf(u[i])
    out[0] = u[0]
    out[u.shape[0] - 1] = u[u.shape[0] - 1]


def writes_at_top(u0, a):
    u = u0.copy()
    v = np.zeros(u0.shape[0])
    smooth_into(v, u, a)
    smooth_into(u, v, a * 0.5)
    return (u * u).sum() + v[1]


def writes_in_loop(u0, a, n):
    u = u0.copy()
    v = np.zeros(u0.shape[0])
    for _ in range(n):
        smooth_into(v, u, a)
        smooth_into(u, v, 0.5 * a)
    return (u * u).sum()


def writes_double_buffer(u0, a, n):
    u = u0.copy()
    v = np.zeros(u0.shape[0])
    k = 0
    while k < n:
        smooth_into(v, u, a)
        u, v = v, u
        smooth_into(v, u, a * 0.5)
        u, v = v, u
        k += 1
    return (u * u).sum() + u[0]


def writes_in_branch(u0, a, c):
    u = u0.copy()
    v = np.zeros(u0.shape[0])
    if c > 0:
        smooth_into(v, u, a)
    else:
        smooth_into(v, u, 2.0 * a)
    return (v * v).sum() + a


WRITING = [(writes_at_top, (_rng_vec(6), 0.3)), (writes_in_loop, (_rng_vec(6), 0.3, 3)),
           (writes_double_buffer, (_rng_vec(5), 0.2, 3)),
           (writes_in_branch, (_rng_vec(5), 0.3, 1)), (writes_in_branch, (_rng_vec(5), 0.3, -1))]


@pytest.mark.parametrize("f, primals", WRITING, ids=[f"{w[0].__name__}-{k}" for k, w in enumerate(WRITING)])
def test_helper_writing_array_arguments(f, primals):
    from tests.autodiff.test_reverse_calls import _derived_ir
    check_vjp(f, primals, (0, 1))
    _, grads = derive_vjp(f, primals, (0, 1))(*fresh(primals), 1.0)
    for g, i in zip(grads, (0, 1)):
        np.testing.assert_allclose(g, stacked_jvps(f, primals, i), rtol=1e-10, atol=1e-12)
    m, name = _derived_ir(f, primals, (0, 1))
    called = {str(op.attributes["callee"]) for op in m[name].walk() if op.name == "func.call"}
    assert any(c.startswith("@smooth_into") and c.endswith("__io__vjp") for c in called)


def test_helper_writes_free_their_snapshots():
    primals = (_rng_vec(6), 0.3, 5)
    d = derive_vjp(writes_in_loop, primals, (0, 1))
    d(*fresh(primals), 1.0)
    start = live_blocks()
    for _ in range(3):
        d(*fresh(primals), 1.0)
    assert live_blocks() == start


def writes_aliased(u0, a):
    u = u0.copy()
    smooth_into(u, u, a)
    smooth_into(u, u, a * 0.5)
    return (u * u).sum()


def test_helper_writing_aliased_arguments_is_refused():
    with pytest.raises(DifferentiationError, match="distinct"):
        derive_vjp(writes_aliased, (_rng_vec(5), 0.3), (0, 1))
