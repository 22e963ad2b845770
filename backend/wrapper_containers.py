"""Lists (and dicts) crossing the CPython wrapper (backend/wrapper.py).

- A `list` argument is converted once: an exact `list` whose items all unbox as the
  element type becomes a new runtime list (its elements unboxed like arguments). Any item
  of another type falls back to the dispatcher (which types the list anew). The compiled
  function sees a copy; backend/wrapper_reflect.py writes its changes back.
- Every argument holding runtime references (lists, dicts, tuples of them) is released
  right after the native call, which only borrowed them.
- A returned list becomes a new Python `list` of boxed elements; the runtime list is
  released (an array element is retained first: boxing hands a reference to NumPy).

When a later argument fails to unbox, the lists converted so far must be freed before the
fallback: each converted list pushes a cleanup block in front of the wrapper's fallback.
"""
from __future__ import annotations

from typing import Any, Callable

from llvmlite import ir

from ember.backend import runtime_helpers as rt
from ember.backend import runtime_lists as rl
from ember.backend.boxing import OB_SIZE_OFFSET, OB_TYPE_OFFSET
from ember.backend.llvm_types import holds_references, mem_type, size_align, to_mem, from_mem
from ember.backend.llvm_loops import counted_loop
from ember.backend.lower_list import change_refs, item_address
from ember.ir.types import DictType, ListType, RecordType, TupleType, Type

_PTR = ir.PointerType()
_I8 = ir.IntType(8)
_I64 = ir.IntType(64)
_NULL = ir.Constant(_PTR, None)
LIST_ITEMS_OFFSET = 24  # PyListObject.ob_item (PyObject **)

Unbox = Callable[[Any, ir.Value, Type], ir.Value]
Box = Callable[[Any, ir.Value, Type], ir.Value]


def push_cleanup(ctx: Any, v: ir.Value, t: Type) -> None:
    """From here on, a failed unboxing releases `v` before taking the fallback."""
    b = ctx.b
    here = b.block
    cleanup = ctx.new_block("release_unboxed")
    b.position_at_end(cleanup)
    change_refs(ctx.mod, b, v, t, retain=False)
    b.branch(ctx.fail)
    ctx.fail = cleanup
    b.position_at_end(here)


def unbox_list(ctx: Any, obj: ir.Value, t: ListType, unbox: Unbox) -> ir.Value:
    b = ctx.b
    check = ctx.new_block("list_check")
    b.cbranch(b.icmp_unsigned("==", ctx.field(obj, OB_TYPE_OFFSET, _PTR), ctx.obj("PyList_Type")),
              check, ctx.fail)
    b.position_at_end(check)
    n = ctx.field(obj, OB_SIZE_OFFSET, _I64)
    lst = b.call(rt.declare(ctx.mod, rl.LIST_NEW), [ir.Constant(_I64, size_align(mem_type(t.elem))[0]), n])
    made = ctx.new_block("list_made")
    b.cbranch(b.icmp_unsigned("==", lst, _NULL), ctx.fail, made)  # out of memory: the fallback reports it
    b.position_at_end(made)
    outer_fail = ctx.fail
    push_cleanup(ctx, lst, t)  # an item that does not unbox frees the partial list
    pyitems = ctx.field(obj, LIST_ITEMS_OFFSET, _PTR)
    with counted_loop(b, ir.Constant(_I64, 0), n, "list_items") as i:
        item = b.load(b.gep(pyitems, [i], inbounds=True, source_etype=_PTR), typ=_PTR)
        elem_fail = ctx.fail
        v = unbox(ctx, item, t.elem)
        ctx.fail = elem_fail  # the element belongs to the list from here on
        b.store(to_mem(b, v, t.elem), item_address(b, lst, t, i))
        b.store(b.add(i, ir.Constant(_I64, 1)), rl.field(b, lst, rl.LEN))  # freed items are all valid
    ctx.fail = outer_fail
    push_cleanup(ctx, lst, t)  # and so does a later argument
    return lst


def box_list(ctx: Any, v: ir.Value, t: ListType, box: Box) -> ir.Value:
    """A new Python list of the elements of `v` (consumes the reference `v`)."""
    b = ctx.b
    n = b.load(rl.field(b, v, rl.LEN), typ=_I64)
    out = b.call(ctx.fn("PyList_New"), [n])
    made, failed = ctx.new_block("pylist_made"), ctx.new_block("pylist_failed")
    b.cbranch(b.icmp_unsigned("==", out, _NULL), failed, made)
    b.position_at_end(failed)
    change_refs(ctx.mod, b, v, t, retain=False)
    b.ret(_NULL)
    b.position_at_end(made)
    pyitems = ctx.field(out, LIST_ITEMS_OFFSET, _PTR)
    bad = ctx.new_block("pylist_item_failed")
    with counted_loop(b, ir.Constant(_I64, 0), n, "box_items") as i:
        elem = b.load(item_address(b, v, t, i), typ=mem_type(t.elem))
        if holds_references(t.elem):  # boxing takes a reference; the list keeps its own
            change_refs(ctx.mod, b, from_mem(b, elem, t.elem), t.elem, retain=True)
        item = box(ctx, elem, t.elem)
        ok = ctx.new_block("box_item_ok")
        b.cbranch(b.icmp_unsigned("==", item, _NULL), bad, ok)
        b.position_at_end(ok)
        b.store(item, b.gep(pyitems, [i], inbounds=True, source_etype=_PTR))  # PyList_SET_ITEM
    done = b.block
    b.position_at_end(bad)
    b.call(ctx.fn("Py_DecRef"), [out])  # NULL slots are fine for list_dealloc
    change_refs(ctx.mod, b, v, t, retain=False)
    b.ret(_NULL)
    b.position_at_end(done)
    change_refs(ctx.mod, b, v, t, retain=False)
    return out


def holds_containers(t: Type) -> bool:
    """Is a value of type `t` (or part of it) a list or dict the wrapper made?"""
    if isinstance(t, (ListType, DictType)):
        return True
    if isinstance(t, RecordType):  # a dict argument with str keys holding converted lists
        return any(holds_containers(e) for e in t.types)
    return isinstance(t, TupleType) and any(holds_containers(e) for e in t.elements)


def release_arguments(ctx: Any, values: list[ir.Value], types: list[Type]) -> None:
    """After the native call: drop the references the unboxed arguments hold (arrays are
    borrowed from their ndarrays: nothing to drop)."""
    for v, t in zip(values, types):
        if holds_containers(t):
            change_refs(ctx.mod, ctx.b, v, t, retain=False)


def box_dict(ctx: Any, v: ir.Value, t: DictType, box: Box) -> ir.Value:
    """A new Python dict of the live entries of `v`, in insertion order (consumes `v`)."""
    from ember.backend.lower_dict import part_types

    b = ctx.b
    keys_t, vals_t, hashes_t = part_types(t)[:3]
    keys, vals, hashes = (b.extract_value(v, i) for i in range(3))
    out = b.call(ctx.fn("PyDict_New"), [])
    made, failed = ctx.new_block("pydict_made"), ctx.new_block("pydict_failed")
    b.cbranch(b.icmp_unsigned("==", out, _NULL), failed, made)
    b.position_at_end(failed)
    change_refs(ctx.mod, b, v, t, retain=False)
    b.ret(_NULL)
    b.position_at_end(made)
    n = b.load(rl.field(b, keys, rl.LEN), typ=_I64)
    bad = ctx.new_block("pydict_item_failed")
    with counted_loop(b, ir.Constant(_I64, 0), n, "dict_entries") as i:
        live, nxt = ctx.new_block("dict_live"), ctx.new_block("dict_next")
        h = b.load(item_address(b, hashes, hashes_t, i), typ=_I64)
        b.cbranch(b.icmp_signed("==", h, ir.Constant(_I64, -1)), nxt, live)  # a deleted entry
        b.position_at_end(live)
        objs = []
        for lst, lt in ((keys, keys_t), (vals, vals_t)):
            mem = b.load(item_address(b, lst, lt, i), typ=mem_type(lt.elem))
            if holds_references(lt.elem):  # boxing takes a reference; the dict keeps its own
                change_refs(ctx.mod, b, from_mem(b, mem, lt.elem), lt.elem, retain=True)
            obj = box(ctx, mem, lt.elem)
            ok = ctx.new_block("dict_item_boxed")
            b.cbranch(b.icmp_unsigned("==", obj, _NULL), bad, ok)
            b.position_at_end(ok)
            objs.append(obj)
        rc = b.call(ctx.fn("PyDict_SetItem"), [out, objs[0], objs[1]])
        for obj in objs:
            b.call(ctx.fn("Py_DecRef"), [obj])
        b.cbranch(b.icmp_signed("!=", rc, ir.Constant(ir.IntType(32), 0)), bad, nxt)
        b.position_at_end(nxt)
    done = b.block
    b.position_at_end(bad)  # a failed box or insert (out of memory): drop everything
    b.call(ctx.fn("Py_DecRef"), [out])
    change_refs(ctx.mod, b, v, t, retain=False)
    b.ret(_NULL)
    b.position_at_end(done)
    change_refs(ctx.mod, b, v, t, retain=False)
    return out
