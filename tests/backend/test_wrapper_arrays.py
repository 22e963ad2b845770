"""The call wrapper with NumPy arrays: unboxing (every dtype, layout and writeability),
fallbacks on any mismatch, and boxing results (identity, views, runtime-owned memory)."""
from __future__ import annotations

import gc
import resource
import sys
import weakref

import numpy as np
import pytest
from llvmlite import ir

from ember.backend import runtime_helpers as rt
from ember.backend.boxing import (
    ARR_BASE_OFFSET, ARR_DATA_OFFSET, ARR_DESCR_OFFSET, ARR_DIMS_OFFSET, ARR_FLAGS_OFFSET,
    ARR_NDIM_OFFSET, ARR_STRIDES_OFFSET, ARRAY_DTYPES, DESCR_BYTEORDER_OFFSET,
    DESCR_TYPE_NUM_OFFSET,
)
from ember.backend.llvm_types import ARRAY_DATA, ARRAY_PARENT, ARRAY_SHAPE, ARRAY_STRIDES, array_struct
from ember.ir.types import (
    BOOL, C64, C128, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64, ArrayType, TupleType,
)

from .test_wrapper_kit import HandSpec, fallback_recorder, pack_spec, store

I32T = ir.IntType(32)
I64T = ir.IntType(64)
PTR = ir.PointerType()

DTYPES = {BOOL: np.bool_, I8: np.int8, I16: np.int16, I32: np.int32, I64: np.int64,
          U8: np.uint8, U16: np.uint16, U32: np.uint32, U64: np.uint64, F32: np.float32,
          F64: np.float64, C64: np.complex64, C128: np.complex128}


def probe_type(t: ArrayType) -> TupleType:
    return TupleType((t, I64) + (I64,) * (2 * t.ndim))


def probe_spec(t: ArrayType) -> HandSpec:
    """f(a) -> (a, data address, *shape, *strides), read from the unboxed struct."""
    rt = probe_type(t)

    def body(b: ir.IRBuilder, out: ir.Value, args: list[ir.Value]) -> ir.Value:
        a = args[0]
        items = [a, b.ptrtoint(b.extract_value(a, ARRAY_DATA), I64T)]
        items += [b.extract_value(a, [ARRAY_SHAPE, i]) for i in range(t.ndim)]
        items += [b.extract_value(a, [ARRAY_STRIDES, i]) for i in range(t.ndim)]
        agg: ir.Value = ir.Constant(ir.LiteralStructType([x.type for x in items]), ir.Undefined)
        for i, x in enumerate(items):
            agg = b.insert_value(agg, x, i)
        return store(b, out, agg, rt)

    return HandSpec([t], rt, body, name="probe")


_SPECS: dict = {}


def spec_for(t: ArrayType) -> HandSpec:
    if t not in _SPECS:
        _SPECS[t] = probe_spec(t)
    return _SPECS[t]


def example(dtype, layout: str, readonly: bool) -> np.ndarray:
    base = (np.arange(60) % 7).astype(dtype).reshape(4, 15)
    if layout == "C":
        a = base[:, 3:8].copy()
    elif layout == "F":
        a = np.asfortranarray(base[:, 3:8])
    else:
        a = base[::-2, 3:8]
    if readonly:
        a.flags.writeable = False
    return a


@pytest.mark.parametrize("layout", ["C", "F", "A"])
@pytest.mark.parametrize("readonly", [False, True])
@pytest.mark.parametrize("ir_dtype", list(DTYPES))
def test_unbox_every_dtype_layout_readonly(ir_dtype, layout: str, readonly: bool) -> None:
    t = ArrayType(ir_dtype, 2, layout, readonly)
    a = example(DTYPES[ir_dtype], layout, readonly)
    calls, fb = fallback_recorder()
    f = spec_for(t).make_callable(fb)
    r = f(a)
    assert calls == []
    assert r[0] is a
    assert r[1:] == (a.ctypes.data, *a.shape, *a.strides)


def test_struct_offsets_match_numpy() -> None:
    """The PyArrayObject / descr offsets the wrapper reads, checked with ctypes."""
    import ctypes

    def rd(addr: int, off: int, ct):
        return ct.from_address(addr + off).value

    for a in [np.zeros((3, 4)), np.zeros((3, 4), order="F")[:, ::2], np.arange(5, dtype=np.int8)[::-1],
              np.zeros(3, dtype=">f8"), np.zeros((), dtype=np.complex64)]:
        p = id(a)
        nd = rd(p, ARR_NDIM_OFFSET, ctypes.c_int)
        dims = ctypes.cast(rd(p, ARR_DIMS_OFFSET, ctypes.c_void_p), ctypes.POINTER(ctypes.c_int64))
        strides = ctypes.cast(rd(p, ARR_STRIDES_OFFSET, ctypes.c_void_p), ctypes.POINTER(ctypes.c_int64))
        assert rd(p, ARR_DATA_OFFSET, ctypes.c_void_p) == a.ctypes.data
        assert nd == a.ndim
        assert [dims[i] for i in range(nd)] == list(a.shape)
        assert [strides[i] for i in range(nd)] == list(a.strides)
        assert rd(p, ARR_BASE_OFFSET, ctypes.c_void_p) == (id(a.base) if a.base is not None else None)
        descr = rd(p, ARR_DESCR_OFFSET, ctypes.c_void_p)
        assert descr == id(a.dtype)
        assert rd(descr, DESCR_TYPE_NUM_OFFSET, ctypes.c_int) == a.dtype.num
        assert rd(descr, DESCR_BYTEORDER_OFFSET, ctypes.c_char) == a.dtype.byteorder.encode()
        flags = rd(p, ARR_FLAGS_OFFSET, ctypes.c_int)
        assert bool(flags & 1) == a.flags.c_contiguous and bool(flags & 2) == a.flags.f_contiguous
        assert bool(flags & 0x400) == a.flags.writeable


def test_numpy_api_indices_match_header() -> None:
    import os
    import re

    from ember.backend.pyapi import NUMPY_API

    header = os.path.join(os.path.dirname(np.__file__), "_core", "include", "numpy", "__multiarray_api.h")
    text = open(header).read()
    for name, index in NUMPY_API.items():
        m = re.search(rf"#define {name} \\\s*\n.*\n\s*PyArray_API\[(\d+)\]\)", text)
        assert m is not None, name
        assert int(m.group(1)) == index


def test_int64_accepts_long_and_longlong() -> None:
    assert len(ARRAY_DTYPES[I64]) == 2
    f = spec_for(ArrayType(I64, 1, "C")).make_callable(fallback_recorder()[1])
    for code in "lq":
        a = np.arange(3, dtype=code)
        assert f(a)[0] is a


@pytest.mark.parametrize("t, arg", [
    (ArrayType(F64, 2, "C"), np.zeros(3)),                      # ndim
    (ArrayType(F64, 1, "C"), np.zeros((2, 2))),
    (ArrayType(F64, 1, "C"), np.zeros(3, np.float32)),          # dtype
    (ArrayType(I64, 1, "C"), np.zeros(3, np.uint64)),
    (ArrayType(I32, 1, "C"), np.zeros(3, np.int64)),
    (ArrayType(F64, 1, "C"), np.zeros(3, ">f8")),               # byte order
    (ArrayType(F64, 2, "C"), np.zeros((3, 4), order="F")),      # layout
    (ArrayType(F64, 2, "C"), np.zeros((3, 4))[:, ::2]),
    (ArrayType(F64, 2, "F"), np.zeros((3, 4))),
    (ArrayType(F64, 2, "F"), np.zeros((3, 1), order="F")),      # both C and F: a C array
    (ArrayType(F64, 2, "A"), np.zeros((3, 4))),
    (ArrayType(F64, 2, "A"), np.zeros((3, 4), order="F")),
    (ArrayType(F64, 1, "A"), np.zeros(3)),
    (ArrayType(F64, 1, "C"), np.zeros(3)[::2]),
    (ArrayType(F64, 1, "C", readonly=True), np.zeros(3)),       # writeability
    (ArrayType(F64, 1, "C"), np.broadcast_to(np.zeros(3), (3,))),
    (ArrayType(F64, 1, "C"), np.ma.zeros(3)),                  # subclasses
    (ArrayType(F64, 2, "C"), np.zeros((2, 2)).view(np.matrix)),
    (ArrayType(F64, 1, "C"), np.frombuffer(bytearray(25), np.float64, 3, 1)),  # misaligned
    (ArrayType(F64, 1, "C"), [1.0, 2.0]),                      # not arrays
    (ArrayType(F64, 1, "C"), 1.0),
    (ArrayType(F64, 0, "C"), np.float64(1.0)),
])
def test_mismatch_falls_back(t: ArrayType, arg) -> None:
    calls, fb = fallback_recorder()
    f = spec_for(t).make_callable(fb)
    assert f(arg)[0] == "fallback"
    assert len(calls) == 1 and calls[0][0][0] is arg


def test_edge_shapes() -> None:
    f0 = spec_for(ArrayType(F64, 0, "C")).make_callable(fallback_recorder()[1])
    z = np.array(2.5)
    assert f0(z)[0] is z and f0(z)[1] == z.ctypes.data
    f1 = spec_for(ArrayType(F64, 1, "C")).make_callable(fallback_recorder()[1])
    e = np.zeros(0)
    assert f1(e)[0] is e and f1(e)[1:] == (e.ctypes.data, 0, *e.strides)
    fa = spec_for(ArrayType(F64, 1, "A")).make_callable(fallback_recorder()[1])
    neg = np.arange(6.0)[::-2]
    assert fa(neg)[1:] == (neg.ctypes.data, 3, -16)
    b = np.broadcast_to(np.arange(3.0), (4, 3))  # zero stride, readonly
    fb = spec_for(ArrayType(F64, 2, "A", readonly=True)).make_callable(fallback_recorder()[1])
    assert fb(b)[1:] == (b.ctypes.data, 4, 3, 0, 8)


def test_tuple_of_arrays_roundtrip() -> None:
    t = TupleType((ArrayType(F64, 1, "C"), TupleType((ArrayType(I32, 2, "F"), F64))))
    calls, fb = fallback_recorder()
    f = pack_spec([t], name="tup").make_callable(fb)
    a, b = np.zeros(3), np.zeros((2, 3), np.int32, order="F")
    r = f((a, (b, 1.5)))
    assert r[0] is a and r[1][0] is b and r[1][1] == 1.5
    assert f((a, (b.T, 1.5)))[0] == "fallback"


# ---------------------------------------------------------------- boxing results

def _set(b: ir.IRBuilder, agg: ir.Value, idx, v: ir.Value) -> ir.Value:
    return b.insert_value(agg, v, idx)


def reverse_spec(t: ArrayType, readonly_result: bool = False) -> HandSpec:
    """f(a) -> a[::-1] (1-d), built as a view struct that keeps the parent."""
    rt = ArrayType(t.dtype, 1, "A", readonly_result)

    def body(b: ir.IRBuilder, out: ir.Value, args: list[ir.Value]) -> ir.Value:
        a = args[0]
        n = b.extract_value(a, [ARRAY_SHAPE, 0])
        s = b.extract_value(a, [ARRAY_STRIDES, 0])
        last = b.mul(b.sub(n, ir.Constant(I64T, 1)), s)
        data = b.gep(b.extract_value(a, ARRAY_DATA), [last], source_etype=ir.IntType(8))
        r = _set(b, a, ARRAY_DATA, data)
        r = _set(b, r, [ARRAY_STRIDES, 0], b.sub(ir.Constant(I64T, 0), s))
        return store(b, out, r, rt)

    return HandSpec([t], rt, body, name="reverse")


def test_identity_return_is_the_argument() -> None:
    for t, a in [(ArrayType(F64, 2, "C"), np.ones((2, 3))), (ArrayType(F64, 2, "A"), np.ones((4, 6))[::2, 1:]),
                 (ArrayType(C128, 0, "C"), np.array(1j)),
                 (ArrayType(F32, 1, "C", True), np.broadcast_to(np.float32(1), (1,)).copy())]:
        if t.readonly:
            a.flags.writeable = False
        f = pack_spec([t], name="ident").make_callable(fallback_recorder()[1])
        before = sys.getrefcount(a)
        for _ in range(10_000):
            r = f(a)
        assert r is a
        del r
        assert sys.getrefcount(a) == before


def test_view_keeps_parent_alive() -> None:
    f = reverse_spec(ArrayType(F64, 1, "C")).make_callable(fallback_recorder()[1])
    a = np.arange(5.0)
    ref = weakref.ref(a)
    before = sys.getrefcount(a)
    for _ in range(10_000):
        v = f(a)
    assert sys.getrefcount(a) == before + 1  # the one live view's base
    assert type(v) is np.ndarray and v.base is a
    assert v.flags.writeable and not v.flags.c_contiguous
    assert v.tolist() == [4.0, 3.0, 2.0, 1.0, 0.0]
    v[0] = 10.0
    assert a[4] == 10.0  # shares memory
    del a
    gc.collect()
    assert ref() is not None
    assert v.tolist() == [10.0, 3.0, 2.0, 1.0, 0.0]
    del v
    gc.collect()
    assert ref() is None


def test_view_of_a_readonly_specialization_is_readonly() -> None:
    f = reverse_spec(ArrayType(I16, 1, "C", True), readonly_result=True).make_callable(fallback_recorder()[1])
    a = np.arange(4, dtype=np.int16)
    a.flags.writeable = False
    v = f(a)
    assert v.dtype == np.int16 and not v.flags.writeable and v.tolist() == [3, 2, 1, 0]


def test_same_data_but_other_shape_is_a_view() -> None:
    """A struct whose data equals the parent's but shape differs is not the parent."""
    t = ArrayType(F64, 1, "C")

    def body(b: ir.IRBuilder, out: ir.Value, args: list[ir.Value]) -> ir.Value:
        a = args[0]
        n = b.extract_value(a, [ARRAY_SHAPE, 0])
        r = _set(b, a, [ARRAY_SHAPE, 0], b.sub(n, ir.Constant(I64T, 1)))
        return store(b, out, r, t)

    f = HandSpec([t], t, body, name="head").make_callable(fallback_recorder()[1])
    a = np.arange(4.0)
    v = f(a)
    assert v is not a and v.base is a and v.tolist() == [0.0, 1.0, 2.0]


def owned_spec(t: ArrayType) -> HandSpec:
    """f(n) -> a fresh runtime-owned 1-d float64 array [0, 1, ..., n-1] made with the
    runtime's `ember_rt_alloc` / `ember_rt_meminfo_data` (backend/runtime_helpers.py)."""
    f64 = ir.DoubleType()

    def body(b: ir.IRBuilder, out: ir.Value, args: list[ir.Value]) -> ir.Value:
        n = args[0]
        meminfo = b.call(rt.declare(b.module, rt.ALLOC), [b.mul(n, ir.Constant(I64T, 8))])
        data = b.call(rt.declare(b.module, rt.MEMINFO_DATA), [meminfo])
        fn = b.function
        head, loop, done = fn.append_basic_block("head"), fn.append_basic_block("loop"), fn.append_basic_block("done")
        entry = b.block
        b.branch(head)
        b.position_at_end(head)
        i = b.phi(I64T)
        i.add_incoming(ir.Constant(I64T, 0), entry)
        b.cbranch(b.icmp_signed("<", i, n), loop, done)
        b.position_at_end(loop)
        b.store(b.sitofp(i, f64), b.gep(data, [i], source_etype=f64))
        i.add_incoming(b.add(i, ir.Constant(I64T, 1)), loop)
        b.branch(head)
        b.position_at_end(done)
        r: ir.Value = ir.Constant(array_struct(1), ir.Undefined)
        r = _set(b, r, 0, meminfo)
        r = _set(b, r, ARRAY_PARENT, ir.Constant(PTR, None))
        r = _set(b, r, ARRAY_DATA, data)
        r = _set(b, r, [ARRAY_SHAPE, 0], n)
        r = _set(b, r, [ARRAY_STRIDES, 0], ir.Constant(I64T, 8))
        return store(b, out, r, t)

    rt.ensure_runtime()
    return HandSpec([I64], t, body, name="owned")


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def test_owned_result_is_a_numpy_array_over_runtime_memory() -> None:
    f = owned_spec(ArrayType(F64, 1, "C")).make_callable(fallback_recorder()[1])
    a = f(5)
    assert type(a) is np.ndarray and a.dtype == np.float64
    assert a.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert a.flags.writeable and a.flags.c_contiguous and a.flags.aligned
    assert type(a.base).__name__ == "PyCapsule" and "ember.meminfo" in repr(a.base)
    a[1] = 7.0
    assert a.sum() == 16.0
    assert f(0).shape == (0,)


def test_owned_results_are_freed() -> None:
    """10^4 calls making 80 KB arrays each: 800 MB if nothing were freed."""
    f = owned_spec(ArrayType(F64, 1, "C")).make_callable(fallback_recorder()[1])
    for _ in range(200):
        f(10_000)
    live = rt.live_blocks()
    start = _rss_mb()
    for _ in range(10_000):
        a = f(10_000)
        v = a[::2]  # a view of it keeps the capsule (and the memory) alive
    del a
    assert rt.live_blocks() == live + 1
    assert v[-1] == 9998.0
    assert _rss_mb() - start < 50
    del v
    assert rt.live_blocks() == live


def test_tuple_of_results_mixing_identity_and_owned() -> None:
    t_in = ArrayType(F64, 1, "C")
    rt = TupleType((t_in, t_in))
    inner = owned_spec(t_in)

    def body(b: ir.IRBuilder, out: ir.Value, args: list[ir.Value]) -> ir.Value:
        a = args[0]
        agg: ir.Value = ir.Constant(ir.LiteralStructType([array_struct(1)] * 2), ir.Undefined)
        agg = _set(b, agg, 0, a)
        agg = _set(b, agg, 1, a)
        return store(b, out, agg, rt)

    f = HandSpec([t_in], rt, body, name="twice").make_callable(fallback_recorder()[1])
    a = np.arange(3.0)
    before = sys.getrefcount(a)
    for _ in range(10_000):
        r = f(a)
    assert r[0] is a and r[1] is a
    del r
    assert sys.getrefcount(a) == before
    assert inner is not None


def test_capsule_name_agrees_with_the_runtime() -> None:
    from ember.backend import pyapi

    assert pyapi.MEMINFO_CAPSULE_NAME == rt.CAPSULE_NAME
    assert pyapi.capsule_destructor() == rt.CAPSULE_RELEASE


def test_tuple_of_owned_arrays_and_a_scalar() -> None:
    """(fresh array, fresh array, n): each array gets its own capsule; all are freed."""
    t = ArrayType(F64, 1, "C")
    rt_type = TupleType((t, t, I64))
    make = owned_spec(t)

    def body(b: ir.IRBuilder, out: ir.Value, args: list[ir.Value]) -> ir.Value:
        n = args[0]
        parts = []
        for k in range(2):
            meminfo = b.call(rt.declare(b.module, rt.ALLOC), [b.mul(n, ir.Constant(I64T, 8))])
            data = b.call(rt.declare(b.module, rt.MEMINFO_DATA), [meminfo])
            b.store(ir.Constant(ir.DoubleType(), float(k + 1)), data)  # element 0 only
            r: ir.Value = ir.Constant(array_struct(1), ir.Undefined)
            r = _set(b, r, 0, meminfo)
            r = _set(b, r, ARRAY_PARENT, ir.Constant(PTR, None))
            r = _set(b, r, ARRAY_DATA, data)
            r = _set(b, r, [ARRAY_SHAPE, 0], n)
            parts.append(_set(b, r, [ARRAY_STRIDES, 0], ir.Constant(I64T, 8)))
        agg: ir.Value = ir.Constant(ir.LiteralStructType([array_struct(1), array_struct(1), I64T]), ir.Undefined)
        agg = _set(b, agg, 0, parts[0])
        agg = _set(b, agg, 1, parts[1])
        agg = _set(b, agg, 2, n)
        return store(b, out, agg, rt_type)

    f = HandSpec([I64], rt_type, body, name="pair").make_callable(fallback_recorder()[1])
    assert make is not None
    live = rt.live_blocks()
    for _ in range(10_000):
        x, y, n = f(3)
    assert (x[0], y[0], n, x.shape) == (1.0, 2.0, 3, (3,))
    assert x.base is not y.base
    assert rt.live_blocks() == live + 2
    del x, y
    assert rt.live_blocks() == live
