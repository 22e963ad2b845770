"""Arith ops with Python semantics that take more than one LLVM instruction.

Floor division and modulo (int and float, as CPython computes them), shifts by
counts >= the width, integer powers by squaring, and the exact int-vs-float
comparison (`arith.cmpif`). All integer arithmetic wraps; nothing here executes
LLVM undefined behaviour (sdiv MIN, -1 and shifts by >= width are avoided).
"""
from __future__ import annotations

from llvmlite import ir

from ember.ir.core import Operation
from ember.ir.types import ScalarType

from .context import FuncLowering
from .llvm_types import F64, I1, I64
from .lower_scf import const_int
from .registry import lowers


def _unsigned(op: Operation) -> bool:
    t = op.operands[0].type
    return isinstance(t, ScalarType) and t.kind == "u"


def _int_floor_divmod(fl: FuncLowering, a: ir.Value, b: ir.Value) -> tuple[ir.Value, ir.Value]:
    """Python (a // b, a % b) for signed ints; b == -1 takes a divisor of 1 so that
    MIN // -1 never reaches sdiv (UB in LLVM) and wraps to MIN as specified."""
    bd = fl.builder
    ty = a.type
    zero, one, minus1 = ir.Constant(ty, 0), ir.Constant(ty, 1), ir.Constant(ty, -1)
    is_m1 = bd.icmp_signed("==", b, minus1)
    safe_b = bd.select(is_m1, one, b)
    q = bd.sdiv(a, safe_b)
    r = bd.srem(a, safe_b)
    # The remainder's sign must follow the divisor's: step down when they differ.
    adjust = bd.and_(bd.icmp_signed("!=", r, zero), bd.icmp_signed("<", bd.xor(r, b), zero))
    q = bd.sub(q, bd.zext(adjust, ty))
    q = bd.select(is_m1, bd.sub(zero, a), q)
    r = bd.add(r, bd.select(adjust, b, zero))
    return q, r


def _int_floor_divmod_const(fl: FuncLowering, a: ir.Value, c: int) -> tuple[ir.Value, ir.Value]:
    """Python (a // c, a % c) for a known signed divisor c != 0.

    The divisor's sign is known, so the sign fix is one compare, and a power of
    two is a shift and a mask (floor semantics are exactly two's complement
    ashr/and). LLVM turns the remaining sdiv/srem by a constant into multiplies."""
    bd = fl.builder
    ty = a.type
    zero = ir.Constant(ty, 0)
    if c == -1:
        return bd.sub(zero, a), zero  # MIN // -1 wraps to MIN
    if c > 0 and c & (c - 1) == 0:
        k = c.bit_length() - 1
        return bd.ashr(a, ir.Constant(ty, k)), bd.and_(a, ir.Constant(ty, c - 1))
    cv = ir.Constant(ty, c)
    q, r = bd.sdiv(a, cv), bd.srem(a, cv)
    # srem takes the dividend's sign; the floor result needs the divisor's.
    adjust = bd.icmp_signed("<" if c > 0 else ">", r, zero)
    return bd.sub(q, bd.zext(adjust, ty)), bd.add(r, bd.select(adjust, cv, zero))


def _signed_const(v: ir.Value, c: int | None) -> int | None:
    """c read as a signed integer of v's width, or None when not a usable divisor."""
    if c is None or not isinstance(v.type, ir.IntType):
        return None
    w = v.type.width
    c &= (1 << w) - 1
    c = c - (1 << w) if c >> (w - 1) else c
    return c if c != 0 else None


@lowers("arith.floordivsi", "arith.floormodsi")
def _floordivmod_int(fl: FuncLowering, op: Operation) -> None:
    a, b = fl.operands(op)
    div = op.name == "arith.floordivsi"
    if _unsigned(op):
        fl.set_result(op, fl.builder.udiv(a, b) if div else fl.builder.urem(a, b))
        return
    c = _signed_const(a, const_int(op.operands[1]))
    if c is not None:
        q, r = _int_floor_divmod_const(fl, a, c)
    else:
        q, r = _int_floor_divmod(fl, a, b)
    fl.set_result(op, q if div else r)


def _copysign(fl: FuncLowering, mag: ir.Value, sign: ir.Value) -> ir.Value:
    return fl.builder.call(fl.mod.intrinsic("copysign", mag.type, 2), [mag, sign])


def _float_mod(fl: FuncLowering, a: ir.Value, b: ir.Value) -> tuple[ir.Value, ir.Value, ir.Value]:
    """CPython's float_rem: returns (fmod result, the sign-fix condition, final mod)."""
    bd = fl.builder
    zero = ir.Constant(a.type, 0.0)
    mod = bd.frem(a, b)  # frem is C fmod
    nonzero = bd.fcmp_unordered("!=", mod, zero)  # `if (mod)`: nan counts as true
    differs = bd.xor(bd.fcmp_ordered("<", b, zero), bd.fcmp_ordered("<", mod, zero))
    adjust = bd.and_(nonzero, differs)
    fixed = bd.select(adjust, bd.fadd(mod, b), mod)
    final = bd.select(nonzero, fixed, _copysign(fl, zero, b))
    return mod, adjust, final


@lowers("arith.floormodf")
def _floormodf(fl: FuncLowering, op: Operation) -> None:
    a, b = fl.operands(op)
    fl.set_result(op, _float_mod(fl, a, b)[2])


@lowers("arith.floordivf")
def _floordivf(fl: FuncLowering, op: Operation) -> None:
    """CPython's _float_div_mod, division half."""
    a, b = fl.operands(op)
    bd = fl.builder
    ty = a.type
    zero, one, half = ir.Constant(ty, 0.0), ir.Constant(ty, 1.0), ir.Constant(ty, 0.5)
    mod, adjust, _ = _float_mod(fl, a, b)
    div = bd.fdiv(bd.fsub(a, mod), b)
    div = bd.select(adjust, bd.fsub(div, one), div)
    floored = bd.call(fl.mod.intrinsic("floor", ty, 1), [div])
    round_up = bd.fcmp_ordered(">", bd.fsub(div, floored), half)
    floored = bd.select(round_up, bd.fadd(floored, one), floored)
    div_nonzero = bd.fcmp_unordered("!=", div, zero)
    fl.set_result(op, bd.select(div_nonzero, floored, _copysign(fl, zero, bd.fdiv(a, b))))


@lowers("arith.shli", "arith.shrsi")
def _shift(fl: FuncLowering, op: Operation) -> None:
    a, n = fl.operands(op)
    bd = fl.builder
    ty = a.type
    width = ir.Constant(ty, ty.width)
    in_range = bd.icmp_unsigned("<", n, width)  # count >= 0 is guarded upstream
    zero = ir.Constant(ty, 0)
    if op.name == "arith.shli":
        # The shl of the unchosen arm is poison; select does not propagate it.
        fl.set_result(op, bd.select(in_range, bd.shl(a, n), zero))
    elif _unsigned(op):
        fl.set_result(op, bd.select(in_range, bd.lshr(a, n), zero))
    else:
        count = bd.select(in_range, n, ir.Constant(ty, ty.width - 1))
        fl.set_result(op, bd.ashr(a, count))


@lowers("arith.powi")
def _powi(fl: FuncLowering, op: Operation) -> None:
    a, e = fl.operands(op)
    k = const_int(op.operands[1])
    if k is not None and k >= 0:
        fl.set_result(op, _powi_const(fl, a, k))
    else:
        fl.set_result(op, _powi_loop(fl, a, e))


def _powi_const(fl: FuncLowering, a: ir.Value, k: int) -> ir.Value:
    """Square-and-multiply unrolled for a known exponent (wrapping, so exact mod 2**N)."""
    bd = fl.builder
    result: ir.Value | None = None
    base = a
    while k:
        if k & 1:
            result = base if result is None else bd.mul(result, base)
        k >>= 1
        if k:
            base = bd.mul(base, base)
    return result if result is not None else ir.Constant(a.type, 1)


def _powi_loop(fl: FuncLowering, a: ir.Value, e: ir.Value) -> ir.Value:
    bd = fl.builder
    ty = a.type
    pre = bd.block
    head, body, done = fl.new_block("powi.head"), fl.new_block("powi.body"), fl.new_block("powi.end")
    bd.branch(head)
    bd.position_at_end(head)
    r, base, ex = bd.phi(ty), bd.phi(ty), bd.phi(ty)
    r.add_incoming(ir.Constant(ty, 1), pre)
    base.add_incoming(a, pre)
    ex.add_incoming(e, pre)
    bd.cbranch(bd.icmp_unsigned("==", ex, ir.Constant(ty, 0)), done, body)
    bd.position_at_end(body)
    odd = bd.trunc(ex, I1)
    r.add_incoming(bd.select(odd, bd.mul(r, base), r), body)
    base.add_incoming(bd.mul(base, base), body)
    ex.add_incoming(bd.lshr(ex, ir.Constant(ty, 1)), body)
    bd.branch(head)
    bd.position_at_end(done)
    return r


_CMPIF_FCMP = {"lt": "<", "le": "<=", "eq": "==", "gt": ">", "ge": ">="}


def _exact_as_f64(fl: FuncLowering, op: Operation, it: ScalarType, i: ir.Value) -> ir.Value | None:
    """i as a double when the conversion is exact (a constant of magnitude <= 2**53,
    or an int type of at most 53 bits), so the comparison is a plain fcmp."""
    c = const_int(op.operands[0])
    if c is not None and abs(c) <= 2 ** 53:
        return ir.Constant(F64, float(c))
    if it.kind in ("i", "u") and it.bits <= 53:
        return fl.builder.sitofp(i, F64) if it.kind == "i" else fl.builder.uitofp(i, F64)
    return None


@lowers("arith.cmpif")
def _cmpif(fl: FuncLowering, op: Operation) -> None:
    """Compare int i with float f exactly, as CPython does: never round i.

    For f inside the int's range, floor(f) converts exactly to an int fi, and
    i < f  <=>  i < fi or (i == fi and f is not integral); i == f <=> i == fi and f
    integral. f beyond the range is above or below every i; nan is unordered."""
    bd = fl.builder
    i, f = fl.operands(op)
    it = op.operands[0].type
    assert isinstance(it, ScalarType)
    if f.type != F64:
        f = bd.fpext(f, F64)
    exact = _exact_as_f64(fl, op, it, i)
    if exact is not None:
        fl.set_result(op, bd.fcmp_unordered("!=", exact, f) if op.attributes["predicate"] == "ne"
                      else bd.fcmp_ordered(_CMPIF_FCMP[op.attributes["predicate"]], exact, f))
        return
    if it.kind == "u" and it.bits == 64:
        lo, hi, signed = 0.0, 2.0 ** 64, False
    else:
        lo, hi, signed = -(2.0 ** 63), 2.0 ** 63, True
        if it.bits < 64:
            i = bd.sext(i, I64) if it.kind == "i" else bd.zext(i, I64)
    icmp = bd.icmp_signed if signed else bd.icmp_unsigned
    in_range = bd.and_(bd.fcmp_ordered(">=", f, ir.Constant(F64, lo)),
                       bd.fcmp_ordered("<", f, ir.Constant(F64, hi)))
    floored = bd.call(fl.mod.intrinsic("floor", F64, 1), [f])
    # Out-of-range conversions are poison, and `and false, poison` is poison too.
    safe = bd.select(in_range, floored, ir.Constant(F64, 0.0))
    fi = bd.fptosi(safe, I64) if signed else bd.fptoui(safe, I64)
    frac = bd.fcmp_ordered("!=", f, floored)
    same = icmp("==", i, fi)
    below = bd.or_(icmp("<", i, fi), bd.and_(same, frac))
    lt = bd.or_(bd.fcmp_ordered(">=", f, ir.Constant(F64, hi)), bd.and_(in_range, below))
    eq = bd.and_(in_range, bd.and_(same, bd.not_(frac)))
    nan = bd.fcmp_unordered("uno", f, f)
    pred = op.attributes["predicate"]
    if pred == "lt":
        res = lt
    elif pred == "le":
        res = bd.or_(lt, eq)
    elif pred == "eq":
        res = eq
    elif pred == "ne":
        res = bd.not_(eq)
    elif pred == "gt":
        res = bd.not_(bd.or_(bd.or_(lt, eq), nan))
    else:  # ge
        res = bd.not_(bd.or_(lt, nan))
    fl.set_result(op, res)
