"""Fitting the parameters of an ODE model integrated with a hand-written RK4 loop, with
scipy.optimize.minimize (trust-exact) on ember's compiled gradient and Hessian.

    python examples/ode_fit_scipy.py

The model is a damped, driven oscillator  x'' = -k x - c x' + a sin(t)  with parameters
p = (k, c, a); the data are its exact RK4 trajectory for p_true = (2.0, 0.3, 0.8), so the
fit must recover p_true (the loss is zero there).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize

import ember

STEPS, H = 200, 0.05
P_TRUE = np.array([2.0, 0.3, 0.8])


def trajectory(p, steps, h):
    """RK4 integration of the oscillator from x = 1, v = 0: the positions at every step."""
    xs = np.empty(steps)
    x, v, t = 1.0, 0.0, 0.0
    for i in range(steps):
        k1x, k1v = v, -p[0] * x - p[1] * v + p[2] * math.sin(t)
        x2, v2 = x + 0.5 * h * k1x, v + 0.5 * h * k1v
        k2x, k2v = v2, -p[0] * x2 - p[1] * v2 + p[2] * math.sin(t + 0.5 * h)
        x3, v3 = x + 0.5 * h * k2x, v + 0.5 * h * k2v
        k3x, k3v = v3, -p[0] * x3 - p[1] * v3 + p[2] * math.sin(t + 0.5 * h)
        x4, v4 = x + h * k3x, v + h * k3v
        k4x, k4v = v4, -p[0] * x4 - p[1] * v4 + p[2] * math.sin(t + h)
        x += h / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        v += h / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
        t += h
        xs[i] = x
    return xs


def loss(p, data, h):
    """Mean squared distance between the model's trajectory and the data."""
    xs = trajectory(p, data.shape[0], h)
    s = 0.0
    for i in range(data.shape[0]):
        d = xs[i] - data[i]
        s += d * d
    return s / data.shape[0]


data = ember.jit(trajectory)(P_TRUE, STEPS, H)
value = ember.jit(loss)
gradient = ember.grad(loss)
hessian = ember.hessian(loss)


def fit(p0=(1.0, 1.0, 0.0), method: str = "trust-exact"):
    return minimize(value, np.array(p0, dtype=float), args=(data, H), jac=gradient,
                    hess=hessian, method=method, options={"gtol": 1e-10, "maxiter": 200})


if __name__ == "__main__":
    res = fit()
    print(f"fitted p = {res.x} (true {P_TRUE}), loss {res.fun:.2e}, {res.nit} iterations")
