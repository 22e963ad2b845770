"""The shape of the code the array path emits for the benchmark's patterns (cheap checks,
no needless loops), each result still compared with CPython + NumPy."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from .array_check import check_np
from .differential import check


def ops(fn, name: str) -> list[str]:
    return [line for line in fn.inspect_ir("optimized").splitlines() if f" {name} " in line
            or line.strip().startswith(name)]


def to_int(x):
    return int(x)


def histogram(x, nbins):
    h = np.zeros(nbins, dtype=np.int64)
    for i in range(x.shape[0]):
        k = int(x[i] * nbins)
        if 0 <= k < nbins:
            h[k] += 1
    return h


def test_float_to_int_checks_once_on_the_hot_path_and_keeps_cpython_errors():
    j = ember.jit(to_int)
    for x in (1.5, -1.5, -0.0, 2.0 ** 62, -2.0 ** 63, float("nan"), float("inf"), float("-inf")):
        check(to_int, x, jitted=j)
    for x in (2.0 ** 63, -2.0 ** 63 - 4096.0, 1e300, -1e300):  # past int64: ember's own error
        with pytest.raises(OverflowError, match="float too large to convert to int64"):
            j(x)
    text = j.inspect_ir("optimized")
    top = [line for line in text.splitlines() if line.startswith("  %")]
    # the hot path: |x| compared once with 2**63; nan/inf/range are told apart only inside
    assert any("math.fabs" in line for line in top)
    assert not any("math.isnan" in line or "math.isinf" in line for line in top)


def test_histogram_checks_each_index_once():
    j = ember.jit(histogram)
    x = np.random.default_rng(1).random(200)
    check_np(histogram, x, 8, jitted=j)
    check_np(histogram, np.array([0.5, np.nan]), 4, jitted=j)  # int(nan): ValueError
    index_checks = [line for line in ops(j, "cf.assert") if "IndexError" in line]
    assert len(index_checks) == 2  # x[i] and h[k] (the load and the store of h[k] += 1 share one)


def slice_update(a):
    for k in range(3):
        a[1:] += 0.5 * a[:-1]
        a[::2] *= 0.9
    return a


def test_inplace_slice_update_has_no_self_copy_loop():
    j = ember.jit(slice_update)
    for n in (0, 1, 2, 7):
        check_np(slice_update, np.linspace(0.0, 1.0, n), jitted=j)
    text = j.inspect_ir("optimized")
    # per iteration: the overlap copy of a[:-1], the update (fast + general version), a[::2]
    assert text.count("scf.for") == 1 + 4


def outer(x, y):
    return np.sqrt(x[:, None] ** 2 + y[None, :] ** 2)


def test_newaxis_broadcast_needs_no_check_and_no_second_version():
    j = ember.jit(outer)
    check_np(outer, np.arange(3.0), np.arange(4.0) + 0.5, jitted=j)
    check_np(outer, np.arange(0.0), np.arange(2.0), jitted=j)
    text = j.inspect_ir("optimized")
    assert "scf.if" not in text and "cf.assert" not in text


def chain(a, b, c):
    return np.sin(a) * b + np.exp(-c * c) * 0.5 - a / (1.0 + b * b)


def test_runtime_broadcast_takes_the_general_version():
    j = ember.jit(chain)
    rng = np.random.default_rng(2)
    for sa, sb, sc in [(5, 5, 5), (5, 1, 5), (1, 5, 1), (1, 1, 1), (0, 1, 0), (0, 0, 0)]:
        check_np(chain, rng.random(sa), rng.random(sb), rng.random(sc), jitted=j)
    check_np(chain, rng.random(5), rng.random(4), rng.random(5), jitted=j)  # ValueError
    assert ops(j, "scf.if")  # one fast and one general loop
    assert len(ops(j, "scf.for")) == 2


def temporaries(a, b):
    t = a * b
    t[0] = 0.0
    return np.sum(np.sqrt(np.abs(t)) + a)


def test_reduce_of_a_temporary_reads_its_extents_statically():
    j = ember.jit(temporaries)
    check_np(temporaries, np.arange(4.0), np.arange(4.0) - 1.5, jitted=j, close=True)
    check_np(temporaries, np.arange(4.0), np.ones(1), jitted=j, close=True)
    # the sum over t and a: one loop, t's extents are the ones its map computed
    text = j.inspect_ir("optimized")
    assert text.count("iter_args") == 2  # (fast and general versions of a * b's broadcast)
