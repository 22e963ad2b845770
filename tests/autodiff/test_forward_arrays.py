"""Forward mode through arrays: element reads and writes in loops, in-place updates,
views and slices, whole-array expressions (lowered to loops before autodiff), array
results, and arrays that become active because active values are stored into them."""
from __future__ import annotations

import numpy as np
import pytest

from tests.autodiff.test_forward_util import check_jvp, derive_jvp


def writes(x, y):
    n = x.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = x[i] * y
    for i in range(1, n):
        out[i] += out[i - 1] * 0.5   # reads what an earlier iteration wrote
        x[i] = x[i] * out[i]         # overwrites an argument's elements
    s = 0.0
    for i in range(n):
        s += x[i] * out[i]
    return s


def expressions(x, y):
    return (np.sin(x) * y).sum() + np.dot(x, y) + np.exp(-x * x).mean()


def views(a, w):
    # a: 2-d; slices, a column, a transpose, a reshape of a copy
    top = a[:2, ::2]
    col = a[:, 1]
    s = (top * top).sum() + (col * w).sum()
    t = a.T
    s += t[1, 0] * 3.0
    r = (a * 2.0).reshape(a.size)
    return s + r[3] * r[0]


def smooth(x):
    y = np.zeros_like(x)
    y[0] = x[0]
    for i in range(1, x.shape[0]):
        y[i] = 0.5 * y[i - 1] + np.tanh(x[i])
    return y


def into(x, buf):
    # buf is not differentiated, but active values are stored into it
    for i in range(buf.shape[0]):
        buf[i] = x * i
    return buf.sum() * x


def matvec(w, x):
    return np.tanh(w @ x).sum()


_cache: dict = {}


def derived(f, primals, wrt):
    key = (f, tuple(getattr(p, "ndim", -1) for p in primals), tuple(wrt),
           tuple(p.flags.f_contiguous and not p.flags.c_contiguous
                 if isinstance(p, np.ndarray) else 0 for p in primals))
    if key not in _cache:
        _cache[key] = derive_jvp(f, primals, wrt)
    return _cache[key]


@pytest.mark.parametrize("seed", range(2))
def test_reads_writes_and_overwrites_in_loops(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=7), float(rng.normal())
    tx, ty = rng.normal(size=7), 0.8
    check_jvp(derived(writes, (x, y), (0, 1)), writes, (x, y), (0, 1), (tx, ty))


def test_written_argument_carries_its_tangent():
    # the derived function writes the argument and its tangent array, as the primal does
    x, tx = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0])
    d = derived(writes, (x, 2.0), (0,))
    d(x, 2.0, tx)
    assert x[1] != 2.0 and tx[1] != 0.0


@pytest.mark.parametrize("seed", range(2))
def test_whole_array_expressions(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=9), rng.normal(size=9)
    d = derived(expressions, (x, y), (0, 1))
    check_jvp(d, expressions, (x, y), (0, 1), (rng.normal(size=9), rng.normal(size=9)))


def test_with_respect_to_one_array_only():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=4), rng.normal(size=4)
    check_jvp(derived(expressions, (x, y), (1,)), expressions, (x, y), (1,), (np.ones(4),))


@pytest.mark.parametrize("order", ["C", "F"])
def test_views_slices_transpose_reshape(order):
    rng = np.random.default_rng(2)
    a = np.asarray(rng.normal(size=(3, 4)), order=order)
    w = rng.normal(size=3)
    d = derived(views, (a, w), (0, 1))
    check_jvp(d, views, (a, w), (0, 1), (rng.normal(size=(3, 4)), rng.normal(size=3)))


def test_array_result_and_zeros_like():
    rng = np.random.default_rng(3)
    x = rng.normal(size=5)
    out, tan = check_jvp(derived(smooth, (x,), (0,)), smooth, (x,), (0,), (rng.normal(size=5),))
    assert isinstance(tan, np.ndarray) and tan.shape == (5,) and tan.flags.c_contiguous


def test_array_made_active_by_a_store():
    buf = np.zeros(4)
    check_jvp(derived(into, (1.5, buf), (0,)), into, (1.5, buf), (0,), (1.0,))


def test_matrix_vector_product():
    rng = np.random.default_rng(4)
    w, x = rng.normal(size=(3, 5)), rng.normal(size=5)
    d = derived(matvec, (w, x), (0, 1))
    check_jvp(d, matvec, (w, x), (0, 1), (rng.normal(size=(3, 5)), rng.normal(size=5)))
