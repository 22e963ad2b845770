"""Elementwise functions compiled end to end (array.map -> fuse -> lower -> backend) against
NumPy on corner values (zeros, extremes, nan, inf), exact except for transcendental ones.

Each compiled function computes every supported ufunc of one operand-type combination and
assigns the results into output arrays (so one compile covers all functions)."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.types import F64, I64
from ember.typeinfer import array_math as am
from ember.typeinfer.array_ufuncs import MATH_BINARY, MATH_UNARY, np_dtype

from .test_array_math_kit import OP, array_type, compile_fn, same, sample
from .test_array_math_types import BINARY, UNARY

EXACT_MATH = {"floor", "ceil", "trunc", "rint", "fabs", "sqrt", "copysign", "fmod"}
APPROX = {"power"}  # NumPy's pow and libm's differ in the last bit


def _plan(fns: list[str], types: list) -> list[tuple[str, np.dtype]]:
    """The functions NumPy accepts for these operand types, with ember's result dtype."""
    out = []
    for fn in fns:
        try:
            rt = am.elementwise_type(fn, types)
        except Exception:
            continue
        out.append((fn, np_dtype(rt.dtype)))
    return out


def _want(fn: str, args: list, dt: np.dtype):
    with np.errstate(all="ignore"):
        r = np.asarray(getattr(np, fn)(*args))
        if r.dtype != dt:  # numpy's float16 loops: ember computes in float32
            r = np.asarray(getattr(np, fn)(*[np.asarray(a).astype(dt) for a in args]))
    return r


def _run_all(fns: list[str], args: list, types: list) -> None:
    plan = _plan(fns, types)
    shape = np.broadcast_shapes(*[np.shape(a) for a in args])
    outs = [np.zeros(shape, dt) for _, dt in plan]

    def body(em, *vals):
        ins, dests = vals[: len(args)], vals[len(args):]
        for (fn, _), d in zip(plan, dests):
            am.assign(em, d, am.elementwise(em, fn, list(ins), OP), OP)
        return None
    call = compile_fn(types + [array_type(o) for o in outs], body)
    call(*args, *outs)
    for (fn, dt), got in zip(plan, outs):
        exact = (fn not in MATH_UNARY and fn not in MATH_BINARY or fn in EXACT_MATH) and fn not in APPROX
        try:
            same(got, _want(fn, args, dt), exact=exact)
        except AssertionError as e:
            raise AssertionError(f"numpy.{fn}{tuple(t for t in types)}: {e}") from None


# Compiling is the cost here (LLVM O3 vectorizes every loop): each case compiles only the
# functions whose element rule differs for its dtypes; tests/typeinfer/test_array_math_types.py
# covers the typing of every function on every dtype.
INT_UNARY = ["negative", "absolute", "invert", "sign", "logical_not", "isnan", "sqrt"]
FLOAT_UNARY = ["sin", "arccos", "tanh", "exp", "log1p", "cbrt", "rint", "floor", "sign",
               "absolute", "negative", "square", "isnan", "isinf", "isfinite", "logical_not"]
UNARY_CASES = [(np.float64, FLOAT_UNARY), (np.float32, ["sin", "rint", "sign"]),
               (np.int8, INT_UNARY + ["sin"]), (np.int64, ["absolute", "sign"]), (np.uint64, INT_UNARY),
               (np.bool_, ["invert", "square", "sqrt"])]


@pytest.mark.parametrize("dt,fns", UNARY_CASES, ids=lambda d: np.dtype(d).name if not isinstance(d, list) else "")
def test_unary_functions_match_numpy(dt, fns):
    x = sample(dt)
    _run_all(fns, [x], [array_type(x)])


INT_BINARY = ["subtract", "divide", "floor_divide", "remainder", "fmod", "left_shift",
              "right_shift", "less", "maximum"]
FLOAT_BINARY = ["add", "divide", "floor_divide", "remainder", "fmod", "power", "arctan2", "hypot",
                "maximum", "fmin", "less_equal", "not_equal", "logical_xor"]
BINARY_CASES = [
    (np.float64, np.float64, FLOAT_BINARY),
    (np.int64, np.int64, INT_BINARY), (np.int8, np.int8, INT_BINARY[:7]),
    (np.uint64, np.uint64, INT_BINARY), (np.uint8, np.uint8, ["right_shift"]),
    (np.int64, np.uint64, ["less", "equal", "greater_equal", "add"]),
    (np.uint64, np.int8, ["less", "maximum"]),
    (np.int8, np.uint8, ["add", "less"]),
    (np.bool_, np.bool_, ["add", "multiply", "less"]),
    (np.int32, np.float32, ["add", "remainder"]),
]


@pytest.mark.parametrize("a,b,fns", BINARY_CASES,
                         ids=lambda d: np.dtype(d).name if not isinstance(d, list) else "")
def test_binary_functions_match_numpy(a, b, fns):
    x, y = sample(a, seed=1), sample(b, seed=2)[::-1].copy()
    _run_all(fns, [x, y], [array_type(x), array_type(y)])


def test_broadcasting_operands():
    x, y = sample(np.float64, seed=1)[:5].reshape(5, 1).copy(), sample(np.int32, seed=2)[:4]
    _run_all(["add", "less"], [x, y], [array_type(x), array_type(y)])


@pytest.mark.parametrize("dt,value", [(np.float32, 2.5), (np.int8, 3), (np.uint8, 200),
                                      (np.uint64, 5), (np.bool_, 1), (np.int32, -1.5),
                                      (np.uint16, -3), (np.int64, 7)])
def test_weak_python_scalars(dt, value):
    x = sample(dt, seed=3)
    st = F64 if isinstance(value, float) else I64
    fns = ["add", "floor_divide"]
    if dt == np.uint16 and value < 0:  # NumPy refuses -3 for uint16 arithmetic
        fns = []
    _run_all(fns + ["less"], [x, value], [array_type(x), st])
    _run_all(["greater_equal"], [value, x], [st, array_type(x)])


@pytest.mark.parametrize("dt", [np.int8, np.uint64, np.float64])
def test_power(dt):
    x = sample(dt, seed=4)
    with np.errstate(all="ignore"):
        y = np.abs(sample(dt, seed=5) % 9).astype(dt)
    _run_all(["power"], [x, y], [array_type(x), array_type(y)])


def test_integer_power_refuses_negative_exponents_like_numpy():
    x = np.arange(5, dtype=np.int64)
    call = compile_fn([array_type(x), array_type(x)],
                      lambda em, a, b: am.elementwise(em, "power", [a, b], OP))
    same(call(x, x), x ** x)
    with pytest.raises(ValueError, match="Integers to negative integer powers are not allowed"):
        call(x, x - 2)
    call = compile_fn([array_type(x), I64], lambda em, a, b: am.elementwise(em, "power", [a, b], OP))
    same(call(x, 3), x ** 3)
    with pytest.raises(ValueError, match="Integers to negative integer powers are not allowed"):
        call(x, -1)


@pytest.mark.parametrize("dt", [np.uint64, np.float64])
def test_where_and_clip(dt):
    x, lo, hi = sample(dt, seed=6), sample(dt, seed=7), sample(dt, seed=8)
    c = sample(np.bool_, seed=9)
    _run_all(["where"], [c, x, lo], [array_type(c), array_type(x), array_type(lo)])
    _run_all(["where"], [x, x, 0], [array_type(x), array_type(x), I64])  # non-bool condition
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
    _run_all(["clip"], [x, lo, hi], [array_type(x), array_type(lo), array_type(hi)])
    _run_all(["clip"], [x, 1, 5], [array_type(x), I64, I64])


def test_signed_zeros_and_nan_rules():
    x = np.array([0.0, -0.0, np.nan, 1.0, np.nan, -np.inf])
    y = np.array([-0.0, 0.0, 1.0, np.nan, np.nan, np.inf])
    _run_all(["maximum", "minimum", "fmax", "fmin", "sign", "copysign", "floor_divide",
              "remainder"], [x, y], [array_type(x), array_type(y)])
    _run_all(["clip"], [x, -0.0, 0.0], [array_type(x), F64, F64])


def test_scalar_only_operands_compute_inline():
    call = compile_fn([F64, I64], lambda em, a, b: am.elementwise(em, "floor_divide", [a, b], OP))
    assert call(7.5, 2) == np.floor_divide(7.5, 2) and call(1.0, 0) == np.inf
    call = compile_fn([I64, I64], lambda em, a, b: am.elementwise(em, "remainder", [a, b], OP))
    assert call(-7, 3) == 2 and call(5, 0) == 0
    call = compile_fn([I64], lambda em, a: am.elementwise(em, "sin", [a], OP))
    assert call(2) == np.sin(2)


def test_strided_and_fortran_operands():
    base = np.arange(48, dtype=np.float64).reshape(6, 8)
    a, b = base[::2, ::-3], base.T[:3, 1::2]
    _run_all(["hypot"], [a, b], [array_type(a), array_type(b)])
    f = np.asfortranarray(base)
    _run_all(["subtract"], [f, base], [array_type(f), array_type(base)])

