"""Lowering rules of the builtins the frontend emits as `py.*` ops (abs, int, float,
round, min, max, divmod) and of the tuple ops.

min/max follow CPython exactly on values (min(a, b) is a unless b < a, so nan
placement matters) but the result has one static type: min(1, 2.5) is 1.0 in ember
(documented difference). round(x, n) scales by 10**n and rounds half to even like
Numba; it can differ from CPython's correctly rounded decimal result in rare cases.

Unsigned operands (uint8..uint64, values read from arrays) behave as the same call on
NumPy scalars: abs keeps the type; int and round(x) give an exact int64, so a uint64
value >= 2**63 raises OverflowError (CPython's exact int would not fit ember's int64);
float converts exactly-rounded (uitofp); round(x, n) is NumPy's np.round (x itself for
n >= 0, else the float computation x / 10**-n, rint, * 10**-n cast back to the type, so
it can wrap as NumPy does); divmod is NumPy's floor_divide/remainder pair (NEP 50 weak
Python operands, x // 0 == 0). min/max compare exactly (NumPy's comparison, as CPython
does on the NumPy scalars) and merge the operand types as a variable would: uint64 with a
signed int has no such type and is a TypingError naming the operands.
"""
from __future__ import annotations

from ember.ir.core import Operation, Value
from ember.ir.types import F64, I64, NONE, ScalarType, TupleType, Type

from .array_ufuncs import np_cast
from .emit import Emitter
from .lattice import arith_type, is_float, is_int_like, is_real, type_name, unify
from .pyops import compare, has_unsigned, np_binary, np_loop
from .rules import describe, fail, rule

U64_TOO_BIG = ("{}() of a uint64 value >= 2**63: the exact int does not fit in int64 "
               "(ember integers are 64-bit)")


def _need_real(op: Operation, types: list[Type], what: str) -> None:
    for t in types:
        if not is_real(t):
            raise fail(op, f"{what}() does not support {describe(op, types)}")


# ---- abs, int, float --------------------------------------------------------------
def exact_i64(em: Emitter, x: Value, what: str) -> Value:
    """An int, bool or unsigned value as the exact int64 CPython's int(x) would be: a uint64
    value >= 2**63 raises OverflowError instead of wrapping to a negative int."""
    t = x.type
    if isinstance(t, ScalarType) and t.kind == "u" and t.bits == 64:
        em.check(em.cmpi("sge", x, em.const(0, t)), "OverflowError", U64_TOO_BIG.format(what))
        return np_cast(em, x, I64)  # same width: the bits are the value once below 2**63
    return em.to_i64(x)


def infer_abs(op: Operation, types: list[Type]) -> list[Type]:
    _need_real(op, types, "abs")
    return [types[0] if is_float(types[0]) or has_unsigned(types[0]) else I64]


@rule("py.abs", infer=infer_abs)
def lower_abs(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    x = vals[0]
    if is_float(x.type):
        return [em.op("math.fabs", [x], x.type)]
    if has_unsigned(x.type):  # abs(np.uint64(x)) is the same np.uint64
        return [x]
    x = em.to_i64(x)
    neg = em.op("arith.subi", [em.const(0, I64), x], I64)
    return [em.select(em.cmpi("slt", x, em.const(0, I64)), neg, x)]


def infer_int(op: Operation, types: list[Type]) -> list[Type]:
    _need_real(op, types, "int")
    return [I64]


@rule("py.int", infer=infer_int)
def lower_int(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    x = vals[0]
    return [em.checked_fptosi(x) if is_float(x.type) else exact_i64(em, x, "int")]


def infer_float(op: Operation, types: list[Type]) -> list[Type]:
    _need_real(op, types, "float")
    return [F64]


@rule("py.float", infer=infer_float)
def lower_float(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    return [em.cast(vals[0], F64)]


# ---- round ------------------------------------------------------------------------
def infer_round(op: Operation, types: list[Type]) -> list[Type]:
    _need_real(op, types, "round")
    if len(types) == 2:
        if not is_int_like(types[1]):
            raise fail(op, f"round() digits must be an integer, got {describe(op, types)}")
        return [types[0] if is_float(types[0]) or has_unsigned(types[0]) else I64]
    return [I64]


@rule("py.round", infer=infer_round)
def lower_round(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    x = vals[0]
    if len(vals) == 1:
        if is_float(x.type):
            return [em.checked_fptosi(em.op("math.roundeven", [x], x.type))]
        return [exact_i64(em, x, "round")]
    n = np_cast(em, vals[1], I64) if has_unsigned(vals[1].type) else em.to_i64(vals[1])
    if is_float(x.type):
        return [_round_float_digits(em, x, n)]
    if has_unsigned(x.type):
        return [_round_unsigned_digits(em, x, n)]
    return [_round_int_digits(em, em.to_i64(x), n)]


def _round_unsigned_digits(em: Emitter, x: Value, n: Value) -> Value:
    """NumPy's np.round of an unsigned int (round(np.uint8(x), n)): x for n >= 0, else
    rint(float64(x) / 10**-n) * 10**-n cast back to x's type as NumPy casts on x86-64 (so
    round(np.uint8(255), -1) wraps to 4 and a uint64 rounded up to 2**64 becomes 0)."""
    t = x.type
    zero = em.const(0, I64)
    d = em.op("arith.subi", [zero, n], I64)
    # past 10**20 every uint64 rounds to 0: clamping keeps 10**d exact and finite
    d = em.select(em.cmpi("sgt", d, em.const(20, I64)), em.const(20, I64), d)
    p = em.op("arith.powf", [em.const(10.0, F64), em.op("arith.sitofp", [d], F64)], F64)
    y = em.op("math.roundeven", [em.op("arith.divf", [em.cast(x, F64), p], F64)], F64)
    y = em.op("arith.mulf", [y, p], F64)
    # a double -> uint64 conversion as compiled C does it: values >= 2**63 go through
    # y - 2**63 with the top bit set back (2**64 itself gives 0)
    top = em.const(-2 ** 63, I64)
    big = em.cmpf("oge", y, em.const(2.0 ** 63, F64))
    high = em.op("arith.subf", [y, em.const(2.0 ** 63, F64)], F64)
    high_int = em.op("arith.xori", [np_cast(em, high, I64), top], I64)
    r = np_cast(em, em.select(big, high_int, np_cast(em, y, I64)), t)  # type: ignore[arg-type]
    return em.select(em.cmpi("sge", n, zero), x, r)


def _round_float_digits(em: Emitter, x: Value, n: Value) -> Value:
    """round(x, n): scale by 10**|n|, round half to even, unscale. When the scaled value
    is exactly halfway, the scaling itself may have rounded onto the half: the exact
    error of that product/quotient (Dekker's two-product) says which way the true
    value lies, as CPython's correctly rounded result would."""
    t = x.type
    zero_i = em.const(0, I64)
    nonneg = em.cmpi("sge", n, zero_i)
    absn = em.select(nonneg, n, em.op("arith.subi", [zero_i, n], I64))
    p = em.op("arith.powf", [em.const(10.0, t), em.op("arith.sitofp", [absn], t)], t)
    y = em.select(nonneg, em.op("arith.mulf", [x, p], t), em.op("arith.divf", [x, p], t))
    # sign of (true scaled value - y): x*p - y for n >= 0, x - y*p for n < 0
    a = em.select(nonneg, x, y)
    prod, err = _two_product(em, a, p)
    above_mul = err
    above_div = em.op("arith.subf", [em.op("arith.subf", [x, prod], t), err], t)
    above = em.select(nonneg, above_mul, above_div)
    z = em.op("math.roundeven", [y], t)
    fl = em.op("math.floor", [y], t)
    halfway = em.cmpf("oeq", em.op("arith.subf", [y, fl], t), em.const(0.5, t))
    zero = em.const(0.0, t)
    up = em.op("arith.addf", [fl, em.const(1.0, t)], t)
    z = em.select(em.and_(halfway, em.cmpf("ogt", above, zero)), up, z)
    z = em.select(em.and_(halfway, em.cmpf("olt", above, zero)), fl, z)
    back = em.select(nonneg, em.op("arith.divf", [z, p], t), em.op("arith.mulf", [z, p], t))
    # y not finite (x is nan/inf, or x * 10**n overflowed) or |y| >= 2**53: then ulp(x)
    # exceeds 10**-n, so rounding moves x by less than half an ulp and x is the answer
    limit = em.const(2.0 ** 53 if t == F64 else 2.0 ** 24, t)
    small = em.cmpf("olt", em.op("math.fabs", [y], t), limit)
    r = em.select(small, back, x)
    # 10**-n overflowed: every finite x rounds to a zero of its sign
    tiny = em.and_(em.not_(nonneg), em.and_(em.fpred("isinf", p), em.fpred("isfinite", x)))
    r = em.select(tiny, em.op("math.copysign", [zero, x], t), r)
    overflow = em.and_(em.fpred("isinf", r), em.fpred("isfinite", x))
    em.check(em.not_(overflow), "OverflowError", "rounded value too large to represent")
    return r


def _two_product(em: Emitter, a: Value, b: Value) -> tuple[Value, Value]:
    """(a*b rounded, its exact rounding error) with Veltkamp splitting (no fma op)."""
    t = a.type
    split = em.const(134217729.0 if t == F64 else 4097.0, t)  # 2**27 + 1, 2**12 + 1

    def halves(v: Value) -> tuple[Value, Value]:
        c = em.op("arith.mulf", [split, v], t)
        hi = em.op("arith.subf", [c, em.op("arith.subf", [c, v], t)], t)
        return hi, em.op("arith.subf", [v, hi], t)

    def mul(u: Value, v: Value) -> Value:
        return em.op("arith.mulf", [u, v], t)

    def add(u: Value, v: Value) -> Value:
        return em.op("arith.addf", [u, v], t)

    prod = mul(a, b)
    ah, al = halves(a)
    bh, bl = halves(b)
    err = add(add(add(em.op("arith.subf", [mul(ah, bh), prod], t), mul(ah, bl)), mul(al, bh)),
              mul(al, bl))
    return prod, err


def _round_int_digits(em: Emitter, x: Value, n: Value) -> Value:
    """round(x, n) of an int: x for n >= 0, else to a multiple of 10**-n, ties to even.
    -n beyond 18 (10**19 does not fit in i64) rounds to 0 or raises OverflowError."""
    zero, one, two = em.const(0, I64), em.const(1, I64), em.const(2, I64)
    neg = em.cmpi("slt", n, zero)
    e = em.select(neg, em.op("arith.subi", [zero, n], I64), zero)
    # 10**19 does not fit: every |x| <= 5 * 10**18 rounds to 0, larger ones to +-10**19
    huge = em.cmpi("sgt", e, em.const(18, I64))
    half = 5 * 10 ** 18
    too_big = em.or_(em.cmpi("sgt", x, em.const(half, I64)), em.cmpi("slt", x, em.const(-half, I64)))
    em.check(em.not_(em.and_(huge, too_big)), "OverflowError",
             "rounded int does not fit in int64 (ember integers are 64-bit)")
    e = em.select(huge, em.const(18, I64), e)
    p = em.op("arith.powi", [em.const(10, I64), e], I64)
    q = em.op("arith.floordivsi", [x, p], I64)
    r = em.op("arith.subi", [x, em.op("arith.muli", [q, p], I64)], I64)
    twice = em.op("arith.muli", [r, two], I64)
    odd = em.cmpi("ne", em.op("arith.andi", [q, one], I64), zero)
    up = em.or_(em.cmpi("sgt", twice, p), em.and_(em.cmpi("eq", twice, p), odd))
    q = em.op("arith.addi", [q, em.op("arith.extui", [up], I64)], I64)
    rounded = em.select(huge, zero, em.op("arith.muli", [q, p], I64))
    return em.select(neg, rounded, x)


# ---- min, max -----------------------------------------------------------------------
def infer_minmax(op: Operation, types: list[Type]) -> list[Type]:
    name = op.name[3:]
    _need_real(op, types, name)
    t: Type | None = types[0]
    for u in types[1:]:
        m = unify(t, u)  # type: ignore[arg-type]
        if m is None:
            raise fail(op, f"{name}() of {describe(op, types)}: the result is one of the "
                           f"operands, and no ember type holds both {type_name(t)} and "
                           f"{type_name(u)} values exactly (uint64 does not merge with signed ints); "
                           f"convert one operand first, e.g. int(x) or np.uint64(k)")
        t = m
    return [t]  # type: ignore[list-item]


@rule("py.min", "py.max", infer=infer_minmax)
def lower_minmax(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    t = infer_minmax(op, [v.type for v in vals])[0]
    pred = "lt" if op.name == "py.min" else "gt"
    acc = vals[0]
    for v in vals[1:]:
        # CPython keeps the running value unless the new one is strictly better
        better = compare(em, pred, v, acc)
        acc = em.select(better, em.cast(v, t), em.cast(acc, t))
    return [em.cast(acc, t)]


# ---- divmod -----------------------------------------------------------------------
def infer_divmod(op: Operation, types: list[Type]) -> list[Type]:
    _need_real(op, types, "divmod")
    if has_unsigned(*types):  # NumPy's divmod: floor_divide's loop
        t = np_loop(op, "floordiv", types)[1]
    else:
        t = arith_type(*types)  # type: ignore[arg-type]
    return [TupleType((t, t))]


@rule("py.divmod", infer=infer_divmod)
def lower_divmod(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    if has_unsigned(vals[0].type, vals[1].type):
        q = np_binary(em, op, "floordiv", vals[0], vals[1])
        r = np_binary(em, op, "mod", vals[0], vals[1])
        return [em.op("tuple.make", [q, r], TupleType((q.type, r.type)))]
    t = arith_type(vals[0].type, vals[1].type)  # type: ignore[arg-type]
    a, b = em.cast(vals[0], t), em.cast(vals[1], t)
    z = em.const(0, t)
    if t.is_float:
        em.check(em.cmpf("une", b, z), "ZeroDivisionError", "float divmod()")
        q, r = em.op("arith.floordivf", [a, b], t), em.op("arith.floormodf", [a, b], t)
    else:
        em.check(em.cmpi("ne", b, z), "ZeroDivisionError", "integer division or modulo by zero")
        q, r = em.op("arith.floordivsi", [a, b], t), em.op("arith.floormodsi", [a, b], t)
    return [em.op("tuple.make", [q, r], TupleType((t, t)))]


# ---- tuples -----------------------------------------------------------------------
def infer_tuple_make(op: Operation, types: list[Type]) -> list[Type]:
    from .static import is_static
    for t in types:
        if is_static(t) and t != NONE:
            raise fail(op, f"a compile-time-only {t} (a dtype, slice or Ellipsis) cannot be "
                           "put in a tuple")
    return [TupleType(tuple(types))]


@rule("tuple.make", infer=infer_tuple_make)
def lower_tuple_make(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    return [em.op("tuple.make", vals, TupleType(tuple(v.type for v in vals)))]


def tuple_index(op: Operation, t: Type) -> int:
    """The element index of `tuple.get` on a value of type `t` (negative counts from the end)."""
    name = f"'{op.operands[0].name}'" if op.operands[0].name else "value"
    if not isinstance(t, TupleType):
        raise fail(op, f"{name} of type {t} is not a tuple: it cannot be indexed or unpacked")
    i = op.attributes.get("index")
    n = len(t.elements)
    if not isinstance(i, int) or isinstance(i, bool):
        raise fail(op, f"tuple index must be an integer known at compile time, got {i!r}")
    want = op.attributes.get("unpack")
    if isinstance(want, int) and not isinstance(want, bool) and want != n:
        raise fail(op, f"cannot unpack {name} of type {t}: it has {n} elements, "
                       f"not the {want} names assigned")
    if not -n <= i < n:
        raise fail(op, f"tuple index {i} out of range for {name} of type {t} "
                       f"(length {n}; unpacking needs as many names as elements)")
    return i % n


def infer_tuple_get(op: Operation, types: list[Type]) -> list[Type]:
    t = types[0]
    i = tuple_index(op, t)
    return [t.elements[i]]  # type: ignore[union-attr]


@rule("tuple.get", infer=infer_tuple_get)
def lower_tuple_get(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    t = vals[0].type
    i = tuple_index(op, t)
    return [em.op("tuple.get", [vals[0]], t.elements[i], index=i)]  # type: ignore[union-attr]

