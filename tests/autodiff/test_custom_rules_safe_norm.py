"""examples/safe_norm.py: the custom_jvp norm has a finite gradient at 0 (the rule's 0)
where the plain norm gives nan, and matches finite differences elsewhere."""
from __future__ import annotations

import importlib.util
import math
import pathlib

import numpy as np
import pytest

import ember

_PATH = pathlib.Path(__file__).resolve().parents[2] / "examples" / "safe_norm.py"
_spec = importlib.util.spec_from_file_location("safe_norm_example", _PATH)
ex = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(ex)  # type: ignore[union-attr]


def central(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def test_plain_norm_is_nan_at_zero_and_safe_norm_is_the_rule():
    zero = np.zeros(3)
    assert np.isnan(ember.grad(ex.plain_norm)(zero)).all()
    g = ember.grad(ex.safe_norm)(zero)
    assert g.tolist() == [0.0, 0.0, 0.0]
    assert ember.jvp(ex.safe_norm, (zero,), (np.ones(3),)) == (0.0, 0.0)


def test_safe_norm_matches_finite_differences_elsewhere():
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.normal(size=4)
        g = ember.grad(ex.safe_norm)(x)
        np.testing.assert_allclose(g, central(ex.plain_norm, x), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(g, x / math.sqrt(float(x @ x)), rtol=1e-12)


def test_energy_with_coincident_points_is_finite_and_matches_fd():
    p = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [2.5, 0.5]])
    g = ember.grad(ex.spring_energy)(p, 1.0)
    assert np.isfinite(g).all()
    q = p + np.array([[0.1, 0.0], [0.0, 0.2], [0.0, 0.0], [0.0, 0.0]])  # no kink here
    np.testing.assert_allclose(ember.grad(ex.spring_energy)(q, 1.0),
                               central(lambda z: ex.spring_energy(z, 1.0), q), rtol=1e-6, atol=1e-7)


def test_second_derivative_differentiates_the_rule():
    # d/dx of the rule's x / |x| in 1-D is 0 away from 0
    x = np.array([2.0])
    h = ember.jvp(ember.grad(ex.safe_norm), (x,), (np.ones(1),))[1]
    assert h.tolist() == pytest.approx([0.0])


def test_helper_kept_as_a_call_gets_a_loop_allocated_array_in_reverse(monkeypatch):
    # a replay of the loop body must fill `d` again before the helper's vjp reads it
    # (reverse_sweep._refilled); an ordinary helper the inliner keeps, as for custom rules
    import ember.ir.passes.inline as inline
    monkeypatch.setattr(inline, "MAX_OPS", 0)

    def helper(v):
        s = 0.0
        for i in range(v.shape[0]):
            s += v[i] * v[i] * v[i]
        return s

    def chain(p):
        e = 0.0
        for i in range(p.shape[0] - 1):
            d = p[i + 1] - p[i]
            e += helper(d) + helper(p[i]) * 0.5
        return e

    p = np.array([[0.1, 0.0], [0.0, 0.2], [1.0, 1.0], [2.5, 0.5]])
    dchain = ember.grad(chain)
    g = dchain(p)
    assert dchain.inspect_ir("typed").count("func.call @helper") >= 1
    np.testing.assert_allclose(g, central(chain, p), rtol=1e-6, atol=1e-7)
