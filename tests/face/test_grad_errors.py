"""Errors of the autodiff API: what the user did wrong, named, at the call."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.errors import CompileError, DifferentiationError


def power(x, n):
    s = 1.0
    for _ in range(n):
        s *= x
    return s


def vector(a):
    out = np.empty_like(a)
    for i in range(a.shape[0]):
        out[i] = a[i] * 2.0
    return out


def count(x):
    return int(x * 3.0)


def test_int_argument_in_argnums_is_named():
    with pytest.raises(DifferentiationError, match="'n'") as info:
        ember.grad(power, argnums=1)(2.0, 3)
    assert "argnums=1" in str(info.value) and "an int (i64)" in str(info.value)
    assert info.value.loc is not None  # points at the function


def test_bool_and_int_array_arguments_are_rejected():
    def f(x, flag):
        return x if flag else -x

    with pytest.raises(DifferentiationError, match="'flag'"):
        ember.grad(f, argnums=1)(1.0, True)

    def g(a):
        return a[0] * 1.5

    with pytest.raises(DifferentiationError, match="'a'"):
        ember.grad(g)(np.arange(3))


def test_non_scalar_output():
    with pytest.raises(TypeError, match="Gradient only defined for scalar-output functions"):
        ember.grad(vector)(np.ones(3))
    with pytest.raises(TypeError, match="Gradient only defined for scalar-output functions"):
        ember.grad(count)(1.0)


def test_has_aux_needs_a_pair():
    with pytest.raises(TypeError, match="has_aux=True"):
        ember.grad(power, has_aux=True)(2.0, 2)


def test_argnums_checks():
    with pytest.raises(TypeError, match="out of range"):
        ember.grad(power, argnums=2)(2.0, 3)
    with pytest.raises(TypeError, match="argnums"):
        ember.grad(power, argnums="x")
    with pytest.raises(TypeError, match="argnums"):
        ember.grad(power, argnums=())


def test_not_a_function():
    with pytest.raises(TypeError, match="Python function"):
        ember.grad(3)
    with pytest.raises(TypeError, match="Python function"):
        ember.jvp(np.sin, (1.0,), (1.0,))


def test_jvp_argument_checks():
    with pytest.raises(TypeError, match="tuples or lists"):
        ember.jvp(power, 2.0, 1.0)
    with pytest.raises(TypeError, match="one tangent per primal"):
        ember.jvp(power, (2.0, 3), (1.0,))
    with pytest.raises(ValueError, match="dimension"):
        ember.jvp(vector, (np.ones(3),), (np.ones((3, 1)),))


def test_vjp_cotangent_structure():
    def pair(x):
        return x, 2.0 * x

    _, vjp_fn = ember.vjp(pair, 1.0)
    with pytest.raises(TypeError, match="structure"):
        vjp_fn(1.0)
    assert vjp_fn((1.0, 1.0)) == (3.0,)


def test_compile_errors_show_the_users_line_only():
    def bad(x):
        return x.nope

    with pytest.raises(CompileError) as info:
        ember.grad(bad)(1.0)
    assert info.value.__traceback__ is None or all(
        "ember/compiler.py" not in str(tb.tb_frame.f_code.co_filename)
        for tb in _frames(info.value.__traceback__))


def _frames(tb):
    while tb is not None:
        yield tb
        tb = tb.tb_next


def test_no_differentiable_argument_for_jvp():
    def twice(n):
        return n * 2.0

    with pytest.raises(DifferentiationError, match="no differentiable argument"):
        ember.jvp(twice, (3,), (0,))
