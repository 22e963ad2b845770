"""Indexing, slicing, stores and creation compiled vs NumPy (differential, every layout)."""
import numpy as np
import pytest

import ember
from .array_check import check_np, layouts


def neg_index(a, i, j):
    return a[i, j] + a[-1, -1] + a[i][-j]


def slice_sum(a, lo, hi, st):
    s = 0.0
    v = a[lo:hi:st]
    for k in range(v.shape[0]):
        s += v[k] * (k + 1)
    return s


def mixed_view(a):
    return a[1:, ::-2][..., 0]


def new_axis(a):
    return a[None, 1:, None]


def ellipsis_store(a, x):
    a[..., 1] = x
    a[0, :] = a[1, :]
    return a


def strided_store(a):
    a[::-2] = 7
    a[:2] = np.arange(2)
    return a


def creation_mix(n):
    a = np.zeros((n, 3))
    a[:, 1] = np.arange(n)
    a += np.eye(n, 3)
    return a.reshape(3, -1)


def array_literal(x):
    return np.array([[1, 2], [3, x]], dtype=np.float32)


def linspaced(n, endpoint):
    if endpoint:
        return np.linspace(-1.0, 2.0, n)
    return np.linspace(-1.0, 2.0, n, endpoint=False)


def aranged(a, b, s):
    return np.arange(a, b, s)


def test_indices_and_bounds():
    base = np.arange(12.0).reshape(3, 4)
    f = ember.jit(neg_index)
    for a in layouts(base):
        for i, j in [(0, 0), (2, 3), (-3, 1), (3, 0), (0, -5)]:
            check_np(neg_index, a, i, j, jitted=f)


@pytest.mark.parametrize("lo,hi,st", [(0, 10, 1), (-3, 100, 2), (8, -12, -3), (5, 5, 1),
                                      (-100, 100, -1), (2, 9, 0)])
def test_runtime_slices(lo, hi, st):
    for a in layouts(np.arange(10.0)):
        check_np(slice_sum, a, lo, hi, st)


def test_views():
    for a in layouts(np.arange(24.0).reshape(4, 6)):
        check_np(mixed_view, a)
        check_np(new_axis, a)


def test_stores():
    for a in layouts(np.arange(12.0).reshape(3, 4)):
        check_np(ellipsis_store, a, 2.5)
    for a in layouts(np.arange(7, dtype=np.int32)):
        check_np(strided_store, a)


@pytest.mark.parametrize("n", [0, 1, 3, 6])
def test_creation(n):
    check_np(creation_mix, n)
    check_np(linspaced, n, True)
    check_np(linspaced, n, False)
    check_np(array_literal, 4.5)


def test_arange_lengths():
    for args in [(0, 10, 3), (10, 0, -3), (0.1, 1.0, 0.1), (1.0, -2.0, -0.25), (0, 5, 0),
                 (3, 1, 1)]:
        check_np(aranged, *args)
