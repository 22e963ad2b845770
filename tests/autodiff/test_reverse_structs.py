"""Reverse mode with tuples and literal-key dicts: as arguments (the gradient has the same
structure), as results (tuple cotangents), carried through loops and branches."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests.autodiff.test_reverse_util import check_vjp


def tuple_in_out(p, q):
    a, b = p
    return (a * b + q, math.exp(a) * q)


def record_in(d, z):
    return d["a"] * z + d["b"] ** 2


def record_out(x, y):
    out = {"s": x + y, "p": x * y}
    out["q"] = out["p"] * out["s"]
    out["s"] = math.sin(out["s"])
    return out


def tuple_carried(x, n):
    state = (x, 1.0)
    for i in range(n):
        u, v = state
        state = (u * v + 0.1, math.cos(u) + v * 0.5)
    return state[0] + state[1]


def record_branch(src, flag):
    d = {"w": src["w"], "v": src["v"]}
    if flag > 0:
        d["w"] = d["w"] * d["v"]
    else:
        d["v"] = d["v"] + 1.0
    return d["w"] + d["v"] * 3.0


@pytest.mark.parametrize("seed", range(2))
def test_tuples(seed):
    rng = np.random.default_rng(seed)
    a, b, q = (float(v) for v in rng.uniform(0.1, 1.0, size=3))
    (_, (gp, gq)) = check_vjp(tuple_in_out, ((a, b), q), (0, 1), (1.0, -0.5))
    assert isinstance(gp, tuple) and len(gp) == 2
    check_vjp(tuple_carried, (a, 4), (0,))


@pytest.mark.parametrize("seed", range(2))
def test_records(seed):
    rng = np.random.default_rng(20 + seed)
    a, b, z = (float(v) for v in rng.uniform(0.1, 1.0, size=3))
    _, (gd, gz) = check_vjp(record_in, ({"a": a, "b": b}, z), (0, 1))
    assert isinstance(gd, dict) and list(gd) == ["a", "b"]
    check_vjp(record_out, (a, b), (0, 1), {"s": 0.3, "p": -1.0, "q": 2.0})
    check_vjp(record_branch, ({"w": a, "v": b}, 1), (0,))
    check_vjp(record_branch, ({"w": a, "v": b}, -1), (0,))


def tuple_params(params, X):
    W1, W2, unused = params
    loss = 0.0
    for s in range(X.shape[0]):
        out = 0.0
        for i in range(W1.shape[0]):
            acc = 0.0
            for j in range(W1.shape[1]):
                acc += W1[i, j] * X[s, j]
            out += W2[i] * math.tanh(acc)
        loss += (out - 1.0) ** 2
    return loss + params[1][0] * 0.5


def test_tuple_of_arrays_gets_a_tuple_of_arrays():
    rng = np.random.default_rng(7)
    params = (rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=2))
    _, (g, gx) = check_vjp(tuple_params, (params, rng.normal(size=(4, 2))), (0, 1))
    assert isinstance(g, tuple) and [a.shape for a in g] == [(3, 2), (3,), (2,)]
    assert not g[2].any()


def array_and_scalar(x, a):
    y = x * a
    return (np.sin(y), np.sum(y) * a)


def test_tuple_result_holding_an_array():
    rng = np.random.default_rng(11)
    check_vjp(array_and_scalar, (rng.normal(size=3), 0.7), (0, 1), (rng.normal(size=3), 0.3))
