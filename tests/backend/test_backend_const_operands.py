"""Lowerings specialised on a constant operand, against CPython.

Floor division/modulo by a known divisor (shift and mask for powers of two, one
sign fix otherwise), int-constant-vs-float comparisons done as a plain fcmp, and
math.check without its overflow test for functions that cannot blow up.
"""
from __future__ import annotations

import math
import struct
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.ir.types import BOOL, F32, F64, I8, I64, ScalarType, TupleType
from tests.backend.native import Native, compile_native, func

I64_MIN, I64_MAX = -(2 ** 63), 2 ** 63 - 1
DIVISORS_I64 = [1, 2, 4, 8, 1 << 40, 1 << 62, 3, 7, 10, 12345, -1, -2, -3, -4, -7, -(1 << 40),
                I64_MIN, I64_MAX, I64_MIN + 1]
DIVISORS_I8 = [1, 2, 64, 3, 127, -1, -2, -3, -64, -128]
EDGE_I64 = [0, 1, -1, 2, -2, 3, -3, 7, -7, 8, -8, 1 << 40, -(1 << 40), I64_MIN, I64_MAX,
            I64_MIN + 1, I64_MAX - 1]


def wrap(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


@lru_cache(maxsize=None)
def divmod_by_consts(t: ScalarType, divisors: tuple[int, ...]) -> Native:
    """f(a) -> (a // d0, a % d0, a // d1, a % d1, ...) with every d a constant."""
    rt = TupleType(tuple([t] * (2 * len(divisors))))

    def body(b, a):
        outs = []
        for d in divisors:
            c = b.constant(d, t)
            outs += [b.value("arith.floordivsi", [a, c], t), b.value("arith.floormodsi", [a, c], t)]
        return b.value("tuple.make", outs, rt)
    return compile_native(func("f", [t], rt, body))


def check_divmod(t: ScalarType, divisors: list[int], a: int) -> None:
    got = divmod_by_consts(t, tuple(divisors))(a)
    for k, d in enumerate(divisors):
        assert got[2 * k] == wrap(a // d, t.bits), (a, d)
        assert got[2 * k + 1] == wrap(a % d, t.bits), (a, d)


def test_divmod_by_constant_edges():
    for a in EDGE_I64:
        check_divmod(I64, DIVISORS_I64, a)
    for a in range(-128, 128):
        check_divmod(I8, DIVISORS_I8, a)


@settings(max_examples=200, deadline=None)
@given(a=st.integers(I64_MIN, I64_MAX))
def test_divmod_by_constant_any(a):
    check_divmod(I64, DIVISORS_I64, a)


def test_divmod_min_by_minus_one_wraps():
    assert divmod_by_consts(I64, (-1,))(I64_MIN) == (I64_MIN, 0)


INT_CONSTS = (0, 1, -1, 3, -7, 2 ** 53, -(2 ** 53), 2 ** 53 + 1, -(2 ** 53) - 1, I64_MAX, I64_MIN)
FLOATS = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.9, 3.0, 3.5, -7.0, -7.5, 2.0 ** 53, -(2.0 ** 53),
          2.0 ** 53 + 2, 2.0 ** 63, -(2.0 ** 63), 1e300, -1e300, math.inf, -math.inf, math.nan]
PREDS = {"lt": lambda i, f: i < f, "le": lambda i, f: i <= f, "eq": lambda i, f: i == f,
         "ne": lambda i, f: i != f, "gt": lambda i, f: i > f, "ge": lambda i, f: i >= f}


@lru_cache(maxsize=None)
def cmp_consts(pred: str, ft: ScalarType) -> Native:
    """f(x) -> (c0 <pred> x, c1 <pred> x, ...) with every c an i64 constant."""
    rt = TupleType(tuple([BOOL] * len(INT_CONSTS)))

    def body(b, x):
        outs = [b.value("arith.cmpif", [b.constant(c, I64), x], BOOL, {"predicate": pred})
                for c in INT_CONSTS]
        return b.value("tuple.make", outs, rt)
    return compile_native(func("f", [ft], rt, body))


@pytest.mark.parametrize("pred", sorted(PREDS))
def test_cmpif_constant_int(pred):
    n, n32 = cmp_consts(pred, F64), cmp_consts(pred, F32)
    for f in FLOATS:
        assert n(f) == tuple(PREDS[pred](c, f) for c in INT_CONSTS), (pred, f)
        f32 = _as_f32(f)
        assert n32(f32) == tuple(PREDS[pred](c, f32) for c in INT_CONSTS), (pred, f32)


def _as_f32(f: float) -> float:
    """f rounded to the nearest float32 (out of range: infinity)."""
    try:
        return struct.unpack("f", struct.pack("f", f))[0]
    except OverflowError:
        return math.copysign(math.inf, f)


@lru_cache(maxsize=None)
def checked(name: str) -> Native:
    def body(b, x):
        r = b.value(f"math.{name}", [x], F64)
        b.op("math.check", [r, x], [], {"overflow": False})
        return r
    return compile_native(func("f", [F64], F64, body))


@pytest.mark.parametrize("name", ["sin", "cos", "sqrt", "acosh", "erfc", "atan"])
def test_math_check_without_overflow_test(name):
    n, py = checked(name), getattr(math, name)
    for x in (0.0, -0.0, 0.5, -0.5, 1.0, 2.0, -2.0, 1e300, -1e300, math.inf, -math.inf, math.nan):
        try:
            want = py(x)
        except ValueError:
            with pytest.raises(ValueError, match="math domain error"):
                n(x)
            continue
        got = n(x)
        assert got == want or (math.isnan(got) and math.isnan(want)) or \
            abs(got - want) <= 4 * math.ulp(want), (name, x, got, want)


def test_math_check_log_zero_still_raises():
    with pytest.raises(ValueError, match="math domain error"):
        checked("log")(0.0)
