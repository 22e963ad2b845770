"""Issue 5, item 1: `grad`, `value_and_grad`, `jvp` and `vjp` have JAX's names, argument
order and result shapes. Each form is called with a pytree of arguments (an array, a tuple,
a dict, a float) and compared, leaf by leaf and structure included, with what JAX returns
for the same call: the exact gradient, arranged as jax.grad / value_and_grad / jvp / vjp
arrange it (benchmarks/check_jax.py runs the same calls against JAX itself)."""
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


def _grad_energy(x, t, d, s):
    """The exact gradient of `energy`, one entry per argument, shaped as JAX shapes it."""
    inner = float(np.sum(np.sin(x) * t[0] + d["a"] * x * x))
    return (s * (np.cos(x) * t[0] + 2.0 * d["a"] * x),
            (s * float(np.sum(np.sin(x))), d["b"]),
            {"a": s * float(np.sum(x * x)), "b": t[1]},
            inner)


def _pick(grads, argnums):
    """What jax.grad returns for `argnums`: one entry, or a tuple of them in that order."""
    if isinstance(argnums, int):
        return grads[argnums]
    return tuple(grads[k] for k in argnums)


ARGS = (np.array([0.1, 0.5, -0.3]), (1.5, -0.5), {"a": 0.7, "b": 1.2}, 0.9)
TANGENTS = (np.array([1.0, -2.0, 0.5]), (1.0, 0.0), {"a": 0.0, "b": 1.0}, 0.25)


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
def test_grad_and_value_and_grad(argnums):
    want = _pick(_grad_energy(*ARGS), argnums)
    same(ember.grad(energy, argnums=argnums)(*ARGS), want)
    same(ember.value_and_grad(energy, argnums=argnums)(*ARGS), (energy(*ARGS), want))


@pytest.mark.parametrize("argnums", [0, (1, 2)])
def test_has_aux(argnums):
    want = _pick(_grad_energy(*ARGS), argnums)
    aux = energy_aux(*ARGS)[1]
    same(ember.grad(energy_aux, argnums=argnums, has_aux=True)(*ARGS), (want, aux))
    same(ember.value_and_grad(energy_aux, argnums=argnums, has_aux=True)(*ARGS),
         ((energy(*ARGS), aux), want))


def test_decorator_forms_are_the_same_derivative():
    plain = ember.grad(energy, argnums=(0, 3))(*ARGS)

    @ember.grad(argnums=(0, 3))
    def decorated(x, t, d, s):
        return energy(x, t, d, s)

    same(decorated(*ARGS), plain)
    same(ember.grad(ember.jit(energy), argnums=(0, 3))(*ARGS), plain)


def _dot(g, t) -> float:
    """The directional derivative: the sum over leaves of gradient * tangent."""
    if isinstance(g, tuple):
        return sum(_dot(a, b) for a, b in zip(g, t))
    if isinstance(g, dict):
        return sum(_dot(g[k], t[k]) for k in g)
    return float(np.sum(np.asarray(g) * np.asarray(t)))


def test_jvp():
    want = (energy(*ARGS), _dot(_grad_energy(*ARGS), TANGENTS))
    same(ember.jvp(energy, ARGS, TANGENTS), want)
    # lists are accepted as JAX accepts them
    same(ember.jvp(energy, list(ARGS), list(TANGENTS)), want)


def test_vjp():
    out, fn = ember.vjp(energy, *ARGS)
    same(out, energy(*ARGS))
    grads = _grad_energy(*ARGS)
    for ct in (1.0, -2.5):
        same(fn(ct), tuple(_scale(g, ct) for g in grads))


def _scale(g, c):
    if isinstance(g, tuple):
        return tuple(_scale(e, c) for e in g)
    if isinstance(g, dict):
        return {k: _scale(e, c) for k, e in g.items()}
    return g * c
