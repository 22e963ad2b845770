"""The scipy examples (examples/*_scipy.py) run and reach the known optimum: scipy's
Newton-type minimizers driven by ember.grad and ember.hessian of loop-written losses."""
from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest


EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"ember_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rosen():
    return _load("rosenbrock_scipy")


@pytest.mark.parametrize("method", ["Newton-CG", "trust-exact"])
def test_rosenbrock_reaches_the_minimum(rosen, method):
    res = rosen.solve(10, method)
    assert res.success, res.message
    assert res.fun < 1e-9
    np.testing.assert_allclose(res.x, np.ones(10), atol=1e-4)
    # the derivatives scipy used are the exact ones at the optimum: zero gradient, the
    # known Hessian there (tridiagonal, positive definite)
    np.testing.assert_allclose(rosen.gradient(np.ones(10)), np.zeros(10), atol=1e-12)
    H = rosen.hessian(np.ones(10))
    assert H[0, 0] == 802.0 and H[0, 1] == -400.0 and H[9, 9] == 200.0 and H[0, 2] == 0.0
    assert np.all(np.linalg.eigvalsh(H) > 0)


def test_ode_fit_recovers_the_parameters():
    ode = _load("ode_fit_scipy")
    res = ode.fit()
    assert res.fun < 1e-16
    np.testing.assert_allclose(res.x, ode.P_TRUE, rtol=1e-6)
    # Hessian at the optimum: symmetric positive definite (the parameters are identifiable)
    H = ode.hessian(res.x, ode.data, ode.H)
    np.testing.assert_allclose(H, H.T, rtol=1e-10)
    assert np.all(np.linalg.eigvalsh(H) > 0)
