"""Forward against reverse: the gradient from vjp equals the jvps along every unit tangent,
stacked (the issue's cross-check), on the gradient benchmark's kernels."""
from __future__ import annotations

import numpy as np
import pytest

from benchmarks.kernels_grad import KERNELS
from ember.autodiff import jvp, vjp
from ember.compiler import compile_derivative
from ember.typeof import typeof


def _compile(fn, args, transform):
    types = tuple(typeof(a, f"a{i}") for i, a in enumerate(args))
    return compile_derivative(fn, types, {"boundscheck": True}, transform).make_callable(None)


def _units(args, wrt):
    """Every unit tangent: (k, index into args[wrt[k]] or None, the tangents)."""
    zeros = [np.zeros(np.shape(args[i])) if isinstance(args[i], np.ndarray) else 0.0 for i in wrt]
    for k, i in enumerate(wrt):
        if isinstance(args[i], np.ndarray):
            for idx in np.ndindex(args[i].shape):
                t = [z.copy() if isinstance(z, np.ndarray) else z for z in zeros]
                t[k][idx] = 1.0
                yield k, idx, t
        else:
            t = list(zeros)
            t[k] = 1.0
            yield k, None, t


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.name)
def test_gradient_equals_stacked_jvps(kernel):
    rng = np.random.default_rng(3)
    args = kernel.make_args(200 if kernel.name == "lotka" else 5, rng)
    wrt = kernel.argnums if isinstance(kernel.argnums, tuple) else (kernel.argnums,)
    grad = _compile(kernel.fn, args, lambda m, e: vjp(m, e, wrt))
    fwd = _compile(kernel.fn, args, lambda m, e: jvp(m, e, wrt))
    out, g = grad(*args, 1.0)
    stacked = [np.zeros(np.shape(args[i])) if isinstance(args[i], np.ndarray) else 0.0 for i in wrt]
    for k, idx, t in _units(args, wrt):
        out_f, d = fwd(*args, *t)
        assert out_f == out
        if idx is None:
            stacked[k] = d
        else:
            stacked[k][idx] = d
    for a, b in zip(g, stacked):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
