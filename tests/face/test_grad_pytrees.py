"""ember.grad / value_and_grad / jvp / vjp with tuples and dicts that mix ints with floats
and arrays: the derivative has the primal's structure, None at each int (JAX would refuse
integer leaves; ember gives them no derivative). Every case is checked against central
differences, and forward mode against reverse mode."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.ir.errors import DifferentiationError
from tests.autodiff.test_pytrees_util import assert_tree_close, fresh, reference


def loss(p, s):
    x, n, w = p
    acc = s
    for i in range(n):
        acc = acc * math.cos(x) + w * i
    return acc * n


def energy(d, y):
    return d["a"] * y ** d["k"] + math.exp(d["b"]) * d["k"]


def fit(params, xs, n):
    W, b, steps = params["W"], params["b"], params["steps"]
    total = 0.0
    for _ in range(steps):
        for i in range(xs.shape[0]):
            r = W[i] * xs[i] + b - 1.0
            total += r * r * n
    return total


def split(x, n):
    return (x * x * n, n, {"y": math.sin(x) * n, "m": n + 1})


def _directional(f, args, tangents, h=1e-6):
    """(f(args + h t) - f(args - h t)) / 2h, moving only float and array leaves."""
    def move(a, t, sign):
        if isinstance(a, tuple):
            return tuple(move(x, y, sign) for x, y in zip(a, t))
        if isinstance(a, dict):
            return {k: move(a[k], t[k], sign) for k in a}
        if t is None or isinstance(a, (bool, int)):
            return a
        return a + sign * h * np.asarray(t) if isinstance(a, np.ndarray) else a + sign * h * t

    def flat(v):
        if isinstance(v, tuple):
            return [y for x in v for y in flat(x)]
        if isinstance(v, dict):
            return [y for x in v.values() for y in flat(x)]
        return [] if isinstance(v, (bool, int)) else [float(v)]
    up = flat(f(*[move(a, t, 1) for a, t in zip(args, tangents)]))
    down = flat(f(*[move(a, t, -1) for a, t in zip(args, tangents)]))
    return np.subtract(up, down) / (2 * h)


def test_grad_of_tuple_and_dict_mixing_ints():
    args = ((0.7, 3, 1.25), 0.4)
    g = ember.grad(loss)(*args)
    assert g[1] is None
    assert_tree_close(g, reference(loss, args, 0))
    gp, gs = ember.grad(loss, argnums=(0, 1))(*args)
    assert_tree_close(gp, reference(loss, args, 0))
    assert_tree_close(gs, reference(loss, args, 1))
    assert ember.grad(loss)(*args) == g  # the second call runs the compiled specialization
    dargs = ({"a": 1.5, "k": 3, "b": -0.2}, 0.9)
    v, gd = ember.value_and_grad(energy)(*dargs)
    assert math.isclose(v, energy(*dargs), rel_tol=1e-14)
    assert list(gd) == ["a", "k", "b"] and gd["k"] is None
    assert_tree_close(gd, reference(energy, dargs, 0))


def test_grad_has_aux_with_ints_in_aux():
    def f(x, n):
        return x * x * n, (n, x * 2.0)
    g, aux = ember.grad(f, has_aux=True)(1.5, 3)
    assert aux == (3, 3.0) and math.isclose(g, 9.0)
    (v, aux2), g2 = ember.value_and_grad(f, has_aux=True)(1.5, 3)
    assert (v, aux2, g2) == (6.75, (3, 3.0), g)


def test_jvp_mixed_primals_and_outputs_vs_central_differences():
    primals = ((0.7, 3, 1.25), 0.4)
    tangents = ((0.3, None, -1.0), 0.5)
    out, t = ember.jvp(loss, primals, tangents)
    assert out == loss(*primals)
    np.testing.assert_allclose(t, _directional(loss, primals, tangents)[0], rtol=1e-6)
    out, t = ember.jvp(split, (0.8, 3), (0.5, None))
    assert out == split(0.8, 3)
    assert t[1] is None and t[2]["m"] is None
    want = _directional(split, (0.8, 3), (0.5, None))
    np.testing.assert_allclose([t[0], t[2]["y"]], want, rtol=1e-6)


def test_vjp_mixed_output_cotangent_and_mixed_primals():
    out, fn = ember.vjp(split, 0.8, 3)
    assert out == split(0.8, 3)
    gx, gn = fn((1.0, None, {"y": 2.0, "m": None}))
    assert gn is None
    want = central_difference_scalar(lambda x: split(x, 3)[0] + 2.0 * split(x, 3)[2]["y"], 0.8)
    assert math.isclose(gx, want, rel_tol=1e-6)
    _, fn2 = ember.vjp(energy, {"a": 1.5, "k": 3, "b": -0.2}, 0.9)
    gd, gy = fn2(1.0)
    assert_tree_close(gd, reference(energy, ({"a": 1.5, "k": 3, "b": -0.2}, 0.9), 0))


def central_difference_scalar(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_forward_agrees_with_reverse_on_mixed_tuples():
    primals = ((0.7, 3, 1.25), 0.4)
    g = ember.grad(loss, argnums=(0, 1))(*primals)
    by_jvp = [ember.jvp(loss, primals, t)[1] for t in
              (((1.0, None, 0.0), 0.0), ((0.0, None, 1.0), 0.0), ((0.0, None, 0.0), 1.0))]
    np.testing.assert_allclose(by_jvp, [g[0][0], g[0][2], g[1]], rtol=1e-12)


def test_hessian_vector_product_through_holes():
    def f(p):
        x, n = p
        return x ** 3 * n
    out, hv = ember.jvp(ember.grad(f), ((1.5, 2),), ((1.0, None),))
    assert out[1] is None and hv[1] is None
    assert math.isclose(out[0], 3 * 1.5 ** 2 * 2) and math.isclose(hv[0], 6 * 1.5 * 2)


def layer(params, x):
    h = 0.0
    for i in range(x.shape[0]):
        h += params["W"][i] * x[i]
    return math.tanh(h + params["b"][0]) * params["scale"]


def test_grad_with_respect_to_dicts_of_arrays():
    xs = np.linspace(-1.0, 1.0, 4)
    params = ({"W": np.array([0.5, -0.2, 0.3, 1.0]), "b": 0.1, "steps": 2}, xs, 3)
    g = ember.grad(fit)(*fresh(params))
    assert list(g) == ["W", "b", "steps"] and g["steps"] is None
    assert isinstance(g["W"], np.ndarray) and g["W"].shape == (4,)
    assert_tree_close(g, reference(fit, params, 0))
    # forward mode along each float leaf agrees with the reverse gradient
    tw = np.array([1.0, -2.0, 0.5, 0.0])
    _, t = ember.jvp(fit, fresh(params), ({"W": tw, "b": 0.5, "steps": None}, np.zeros(4), None))
    assert math.isclose(t, float(g["W"] @ tw) + 0.5 * g["b"], rel_tol=1e-10)
    np.testing.assert_allclose(
        t, _directional(fit, params, ({"W": tw, "b": 0.5, "steps": None}, None, None)),
        rtol=1e-6)
    args = ({"W": np.array([0.3, -0.1, 0.2]), "b": np.array([0.05]), "scale": 1.5},
            np.arange(3.0))
    gl = ember.grad(layer)(*fresh(args))
    assert_tree_close(gl, reference(layer, args, 0))
    _, fn = ember.vjp(layer, *fresh(args))
    assert_tree_close(fn(1.0)[0], gl, rtol=1e-12, atol=1e-14)


def test_int_leaf_alone_is_refused_naming_it():
    def f(p, n):
        return p[0] * n
    with pytest.raises(DifferentiationError, match="'n'"):
        ember.grad(f, argnums=1)((1.0, 2), 3)
    with pytest.raises(DifferentiationError, match="'p'"):
        ember.grad(f)((1, 2), 3)


def carried(p, steps):
    state = p
    for i in range(steps):
        x, k = state
        if k % 2 == 0:
            state = (x * 0.9 + math.sin(x), k + 1)
        else:
            state = (x * x * 0.5, k + 1)
    return state


def record_while(d, n):
    acc = {"v": d["v"], "c": 0}
    while acc["c"] < n:
        acc = {"v": acc["v"] * math.cos(acc["v"]) + d["w"], "c": acc["c"] + 1}
    return acc["v"]


def test_mixed_tuples_and_records_carried_through_loops_and_branches():
    out, t = ember.jvp(carried, ((0.7, 0), 4), ((1.0, None), None))
    assert out == carried((0.7, 0), 4) and t[1] is None
    want = central_difference_scalar(lambda x: carried((x, 0), 4)[0], 0.7)
    assert math.isclose(t[0], want, rel_tol=1e-6)
    _, fn = ember.vjp(carried, (0.7, 0), 4)
    (gp, gsteps) = fn((1.0, None))
    assert gsteps is None and gp[1] is None
    assert math.isclose(gp[0], t[0], rel_tol=1e-12)  # reverse agrees with forward
    args = ({"v": 0.4, "w": 0.2, "c": 1}, 3)
    g = ember.grad(record_while)(*args)
    assert g["c"] is None
    assert_tree_close(g, reference(record_while, args, 0))


def net(params, x):
    W1, W2 = params["layers"]
    s = 0.0
    for i in range(x.shape[0]):
        h = math.tanh(W1[i] * x[i] + params["bias"])
        s += W2[i] * h * params["n"]
    return s


def test_nested_dict_of_tuple_of_arrays_with_an_int():
    p = {"layers": (np.array([0.5, -0.3, 0.8]), np.arange(3.0)), "n": 2, "bias": 0.1}
    x = np.linspace(0.0, 1.0, 3)
    v, (gp, gx) = ember.value_and_grad(net, argnums=(0, 1))(fresh(p), x.copy())
    assert math.isclose(v, net(p, x), rel_tol=1e-14)
    assert list(gp) == ["layers", "n", "bias"] and gp["n"] is None
    assert_tree_close(gp, reference(net, (p, x), 0))
    assert_tree_close(gx, reference(net, (p, x), 1))
    tw = np.array([1.0, 0.5, -2.0])
    tangent = {"layers": (tw, np.zeros(3)), "n": None, "bias": 0.25}
    _, t = ember.jvp(net, (fresh(p), x.copy()), (tangent, np.zeros(3)))
    assert math.isclose(t, float(gp["layers"][0] @ tw) + 0.25 * gp["bias"], rel_tol=1e-10)
    _, fn = ember.vjp(net, fresh(p), x.copy())
    assert_tree_close(fn(1.0), (gp, gx), rtol=1e-12, atol=1e-14)
