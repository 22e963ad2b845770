"""Array ops -> LLVM IR over the struct `{ptr meminfo, ptr parent, ptr data, [n x i64] shape,
[n x i64] strides}` (docs/arrays-internals.md; strides in bytes).

Element addresses are GEPs from `data`. For C and F arrays the strides are derived
from the shape (the innermost one is the constant itemsize) and the address is one
GEP over the element type with a linear index, so LLVM sees unit-stride accesses and
can vectorize; an A array uses its stored strides with a GEP over bytes. Deriving the
strides also makes the code immune to the arbitrary strides NumPy allows on axes of
extent 1 in contiguous arrays.

array.map / array.assign / array.reduce never reach the backend: ir/passes/lower_arrays.py
turns them into loops over the ops lowered here.
"""
from __future__ import annotations

from llvmlite import ir

from ember.ir.core import Operation
from ember.ir.types import ArrayType

from . import runtime_helpers as rt
from .context import FuncLowering, LoweringError
from .llvm_types import (ARRAY_DATA, ARRAY_MEMINFO, ARRAY_PARENT, ARRAY_SHAPE, ARRAY_STRIDES, I8,
                         I64, PTR, array_struct, from_mem, itemsize, mem_type, to_mem)
from .registry import lowers

TOO_BIG = ("MemoryError", "array is too big: its size in bytes does not fit in memory")
NO_MEMORY = ("MemoryError", "Unable to allocate {} bytes for an array")
NULL = ir.Constant(PTR, None)


def _i64(v: int) -> ir.Constant:
    return ir.Constant(I64, v)


def _nsw(inst: ir.Instruction) -> ir.Instruction:
    # Indices reaching array ops are checked, so index arithmetic never overflows;
    # saying so lets SCEV analyse the address expressions of loops.
    inst.flags.append("nsw")
    return inst


def array_type(v_type: object, what: str) -> ArrayType:
    if not isinstance(v_type, ArrayType):
        raise LoweringError(f"{what} needs an array, got {v_type}")
    return v_type


def shape_of(b: ir.IRBuilder, arr: ir.Value, ndim: int) -> list[ir.Value]:
    return [b.extract_value(arr, [ARRAY_SHAPE, k]) for k in range(ndim)]


def strides_of(b: ir.IRBuilder, arr: ir.Value, t: ArrayType) -> list[ir.Value]:
    """The byte strides of `arr`: derived from the shape for C/F, stored for A."""
    n = t.ndim
    if t.layout == "A" or n == 0:
        return [b.extract_value(arr, [ARRAY_STRIDES, k]) for k in range(n)]
    shape = shape_of(b, arr, n)
    out: list[ir.Value] = [_i64(0)] * n
    order = range(n - 1, -1, -1) if t.layout == "C" else range(n)
    acc: ir.Value = _i64(itemsize(t.dtype))
    prev = None
    for k in order:
        if prev is not None:
            acc = _nsw(b.mul(acc, shape[prev]))
        out[k] = acc
        prev = k
    return out


def element_address(b: ir.IRBuilder, arr: ir.Value, t: ArrayType, idx: list[ir.Value]) -> ir.Value:
    """The address of element `idx` (already normalized and in range)."""
    data = b.extract_value(arr, ARRAY_DATA)
    n = t.ndim
    if n == 0:
        return data
    if t.layout in ("C", "F"):
        shape = shape_of(b, arr, n)
        # Horner form of the row-major (C) or column-major (F) linear index.
        axes = list(range(n)) if t.layout == "C" else list(range(n - 1, -1, -1))
        lin = idx[axes[0]]
        for k in axes[1:]:
            lin = _nsw(b.add(_nsw(b.mul(lin, shape[k])), idx[k]))
        return b.gep(data, [lin], inbounds=True, source_etype=mem_type(t.dtype))
    strides = strides_of(b, arr, t)
    off = _nsw(b.mul(idx[0], strides[0]))
    for k in range(1, n):
        off = _nsw(b.add(off, _nsw(b.mul(idx[k], strides[k]))))
    return b.gep(data, [off], inbounds=True, source_etype=I8)


def make_array(b: ir.IRBuilder, meminfo: ir.Value, parent: ir.Value, data: ir.Value,
               shape: list[ir.Value], strides: list[ir.Value]) -> ir.Value:
    """Build the array struct from its fields."""
    out: ir.Value = ir.Constant(array_struct(len(shape)), ir.Undefined)
    out = b.insert_value(out, meminfo, ARRAY_MEMINFO)
    out = b.insert_value(out, parent, ARRAY_PARENT)
    out = b.insert_value(out, data, ARRAY_DATA)
    for k, (e, s) in enumerate(zip(shape, strides)):
        out = b.insert_value(out, e, [ARRAY_SHAPE, k])
        out = b.insert_value(out, s, [ARRAY_STRIDES, k])
    return out


def refcount(fl: FuncLowering, arr: ir.Value, helper: str) -> None:
    """Call retain/release on `arr`'s meminfo, skipped inline when it is NULL (a borrowed
    buffer), so arrays ember does not own cost one compare."""
    b = fl.builder
    meminfo = b.extract_value(arr, ARRAY_MEMINFO)
    fn = fl.mod.runtime(helper)
    with b.if_then(b.icmp_unsigned("!=", meminfo, NULL)):
        b.call(fn, [meminfo])


@lowers("array.dim")
def _dim(fl: FuncLowering, op: Operation) -> None:
    array_type(op.operands[0].type, "array.dim")
    axis = int(op.attributes["axis"])
    fl.set_result(op, fl.builder.extract_value(fl.get(op.operands[0]), [ARRAY_SHAPE, axis]))


@lowers("array.load")
def _load(fl: FuncLowering, op: Operation) -> None:
    t = array_type(op.operands[0].type, "array.load")
    b = fl.builder
    arr, *idx = fl.operands(op)
    addr = element_address(b, arr, t, idx)
    fl.set_result(op, from_mem(b, b.load(addr, typ=mem_type(t.dtype)), t.dtype))


@lowers("array.store")
def _store(fl: FuncLowering, op: Operation) -> None:
    t = array_type(op.operands[1].type, "array.store")
    b = fl.builder
    value, arr, *idx = fl.operands(op)
    b.store(to_mem(b, value, t.dtype), element_address(b, arr, t, idx))


@lowers("array.alloc")
def _alloc(fl: FuncLowering, op: Operation) -> None:
    t = array_type(op.results[0].type, "array.alloc")
    fl.set_result(op, allocate_array(fl, t, fl.operands(op)))


def allocate_array(fl: FuncLowering, t: ArrayType, extents: list[ir.Value]) -> ir.Value:
    """A new uninitialized C array of those extents (MemoryError when too big)."""
    b = fl.builder
    nbytes: ir.Value = _i64(itemsize(t.dtype))
    overflow: ir.Value = ir.Constant(ir.IntType(1), 0)
    for e in extents:
        r = b.umul_with_overflow(nbytes, e)
        nbytes = b.extract_value(r, 0)
        overflow = b.or_(overflow, b.extract_value(r, 1))
    if extents:
        too_big = b.or_(overflow, b.icmp_unsigned(">", nbytes, _i64(rt.MAX_NBYTES)))
        fl.check(b.not_(too_big), fl.mod.errors.code(*TOO_BIG))
    alloc = fl.mod.runtime(rt.ALLOC)
    # A fresh malloc block, like malloc's own result: LLVM may assume no other pointer
    # reaches it, so loops writing a new array need no runtime overlap checks.
    alloc.return_value.add_attribute("noalias")
    meminfo = b.call(alloc, [nbytes])
    fl.check_with_args(b.icmp_unsigned("!=", meminfo, NULL), fl.mod.errors.code(*NO_MEMORY), [nbytes])
    # The data pointer as ember_rt_alloc computes it (the block's first aligned byte after
    # the header), derived from `meminfo` rather than loaded, so it keeps that provenance.
    past_header = b.gep(meminfo, [_i64(rt.HEADER_SIZE + rt.DATA_ALIGN - 1)], inbounds=True,
                        source_etype=I8)
    ptrmask = fl.mod.declare("llvm.ptrmask.p0.i64", PTR, [PTR, I64])
    data = b.call(ptrmask, [past_header, _i64(-rt.DATA_ALIGN)])
    shell = make_array(b, meminfo, NULL, data, extents, [_i64(0)] * len(extents))
    return make_array(b, meminfo, NULL, data, extents, strides_of(b, shell, t))


@lowers("array.subview")
def _subview(fl: FuncLowering, op: Operation) -> None:
    t = array_type(op.operands[0].type, "array.subview")
    b = fl.builder
    arr, *rest = fl.operands(op)
    shape = shape_of(b, arr, t.ndim)
    strides = strides_of(b, arr, t)
    out_shape: list[ir.Value] = []
    out_strides: list[ir.Value] = []
    offset: ir.Value = _i64(0)
    axis = 0
    pos = 0
    for kind in str(op.attributes["kinds"]):
        if kind == "i":
            offset = _nsw(b.add(offset, _nsw(b.mul(rest[pos], strides[axis]))))
            pos += 1
            axis += 1
        elif kind == "s":
            start, count, step = rest[pos:pos + 3]
            offset = _nsw(b.add(offset, _nsw(b.mul(start, strides[axis]))))
            out_shape.append(count)
            out_strides.append(_nsw(b.mul(step, strides[axis])))
            pos += 3
            axis += 1
        elif kind == "n":
            out_shape.append(_i64(1))
            out_strides.append(_i64(0))  # as NumPy gives np.newaxis
        else:
            raise LoweringError(f"array.subview kind {kind!r}")
    out_shape += shape[axis:]
    out_strides += strides[axis:]
    # Not inbounds: an empty slice may start one past the end.
    data = b.gep(b.extract_value(arr, ARRAY_DATA), [offset], source_etype=I8)
    view = make_array(b, b.extract_value(arr, ARRAY_MEMINFO), b.extract_value(arr, ARRAY_PARENT),
                      data, out_shape, out_strides)
    refcount(fl, arr, rt.RETAIN)
    fl.set_result(op, view)


@lowers("array.transpose")
def _transpose(fl: FuncLowering, op: Operation) -> None:
    t = array_type(op.operands[0].type, "array.transpose")
    b = fl.builder
    arr = fl.get(op.operands[0])
    shape = shape_of(b, arr, t.ndim)[::-1]
    strides = strides_of(b, arr, t)[::-1]
    view = make_array(b, b.extract_value(arr, ARRAY_MEMINFO), b.extract_value(arr, ARRAY_PARENT),
                      b.extract_value(arr, ARRAY_DATA), shape, strides)
    refcount(fl, arr, rt.RETAIN)
    fl.set_result(op, view)


@lowers("array.reshape")
def _reshape(fl: FuncLowering, op: Operation) -> None:
    t = array_type(op.results[0].type, "array.reshape")
    b = fl.builder
    arr, *extents = fl.operands(op)
    meminfo, data = b.extract_value(arr, ARRAY_MEMINFO), b.extract_value(arr, ARRAY_DATA)
    parent = b.extract_value(arr, ARRAY_PARENT)
    # the C strides of the new extents, stored so that a returned view boxes correctly
    shell = make_array(b, meminfo, parent, data, extents, [_i64(0)] * len(extents))
    view = make_array(b, meminfo, parent, data, extents, strides_of(b, shell, t))
    refcount(fl, arr, rt.RETAIN)
    fl.set_result(op, view)


@lowers("array.retain")
def _retain(fl: FuncLowering, op: Operation) -> None:
    refcount(fl, fl.get(op.operands[0]), rt.RETAIN)


@lowers("array.release")
def _release(fl: FuncLowering, op: Operation) -> None:
    refcount(fl, fl.get(op.operands[0]), rt.RELEASE)
