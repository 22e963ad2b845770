"""Array arguments and results of the CPython call wrapper (see backend/wrapper.py).

Unboxing (`unbox_array`) is one call of the runtime helper `ember_rt_unbox_array`
(backend/runtime_helpers.py, compiled once per process) that makes these checks: the
argument's `ob_type` must be exactly `numpy.ndarray`; its `nd`, dtype type number and
byte order, and flags must match the specialization's `ArrayType`:

- layout C: C_CONTIGUOUS; F: F_CONTIGUOUS and not C_CONTIGUOUS (just F_CONTIGUOUS for
  ndim <= 1); A: neither. So each specialization takes exactly the arrays `typeof`
  types as it (backend/boxing.py `array_layout_of`) and dispatch stays exact;
- ALIGNED always; WRITEABLE set for a writable specialization, clear for a readonly one.

The value is `{meminfo = NULL, parent = the array, data, shape[nd], strides[nd]}`.

Boxing (`box_array`) returns a new reference or NULL with the Python error set:

- meminfo != NULL (memory owned by the ember runtime): a new writeable ndarray over
  `data` with the given shape and strides, whose base is a PyCapsule named
  "ember.meminfo" holding the meminfo; the capsule takes over the result's reference
  and its destructor releases it;
- else, with a parent: the parent itself (incref) if data, shape, strides and dtype are
  the parent's; otherwise a new view whose base is the parent (incref);
- neither (only an array with no memory to own): an ndarray with no base.
"""
from __future__ import annotations

from typing import Any

from llvmlite import ir

from ember.backend import pyapi, runtime_helpers as rt
from ember.backend.boxing import (
    ARR_DATA_OFFSET, ARR_DESCR_OFFSET, ARR_DIMS_OFFSET, ARR_NDIM_OFFSET, ARR_STRIDES_OFFSET,
    ARRAY_DTYPES, ARRAY_RESULT_TYPE_NUM, DESCR_TYPE_NUM_OFFSET, NPY_ARRAY_ALIGNED,
    NPY_ARRAY_C_CONTIGUOUS, NPY_ARRAY_F_CONTIGUOUS, NPY_ARRAY_WRITEABLE,
)
from ember.backend.llvm_types import (
    ARRAY_DATA, ARRAY_MEMINFO, ARRAY_PARENT, ARRAY_SHAPE, ARRAY_STRIDES, array_struct,
)
from ember.ir.types import ArrayType

_PTR = ir.PointerType()
_I8 = ir.IntType(8)
_I32 = ir.IntType(32)
_I64 = ir.IntType(64)


def flag_test(t: ArrayType) -> tuple[int, int]:
    """(mask, value): an array fits `t` iff `flags & mask == value`."""
    c, f = NPY_ARRAY_C_CONTIGUOUS, NPY_ARRAY_F_CONTIGUOUS
    if t.layout == "C":
        mask, want = c, c
    elif t.layout == "F":
        mask, want = (f, f) if t.ndim <= 1 else (c | f, f)
    else:
        mask, want = c | f, 0
    mask |= NPY_ARRAY_ALIGNED | NPY_ARRAY_WRITEABLE
    want |= NPY_ARRAY_ALIGNED | (0 if t.readonly else NPY_ARRAY_WRITEABLE)
    return mask, want


def _i32(v: int) -> ir.Constant:
    return ir.Constant(_I32, v)


def _type_num_ok(b: ir.IRBuilder, num: ir.Value, t: ArrayType) -> ir.Value:
    ok: ir.Value | None = None
    for n in ARRAY_DTYPES[t.dtype]:
        m = b.icmp_signed("==", num, _i32(n))
        ok = m if ok is None else b.or_(ok, m)
    assert ok is not None
    return ok


# ---------------------------------------------------------------- unboxing

def unbox_array(ctx: Any, obj: ir.Value, t: ArrayType) -> ir.Value:
    """The array struct of ndarray `obj`; branches to `ctx.fail` unless it fits `t`.

    One call of the shared `ember_rt_unbox_array` (backend/runtime_helpers.py) does the
    checks and fills a stack slot: inlining them made every wrapper bigger to optimize."""
    b = ctx.b
    struct_t = array_struct(t.ndim)
    here = b.block
    b.position_at_start(b.function.entry_basic_block)
    slot = b.alloca(struct_t, name=f"array_arg_{t.ndim}")
    b.position_at_end(here)
    nums = ARRAY_DTYPES[t.dtype]
    assert 1 <= len(nums) <= 2, nums  # the helper takes two type numbers
    mask, want = flag_test(t)
    fits = b.call(rt.declare(ctx.mod, rt.UNBOX_ARRAY),
                  [obj, _i32(t.ndim), _i32(nums[0]), _i32(nums[-1]), _i32(mask), _i32(want), slot])
    read = ctx.new_block(f"array_read_{t.ndim}")
    b.cbranch(fits, read, ctx.fail)
    b.position_at_end(read)
    return b.load(slot, typ=struct_t)


def _load_i64(b: ir.IRBuilder, base: ir.Value, i: int) -> ir.Value:
    addr = b.gep(base, [ir.Constant(_I64, i)], inbounds=True, source_etype=_I64)
    return b.load(addr, typ=_I64)


# ---------------------------------------------------------------- boxing

def box_array(ctx: Any, v: ir.Value, t: ArrayType) -> ir.Value:
    """A new reference to the ndarray for array struct `v`, or NULL with the error set."""
    b = ctx.b
    meminfo = b.extract_value(v, ARRAY_MEMINFO)
    parent = b.extract_value(v, ARRAY_PARENT)
    data = b.extract_value(v, ARRAY_DATA)
    # NumPy reads the extents through pointers: spill them (allocas in the entry block).
    dims_t = ir.ArrayType(_I64, max(t.ndim, 1))
    here = b.block
    b.position_at_start(b.function.entry_basic_block)
    shape_p = b.alloca(dims_t, name="box_shape")
    strides_p = b.alloca(dims_t, name="box_strides")
    b.position_at_end(here)
    b.store(_pad(b, b.extract_value(v, ARRAY_SHAPE), t.ndim), shape_p)
    b.store(_pad(b, b.extract_value(v, ARRAY_STRIDES), t.ndim), strides_p)

    owned = ctx.new_block("box_owned")
    borrowed = ctx.new_block("box_borrowed")
    done = ctx.new_block("box_done")
    b.cbranch(b.icmp_unsigned("!=", meminfo, ir.Constant(_PTR, None)), owned, borrowed)
    results: list[tuple[ir.Value, ir.Block]] = []

    b.position_at_end(owned)
    results += _box_owned(ctx, t, meminfo, data, shape_p, strides_p, done)

    b.position_at_end(borrowed)
    with_parent = ctx.new_block("box_parent")
    orphan = ctx.new_block("box_orphan")
    b.cbranch(b.icmp_unsigned("!=", parent, ir.Constant(_PTR, None)), with_parent, orphan)
    b.position_at_end(orphan)
    arr = _new_array(ctx, t, data, shape_p, strides_p, writeable=not t.readonly)
    results.append((arr, b.block))
    b.branch(done)

    b.position_at_end(with_parent)
    results += _box_borrowed(ctx, t, v, parent, data, shape_p, strides_p, done)

    b.position_at_end(done)
    phi = b.phi(_PTR, name="boxed_array")
    for val, blk in results:
        phi.add_incoming(val, blk)
    return phi


def _pad(b: ir.IRBuilder, dims: ir.Value, ndim: int) -> ir.Value:
    """A 0-d array's [0 x i64] as the [1 x i64] that its alloca holds."""
    if ndim:
        return dims
    return ir.Constant(ir.ArrayType(_I64, 1), [0])


def _new_array(ctx: Any, t: ArrayType, data: ir.Value, shape_p: ir.Value, strides_p: ir.Value,
               writeable: bool) -> ir.Value:
    """PyArray_NewFromDescr(&PyArray_Type, descr(t.dtype), ...) over `data`; NULL on error
    (DescrFromType's NULL makes NewFromDescr fail cleanly: it steals and checks it)."""
    b = ctx.b
    descr = b.call(ctx.fn("_ember_PyArray_DescrFromType"), [_i32(ARRAY_RESULT_TYPE_NUM[t.dtype])])
    flags = NPY_ARRAY_WRITEABLE if writeable else 0
    return b.call(ctx.fn("_ember_PyArray_NewFromDescr"), [
        ctx.obj(pyapi.NDARRAY_SYMBOL), descr, _i32(t.ndim), shape_p, strides_p, data,
        _i32(flags), ir.Constant(_PTR, None)])


def _fail_if_null(ctx: Any, obj: ir.Value, cleanup: ir.Value | None,
                  results: list, done: ir.Block) -> None:
    """If `obj` is NULL: decref `cleanup` (if any) and go to `done` with NULL."""
    b = ctx.b
    bad = ctx.new_block("box_array_failed")
    good = ctx.new_block("box_array_ok")
    b.cbranch(b.icmp_unsigned("==", obj, ir.Constant(_PTR, None)), bad, good)
    b.position_at_end(bad)
    if cleanup is not None:
        b.call(ctx.fn("Py_DecRef"), [cleanup])
    results.append((ir.Constant(_PTR, None), bad))
    b.branch(done)
    b.position_at_end(good)


def _set_base(ctx: Any, arr: ir.Value, base: ir.Value, results: list, done: ir.Block) -> None:
    """PyArray_SetBaseObject(arr, base) (steals `base`, even on failure); then `arr` or NULL."""
    b = ctx.b
    rc = b.call(ctx.fn("_ember_PyArray_SetBaseObject"), [arr, base])
    bad = ctx.new_block("set_base_failed")
    good = ctx.new_block("set_base_ok")
    b.cbranch(b.icmp_signed("<", rc, _i32(0)), bad, good)
    b.position_at_end(bad)
    b.call(ctx.fn("Py_DecRef"), [arr])
    results.append((ir.Constant(_PTR, None), bad))
    b.branch(done)
    b.position_at_end(good)
    results.append((arr, good))
    b.branch(done)


def _box_owned(ctx: Any, t: ArrayType, meminfo: ir.Value, data: ir.Value, shape_p: ir.Value,
               strides_p: ir.Value, done: ir.Block) -> list:
    b = ctx.b
    results: list = []
    # The capsule first: once it exists, dropping it is what frees the memory on failure.
    destructor = _declare_destructor(ctx.mod)
    cap = b.call(ctx.fn("PyCapsule_New"), [meminfo, _capsule_name(ctx.mod), destructor])
    _fail_if_null(ctx, cap, None, results, done)
    arr = _new_array(ctx, t, data, shape_p, strides_p, writeable=True)
    _fail_if_null(ctx, arr, cap, results, done)
    _set_base(ctx, arr, cap, results, done)
    return results


def _box_borrowed(ctx: Any, t: ArrayType, v: ir.Value, parent: ir.Value, data: ir.Value,
                  shape_p: ir.Value, strides_p: ir.Value, done: ir.Block) -> list:
    b = ctx.b
    results: list = []
    # The parent itself when the result is exactly it (f(a) is a).
    same = b.icmp_unsigned("==", ctx.field(parent, ARR_DATA_OFFSET, _PTR), data)
    same = b.and_(same, b.icmp_signed("==", ctx.field(parent, ARR_NDIM_OFFSET, _I32), _i32(t.ndim)))
    descr = ctx.field(parent, ARR_DESCR_OFFSET, _PTR)
    same = b.and_(same, _type_num_ok(b, ctx.field(descr, DESCR_TYPE_NUM_OFFSET, _I32), t))
    compare = ctx.new_block("box_compare_dims")
    view = ctx.new_block("box_view")
    b.cbranch(same, compare, view)
    b.position_at_end(compare)
    if t.ndim:
        dims = ctx.field(parent, ARR_DIMS_OFFSET, _PTR)
        strides = ctx.field(parent, ARR_STRIDES_OFFSET, _PTR)
        eq: ir.Value = ir.Constant(ir.IntType(1), 1)
        for i in range(t.ndim):
            eq = b.and_(eq, b.icmp_signed("==", _load_i64(b, dims, i),
                                          b.extract_value(v, [ARRAY_SHAPE, i])))
            eq = b.and_(eq, b.icmp_signed("==", _load_i64(b, strides, i),
                                          b.extract_value(v, [ARRAY_STRIDES, i])))
    else:
        eq = ir.Constant(ir.IntType(1), 1)
    identical = ctx.new_block("box_identical")
    b.cbranch(eq, identical, view)
    b.position_at_end(identical)
    ctx.incref(parent)
    results.append((parent, identical))
    b.branch(done)

    b.position_at_end(view)
    arr = _new_array(ctx, t, data, shape_p, strides_p, writeable=not t.readonly)
    _fail_if_null(ctx, arr, None, results, done)
    ctx.incref(parent)
    _set_base(ctx, arr, parent, results, done)
    return results


def _declare_destructor(llmod: ir.Module) -> ir.Function:
    name = pyapi.capsule_destructor()
    existing = llmod.globals.get(name)
    if existing is not None:
        return existing
    return ir.Function(llmod, ir.FunctionType(ir.VoidType(), [_PTR]), name=name)


def _capsule_name(llmod: ir.Module) -> ir.GlobalVariable:
    """The capsule's name: a C string that lives as long as the process (a capsule keeps
    the pointer, and may outlive any one module)."""
    return pyapi.declare_object(llmod, pyapi.capsule_name_symbol())
