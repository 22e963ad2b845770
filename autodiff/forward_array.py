"""Forward rules of array ops: every active array has a shadow (tangent) array of the same
type and extents; element reads and writes go to both, views are taken of both alike.

array.alloc of an active array allocates the shadow uninitialized, like the primal: every
element the program reads was stored first, and each store into an active array stores
the element's tangent (a zero for an inactive value), so np.zeros and friends (an alloc
and a filling loop after lowering) give zero-filled shadows. Whole-array ops
(array.map/assign/reduce) are lowered to loops before autodiff; meeting one active is
an error.
"""
from __future__ import annotations

from ember.autodiff.forward import Forward, rule
from ember.autodiff.forward_emit import Tangent
from ember.ir.core import Operation, Value
from ember.ir.types import ArrayType


def _shadow(fw: Forward, v: Value) -> Value | None:
    t = fw.t(v)
    assert t is None or isinstance(t, Value)
    return t


@rule("array.load")
def _load(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    shadow = _shadow(fw, op.operands[0])
    if shadow is None:
        return [None]
    idx = [fw.p(i) for i in op.operands[1:]]
    return [fw.em.op("array.load", [shadow] + idx, op.results[0].type)]


@rule("array.store")
def _store(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    value, arr = op.operands[0], op.operands[1]
    if not fw.active(arr):
        return []
    shadow = _shadow(fw, arr)
    if shadow is None:  # activity makes every active array's shadow exist
        raise fw.fail(op, "internal error: an active array has no tangent array")
    t = fw.t(value)
    if t is None:
        t = fw.em.const(0, value.type)
    fw.b.op("array.store", [t, shadow] + [fw.p(i) for i in op.operands[2:]])
    return []


@rule("array.alloc")
def _alloc(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    if not fw.active(op.results[0]):
        return [None]
    return [fw.em.op("array.alloc", [fw.p(d) for d in op.operands], op.results[0].type)]


@rule("array.subview", "array.transpose", "array.reshape", "array.real", "array.imag")
def _view(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    shadow = _shadow(fw, op.operands[0])
    if shadow is None:
        return [None]
    rest = [fw.p(v) for v in op.operands[1:]]
    rt = op.results[0].type
    if op.name == "array.reshape" and isinstance(shadow.type, ArrayType) and shadow.type.layout != "C":
        shadow = fw.em.copy_c(shadow)  # cannot happen while shadows keep their primal's type
    return [fw.em.op(op.name, [shadow] + rest, rt, **op.attributes)]


@rule("array.map", "array.assign", "array.reduce")
def _whole(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    raise fw.fail(op, f"no derivative rule for {op.name}: whole-array operations are "
                      "differentiated after they are lowered to loops, and this one was not")
