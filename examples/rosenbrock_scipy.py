"""scipy.optimize.minimize driven by ember: the gradient and the Hessian of a loss written
with a plain Python loop, compiled (`jac=ember.grad(f)`, `hess=ember.hessian(f)`).

    python examples/rosenbrock_scipy.py

Newton-CG and trust-exact both reach the known global minimum of the n-dimensional
Rosenbrock function, x = (1, ..., 1), from x0 = 0 (from the classic start (-1.2, 1, ...)
trust-exact stops in the local minimum near x0 = -1 that this function has for n >= 4).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

import ember


def rosenbrock(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
    return s


loss = ember.jit(rosenbrock)
gradient = ember.grad(rosenbrock)
hessian = ember.hessian(rosenbrock)


def solve(n: int = 10, method: str = "trust-exact"):
    """minimize the n-dimensional Rosenbrock function from 0 with ember's derivatives."""
    options = {"maxiter": 500, **({"xtol": 1e-10} if method == "Newton-CG" else {})}
    return minimize(loss, np.zeros(n), jac=gradient, hess=hessian, method=method,
                    options=options)


if __name__ == "__main__":
    for method in ("Newton-CG", "trust-exact"):
        res = solve(10, method)
        print(f"{method:12s} f = {res.fun:.3e} after {res.nit} iterations "
              f"({res.njev} gradients, {res.nhev} Hessians); |x - 1| = "
              f"{np.abs(res.x - 1.0).max():.2e}")
