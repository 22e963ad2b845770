"""Forward mode through NumPy code as users write it: each call is lowered to loops before
autodiff (norms, matrix products, reductions along axes, sorting, masks, concatenation,
copies, np.where, elementwise max/min), so the element rules cover it."""
from __future__ import annotations

import numpy as np
import pytest

from tests.autodiff.test_forward_util import check_jvp, derive_jvp


def linalg(x, a):
    return np.linalg.norm(x) + (a @ x).sum() + np.outer(x, x).sum() + np.dot(x, x)


def matmul(a, b):
    return (a @ b).sum()


def reductions(x, a):
    return (np.cumsum(x).sum() + np.max(x) + np.min(x) + x.prod() + a.mean(axis=0).sum()
            + a.sum(axis=1).max() + a.std())


def sorting_and_masks(x):
    return ((np.sort(x) * np.arange(x.shape[0])).sum() + x[x > 0].sum()
            + x[np.array([0, 2])].sum() + np.where(x > 0, x, 0.1 * x).sum())


def joining(x, y):
    return (np.concatenate((x, y)) ** 2).sum() + (np.stack((x, y)) * 1.5).sum()


def copies(x):
    y = x.copy()
    y[0] = 3.0 * y[1]
    y += x
    return y


def extremes(x):
    return (max(x[0], x[1]) + min(x[1], x[2], x[3]) + np.maximum(x, 0.2).sum()
            + np.minimum(x, x[::-1]).sum())


def layer(w, b, x):
    h = np.tanh(w @ x + b)
    return (h * h).sum()


RNG = np.random.default_rng(0)
X, Y = RNG.normal(size=6), RNG.normal(size=6)
A, B = RNG.normal(size=(4, 6)), RNG.normal(size=(6, 3))
CASES = [
    (linalg, (X, A), (0, 1)),
    (matmul, (A, B), (0, 1)),
    (reductions, (X, A), (0, 1)),
    (sorting_and_masks, (X,), (0,)),
    (joining, (X, Y), (0, 1)),
    (copies, (X,), (0,)),
    (extremes, (X,), (0,)),
    (layer, (A, RNG.normal(size=4), X), (0, 1, 2)),
]


@pytest.mark.parametrize("f,args,wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_numpy_code(f, args, wrt):
    rng = np.random.default_rng(1)
    tangents = [rng.normal(size=np.shape(args[i])) for i in wrt]
    check_jvp(derive_jvp(f, args, wrt), f, args, wrt, tangents)
