"""The ember kernels of benchmarks/bench_grad.py differentiate correctly (small sizes, not
timed): ember.grad against central differences, and the value of value_and_grad against
CPython."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import ember
from tests.autodiff.harness import central_difference


def _load_kernels():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "kernels_grad.py"
    spec = importlib.util.spec_from_file_location("_ember_kernels_grad", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


KERNELS = _load_kernels().KERNELS


@pytest.mark.parametrize("kernel", KERNELS, ids=[k.name for k in KERNELS])
def test_kernel_gradient_matches_central_differences(kernel):
    args = kernel.make_args(5, np.random.default_rng(len(kernel.name)))
    value, g = ember.value_and_grad(kernel.fn, argnums=kernel.argnums)(*args)
    assert value == pytest.approx(kernel.fn(*args), rel=1e-12)
    nums = (kernel.argnums,) if isinstance(kernel.argnums, int) else kernel.argnums
    grads = (g,) if isinstance(kernel.argnums, int) else g
    assert len(grads) == len(nums)
    for gi, i in zip(grads, nums):
        want = central_difference(kernel.fn, args, i)
        assert np.shape(gi) == np.shape(args[i])
        np.testing.assert_allclose(gi, want, rtol=2e-6, atol=1e-7)
