"""Programs both modes differentiate (forward and reverse tests import them from here)."""
from __future__ import annotations

import math

import numpy as np


def unary_all(x):
    # x in (0.1, 0.9): every function below is smooth there
    return (math.sin(x), math.cos(x), math.tan(x), math.asin(x), math.acos(x), math.atan(x),
            math.sinh(x), math.cosh(x), math.tanh(x), math.asinh(x), math.acosh(1.0 + x),
            math.atanh(x), math.exp(x), math.expm1(x), math.exp2(x), math.log(x),
            math.log2(x), math.log10(x), math.log1p(x), math.sqrt(x), math.cbrt(x),
            math.fabs(x - 0.5), abs(0.5 - x), math.erf(x), math.erfc(x), math.floor(3 * x) * x,
            math.ceil(3 * x) + x, math.trunc(3 * x) * 1.0, round(3 * x) * x, -x, x ** 2.5,
            2.0 ** x, x ** x, np.sin(x) * np.exp(x))


def binary_all(x, y):
    return (x + y, x - y, y - x, x * y, x / y, y / x, x ** y, math.pow(y, x), x // y * x,
            x % y, math.fmod(x, y), math.atan2(x, y), math.atan2(-y, x), math.hypot(x, y),
            math.copysign(x, -y), math.copysign(y, x), max(x, y), min(x, y), x * 3 - y / 2,
            x * x * y - y)


def chain_energy(x, k, n_iter):
    e = 0.0
    for i in range(x.shape[0] - 1):
        d = x[i + 1] - x[i]
        e += k * d * d if d > 0 else 0.5 * k * d * d
    t = 1.0
    while t > 1e-3 and n_iter > 0:  # data-dependent trip count
        t *= 0.5 * math.tanh(e)
        n_iter -= 1
    return e + t


def early_exits(x, n):
    s = 0.0
    for i in range(n):
        if i % 3 == 1:
            continue
        if s > 4.0:
            break
        s += x * x + i
    k = 0
    while True:
        k += 1
        s = s * 0.9 + x
        if k >= n:
            return s * x
    return 0.0


def overwritten(x, n):
    y = x.copy()
    for k in range(n):
        for i in range(1, y.shape[0]):
            y[i] = y[i] * 0.5 + y[i - 1] * y[i - 1] * 0.3
    return y.sum()
