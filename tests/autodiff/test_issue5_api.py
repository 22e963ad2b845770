"""Issue 5, item 1: `grad`, `value_and_grad`, `jvp` and `vjp` have JAX's names, argument
order and result shapes. Each form is called on ember and on JAX (installed for the
benchmarks) with the same pytree of arguments (an array, a tuple, a dict, a float), and the
results are compared leaf by leaf, structure included."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember


def energy(x, t, d, s):
    acc = 0.0
    for i in range(x.shape[0]):
        acc += math.sin(x[i]) * t[0] + d["a"] * x[i] * x[i]
    return acc * s + t[1] * d["b"]


def energy_aux(x, t, d, s):
    return energy(x, t, d, s), (s * 2.0, d["a"])


def _jax_energy(jnp):
    def energy(x, t, d, s):
        acc = 0.0
        for i in range(x.shape[0]):
            acc += jnp.sin(x[i]) * t[0] + d["a"] * x[i] * x[i]
        return acc * s + t[1] * d["b"]

    def energy_aux(x, t, d, s):
        return energy(x, t, d, s), (s * 2.0, d["a"])

    return energy, energy_aux


ARGS = (np.array([0.1, 0.5, -0.3]), (1.5, -0.5), {"a": 0.7, "b": 1.2}, 0.9)
TANGENTS = (np.array([1.0, -2.0, 0.5]), (1.0, 0.0), {"a": 0.0, "b": 1.0}, 0.25)


@pytest.fixture(scope="module")
def jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax


def same(ours, theirs) -> None:
    """Equal structure (tuple / dict / array / float) and values."""
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), (ours, theirs)
        for a, b in zip(ours, theirs):
            same(a, b)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs), (ours, theirs)
        for k in theirs:
            same(ours[k], theirs[k])
    else:
        theirs = np.asarray(theirs)
        if theirs.ndim:
            assert isinstance(ours, np.ndarray) and ours.shape == theirs.shape
        else:
            assert isinstance(ours, float), type(ours)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("argnums", [0, 1, 2, 3, -1, (0, 2), (3, 1, 0), (0, 1, 2, 3)])
def test_grad_and_value_and_grad(jax, argnums):
    f_jax, _ = _jax_energy(jax.numpy)
    same(ember.grad(energy, argnums=argnums)(*ARGS), jax.grad(f_jax, argnums=argnums)(*ARGS))
    same(ember.value_and_grad(energy, argnums=argnums)(*ARGS),
         jax.value_and_grad(f_jax, argnums=argnums)(*ARGS))


@pytest.mark.parametrize("argnums", [0, (1, 2)])
def test_has_aux(jax, argnums):
    _, aux_jax = _jax_energy(jax.numpy)
    same(ember.grad(energy_aux, argnums=argnums, has_aux=True)(*ARGS),
         jax.grad(aux_jax, argnums=argnums, has_aux=True)(*ARGS))
    same(ember.value_and_grad(energy_aux, argnums=argnums, has_aux=True)(*ARGS),
         jax.value_and_grad(aux_jax, argnums=argnums, has_aux=True)(*ARGS))


def test_decorator_forms_are_the_same_derivative():
    plain = ember.grad(energy, argnums=(0, 3))(*ARGS)

    @ember.grad(argnums=(0, 3))
    def decorated(x, t, d, s):
        return energy(x, t, d, s)

    same(decorated(*ARGS), plain)
    same(ember.grad(ember.jit(energy), argnums=(0, 3))(*ARGS), plain)


def test_jvp(jax):
    f_jax, _ = _jax_energy(jax.numpy)
    same(ember.jvp(energy, ARGS, TANGENTS), jax.jvp(f_jax, ARGS, TANGENTS))
    # lists are accepted as JAX accepts them
    same(ember.jvp(energy, list(ARGS), list(TANGENTS)), jax.jvp(f_jax, ARGS, TANGENTS))


def test_vjp(jax):
    f_jax, _ = _jax_energy(jax.numpy)
    out, fn = ember.vjp(energy, *ARGS)
    out_j, fn_j = jax.vjp(f_jax, *ARGS)
    same(out, out_j)
    same(fn(1.0), fn_j(1.0))
    same(fn(-2.5), fn_j(-2.5))
