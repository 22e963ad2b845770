"""Lowering of run-time strings: a str is `{ptr data, i64 nbytes}` of UTF-8 bytes that the
compiled code never owns (module constants here, or a Python argument's UTF-8 buffer the
wrapper borrowed), so no op here allocates or counts references.

`str.eq` compares lengths first and calls memcmp only on equal lengths (never reading past
either buffer); `str.lt` is memcmp over the shorter length, then the lengths (bytewise
order of UTF-8 is code point order, as Python compares strings). `str.len` counts the bytes
that are not UTF-8 continuation bytes (10xxxxxx) and `str.hash` is FNV-1a over the bytes
followed by a final avalanche: both are short loops emitted inline.
"""
from __future__ import annotations

from llvmlite import ir

from ember.ir.core import Operation

from .context import FuncLowering, ModuleLowering
from .llvm_types import I1, I8, I32, I64, PTR, STR_STRUCT
from .registry import lowers

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3


def _signed(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= 1 << 63 else v


def _constant_data(mod: ModuleLowering, text: str) -> ir.GlobalVariable:
    """One private global per distinct string of the module (with a trailing NUL that the
    length excludes, so even the empty string has a valid address)."""
    cache: dict[str, ir.GlobalVariable] = mod.__dict__.setdefault("_str_constants", {})
    g = cache.get(text)
    if g is None:
        data = bytearray(text.encode("utf-8", "surrogatepass") + b"\0")
        arr = ir.ArrayType(I8, len(data))
        g = ir.GlobalVariable(mod.llmod, arr, name=f"ember.str.{len(cache)}")
        g.global_constant = True
        g.linkage = "private"
        g.unnamed_addr = True
        g.initializer = ir.Constant(arr, data)
        cache[text] = g
    return g


def make_str(b: ir.IRBuilder, data: ir.Value, nbytes: ir.Value) -> ir.Value:
    v = b.insert_value(ir.Constant(STR_STRUCT, ir.Undefined), data, 0)
    return b.insert_value(v, nbytes, 1)


def _memcmp(fl: FuncLowering) -> ir.Function:
    return fl.mod.declare("memcmp", I32, [PTR, PTR, I64])


@lowers("str.constant")
def _str_constant(fl: FuncLowering, op: Operation) -> None:
    text = str(op.attributes["value"])
    g = _constant_data(fl.mod, text)
    nbytes = len(text.encode("utf-8", "surrogatepass"))
    data = fl.builder.gep(g, [ir.Constant(I64, 0), ir.Constant(I64, 0)], inbounds=True,
                          source_etype=g.value_type)
    fl.set_result(op, make_str(fl.builder, data, ir.Constant(I64, nbytes)))


@lowers("str.eq")
def _str_eq(fl: FuncLowering, op: Operation) -> None:
    a, c = fl.operands(op)
    b = fl.builder
    la, lc = b.extract_value(a, 1), b.extract_value(c, 1)
    start = b.block
    same_len = b.icmp_signed("==", la, lc)
    cmp_blk, done = fl.new_block("streq.cmp"), fl.new_block("streq.done")
    b.cbranch(same_len, cmp_blk, done)
    b.position_at_end(cmp_blk)
    r = b.call(_memcmp(fl), [b.extract_value(a, 0), b.extract_value(c, 0), la])
    bytes_eq = b.icmp_signed("==", r, ir.Constant(I32, 0))
    cmp_end = b.block
    b.branch(done)
    b.position_at_end(done)
    phi = b.phi(I1)
    phi.add_incoming(ir.Constant(I1, 0), start)
    phi.add_incoming(bytes_eq, cmp_end)
    fl.set_result(op, phi)


@lowers("str.lt")
def _str_lt(fl: FuncLowering, op: Operation) -> None:
    a, c = fl.operands(op)
    b = fl.builder
    la, lc = b.extract_value(a, 1), b.extract_value(c, 1)
    n = b.select(b.icmp_signed("<", la, lc), la, lc)
    r = b.call(_memcmp(fl), [b.extract_value(a, 0), b.extract_value(c, 0), n])
    zero = ir.Constant(I32, 0)
    tie_shorter = b.and_(b.icmp_signed("==", r, zero), b.icmp_signed("<", la, lc))
    fl.set_result(op, b.or_(b.icmp_signed("<", r, zero), tie_shorter))


def _byte_loop(fl: FuncLowering, s: ir.Value, init: ir.Value, step) -> ir.Value:
    """acc = init; for each byte x of `s`: acc = step(builder, acc, x); return acc."""
    b = fl.builder
    data, n = b.extract_value(s, 0), b.extract_value(s, 1)
    pre = b.block
    head, body, done = fl.new_block("strloop.head"), fl.new_block("strloop.body"), fl.new_block("strloop.done")
    b.branch(head)
    b.position_at_end(head)
    i = b.phi(I64)
    acc = b.phi(init.type)
    i.add_incoming(ir.Constant(I64, 0), pre)
    acc.add_incoming(init, pre)
    b.cbranch(b.icmp_signed("<", i, n), body, done)
    b.position_at_end(body)
    x = b.load(b.gep(data, [i], inbounds=True, source_etype=I8), typ=I8)
    nxt = step(b, acc, x)
    i.add_incoming(b.add(i, ir.Constant(I64, 1)), body)
    acc.add_incoming(nxt, body)
    b.branch(head)
    b.position_at_end(done)
    return acc


@lowers("str.len")
def _str_len(fl: FuncLowering, op: Operation) -> None:
    def step(b: ir.IRBuilder, acc: ir.Value, x: ir.Value) -> ir.Value:
        lead = b.icmp_unsigned("!=", b.and_(x, ir.Constant(I8, 0xC0)), ir.Constant(I8, 0x80))
        return b.add(acc, b.zext(lead, I64))
    fl.set_result(op, _byte_loop(fl, fl.get(op.operands[0]), ir.Constant(I64, 0), step))


@lowers("str.hash")
def _str_hash(fl: FuncLowering, op: Operation) -> None:
    def step(b: ir.IRBuilder, acc: ir.Value, x: ir.Value) -> ir.Value:
        return b.mul(b.xor(acc, b.zext(x, I64)), ir.Constant(I64, _FNV_PRIME))
    h = _byte_loop(fl, fl.get(op.operands[0]), ir.Constant(I64, _signed(_FNV_OFFSET)), step)
    # FNV-1a's low bits are weak for short keys; a murmur3 finalizer spreads every bit.
    b = fl.builder
    for shift, mul in ((33, 0xFF51AFD7ED558CCD), (33, 0xC4CEB9FE1A85EC53), (33, None)):
        h = b.xor(h, b.lshr(h, ir.Constant(I64, shift)))
        if mul is not None:
            h = b.mul(h, ir.Constant(I64, _signed(mul)))
    fl.set_result(op, h)
