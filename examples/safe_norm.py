"""A Euclidean norm whose gradient is finite at 0, with `ember.custom_jvp`.

The derivative of sqrt(sum(x*x)) is x / |x|, which autodiff computes as
0 * (1 / (2 * sqrt(0))) = 0 * inf = nan at x = 0. The rule below gives the subgradient 0
there and the usual formula elsewhere; grad (reverse mode) transposes the rule, and a
loss built on the norm stays NaN-free. Run: python examples/safe_norm.py
"""
import math

import numpy as np

import ember


def plain_norm(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] * x[i]
    return math.sqrt(s)


@ember.custom_jvp
def safe_norm(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] * x[i]
    return math.sqrt(s)


@safe_norm.defjvp
def safe_norm_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    y = safe_norm(x)
    if y == 0.0:
        return y, 0.0          # the subgradient at the kink: no 0 * inf
    d = 0.0
    for i in range(x.shape[0]):
        d += x[i] * x_dot[i]
    return y, d / y


def spring_energy(p, rest):
    """Energy of springs between consecutive points (rows of p); a spring of zero
    length is fine with safe_norm."""
    e = 0.0
    for i in range(p.shape[0] - 1):
        d = p[i + 1] - p[i]
        e += (safe_norm(d) - rest) ** 2
    return e


if __name__ == "__main__":
    zero = np.zeros(3)
    print("grad of the plain norm at 0:", ember.grad(plain_norm)(zero))
    print("grad of safe_norm at 0:     ", ember.grad(safe_norm)(zero))
    x = np.array([3.0, 4.0, 0.0])
    print("grad of safe_norm at", x, ":", ember.grad(safe_norm)(x))
    p = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])  # two points on top of each other
    print("spring gradient:", ember.grad(spring_energy)(p, 1.0).tolist())
