"""Run with `python -m pytest benchmarks/check_jax_ties.py` (needs the bench extra: JAX).

Derivatives of np.maximum / np.minimum / np.clip against JAX's jnp.maximum / jnp.minimum /
jnp.clip, forward (jvp) and reverse (grad) mode: a tie splits 0.5 / 0.5 (0.0 against -0.0 and
inf against inf included), a nan operand gives 0 to both, off ties the larger (smaller) operand
takes it all; scalars, arrays, broadcast scalars. Python's max and the np.max reduction keep
the select convention (the whole derivative to the operand picked)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import ember

NAN, INF = float("nan"), float("inf")
SPECIAL = [NAN, -INF, -1.5, -0.0, 0.0, 1.5, INF]


@pytest.fixture(scope="module")
def jax():
    import jax  # an anchor check: JAX must be installed (pip install -e .[bench])
    jax.config.update("jax_enable_x64", True)
    return jax


def np_max(x, y):
    return np.maximum(x, y)


def np_min(x, y):
    return np.minimum(x, y)


def np_clip(x, lo, hi):
    return np.clip(x, lo, hi)


def composite(x, y):
    return np.maximum(x * x, y) * np.minimum(x, 2.0 * y) + np.clip(x, y, 1.0)


def relu_sum(a):
    return np.sum(np.maximum(a, 0.0) * a)


def pair_sum(a, b):
    return np.sum(np.maximum(a, b) + 3.0 * np.minimum(b, a))


def bound_sum(a, c):
    return np.sum(np.maximum(a, c))


def clip_sum(a, lo, hi):
    return np.sum(np.clip(a, lo, hi) * a)


def reduce_max(a):
    return np.max(a)


def same(a, b) -> bool:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


_jitted: dict = {}
_grads: dict = {}


def _jax_derivatives(jax, theirs, n: int):
    """jax.grad and jax.jvp of `theirs`, jitted once (a grid of points traces once)."""
    if theirs not in _jitted:
        grad = jax.jit(jax.grad(theirs, argnums=tuple(range(n))))
        jvp = jax.jit(lambda args, unit: jax.jvp(theirs, args, unit))
        _jitted[theirs] = (grad, jvp)
    return _jitted[theirs]


def check_both_modes(jax, ours, theirs, args) -> None:
    """ember.grad and every unit ember.jvp of `ours` equal JAX's of `theirs` at `args`."""
    argnums = tuple(range(len(args)))
    jgrad, jjvp = _jax_derivatives(jax, theirs, len(args))
    if ours not in _grads:  # one ember.grad object a function: its compilations are kept
        _grads[ours] = ember.grad(ours, argnums=argnums)
    g = _grads[ours](*args)
    gj = jgrad(*args)
    for k in argnums:
        assert same(g[k], gj[k]), (ours.__name__, args, k, g, gj)
        unit = tuple(np.ones_like(a) if j == k else np.zeros_like(a) if isinstance(a, np.ndarray)
                     else float(j == k) for j, a in enumerate(args))
        _, t = ember.jvp(ours, args, unit)
        _, tj = jjvp(args, unit)
        assert same(t, tj), (ours.__name__, args, k, t, tj)


@pytest.mark.parametrize("which", ["maximum", "minimum"])
def test_scalar_grid_matches_jax(jax, which):
    import jax.numpy as jnp
    ours = np_max if which == "maximum" else np_min
    for x, y in itertools.product(SPECIAL, SPECIAL):
        check_both_modes(jax, ours, getattr(jnp, which), (x, y))


def test_clip_grid_matches_jax(jax):
    import jax.numpy as jnp
    points = [NAN, -INF, -1.0, 0.0, 1.0, INF]
    for x, lo, hi in itertools.product(points, repeat=3):
        check_both_modes(jax, np_clip, jnp.clip, (x, lo, hi))


def test_composite_matches_jax(jax):
    import jax.numpy as jnp

    def theirs(x, y):
        return jnp.maximum(x * x, y) * jnp.minimum(x, 2.0 * y) + jnp.clip(x, y, 1.0)
    for args in [(1.0, 1.0), (0.5, 0.25), (2.0, 1.0), (-1.0, 1.0), (1.0, 0.5), (0.3, 0.7)]:
        check_both_modes(jax, composite, theirs, args)


def test_arrays_match_jax(jax):
    import jax.numpy as jnp
    a = np.array([-1.0, 0.0, -0.0, 2.0, 1.0, NAN, 3.0])
    b = np.array([-1.0, -0.0, 0.0, 1.0, 2.0, 1.0, 3.0])
    check_both_modes(jax, relu_sum, lambda a: jnp.sum(jnp.maximum(a, 0.0) * a), (a,))
    check_both_modes(jax, pair_sum,
                     lambda a, b: jnp.sum(jnp.maximum(a, b) + 3.0 * jnp.minimum(b, a)), (a, b))
    check_both_modes(jax, bound_sum, lambda a, c: jnp.sum(jnp.maximum(a, c)), (a, 1.0))
    check_both_modes(jax, bound_sum, lambda a, c: jnp.sum(jnp.maximum(a, c)), (a, 3.0))
    check_both_modes(jax, clip_sum, lambda a, lo, hi: jnp.sum(jnp.clip(a, lo, hi) * a),
                     (a, -1.0, 2.0))


def test_python_max_and_np_max_reduction_keep_the_select_convention(jax):
    import jax.numpy as jnp

    def py_max(x, y):
        return max(x, y)
    assert ember.grad(py_max, argnums=(0, 1))(1.0, 1.0) == (1.0, 0.0)
    assert tuple(map(float, jax.grad(lambda x, y: max(x, y), argnums=(0, 1))(1.0, 1.0))) == (1.0, 0.0)
    # the reduction: one element takes it all (JAX shares 1/k among the k maximal elements;
    # docs/autodiff.md lists the difference)
    a = np.array([1.0, 3.0, 3.0, 2.0])
    g = ember.grad(reduce_max)(a)
    assert sorted(g.tolist()) == [0.0, 0.0, 0.0, 1.0] and g[1] + g[2] == 1.0
    assert np.asarray(jax.grad(jnp.max)(a)).tolist() == [0.0, 0.5, 0.5, 0.0]


def cubic_kink(x, y):
    return np.maximum(x * x, y) * x


def test_second_derivative_matches_jax(jax):
    import jax.numpy as jnp
    gg = ember.grad(ember.grad(cubic_kink))
    jgg = jax.grad(jax.grad(lambda x, y: jnp.maximum(x * x, y) * x))
    for x in (2.0, 1.0, 0.5, -1.0):
        assert gg(x, 1.0) == float(jgg(x, 1.0)), x


def running(x, n):
    s = 0.0
    for i in range(n):
        s = np.maximum(s, x * i - 2.0) + np.clip(x, 0.5, 1.5)
    return s


def carried(a):
    s = np.zeros_like(a)
    for i in range(3):
        s = np.minimum(-s, a * i) - 0.25
    return np.sum(s * a)


def test_in_loops_matches_jax(jax):
    import jax.numpy as jnp

    def j_running(x, n):
        s = 0.0
        for i in range(n):
            s = jnp.maximum(s, x * i - 2.0) + jnp.clip(x, 0.5, 1.5)
        return s

    def j_carried(a):
        s = jnp.zeros_like(a)
        for i in range(3):
            s = jnp.minimum(-s, a * i) - 0.25
        return jnp.sum(s * a)
    grad = ember.grad(running)
    for x in (0.5, 1.0, 1.5, 2.0):  # 0.5 and 1.5 sit on clip's bounds
        want = float(jax.grad(j_running)(x, 5))
        assert grad(x, 5) == want, x
        assert ember.jvp(running, (x, 5), (1.0, 0))[1] == want, x
    a = np.array([0.0, 0.25, 0.5, -0.125, 1.0])
    assert same(ember.grad(carried)(a), jax.grad(j_carried)(a))
    assert same(ember.jvp(carried, (a,), (np.ones_like(a),))[1],
                jax.jvp(j_carried, (a,), (np.ones_like(a),))[1])
