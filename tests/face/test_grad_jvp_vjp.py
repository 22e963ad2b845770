"""ember.jvp and ember.vjp: JAX's argument and result shapes, tangents and cotangents of
floats, arrays, tuples and dicts, against central differences and against each other."""
from __future__ import annotations

import math

import numpy as np

import ember
from tests.autodiff.harness import central_difference


def close(a, b) -> bool:
    return bool(np.allclose(a, b, rtol=1e-6, atol=1e-7))


def mix(a, k, n):
    s = 0.0
    for i in range(a.shape[0]):
        s += k * math.sin(a[i]) * a[i]
    return s * n


def scaled(a, k):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = k * a[i] * a[i]
    return out


def pair(t, d):
    return t[0] * d["k"] + t[1], d["k"] * t[1]


rng = np.random.default_rng(11)


def test_jvp_returns_primal_and_directional_derivative():
    a, k = rng.standard_normal(5), 1.3
    da, dk = rng.standard_normal(5), 0.4
    out, tan = ember.jvp(mix, (a, k, 3), (da, dk, None))
    assert out == mix(a, k, 3)
    want = central_difference(mix, (a, k, 3), 0) @ da + central_difference(mix, (a, k, 3), 1) * dk
    assert close(tan, want)


def test_jvp_converts_tangents_to_the_primal_types():
    a = rng.standard_normal(4)
    out, tan = ember.jvp(mix, [a, 2.0, 2], [list(np.ones(4)), 1, 0])
    want = central_difference(mix, (a, 2.0, 2), 0).sum() + central_difference(mix, (a, 2.0, 2), 1)
    assert close(tan, want)


def test_jvp_with_array_output():
    a, k = rng.standard_normal(4), 0.5
    da = rng.standard_normal(4)
    out, tan = ember.jvp(scaled, (a, k), (da, 0.0))
    assert close(out, k * a * a)
    assert isinstance(tan, np.ndarray) and close(tan, 2 * k * a * da)


def test_jvp_with_tuple_and_dict_structure():
    t, d = (1.5, -0.5), {"k": 2.0}
    out, tan = ember.jvp(pair, (t, d), ((1.0, 0.0), {"k": 0.5}))
    assert out == pair(t, d)
    assert isinstance(tan, tuple) and close(tan, (1.0 * 2.0 + 1.5 * 0.5, 0.5 * -0.5))


def test_vjp_returns_one_gradient_per_primal():
    a, k = rng.standard_normal(5), 0.8
    out, vjp_fn = ember.vjp(mix, a, k, 4)
    assert out == mix(a, k, 4)
    ga, gk, gn = vjp_fn(2.0)
    assert gn is None
    assert close(ga, 2.0 * central_difference(mix, (a, k, 4), 0))
    assert close(gk, 2.0 * central_difference(mix, (a, k, 4), 1))
    assert ember.grad(mix, argnums=(0, 1))(a, k, 4)[1] == vjp_fn(1.0)[1]


def test_vjp_of_array_output_equals_stacked_jvps():
    a, k = rng.standard_normal(3), 1.7
    out, vjp_fn = ember.vjp(scaled, a, k)
    ct = rng.standard_normal(3)
    ga, gk = vjp_fn(ct)
    jac = np.array([ember.jvp(scaled, (a, k), (e, 0.0))[1] for e in np.eye(3)]).T
    assert close(ga, ct @ jac)
    assert close(gk, ct @ ember.jvp(scaled, (a, k), (np.zeros(3), 1.0))[1])


def test_vjp_with_tuple_output_cotangent():
    t, d = (0.3, 1.1), {"k": -2.0}
    out, vjp_fn = ember.vjp(pair, t, d)
    gt, gd = vjp_fn((1.0, 1.0))
    assert isinstance(gt, tuple) and isinstance(gd, dict)
    assert close(gt, (d["k"], 1.0 + d["k"]))
    assert close(gd["k"], t[0] + t[1])


def test_jvp_of_grad_is_a_hessian_vector_product():
    def f(x, y):
        return x * x * y + math.exp(x * y)

    x, y = 0.4, 0.9
    g = ember.grad(f, argnums=(0, 1))
    _, hv = ember.jvp(g, (x, y), (1.0, 0.0))
    e = math.exp(x * y)
    assert close(hv, (2 * y + y * y * e, 2 * x + e + x * y * e))


def test_vjp_of_grad_is_a_hessian_vector_product_too():
    def f(x, y):
        return x * x * y + math.exp(x * y)

    x, y = 0.4, 0.9
    g, vjp_fn = ember.vjp(ember.grad(f, argnums=(0, 1)), x, y)
    e = math.exp(x * y)
    assert close(g, (2 * x * y + y * e, x * x + x * e))
    hx, hy = vjp_fn((1.0, 0.0))  # the Hessian is symmetric: the same as the jvp above
    assert close((hx, hy), (2 * y + y * y * e, 2 * x + e + x * y * e))


def test_repeated_calls_reuse_the_compiled_derivative():
    a = rng.standard_normal(3)
    ember.jvp(mix, (a, 1.0, 1), (a, 0.0, 0))
    from ember.derivatives import _derivative
    d = _derivative(mix, "jvp")
    count = len(d.signatures)
    for _ in range(3):
        ember.jvp(mix, (a, 1.0, 1), (a, 0.0, 0))
    assert len(d.signatures) == count
