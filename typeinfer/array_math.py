"""NumPy's whole-array math inside type inference: elementwise ufuncs, reductions,
assignment into an array, and copies with a dtype change.

The interface the rest of typeinfer/ calls (operands are already-typed values):

    elementwise_type(fn, types) -> Type        elementwise(em, fn, operands, op) -> Value
    reduction_type(kind, t, axis, keepdims)    reduction(em, kind, a, axis, keepdims, ddof, op)
    assign(em, dest, value, op) -> None        copy(em, a, dtype, op) -> Value

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
  (4,)", built for the actual ndims); leading extent-1 axes of a value with more axes than
  the destination are dropped with an `array.subview`; then one `array.assign` casting each
  element to the destination's dtype (NumPy's unsafe casting).
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
    msg = ("could not broadcast input array from shape " + _shape_msg(v.ndim) +
           " into shape " + _shape_msg(d.ndim))
    em.b.op("cf.assert", [ok] + vd + dd, [], {"exc": "ValueError", "msg": msg})
    if extra:
        zero = em.const(0, I64)
        t = ArrayType(v.dtype, v.ndim - extra, "C" if v.layout == "C" else "A", v.readonly)
        value = em.op("array.subview", [value] + [zero] * extra, t, kinds="i" * extra)
    return value


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
           "check_int_power"]
