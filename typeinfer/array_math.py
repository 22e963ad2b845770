"""NumPy's whole-array math inside type inference: elementwise ufuncs, reductions,
assignment into an array, and copies with a dtype change.

The interface the rest of typeinfer/ calls (operands are already-typed values):

    elementwise_type(fn, types) -> Type        elementwise(em, fn, operands, op) -> Value
    reduction_type(kind, t, axis, keepdims)    reduction(em, kind, a, axis, keepdims, ddof, op)
    assign(em, dest, value, op) -> None        copy(em, a, dtype, op) -> Value
    check_inplace(em, dest, value) -> None     (the shape checks of `dest op= value`)

Dtype rules are NumPy's own, asked of NumPy at compile time (array_ufuncs.py: NEP 50 weak
Python scalars, float16 results become float32); element semantics are NumPy's scalar loops
(array_ufuncs.element); reductions are in array_reduce.py.

What is emitted, and where the run-time checks are:
- elementwise with an array operand: one `array.map` whose region casts each element to the
  loop's input type and computes the result; the region has no cf.assert and no math.check.
  The broadcast check of its operands ("operands could not be broadcast together with shapes
  ...") is NOT emitted here: ir/passes/lower_arrays.py emits it when it lowers the map.
  With only scalar operands the element ops are emitted inline (a scalar result).
- integer `power`: NumPy raises ValueError("Integers to negative integer powers are not
  allowed.") for any negative exponent; that is a cf.assert before the map (on the scalar
  exponent, or on an `array.reduce` "any negative" over the exponent array).
- assign: the check that the value broadcasts to the destination's shape is emitted here, a
  cf.assert with NumPy's message ("could not broadcast input array from shape (3,) into shape
  (4,)", built for the actual ndims; like NumPy it names the value's shape without the leading
  extent-1 axes it has beyond the destination's ndim, so a (1, 0) value into (2,) is "from
  shape (0,)": one cf.assert per count of such axes, at most one of which can fire); those
  leading axes are dropped with an `array.subview`; then one `array.assign` casting each
  element to the destination's dtype (NumPy's unsafe casting).
- in-place operators (`x op= y`, array x): NumPy computes `op(x, y, out=x)`, so before the
  map `check_inplace` emits the iterator's two checks in NumPy's order: the operands
  broadcast together ("operands could not be broadcast together with shapes X Y X ", the
  output named as a third operand), then the broadcast shape equals x's shape exactly, ndim
  included ("non-broadcastable output operand with shape X doesn't match the broadcast shape
  B"): `() += (1,)` raises although `x[...] = y` would accept it. The backend formats at most
  8 extents into a message: when X Y X has more (x of 3 axes and y of 3 or more, x of 4), the
  first message leaves out the trailing X ("... with shapes X Y ", what `x + y` says).
- copy: an `array.map` casting each element (a fresh C-contiguous array).
- reductions: see array_reduce.py (min/max/argmin/argmax of empty axes are checked there).
"""
from __future__ import annotations

from ember.ir.core import Block, Operation, Region, Value
from ember.ir.errors import TypingError
from ember.ir.types import BOOL, I64, ArrayType, ScalarType, Type

from .array_reduce import array_reduce, dims, reduction, reduction_type
from .array_ufuncs import (NEG_POWER, canonical, element, element_type, loop_types, np_cast,
                           result_type)
from .emit import Emitter


def elementwise_type(fn: str, types: list[Type], op: Operation | None = None) -> Type:
    """The type of numpy.`fn`(operands of `types`): an array when any operand is one."""
    return result_type(fn, types, op)


def elementwise(em: Emitter, fn: str, operands: list[Value], op: Operation) -> Value:
    """numpy.`fn`(*operands) as an array.map (or inline scalar ops)."""
    fn = canonical(fn)
    types = [v.type for v in operands]
    rt = elementwise_type(fn, types, op)
    ins, out = loop_types(fn, types, op)
    if fn == "power" and out.kind == "i":
        check_int_power(em, operands[1], ins[1])
    if not isinstance(rt, ArrayType):
        return element(em, fn, [np_cast(em, v, t) for v, t in zip(operands, ins)], out)
    block = Block([element_type(t) for t in types])
    with em.b.at(block):
        xs = [np_cast(em, x, t) for x, t in zip(block.args, ins)]
        em.b.op("array.yield", [element(em, fn, xs, out)], [])
    return em.b.op("array.map", operands, [rt], regions=[Region([block])]).result


def check_int_power(em: Emitter, exponent: Value, t: ScalarType) -> None:
    """NumPy's integer power refuses negative exponents (before any element is computed)."""
    e = element_type(exponent.type)
    if not isinstance(e, ScalarType) or e.kind != "i":
        return  # bool and unsigned exponents are never negative
    def negative(x: Value) -> Value:
        return em.cmpi("slt", np_cast(em, x, t), em.const(0, t))
    if isinstance(exponent.type, ArrayType):
        bad = array_reduce(em, exponent, em.const(False, BOOL), -1,
                           lambda acc, x: em.or_(acc, negative(x)))
    else:
        bad = negative(exponent)
    em.check(em.not_(bad), "ValueError", NEG_POWER)


def _shape_msg(n: int) -> str:
    if n == 1:
        return "({},)"
    return "(" + ",".join(["{}"] * n) + ")"


def assign(em: Emitter, dest: Value, value: Value, op: Operation) -> None:
    """dest[...] = value: broadcast `value` (array or scalar) to dest's shape, cast elements."""
    d = dest.type
    if not isinstance(d, ArrayType):
        raise TypingError(f"cannot assign into {d}: not an array", op.loc)
    if d.readonly:
        raise TypingError("assignment destination is read-only", op.loc)
    v = value.type
    ve = element_type(v)
    if not isinstance(ve, ScalarType):
        raise TypingError(f"cannot assign {v} into {d}", op.loc)
    if isinstance(v, ArrayType):
        value = _broadcast_to(em, value, dest)
    block = Block([ve])
    with em.b.at(block):
        em.b.op("array.yield", [np_cast(em, block.args[0], d.dtype)], [])
    em.b.op("array.assign", [dest, value], [], regions=[Region([block])])


def _broadcast_to(em: Emitter, value: Value, dest: Value) -> Value:
    """Check that `value` broadcasts to dest's shape (NumPy's ValueError otherwise) and drop
    the leading extent-1 axes it has beyond dest's ndim."""
    v, d = value.type, dest.type
    assert isinstance(v, ArrayType) and isinstance(d, ArrayType)
    vd, dd = dims(em, value), dims(em, dest)
    one = em.const(1, I64)
    extra = max(0, v.ndim - d.ndim)
    ok = em.const(True, BOOL)
    for i, x in enumerate(vd):
        j = i - (v.ndim - d.ndim)
        fits = em.cmpi("eq", x, one)
        if j >= 0:
            fits = em.or_(fits, em.cmpi("eq", x, dd[j]))
        ok = em.and_(ok, fits)
    # NumPy strips the value's leading 1s (while it has more axes than dest) before the
    # check, and names the stripped shape: one assert per number k of stripped axes.
    lead_ones = em.const(True, BOOL)
    for k in range(extra + 1):
        stripped = lead_ones  # vd[:k] are all 1 ...
        if k < extra:
            is_one = em.cmpi("eq", vd[k], one)
            stripped = em.and_(stripped, em.not_(is_one))  # ... and vd[k] is not
            lead_ones = em.and_(lead_ones, is_one)
        ok_k = ok if extra == 0 else em.or_(ok, em.not_(stripped))
        msg = ("could not broadcast input array from shape " + _shape_msg(v.ndim - k) +
               " into shape " + _shape_msg(d.ndim))
        em.b.op("cf.assert", [ok_k] + vd[k:] + dd, [], {"exc": "ValueError", "msg": msg})
    if extra:
        zero = em.const(0, I64)
        t = ArrayType(v.dtype, v.ndim - extra, "C" if v.layout == "C" else "A", v.readonly)
        value = em.op("array.subview", [value] + [zero] * extra, t, kinds="i" * extra)
    return value


# The most i64 arguments the backend formats into one message
# (backend/runtime_helpers.ERR_ARG_SLOTS; a layer below typeinfer, so not imported).
ERR_ARG_SLOTS = 16


def check_inplace(em: Emitter, dest: Value, value: Value) -> None:
    """The checks of numpy.<ufunc>(dest, value, out=dest) on the shapes, in NumPy's order
    (`x op= y` with an array x): the operands broadcast together, and their broadcast shape
    is dest's shape. A scalar value needs neither."""
    d, v = dest.type, value.type
    if not isinstance(d, ArrayType) or not isinstance(v, ArrayType):
        return
    dd, vd = dims(em, dest), dims(em, value)
    one = em.const(1, I64)
    n = max(d.ndim, v.ndim)
    # Aligned from the right; None where an operand has no such axis.
    pairs = [(dd[j - n + d.ndim] if j - n + d.ndim >= 0 else None,
              vd[j - n + v.ndim] if j - n + v.ndim >= 0 else None) for j in range(n)]
    ok = em.const(True, BOOL)
    for x, y in pairs:
        if x is not None and y is not None:
            ok = em.and_(ok, em.or_(em.or_(em.cmpi("eq", x, y), em.cmpi("eq", x, one)),
                                    em.cmpi("eq", y, one)))
    if d.ndim and v.ndim:
        shapes, args = [d.ndim, v.ndim, d.ndim], dd + vd + dd
        if len(args) > ERR_ARG_SLOTS:  # NumPy's message minus the output's shape
            shapes, args = shapes[:2], args[:-d.ndim]
        msg = ("operands could not be broadcast together with shapes " +
               "".join(_shape_msg(k) + " " for k in shapes))
        em.b.op("cf.assert", [ok] + args, [], {"exc": "ValueError", "msg": msg})
    # With the operands compatible, the broadcast extent is y's unless y's is 1; dest must
    # have every axis of it (a value with more axes than dest always fails).
    shape = [x if y is None else y if x is None else em.select(em.cmpi("eq", y, one), x, y)
             for x, y in pairs]
    fits = em.const(v.ndim <= d.ndim, BOOL)
    if v.ndim <= d.ndim:
        for x, y in pairs:
            if x is not None and y is not None:
                fits = em.and_(fits, em.or_(em.cmpi("eq", y, one), em.cmpi("eq", y, x)))
    msg = ("non-broadcastable output operand with shape " + _shape_msg(d.ndim) +
           " doesn't match the broadcast shape " + _shape_msg(n))
    em.b.op("cf.assert", [fits] + dd + shape, [], {"exc": "ValueError", "msg": msg})


def copy(em: Emitter, a: Value, dtype: ScalarType, op: Operation) -> Value:
    """A fresh C-contiguous array holding a's elements cast to `dtype` (astype / copy)."""
    t = a.type
    if not isinstance(t, ArrayType):
        raise TypingError(f"cannot copy {t}: not an array", op.loc)
    block = Block([t.dtype])
    with em.b.at(block):
        em.b.op("array.yield", [np_cast(em, block.args[0], dtype)], [])
    return em.b.op("array.map", [a], [ArrayType(dtype, t.ndim, "C")], regions=[Region([block])]).result


__all__ = ["elementwise_type", "elementwise", "reduction_type", "reduction", "assign", "copy",
           "check_int_power", "check_inplace"]
