"""Constant folding against Python's own answers: the folded constant is what CPython
computes (wrapped to the type), and ops that would raise are left alone."""
from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given, settings, strategies as st

from ember.ir.types import BOOL, F32, F64, I8, I32, I64, U8
from tests.passes.build import NOT_FOLDED, fold1, same_float

I64_MIN, I64_MAX = -(2**63), 2**63 - 1
ints = st.one_of(st.integers(I64_MIN, I64_MAX), st.sampled_from([0, 1, -1, I64_MIN, I64_MAX, 2, -2]))
floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from([0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 0.5, -2.5]))
SETTINGS = settings(max_examples=60, deadline=None)


def wrap64(v: int) -> int:
    return (v + 2**63) % 2**64 - 2**63


@SETTINGS
@given(ints, ints)
def test_int_add_sub_mul_wrap(a: int, b: int) -> None:
    assert fold1("arith.addi", [(a, I64), (b, I64)], I64) == wrap64(a + b)
    assert fold1("arith.subi", [(a, I64), (b, I64)], I64) == wrap64(a - b)
    assert fold1("arith.muli", [(a, I64), (b, I64)], I64) == wrap64(a * b)


@SETTINGS
@given(ints, ints)
def test_int_floordiv_mod_python(a: int, b: int) -> None:
    q = fold1("arith.floordivsi", [(a, I64), (b, I64)], I64)
    r = fold1("arith.floormodsi", [(a, I64), (b, I64)], I64)
    if b == 0:
        assert q is NOT_FOLDED and r is NOT_FOLDED
    else:
        assert q == wrap64(a // b) and r == wrap64(a % b)


def test_int_min_floordiv_minus_one_wraps() -> None:
    assert fold1("arith.floordivsi", [(I64_MIN, I64), (-1, I64)], I64) == I64_MIN
    assert fold1("arith.floormodsi", [(I64_MIN, I64), (-1, I64)], I64) == 0
    assert fold1("arith.floordivsi", [(-7, I64), (2, I64)], I64) == -4
    assert fold1("arith.floormodsi", [(-7, I64), (2, I64)], I64) == 1
    assert fold1("arith.floormodsi", [(7, I64), (-2, I64)], I64) == -1


@SETTINGS
@given(ints, st.integers(-3, 70))
def test_shifts(a: int, n: int) -> None:
    shl = fold1("arith.shli", [(a, I64), (n, I64)], I64)
    shr = fold1("arith.shrsi", [(a, I64), (n, I64)], I64)
    if n < 0:
        assert shl is NOT_FOLDED and shr is NOT_FOLDED
    else:
        assert shl == wrap64(a << n)
        assert shr == a >> n


@SETTINGS
@given(st.integers(-50, 50), st.integers(-2, 80))
def test_powi(a: int, e: int) -> None:
    r = fold1("arith.powi", [(a, I64), (e, I64)], I64)
    assert r is NOT_FOLDED if e < 0 else r == wrap64(a ** e)


@SETTINGS
@given(ints, ints)
def test_bitwise_and_cmpi(a: int, b: int) -> None:
    assert fold1("arith.andi", [(a, I64), (b, I64)], I64) == a & b
    assert fold1("arith.ori", [(a, I64), (b, I64)], I64) == a | b
    assert fold1("arith.xori", [(a, I64), (b, I64)], I64) == a ^ b
    ua, ub = a % 2**64, b % 2**64
    expect = {"eq": a == b, "ne": a != b, "slt": a < b, "sle": a <= b, "sgt": a > b,
              "sge": a >= b, "ult": ua < ub, "ule": ua <= ub, "ugt": ua > ub, "uge": ua >= ub}
    for pred, want in expect.items():
        assert fold1("arith.cmpi", [(a, I64), (b, I64)], BOOL, {"predicate": pred}) is want


def test_narrow_int_types_wrap() -> None:
    assert fold1("arith.addi", [(127, I8), (1, I8)], I8) == -128
    assert fold1("arith.muli", [(200, U8), (2, U8)], U8) == 144
    assert fold1("arith.subi", [(0, U8), (1, U8)], U8) == 255
    assert fold1("arith.andi", [(True, BOOL), (False, BOOL)], BOOL) is False
    assert fold1("arith.xori", [(True, BOOL), (True, BOOL)], BOOL) is False


@SETTINGS
@given(floats, floats)
def test_float_arith_like_python(a: float, b: float) -> None:
    assert same_float(fold1("arith.addf", [(a, F64), (b, F64)], F64), a + b)
    assert same_float(fold1("arith.subf", [(a, F64), (b, F64)], F64), a - b)
    assert same_float(fold1("arith.mulf", [(a, F64), (b, F64)], F64), a * b)
    assert same_float(fold1("arith.negf", [(a, F64)], F64), -a)
    for name, fn in (("arith.divf", lambda x, y: x / y), ("arith.floordivf", lambda x, y: x // y),
                     ("arith.floormodf", lambda x, y: x % y)):
        got = fold1(name, [(a, F64), (b, F64)], F64)
        if b == 0.0:
            assert got is NOT_FOLDED, name
        else:
            assert same_float(got, fn(a, b)), (name, a, b, got)


def test_float_floor_division_signs() -> None:
    cases = [(-7.5, 2.0), (7.5, -2.0), (-0.0, 3.0), (0.0, -3.0), (-1.0, math.inf), (1.0, -math.inf),
             (5.0, math.nan), (math.inf, 2.0), (-3.0, 3.0), (3.0, -3.0)]
    for a, b in cases:
        assert same_float(fold1("arith.floordivf", [(a, F64), (b, F64)], F64), a // b), (a, b)
        assert same_float(fold1("arith.floormodf", [(a, F64), (b, F64)], F64), a % b), (a, b)


@SETTINGS
@given(floats, floats)
def test_cmpf_all_predicates(a: float, b: float) -> None:
    uno = math.isnan(a) or math.isnan(b)
    rel = {"eq": a == b, "ne": a != b and not uno, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}
    for r, v in rel.items():
        assert fold1("arith.cmpf", [(a, F64), (b, F64)], BOOL, {"predicate": "o" + r}) is (v and not uno)
        assert fold1("arith.cmpf", [(a, F64), (b, F64)], BOOL, {"predicate": "u" + r}) is (v or uno)
    assert fold1("arith.cmpf", [(a, F64), (b, F64)], BOOL, {"predicate": "ord"}) is (not uno)
    assert fold1("arith.cmpf", [(a, F64), (b, F64)], BOOL, {"predicate": "uno"}) is uno


@SETTINGS
@given(ints, floats)
def test_cmpif_exact_like_python(i: int, f: float) -> None:
    expect = {"eq": i == f, "ne": i != f, "lt": i < f, "le": i <= f, "gt": i > f, "ge": i >= f}
    for pred, want in expect.items():
        assert fold1("arith.cmpif", [(i, I64), (f, F64)], BOOL, {"predicate": pred}) is want


def test_cmpif_does_not_round_the_int() -> None:
    big = 2**53 + 1  # float(big) == 2**53: a rounding comparison would say equal
    assert fold1("arith.cmpif", [(big, I64), (float(2**53), F64)], BOOL, {"predicate": "eq"}) is False
    assert fold1("arith.cmpif", [(big, I64), (float(2**53), F64)], BOOL, {"predicate": "gt"}) is True


@SETTINGS
@given(ints, floats)
def test_casts(i: int, x: float) -> None:
    assert same_float(fold1("arith.sitofp", [(i, I64)], F64), float(i))
    got = fold1("arith.fptosi", [(x, F64)], I64)
    if math.isfinite(x) and I64_MIN <= int(x) <= I64_MAX:
        assert got == int(x)
    else:
        assert got is NOT_FOLDED
    assert fold1("arith.trunci", [(i, I64)], I8) == (i + 128) % 256 - 128
    assert fold1("arith.extsi", [((i % 256) - 128, I8)], I64) == (i % 256) - 128


def f32(x: float) -> float:
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


@SETTINGS
@given(st.floats(width=32), st.floats(width=32))
def test_f32_arith_rounds_once(a: float, b: float) -> None:
    import numpy as np
    with np.errstate(all="ignore"):
        want = float(np.float32(a) * np.float32(b))
        want_add = float(np.float32(a) + np.float32(b))
    assert same_float(fold1("arith.mulf", [(a, F32), (b, F32)], F32), want)
    assert same_float(fold1("arith.addf", [(a, F32), (b, F32)], F32), want_add)
    assert same_float(fold1("arith.truncf", [(float(a) * 1.0000001, F64)], F32), f32(float(a) * 1.0000001))


def test_other_casts() -> None:
    assert fold1("arith.uitofp", [(True, BOOL)], F64) == 1.0
    assert fold1("arith.extui", [(True, BOOL)], I64) == 1
    assert fold1("arith.extui", [(200, U8)], I32) == 200
    assert fold1("arith.trunci", [(3, I64)], BOOL) is True
    assert fold1("arith.extf", [(0.1, F32)], F64) == f32(0.1)
    assert fold1("arith.sitofp", [(2**60 + 1, I64)], F32) is NOT_FOLDED  # could round twice


UNARY = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
         "atanh", "exp", "expm1", "exp2", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "fabs",
         "erf", "erfc", "gamma", "lgamma"]


@SETTINGS
@given(floats)
def test_math_unary_like_python(x: float) -> None:
    for n in UNARY:
        got = fold1(f"math.{n}", [(x, F64)], F64)
        try:
            want = float(getattr(math, n)(x))
        except (ValueError, OverflowError):
            assert got is NOT_FOLDED, (n, x)
            continue
        if math.isfinite(want) and not math.isnan(x):
            assert same_float(got, want), (n, x, got, want)
        else:
            assert got is NOT_FOLDED, (n, x)


def test_math_rounding_keeps_negative_zero() -> None:
    for n, x, want in [("floor", -0.5, -1.0), ("ceil", -0.5, -0.0), ("trunc", -0.7, -0.0),
                       ("roundeven", -0.5, -0.0), ("roundeven", 2.5, 2.0), ("roundeven", 3.5, 4.0),
                       ("floor", -0.0, -0.0), ("ceil", 0.2, 1.0)]:
        assert same_float(fold1(f"math.{n}", [(x, F64)], F64), want), (n, x)
    assert fold1("math.floor", [(math.inf, F64)], F64) is NOT_FOLDED


def test_math_binary_and_domain_errors_not_folded() -> None:
    assert same_float(fold1("math.atan2", [(1.0, F64), (-2.0, F64)], F64), math.atan2(1.0, -2.0))
    assert same_float(fold1("math.hypot", [(3.0, F64), (4.0, F64)], F64), 5.0)
    assert same_float(fold1("math.copysign", [(3.0, F64), (-0.0, F64)], F64), -3.0)
    assert same_float(fold1("math.fmod", [(-7.0, F64), (2.0, F64)], F64), -1.0)
    assert same_float(fold1("arith.powf", [(2.0, F64), (0.5, F64)], F64), math.pow(2.0, 0.5))
    assert fold1("arith.powf", [(0.0, F64), (-1.0, F64)], F64) is NOT_FOLDED
    assert fold1("math.pow", [(-8.0, F64), (1 / 3, F64)], F64) is NOT_FOLDED
    assert fold1("math.log", [(-1.0, F64)], F64) is NOT_FOLDED
    assert fold1("math.exp", [(1000.0, F64)], F64) is NOT_FOLDED
    assert fold1("math.sqrt", [(-0.0, F64)], F64) == -0.0
    assert fold1("math.sin", [(1.0, F32)], F32) is NOT_FOLDED  # libm sinf may differ
    assert fold1("math.sqrt", [(2.0, F32)], F32) == f32(math.sqrt(2.0))


@pytest.mark.parametrize("x", [0.0, -0.0, math.inf, -math.inf, math.nan, 1.5])
def test_float_predicates(x: float) -> None:
    for n in ("isnan", "isinf", "isfinite"):
        assert fold1(f"math.{n}", [(x, F64)], BOOL) is getattr(math, n)(x)


def test_select_on_constants() -> None:
    assert fold1("arith.select", [(True, BOOL), (1, I64), (2, I64)], I64) == 1
    assert fold1("arith.select", [(False, BOOL), (1.0, F64), (-0.0, F64)], F64) == -0.0
