"""Reverse-mode rules for array element access. Shadows (adjoint arrays) live in memory:
the adjoint of a load is an O(1) `shadow[i] += adj`; the adjoint of a store reads the
stored value's adjoint and clears the slot (the value there before the store did not
reach anything after it). Views and allocations have no adjoint of their own: their
shadows were made beside them in the forward sweep."""
from __future__ import annotations

from ember.autodiff.reverse_sweep import Sweep, rule
from ember.ir.core import Operation


@rule("array.load")
def _load(sw: Sweep, op: Operation, adjs: list) -> None:
    shadow = sw.shadow(op.operands[0])
    if shadow is None:
        return
    idx = [sw.p(v) for v in op.operands[1:]]
    old = sw.v("array.load", [shadow] + idx, op.result.type)
    sw.b.op("array.store", [sw.f("arith.addf", old, adjs[0]), shadow] + idx)


@rule("array.store")
def _store(sw: Sweep, op: Operation, adjs: list) -> None:
    shadow = sw.shadow(op.operands[1])
    if shadow is None:
        return
    idx = [sw.p(v) for v in op.operands[2:]]
    t = op.operands[0].type
    g = sw.v("array.load", [shadow] + idx, t)
    sw.b.op("array.store", [sw.const(0.0, t), shadow] + idx)
    sw.acc(op.operands[0], g)


@rule("array.alloc", "array.subview", "array.reshape", "array.transpose")
def _no_adjoint(sw: Sweep, op: Operation, adjs: list) -> None:
    """The shadow already aliases the right memory."""
