"""array.dim / load / store run natively on NumPy buffers: every dtype, C/F/A layouts,
negative and zero strides, 0-d and empty arrays, and loops that vectorize."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.types import BOOL, F32, F64, I8, I16, I32, I64, NONE, U8, U64, ArrayType
from tests.backend.native import func, region

from .test_backend_array_kit import ArrayNative, np_dtype

DTYPES = [BOOL, I8, I16, I32, I64, U8, U64, F32, F64]


def loader(t: ArrayType) -> ArrayNative:
    """f(a, i0, .., in-1) -> a[i0, .., in-1]"""
    return ArrayNative(func("f", [t] + [I64] * t.ndim, t.dtype,
                            lambda b, a, *idx: b.value("array.load", [a, *idx], t.dtype)))


def storer(t: ArrayType) -> ArrayNative:
    """f(a, v, i0, .., in-1): a[i0, .., in-1] = v"""
    def body(b, a, v, *idx):
        b.op("array.store", [v, a, *idx])
    return ArrayNative(func("f", [t, t.dtype] + [I64] * t.ndim, NONE, body))


def sample(dtype, shape, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype is np.bool_:
        return rng.integers(0, 2, shape).astype(np.bool_)
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
    if info is not None:
        return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    return rng.standard_normal(shape).astype(dtype)


def layout_of(a: np.ndarray) -> str:
    if a.flags.c_contiguous:
        return "C"
    return "F" if a.flags.f_contiguous else "A"


def views(dtype):
    base = sample(dtype, (5, 6))
    yield base                                       # C
    yield np.asfortranarray(base)                    # F
    yield base[::2, ::-1]                            # A, negative strides
    yield base[1:4, 1:5].T                           # A, transposed view
    yield np.broadcast_to(base[2], (4, 6))           # A, zero stride


@pytest.mark.parametrize("dt", DTYPES, ids=str)
def test_load_every_element_every_layout(dt):
    for a in views(np_dtype(dt)):
        t = ArrayType(dt, 2, layout_of(a))
        f = loader(t)
        got = np.array([[f(a, i, j) for j in range(a.shape[1])] for i in range(a.shape[0])], a.dtype)
        np.testing.assert_array_equal(got, a)


@pytest.mark.parametrize("dt", [BOOL, I8, U64, F32, F64], ids=str)
def test_store_is_visible_to_the_caller(dt):
    rng = np.random.default_rng(1)
    for a in views(np_dtype(dt)):
        if not a.flags.writeable:
            continue
        t = ArrayType(dt, 2, layout_of(a))
        f = storer(t)
        expected = a.copy()
        for _ in range(12):
            i, j = rng.integers(0, a.shape[0]), rng.integers(0, a.shape[1])
            v = sample(np_dtype(dt), (), seed=int(rng.integers(1 << 30)))
            f(a, v.item(), int(i), int(j))
            expected[i, j] = v
        np.testing.assert_array_equal(a, expected)


def test_C_and_F_addresses_ignore_strides_of_unit_axes():
    # NumPy calls an array contiguous whatever the stride of an axis of extent 1.
    a = np.arange(6.0).reshape(1, 6)
    odd = np.lib.stride_tricks.as_strided(a, shape=(1, 6), strides=(12345 * 8, 8))
    assert odd.flags.c_contiguous
    f = loader(ArrayType(F64, 2, "C"))
    assert [f(odd, 0, j) for j in range(6)] == list(range(6))


def test_zero_d_load_and_store():
    a = np.array(2.5)
    t = ArrayType(F64, 0, "C")
    assert loader(t)(a) == 2.5
    storer(t)(a, -1.0)
    assert a[()] == -1.0


def dims_func(t: ArrayType) -> ArrayNative:
    from ember.ir.types import TupleType

    tt = TupleType((I64,) * t.ndim)
    return ArrayNative(func("f", [t], tt, lambda b, a: b.value(
        "tuple.make", [b.value("array.dim", [a], I64, {"axis": k}) for k in range(t.ndim)], tt)))


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 4, 2), (7, 1, 3)])
def test_dims_including_empty(shape):
    a = np.zeros(shape)
    assert dims_func(ArrayType(F64, len(shape), "C"))(a) == shape
    assert dims_func(ArrayType(F64, len(shape), "A"))(a[..., ::-1]) == shape


def sum2d(t: ArrayType) -> ArrayNative:
    """sum of a 2-d array by a loop nest over array.dim / array.load."""
    def body(b, a):
        zero, one = b.constant(0, I64), b.constant(1, I64)
        n0 = b.value("array.dim", [a], I64, {"axis": 0})
        n1 = b.value("array.dim", [a], I64, {"axis": 1})

        def outer(bo, i, acc):
            def inner(bi, j, acc2):
                x = bi.value("array.load", [a, i, j], t.dtype)
                return [bi.value("arith.addi", [acc2, x], I64)]
            return [bo.op("scf.for", [zero, n1, one, acc], [I64], regions=[region(inner, [I64, I64])]).result]
        return b.op("scf.for", [zero, n0, one, zero], [I64], regions=[region(outer, [I64, I64])]).result
    return ArrayNative(func("f", [t], I64, body))


@pytest.mark.parametrize("layout", ["C", "F", "A"])
def test_loop_nest_sums(layout):
    base = np.arange(35 * 17, dtype=np.int64).reshape(35, 17) * 3 - 100
    for a in (base, np.asfortranarray(base), base[::-3, 2::2], np.zeros((0, 5), np.int64)):
        if layout != "A" and layout_of(a) != layout:
            continue
        assert sum2d(ArrayType(I64, 2, layout))(a) == int(a.sum())


def test_contiguous_loops_vectorize():
    f = sum2d(ArrayType(I64, 2, "C"))
    assert "x i64>" in f.cf.llvm_ir_optimized
    assert "ptrtoint" not in f.cf.llvm_ir and "inttoptr" not in f.cf.llvm_ir


def test_elementwise_float_loop_vectorizes_and_runs():
    t = ArrayType(F64, 1, "C")

    def body(b, x, y):
        zero, one, two = b.constant(0, I64), b.constant(1, I64), b.constant(2.0, F64)
        n = b.value("array.dim", [x], I64, {"axis": 0})

        def loop(bl, i):
            v = bl.value("array.load", [x, i], F64)
            bl.op("array.store", [bl.value("arith.mulf", [v, two], F64), y, i])
            return []
        b.op("scf.for", [zero, n, one], [], regions=[region(loop, [I64])])
    f = ArrayNative(func("f", [t, t], NONE, body))
    x = np.linspace(-3, 5, 37)
    y = np.zeros_like(x)
    f(x, y)
    np.testing.assert_array_equal(y, 2 * x)
    assert "x double>" in f.cf.llvm_ir_optimized


def test_complex_elements_copy():
    from ember.ir.types import C64, C128

    for dt, np_dt in ((C64, np.complex64), (C128, np.complex128)):
        t = ArrayType(dt, 1, "A")

        def body(b, x, y, i, j):
            b.op("array.store", [b.value("array.load", [x, i], dt), y, j])
        f = ArrayNative(func("f", [t, t, I64, I64], NONE, body))
        x = (np.arange(4) + 1j * np.arange(4, 8)).astype(np_dt)
        y = np.zeros(8, np_dt)[::-2]
        for i in range(4):
            f(x, y, i, 3 - i)
        np.testing.assert_array_equal(y, x[::-1])


def test_arrays_flow_through_calls_and_branches():
    from ember.ir.core import SymbolRef

    t = ArrayType(F64, 1, "C")
    first = func("first", [t], F64, lambda b, a: b.value("array.load", [a, b.constant(0, I64)], F64))

    def body(b, x, y, c):
        chosen = b.op("scf.if", [c], [t], regions=[region(lambda bt: [x]), region(lambda be: [y])]).result
        return b.value("func.call", [chosen], F64, {"callee": SymbolRef("first")})
    f = ArrayNative(func("f", [t, t, BOOL], F64, body), first)
    assert f(np.array([1.5]), np.array([2.5]), True) == 1.5
    assert f(np.array([1.5]), np.array([2.5]), False) == 2.5
