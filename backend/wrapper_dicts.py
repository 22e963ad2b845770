"""Dict arguments crossing the CPython wrapper (backend/wrapper.py): a Python `dict` typed
`dict<K, V>` (ember/typeof.py) becomes a new runtime hash map, once per call.

The five lists of typeinfer/dictlib.py are filled straight from the dict, in its
insertion order (`PyDict_Next`): keys and values unboxed like arguments, each key's hash
computed as the compiled code computes it (`hash.of` / `str.hash` / the tuple combine of
typeinfer/dicts.py, masked to 62 bits), then the index table built by linear probing with
the size `_rebuild` would choose, and `meta = [n, n]`. No key is compared: a Python dict
holds no two equal keys, and ember/typeof.py admits one key type only (no 1 / 1.0 / True
mix), so distinct Python keys stay distinct ember keys.

The compiled function gets a copy (backend/wrapper_reflect.py writes its changes back). A
conversion failing half-way (a value of another type, out of memory) releases the partial
dict (`push_cleanup`) before taking the fallback, which types the arguments anew.
"""
from __future__ import annotations

from typing import Any

from llvmlite import ir

from ember.backend import runtime_helpers as rt
from ember.backend import runtime_lists as rl
from ember.backend.boxing import DICT_USED_OFFSET, OB_TYPE_OFFSET
from ember.backend.llvm_types import mem_type, size_align, to_mem, value_type
from ember.backend.lower_dict import _mix, part_types
from ember.backend.lower_list import change_refs, item_address
from ember.backend.wrapper_containers import Unbox, push_cleanup
from ember.ir.types import I64 as I64_T, DictType, ListType, ScalarType, StrType, TupleType, Type

_PTR = ir.PointerType()
_I8 = ir.IntType(8)
_I32 = ir.IntType(32)
_I64 = ir.IntType(64)
_NULL = ir.Constant(_PTR, None)
_MASK = (1 << 62) - 1  # as typeinfer/dicts.py: live hashes are >= 0
_FNV_OFFSET = 0xCBF29CE484222325 - (1 << 64)
_FNV_PRIME = 0x100000001B3
_AVALANCHE = ((33, 0xFF51AFD7ED558CCD - (1 << 64)), (33, 0xC4CEB9FE1A85EC53 - (1 << 64)), (33, None))


def _c(v: int) -> ir.Constant:
    return ir.Constant(_I64, v)


def _entry_alloca(ctx: Any, ty: ir.Type) -> ir.Value:
    """A stack slot in the wrapper's entry block (outside any loop)."""
    entry = ctx.b.function.entry_basic_block
    tmp = ir.IRBuilder(entry)
    tmp.position_at_start(entry)
    return tmp.alloca(ty)


# ---- hashes (must agree with the compiled code's) -------------------------------------------
def _scalar_hash(b: ir.IRBuilder, x: ir.Value, t: ScalarType) -> ir.Value:
    """backend/lower_dict.py's `hash.of`."""
    if t.kind == "f":
        x = b.fadd(x, ir.Constant(x.type, 0.0))  # -0.0 hashes as 0.0
        x = b.bitcast(x, ir.IntType(32 if isinstance(x.type, ir.FloatType) else 64))
    if x.type != _I64:
        x = b.sext(x, _I64) if t.kind == "i" and x.type.width != 1 else b.zext(x, _I64)
    return _mix(b, x)


def _str_hash(ctx: Any, s: ir.Value) -> ir.Value:
    """backend/lower_str.py's `str.hash`: FNV-1a over the UTF-8 bytes, then an avalanche."""
    b = ctx.b
    data, n = b.extract_value(s, 0), b.extract_value(s, 1)
    start = b.block
    head, body, done = ctx.new_block("hash_bytes"), ctx.new_block("hash_byte"), ctx.new_block("hashed")
    b.branch(head)
    b.position_at_end(head)
    i, h = b.phi(_I64), b.phi(_I64)
    i.add_incoming(_c(0), start)
    h.add_incoming(_c(_FNV_OFFSET), start)
    b.cbranch(b.icmp_signed("<", i, n), body, done)
    b.position_at_end(body)
    byte = b.load(b.gep(data, [i], inbounds=True, source_etype=_I8), typ=_I8)
    h2 = b.mul(b.xor(h, b.zext(byte, _I64)), _c(_FNV_PRIME))
    i.add_incoming(b.add(i, _c(1)), body)
    h.add_incoming(h2, body)
    b.branch(head)
    b.position_at_end(done)
    out: ir.Value = h
    for shift, mul in _AVALANCHE:
        out = b.xor(out, b.lshr(out, _c(shift)))
        if mul is not None:
            out = b.mul(out, _c(mul))
    return out


def _raw_hash(ctx: Any, v: ir.Value, t: Type) -> ir.Value:
    """typeinfer/dicts.py's `_raw_hash` of a key value (SSA form)."""
    b = ctx.b
    if isinstance(t, StrType):
        return _str_hash(ctx, v)
    if isinstance(t, TupleType):
        h: ir.Value = _c(0x345678)
        for i, e in enumerate(t.elements):
            h = b.mul(b.xor(h, _raw_hash(ctx, b.extract_value(v, i), e)), _c(1000003))
        return h
    assert isinstance(t, ScalarType)
    return _scalar_hash(b, v, t)


def key_hash(ctx: Any, v: ir.Value, t: Type) -> ir.Value:
    """The hash the compiled code computes for key `v` of type `t` (>= 0)."""
    return ctx.b.and_(_raw_hash(ctx, v, t), _c(_MASK))


# ---- unboxing ------------------------------------------------------------------------------
def _table_size(ctx: Any, n: ir.Value) -> ir.Value:
    """typeinfer/dictlib.py's `_rebuild` size for n entries and one more: the smallest
    power of two >= 8 with size * 2 >= (n + 1) * 3."""
    b = ctx.b
    need = b.mul(b.add(n, _c(1)), _c(3))
    start = b.block
    head, grow, done = ctx.new_block("table_size"), ctx.new_block("table_grow"), ctx.new_block("table_sized")
    b.branch(head)
    b.position_at_end(head)
    size = b.phi(_I64)
    size.add_incoming(_c(8), start)
    b.cbranch(b.icmp_signed("<", b.mul(size, _c(2)), need), grow, done)
    b.position_at_end(grow)
    size.add_incoming(b.mul(size, _c(2)), grow)
    b.branch(head)
    b.position_at_end(done)
    return size


def _new_lists(ctx: Any, t: DictType, caps: list[ir.Value]) -> ir.Value:
    """The dict struct of five new lists; out of memory frees the ones made and falls back."""
    b = ctx.b
    out: ir.Value = ir.Constant(value_type(t), ir.Undefined)
    missing: ir.Value = ir.Constant(ir.IntType(1), 0)
    for i, (pt, cap) in enumerate(zip(part_types(t), caps)):
        lst = b.call(rt.declare(ctx.mod, rl.LIST_NEW), [_c(size_align(mem_type(pt.elem))[0]), cap])
        missing = b.or_(missing, b.icmp_unsigned("==", lst, _NULL))
        out = b.insert_value(out, lst, i)
    oom, made = ctx.new_block("dict_no_memory"), ctx.new_block("dict_lists_made")
    b.cbranch(missing, oom, made)
    b.position_at_end(oom)
    change_refs(ctx.mod, b, out, t, retain=False)  # releasing a NULL list is a no-op
    b.branch(ctx.fail)
    b.position_at_end(made)
    return out


def _set_len(b: ir.IRBuilder, lst: ir.Value, n: ir.Value) -> None:
    b.store(n, rl.field(b, lst, rl.LEN))


def unbox_dict(ctx: Any, obj: ir.Value, t: DictType, unbox: Unbox) -> ir.Value:
    """An exact dict whose keys and values all unbox as `t.key` / `t.value`: a new runtime
    dict (an owned reference, released after the call like a list argument)."""
    b = ctx.b
    check = ctx.new_block("dict_check")
    b.cbranch(b.icmp_unsigned("==", ctx.field(obj, OB_TYPE_OFFSET, _PTR), ctx.obj("PyDict_Type")),
              check, ctx.fail)
    b.position_at_end(check)
    n = ctx.field(obj, DICT_USED_OFFSET, _I64)
    size = _table_size(ctx, n)
    d = _new_lists(ctx, t, [n, n, n, size, _c(2)])
    keys, vals, hashes, table, meta = (b.extract_value(d, i) for i in range(5))
    keys_t, vals_t, i64_t = ListType(t.key), ListType(t.value), part_types(t)[2]
    outer_fail = ctx.fail
    push_cleanup(ctx, d, t)  # a key or value that does not unbox frees the partial dict

    pos, pkey, pval = _entry_alloca(ctx, _I64), _entry_alloca(ctx, _PTR), _entry_alloca(ctx, _PTR)
    b.store(_c(0), pos)
    start = b.block
    head, more, body, done = (ctx.new_block(x) for x in ("dict_args", "dict_arg_more", "dict_arg",
                                                        "dict_args_done"))
    b.branch(head)
    b.position_at_end(head)
    i = b.phi(_I64)
    i.add_incoming(_c(0), start)
    b.cbranch(b.icmp_signed("<", i, n), more, done)
    b.position_at_end(more)
    got = b.call(ctx.fn("PyDict_Next"), [obj, pos, pkey, pval])
    b.cbranch(b.icmp_signed("!=", got, ir.Constant(_I32, 0)), body, done)
    b.position_at_end(body)
    entry_fail = ctx.fail
    k = unbox(ctx, b.load(pkey, typ=_PTR), t.key)  # keys hold no references
    v = unbox(ctx, b.load(pval, typ=_PTR), t.value)
    ctx.fail = entry_fail  # the value belongs to the dict from here on
    h = key_hash(ctx, k, t.key)
    b.store(to_mem(b, k, t.key), item_address(b, keys, keys_t, i))
    b.store(to_mem(b, v, t.value), item_address(b, vals, vals_t, i))
    b.store(h, item_address(b, hashes, i64_t, i))
    nxt = b.add(i, _c(1))
    for lst in (keys, vals, hashes):  # freed items are all valid
        _set_len(b, lst, nxt)
    i.add_incoming(nxt, b.block)
    b.branch(head)

    b.position_at_end(done)
    count = b.phi(_I64)
    count.add_incoming(i, head)
    count.add_incoming(i, more)
    _fill_table(ctx, table, size, hashes, count)
    _set_len(b, meta, _c(2))
    b.store(count, item_address(b, meta, i64_t, _c(0)))
    b.store(count, item_address(b, meta, i64_t, _c(1)))
    ctx.fail = outer_fail
    push_cleanup(ctx, d, t)  # and so does a later argument
    return d


def _fill_table(ctx: Any, table: ir.Value, size: ir.Value, hashes: ir.Value, n: ir.Value) -> None:
    """table = [-1] * size, then entry e at the first free slot from hashes[e] & mask."""
    b = ctx.b
    i64_t = ListType(I64_T)
    _set_len(b, table, size)
    items = b.load(rl.field(b, table, rl.ITEMS), typ=_PTR)
    b.call(_memset(ctx.mod), [items, ir.Constant(_I8, 0xFF), b.mul(size, _c(8)),
                              ir.Constant(ir.IntType(1), 0)])  # every slot -1
    mask = b.sub(size, _c(1))
    start = b.block
    head, body, probe, step, place, done = (ctx.new_block(x) for x in (
        "table_entries", "table_entry", "table_probe", "table_step", "table_place", "table_done"))
    b.branch(head)
    b.position_at_end(head)
    e = b.phi(_I64)
    e.add_incoming(_c(0), start)
    b.cbranch(b.icmp_signed("<", e, n), body, done)
    b.position_at_end(body)
    first = b.and_(b.load(item_address(b, hashes, i64_t, e), typ=_I64), mask)
    b.branch(probe)
    b.position_at_end(probe)
    slot = b.phi(_I64)
    slot.add_incoming(first, body)
    used = b.icmp_signed("!=", b.load(item_address(b, table, i64_t, slot), typ=_I64), _c(-1))
    b.cbranch(used, step, place)
    b.position_at_end(step)
    slot.add_incoming(b.and_(b.add(slot, _c(1)), mask), step)
    b.branch(probe)
    b.position_at_end(place)
    b.store(e, item_address(b, table, i64_t, slot))
    e.add_incoming(b.add(e, _c(1)), place)
    b.branch(head)
    b.position_at_end(done)


def _memset(llmod: ir.Module) -> ir.Function:
    name = "llvm.memset.p0.i64"
    fn = llmod.globals.get(name)
    if fn is None:
        fnty = ir.FunctionType(ir.VoidType(), [_PTR, _I8, _I64, ir.IntType(1)])
        fn = ir.Function(llmod, fnty, name=name)
    return fn
