"""Reverse mode through arrays: element reads (an O(1) accumulate into the shadow array),
element writes inside loops (out[i] = ..., a[i] += ..., temporaries overwritten several
times), whole-array expressions and reductions (lowered to loops), slices and views,
2-D arrays, array results with array cotangents."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests.autodiff.test_reverse_util import check_vjp
from tests.autodiff.programs import overwritten


def elementwise_out(x):
    out = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = math.sin(x[i]) * x[i]
    s = 0.0
    for i in range(x.shape[0]):
        s += out[i] * out[i]
    return s


def accumulate(x, w):
    a = np.zeros(3)
    for i in range(x.shape[0]):
        a[i % 3] += x[i] * x[i] * w
    return a[0] * a[1] + a[2]


def in_place_arg(x, c):
    # writes into its own argument: the gradient is with respect to the values passed in
    for i in range(x.shape[0] - 1):
        x[i + 1] = x[i + 1] + c * x[i] * x[i]
    return x[x.shape[0] - 1]


def whole_array(x, y):
    z = x * y + np.sin(x)
    return np.sum(z * z) + np.max(x) * 0.0 + np.dot(x, y)


def reductions(x):
    return np.sum(np.exp(x)) * np.mean(x) + np.prod(x[:3])


def slices(x):
    a = x[1:] - x[:-1]
    b = x[::2]
    return np.sum(a * a) + np.sum(b ** 3)


def matrix(m, v):
    n = m.shape[0]
    out = np.zeros(n)
    for i in range(n):
        s = 0.0
        for j in range(m.shape[1]):
            s += m[i, j] * v[j]
        out[i] = math.tanh(s)
    return np.sum(out * out)


def rows(m):
    s = 0.0
    for i in range(m.shape[0]):
        r = m[i]
        s += np.sum(r * r) * (i + 1)
    t = m.T
    return s + t[0, 1] * 2.0


def array_result(x, a):
    y = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        y[i] = a * x[i] ** 2
    return y


def heat(u0, alpha, steps):
    u = u0.copy()
    new = np.zeros(u.shape[0])
    for t in range(steps):
        for i in range(1, u.shape[0] - 1):
            new[i] = u[i] + alpha * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        for i in range(1, u.shape[0] - 1):
            u[i] = new[i]
    return np.sum(u * u)


@pytest.mark.parametrize("seed", range(2))
def test_element_writes_in_loops(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=6)
    check_vjp(elementwise_out, (x,), (0,))
    check_vjp(overwritten, (x * 0.5, 3), (0,))
    check_vjp(accumulate, (x, 0.7), (0, 1))
    check_vjp(heat, (x, 0.2, 4), (0, 1))


def test_writes_into_an_argument():
    check_vjp(in_place_arg, (np.array([0.3, -0.2, 0.5, 0.1]), 0.4), (0, 1))


@pytest.mark.parametrize("seed", range(2))
def test_whole_array_expressions_and_reductions(seed):
    rng = np.random.default_rng(10 + seed)
    x, y = rng.normal(size=5), rng.normal(size=5)
    check_vjp(whole_array, (x, y), (0, 1))
    check_vjp(reductions, (rng.uniform(0.5, 1.5, size=5),), (0,))
    check_vjp(slices, (x,), (0,))


def test_two_dimensional_and_views():
    rng = np.random.default_rng(3)
    m, v = rng.normal(size=(3, 4)), rng.normal(size=4)
    check_vjp(matrix, (m, v), (0, 1))
    check_vjp(rows, (m,), (0,))


def test_fortran_ordered_argument():
    rng = np.random.default_rng(4)
    m = np.asfortranarray(rng.normal(size=(3, 4)))
    check_vjp(rows, (m,), (0,))


def test_array_result_takes_an_array_cotangent():
    rng = np.random.default_rng(5)
    x = rng.normal(size=4)
    _, (gx, ga) = check_vjp(array_result, (x, 1.5), (0, 1), rng.normal(size=4))
    assert isinstance(gx, np.ndarray) and gx.shape == x.shape


def test_gradient_is_a_fresh_array():
    x = np.array([0.1, 0.2, 0.3])
    _, (g,) = check_vjp(elementwise_out, (x,), (0,))
    assert g is not x and not np.shares_memory(g, x)


def views_in_branches(x, n):
    s = 0.0
    for i in range(n):
        if i % 2 == 0:
            v = x[1:]
        else:
            v = x[:-1]
        s += np.sum(v * v) * (i + 1)
    return s


def insertion_sort_weighted(x):
    a = x.copy()
    n = a.shape[0]
    for i in range(1, n):
        key = a[i]
        j = i - 1
        while j >= 0 and a[j] > key:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = key
    s = 0.0
    for i in range(n):
        s += a[i] * (i + 1)
    return s


def permuted(x, p):
    q = p.copy()              # an int array overwritten inside the loop: its loads are taped
    s = 0.0
    for k in range(3):
        for i in range(q.shape[0]):
            s += x[q[i]] * x[i] * (k + 1)
        for i in range(q.shape[0] - 1):
            t = q[i]
            q[i] = q[i + 1]
            q[i + 1] = t
    return s


def test_views_chosen_by_a_branch():
    check_vjp(views_in_branches, (np.random.default_rng(6).normal(size=5), 3), (0,))


def test_in_place_swaps_and_index_arrays():
    rng = np.random.default_rng(9)
    check_vjp(insertion_sort_weighted, (rng.normal(size=6),), (0,))
    check_vjp(permuted, (rng.normal(size=5), np.array([4, 2, 0, 1, 3])), (0,))


def test_strided_and_readonly_arguments():
    from tests.autodiff.test_reverse_util import derive_vjp
    rng = np.random.default_rng(12)
    m = rng.normal(size=(4, 6))[:, ::2]          # layout A: the shadow is a C array
    _, (g,) = derive_vjp(rows, (m,), (0,))(m, 1.0)
    want = 2.0 * np.arange(1, 5)[:, None] * m
    want[1, 0] += 2.0                              # t[0, 1] of the transpose is m[1, 0]
    np.testing.assert_allclose(g, want, rtol=1e-12)
    x = rng.normal(size=5)
    x.setflags(write=False)
    out, (gx,) = derive_vjp(slices, (x,), (0,))(x, 1.0)
    assert out == slices(x)
    np.testing.assert_allclose(gx, derive_vjp(slices, (x.copy(),), (0,))(x.copy(), 1.0)[1][0])


def slice_assign(x):
    out = np.zeros(x.shape[0])
    out[1:] = x[:-1] * 2.0
    out[:2] += x[:2] ** 2
    return np.sum(out * x)


def numpy_functions(x, y):
    return (np.sum(np.where(x > 0, x * y, -y)) + np.sum(np.maximum(x, y)) + np.sum(np.abs(x))
            + np.dot(x, y) + np.linalg.norm(x) + np.std(x) + np.sum(np.clip(x, -0.5, 0.5) * y))


def matmuls(A, B):
    return np.sum((A @ B) ** 2) + np.sum(np.tanh(A @ B[:, 0])) + np.sum(np.sum(A, axis=0) ** 2)


def test_slice_assignment_numpy_functions_and_matmul():
    rng = np.random.default_rng(13)
    check_vjp(slice_assign, (rng.normal(size=5),), (0,))
    check_vjp(numpy_functions, (rng.normal(size=5), rng.normal(size=5)), (0, 1))
    check_vjp(matmuls, (rng.normal(size=(3, 4)), rng.normal(size=(4, 2))), (0, 1))
