"""Constant evaluation of typed ops, with the exact semantics of ir/opdefs.py.

`evaluate(op, values)` computes the constant result of a one-result op whose
operands are all constants, or returns None when it must not be folded: the
op may raise or is guarded at run time (division by zero, shift by a negative
count, fptosi out of range), the result is not representable exactly as the
backend would produce it, or Python's own answer might differ from the
native one (f32 transcendental functions, non-finite math results).

Constant values are Python ints (normalized to the type's range), floats and
bools, as `arith.constant` stores them.
"""
from __future__ import annotations

import math
import struct
from typing import Callable

from ember.ir.core import Operation
from ember.ir.types import ScalarType, Type



def wrap(v: int, t: ScalarType) -> int:
    """Two's-complement truncation of a Python int to the integer type `t`."""
    mask = (1 << t.bits) - 1
    v &= mask
    if t.kind == "i" and v >> (t.bits - 1):
        v -= 1 << t.bits
    return v


def round_f32(x: float) -> float:
    """Round a double to the nearest float32 (round-to-nearest-even, overflow to inf)."""
    if math.isnan(x) or math.isinf(x):
        return x
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def normalize(v: object, t: Type) -> object | None:
    """The canonical Python value of a constant of type `t`, or None if unsupported."""
    if not isinstance(t, ScalarType):
        return None
    if t.is_bool:
        return bool(v) if isinstance(v, (bool, int)) else None
    if t.is_int:
        return wrap(int(v), t) if isinstance(v, int) else None
    if t.is_float:
        if not isinstance(v, (int, float)):
            return None
        v = float(v)
        return round_f32(v) if t.bits == 32 else v
    return None


def _bits_u(v: int | bool, t: ScalarType) -> int:
    return int(v) & ((1 << t.bits) - 1)


def _bits_s(v: int | bool, t: ScalarType) -> int:
    u = _bits_u(v, t)
    return u - (1 << t.bits) if u >> (t.bits - 1) else u


# ---- integers -----------------------------------------------------------------

def _floordiv(a: int, b: int) -> int | None:
    return None if b == 0 else a // b


def _floormod(a: int, b: int) -> int | None:
    return None if b == 0 else a % b


def _shl(a: int, b: int, t: ScalarType) -> int | None:
    if b < 0:
        return None
    return 0 if b >= t.bits else a << b


def _shr(a: int, b: int, t: ScalarType) -> int | None:
    if b < 0:
        return None
    return a >> min(b, t.bits)


def _powi(a: int, b: int, t: ScalarType) -> int | None:
    if b < 0:
        return None
    return pow(a, b, 1 << t.bits)


_INT_ANY: dict[str, Callable[[int, int], int]] = {
    "arith.addi": lambda a, b: a + b,
    "arith.subi": lambda a, b: a - b,
    "arith.muli": lambda a, b: a * b,
}
# Ops whose meaning is defined on signed values only: not folded for unsigned types.
_INT_SIGNED: dict[str, Callable[..., int | None]] = {
    "arith.floordivsi": lambda a, b, t: _floordiv(a, b),
    "arith.floormodsi": lambda a, b, t: _floormod(a, b),
    "arith.shli": _shl,
    "arith.shrsi": _shr,
    "arith.powi": _powi,
}
_BITWISE: dict[str, Callable[[int, int], int]] = {
    "arith.andi": lambda a, b: a & b,
    "arith.ori": lambda a, b: a | b,
    "arith.xori": lambda a, b: a ^ b,
}


def _cmpi(pred: str, a: int | bool, b: int | bool, t: ScalarType) -> bool | None:
    if pred in ("eq", "ne"):
        eq = _bits_u(a, t) == _bits_u(b, t)
        return eq if pred == "eq" else not eq
    if pred[0] == "u":
        x, y = _bits_u(a, t), _bits_u(b, t)
    elif t.is_bool:
        return None  # signed order on i1 (true = -1) is a trap: leave it to the backend
    else:
        x, y = _bits_s(a, t), _bits_s(b, t)
    rel = pred[1:]
    return {"lt": x < y, "le": x <= y, "gt": x > y, "ge": x >= y}.get(rel)


# ---- floats -------------------------------------------------------------------

def _divf(a: float, b: float) -> float | None:
    return None if b == 0.0 else a / b


def _floordivf(a: float, b: float) -> float | None:
    if b == 0.0:
        return None
    try:
        return a // b
    except (ArithmeticError, ValueError):
        return None


def _floormodf(a: float, b: float) -> float | None:
    if b == 0.0:
        return None
    try:
        return a % b
    except (ArithmeticError, ValueError):
        return None


def _powf(a: float, b: float) -> float | None:
    try:
        return math.pow(a, b)  # C99 pow() semantics where it does not raise
    except (ArithmeticError, ValueError):
        return None


# Correctly rounded in double and hence also in float32 after one more rounding
# (double has more than 2*24+2 bits): safe to fold for both widths.
_FLOAT_EXACT: dict[str, Callable[[float, float], float | None]] = {
    "arith.addf": lambda a, b: a + b,
    "arith.subf": lambda a, b: a - b,
    "arith.mulf": lambda a, b: a * b,
    "arith.divf": _divf,
    "arith.maximumf": lambda a, b: a if math.isnan(a) or a > b else b,
    "arith.minimumf": lambda a, b: a if math.isnan(a) or a < b else b,
}
_FLOAT_F64: dict[str, Callable[[float, float], float | None]] = {
    "arith.floordivf": _floordivf,
    "arith.floormodf": _floormodf,
    "arith.powf": _powf,
}


def _cmpf(pred: str, a: float, b: float) -> bool | None:
    unordered = math.isnan(a) or math.isnan(b)
    if pred == "ord":
        return not unordered
    if pred == "uno":
        return unordered
    rel = pred[1:]
    if rel not in ("eq", "ne", "lt", "le", "gt", "ge"):
        return None
    if unordered:
        return pred[0] == "u"
    return {"eq": a == b, "ne": a != b, "lt": a < b, "le": a <= b,
            "gt": a > b, "ge": a >= b}[rel]


def _cmpif(pred: str, i: int, f: float) -> bool | None:
    # Python compares int and float exactly (no rounding of the int), nan unequal to all.
    return {"eq": i == f, "ne": i != f, "lt": i < f, "le": i <= f,
            "gt": i > f, "ge": i >= f}.get(pred)


# ---- math ---------------------------------------------------------------------

def _rounding(fn: Callable[[float], int]) -> Callable[[float], float]:
    """floor/ceil/trunc/round return ints in Python; C keeps the sign of a zero result."""
    def f(x: float) -> float:
        r = float(fn(x))
        return math.copysign(0.0, x) if r == 0.0 else r
    return f


_MATH1: dict[str, Callable[[float], float]] = {
    n: getattr(math, n) for n in (
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
        "acosh", "atanh", "exp", "expm1", "log", "log2", "log10", "log1p", "sqrt",
        "fabs", "erf", "erfc", "gamma", "lgamma")
}
for _n in ("exp2", "cbrt"):  # Python 3.11+
    if hasattr(math, _n):
        _MATH1[_n] = getattr(math, _n)
_MATH1["floor"] = _rounding(math.floor)
_MATH1["ceil"] = _rounding(math.ceil)
_MATH1["trunc"] = _rounding(math.trunc)
_MATH1["roundeven"] = _rounding(round)
_MATH2: dict[str, Callable[[float, float], float]] = {
    "atan2": math.atan2, "hypot": math.hypot, "copysign": math.copysign,
    "pow": math.pow, "fmod": math.fmod,
}
_EXACT_F32_MATH = frozenset({"fabs", "floor", "ceil", "trunc", "roundeven", "copysign", "sqrt"})


def _math(name: str, args: list[float], t: ScalarType) -> float | None:
    short = name[len("math."):]
    fn = _MATH1.get(short) if len(args) == 1 else _MATH2.get(short)
    if fn is None or any(math.isinf(a) for a in args if short in ("floor", "ceil", "trunc", "roundeven")):
        return None
    if t.bits != 64 and short not in _EXACT_F32_MATH:
        return None  # libm float variants need not agree with double-then-round
    if any(math.isnan(a) for a in args):
        return None
    try:
        r = fn(*args)
    except (ArithmeticError, ValueError):
        return None
    r = float(r)
    if not math.isfinite(r):
        return None
    return round_f32(r) if t.bits == 32 else r


# ---- casts --------------------------------------------------------------------

def _cast(name: str, v: object, src: ScalarType, dst: ScalarType) -> object | None:
    if name == "arith.sitofp" or name == "arith.uitofp":
        n = _bits_s(v, src) if name == "arith.sitofp" and src.kind == "i" else _bits_u(v, src)  # type: ignore[arg-type]
        if dst.bits == 32:
            # int -> double -> float could round twice; only exact below 2**53.
            return round_f32(float(n)) if abs(n) < (1 << 53) else None
        return float(n)
    if name == "arith.fptosi":
        x = float(v)  # type: ignore[arg-type]
        if not math.isfinite(x):
            return None
        n = int(x)
        lo, hi = -(1 << (dst.bits - 1)), (1 << (dst.bits - 1)) - 1
        return n if lo <= n <= hi else None
    if name == "arith.extsi":
        return normalize(_bits_s(v, src), dst)  # type: ignore[arg-type]
    if name == "arith.extui":
        return normalize(_bits_u(v, src), dst)  # type: ignore[arg-type]
    if name == "arith.trunci":
        n = _bits_u(v, src)  # type: ignore[arg-type]
        return bool(n & 1) if dst.is_bool else wrap(n, dst)
    if name == "arith.extf":
        return float(v)  # type: ignore[arg-type]
    if name == "arith.truncf":
        return round_f32(float(v))  # type: ignore[arg-type]
    return None


_CASTS = frozenset({"arith.sitofp", "arith.uitofp", "arith.fptosi", "arith.extsi",
                    "arith.extui", "arith.trunci", "arith.extf", "arith.truncf"})


def evaluate(op: Operation, values: list) -> object | None:
    """The constant result of one-result `op` on constant operand `values`, or None."""
    if len(op.results) != 1:
        return None
    t = op.results[0].type
    if not isinstance(t, ScalarType):
        return None
    name = op.name
    try:
        r = _evaluate(op, name, values, t)
    except (ArithmeticError, ValueError, TypeError):
        return None
    return None if r is None else normalize(r, t)


def _evaluate(op: Operation, name: str, values: list, t: ScalarType) -> object | None:
    if name in _CASTS:
        src = op.operands[0].type
        if not isinstance(src, ScalarType):
            return None
        return _cast(name, values[0], src, t)
    if name == "arith.select":
        return values[1] if values[0] else values[2]
    if name in ("arith.cmpi", "arith.cmpf", "arith.cmpif"):
        a_t = op.operands[0].type
        pred = op.attributes.get("predicate")
        if not isinstance(pred, str) or not isinstance(a_t, ScalarType):
            return None
        if name == "arith.cmpi":
            return _cmpi(pred, values[0], values[1], a_t)
        if name == "arith.cmpf":
            return _cmpf(pred, float(values[0]), float(values[1]))
        i = _bits_s(values[0], a_t) if a_t.kind == "i" else _bits_u(values[0], a_t)
        return _cmpif(pred, i, float(values[1]))
    if name in ("math.isnan", "math.isinf", "math.isfinite"):
        return getattr(math, name[len("math."):])(float(values[0]))
    if t.is_int or t.is_bool:
        if name in _BITWISE:
            if t.is_bool:
                return bool(_BITWISE[name](int(values[0]), int(values[1])))
            return _BITWISE[name](values[0], values[1])
        if t.is_bool:
            return None
        a, b = values
        if name in _INT_ANY:
            return _INT_ANY[name](a, b)
        if name in _INT_SIGNED and t.kind == "i":
            return _INT_SIGNED[name](_bits_s(a, t), _bits_s(b, t), t)
        return None
    if t.is_float:
        if name == "arith.negf":
            return -float(values[0])
        if name in _FLOAT_EXACT:
            return _FLOAT_EXACT[name](float(values[0]), float(values[1]))
        if name in _FLOAT_F64:
            return _FLOAT_F64[name](float(values[0]), float(values[1])) if t.bits == 64 else None
        if name.startswith("math."):
            return _math(name, [float(v) for v in values], t)
    return None


def math_check_passes(values: list[float]) -> bool:
    """True when `math.check(result, args...)` on these constants provably does not raise."""
    result, args = float(values[0]), [float(v) for v in values[1:]]
    if math.isnan(result) and not any(math.isnan(a) for a in args):
        return False
    if math.isinf(result) and all(math.isfinite(a) for a in args):
        return False
    return True
