"""Python forms of the whole-array ops of the `typed` stage, before ir/passes/lower_arrays.py
turns them into loops: `array.map`, `array.assign`, `array.reduce`.

The element region becomes a small local function (it may read the values around it) and
the op a call of a run-time helper that broadcasts as NumPy does and applies it element by
element in C order (ir/pysource_runtime_arrays.py), with the errors the lowered code raises.
"""
from __future__ import annotations

import ast

from ember.ir.core import Operation
from ember.ir.pysource_base import Emitter, emits
from ember.ir.pysource_ops import call, name, np_dtype
from ember.ir.types import ArrayType


@emits("array.map")
def _map(e: Emitter, op: Operation) -> ast.expr:
    fn = e.element_function(op.regions[0].block, "element", op)
    t = op.results[0].type
    assert isinstance(t, ArrayType)
    return call("array_map", name(fn), np_dtype(t.dtype), *e.uses(op.operands))


@emits("array.assign")
def _assign(e: Emitter, op: Operation) -> None:
    fn = e.element_function(op.regions[0].block, "element", op)
    e.emit(ast.Expr(value=call("array_assign", name(fn), *e.uses(op.operands))), op)


@emits("array.reduce")
def _reduce(e: Emitter, op: Operation) -> ast.expr:
    fn = e.element_function(op.regions[0].block, "combine", op)
    a, init = e.uses(op.operands)
    axis = ast.Constant(value=op.attributes["axis"])
    t = op.results[0].type
    if isinstance(t, ArrayType):
        return call("array_reduce", name(fn), a, init, axis, np_dtype(t.dtype))
    return call("array_reduce", name(fn), a, init, axis)
