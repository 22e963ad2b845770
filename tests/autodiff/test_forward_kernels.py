"""Forward mode on the gradient benchmark's kernels (benchmarks/kernels_grad.py): loop- and
index-heavy scientific functions, each checked against central differences along a random
direction in all its differentiated arguments at once."""
from __future__ import annotations

import numpy as np
import pytest

from benchmarks.kernels_grad import KERNELS
from tests.autodiff.test_forward_util import check_jvp, derive_jvp


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.name)
def test_kernel_jvp(kernel):
    rng = np.random.default_rng(7)
    args = kernel.make_args(200 if kernel.name == "lotka" else 12, rng)  # lotka: dt = 10 / n
    wrt = kernel.argnums if isinstance(kernel.argnums, tuple) else (kernel.argnums,)
    tangents = [rng.standard_normal(np.shape(args[i])) if isinstance(args[i], np.ndarray)
                else float(rng.standard_normal()) for i in wrt]
    d = derive_jvp(kernel.fn, args, wrt)
    out, tan = check_jvp(d, kernel.fn, args, wrt, tangents, rtol=1e-5, atol=1e-6)
    assert np.isfinite(out) and np.isfinite(tan) and tan != 0.0
