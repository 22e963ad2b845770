"""array.subview (kinds i/s/n), array.transpose, array.alloc and reference counting run
natively: views have NumPy's shapes and strides, runtime blocks are 64-byte aligned and
freed exactly when their last reference goes."""
from __future__ import annotations

import ctypes

import numpy as np
import pytest

from ember.backend import runtime_helpers as rt
from ember.ir.types import F64, I32, I64, NONE, ArrayType, TupleType
from tests.backend.native import func, region

from .test_backend_array_kit import ArrayNative, as_numpy, refcount_of, release


def subview(t: ArrayType, kinds: str, nops: int, rt_: ArrayType) -> ArrayNative:
    return ArrayNative(func("f", [t] + [I64] * nops, rt_, lambda b, a, *ops: b.value(
        "array.subview", [a, *ops], rt_, {"kinds": kinds})))


def check_view(s, a: np.ndarray, expected: np.ndarray, meminfo=None) -> None:
    got = as_numpy(s, a.dtype, expected.ndim)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    if expected.size > 1:
        # Same memory as NumPy's view: data pointer and strides agree where they matter.
        assert s.data == expected.ctypes.data
        assert all(s.strides[k] == expected.strides[k] for k in range(expected.ndim) if expected.shape[k] > 1)
    assert s.meminfo == meminfo and s.parent is None


def py_slice(start: int, count: int, step: int) -> slice:
    stop = start + count * step
    return slice(start, stop if stop >= 0 else None, step)


@pytest.mark.parametrize("start,count,step", [(0, 7, 1), (1, 3, 2), (6, 7, -1), (5, 2, -3), (3, 0, 1), (7, 0, -1)])
@pytest.mark.parametrize("order", ["C", "F"])
def test_slice_of_each_axis(start, count, step, order):
    a = np.asarray(np.arange(7 * 4, dtype=np.float64).reshape(7, 4), order=order)
    t = ArrayType(F64, 2, order)
    s = subview(t, "s", 3, ArrayType(F64, 2, "A"))(a, start, count, step)
    check_view(s, a, a[py_slice(start, count, step)])
    s = subview(t, "ns", 3, ArrayType(F64, 3, "A"))(a, start, count, step)
    check_view(s, a, a[None, py_slice(start, count, step)])
    b = a.T.copy(order=order)  # the slice on the second axis
    s = subview(t, "is", 4, ArrayType(F64, 1, "A"))(b, 2, start, count, step)
    check_view(s, b, b[2, py_slice(start, count, step)])


def test_integer_index_gives_a_row_and_an_element_view():
    a = np.arange(3 * 4 * 5, dtype=np.int32).reshape(3, 4, 5)
    t = ArrayType(I32, 3, "C")
    check_view(subview(t, "i", 1, ArrayType(I32, 2, "C"))(a, 2), a, a[2])
    check_view(subview(t, "ii", 2, ArrayType(I32, 1, "C"))(a, 1, 3), a, a[1, 3])
    check_view(subview(t, "iii", 3, ArrayType(I32, 0, "C"))(a, 2, 3, 4), a, a[2, 3, 4])
    f = a[:, ::-1, 1::2]
    check_view(subview(ArrayType(I32, 3, "A"), "si", 4, ArrayType(I32, 2, "A"))(f, 2, 2, -1, 1), f, f[2:0:-1, 1])


def test_new_axes_and_mixed_kinds():
    a = np.arange(6 * 5, dtype=np.float64).reshape(6, 5)
    t = ArrayType(F64, 2, "C")
    s = subview(t, "n", 0, ArrayType(F64, 3, "A"))(a)
    check_view(s, a, a[None])
    assert s.strides[0] == 0
    s = subview(t, "snin", 4, ArrayType(F64, 3, "A"))(a, 5, 3, -2, 4)
    check_view(s, a, a[5::-2, None, 4, None])


def transpose(t: ArrayType, rt_: ArrayType) -> ArrayNative:
    return ArrayNative(func("f", [t], rt_, lambda b, a: b.value("array.transpose", [a], rt_)))


@pytest.mark.parametrize("make,layout,out", [
    (lambda: np.arange(24.0).reshape(2, 3, 4), "C", "F"),
    (lambda: np.asfortranarray(np.arange(24.0).reshape(2, 3, 4)), "F", "C"),
    (lambda: np.arange(24.0).reshape(2, 3, 4)[:, ::-1, ::2], "A", "A"),
])
def test_transpose_reverses_shape_and_strides(make, layout, out):
    a = make()
    s = transpose(ArrayType(F64, 3, layout), ArrayType(F64, 3, out))(a)
    check_view(s, a, a.T)


def filled(n_axes: int, ret: bool, view: bool = False) -> ArrayNative:
    """alloc(n0..), a[i..] = i0*1000+i1 for a 1-d or 2-d array; returns the array (or a
    view of it), or the sum of its loads after releasing it."""
    shape_t = [I64] * n_axes
    t = ArrayType(I64, n_axes, "C")
    vt = ArrayType(I64, n_axes, "A")

    def body(b, *extents):
        zero, one, k = b.constant(0, I64), b.constant(1, I64), b.constant(1000, I64)
        a = b.value("array.alloc", list(extents), t)

        def fill(bb, idx, level):
            def loop(bl, i, acc):
                idx2 = idx + [i]
                if level + 1 < n_axes:
                    inner = fill(bl, idx2, level + 1)
                    return [bl.value("arith.addi", [acc, inner], I64)]
                v = idx2[0] if n_axes == 1 else bl.value("arith.addi", [bl.value("arith.muli", [idx2[0], k], I64), idx2[1]], I64)
                bl.op("array.store", [v, a, *idx2])
                return [bl.value("arith.addi", [acc, bl.value("array.load", [a, *idx2], I64)], I64)]
            return bb.op("scf.for", [zero, extents[level], one, zero], [I64],
                         regions=[region(loop, [I64, I64])]).result
        total = fill(b, [], 0)
        if view:
            v = b.value("array.subview", [a, one, b.value("arith.subi", [extents[0], one], I64), one], vt,
                        {"kinds": "s"})
            b.op("array.release", [a])
            return v
        if ret:
            return a
        b.op("array.release", [a])
        return total
    return ArrayNative(func("f", shape_t, vt if view else (t if ret else I64), body))


def test_alloc_store_load_release_balances_the_live_count():
    f = filled(2, ret=False)
    start = rt.live_blocks()
    for shape in [(3, 4), (0, 5), (1, 1), (17, 9)]:
        expected = sum(i * 1000 + j for i in range(shape[0]) for j in range(shape[1]))
        assert f(*shape) == expected
    assert rt.live_blocks() == start


def test_returned_block_is_aligned_owned_and_freed_by_release():
    f = filled(2, ret=True)
    start = rt.live_blocks()
    s = f(5, 3)
    assert rt.live_blocks() == start + 1
    assert s.meminfo and s.parent is None and s.data % rt.DATA_ALIGN == 0
    assert (s.shape[0], s.shape[1], s.strides[0], s.strides[1]) == (5, 3, 24, 8)
    np.testing.assert_array_equal(as_numpy(s, np.int64, 2), np.add.outer(np.arange(5) * 1000, np.arange(3)))
    assert refcount_of(s.meminfo) == 1
    release(s.meminfo)
    assert rt.live_blocks() == start


def test_view_keeps_the_block_alive():
    f = filled(1, ret=False, view=True)
    start = rt.live_blocks()
    s = f(6)
    assert rt.live_blocks() == start + 1 and refcount_of(s.meminfo) == 1
    np.testing.assert_array_equal(as_numpy(s, np.int64, 1), np.arange(1, 6))
    release(s.meminfo)
    assert rt.live_blocks() == start


def test_retain_release_ops_and_borrowed_arrays():
    t = ArrayType(F64, 1, "C")

    def body(b, a):
        b.op("array.retain", [a])
        b.op("array.retain", [a])
        b.op("array.release", [a])
    f = ArrayNative(func("f", [t], NONE, body))
    f(np.zeros(3))  # meminfo NULL: a borrowed buffer, nothing to count
    mi = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_int64)(rt.address(rt.ALLOC))(8)
    data = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p)(rt.address(rt.MEMINFO_DATA))(mi)
    assert data % 64 == 0
    fn = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, *[ctypes.c_void_p] * 3, ctypes.c_int64, ctypes.c_int64)(
        f.cf.entry_address)
    assert fn(None, mi, None, data, 1, 8) == 0
    assert refcount_of(mi) == 2
    release(mi)
    release(mi)


def test_capsule_destructor_releases():
    start = rt.live_blocks()
    mi = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_int64)(rt.address(rt.ALLOC))(100)
    new = ctypes.pythonapi.PyCapsule_New
    new.restype = ctypes.py_object
    new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
    cap = new(mi, rt.CAPSULE_NAME.encode(), rt.address(rt.CAPSULE_RELEASE))
    assert rt.live_blocks() == start + 1
    del cap
    assert rt.live_blocks() == start


@pytest.mark.parametrize("extents,msg", [
    ((1 << 40, 1 << 40), "array is too big"),
    ((1 << 58,), "Unable to allocate 2305843009213693952 bytes for an array"),
])
def test_alloc_failure_is_memory_error(extents, msg):
    t = ArrayType(I64, len(extents), "C")

    def body(b, *ext):
        a = b.value("array.alloc", list(ext), t)
        b.op("array.release", [a])
        return b.constant(0, I64)
    f = ArrayNative(func("f", [I64] * len(extents), I64, body))
    start = rt.live_blocks()
    with pytest.raises(MemoryError, match=msg):
        f(*extents)
    assert rt.live_blocks() == start
