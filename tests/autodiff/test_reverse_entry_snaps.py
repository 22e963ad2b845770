"""Entry snapshots (autodiff/reverse_entry_snaps.py): a top-level loop that reads an array
in inner loops and overwrites it later in the iteration copies it once per iteration
instead of taping each load. Gradients against central differences and forward mode,
for 1-D and 2-D arrays, an argument written in place, reads after the write (still
taped), and the structure: the copy-back heat stepper keeps no load tape at all."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autodiff.reverse_activity import Activity
from ember.ir.parser import parse_module
from tests.autodiff.test_reverse_distribute import heat
from tests.autodiff.test_reverse_util import check_vjp
from tests.autodiff.test_reverse_vs_forward import stacked_jvps


def heat2d(u0, alpha, n):
    r, c = u0.shape
    u = np.zeros((r, c))
    v = np.zeros((r, c))
    for i in range(r):
        for j in range(c):
            u[i, j] = u0[i, j]
    for _ in range(n):
        for i in range(1, r - 1):
            for j in range(1, c - 1):
                v[i, j] = u[i, j] + alpha * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1]
                                             + u[i, j + 1] - 4.0 * u[i, j])
        for i in range(r):
            for j in range(c):
                u[i, j] = v[i, j]
    return np.sum(u * u)


def in_place(x, w, n):
    """The argument itself is the state: read in a stencil, written back each step."""
    m = x.shape[0]
    y = np.zeros(m)
    for _ in range(n):
        for i in range(1, m - 1):
            y[i] = w * x[i - 1] + (1.0 - 2.0 * w) * x[i] + w * x[i + 1] * x[i + 1]
        for i in range(1, m - 1):
            x[i] = y[i]
    s = 0.0
    for i in range(m):
        s += x[i] * x[i] * (i + 1.0)
    return s


def read_after_write(u0, a, n):
    """Reads of u after the statement writing it see the new values: those stay taped;
    reads before it come from the snapshot."""
    m = u0.shape[0]
    u = np.zeros(m)
    for i in range(m):
        u[i] = u0[i]
    s = 0.0
    for _ in range(n):
        for i in range(m - 1):
            s += a * u[i] * u[i + 1]
        for i in range(m):
            u[i] = u[i] * a + 0.1 * u[(i + 1) % m]
        for i in range(m):
            s += u[i] * u[i]
    return s


def sparse_update(u0, a, n):
    """One element written per step (directly in the loop body): loads keep the tape,
    no whole-array copy per step."""
    m = u0.shape[0]
    u = np.zeros(m)
    for i in range(m):
        u[i] = u0[i]
    s = 0.0
    for t in range(n):
        for j in range(2):
            s += a * u[j] * u[j + 1]
        u[t % m] = s * 0.1
    return s


RNG = np.random.default_rng(11)
CASES = [
    (heat, (RNG.random(10), 0.2, 4), (0, 1)),
    (heat2d, (RNG.random((5, 4)), 0.1, 3), (0, 1)),
    (in_place, (RNG.random(7), 0.3, 3), (0, 1)),
    (read_after_write, (RNG.random(6), 0.7, 3), (0, 1)),
    (sparse_update, (RNG.random(5), 0.7, 4), (0, 1)),
]


@pytest.mark.parametrize("f, primals, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_matches_differences_and_forward_mode(f, primals, wrt):
    _, grads = check_vjp(f, primals, wrt, rtol=1e-5, atol=1e-7)
    for g, i in zip(grads, wrt):
        np.testing.assert_allclose(g, stacked_jvps(f, primals, i), rtol=1e-10, atol=1e-12)


def _ops(f, args, argnums) -> list[str]:
    g = ember.grad(f, argnums=argnums)
    g(*args)
    module = parse_module(g.inspect_ir("typed"))
    vjp = next(fn for fn in module if fn.name.endswith("__vjp"))
    return [op.name for op in vjp.walk()]


def test_copy_back_stepper_keeps_no_load_tape():
    names = _ops(heat, (RNG.random(10), 0.2, 4), (0, 1))
    assert not any(n.startswith("list.") for n in names)
    names = _ops(heat2d, (RNG.random((5, 4)), 0.1, 3), (0, 1))
    assert not any(n.startswith("list.") for n in names)


def test_reads_after_the_write_are_still_taped():
    names = _ops(read_after_write, (RNG.random(6), 0.7, 3), (0, 1))
    assert "list.set" in names or "list.append" in names


def _snapshotted(f, args) -> list[str]:
    g = ember.grad(f, argnums=(0, 1))
    g(*args)
    module = parse_module(g.inspect_ir("typed"))
    act = Activity(module, module[f.__name__], [0, 1])
    return [r.name for roots in act.entry_snaps.values() for r in roots]


def test_which_arrays_are_snapshotted():
    assert _snapshotted(heat, (RNG.random(10), 0.2, 4)) == ["u"]
    assert _snapshotted(in_place, (RNG.random(7), 0.3, 3)) == ["x"]
    assert _snapshotted(sparse_update, (RNG.random(5), 0.7, 4)) == []
    names = _ops(sparse_update, (RNG.random(5), 0.7, 4), (0, 1))
    assert "list.set" in names or "list.append" in names
