"""Float floor division/modulo and exact int-vs-float comparison against CPython."""
from __future__ import annotations

import math
import operator
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.ir.types import BOOL, F32, F64, I8, I32, I64, U64, ScalarType
from tests.backend.native import Native, binop, compile_native, func

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 3.0, -3.0, 7.5, -7.5, 1e-310, -1e-310, 1e308, -1e308,
           0.1, -0.1, 2.0 ** 53, math.inf, -math.inf, math.nan]


def same(a: float, b: float) -> bool:
    """Equal including the sign of zero, or both nan."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@lru_cache(maxsize=None)
def native(name: str, t: ScalarType = F64) -> Native:
    return compile_native(binop(name, t))


def check_divmod(a: float, b: float) -> None:
    if b == 0:
        return
    try:
        want_d = a // b
    except OverflowError:  # pragma: no cover - CPython never raises here for finite b != 0
        return
    assert same(native("arith.floordivf")(a, b), want_d), (a, b)
    assert same(native("arith.floormodf")(a, b), a % b), (a, b)


def test_float_divmod_special_values():
    for a in SPECIAL:
        for b in SPECIAL:
            check_divmod(a, b)


@settings(max_examples=400, deadline=None)
@given(a=st.floats(allow_nan=True, allow_infinity=True), b=st.floats(allow_nan=True, allow_infinity=True))
def test_float_divmod_any(a, b):
    check_divmod(a, b)


@settings(max_examples=200, deadline=None)
@given(a=st.integers(-1000, 1000), b=st.integers(-50, 50))
def test_float_divmod_integral(a, b):
    check_divmod(a / 4, b / 4)


def test_float32_divmod():
    d, m = native("arith.floordivf", F32), native("arith.floormodf", F32)
    assert d(-7.0, 2.0) == -4.0 and m(-7.0, 2.0) == 1.0
    assert same(m(-0.0, 3.0), 0.0) and same(m(1.0, -1.0), -0.0)


INTS = [0, 1, -1, 2 ** 53, 2 ** 53 + 1, -(2 ** 53) - 1, 2 ** 63 - 1, -(2 ** 63), -(2 ** 63) + 1,
        2 ** 62, 12345, -12345]
FLTS = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0 ** 53, -(2.0 ** 53), 2.0 ** 53 + 2, 2.0 ** 63,
        -(2.0 ** 63), 2.0 ** 64, -(2.0 ** 64), 9.2e18, -9.2e18, 1e300, -1e300, 12345.0,
        12345.5, -12345.5, math.inf, -math.inf, math.nan]
PREDS = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
         "gt": operator.gt, "ge": operator.ge}


@lru_cache(maxsize=None)
def cmpif(pred: str, it: ScalarType = I64, ft: ScalarType = F64) -> Native:
    return compile_native(func("f", [it, ft], BOOL, lambda b, i, f: b.value(
        "arith.cmpif", [i, f], BOOL, {"predicate": pred})))


@pytest.mark.parametrize("pred", sorted(PREDS))
def test_cmpif_edges(pred):
    n = cmpif(pred)
    for i in INTS:
        for f in FLTS:
            assert n(i, f) == PREDS[pred](i, f), (pred, i, f)
    assert n(2 ** 53 + 1, float(2 ** 53)) == PREDS[pred](2 ** 53 + 1, float(2 ** 53))


@pytest.mark.parametrize("pred", sorted(PREDS))
def test_cmpif_u64_and_narrow(pred):
    u = cmpif(pred, U64)
    for i in (0, 1, 2 ** 63, 2 ** 64 - 1, 2 ** 64 - 1024, 2 ** 53 + 1):
        for f in FLTS:
            assert u(i, f) == PREDS[pred](i, f), (pred, i, f)
    for it in (I8, I32):
        n = cmpif(pred, it, F32)
        for i in (-128, -1, 0, 1, 127):
            for f in (-128.0, -0.5, 0.0, 0.5, 1.0, 127.0, 127.5, math.inf, math.nan):
                assert n(i, f) == PREDS[pred](i, f), (pred, i, f)


@settings(max_examples=300, deadline=None)
@given(i=st.integers(-(2 ** 63), 2 ** 63 - 1), f=st.floats())
def test_cmpif_any(i, f):
    for pred, fn in PREDS.items():
        assert cmpif(pred)(i, f) == fn(i, f)


@settings(max_examples=200, deadline=None)
@given(i=st.integers(-(2 ** 63), 2 ** 63 - 1), d=st.integers(-3, 3))
def test_cmpif_near_int(i, d):
    f = float(i) + d  # a float near i, where rounding i would lie
    for pred, fn in PREDS.items():
        assert cmpif(pred)(i, f) == fn(i, f)
