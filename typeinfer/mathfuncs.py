"""Lowering rules of the `math` module functions (`math.*` ops with `?` types).

Operands become floats (ints and bools converted; float32 stays float32 when every
operand is float32, as Numba does). Each function is followed by `math.check`,
which mirrors CPython's math_1 (nan from non-nan -> ValueError; inf from finite ->
OverflowError where CPython says "can overflow", else ValueError), plus explicit
`cf.assert`s for the cases that generic rule misses (poles of gamma/lgamma, log(0),
pow(0, negative), fmod(x, 0), fmod(inf, y)). floor/ceil/trunc return ints.

Unsigned operands (uint8..uint64) are what CPython does with NumPy scalars: they have no
__floor__/__ceil__/__trunc__, so math.floor and math.ceil go through float(x) (exactly
rounded: floor(np.uint64(2**53 + 1)) is 2**53, and a result >= 2**63 raises OverflowError
as ember ints are int64), and math.trunc is a TypingError (CPython's TypeError).
"""
from __future__ import annotations

from ember.ir.core import Operation, Value
from ember.ir.opdefs import MATH_BINARY, MATH_UNARY
from ember.ir.types import BOOL, F32, F64, I64, ScalarType, Type

from .emit import Emitter
from .lattice import is_float, is_real, type_name
from .rules import describe, fail, rule

DOMAIN = "math domain error"
# CPython's can_overflow flag: an infinite result from finite input is a range error
OVERFLOWS = {"exp", "expm1", "exp2", "sinh", "cosh", "pow", "hypot", "gamma", "lgamma"}
# never raise for real input (or their errors are checked explicitly)
NO_CHECK = {"fabs", "floor", "ceil", "trunc", "roundeven", "copysign", "atan2", "erf", "erfc",
            "atan", "tanh", "asinh", "cbrt", "fmod"}
TO_INT = {"floor", "ceil", "trunc"}
PREDICATES = ("isnan", "isinf", "isfinite")


def _fname(op: Operation) -> str:
    return op.name[len("math."):]


def _float_type(types: list[Type]) -> ScalarType:
    return F32 if all(t == F32 for t in types) else F64


def infer_math(op: Operation, types: list[Type]) -> list[Type]:
    f = _fname(op)
    for t in types:
        if not is_real(t):
            raise fail(op, f"math.{f}() needs real numbers, got {describe(op, types)}")
    want = 2 if f in MATH_BINARY else 1
    if len(types) != want and not (f == "log" and len(types) == 2):
        raise fail(op, f"math.{f}() takes {want} argument{'s' if want > 1 else ''}, "
                       f"got {len(types)}")
    if f in PREDICATES:
        return [BOOL]
    if f == "trunc" and _unsigned(types[0]):
        raise fail(op, f"math.trunc() of a {type_name(types[0])}: NumPy's unsigned scalars "
                       "define no __trunc__ (CPython raises TypeError); use int(x)")
    if f in TO_INT:
        return [I64]
    return [_float_type(types)]


def _unsigned(t: Type) -> bool:
    return isinstance(t, ScalarType) and t.kind == "u"


def _poles(em: Emitter, x: Value) -> None:
    """gamma and lgamma at 0 and the negative integers: CPython raises ValueError."""
    t = x.type
    integral = em.cmpf("oeq", em.op("math.floor", [x], t), x)
    pole = em.and_(em.and_(integral, em.cmpf("ole", x, em.const(0.0, t))), em.fpred("isfinite", x))
    em.check(em.not_(pole), "ValueError", DOMAIN)


def unary(em: Emitter, f: str, x: Value) -> Value:
    """math.f(x) for a float x, with CPython's errors."""
    t = x.type
    if f in ("log", "log2", "log10"):
        # x > 0 or nan; log(0) would otherwise be a finite-to-inf "range" case
        em.check(em.cmpf("ugt", x, em.const(0.0, t)), "ValueError", DOMAIN)
    if f in ("gamma", "lgamma"):
        _poles(em, x)
    r = em.op(f"math.{f}", [x], t)
    if f not in NO_CHECK:
        em.b.op("math.check", [r, x], [], {"overflow": f in OVERFLOWS})
    return r


def binary(em: Emitter, f: str, x: Value, y: Value) -> Value:
    t = x.type
    zero = em.const(0.0, t)
    if f == "pow":
        zero_neg = em.and_(em.cmpf("oeq", x, zero),
                           em.and_(em.cmpf("olt", y, zero), em.fpred("isfinite", y)))
        em.check(em.not_(zero_neg), "ValueError", DOMAIN)
    if f == "fmod":
        # CPython: nan from two non-nan operands is a domain error: y == 0 or x infinite
        no_nan = em.cmpf("ord", x, y)
        bad = em.and_(no_nan, em.or_(em.cmpf("oeq", y, zero), em.fpred("isinf", x)))
        em.check(em.not_(bad), "ValueError", DOMAIN)
    r = em.op(f"math.{f}", [x, y], t)
    if f not in NO_CHECK:
        em.b.op("math.check", [r, x, y], [], {"overflow": f in OVERFLOWS})
    return r


def lower_math(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    f = _fname(op)
    if f in TO_INT and not is_float(vals[0].type) and not _unsigned(vals[0].type):
        return [em.to_i64(vals[0])]
    t = _float_type([v.type for v in vals])
    xs = [em.cast(v, t) for v in vals]
    if f in PREDICATES:
        return [em.fpred(f, xs[0])]
    if f in TO_INT:
        return [em.checked_fptosi(em.op(f"math.{f}", xs, t))]
    if f == "log" and len(xs) == 2:
        num, den = unary(em, "log", xs[0]), unary(em, "log", xs[1])
        em.check(em.cmpf("une", den, em.const(0.0, t)), "ZeroDivisionError", "float division by zero")
        return [em.op("arith.divf", [num, den], t)]
    if f in MATH_BINARY:
        return [binary(em, f, xs[0], xs[1])]
    return [unary(em, f, xs[0])]


for _f in MATH_UNARY + MATH_BINARY + PREDICATES:
    rule(f"math.{_f}", infer=infer_math)(lower_math)
