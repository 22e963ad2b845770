"""Forward over reverse on the gradient benchmark's kernels: jvp(vjp(f)) gives the gradient
and a Hessian-vector product, checked against central differences of the (reverse-mode)
gradient along the same direction."""
from __future__ import annotations

import numpy as np
import pytest

from benchmarks.kernels_grad import KERNELS
from ember.autodiff import jvp, vjp
from ember.compiler import compile_derivative
from ember.typeof import typeof

CHOSEN = ("rk4", "logsumexp", "heat", "newton", "nbody", "chain_energy")


def _compile(fn, args, transform):
    types = tuple(typeof(a, f"a{i}") for i, a in enumerate(args))
    return compile_derivative(fn, types, {"boundscheck": True}, transform).make_callable(None)


@pytest.mark.parametrize("kernel", [k for k in KERNELS if k.name in CHOSEN], ids=lambda k: k.name)
def test_hessian_vector_product(kernel):
    rng = np.random.default_rng(11)
    args = kernel.make_args(8, rng)
    wrt = kernel.argnums if isinstance(kernel.argnums, tuple) else (kernel.argnums,)
    grad = _compile(kernel.fn, args, lambda m, e: vjp(m, e, wrt))
    hvp = _compile(kernel.fn, args, lambda m, e: jvp(m, vjp(m, e, wrt), wrt))
    tangents = [rng.normal(size=np.shape(args[i])) if isinstance(args[i], np.ndarray)
                else float(rng.normal()) for i in wrt]
    (out, g), (dout, hv) = hvp(*args, 1.0, *tangents)
    assert out == grad(*args, 1.0)[0]
    h = 1e-6
    plus, minus = list(args), list(args)
    for i, t in zip(wrt, tangents):
        plus[i], minus[i] = args[i] + h * t, args[i] - h * t
    gp, gm = grad(*plus, 1.0)[1], grad(*minus, 1.0)[1]
    for a, b, c in zip(gp, gm, hv):
        np.testing.assert_allclose(c, (np.asarray(a) - np.asarray(b)) / (2 * h), rtol=1e-5, atol=1e-6)
    assert abs(dout - sum(np.sum(gi * ti) for gi, ti in zip(g, tangents))) < 1e-9 * (1 + abs(dout))
