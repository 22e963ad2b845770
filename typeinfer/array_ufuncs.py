"""NumPy's elementwise functions on one element: dtype resolution and scalar semantics.

`loop_types(fn, types)` asks NumPy itself (at compile time) which inner loop a ufunc call
selects: `ufunc.resolve_dtypes` with NEP 50 weak scalars, `np.result_type` for where/clip.
Which operands are weak: an i64, f64 scalar is taken to be a Python int / float (a numpy
int64/float64 scalar read from an array is therefore weak too: ember's one difference with
NumPy there); bool scalars are bool either way; every other scalar type (f32, i32, ... read
from an array) is strong. The float16 loops NumPy picks for bool/int8/uint8 inputs of the
float functions (np.sin(int8) is float16) become float32 here: float16 does not exist in
ember, and float32 is the next type that holds every such input exactly (int16 inputs are
float32 in NumPy too). Complex operands (a c128 scalar is a weak Python complex) take
complex_ufuncs.py for the functions it lists; any other is a TypingError.

`element(em, fn, xs, ins, out)` emits the typed ops computing one result element from
operands already cast to the loop's input types, with NumPy's scalar semantics (no
cf.assert, no math.check): IEEE float division, int // 0 == 0 and int % 0 == 0, nan
propagating maximum/minimum (float: arith.maximumf/minimumf, whose derivative splits ties as
JAX's; clip is minimumf(hi, maximumf(lo, x)) as jnp.clip), nan ignoring fmax/fmin, sign(nan) = nan, rint rounds half to
even, shifts by >= the width give 0 (or -1), abs(MIN) wraps, exact int64-vs-uint64
comparisons. `np_cast` is NumPy's 'unsafe' cast between element types (float -> int
truncates toward zero; nan, inf and values outside int64 give INT64_MIN as NumPy does on
x86-64; float -> uint64 of values >= 2**63 is not exact).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ember.ir.core import Operation, Value
from ember.ir.errors import TypingError
from ember.ir.types import BOOL, C128, F32, F64, I64, SCALARS, ArrayType, ScalarType, Type

from .emit import Emitter
from . import complex_ufuncs
from .lattice import type_name

ALIASES = {"true_divide": "divide", "abs": "absolute", "conj": "conjugate"}
# numpy name -> ember math op
MATH_UNARY = {"sin": "sin", "cos": "cos", "tan": "tan", "arcsin": "asin", "arccos": "acos",
              "arctan": "atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
              "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "exp": "exp",
              "exp2": "exp2", "expm1": "expm1", "log": "log", "log2": "log2", "log10": "log10",
              "log1p": "log1p", "sqrt": "sqrt", "cbrt": "cbrt", "fabs": "fabs",
              "floor": "floor", "ceil": "ceil", "trunc": "trunc", "rint": "roundeven"}
MATH_BINARY = {"arctan2": "atan2", "hypot": "hypot", "copysign": "copysign", "fmod": "fmod"}
COMPARE = {"less": "lt", "less_equal": "le", "greater": "gt", "greater_equal": "ge",
           "equal": "eq", "not_equal": "ne"}
OTHER = {"add", "subtract", "multiply", "divide", "floor_divide", "remainder", "power",
         "negative", "positive", "absolute", "bitwise_and", "bitwise_or", "bitwise_xor",
         "invert", "left_shift", "right_shift", "logical_not", "logical_and", "logical_or",
         "logical_xor", "square", "sign", "maximum", "minimum", "fmax", "fmin", "isnan",
         "isinf", "isfinite", "where", "clip", "conjugate"}
SUPPORTED = frozenset(MATH_UNARY) | frozenset(MATH_BINARY) | frozenset(COMPARE) | OTHER
ARITY = {"where": 3, "clip": 3}
NEG_POWER = "Integers to negative integer powers are not allowed."


def canonical(fn: str) -> str:
    return ALIASES.get(fn, fn)


def np_dtype(t: ScalarType) -> np.dtype:
    if t.is_bool:
        return np.dtype(bool)
    return np.dtype({"i": "int", "u": "uint", "f": "float", "c": "complex"}[t.kind] + str(t.bits))


def from_numpy(dt: np.dtype) -> ScalarType:
    if dt == np.float16:
        return F32  # see the module docstring
    if dt == np.bool_:
        return BOOL
    return SCALARS[dt.kind + str(dt.itemsize * 8)]


def element_type(t: Type) -> Type:
    """What an array.map region sees of an operand."""
    return t.dtype if isinstance(t, ArrayType) else t


def _spec(t: Type) -> object:
    """The operand as NumPy's dtype resolution sees it: a dtype, or `int`/`float` for a weak
    Python scalar (NEP 50)."""
    if t == I64:
        return int
    if t == F64:
        return float
    if t == C128:
        return complex
    return np_dtype(element_type(t))  # type: ignore[arg-type]


def _fail(op: Operation | None, msg: str) -> TypingError:
    return TypingError(msg, op.loc if op is not None else None)


def loop_types(fn: str, types: list[Type], op: Operation | None = None
               ) -> tuple[list[ScalarType], ScalarType]:
    """(input element types, output element type) of numpy.`fn` on operands of `types`."""
    fn = canonical(fn)
    if fn not in SUPPORTED and not complex_ufuncs.supported(fn):  # angle: complex only
        raise _fail(op, f"numpy.{fn} is not supported on arrays")
    for t in types:
        e = element_type(t)
        if not isinstance(e, ScalarType):
            raise _fail(op, f"numpy.{fn} needs numbers or arrays, got {type_name(t)}")
        if e.is_complex and not complex_ufuncs.supported(fn):
            raise _fail(op, f"numpy.{fn} of complex values is not supported by ember")
    try:
        return _resolve(fn, tuple(types))
    except (TypeError, ValueError) as e:
        names = ", ".join(type_name(element_type(t)) for t in types)
        raise _fail(op, f"numpy.{fn} does not support operands of type ({names}): {e}") from None


@lru_cache(maxsize=None)
def _resolve(fn: str, types: tuple[Type, ...]) -> tuple[list[ScalarType], ScalarType]:
    if fn == "angle":  # not a ufunc: atan2(im, re) of a complex, in its part type
        e = element_type(types[0])
        if len(types) != 1 or not isinstance(e, ScalarType) or not e.is_complex:
            raise TypeError("ember's numpy.angle element rule takes one complex operand")
        return [e], F32 if e.bits == 64 else F64
    want = ARITY.get(fn) or getattr(np, fn).nin
    if len(types) != want:
        raise TypeError(f"takes {want} operands, got {len(types)}")
    specs = [_spec(t) for t in types]
    if all(isinstance(s, type) for s in specs):
        # only Python scalars: NumPy makes them int64 / float64 arrays
        specs = [np.dtype({int: np.int64, float: np.float64, complex: np.complex128}[s])
                 for s in specs]
    if fn in COMPARE and int in specs:
        other = element_type(types[specs.index(int) ^ 1])
        if isinstance(other, ScalarType) and other.is_int:
            # NumPy compares an int array with a Python int exactly, whatever its value
            return [element_type(t) for t in types], BOOL  # type: ignore[misc]
    if fn in ("where", "clip"):
        samples = [s(0) if isinstance(s, type) else s for s in specs]
        vals = samples[1:] if fn == "where" else samples
        out = from_numpy(np.result_type(*vals))
        cond = element_type(types[0]) if fn == "where" else out
        return [cond, out, out], out  # type: ignore[list-item]
    dts = getattr(np, fn).resolve_dtypes(tuple(specs) + (None,))
    ins = [from_numpy(d) for d in dts[:-1]]
    out = from_numpy(dts[-1])
    if any(t.is_complex for t in ins + [out]) and not complex_ufuncs.supported(fn):
        raise TypeError("complex results are not supported")
    return ins, out


def result_type(fn: str, types: list[Type], op: Operation | None = None) -> Type:
    """The call's type: an array of the output dtype (ndim the largest operand's), or a
    scalar when no operand is an array."""
    _, out = loop_types(fn, types, op)
    ndims = [t.ndim for t in types if isinstance(t, ArrayType)]
    return ArrayType(out, max(ndims), "C") if ndims else out


# ---- casts ---------------------------------------------------------------------------
def _reinterpret(em: Emitter, v: Value, t: ScalarType) -> Value:
    """Same-width int to int of the other signedness (the bits are the value)."""
    s = v.type
    assert isinstance(s, ScalarType)
    if s.bits < 64:
        wide = em.op("arith.extsi" if s.is_signed else "arith.extui", [v], I64)
        return em.op("arith.trunci", [wide], t)
    # no same-width cast op: rebuild the 64 bits from two 32-bit halves
    u32 = SCALARS["u32"]
    lo = em.op("arith.extui", [em.op("arith.trunci", [v], u32)], t)
    hi_bits = em.op("arith.shrsi", [v, em.const(32, s)], s)
    hi = em.op("arith.extui", [em.op("arith.trunci", [hi_bits], u32)], t)
    return em.op("arith.ori", [em.op("arith.shli", [hi, em.const(32, t)], t), lo], t)


def _fptoi64(em: Emitter, x: Value) -> Value:
    """Truncation toward zero; nan, inf and out-of-range values give INT64_MIN (x86)."""
    t = x.type
    ok = em.and_(em.cmpf("oge", x, em.const(-2.0 ** 63, t)), em.cmpf("olt", x, em.const(2.0 ** 63, t)))
    r = em.op("arith.fptosi", [em.select(ok, x, em.const(0.0, t))], I64)
    return em.select(ok, r, em.const(-2 ** 63, I64))


def np_cast(em: Emitter, v: Value, t: ScalarType) -> Value:
    """NumPy's unsafe cast of one element to `t`."""
    s = v.type
    assert isinstance(s, ScalarType)
    if s == t:
        return v
    if s.is_complex or t.is_complex:
        return complex_ufuncs.cast(em, v, t)
    if t.is_bool:
        if s.is_float:
            return em.cmpf("une", v, em.const(0.0, s))
        return em.cmpi("ne", v, em.const(0, s))
    if t.is_float:
        if s.is_float:
            return em.op("arith.extf" if t.bits > s.bits else "arith.truncf", [v], t)
        return em.op("arith.uitofp" if s.kind in "ub" else "arith.sitofp", [v], t)
    if s.is_float:
        return np_cast(em, _fptoi64(em, v), t)
    # int or bool to int
    if t.bits < s.bits:
        return em.op("arith.trunci", [v], t)
    if t.bits == s.bits:
        return _reinterpret(em, v, t)
    if s.kind in "ub":
        return em.op("arith.extui", [v], t)
    if t.is_signed:
        return em.op("arith.extsi", [v], t)
    return _reinterpret(em, em.op("arith.extsi", [v], SCALARS[f"i{t.bits}"]), t)


def truth(em: Emitter, v: Value) -> Value:
    return np_cast(em, v, BOOL)


def all_ones(t: ScalarType) -> int:
    return (1 << t.bits) - 1 if t.kind == "u" else -1


# ---- integer helpers -------------------------------------------------------------------
def _lshr(em: Emitter, a: Value, k: Value) -> Value:
    """Logical right shift of an unsigned value by 0 <= k < bits."""
    t = a.type
    assert isinstance(t, ScalarType)
    if t.bits < 64:
        wide = em.op("arith.extui", [a], I64)
        return em.op("arith.trunci", [em.op("arith.shrsi", [wide, np_cast(em, k, I64)], I64)], t)
    # an arithmetic shift, then clear the copies of the sign bit
    width = em.op("arith.subi", [em.const(64, t), k], t)
    keep = em.op("arith.xori", [em.op("arith.shli", [em.const(all_ones(t), t), width], t),
                                em.const(all_ones(t), t)], t)
    return em.op("arith.andi", [em.op("arith.shrsi", [a, k], t), keep], t)


def _udivmod(em: Emitter, a: Value, b: Value) -> tuple[Value, Value]:
    """Unsigned a // b and a % b for b != 0."""
    t = a.type
    assert isinstance(t, ScalarType)
    if t.bits < 64:
        wa, wb = em.op("arith.extui", [a], I64), em.op("arith.extui", [b], I64)
        q = em.op("arith.floordivsi", [wa, wb], I64)
        r = em.op("arith.floormodsi", [wa, wb], I64)
        return em.op("arith.trunci", [q], t), em.op("arith.trunci", [r], t)
    # Hacker's Delight 9-3: divide a >> 1 with the signed op (both operands non-negative)
    one = em.const(1, t)
    big = em.cmpi("slt", b, em.const(0, t))  # b >= 2**63: the quotient is 0 or 1
    safe = em.select(big, one, b)
    q = em.op("arith.floordivsi", [_lshr(em, a, one), safe], t)
    q = em.op("arith.shli", [q, one], t)
    r = em.op("arith.subi", [a, em.op("arith.muli", [q, safe], t)], t)
    q = em.select(em.cmpi("uge", r, safe), em.op("arith.addi", [q, one], t), q)
    q = em.select(big, em.select(em.cmpi("uge", a, b), one, em.const(0, t)), q)
    return q, em.op("arith.subi", [a, em.op("arith.muli", [q, b], t)], t)


_SIGNED = {"lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge", "eq": "eq", "ne": "ne"}
_UNSIGNED = {"lt": "ult", "le": "ule", "gt": "ugt", "ge": "uge", "eq": "eq", "ne": "ne"}
_FLOAT = {"lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge", "eq": "oeq", "ne": "une"}
_FLIP = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}


def compare(em: Emitter, pred: str, a: Value, b: Value) -> Value:
    """a <pred> b for two elements of one type, or int64 against uint64 exactly."""
    s, t = a.type, b.type
    assert isinstance(s, ScalarType) and isinstance(t, ScalarType)
    if s.is_float:
        return em.cmpf(_FLOAT[pred], a, b)
    if s == t:
        return em.cmpi((_UNSIGNED if s.kind in "ub" else _SIGNED)[pred], a, b)
    if s.is_signed == t.is_signed:
        w = s if s.bits >= t.bits else t
        return compare(em, pred, np_cast(em, a, w), np_cast(em, b, w))
    if not s.is_signed:
        return compare(em, _FLIP[pred], b, a)
    if t.bits < 64:
        return compare(em, pred, np_cast(em, a, I64), np_cast(em, b, I64))
    # a signed, b uint64 (NumPy's exact int64/uint64 loops): a negative a is the smaller
    a = np_cast(em, a, I64)
    neg = em.cmpi("slt", a, em.const(0, I64))
    ua = np_cast(em, a, t)
    return em.select(neg, em.const(pred in ("lt", "le", "ne"), BOOL), em.cmpi(_UNSIGNED[pred], ua, b))


def _pick(em: Emitter, pred: str, a: Value, b: Value) -> Value:
    """a if a <pred> b else b."""
    return em.select(compare(em, pred, a, b), a, b)


# ---- one element -----------------------------------------------------------------------
def element(em: Emitter, fn: str, xs: list[Value], out: ScalarType) -> Value:
    """numpy.`fn` of elements `xs` (already of the loop's input types) as type `out`."""
    fn = canonical(fn)
    t = xs[0].type
    assert isinstance(t, ScalarType)
    if any(x.type.is_complex for x in xs):  # type: ignore[union-attr]
        return complex_ufuncs.element(em, fn, xs, out)
    if fn in COMPARE:
        return compare(em, COMPARE[fn], xs[0], xs[1])
    if fn in MATH_UNARY:
        if not t.is_float:  # floor/ceil/trunc of ints keep the int loop
            return xs[0]
        return em.op(f"math.{MATH_UNARY[fn]}", xs, t)
    if fn in MATH_BINARY and t.is_float:
        return em.op(f"math.{MATH_BINARY[fn]}", xs, t)
    if fn == "where":
        return em.select(truth(em, xs[0]), xs[1], xs[2])
    if fn.startswith("logical_"):
        bs = [truth(em, x) for x in xs]
        if fn == "logical_not":
            return em.not_(bs[0])
        name = {"logical_and": "andi", "logical_or": "ori", "logical_xor": "xori"}[fn]
        return em.op(f"arith.{name}", bs, BOOL)
    if fn == "conjugate":  # of a real value: the value
        return xs[0]
    if fn in ("isnan", "isinf", "isfinite"):
        if t.is_float:
            return em.fpred(fn, xs[0])
        return em.const(fn == "isfinite", BOOL)
    if t.is_float:
        return _float_element(em, fn, xs, t)
    return _int_element(em, fn, xs, t)


def _float_element(em: Emitter, fn: str, xs: list[Value], t: ScalarType) -> Value:
    x = xs[0]
    zero, one = em.const(0.0, t), em.const(1.0, t)
    if fn in ("add", "subtract", "multiply"):
        return em.op({"add": "arith.addf", "subtract": "arith.subf", "multiply": "arith.mulf"}[fn], xs, t)
    if fn == "divide":
        return em.op("arith.divf", xs, t)
    if fn in ("floor_divide", "remainder"):
        y = xs[1]
        is0 = em.cmpf("oeq", y, zero)
        safe = em.select(is0, one, y)
        if fn == "floor_divide":
            return em.select(is0, em.op("arith.divf", xs, t), em.op("arith.floordivf", [x, safe], t))
        return em.select(is0, em.const(float("nan"), t), em.op("arith.floormodf", [x, safe], t))
    if fn == "power":
        return em.op("arith.powf", xs, t)
    if fn == "negative":
        return em.op("arith.negf", [x], t)
    if fn == "positive":
        return x
    if fn == "absolute":
        return em.op("math.fabs", [x], t)
    if fn == "square":
        return em.op("arith.mulf", [x, x], t)
    if fn == "sign":
        inner = em.select(em.cmpf("oeq", x, zero), zero, x)  # nan stays nan
        return em.select(em.cmpf("ogt", x, zero), one,
                         em.select(em.cmpf("olt", x, zero), em.const(-1.0, t), inner))
    if fn in ("maximum", "minimum"):
        # an op of its own, not a select: its derivative splits ties 0.5 / 0.5 as JAX's
        return em.op("arith.maximumf" if fn == "maximum" else "arith.minimumf", xs, t)
    if fn in ("fmax", "fmin"):
        return pick_float(em, fn, x, xs[1])
    if fn == "clip":
        # JAX's min(hi, max(lo, x)); with NumPy's maximum/minimum (ties give the second
        # operand) that is NumPy's clip: nan from any operand, a tie keeps x
        lo, hi = xs[1], xs[2]
        m = em.op("arith.maximumf", [lo, x], t)
        return em.op("arith.minimumf", [hi, m], t)
    raise AssertionError(f"numpy.{fn} has no float element rule")


def pick_float(em: Emitter, fn: str, x: Value, y: Value) -> Value:
    """max/min of floats as a select (the derivative goes wholly to the operand picked; ties
    and nans pick x for maximum/minimum, the non-nan operand for fmax/fmin). np.max/np.min
    reductions combine with this (array_reduce.py)."""
    cmp = em.cmpf("oge" if fn in ("maximum", "fmax") else "ole", x, y)
    nan = em.fpred("isnan", x if fn in ("maximum", "minimum") else y)
    return em.select(em.or_(cmp, nan), x, y)


def _int_element(em: Emitter, fn: str, xs: list[Value], t: ScalarType) -> Value:
    x = xs[0]
    zero, one = em.const(0, t), em.const(1, t)
    if t.is_bool and fn in ("add", "multiply"):
        return em.op("arith.ori" if fn == "add" else "arith.andi", xs, t)
    if fn in ("add", "subtract", "multiply"):
        return em.op({"add": "arith.addi", "subtract": "arith.subi", "multiply": "arith.muli"}[fn], xs, t)
    if fn in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        return em.op({"bitwise_and": "arith.andi", "bitwise_or": "arith.ori",
                      "bitwise_xor": "arith.xori"}[fn], xs, t)
    if fn == "invert":
        return em.op("arith.xori", [x, em.const(True if t.is_bool else all_ones(t), t)], t)
    if fn in ("floor_divide", "remainder"):
        y = xs[1]
        is0 = em.cmpi("eq", y, zero)
        if t.kind == "u":
            q, r = _udivmod(em, x, em.select(is0, one, y))
            return em.select(is0, zero, q if fn == "floor_divide" else r)
        if fn == "remainder":
            # x % 0 and x % -1 are both 0, as is x % 1: no select on the result needed
            bad = em.or_(is0, em.cmpi("eq", y, em.const(-1, t)))
            return em.op("arith.floormodsi", [x, em.select(bad, one, y)], t)
        return em.select(is0, zero, em.op("arith.floordivsi", [x, em.select(is0, one, y)], t))
    if fn == "fmod":  # C's remainder: the sign of the dividend; x fmod 0 is 0
        y = xs[1]
        is0 = em.cmpi("eq", y, zero)
        if t.kind == "u":
            return em.select(is0, zero, _udivmod(em, x, em.select(is0, one, y))[1])
        safe = em.select(em.or_(is0, em.cmpi("eq", y, em.const(-1, t))), one, y)
        r = em.op("arith.floormodsi", [x, safe], t)
        flip = em.and_(em.cmpi("ne", r, zero),
                       em.cmpi("ne", em.cmpi("slt", r, zero), em.cmpi("slt", x, zero)))
        return em.select(is0, zero, em.select(flip, em.op("arith.subi", [r, safe], t), r))
    if fn == "power":
        # a negative exponent was refused before the loop (array_math.check_int_power)
        return em.op("arith.powi", xs, t)
    if fn == "negative":
        return em.op("arith.subi", [zero, x], t)
    if fn == "positive":
        return x
    if fn == "absolute":
        if t.kind != "i":
            return x
        return em.select(em.cmpi("slt", x, zero), em.op("arith.subi", [zero, x], t), x)
    if fn == "square":
        return em.op("arith.muli", [x, x], t)
    if fn == "sign":
        pos = em.select(compare(em, "gt", x, zero), one, zero)
        if t.kind != "i":
            return pos
        return em.select(em.cmpi("slt", x, zero), em.const(-1, t), pos)
    if fn in ("left_shift", "right_shift"):
        return _shift(em, fn, x, xs[1], t)
    if fn in ("maximum", "fmax"):
        return _pick(em, "ge", x, xs[1])
    if fn in ("minimum", "fmin"):
        return _pick(em, "le", x, xs[1])
    if fn == "clip":
        m = _pick(em, "gt", x, xs[1])
        return _pick(em, "lt", m, xs[2])
    raise AssertionError(f"numpy.{fn} has no integer element rule")


def _shift(em: Emitter, fn: str, x: Value, k: Value, t: ScalarType) -> Value:
    """NumPy's npy_lshift/npy_rshift: a count outside [0, bits) gives 0 (or -1 for a negative
    x shifted right)."""
    zero = em.const(0, t)
    in_range = em.cmpi("ult", k, em.const(t.bits, t))  # unsigned: a negative count is huge
    safe = em.select(in_range, k, zero)
    if fn == "left_shift":
        return em.select(in_range, em.op("arith.shli", [x, safe], t), zero)
    if t.kind == "u":
        return em.select(in_range, _lshr(em, x, safe), zero)
    fill = em.select(em.cmpi("slt", x, zero), em.const(-1, t), zero)
    return em.select(in_range, em.op("arith.shrsi", [x, safe], t), fill)


__all__ = ["loop_types", "result_type", "element", "np_cast", "truth", "compare", "canonical",
           "np_dtype", "from_numpy", "element_type", "NEG_POWER", "SUPPORTED"]
