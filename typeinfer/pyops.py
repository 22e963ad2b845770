"""Lowering rules of Python's operators (`py.add` ... `py.not`, comparisons, `py.truth`)
with CPython's semantics made explicit.

int op int computes in i64 (add/sub/mul wrap: ember's one documented difference);
bool acts as an int; int op float converts the int; `/` is always float. Division,
modulo, power and shifts carry `cf.assert` checks raising the exceptions and the exact
messages CPython 3.11 raises.

An operator with an unsigned operand (uint8..uint64: a value read from an array, a
reduction, np.uint64(x)) is NumPy's scalar operator instead, as array expressions compute
it: the type a Python int could not tell apart is what NumPy gives (uint8 + uint8 wraps in
uint8, uint64 + int32 is float64, uint / uint is float64, x // 0 and x % 0 are 0, -uint8
wraps, comparisons of ints are exact whatever the signedness), with i64 / f64 / bool
operands taken as Python scalars (NEP 50: uint8 + 1 is uint8, and a Python int outside
the unsigned range raises NumPy's OverflowError "Python integer -1 out of bounds for uint8"
at run time). Comparisons with floats convert the int to the float type, as NumPy does.
"""
from __future__ import annotations

from ember.ir.core import Operation, Value
from ember.ir.opdefs import PY_BINARY, PY_COMPARE
from ember.ir.types import BOOL, F64, I64, NONE, ScalarType, TupleType, Type

from .array_ufuncs import NEG_POWER, element, loop_types, np_cast
from .emit import Emitter
from .lattice import arith_type, is_float, is_int_like, is_real, type_name
from .rules import describe, fail, rule

SYMBOL = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%",
          "pow": "**", "lshift": "<<", "rshift": ">>", "bitand": "&", "bitor": "|", "bitxor": "^",
          "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!=",
          "neg": "unary -", "pos": "unary +", "invert": "unary ~"}

INT_POW_NEGATIVE = ("ember computes int ** int as a 64-bit int and cannot return the float "
                    "CPython gives for a negative exponent; write float(x) ** n")
ZERO_NEG_POW = "0.0 cannot be raised to a negative power"
NEG_FRACTIONAL_POW = ("negative number cannot be raised to a fractional power (CPython returns a "
                      "complex number; ember supports real results only)")


def _kind(op: Operation) -> str:
    return op.name[len("py."):]


# ---- binary arithmetic ------------------------------------------------------------
def infer_binary(op: Operation, types: list[Type]) -> list[Type]:
    a, b = types
    k = _kind(op)
    if not (is_real(a) and is_real(b)):
        raise fail(op, f"unsupported operand types for {SYMBOL[k]}: {describe(op, types)}")
    assert isinstance(a, ScalarType) and isinstance(b, ScalarType)
    if k in ("bitand", "bitor", "bitxor", "lshift", "rshift"):
        if a.is_float or b.is_float:
            raise fail(op, f"unsupported operand types for {SYMBOL[k]}: {describe(op, types)} "
                           "(bitwise operators need integers)")
        if k != "lshift" and k != "rshift" and a.is_bool and b.is_bool:
            return [BOOL]
        if has_unsigned(a, b):
            return [np_loop(op, k, types)[1]]
        return [I64]
    if has_unsigned(a, b):
        return [np_loop(op, k, types)[1]]
    t = arith_type(a, b)
    if k == "truediv" and not t.is_float:
        t = F64
    return [t]


def binary_values(em: Emitter, a: Value, b: Value, t: Type) -> tuple[Value, Value]:
    return em.cast(a, t), em.cast(b, t)


def lower_arith(em: Emitter, kind: str, a: Value, b: Value, t: ScalarType) -> Value:
    """One arithmetic operator on operands already of type `t` (shared with the builtins)."""
    def z() -> Value:
        return em.const(0, t)
    if t.is_float:
        if kind in ("add", "sub", "mul"):
            return em.op(f"arith.{kind}f", [a, b], t)
        if kind == "truediv":
            em.check(em.cmpf("une", b, z()), "ZeroDivisionError", "float division by zero")
            return em.op("arith.divf", [a, b], t)
        if kind == "floordiv":
            em.check(em.cmpf("une", b, z()), "ZeroDivisionError", "float floor division by zero")
            return em.op("arith.floordivf", [a, b], t)
        if kind == "mod":
            em.check(em.cmpf("une", b, z()), "ZeroDivisionError", "float modulo")
            return em.op("arith.floormodf", [a, b], t)
        if kind == "pow":
            return _float_pow(em, a, b, t)
    else:
        if kind in ("add", "sub", "mul"):
            return em.op(f"arith.{kind}i", [a, b], t)
        if kind == "floordiv":
            em.check(em.cmpi("ne", b, z()), "ZeroDivisionError", "integer division or modulo by zero")
            return em.op("arith.floordivsi", [a, b], t)
        if kind == "mod":
            em.check(em.cmpi("ne", b, z()), "ZeroDivisionError", "integer modulo by zero")
            return em.op("arith.floormodsi", [a, b], t)
        if kind == "pow":
            zero = z()
            nonneg = em.cmpi("sge", b, zero)
            em.check(em.or_(nonneg, em.cmpi("ne", a, zero)), "ZeroDivisionError", ZERO_NEG_POW)
            em.check(nonneg, "ValueError", INT_POW_NEGATIVE)
            return em.op("arith.powi", [a, b], t)
        if kind in ("lshift", "rshift"):
            em.check(em.cmpi("sge", b, z()), "ValueError", "negative shift count")
            return em.op("arith.shli" if kind == "lshift" else "arith.shrsi", [a, b], t)
    if kind in ("bitand", "bitor", "bitxor"):
        name = {"bitand": "andi", "bitor": "ori", "bitxor": "xori"}[kind]
        return em.op(f"arith.{name}", [a, b], t)
    raise AssertionError(f"no lowering of {kind} for {t}")


def _float_pow(em: Emitter, a: Value, b: Value, t: ScalarType) -> Value:
    z = em.const(0.0, t)
    fin_a, fin_b = em.fpred("isfinite", a), em.fpred("isfinite", b)
    # CPython checks infinite exponents first: 0.0 ** -inf is inf
    zero_neg = em.and_(em.cmpf("oeq", a, z), em.and_(em.cmpf("olt", b, z), fin_b))
    em.check(em.not_(zero_neg), "ZeroDivisionError", ZERO_NEG_POW)
    frac = em.cmpf("one", em.op("math.floor", [b], t), b)
    neg_frac = em.and_(em.and_(em.cmpf("olt", a, z), fin_a), em.and_(fin_b, frac))
    em.check(em.not_(neg_frac), "ValueError", NEG_FRACTIONAL_POW)
    r = em.op("arith.powf", [a, b], t)
    overflow = em.and_(em.fpred("isinf", r), em.and_(fin_a, fin_b))
    em.check(em.not_(overflow), "OverflowError", "(34, 'Numerical result out of range')")
    return r


def lower_binary(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    a, b = vals
    rt = infer_binary(op, [a.type, b.type])[0]
    assert isinstance(rt, ScalarType)
    if has_unsigned(a.type, b.type):
        return [np_binary(em, op, _kind(op), a, b)]
    ca, cb = em.cast(a, rt), em.cast(b, rt)
    if _kind(op) == "truediv" and is_int_like(a.type) and is_int_like(b.type):
        # CPython's int / int has its own message
        em.check(em.cmpf("une", cb, em.const(0.0, rt)), "ZeroDivisionError", "division by zero")
        return [em.op("arith.divf", [ca, cb], rt)]
    return [lower_arith(em, _kind(op), ca, cb, rt)]


for _k in PY_BINARY:
    rule(f"py.{_k}", infer=infer_binary)(lower_binary)


# ---- comparisons ------------------------------------------------------------------
def infer_compare(op: Operation, types: list[Type]) -> list[Type]:
    a, b = types
    if not (is_real(a) and is_real(b)):
        raise fail(op, f"'{SYMBOL[_kind(op)]}' is not supported between {describe(op, types)}")
    return [BOOL]


_CMPI = {"lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge", "eq": "eq", "ne": "ne"}
_CMPF = {"lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge", "eq": "oeq", "ne": "une"}
_FLIP = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}


def compare(em: Emitter, kind: str, a: Value, b: Value) -> Value:
    """Python's `a <kind> b` for bool/int/float operands: exact across int and float
    (NumPy's comparison when an operand is unsigned)."""
    if has_unsigned(a.type, b.type):
        ins, _ = loop_types(NP_COMPARE[kind], [a.type, b.type])
        return element(em, NP_COMPARE[kind], [np_cast(em, v, t) for v, t in zip((a, b), ins)],
                       BOOL)
    if is_int_like(a.type) and is_int_like(b.type):
        return em.cmpi(_CMPI[kind], em.to_i64(a), em.to_i64(b))
    if is_float(a.type) and is_float(b.type):
        t = arith_type(a.type, b.type)  # type: ignore[arg-type]
        return em.cmpf(_CMPF[kind], em.cast(a, t), em.cast(b, t))
    if is_float(a.type):
        # cmpif takes (int, float): swap, and flip the predicate
        return em.op("arith.cmpif", [em.to_i64(b), a], BOOL, predicate=_FLIP[kind])
    return em.op("arith.cmpif", [em.to_i64(a), b], BOOL, predicate=kind)


def lower_compare(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    return [compare(em, _kind(op), vals[0], vals[1])]


for _k in PY_COMPARE:
    rule(f"py.{_k}", infer=infer_compare)(lower_compare)


# ---- unsigned operands: NumPy's scalar operators ----------------------------------
NP_BINARY = {"add": "add", "sub": "subtract", "mul": "multiply", "truediv": "divide",
             "floordiv": "floor_divide", "mod": "remainder", "pow": "power",
             "lshift": "left_shift", "rshift": "right_shift", "bitand": "bitwise_and",
             "bitor": "bitwise_or", "bitxor": "bitwise_xor", "matmul": "matmul"}
NP_COMPARE = {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
              "eq": "equal", "ne": "not_equal"}


def has_unsigned(*types: Type) -> bool:
    return any(isinstance(t, ScalarType) and t.kind == "u" for t in types)


def np_loop(op: Operation, kind: str, types: list[Type]) -> tuple[list[ScalarType], ScalarType]:
    """NumPy's (input types, result type) of a binary operator (i64 / f64 weak)."""
    if kind == "matmul":
        raise fail(op, f"unsupported operand types for @: {describe(op, types)}")
    return loop_types(NP_BINARY[kind], types, op)


def np_binary(em: Emitter, op: Operation, kind: str, a: Value, b: Value) -> Value:
    ins, out = np_loop(op, kind, [a.type, b.type])
    xs = []
    for v, t in zip((a, b), ins):
        if v.type == I64 and t.kind == "u":
            _check_fits(em, v, t)  # NEP 50: a Python int must fit the unsigned type
        xs.append(np_cast(em, v, t))
    if kind == "pow" and out.is_int and ins[1].is_signed:
        em.check(em.cmpi("sge", xs[1], em.const(0, ins[1])), "ValueError", NEG_POWER)
    return element(em, NP_BINARY[kind], xs, out)


def _check_fits(em: Emitter, v: Value, t: ScalarType) -> None:
    ok = em.cmpi("sge", v, em.const(0, I64))
    if t.bits < 64:
        ok = em.and_(ok, em.cmpi("sle", v, em.const((1 << t.bits) - 1, I64)))
    em.b.op("cf.assert", [ok, v], [], {"exc": "OverflowError",
                                       "msg": f"Python integer {{}} out of bounds for {type_name(t)}"})


# ---- unary ------------------------------------------------------------------------
def infer_unary(op: Operation, types: list[Type]) -> list[Type]:
    (a,) = types
    k = _kind(op)
    if k == "not":
        return [BOOL]
    if not is_real(a) or (k == "invert" and is_float(a)):
        raise fail(op, f"bad operand type for {SYMBOL[k]}: {describe(op, types)}")
    return [a if is_float(a) or has_unsigned(a) else I64]


@rule("py.neg", "py.pos", "py.invert", "py.not", infer=infer_unary)
def lower_unary(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    (a,) = vals
    k = _kind(op)
    if k == "not":
        return [em.not_(em.truth(a))]
    if is_float(a.type):
        return [em.op("arith.negf", [a], a.type) if k == "neg" else a]
    if has_unsigned(a.type):  # NumPy's: -uint8(3) is uint8(253)
        fn = {"neg": "negative", "pos": "positive", "invert": "invert"}[k]
        return [element(em, fn, [a], a.type)]  # type: ignore[arg-type]
    x = em.to_i64(a)
    if k == "neg":
        return [em.op("arith.subi", [em.const(0, I64), x], I64)]
    if k == "invert":
        return [em.op("arith.xori", [x, em.const(-1, I64)], I64)]
    return [x]


# ---- truth ------------------------------------------------------------------------
def infer_truth(op: Operation, types: list[Type]) -> list[Type]:
    (a,) = types
    if not (is_real(a) or isinstance(a, TupleType) or a == NONE):
        raise fail(op, f"no truth value for {describe(op, types)}")
    return [BOOL]


@rule("py.truth", "py.bool", infer=infer_truth)
def lower_truth(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    return [em.truth(vals[0])]


__all__ = ["compare", "lower_arith", "infer_binary", "SYMBOL"]
