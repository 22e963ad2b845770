"""Changes to list and dict arguments made in compiled code reach the caller's objects.

A list or dict argument is converted to a runtime copy (backend/wrapper_containers.py,
wrapper_dicts.py). So that the caller sees what CPython would show it, after the native
call (whether it succeeded or raised) the wrapper writes the copy back into the caller's
object: `lst[:] = new items` (PyList_SetSlice), `d.clear(); d.update(new)` for a dict.

Writing back costs as much as boxing the container, so it happens only when the compiled
module may change it: a forward walk from the argument through everything that may refer to
it or into it reaches an op that changes a list (a dict's entries live in lists). That test
over-approximates, which costs time, never correctness. Nested containers are written back as new objects: the caller's outer list
or dict has the new contents, but inner lists are not the caller's inner list objects.
"""
from __future__ import annotations

from typing import Any

from llvmlite import ir

from ember.backend.lower_list import change_refs
from ember.backend.wrapper_containers import Box
from ember.ir.core import Module, Operation, Value
from ember.ir.passes.inline import callee_name
from ember.ir.passes.ownership import holds_references
from ember.ir.types import DictType, ListType, Type

_PTR = ir.PointerType()
_I64 = ir.IntType(64)
# op name -> which operand is the list it changes
_MUTATING = {"list.set": 1, "list.append": 0, "list.resize": 0}
# op name -> which operand is the value it stores into that list
_STORED = {"list.set": 0, "list.append": 1}


def reflected_arguments(module: Module, entry: str) -> list[bool]:
    """Per argument of `entry`: is it a list or dict that the module may change?"""
    f = module[entry]
    return [isinstance(a.type, (ListType, DictType)) and _mutates(module, entry, i, {})
            for i, a in enumerate(f.args)]


def _mutates(module: Module, name: str, index: int, memo: dict[tuple[str, int], bool]) -> bool:
    """May function `name` change (a container reachable from) its argument `index`?

    Follows every value that may refer to the argument or into it, forwards to a fixed
    point: results of ops reading it (list.get, dict.parts, tuple.get, calls, ...), the
    block arguments and results of structured ops it flows through, containers it is
    stored into, and callees' parameters. Over-approximates, never misses."""
    key = (name, index)
    if key in memo:
        return memo[key]
    memo[key] = False  # recursion: assume not while this one is being decided
    f = module[name]
    derived: set[Value] = {f.args[index]}

    def mark(values) -> bool:
        new = [v for v in values if holds_references(v.type) and v not in derived]
        derived.update(new)
        return bool(new)

    changed = True
    while changed:
        changed = False
        for op in f.walk():
            hit = [v in derived for v in op.operands]
            if not any(hit):
                continue
            if op.name in _MUTATING and hit[_MUTATING[op.name]]:
                memo[key] = True
                return True
            if op.name in _STORED and hit[_STORED[op.name]]:
                changed |= mark([op.operands[_MUTATING[op.name]]])
            if op.name == "func.call":
                callee = callee_name(op)
                if callee is None or callee not in module.funcs or any(
                        h and _mutates(module, callee, j, memo) for j, h in enumerate(hit)):
                    memo[key] = True
                    return True
            changed |= mark(op.results)
            if op.regions:  # values flowing in: every carried block argument may be one
                changed |= mark(a for r in op.regions for b in r.blocks for a in b.args)
            parent = op.parent.parent.parent if op.parent is not None and \
                op.parent.parent is not None else None
            if op.name in ("scf.yield", "scf.condition") and isinstance(parent, Operation):
                changed |= mark(parent.results)
                changed |= mark(a for r in parent.regions for b in r.blocks for a in b.args)
    return False


def reflect(ctx: Any, obj: ir.Value, v: ir.Value, t: Type, box: Box) -> None:
    """Write the runtime container `v` back into the caller's Python object `obj` (the
    wrapper still releases its own reference to `v` afterwards). A failure to box leaves
    the Python error set; the wrapper's status decides what the caller sees."""
    b = ctx.b
    change_refs(ctx.mod, b, v, t, retain=True)  # boxing consumes one reference
    new = box(ctx, v, t)
    boxed, done = ctx.new_block("reflect_boxed"), ctx.new_block("reflected")
    b.cbranch(b.icmp_unsigned("==", new, ir.Constant(_PTR, None)), done, boxed)
    b.position_at_end(boxed)
    if isinstance(t, ListType):
        b.call(ctx.fn("PyList_SetSlice"), [obj, ir.Constant(_I64, 0),
                                           ir.Constant(_I64, 2 ** 63 - 1), new])
    else:
        b.call(ctx.fn("PyDict_Clear"), [obj])
        b.call(ctx.fn("PyDict_Update"), [obj, new])
    b.call(ctx.fn("Py_DecRef"), [new])
    b.branch(done)
    b.position_at_end(done)
