"""Changes to list and dict arguments made in compiled code reach the caller's objects.

A list or dict argument is converted to a runtime copy (backend/wrapper_containers.py,
wrapper_dicts.py). So that the caller sees what CPython would show it, after the native
call (whether it succeeded or raised) the wrapper writes the copy back into the caller's
object: `lst[:] = new items` (PyList_SetSlice), `d.clear(); d.update(new)` for a dict.

Writing back costs as much as boxing the container, so it happens only when the compiled
module could have changed it: some op of the module mutates a runtime list of a type the
argument holds (a dict's entries live in lists of its key, value and i64 types). That test
over-approximates (a local list of the same type also counts), which costs time, never
correctness. Nested containers are written back as new objects: the caller's outer list
or dict has the new contents, but inner lists are not the caller's inner list objects.
"""
from __future__ import annotations

from typing import Any

from llvmlite import ir

from ember.backend.lower_list import change_refs
from ember.backend.wrapper_containers import Box
from ember.ir.core import Module
from ember.ir.types import DictType, I64, ListType, RecordType, TupleType, Type

# op name -> which operand is the list it changes
_MUTATING = {"list.set": 1, "list.append": 0, "list.resize": 0}
_PTR = ir.PointerType()
_I64 = ir.IntType(64)


def mutated_list_types(module: Module) -> set[Type]:
    """The types of the runtime lists some op of `module` may change."""
    out: set[Type] = set()
    for f in module:
        for op in f.walk():
            if op.name in _MUTATING:
                out.add(op.operands[_MUTATING[op.name]].type)
    return out


def _lists_within(t: Type) -> set[Type]:
    """Every runtime list type whose change would change a value of type `t`."""
    if isinstance(t, ListType):
        return {ListType(t.elem)} | _lists_within(t.elem)
    if isinstance(t, DictType):
        return ({ListType(t.key), ListType(t.value), ListType(I64)}
                | _lists_within(t.key) | _lists_within(t.value))
    if isinstance(t, (TupleType, RecordType)):
        parts = t.elements if isinstance(t, TupleType) else t.types
        return set().union(*(_lists_within(e) for e in parts)) if parts else set()
    return set()


def needs_reflection(t: Type, mutated: set[Type]) -> bool:
    """Must the wrapper write argument type `t` back to the caller's object?"""
    return isinstance(t, (ListType, DictType)) and bool(_lists_within(t) & mutated)


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
