"""Reverse against forward mode: the gradient from `vjp` equals the stacked directional
derivatives from `jvp` (one per basis tangent), on functions with loops, branches and
array writes."""
from __future__ import annotations

import numpy as np
import pytest

from ember.autodiff import jvp
from tests.autodiff.harness import derive
from tests.autodiff.test_reverse_arrays import elementwise_out, heat
from tests.autodiff.test_reverse_control import branchy, carried, chain_energy, while_nested
from tests.autodiff.test_reverse_util import derive_vjp, fresh


def stacked_jvps(f, primals, i):
    """d f / d primals[i] from forward mode, one jvp per basis tangent."""
    d = derive(f, primals, lambda m, e: jvp(m, e, (i,)))
    x = primals[i]
    if isinstance(x, np.ndarray):
        out = np.zeros(x.shape)
        for k in range(x.size):
            t = np.zeros(x.shape)
            t.flat[k] = 1.0
            out.flat[k] = d(*fresh(tuple(primals)), t)[1]
        return out
    return d(*fresh(tuple(primals)), 1.0)[1]


CASES = [
    (chain_energy, (np.array([0.3, -0.5, 0.9, 1.4, 0.2]), 0.8, 7), (0, 1)),
    (heat, (np.array([0.1, 0.5, -0.3, 0.8, 0.0, 0.4]), 0.2, 3), (0, 1)),
    (elementwise_out, (np.array([0.1, 0.5, -0.3]),), (0,)),
    (branchy, (1.3, 0.4), (0, 1)),
    (carried, (0.9, 1.1, 4), (0, 1)),
    (while_nested, (2.0, 1e-2), (0,)),
]


@pytest.mark.parametrize("f, primals, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_equals_stacked_jvps(f, primals, wrt):
    _, grads = derive_vjp(f, primals, wrt)(*fresh(tuple(primals)), 1.0)
    for g, i in zip(grads, wrt):
        np.testing.assert_allclose(g, stacked_jvps(f, primals, i), rtol=1e-10, atol=1e-12)
