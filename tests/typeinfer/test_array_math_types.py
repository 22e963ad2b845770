"""array_math dtype rules against NumPy itself, exhaustively over the supported dtypes,
and the typed IR of every function verifying."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from ember.ir.errors import TypingError
from ember.ir.types import BOOL, F32, F64, I64, ArrayType, ScalarType
from ember.typeinfer import array_math as am
from ember.typeinfer.array_ufuncs import SUPPORTED, from_numpy

from .test_array_math_kit import DTYPES, OP, scalar_type, typed_module

BINARY = sorted(f for f in SUPPORTED if f not in ("where", "clip") and getattr(np, f).nin == 2)
UNARY = sorted(f for f in SUPPORTED if f not in ("where", "clip") and getattr(np, f).nin == 1)


def numpy_dtype(fn: str, *args) -> np.dtype | None:
    """The dtype NumPy gives, or None when NumPy refuses the types."""
    with np.errstate(all="ignore"):
        try:
            return np.asarray(getattr(np, fn)(*args)).dtype
        except TypeError:
            return None


def expect(fn: str, types: list, args: list) -> None:
    want = numpy_dtype(fn, *args)
    if want is None:
        with pytest.raises(TypingError):
            am.elementwise_type(fn, types, OP)
        return
    got = am.elementwise_type(fn, types, OP)
    dt = got.dtype if isinstance(got, ArrayType) else got
    # float16 does not exist in ember: float32 instead (module docstring)
    assert dt == from_numpy(want), (fn, types, dt, want)
    if any(isinstance(t, ArrayType) for t in types):
        assert isinstance(got, ArrayType) and got.ndim == max(
            t.ndim for t in types if isinstance(t, ArrayType))


@pytest.mark.parametrize("fn", BINARY)
def test_binary_array_array_promotion_is_numpys(fn):
    for a, b in itertools.product(DTYPES, DTYPES):
        types = [ArrayType(scalar_type(a), 1), ArrayType(scalar_type(b), 2)]
        expect(fn, types, [np.ones(1, a), np.ones((1, 1), b)])


@pytest.mark.parametrize("fn", BINARY)
def test_binary_weak_python_scalars_follow_nep50(fn):
    for a in DTYPES:
        arr = ArrayType(scalar_type(a), 1)
        for st, val in ((I64, 1), (F64, 1.0), (BOOL, True)):
            expect(fn, [arr, st], [np.ones(1, a), val])
            expect(fn, [st, arr], [val, np.ones(1, a)])
        # a float32 scalar (read from an array) is strong
        expect(fn, [arr, F32], [np.ones(1, a), np.float32(1)])


@pytest.mark.parametrize("fn", UNARY)
def test_unary_types(fn):
    for a in DTYPES:
        expect(fn, [ArrayType(scalar_type(a), 3)], [np.ones((1, 1, 1), a)])
    expect(fn, [I64], [1])
    expect(fn, [F64], [1.0])


def test_the_float16_difference_is_float32():
    for dt in (np.bool_, np.int8, np.uint8):
        assert np.sin(np.ones(1, dt)).dtype == np.float16
        assert am.elementwise_type("sin", [ArrayType(scalar_type(dt), 1)]) == ArrayType(F32, 1)


def test_where_and_clip_types():
    for a, b in itertools.product(DTYPES, DTYPES):
        ta, tb = ArrayType(scalar_type(a), 1), ArrayType(scalar_type(b), 1)
        want = np.where(np.ones(1, bool), np.ones(1, a), np.ones(1, b)).dtype
        assert am.elementwise_type("where", [ArrayType(BOOL, 1), ta, tb]).dtype == from_numpy(want)
        want = np.clip(np.ones(1, a), np.ones(1, b), np.ones(1, b)).dtype
        assert am.elementwise_type("clip", [ta, tb, tb]).dtype == from_numpy(want)
    # weak scalar bounds keep the array's dtype
    t8 = ArrayType(scalar_type(np.int8), 2)
    assert am.elementwise_type("clip", [t8, I64, I64]) == t8
    assert am.elementwise_type("where", [ArrayType(BOOL, 1), t8, I64]) == t8


def test_aliases_and_errors():
    t = ArrayType(I64, 1)
    assert am.elementwise_type("true_divide", [t, t]) == ArrayType(F64, 1)
    assert am.elementwise_type("abs", [t]) == t
    with pytest.raises(TypingError, match="not supported"):
        am.elementwise_type("frobnicate", [t])
    with pytest.raises(TypingError, match="complex"):
        am.elementwise_type("sin", [ArrayType(scalar_type(np.complex128), 1)])
    with pytest.raises(TypingError, match="takes 2 operands"):
        am.elementwise_type("add", [t])


REDUCE_KINDS = ["sum", "prod", "min", "max", "mean", "var", "std", "argmin", "argmax", "all",
                "any", "cumsum", "cumprod"]


@pytest.mark.parametrize("kind", REDUCE_KINDS)
def test_reduction_types_are_numpys(kind):
    for dt in DTYPES:
        a = np.ones((2, 3), dt)
        t = ArrayType(scalar_type(dt), 2)
        for axis, keep in ((None, False), (1, False), (-2, False), (None, True), (0, True)):
            kw = {} if kind.startswith("cum") else {"keepdims": keep}
            if kind.startswith("cum") and keep:
                continue
            want = np.asarray(getattr(np, kind)(a, axis=axis, **kw))
            got = am.reduction_type(kind, t, axis, keep)
            if want.ndim == 0:
                assert got == from_numpy(want.dtype)
            else:
                assert got == ArrayType(from_numpy(want.dtype), want.ndim, "C")
    # a 1-d array reduced along its axis gives a scalar, as NumPy does
    assert am.reduction_type("sum", ArrayType(I64, 1), 0, False) == I64


def test_axis_out_of_bounds_is_numpys_message():
    with pytest.raises(TypingError, match="axis 2 is out of bounds for array of dimension 2"):
        am.reduction_type("sum", ArrayType(F64, 2), 2, False, OP)
    with pytest.raises(TypingError, match="axis -3 is out of bounds for array of dimension 2"):
        am.reduction_type("sum", ArrayType(F64, 2), -3, False, OP)


@pytest.mark.parametrize("fn", BINARY + UNARY + ["where", "clip"])
def test_every_function_emits_verified_typed_ir(fn):
    """Build the array.map of each function over a spread of operand types: the typed IR
    verifies and round-trips (typed_module checks both)."""
    arity = 3 if fn in ("where", "clip") else getattr(np, fn).nin
    picks = [np.bool_, np.int8, np.uint16, np.int32, np.uint64, np.int64, np.float32, np.float64]
    for i, dt in enumerate(picks):
        other = picks[(i * 3 + 1) % len(picks)]
        types = [ArrayType(scalar_type(dt), 2)] + [ArrayType(scalar_type(other), 1), F64][: arity - 1]
        if arity == 3:
            types = [types[0], ArrayType(scalar_type(other), 1), I64]
        scalars = [scalar_type(dt) if not isinstance(t, ScalarType) else t for t in types]
        for ts in (types, scalars):
            try:
                am.elementwise_type(fn, ts)
            except TypingError:
                continue
            typed_module(ts, lambda em, *args: am.elementwise(em, fn, list(args), OP))


@pytest.mark.parametrize("kind", REDUCE_KINDS)
def test_every_reduction_emits_verified_typed_ir(kind):
    for dt in (np.bool_, np.int32, np.uint64, np.float32, np.float64):
        for ndim, axis, keep in ((1, None, False), (2, None, True), (2, -1, False), (3, 1, True),
                                 (0, None, False), (1, 0, True)):
            if kind.startswith("cum") and keep:
                continue
            t = ArrayType(scalar_type(dt), ndim, "A")
            typed_module([t], lambda em, a: am.reduction(em, kind, a, axis, keep, 1, OP))
