"""The list object of the runtime (compiled once per process with the other helpers).

A list value is a pointer to `{i64 refcount, i64 len, i64 cap, ptr items}` (one malloc),
the items a separate malloc'd buffer of `cap` slots of the element's memory type
(docs/containers.md). Reference counts are plain integers: compiled code runs under the
GIL. The compiled module increments and decrements the count inline and calls
`ember_rt_list_free` when it reaches zero, after releasing the elements that hold
references (only the module knows the element type).

- `ptr ember_rt_list_new(i64 itemsize, i64 cap)`: refcount 1, len 0; NULL when out of memory.
- `i1 ember_rt_list_reserve(ptr list, i64 itemsize, i64 need)`: room for `need` items
  (capacity at least doubles, so appends are amortized O(1)); false when out of memory.
- `void ember_rt_list_free(ptr list)`: frees the items and the object.

List objects count in `ember_rt_live_blocks`, so the leak tests see them.
"""
from __future__ import annotations

from typing import Any

LIST_NEW = "ember_rt_list_new"
LIST_RESERVE = "ember_rt_list_reserve"
LIST_FREE = "ember_rt_list_free"
FUNCTIONS = (LIST_NEW, LIST_RESERVE, LIST_FREE)
# Byte offsets of the object's fields, and its size.
REFCOUNT, LEN, CAP, ITEMS, SIZE = 0, 8, 16, 24, 32
MIN_CAP = 4
# The largest items buffer requested (callers of malloc never overflow).
MAX_NBYTES = 1 << 62


def types() -> dict[str, Any]:
    from llvmlite import ir

    p, i1, i64 = ir.PointerType(), ir.IntType(1), ir.IntType(64)
    return {
        LIST_NEW: ir.FunctionType(p, [i64, i64]),
        LIST_RESERVE: ir.FunctionType(i1, [p, i64, i64]),
        LIST_FREE: ir.FunctionType(ir.VoidType(), [p]),
        "realloc": ir.FunctionType(p, [p, i64]),
    }


def field(b: Any, obj: Any, offset: int) -> Any:
    """The address of a field of a list object."""
    from llvmlite import ir

    i8, i64 = ir.IntType(8), ir.IntType(64)
    return b.gep(obj, [ir.Constant(i64, offset)], inbounds=True, source_etype=i8)


def emit(mod: Any, declare: Any, live_blocks: Any) -> None:
    """Add the list helpers to the runtime module; `declare(name)` gives a C function."""
    from llvmlite import ir

    i1, i64, p = ir.IntType(1), ir.IntType(64), ir.PointerType()
    null = ir.Constant(p, None)
    all_types = types()

    def new_fn(name: str) -> tuple[ir.Function, ir.IRBuilder]:
        fn = ir.Function(mod, all_types[name], name=name)
        fn.attributes.add("nounwind")
        return fn, ir.IRBuilder(fn.append_basic_block("entry"))

    def count(b: ir.IRBuilder, delta: int) -> None:
        b.store(b.add(b.load(live_blocks, typ=i64), ir.Constant(i64, delta)), live_blocks)

    def nbytes(b: ir.IRBuilder, size: Any, n: Any) -> tuple[Any, Any]:
        r = b.umul_with_overflow(size, n)
        too_big = b.or_(b.extract_value(r, 1),
                        b.icmp_unsigned(">", b.extract_value(r, 0), ir.Constant(i64, MAX_NBYTES)))
        return b.extract_value(r, 0), too_big

    # new
    fn, b = new_fn(LIST_NEW)
    size, cap = fn.args
    cap = b.select(b.icmp_signed("<", cap, ir.Constant(i64, MIN_CAP)), ir.Constant(i64, MIN_CAP), cap)
    n, too_big = nbytes(b, size, cap)
    fail, go = fn.append_basic_block("fail"), fn.append_basic_block("go")
    b.cbranch(too_big, fail, go)
    b.position_at_end(go)
    items = b.call(declare("malloc"), [n])
    got_items, free_fail = fn.append_basic_block("got_items"), fn.append_basic_block("free_fail")
    b.cbranch(b.icmp_unsigned("==", items, null), fail, got_items)
    b.position_at_end(got_items)
    obj = b.call(declare("malloc"), [ir.Constant(i64, SIZE)])
    done = fn.append_basic_block("done")
    b.cbranch(b.icmp_unsigned("==", obj, null), free_fail, done)
    b.position_at_end(free_fail)
    b.call(declare("free"), [items])
    b.branch(fail)
    b.position_at_end(done)
    for off, v in ((REFCOUNT, ir.Constant(i64, 1)), (LEN, ir.Constant(i64, 0)), (CAP, cap)):
        b.store(v, field(b, obj, off))
    b.store(items, field(b, obj, ITEMS))
    count(b, 1)
    b.ret(obj)
    b.position_at_end(fail)
    b.ret(null)

    # reserve
    fn, b = new_fn(LIST_RESERVE)
    obj, size, need = fn.args
    cap = b.load(field(b, obj, CAP), typ=i64)
    grow, ok = fn.append_basic_block("grow"), fn.append_basic_block("ok")
    b.cbranch(b.icmp_signed(">", need, cap), grow, ok)
    b.position_at_end(grow)
    doubled = b.shl(cap, ir.Constant(i64, 1))
    new_cap = b.select(b.icmp_signed(">", need, doubled), need, doubled)
    n, too_big = nbytes(b, size, new_cap)
    fail, go = fn.append_basic_block("fail"), fn.append_basic_block("go")
    b.cbranch(too_big, fail, go)
    b.position_at_end(go)
    items = b.call(declare("realloc"), [b.load(field(b, obj, ITEMS), typ=p), n])
    store = fn.append_basic_block("store")
    b.cbranch(b.icmp_unsigned("==", items, null), fail, store)
    b.position_at_end(store)
    b.store(items, field(b, obj, ITEMS))
    b.store(new_cap, field(b, obj, CAP))
    b.branch(ok)
    b.position_at_end(ok)
    b.ret(ir.Constant(i1, 1))
    b.position_at_end(fail)
    b.ret(ir.Constant(i1, 0))

    # free
    fn, b = new_fn(LIST_FREE)
    obj = fn.args[0]
    b.call(declare("free"), [b.load(field(b, obj, ITEMS), typ=p)])
    b.call(declare("free"), [obj])
    count(b, -1)
    b.ret_void()
