"""Integer arithmetic, comparisons, selects and casts against CPython (wrapped to the width)."""
from __future__ import annotations

import math
import operator
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.ir.types import BOOL, F32, F64, I8, I32, I64, U8, U64, ScalarType
from tests.backend.native import Native, binop, compile_native, func, unop

I64_MIN, I64_MAX = -(2 ** 63), 2 ** 63 - 1
i64s = st.integers(I64_MIN, I64_MAX)
EDGE = [0, 1, -1, 2, -2, 3, -3, 7, -7, I64_MIN, I64_MAX, I64_MIN + 1, I64_MAX - 1, 2 ** 32, -(2 ** 32)]


def wrap(v: int, bits: int = 64, signed: bool = True) -> int:
    v &= (1 << bits) - 1
    if signed and v >= 1 << (bits - 1):
        v -= 1 << bits
    return v


@lru_cache(maxsize=None)
def native_binop(name: str, t: ScalarType = I64) -> Native:
    return compile_native(binop(name, t))


@pytest.mark.parametrize("name,fn", [("arith.addi", operator.add), ("arith.subi", operator.sub),
                                     ("arith.muli", operator.mul), ("arith.andi", operator.and_),
                                     ("arith.ori", operator.or_), ("arith.xori", operator.xor)])
@settings(max_examples=60, deadline=None)
@given(a=i64s, b=i64s)
def test_wrapping_int_ops(name, fn, a, b):
    assert native_binop(name)(a, b) == wrap(fn(a, b))


@settings(max_examples=300, deadline=None)
@given(a=st.one_of(i64s, st.sampled_from(EDGE)), b=st.one_of(i64s, st.sampled_from(EDGE)))
def test_floordiv_floormod_i64(a, b):
    if b == 0:
        return
    assert native_binop("arith.floordivsi")(a, b) == wrap(a // b)
    assert native_binop("arith.floormodsi")(a, b) == wrap(a % b)


def test_floordiv_edges():
    div, mod = native_binop("arith.floordivsi"), native_binop("arith.floormodsi")
    for a in EDGE:
        for b in EDGE:
            if b:
                assert div(a, b) == wrap(a // b), (a, b)
                assert mod(a, b) == wrap(a % b), (a, b)
    assert div(I64_MIN, -1) == I64_MIN  # wraps, no trap


@settings(max_examples=100, deadline=None)
@given(a=st.integers(-128, 127), b=st.integers(-128, 127))
def test_floordiv_i8(a, b):
    if b == 0:
        return
    assert native_binop("arith.floordivsi", I8)(a, b) == wrap(a // b, 8)
    assert native_binop("arith.floormodsi", I8)(a, b) == wrap(a % b, 8)


@settings(max_examples=100, deadline=None)
@given(a=st.integers(0, 2 ** 64 - 1), b=st.integers(1, 2 ** 64 - 1))
def test_unsigned_div(a, b):
    assert native_binop("arith.floordivsi", U64)(a, b) == a // b
    assert native_binop("arith.floormodsi", U64)(a, b) == a % b


@settings(max_examples=200, deadline=None)
@given(a=st.one_of(i64s, st.sampled_from(EDGE)), n=st.integers(0, 200))
def test_shifts(a, n):
    assert native_binop("arith.shli")(a, n) == wrap(a << n)
    assert native_binop("arith.shrsi")(a, n) == a >> n


def test_shift_big_counts():
    shl, shr = native_binop("arith.shli"), native_binop("arith.shrsi")
    for a in (1, -1, 5, -5, I64_MIN, I64_MAX):
        for n in (63, 64, 65, 1000, I64_MAX):
            assert shl(a, n) == wrap(a << min(n, 200))
            assert shr(a, n) == (0 if a >= 0 else -1)
    assert native_binop("arith.shrsi", U8)(200, 3) == 25
    assert native_binop("arith.shrsi", U8)(200, 9) == 0
    assert native_binop("arith.shli", U8)(200, 1) == 144


@settings(max_examples=200, deadline=None)
@given(a=st.one_of(st.integers(-50, 50), i64s), e=st.integers(0, 200))
def test_powi_runtime(a, e):
    assert native_binop("arith.powi")(a, e) == wrap(pow(a, e, 2 ** 64))


@pytest.mark.parametrize("k", [0, 1, 2, 3, 5, 8, 13, 64, 65])
def test_powi_constant_exponent(k):
    f = func("f", [I64], I64, lambda b, x: b.value("arith.powi", [x, b.constant(k, I64)], I64))
    n = compile_native(f)
    for a in (0, 1, -1, 2, -3, 7, 12345, I64_MIN, I64_MAX):
        assert n(a) == wrap(pow(a, k, 2 ** 64)), (a, k)


@pytest.mark.parametrize("pred,fn", [("eq", operator.eq), ("ne", operator.ne), ("slt", operator.lt),
                                     ("sle", operator.le), ("sgt", operator.gt), ("sge", operator.ge)])
def test_cmpi_signed(pred, fn):
    n = compile_native(binop("arith.cmpi", I64, BOOL, {"predicate": pred}))
    for a in EDGE:
        for b in EDGE:
            assert n(a, b) == fn(a, b)


@pytest.mark.parametrize("pred,fn", [("ult", operator.lt), ("ule", operator.le),
                                     ("ugt", operator.gt), ("uge", operator.ge)])
def test_cmpi_unsigned(pred, fn):
    n = compile_native(binop("arith.cmpi", I64, BOOL, {"predicate": pred}))
    for a in EDGE:
        for b in EDGE:
            assert n(a, b) == fn(a % 2 ** 64, b % 2 ** 64)


def test_bool_ops_and_select():
    for name, fn in (("arith.andi", operator.and_), ("arith.ori", operator.or_), ("arith.xori", operator.xor)):
        n = compile_native(binop(name, BOOL))
        for a in (False, True):
            for b in (False, True):
                assert n(a, b) == fn(a, b)
    sel = compile_native(func("f", [BOOL, F64, F64], F64,
                              lambda b, c, x, y: b.value("arith.select", [c, x, y], F64)))
    assert sel(True, 1.5, 2.5) == 1.5 and sel(False, 1.5, 2.5) == 2.5


FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e300, -1e300, 2.0 ** 53, 9.2e18, -9.2e18, 3.7, -3.7]


def test_casts():
    sitofp = compile_native(unop("arith.sitofp", I64, F64))
    for a in EDGE:
        assert sitofp(a) == float(a)
    assert compile_native(unop("arith.sitofp", BOOL, F64))(True) == 1.0
    assert compile_native(unop("arith.uitofp", BOOL, F64))(True) == 1.0
    assert compile_native(unop("arith.uitofp", U64, F64))(2 ** 64 - 1) == float(2 ** 64 - 1)
    fptosi = compile_native(unop("arith.fptosi", F64, I64))
    for x in FLOATS:
        if abs(x) < 2.0 ** 63:  # out of range is guarded upstream
            assert fptosi(x) == int(x)
    ext = compile_native(unop("arith.extsi", I8, I64))
    assert [ext(v) for v in (-128, -1, 0, 127)] == [-128, -1, 0, 127]
    extu = compile_native(unop("arith.extui", U8, I64))
    assert [extu(v) for v in (0, 200, 255)] == [0, 200, 255]
    assert compile_native(unop("arith.extui", BOOL, I64))(True) == 1
    tr = compile_native(unop("arith.trunci", I64, I32))
    assert [tr(v) for v in (2 ** 40 + 5, -1, 2 ** 31)] == [5, -1, -(2 ** 31)]
    f2d = compile_native(unop("arith.extf", F32, F64))
    assert f2d(1.5) == 1.5
    d2f = compile_native(unop("arith.truncf", F64, F32))
    assert d2f(0.1) == pytest.approx(0.1, rel=1e-7) and d2f(1e300) == math.inf


def test_float_basic_ops():
    for name, fn in (("arith.addf", operator.add), ("arith.subf", operator.sub),
                     ("arith.mulf", operator.mul), ("arith.divf", operator.truediv)):
        n = native_binop(name, F64)
        for a in FLOATS:
            for b in FLOATS:
                if name == "arith.divf" and b == 0:
                    continue
                assert n(a, b) == fn(a, b) or (math.isnan(n(a, b)) and math.isnan(fn(a, b)))
    neg = compile_native(unop("arith.negf", F64, F64))
    assert math.copysign(1, neg(0.0)) == -1.0 and neg(2.5) == -2.5
    pw = native_binop("arith.powf", F64)
    assert pw(2.0, 0.5) == 2.0 ** 0.5 and pw(-8.0, 3.0) == -512.0


@pytest.mark.parametrize("pred", ["oeq", "one", "olt", "ole", "ogt", "oge", "ueq", "une",
                                  "ult", "ule", "ugt", "uge", "ord", "uno"])
def test_cmpf(pred):
    n = compile_native(binop("arith.cmpf", F64, BOOL, {"predicate": pred}))
    base = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
            "gt": operator.gt, "ge": operator.ge, "rd": lambda a, b: True, "no": lambda a, b: False}
    vals = [0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan]
    for a in vals:
        for b in vals:
            unordered = math.isnan(a) or math.isnan(b)
            if pred == "ne" or pred == "one":
                want = (not unordered) and a != b
            elif pred[0] == "o":
                want = (not unordered) and base[pred[1:]](a, b)
            else:
                want = unordered or base[pred[1:]](a, b)
            if pred == "une":
                want = unordered or a != b
            assert n(a, b) == want, (pred, a, b)
