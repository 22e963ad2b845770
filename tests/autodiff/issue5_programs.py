"""One program per construct of issue 5's coverage list (shared by tests/autodiff/test_issue5_*.py),
each with an input maker and the argnums it is differentiated by."""
from __future__ import annotations

import math
import numpy as np


def branches(x, y):
    if x > y:
        r = x * y
    elif x < -y:
        r = math.sin(x) + y
    else:
        r = x - 2.0 * y * y
    return r * x


def for_loop(x, k):
    s = 0.0
    for i in range(x.shape[0]):
        s += k * x[i] * x[i] + math.cos(x[i])
    return s


def while_data(x, tol):
    t = x
    n = 0
    while abs(t) > tol and n < 100:
        t = 0.5 * t * math.cos(t)
        n += 1
    return t + x * n


def break_continue(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] < -1.5:
            break
        if x[i] < 0.0:
            continue
        s += x[i] * x[i] * s + x[i]
    return s


def early_return(x, c):
    for i in range(x.shape[0]):
        if x[i] * c > 2.0:
            return x[i] * c * c
    return c * x[0]


def _helper(a, b):
    return a * math.exp(-b * b) + b


def helper_calls(x, k):
    s = 0.0
    for i in range(x.shape[0]):
        s += _helper(x[i], k)
    return s * _helper(k, 0.5)


def math_functions(x, y):
    return (math.sin(x) * math.cos(y) + math.exp(0.3 * x) + math.log(y) + math.tanh(x * y)
            + math.sqrt(y) + x ** 3 + math.atan2(x, y) + math.hypot(x, y) + y ** x
            + math.log1p(y) + math.atan(x) + math.asinh(x) + math.expm1(0.1 * y))


def element_writes(x, a):
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = a * x[i] + x[i] * x[i]
    s = 0.0
    for i in range(out.shape[0]):
        s += out[i] * out[(i + 1) % out.shape[0]]
    return s


def plus_equals(x, a):
    y = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        y[i] += a * x[i]
        y[(i + 1) % x.shape[0]] += x[i] * x[i]
    s = 0.0
    for i in range(y.shape[0]):
        s += y[i] * y[i]
    return s


def plus_equals_argument(x, a):
    """x[i] += ... on the argument itself (the caller sees x changed, as in Python)."""
    for i in range(1, x.shape[0]):
        x[i] += a * x[i - 1] * x[i - 1]
    s = 0.0
    for i in range(x.shape[0]):
        s += math.sin(x[i])
    return s


def overwritten_in_loop(u0, alpha, n):
    m = u0.shape[0]
    u = u0.copy()
    for _ in range(n):
        for i in range(1, m - 1):
            u[i] = u[i] + alpha * (u[i - 1] - 2.0 * u[i] + u[i + 1])
    s = 0.0
    for i in range(m):
        s += u[i] * u[i] * (i + 1)
    return s


def slicing_views(x):
    a = x[1:]
    b = x[:-1]
    c = x[::2]
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    for i in range(c.shape[0]):
        s += c[i] * c[i] * c[i]
    return s


def views_2d(m):
    t = m.T
    r = m.reshape(m.shape[0] * m.shape[1])
    s = 0.0
    for i in range(t.shape[0]):
        for j in range(t.shape[1]):
            s += t[i, j] * m[j, i] * (i + 1)
    for k in range(r.shape[0]):
        s += math.sin(r[k])
    return s


def whole_array(x, y):
    z = np.sin(x) * y + 2.0 * x * x - np.exp(0.1 * y)
    return np.sum(z * z)


def reductions(x):
    return np.sum(x * x) + x.sum() * np.mean(x) + np.prod(x[:3]) + np.max(x) - np.min(x)


def tuples(p, x):
    a, b = p
    q = (a * x, b + x)
    s = 0.0
    for i in range(3):
        s += q[0] * q[1] + a * b * i
    return s


def dicts(d, x):
    return d["w"] * x * x + d["b"] * math.sin(d["w"] + x)


CONSTRUCTS = {
    "branches": (branches, lambda r: (r.uniform(-2, 2), r.uniform(0.3, 1.5)), (0, 1)),
    "for_loop": (for_loop, lambda r: (r.standard_normal(6), r.uniform(0.5, 2.0)), (0, 1)),
    "while_data": (while_data, lambda r: (r.uniform(0.5, 2.0), 1e-3), (0,)),
    "break_continue": (break_continue, lambda r: (r.uniform(-1.0, 1.0, 7),), (0,)),
    "early_return": (early_return, lambda r: (r.uniform(0.0, 1.0, 6), r.uniform(1.0, 4.0)), (0, 1)),
    "helper_calls": (helper_calls, lambda r: (r.standard_normal(5), r.uniform(0.2, 1.0)), (0, 1)),
    "math_functions": (math_functions, lambda r: (r.uniform(0.2, 1.5), r.uniform(0.5, 2.0)), (0, 1)),
    "element_writes": (element_writes, lambda r: (r.standard_normal(5), r.uniform(0.5, 2.0)), (0, 1)),
    "plus_equals": (plus_equals, lambda r: (r.standard_normal(5), r.uniform(0.5, 2.0)), (0, 1)),
    "plus_equals_argument": (plus_equals_argument, lambda r: (r.random(5), r.uniform(0.2, 1.0)),
                             (0, 1)),
    "overwritten_in_loop": (overwritten_in_loop, lambda r: (r.random(6), 0.2, 4), (0, 1)),
    "slicing_views": (slicing_views, lambda r: (r.standard_normal(7),), (0,)),
    "views_2d": (views_2d, lambda r: (r.standard_normal((3, 4)),), (0,)),
    "whole_array": (whole_array, lambda r: (r.standard_normal(5), r.standard_normal(5)), (0, 1)),
    "reductions": (reductions, lambda r: (r.uniform(0.5, 2.0, 5),), (0,)),
    "tuples": (tuples, lambda r: ((r.uniform(0.5, 2.0), r.uniform(0.5, 2.0)), r.uniform(-1, 1)), (0, 1)),
    "dicts": (dicts, lambda r: ({"w": r.uniform(0.5, 2.0), "b": r.uniform(-1, 1)}, r.uniform(-1, 1)), (0, 1)),
}
