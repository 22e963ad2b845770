"""np.maximum / np.minimum / np.clip of floats (arith.maximumf / arith.minimumf) against NumPy,
bit for bit: nan from either operand, 0.0 against -0.0 (NumPy returns the second operand on a
tie), infinities; scalars and arrays, f64 and f32; the constant folder and the emitted Python
agree. Integer maximum and Python's max stay selects (no new op)."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import ember
from ember.compiler import untyped_ir
from ember.ir.types import F32, F64
from ember.typeinfer import infer_module
from ember.typeof import typeof
from tests.ir.test_pysource import run_both
from tests.passes.build import NOT_FOLDED, fold1

NAN, INF = float("nan"), float("inf")
SPECIAL = [NAN, -INF, -1.5, -0.0, 0.0, 1.5, INF]


def np_max(x, y):
    return np.maximum(x, y)


def np_min(x, y):
    return np.minimum(x, y)


def np_clip(x, lo, hi):
    return np.clip(x, lo, hi)


def np_clip_consts(x):
    return np.clip(x, -0.0, 1.0)


def py_max(x, y):
    return max(x, y)


def int_max(a, b):
    return np.maximum(a, b)


def bits_equal(a, b) -> bool:
    """Same shape, dtype and value to the bit, any nan equal to any nan."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    both_nan = np.isnan(a) & np.isnan(b)
    same = (a == b) & (np.signbit(a) == np.signbit(b))
    return bool(np.all(both_nan | same))


def model_clip(x: float, lo: float, hi: float) -> float:
    """NumPy's clip as it computes a scalar (and jnp.clip's structure): min(hi, max(lo, x))
    with NumPy's maximum/minimum (nan from either side, ties give the second operand)."""
    def mx(a, b):
        return a if math.isnan(a) or a > b else b

    def mn(a, b):
        return a if math.isnan(a) or a < b else b
    return mn(hi, mx(lo, x))


PAIRS = list(itertools.product(SPECIAL, SPECIAL))


@pytest.mark.parametrize("fn", [np_max, np_min])
def test_scalar_values_are_numpys_bit_for_bit(fn):
    f = ember.jit(fn)
    for x, y in PAIRS:
        got = f(x, y)
        assert type(got) is float
        assert bits_equal(got, fn(np.float64(x), np.float64(y))), (fn.__name__, x, y, got)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fn", [np_max, np_min])
def test_array_values_are_numpys_bit_for_bit(fn, dtype):
    f = ember.jit(fn)
    xs = np.array([p[0] for p in PAIRS] * 3, dtype)  # long enough for a vectorized loop
    ys = np.array([p[1] for p in PAIRS] * 3, dtype)
    assert bits_equal(f(xs, ys), fn(xs, ys))
    assert bits_equal(f(xs, dtype(0.0)), fn(xs, dtype(0.0)))  # broadcast scalar second
    assert bits_equal(f(dtype(-0.0), ys), fn(dtype(-0.0), ys))
    assert bits_equal(f(xs[::3], ys[1::3]), fn(xs[::3], ys[1::3]))  # strided views


def test_clip_scalars_match_numpy_and_the_model():
    f = ember.jit(np_clip)
    for x, lo, hi in itertools.product(SPECIAL, repeat=3):
        got = f(x, lo, hi)
        assert bits_equal(got, model_clip(x, lo, hi)), (x, lo, hi, got)
        assert bits_equal(got, np.clip(np.float64(x), np.float64(lo), np.float64(hi))), (x, lo, hi)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_clip_arrays_with_scalar_bounds_match_numpy(dtype):
    f = ember.jit(np_clip)
    xs = np.array(SPECIAL * 5, dtype)
    for lo, hi in [(0.0, 1.0), (-0.0, 0.0), (0.0, -0.0), (-1.5, -0.0), (NAN, 1.0), (0.0, NAN),
                   (2.0, -2.0)]:
        assert bits_equal(f(xs, dtype(lo), dtype(hi)), np.clip(xs, dtype(lo), dtype(hi))), (lo, hi)
    assert bits_equal(ember.jit(np_clip_consts)(xs), np.clip(xs, -0.0, 1.0))


def test_clip_arrays_with_array_bounds_match_numpy_but_for_signed_zero_ties():
    # NumPy's loop for three arrays returns the bound on a 0.0 / -0.0 tie where its scalar
    # path (and ember, and jnp.clip's min(hi, max(lo, x))) returns x; everything else agrees
    f = ember.jit(np_clip)
    grid = list(itertools.product(SPECIAL, repeat=3))
    x, lo, hi = (np.array([g[k] for g in grid]) for k in range(3))
    got, want = f(x, lo, hi), np.clip(x, lo, hi)
    assert bits_equal(got, np.array([model_clip(*g) for g in grid]))
    assert bits_equal(got == 0.0, want == 0.0)
    nonzero = got != 0.0
    assert bits_equal(got[nonzero], want[nonzero])


def test_mixed_int_float_operands_take_the_float_op():
    f = ember.jit(np_max)
    assert bits_equal(f(2, -0.0), np.maximum(2, -0.0))
    assert bits_equal(f(np.array([1, 5, -3]), 2.5), np.maximum(np.array([1, 5, -3]), 2.5))


def _op_names(fn, *args) -> set[str]:
    types = [typeof(v, f"a{i}") for i, v in enumerate(args)]
    module, entry = infer_module(untyped_ir(fn), types, untyped_ir, {})
    return {op.name for op in module[entry].walk()}


def test_which_forms_become_the_new_ops():
    assert "arith.maximumf" in _op_names(np_max, 1.0, 2.0)
    assert "arith.minimumf" in _op_names(np_min, np.zeros(3), 2.0)
    assert {"arith.maximumf", "arith.minimumf"} <= _op_names(np_clip, 1.0, 0.0, 2.0)
    # integers and Python's max keep their selects
    assert not {"arith.maximumf", "arith.minimumf"} & _op_names(int_max, 1, 2)
    assert not {"arith.maximumf", "arith.minimumf"} & _op_names(py_max, 1.0, 2.0)
    assert ember.jit(int_max)(3, -7) == 3


@pytest.mark.parametrize("t", [F64, F32])
def test_constant_folding_matches_numpy(t):
    dt = np.float64 if t == F64 else np.float32
    for x, y in PAIRS:
        for name, ref in (("arith.maximumf", np.maximum), ("arith.minimumf", np.minimum)):
            folded = fold1(name, [(x, t), (y, t)], t)
            assert folded is not NOT_FOLDED
            assert bits_equal(dt(folded), ref(dt(x), dt(y))), (name, x, y, folded)


@pytest.mark.parametrize("x, y", [(0.0, -0.0), (-0.0, 0.0), (NAN, 1.0), (1.0, NAN), (2.0, INF)])
def test_emitted_python_agrees(x, y):
    run_both(np_max, x, y)
    run_both(np_min, x, y)
    run_both(np_clip, x, y, 1.0)
