"""Forward mode through tuples and literal-key dicts (records): tangents of tuple and dict
arguments are tuples and dicts, results likewise; building and unpacking them inside
the function carries each element's tangent."""
from __future__ import annotations

import math

import numpy as np

from tests.autodiff.test_forward_util import derive_jvp


def polar(p, scale):
    r, theta = p
    pair = (r * math.cos(theta), r * math.sin(theta))
    x, y = pair
    return (x * scale, y * scale, x * y)


def params(d, x):
    cfg = {"a": d["a"] * 2.0, "b": d["b"]}
    cfg["c"] = cfg["a"] * x
    total = 0.0
    for i in range(3):
        total += cfg["c"] * math.sin(cfg["b"] + i)
    return {"total": total, "a": cfg["a"]}


def swap_loop(x, n):
    pair = (x, 1.0)
    for i in range(n):
        a, b = pair
        pair = (b + 0.1 * a, a * math.cos(b))
    return pair[0] * pair[1]


def test_tuple_argument_and_tuple_result():
    d = derive_jvp(polar, ((1.5, 0.3), 2.0), (0, 1))
    p, dp, ds = (1.5, 0.3), (0.2, -1.0), 0.5
    out, tan = d(p, 2.0, dp, ds)
    assert out == polar(p, 2.0)
    h = 1e-6
    plus = polar((p[0] + h * dp[0], p[1] + h * dp[1]), 2.0 + h * ds)
    minus = polar((p[0] - h * dp[0], p[1] - h * dp[1]), 2.0 - h * ds)
    want = [(a - b) / (2 * h) for a, b in zip(plus, minus)]
    assert isinstance(tan, tuple) and len(tan) == 3
    np.testing.assert_allclose(tan, want, rtol=1e-6)


def test_dict_argument_and_dict_result():
    d = derive_jvp(params, ({"a": 0.5, "b": 1.0}, 3.0), (0, 1))
    arg, darg, dx = {"a": 0.5, "b": 1.0}, {"a": 1.0, "b": -0.5}, 0.25
    out, tan = d(arg, 3.0, darg, dx)
    assert out == params(arg, 3.0)
    h = 1e-6
    plus = params({k: arg[k] + h * darg[k] for k in arg}, 3.0 + h * dx)
    minus = params({k: arg[k] - h * darg[k] for k in arg}, 3.0 - h * dx)
    assert set(tan) == {"total", "a"}
    for k in tan:
        assert abs(tan[k] - (plus[k] - minus[k]) / (2 * h)) < 1e-6


def test_tuples_carried_by_a_loop():
    d = derive_jvp(swap_loop, (0.7, 5), (0,))
    for x, n in ((0.7, 5), (-0.3, 9)):
        out, tan = d(x, n, 1.0)
        assert out == swap_loop(x, n)
        h = 1e-6
        assert abs(tan - (swap_loop(x + h, n) - swap_loop(x - h, n)) / (2 * h)) < 1e-6
