"""Reverse mode through helper calls that stay calls after inlining: the helper's own
vjp (`<helper>__vjp`) is derived once and called from the reverse sweep; recursion,
array arguments and array results of helpers."""
from __future__ import annotations

import math

import numpy as np

from ember.autodiff import vjp
from ember.compiler import _infer, untyped_ir
from ember.ir.passes import optimize
from ember.ir.verifier import verify_module
from ember.typeof import typeof
from tests.autodiff.test_reverse_util import check_vjp


def big(a, b):
    # large enough (and called from several sites) that the inliner keeps the calls
    s = 0.0
    for i in range(3):
        s += a * math.cos(b * i) + math.sin(a * b) * math.exp(-a * i) + math.tanh(b - a) * i
        s += a * math.sin(b * i) + math.cos(a * b) * math.exp(-b * i) + math.tanh(b + a) * i
        s += a * math.cos(b + i) + math.sin(a + b) * math.exp(-a * b) + math.atan(b - a) * i
        s += b * math.cos(a * i) + math.sin(a - b) * math.exp(-a - i) + math.tanh(b * a) * i
        s += b * math.cos(a + i) + math.sin(a / b) * math.exp(-a / 3) + math.atan(b * a) * i
    return s


def calls(x, y, n):
    s = 0.0
    for i in range(n):
        s += big(x, y) * big(y, x) + big(x, 2.0) * i
    return s + big(y, y)


def fact(x, n):
    if n <= 0:
        return 1.0
    return x * fact(x, n - 1)


def energy(v):
    s = 0.0
    for i in range(v.shape[0]):
        s += v[i] * v[i] * math.sin(v[i]) + math.cos(v[i]) * v[i] + v[i] ** 3 * 0.1
        s += math.exp(-v[i] * v[i]) + math.tanh(v[i]) * math.atan(v[i]) + math.log1p(v[i] ** 2)
        s += math.sqrt(1.0 + v[i] ** 2) * math.erf(v[i]) + math.asinh(v[i]) * math.cosh(v[i])
    return s


def with_arrays(x):
    return energy(x) * energy(x[1:]) + energy(x[::2])


def square(v, c):
    out = np.empty(v.shape[0])
    for i in range(v.shape[0]):
        out[i] = c * v[i] * v[i] + math.sin(v[i]) * math.cos(c) + math.exp(-v[i]) * c
        out[i] += math.tanh(out[i]) * math.atan(v[i]) + math.log1p(v[i] ** 2) * c
    return out


def array_results(x, c):
    return np.sum(square(x, c) * square(x, 2.0 * c)) + square(x, c)[0]


def _derived_ir(f, args, wrt):
    m, entry = _infer(untyped_ir(f), tuple(typeof(a, "a") for a in args), {})
    optimize(m, entry, counted=False)
    name = vjp(m, entry, wrt)
    verify_module(m, typed=True)
    return m, name


def test_helper_is_called_not_inlined():
    check_vjp(calls, (0.3, 0.7, 3), (0, 1))
    m, name = _derived_ir(calls, (0.3, 0.7, 3), (0, 1))
    called = {str(op.attributes["callee"]) for op in m[name].walk() if op.name == "func.call"}
    assert any(c.startswith("@big") and c.endswith("__vjp") for c in called)
    # one vjp per helper and set of active arguments, shared by the call sites
    assert sum(1 for f in m if f.name.startswith("big") and "__vjp" in f.name) <= 2


def test_recursive_helper():
    _, (g,) = check_vjp(fact, (1.1, 5), (0,))
    assert abs(g - 5 * 1.1 ** 4) < 1e-9


def test_helpers_with_array_arguments_and_results():
    rng = np.random.default_rng(0)
    check_vjp(with_arrays, (rng.normal(size=5),), (0,))
    check_vjp(array_results, (rng.uniform(0.1, 1.0, size=4), 0.7), (0, 1))
