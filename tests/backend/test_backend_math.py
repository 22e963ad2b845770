"""math.* ops against Python's math module, the predicates, and math.check's errors."""
from __future__ import annotations

import math
from functools import lru_cache

import pytest

from ember.ir.opdefs import MATH_BINARY, MATH_UNARY
from ember.ir.types import BOOL, F32, F64, ScalarType
from tests.backend.native import Native, binop, compile_native, func, unop

VALUES = [0.0, -0.0, 0.1, -0.1, 0.5, -0.5, 0.999, 1.0, -1.0, 1.5, 2.0, -2.0, 3.25, -3.75, 10.0,
          -10.0, 100.0, 700.0, 1e-300, 1e300, -1e300, 2.5e-5, math.pi, math.inf, -math.inf, math.nan]



def c_rounding(fn):
    """Python's floor/ceil/trunc/round return ints; C keeps the float and x's sign at zero."""
    def ref(x: float) -> float:
        r = float(fn(x))
        return math.copysign(r, x) if r == 0 else r
    return ref


PY = {"gamma": math.gamma, "lgamma": math.lgamma, "roundeven": c_rounding(round),
      "floor": c_rounding(math.floor), "ceil": c_rounding(math.ceil), "trunc": c_rounding(math.trunc)}
# CPython computes these itself (not with libm), so the last bits may differ;
# lgamma near its roots 1 and 2 differs absolutely, not relatively.
ULPS = {"gamma": 64, "lgamma": 64, "hypot": 1}
ABS = {"lgamma": 1e-15}


def close(got: float, want: float, ulps: int, abs_tol: float = 0.0) -> bool:
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    if got == want:
        return math.copysign(1, got) == math.copysign(1, want) or ulps > 0
    if math.isinf(want) or math.isinf(got):
        return False
    return abs(got - want) <= max(ulps * math.ulp(want), abs_tol)


@lru_cache(maxsize=None)
def native(name: str, t: ScalarType = F64, nargs: int = 1) -> Native:
    return compile_native(unop(f"math.{name}", t, t) if nargs == 1 else binop(f"math.{name}", t))


@pytest.mark.parametrize("name", MATH_UNARY)
def test_unary_against_python(name):
    py = PY.get(name) or getattr(math, name)
    n = native(name)
    for x in VALUES:
        got = n(x)
        try:
            want = py(x)
        except (ValueError, OverflowError):
            # Python raises where C returns nan/inf: what math.check turns into the error.
            assert math.isnan(got) or math.isinf(got) or name in ("lgamma", "gamma"), (name, x, got)
            continue
        assert close(got, want, ULPS.get(name, 0), ABS.get(name, 0.0)), (name, x, got, want)


@pytest.mark.parametrize("name", MATH_BINARY)
def test_binary_against_python(name):
    py = getattr(math, name)
    n = native(name, nargs=2)
    for x in VALUES:
        for y in VALUES:
            got = n(x, y)
            try:
                want = py(x, y)
            except (ValueError, OverflowError):
                assert math.isnan(got) or math.isinf(got), (name, x, y, got)
                continue
            assert close(got, want, ULPS.get(name, 0)), (name, x, y, got, want)


def test_float32_math():
    assert native("sqrt", F32)(2.0) == pytest.approx(math.sqrt(2.0), rel=1e-7)
    assert native("expm1", F32)(1e-3) == pytest.approx(math.expm1(1e-3), rel=1e-6)
    assert native("hypot", F32, 2)(3.0, 4.0) == 5.0
    assert native("fmod", F32, 2)(7.5, 2.0) == 1.5


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
def test_predicates(name):
    for t in (F64, F32):
        n = compile_native(unop(f"math.{name}", t, BOOL))
        for x in VALUES:
            if t == F32 and abs(x) > 3e38 and not math.isinf(x):
                continue
            assert n(x) == getattr(math, name)(x), (name, x)


def checked(name: str, overflow: bool, nargs: int = 1) -> Native:
    def body(b, *args):
        r = b.value(f"math.{name}", list(args), F64)
        b.op("math.check", [r, *args], [], {"overflow": overflow})
        return r
    return compile_native(func("f", [F64] * nargs, F64, body))


def test_math_check_errors():
    sqrt = checked("sqrt", False)
    assert sqrt(4.0) == 2.0
    assert math.isnan(sqrt(math.nan))  # nan in, nan out: no error
    with pytest.raises(ValueError, match="math domain error"):
        sqrt(-1.0)
    exp = checked("exp", True)
    assert exp(math.inf) == math.inf  # inf in, inf out
    with pytest.raises(OverflowError, match="math range error"):
        exp(1000.0)
    log = checked("log", False)
    with pytest.raises(ValueError, match="math domain error"):
        log(0.0)  # -inf from a finite argument, not an overflow
    pw = checked("pow", True, 2)
    assert pw(2.0, 10.0) == 1024.0
    with pytest.raises(OverflowError):
        pw(10.0, 400.0)
    with pytest.raises(ValueError):
        pw(-8.0, 1.0 / 3.0)
    # The error table is deduplicated: one entry per distinct (exception, message).
    assert len(set(log.cf.error_table)) == len(log.cf.error_table)
