"""np.maximum / np.minimum / np.clip split a tie's derivative as JAX's jnp.maximum /
jnp.minimum / jnp.clip do (0.5 each; a nan operand gives 0 to both; off ties the larger,
or smaller, operand takes it all), in both modes, on a grid of special values; Python's max
keeps the select convention. The rule is written out below (JAX's, jax/_src/lax/lax.py
`_balanced_eq`); benchmarks/check_jax_ties.py compares the same grids with JAX itself."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import ember

NAN, INF = float("nan"), float("inf")
SPECIAL = [NAN, -INF, -1.5, -0.0, 0.0, 1.5, INF]


def np_max(x, y):
    return np.maximum(x, y)


def np_min(x, y):
    return np.minimum(x, y)


def np_clip(x, lo, hi):
    return np.clip(x, lo, hi)


def _weights(x: float, y: float, z: float) -> tuple[float, float]:
    """JAX's derivative weights of z = maximum(x, y) (or minimum) for x and y."""
    wx = (x == z) / (1.0 + (y == z))
    wy = (y == z) / (1.0 + (x == z))
    return float(wx), float(wy)


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("which", ["maximum", "minimum"])
def test_scalar_grid_follows_jax_rule(which):
    ours = np_max if which == "maximum" else np_min
    grad = ember.grad(ours, argnums=(0, 1))
    for x, y in itertools.product(SPECIAL, SPECIAL):
        z = getattr(np, which)(x, y)
        want = _weights(x, y, z)
        got = grad(x, y)
        assert all(_same(g, w) for g, w in zip(got, want)), (which, x, y, got, want)
        for k in (0, 1):
            _, t = ember.jvp(ours, (x, y), (float(k == 0), float(k == 1)))
            assert _same(t, want[k]), (which, x, y, k, t, want)


def test_tie_values_by_hand():
    assert ember.grad(np_max, argnums=(0, 1))(1.0, 1.0) == (0.5, 0.5)
    assert ember.grad(np_max, argnums=(0, 1))(0.0, -0.0) == (0.5, 0.5)
    assert ember.grad(np_min, argnums=(0, 1))(2.0, 1.0) == (0.0, 1.0)
    assert ember.grad(np_max, argnums=(0, 1))(NAN, 1.0) == (0.0, 0.0)
    assert ember.jvp(np_max, (1.0, 1.0), (1.0, 0.0)) == (1.0, 0.5)
    # clip is minimum(hi, maximum(lo, x)), as jnp.clip: at x == lo == hi 0.25 / 0.25 / 0.5
    assert ember.grad(np_clip, argnums=(0, 1, 2))(2.0, 2.0, 2.0) == (0.25, 0.25, 0.5)
    assert ember.grad(np_clip, argnums=(0, 1, 2))(0.0, 0.0, 1.0) == (0.5, 0.5, 0.0)


def test_python_max_keeps_the_select_convention():
    def py_max(x, y):
        return max(x, y)
    assert ember.grad(py_max, argnums=(0, 1))(1.0, 1.0) == (1.0, 0.0)
