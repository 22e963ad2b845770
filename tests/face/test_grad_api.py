"""ember.grad and ember.value_and_grad: argnums forms, has_aux, result shapes as in JAX,
decorator forms, jitted input, derivatives of derivatives, and the values against central
differences and CPython."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from tests.autodiff.harness import central_difference

RTOL = 1e-6


def close(a, b, rtol: float = RTOL) -> bool:
    return bool(np.allclose(a, b, rtol=rtol, atol=1e-7))


def wave(x, y, n):
    s = 0.0
    for i in range(n):
        s += math.sin(x * i) * y + x * y * 0.1
    return s


def quad(a, k):
    s = 0.0
    for i in range(a.shape[0]):
        s += k * a[i] * a[i] + math.cos(a[i])
    return s


def structured(t, d):
    return t[0] * d["k"] + t[1] * t[1] * d["m"]


def with_aux(x, y):
    return x * x * y, x + y


rng = np.random.default_rng(5)
G_WAVE = ember.grad(wave)
G_WAVE_01 = ember.grad(wave, argnums=(0, 1))
VG_QUAD = ember.value_and_grad(quad, argnums=(0, 1))


def test_grad_of_float_argument_matches_central_difference():
    for _ in range(3):
        x, y = rng.uniform(-2, 2), rng.uniform(-2, 2)
        g = G_WAVE(x, y, 7)
        assert isinstance(g, float)
        assert close(g, central_difference(wave, (x, y, 7), 0))


def test_tuple_argnums_give_a_tuple_in_that_order():
    x, y = rng.uniform(-2, 2), rng.uniform(-2, 2)
    g = G_WAVE_01(x, y, 5)
    assert isinstance(g, tuple) and len(g) == 2
    assert close(g[0], central_difference(wave, (x, y, 5), 0))
    assert close(g[1], central_difference(wave, (x, y, 5), 1))
    back = ember.grad(wave, argnums=(1, 0))(x, y, 5)
    assert back == (g[1], g[0])
    assert ember.grad(wave, argnums=-2)(x, y, 5) == g[1]
    assert ember.grad(wave, argnums=[0])(x, y, 5) == (g[0],)


def test_value_and_grad_with_an_array_argument():
    a, k = rng.standard_normal(6), rng.uniform(0.5, 2)
    value, (ga, gk) = VG_QUAD(a, k)
    assert value == quad(a, k)
    assert isinstance(ga, np.ndarray) and ga.shape == a.shape and ga.dtype == np.float64
    assert close(ga, central_difference(quad, (a, k), 0))
    assert close(gk, central_difference(quad, (a, k), 1))


def test_gradient_of_a_noncontiguous_array_argument():
    a = rng.standard_normal(12)[::2]
    value, (ga, _) = VG_QUAD(a, 1.5)
    assert ga.flags.c_contiguous and ga.shape == (6,)
    assert close(ga, central_difference(quad, (np.ascontiguousarray(a), 1.5), 0))


def test_gradient_with_respect_to_a_tuple_and_a_dict():
    t, d = (rng.uniform(-1, 1), rng.uniform(-1, 1)), {"k": 1.5, "m": 2.5}
    gt, gd = ember.grad(structured, argnums=(0, 1))(t, d)
    assert isinstance(gt, tuple) and isinstance(gd, dict) and list(gd) == ["k", "m"]
    assert close(gt, (d["k"], 2 * t[1] * d["m"]))
    assert close(gd["k"], t[0]) and close(gd["m"], t[1] * t[1])


def test_has_aux():
    x, y = 1.5, -0.5
    g, aux = ember.grad(with_aux, has_aux=True)(x, y)
    assert close(g, 2 * x * y) and aux == x + y
    (out, aux2), g2 = ember.value_and_grad(with_aux, argnums=(0, 1), has_aux=True)(x, y)
    assert out == x * x * y and aux2 == x + y
    assert close(g2, (2 * x * y, x * x))


def test_has_aux_with_int_and_array_aux():
    def steps(x, n):
        t = 1.0
        k = 0
        while t > 1e-3 and k < n:
            t *= 0.5 * math.tanh(x)
            k += 1
        return t * x, k

    g, k = ember.grad(steps, has_aux=True)(1.3, 50)
    assert k == steps(1.3, 50)[1] and isinstance(k, int)
    assert close(g, central_difference(lambda x: steps(x, 50)[0], (1.3,), 0))

    def doubled(a):
        out = np.empty_like(a)
        s = 0.0
        for i in range(a.shape[0]):
            out[i] = a[i] * 2.0
            s += a[i] * a[i]
        return s, out

    a = rng.standard_normal(4)
    (value, aux), ga = ember.value_and_grad(doubled, has_aux=True)(a)
    assert value == doubled(a)[0] and close(aux, 2 * a) and close(ga, 2 * a)


def test_decorator_forms():
    @ember.grad
    def sq(x):
        return x * x * x

    @ember.grad(argnums=1)
    def second(x, y):
        return x * y * y

    @ember.value_and_grad
    def cube(x):
        return x * x * x

    assert sq(2.0) == 12.0
    assert second(3.0, 2.0) == 12.0
    assert cube(2.0) == (8.0, 12.0)
    assert sq.__name__ == "sq" and "ember.grad" in repr(sq)


def test_jitted_function_keeps_its_options():
    jitted = ember.jit(boundscheck=False)(quad)
    g = ember.grad(jitted)
    a = rng.standard_normal(4)
    assert close(g(a, 2.0), central_difference(quad, (a, 2.0), 0))
    assert g._options["boundscheck"] is False
    assert ember.jit(g) is g  # a derivative is compiled already


def test_keyword_call_and_defaults_take_the_python_path():
    def f(x, scale=2.0):
        return scale * x * x

    g = ember.grad(f)
    assert g(3.0) == 12.0
    assert g(x=3.0, scale=1.0) == 6.0


def test_one_specialization_per_signature_and_inspection():
    def f(x):
        return x * x

    g = ember.grad(f)
    assert g(3.0) == 6.0
    assert g(np.float32(2.0)) == 4.0
    assert len(g.signatures) == 2
    assert set(g.stats) == set(g.signatures)
    assert all(s["total"] > 0 for s in g.stats.values())
    text = g.inspect_ir("typed", signature="float")
    assert "__vjp" in text and "func @f" in text
    assert "func @" in g.inspect_ir("optimized", signature="float")
    assert "define" in g.inspect_ir("llvm", signature="float")


def test_inspect_source_runs_and_agrees_with_the_native_derivative():
    a, k = rng.standard_normal(5), 0.7
    value, (ga, gk) = VG_QUAD(a, k)
    src = VG_QUAD.inspect_source(signature="array<f64, 1, C>, f64")
    assert "def quad__vjp(" in src and "# line" in src
    namespace: dict = {}
    exec(compile(src, "<derivative>", "exec"), namespace)
    py_value, (py_ga, py_gk) = namespace["quad__vjp"](a, k, 1.0)
    assert py_value == value and close(py_ga, ga, 1e-12) and close(py_gk, gk, 1e-12)
    both = VG_QUAD.inspect_source()  # every compiled signature: still Python
    compile(both, "<derivatives>", "exec")


def test_second_derivative_by_composition():
    def f(x):
        return x * x * x + math.sin(x)

    x = 0.7
    g2 = ember.grad(ember.grad(f))
    assert close(g2(x), 6 * x - math.sin(x))
    assert close(ember.grad(g2)(x), 6 - math.cos(x))  # third order: each level applied once
    d2, d3 = ember.jvp(g2, (x,), (1.0,))
    assert close(d2, 6 * x - math.sin(x)) and close(d3, 6 - math.cos(x))
    assert close(ember.value_and_grad(ember.grad(f))(x), (3 * x * x + math.cos(x),
                                                         6 * x - math.sin(x)))


def test_grad_bounds_error_is_the_users_exception():
    def f(a, i):
        return a[i] * a[i]

    with pytest.raises(IndexError):
        ember.grad(f)(np.ones(3), 5)


def test_concurrent_first_calls_compile_once():
    import threading

    def f(x):
        return x * x * 0.5

    g = ember.grad(f)
    results = []
    threads = [threading.Thread(target=lambda v=v: results.append(g(float(v)))) for v in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0.0, 1.0, 2.0, 3.0]
    assert len(g.signatures) == 1
