"""List ops -> LLVM IR over the runtime's list object (backend/runtime_lists.py).

A list value is a pointer to `{i64 refcount, i64 len, i64 cap, ptr items}`. Reads and
writes are inline loads and stores into `items`; growing calls the runtime. Elements
that hold references (arrays, lists, tuples of them) are owned by the list: a store
releases the element it replaces, and freeing the list releases every element, in a
function generated once per element type and module (`ember.list.release.<type>`).
"""
from __future__ import annotations

from llvmlite import ir

from ember.ir.core import Operation
from ember.ir.types import ArrayType, ListType, RecordType, TupleType, Type

from . import runtime_helpers as rt
from . import runtime_lists as rl
from .context import FuncLowering, LoweringError
from .llvm_types import (ARRAY_MEMINFO, I1, I8, I64, PTR, from_mem, holds_references, mem_type,
                         size_align, to_mem)
from .llvm_loops import counted_loop
from .registry import lowers

NO_MEMORY = ("MemoryError", "ember: out of memory growing a list")
NULL = ir.Constant(PTR, None)


def _i64(v: int) -> ir.Constant:
    return ir.Constant(I64, v)


def _list_type(t: object, what: str) -> ListType:
    if not isinstance(t, ListType):
        raise LoweringError(f"{what} needs a list operand, got {t}")
    return t


def item_size(t: ListType) -> int:
    return size_align(mem_type(t.elem))[0]


def _load(b: ir.IRBuilder, obj: ir.Value, offset: int, typ: ir.Type) -> ir.Value:
    return b.load(rl.field(b, obj, offset), typ=typ)


def item_address(b: ir.IRBuilder, obj: ir.Value, t: ListType, i: ir.Value) -> ir.Value:
    """The address of element i of the list object `obj`."""
    items = _load(b, obj, rl.ITEMS, PTR)
    return b.gep(items, [i], inbounds=True, source_etype=mem_type(t.elem))


# ---- reference counts of any value ----------------------------------------------------
def change_refs(llmod: ir.Module, b: ir.IRBuilder, v: ir.Value, t: Type, retain: bool) -> None:
    """Retain or release every reference the value `v` of type `t` holds (code added to
    `llmod`: a compiled module or a wrapper's)."""
    if isinstance(t, ArrayType):
        meminfo = b.extract_value(v, ARRAY_MEMINFO)
        with b.if_then(b.icmp_unsigned("!=", meminfo, NULL)):
            b.call(rt.declare(llmod, rt.RETAIN if retain else rt.RELEASE), [meminfo])
    elif isinstance(t, ListType):
        if retain:
            with b.if_then(b.icmp_unsigned("!=", v, NULL)):
                addr = rl.field(b, v, rl.REFCOUNT)
                b.store(b.add(b.load(addr, typ=I64), _i64(1)), addr)
        else:
            b.call(release_function(llmod, t), [v])
    elif isinstance(t, (TupleType, RecordType)):  # a record is a struct, like a tuple
        for i, e in enumerate(t.elements if isinstance(t, TupleType) else t.types):
            if holds_references(e):
                change_refs(llmod, b, b.extract_value(v, i), e, retain)
    elif holds_references(t):
        from .lower_dict import change_dict_refs  # dicts: their own file
        change_dict_refs(llmod, b, v, t, retain)


def release_function(llmod: ir.Module, t: ListType) -> ir.Function:
    """`void ember.list.release.<t>(ptr)`: drop one reference; free the list (and release
    its elements) when it was the last. NULL is a no-op (a list variable never assigned)."""
    name = f"ember.list.release.{t}"
    fn = llmod.globals.get(name)
    if fn is not None:
        return fn
    fn = ir.Function(llmod, ir.FunctionType(ir.VoidType(), [PTR]), name=name)
    fn.linkage = "internal"
    fn.attributes.add("nounwind")
    obj = fn.args[0]
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    live, last, done = (fn.append_basic_block(n) for n in ("live", "last", "done"))
    b.cbranch(b.icmp_unsigned("==", obj, NULL), done, live)
    b.position_at_end(live)
    addr = rl.field(b, obj, rl.REFCOUNT)
    rc = b.sub(b.load(addr, typ=I64), _i64(1))
    b.store(rc, addr)
    b.cbranch(b.icmp_signed("==", rc, _i64(0)), last, done)
    b.position_at_end(last)
    if holds_references(t.elem):
        each_item(b, fn, obj, t, _i64(0), _load(b, obj, rl.LEN, I64),
                  lambda bb, v: change_refs(llmod, bb, v, t.elem, retain=False))
    b.call(rt.declare(llmod, rl.LIST_FREE), [obj])
    b.branch(done)
    b.position_at_end(done)
    b.ret_void()
    return fn


def each_item(b: ir.IRBuilder, fn: ir.Function, obj: ir.Value, t: ListType,
              lo: ir.Value, hi: ir.Value, body) -> None:
    """Run `body(builder, element)` for the elements lo <= i < hi (leaves b after the loop)."""
    with counted_loop(b, lo, hi, "items") as i:
        body(b, from_mem(b, b.load(item_address(b, obj, t, i), typ=mem_type(t.elem)), t.elem))


# ---- ops -------------------------------------------------------------------------------
@lowers("list.new")
def _new(fl: FuncLowering, op: Operation) -> None:
    t = _list_type(op.results[0].type, "list.new")
    b = fl.builder
    obj = b.call(fl.mod.runtime(rl.LIST_NEW), [_i64(item_size(t)), fl.get(op.operands[0])])
    fl.check(b.icmp_unsigned("!=", obj, NULL), fl.mod.errors.code(*NO_MEMORY))
    fl.set_result(op, obj)


@lowers("list.len")
def _len(fl: FuncLowering, op: Operation) -> None:
    fl.set_result(op, _load(fl.builder, fl.get(op.operands[0]), rl.LEN, I64))


@lowers("list.get")
def _get(fl: FuncLowering, op: Operation) -> None:
    t = _list_type(op.operands[0].type, "list.get")
    b = fl.builder
    obj, i = fl.operands(op)
    fl.set_result(op, from_mem(b, b.load(item_address(b, obj, t, i), typ=mem_type(t.elem)), t.elem))


@lowers("list.set")
def _set(fl: FuncLowering, op: Operation) -> None:
    t = _list_type(op.operands[1].type, "list.set")
    b = fl.builder
    v, obj, i = fl.operands(op)
    slot = item_address(b, obj, t, i)
    if holds_references(t.elem):
        old = from_mem(b, b.load(slot, typ=mem_type(t.elem)), t.elem)
        b.store(to_mem(b, v, t.elem), slot)
        change_refs(fl.mod.llmod, b, old, t.elem, retain=False)  # after: v may be the same object
    else:
        b.store(to_mem(b, v, t.elem), slot)


def _reserve(fl: FuncLowering, obj: ir.Value, t: ListType, need: ir.Value) -> None:
    b = fl.builder
    cap = _load(b, obj, rl.CAP, I64)
    grow = fl.new_block("list_grow")
    cont = fl.new_block("list_room")
    b.cbranch(b.icmp_signed(">", need, cap), grow, cont)
    b.position_at_end(grow)
    ok = b.call(fl.mod.runtime(rl.LIST_RESERVE), [obj, _i64(item_size(t)), need])
    fl.check(ok, fl.mod.errors.code(*NO_MEMORY))
    b.branch(cont)
    b.position_at_end(cont)


@lowers("list.append")
def _append(fl: FuncLowering, op: Operation) -> None:
    t = _list_type(op.operands[0].type, "list.append")
    b = fl.builder
    obj, v = fl.operands(op)
    n = _load(b, obj, rl.LEN, I64)
    n1 = b.add(n, _i64(1))
    _reserve(fl, obj, t, n1)
    b.store(to_mem(b, v, t.elem), item_address(b, obj, t, n))
    b.store(n1, rl.field(b, obj, rl.LEN))


@lowers("list.resize")
def _resize(fl: FuncLowering, op: Operation) -> None:
    t = _list_type(op.operands[0].type, "list.resize")
    b = fl.builder
    obj, n = fl.operands(op)
    old = _load(b, obj, rl.LEN, I64)
    if holds_references(t.elem):
        each_item(b, fl.fn, obj, t, n, old,
                  lambda bb, v: change_refs(fl.mod.llmod, bb, v, t.elem, retain=False))
    _reserve(fl, obj, t, n)
    with b.if_then(b.icmp_signed(">", n, old)):
        # new slots are zero bytes: a released zero array/list is a no-op
        size = _i64(item_size(t))
        memset = fl.mod.declare("llvm.memset.p0.i64", ir.VoidType(), [PTR, I8, I64, I1])
        start = b.gep(_load(b, obj, rl.ITEMS, PTR), [b.mul(old, size)], inbounds=True,
                      source_etype=I8)
        b.call(memset, [start, ir.Constant(I8, 0), b.mul(b.sub(n, old), size), ir.Constant(I1, 0)])
    b.store(n, rl.field(b, obj, rl.LEN))


@lowers("list.to_array")
def _to_array(fl: FuncLowering, op: Operation) -> None:
    from .lower_array import allocate_array
    n = _load(fl.builder, fl.get(op.operands[0]), rl.LEN, I64)
    fl.set_result(op, allocate_array(fl, op.results[0].type, [n]))


@lowers("list.retain")
def _retain(fl: FuncLowering, op: Operation) -> None:
    change_refs(fl.mod.llmod, fl.builder, fl.get(op.operands[0]), op.operands[0].type, retain=True)


@lowers("list.release")
def _release(fl: FuncLowering, op: Operation) -> None:
    change_refs(fl.mod.llmod, fl.builder, fl.get(op.operands[0]), op.operands[0].type, retain=False)
