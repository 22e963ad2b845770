"""Derivatives called inside compiled code (issue 6.2): `ember.grad(g)(x)` or a global
`dg = ember.grad(g)` called from a jitted or differentiated function, which can itself be
differentiated again, with no perturbation confusion."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.errors import CompileError


def mul(x, y):
    return x * y


def add(x, y):
    return x + y


d_mul_dy = ember.grad(mul, argnums=1)
d_add_dy = ember.grad(add, argnums=1)


def test_no_perturbation_confusion_issue_case():
    # d/dx [x * d/dy (x * y)] at x = 5, y = 3 is d/dx [x * x] = 10
    @ember.jit
    def outer(x):
        return x * d_mul_dy(x, 3.0)

    assert outer(5.0) == 25.0
    assert ember.grad(outer)(5.0) == 10.0
    assert ember.jvp(outer, (5.0,), (1.0,)) == (25.0, 10.0)


def test_no_perturbation_confusion_siskind_pearlmutter():
    # d/dx [x * (d/dy (x + y) at y = 1)] at x = 1 is 1 (a confused tagger gives 2)
    def outer(x):
        return x * d_add_dy(x, 1.0)

    assert ember.grad(outer)(1.0) == 1.0


def test_inline_grad_call_in_compiled_code():
    @ember.jit
    def outer(x):
        return x * ember.grad(mul, argnums=1)(x, 3.0)

    assert outer(5.0) == 25.0
    assert ember.grad(outer)(5.0) == 10.0


def sinx(x):
    return math.sin(x) * x


def test_nested_grads_inside_and_differentiated_again():
    @ember.jit
    def h2(x):
        return ember.grad(ember.grad(sinx))(x) + ember.value_and_grad(sinx)(x)[1]

    x = 0.7
    d1 = math.sin(x) + x * math.cos(x)
    d2 = 2 * math.cos(x) - x * math.sin(x)
    d3 = -3 * math.sin(x) - x * math.cos(x)
    assert h2(x) == pytest.approx(d2 + d1, rel=1e-12)
    assert ember.grad(h2)(x) == pytest.approx(d3 + d2, rel=1e-12)
    assert ember.grad(ember.grad(h2))(x) == pytest.approx(
        -4 * math.cos(x) + x * math.sin(x) + d3, rel=1e-12)


def energy(x, k):
    e = 0.0
    for i in range(x.shape[0] - 1):
        d = x[i + 1] - x[i]
        e += k * d * d if d > 0 else 0.5 * k * d * d
    return e


d_energy = ember.grad(energy)


def test_gradient_descent_loop_in_compiled_code_differentiated_by_k():
    # one compiled function runs gradient steps (a loop calling the derivative) and is
    # differentiated with respect to the stiffness k (through the inner gradient)
    def relaxed(x0, k, steps):
        x = x0.copy()
        for _ in range(steps):
            g = d_energy(x, k)
            for i in range(x.shape[0]):
                x[i] = x[i] - 0.05 * g[i]
        return energy(x, k)

    x0 = np.array([0.0, 1.0, 0.5, 2.0])
    jr = ember.jit(relaxed)
    assert jr(x0, 1.5, 5) == pytest.approx(relaxed(x0, 1.5, 5), rel=1e-12)  # plain Python too
    h = 1e-6
    fd = (relaxed(x0, 1.5 + h, 5) - relaxed(x0, 1.5 - h, 5)) / (2 * h)
    assert ember.grad(relaxed, argnums=1)(x0, 1.5, 5) == pytest.approx(fd, rel=1e-6)


def test_branch_around_the_inner_derivative():
    def outer(x, flag):
        if flag:
            return d_mul_dy(x, x) * x        # x * x
        return x

    assert ember.grad(outer)(3.0, True) == 6.0
    assert ember.grad(outer)(3.0, False) == 1.0


def test_arguments_of_the_transform_must_be_static():
    @ember.jit
    def bad(x):
        f = x
        return ember.grad(mul, argnums=f)(x, 3.0)

    with pytest.raises(CompileError, match="must be global functions and constants") as info:
        bad(1.0)
    assert info.value.loc.line == bad.py_func.__code__.co_firstlineno + 3


def test_vector_valued_inner_grad_is_a_typing_error():
    def vec(x):
        return (x, x)

    @ember.jit
    def bad(x):
        return ember.grad(vec)(x)

    with pytest.raises(CompileError, match="scalar-output"):
        bad(1.0)


def test_jitted_helper_holding_a_derivative_of_a_custom_rule():
    # a jitted helper returns the gradient of a custom_jvp norm; a derivative of a
    # function calling it differentiates the rule (second order) through the helper
    @ember.custom_jvp
    def norm(x):
        return math.sqrt(x[0] * x[0] + x[1] * x[1])

    @norm.defjvp
    def norm_jvp(primals, tangents):
        x, = primals
        t, = tangents
        y = norm(x)
        if y == 0.0:
            return y, 0.0
        return y, (x[0] * t[0] + x[1] * t[1]) / y

    @ember.jit
    def unit(x):
        return ember.grad(norm)(x)

    def first(x):
        return unit(x)[0]

    assert unit(np.zeros(2)).tolist() == [0.0, 0.0]
    assert unit(np.array([3.0, 4.0])).tolist() == pytest.approx([0.6, 0.8])
    assert ember.grad(first)(np.array([3.0, 4.0])).tolist() == pytest.approx([0.128, -0.096])
    assert ember.grad(first)(np.zeros(2)).tolist() == [0.0, 0.0]


def rosen(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2
    return s


d_rosen = ember.grad(rosen)
h_rosen = ember.hessian(rosen)


def test_hessian_called_in_compiled_code_and_differentiated_again():
    @ember.jit
    def diag_newton(x):
        H = h_rosen(x)
        g = d_rosen(x)
        out = np.empty_like(x)
        for i in range(x.shape[0]):
            out[i] = x[i] - g[i] / H[i, i]
        return out

    def trace2(x):
        H = h_rosen(x)
        return H[0, 0] + H[1, 1]

    x = np.array([0.5, 0.3, 0.9])
    H, g = ember.hessian(rosen)(x), ember.grad(rosen)(x)
    np.testing.assert_allclose(diag_newton(x), x - g / np.diag(H), rtol=1e-14)
    # d/dx of (1200 x0^2 - 400 x1 + 2) + (202 + 1200 x1^2 - 400 x2)
    np.testing.assert_allclose(ember.grad(trace2)(x), [2400 * x[0], 2400 * x[1] - 400, -400],
                               rtol=1e-12)


def test_hvp_cannot_be_called_in_compiled_code():
    hv = ember.hvp(rosen)

    @ember.jit
    def bad(x):
        return hv(x, x)

    with pytest.raises(CompileError, match="hv") as info:   # a compile error at the call
        bad(np.ones(3))
    assert info.value.loc.line == bad.py_func.__code__.co_firstlineno + 2

    @ember.jit
    def bad2(x):
        return hv(x)

    with pytest.raises(CompileError, match="cannot be called from compiled code"):
        bad2(np.ones(3))
