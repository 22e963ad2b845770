"""Derivatives read as Python: the functions the autodiff transforms write (jvp, vjp), as
written and after the passes, emitted as Python, give exactly the native derivative."""
from __future__ import annotations

import ast
import math

import numpy as np
import pytest

from ember.autodiff.forward import jvp
from ember.autodiff.reverse import vjp
from ember.compiler import compile_derivative
from ember.ir.pysource import func_to_python, func_to_source
from ember.typeof import typeof
from tests.ir.test_pysource import exact, outcome
from tests.autodiff.programs import early_exits, overwritten


def chain_energy(x, k):
    d = x[1:] - x[:-1]
    return 0.5 * k * np.sum(d * d)


def stop_early(x, n):
    s = 0.0
    for i in range(n):
        s = s + math.sin(x * i) * x
        if s > 3.0:
            break
    return s


def helper(a, b):
    return a * math.exp(-b) + b


def calls(x, y):
    return helper(x, y) * helper(y, x) + max(x, y)


def while_nested(x, tol):
    t = x
    steps = 0
    while abs(t) > tol:
        u = t
        j = 0
        while j < 3:
            u = u * 0.7 + 0.01 * math.sin(u)
            j += 1
        t = u
        steps += 1
    return t + steps


def loops_in_branches(x, y, n):
    s = y
    if x > 0.5:
        for i in range(n):
            s = s * 0.9 + math.sin(x * s)
    else:
        k = 0
        while k < n:
            s = s * x + 0.1
            k += 1
    return s


def reductions(x):
    return np.sum(np.exp(x)) * np.mean(x) + np.prod(x[:3])


def _reject(*args):
    raise TypeError("called with types it was not compiled for")


X = np.linspace(0.1, 1.0, 5)
CASES = [
    (chain_energy, (X, 2.0), "vjp", [0, 1], (1.5,)),
    (chain_energy, (X, 2.0), "jvp", [0, 1], (np.ones(5), 0.5)),
    (stop_early, (0.7, 10), "vjp", [0], (1.0,)),
    (stop_early, (0.7, 10), "jvp", [0], (1.0,)),
    (calls, (0.3, 1.2), "vjp", [0, 1], (1.0,)),
    (calls, (0.3, 1.2), "jvp", [0, 1], (1.0, -2.0)),
    (early_exits, (0.7, 9), "vjp", [0], (1.0,)),
    (while_nested, (1.3, 1e-3), "vjp", [0], (1.0,)),
    (loops_in_branches, (0.4, 0.9, 5), "jvp", [0, 1], (1.0, 0.5)),
    (loops_in_branches, (0.7, 0.9, 5), "vjp", [0, 1], (1.0,)),
    (overwritten, (np.linspace(0.2, 0.8, 4), 3), "vjp", [0], (1.0,)),
    (reductions, (np.linspace(0.2, 0.8, 4),), "vjp", [0], (1.0,)),
]


@pytest.mark.parametrize("fn,args,mode,wrt,extra", CASES,
                         ids=[f"{c[0].__name__}-{c[2]}-{k}" for k, c in enumerate(CASES)])
def test_derivative_as_python(fn, args, mode, wrt, extra):
    transform = vjp if mode == "vjp" else jvp
    types = tuple(typeof(v, f"arg{i}") for i, v in enumerate(args))
    spec = compile_derivative(fn, types, {"boundscheck": True},
                              lambda m, e: transform(m, e, wrt))
    want = outcome(spec.make_callable(_reject), args + extra)
    assert want[0] == "value", want
    for module in (spec.typed, spec.optimized):  # as the transform wrote it, and optimized
        source = func_to_source(module, spec.entry)
        tree = ast.parse(source)
        assert tree.body[3].name == spec.entry.replace(".", "_")  # the entry comes first
        got = outcome(func_to_python(module, spec.entry), args + extra)
        assert got[0] == "value" and exact(got[1], want[1]), f"{got} != {want}\n{source}"
