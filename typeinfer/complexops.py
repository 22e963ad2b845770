"""Complex scalars in type inference: Python's operators, builtins and attributes on
complex values, lowered to the `complex.*` ops with CPython 3.11's semantics.

The operator rules of pyops/builtins are wrapped: an operation with a complex operand
takes the path here, any other goes to the wrapped rule unchanged. As in CPython 3.11,
a real operand is first converted to complex with a +0.0 imaginary part (so
`2.0 * (inf+1j)` is `nan+infj`, exactly what CPython gives). Results are complex128
unless every operand is complex64, float32 or bool (numpy complex64 scalars).

- `/` raises ZeroDivisionError("complex division by zero") when the divisor is 0j, and
  otherwise is CPython's Smith quotient (`complex.div`).
- `**` is CPython's complex_pow: an integral real exponent |n| <= 100 multiplies by
  repeated squaring (7 unrolled steps, selects instead of branches), any other uses
  the polar form; "0.0 to a negative or complex power" (ZeroDivisionError) and an
  infinite result part ("complex exponentiation", OverflowError) are raised as CPython
  raises them.
- `abs(z)` is hypot; OverflowError("absolute value too large") when it overflows.
- `==` / `!=` compare both parts (an int is compared exactly, as CPython does);
  `<` and the other orderings are a TypingError, as they are a TypeError in Python.
- `complex()`, `complex(x)`, `complex(re, im)` (complex arguments as CPython combines
  them), `z.real`, `z.imag`, `z.conjugate()`, `bool(z)`.
"""
from __future__ import annotations

from ember.ir.core import Operation, Value
from ember.ir.types import BOOL, C64, C128, F32, F64, I64, ScalarType, Type

from .complex_emit import complex_type, is_complex, make, nonzero, part_type, parts, to_complex
from .emit import Emitter
from .lattice import is_int_like, type_name
from .rules import RULES, Rule, describe, fail, rule

OPERATORS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**"}
ORDERINGS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}
UNSUPPORTED = {"floordiv": "//", "mod": "%", "lshift": "<<", "rshift": ">>", "bitand": "&",
               "bitor": "|", "bitxor": "^"}


def _any_complex(types: list[Type]) -> bool:
    return any(is_complex(t) for t in types)


def _numbers(op: Operation, types: list[Type], symbol: str) -> None:
    for t in types:
        if not isinstance(t, ScalarType):
            raise fail(op, f"unsupported operand types for {symbol}: {describe(op, types)}")


# ---- arithmetic ---------------------------------------------------------------------
def _wrap(name: str, infer, lower) -> None:
    inner = RULES.get(name)

    def infer_w(op: Operation, types: list[Type]) -> list[Type]:
        if _any_complex(types):
            return infer(op, types)
        if inner is None:
            raise fail(op, f"{name} is not supported for {describe(op, types)}")
        return inner.infer(op, types)

    def lower_w(em: Emitter, op: Operation, vals: list) -> list:
        if _any_complex([v.type for v in vals]):
            return lower(em, op, vals)
        assert inner is not None
        return inner.lower(em, op, vals)
    RULES[name] = Rule(infer_w, lower_w)


def infer_binary(op: Operation, types: list[Type]) -> list[Type]:
    kind = op.name[3:]
    if kind in UNSUPPORTED:
        raise fail(op, f"unsupported operand types for {UNSUPPORTED[kind]}: "
                       f"{describe(op, types)} (complex numbers support + - * / ** only)")
    _numbers(op, types, OPERATORS[kind])
    return [complex_type(types)]


def lower_binary(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    t = infer_binary(op, [v.type for v in vals])[0]
    a, b = (to_complex(em, v, t) for v in vals)
    kind = op.name[3:]
    if kind in ("add", "sub", "mul"):
        return [em.op(f"complex.{kind}", [a, b], t)]
    if kind == "truediv":
        em.check(nonzero(em, b), "ZeroDivisionError", "complex division by zero")
        return [em.op("complex.div", [a, b], t)]
    return [power(em, a, b)]


def _powu(em: Emitter, x: Value, n: Value) -> Value:
    """x ** n for 0 <= n < 128 by CPython's square-and-multiply (c_powu), unrolled: p is
    squared every step, but only read while mask <= n, when it is x ** mask."""
    t = x.type
    r = to_complex(em, em.const(1.0, part_type(t)), t)  # type: ignore[arg-type]
    p = x
    zero = em.const(0, I64)
    for k in range(7):
        mask = em.const(1 << k, I64)
        use = em.and_(em.cmpi("sge", n, mask), em.cmpi("ne", em.op("arith.andi", [n, mask], I64), zero))
        r = em.select(use, em.op("complex.mul", [r, p], t), r)
        if k < 6:
            p = em.op("complex.mul", [p, p], t)
    return r


def power(em: Emitter, a: Value, b: Value) -> Value:
    """CPython 3.11's complex_pow of two complex values of one type."""
    t = a.type
    p = part_type(t)  # type: ignore[arg-type]
    ar, ai = parts(em, a)
    br, bi = parts(em, b)
    zero, one = em.const(0.0, p), em.const(1.0, p)
    # integral exponent: c_powi
    integral = em.and_(em.and_(em.cmpf("oeq", bi, zero),
                               em.cmpf("oeq", em.op("math.floor", [br], p), br)),
                       em.cmpf("ole", em.op("math.fabs", [br], p), em.const(100.0, p)))
    n = em.op("arith.fptosi", [em.select(integral, br, zero)], I64)
    neg = em.cmpi("slt", n, em.const(0, I64))
    absn = em.select(neg, em.op("arith.subi", [em.const(0, I64), n], I64), n)
    up = _powu(em, a, absn)
    unit = make(em, one, zero)
    inv_zero = em.not_(nonzero(em, up))  # c_quot(1, 0) sets EDOM
    safe = em.select(inv_zero, unit, up)
    by_int = em.select(neg, em.op("complex.div", [unit, safe], t), up)
    int_edom = em.and_(neg, inv_zero)
    # any other exponent: _Py_c_pow's polar form
    b_zero = em.not_(nonzero(em, b))
    a_zero = em.not_(nonzero(em, a))
    vabs = em.op("math.hypot", [ar, ai], p)
    length = em.op("arith.powf", [vabs, br], p)
    at = em.op("math.atan2", [ai, ar], p)
    phase = em.op("arith.mulf", [at, br], p)
    has_im = em.cmpf("une", bi, zero)
    length = em.select(has_im, em.op("arith.divf", [length, em.op("math.exp", [
        em.op("arith.mulf", [at, bi], p)], p)], p), length)
    phase = em.select(has_im, em.op("arith.addf", [phase, em.op("arith.mulf", [
        bi, em.op("math.log", [vabs], p)], p)], p), phase)
    polar = make(em, em.op("arith.mulf", [length, em.op("math.cos", [phase], p)], p),
                 em.op("arith.mulf", [length, em.op("math.sin", [phase], p)], p))
    general = em.select(b_zero, unit, em.select(a_zero, make(em, zero, zero), polar))
    gen_edom = em.and_(em.and_(em.not_(b_zero), a_zero),
                       em.or_(has_im, em.cmpf("olt", br, zero)))
    r = em.select(integral, by_int, general)
    em.check(em.not_(em.select(integral, int_edom, gen_edom)), "ZeroDivisionError",
             "0.0 to a negative or complex power")
    rr, ri = parts(em, r)
    em.check(em.not_(em.or_(em.fpred("isinf", rr), em.fpred("isinf", ri))), "OverflowError",
             "complex exponentiation")
    return r


for _k in (*OPERATORS, *UNSUPPORTED):
    _wrap(f"py.{_k}", infer_binary, lower_binary)


# ---- comparisons --------------------------------------------------------------------
def infer_compare(op: Operation, types: list[Type]) -> list[Type]:
    kind = op.name[3:]
    if kind in ORDERINGS:
        names = " and ".join(f"'{'complex' if is_complex(t) else type_name(t)}'" for t in types)
        raise fail(op, f"'{ORDERINGS[kind]}' not supported between instances of {names} "
                       "(complex numbers have no order)")
    _numbers(op, types, "==")
    return [BOOL]


def equal(em: Emitter, a: Value, b: Value) -> Value:
    """a == b with a complex; b bool, int, float or complex (an int exactly, as CPython)."""
    if not is_complex(a.type):
        a, b = b, a
    re, im = parts(em, a)
    im0 = em.cmpf("oeq", im, em.const(0.0, im.type))
    if is_int_like(b.type):
        from .pyops import compare
        return em.and_(im0, compare(em, "eq", re, b))
    t = complex_type([a.type, b.type])
    a, b = to_complex(em, a, t), to_complex(em, b, t)
    (ar, ai), (br, bi) = parts(em, a), parts(em, b)
    return em.and_(em.cmpf("oeq", ar, br), em.cmpf("oeq", ai, bi))


def lower_compare(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    infer_compare(op, [v.type for v in vals])
    eq = equal(em, vals[0], vals[1])
    return [eq if op.name == "py.eq" else em.not_(eq)]


for _k in ("eq", "ne", *ORDERINGS):
    _wrap(f"py.{_k}", infer_compare, lower_compare)


# ---- unary, abs, truth ----------------------------------------------------------------
def infer_unary(op: Operation, types: list[Type]) -> list[Type]:
    if op.name == "py.invert":
        raise fail(op, f"bad operand type for unary ~: {describe(op, types)}")
    if op.name in ("py.not", "py.truth", "py.bool"):
        return [BOOL]
    if op.name == "py.abs":
        return [part_type(types[0])]  # type: ignore[arg-type]
    return [types[0]]


def lower_unary(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    (z,) = vals
    if op.name == "py.neg":
        return [em.op("complex.neg", [z], z.type)]
    if op.name == "py.pos":
        return [z]
    if op.name in ("py.truth", "py.bool"):
        return [nonzero(em, z)]
    if op.name == "py.not":
        return [em.not_(nonzero(em, z))]
    r = em.op("complex.abs", [z], part_type(z.type))  # type: ignore[arg-type]
    re, im = parts(em, z)
    finite = em.and_(em.fpred("isfinite", re), em.fpred("isfinite", im))
    em.check(em.not_(em.and_(em.fpred("isinf", r), finite)), "OverflowError",
             "absolute value too large")
    return [r]


for _k in ("neg", "pos", "invert", "not", "truth", "bool", "abs"):
    _wrap(f"py.{_k}", infer_unary, lower_unary)


# ---- complex(re, im) --------------------------------------------------------------------
def infer_complex(op: Operation, types: list[Type]) -> list[Type]:
    for t in types:
        if not isinstance(t, ScalarType):
            raise fail(op, f"complex() argument must be a number, got {describe(op, types)}")
    return [C128]


@rule("py.complex", infer=infer_complex)
def lower_complex(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    zero = em.const(0.0, F64)
    if not vals:
        return [make(em, zero, zero)]
    a = to_complex(em, vals[0], C128)
    if len(vals) == 1:
        return [a]
    re, im = parts(em, a)
    b = vals[1]
    if is_complex(b.type):
        # CPython: complex(a, b) = a + b*1j computed on parts (re - b.imag, im + b.real)
        br, bi = parts(em, to_complex(em, b, C128))
        re = em.op("arith.subf", [re, bi], F64)
        b_re = br
    else:
        b_re = em.cast(b, F64)
    if is_complex(vals[0].type):
        b_re = em.op("arith.addf", [b_re, im], F64)
    return [make(em, re, b_re)]


__all__ = ["to_complex", "make", "parts", "complex_type", "is_complex", "part_type", "power",
           "equal", "nonzero"]
