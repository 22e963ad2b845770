"""Wiring of operators, ufuncs and reductions on arrays to array_math: result types, the
array ops emitted, in-place operators, and the compile-time argument checks."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.errors import TypingError
from ember.ir.types import BOOL, F32, F64, I64, TupleType

from .test_array_indexing import arr, ops, typed


def arith(a, b, x):
    return a + b, a * x, -a, a > b, a / 2, abs(a), ~(a > x)


def test_operators_become_maps():
    f = typed(arith, arr(F64, 1), arr(F64, 1), F64)
    assert f.return_type == TupleType((arr(F64, 1), arr(F64, 1), arr(F64, 1), arr(BOOL, 1),
                                       arr(F64, 1), arr(F64, 1), arr(BOOL, 1)))
    assert len(ops(f, "array.map")) == 8


def int_ops(a):
    return a // 2, a / a, a & 3


def test_numpy_promotion_of_int_arrays():
    f = typed(int_ops, arr(I64, 2))
    assert f.return_type == TupleType((arr(I64, 2), arr(F64, 2), arr(I64, 2)))


def inplace(a, b):
    a += b
    a *= 2.0
    return a


def test_inplace_operator_writes_into_the_array():
    f = typed(inplace, arr(F64, 1, "A"), arr(F64, 1))
    assert f.return_type == arr(F64, 1, "A")
    assert len(ops(f, "array.assign")) == 2
    ret = ops(f, "func.return")[0]
    assert ret.operands[0] is f.args[0]


def inplace_int(a):
    a += 1.5


def test_inplace_same_kind_casting():
    with pytest.raises(TypingError, match="Cannot cast ufunc 'add' output"):
        typed(inplace_int, arr(I64, 1))


def sub_inplace(a, b):
    a[1:] += b
    a[0] += 1.0


def test_augmented_subscript():
    f = typed(sub_inplace, arr(F64, 1), arr(F64, 1))
    assert len(ops(f, "array.store")) == 1
    assert len(ops(f, "array.assign")) >= 1


def ufuncs(a, b):
    return np.sin(a), np.arctan2(a, b), np.where(a > b, a, b), np.clip(a, 0.0, 1.0), np.sqrt(2.0)


def test_ufuncs():
    f = typed(ufuncs, arr(F32, 1), arr(F32, 1))
    t = f.return_type.elements
    assert t[:4] == (arr(F32, 1), arr(F32, 1), arr(F32, 1), arr(F32, 1))
    assert t[4] == F64


def reductions(a):
    return (np.sum(a), a.sum(axis=0), a.max(axis=-1, keepdims=True), np.std(a, ddof=1),
            a.argmax(), np.mean(a, axis=1), np.cumsum(a), a.all())


def test_reductions():
    f = typed(reductions, arr(F64, 2))
    t = f.return_type.elements
    assert t[0] == F64 and t[1] == arr(F64, 1) and t[2].ndim == 2 and t[3] == F64
    assert t[4] == I64 and t[5] == arr(F64, 1) and t[6].ndim == 1 and t[7] == BOOL
    assert ops(f, "array.reduce")


def dynamic_axis(a, k):
    return a.sum(axis=k)


def test_axis_must_be_constant():
    with pytest.raises(TypingError, match="must be a constant known at compile time"):
        typed(dynamic_axis, arr(F64, 2), I64)


def bad_axis(a):
    return a.sum(axis=2)


def test_axis_out_of_range():
    with pytest.raises(ValueError, match="axis 2 is out of bounds for array of dimension 2"):
        typed(bad_axis, arr(F64, 2))


def copies(a):
    return a.copy(), a.astype(np.int32), np.copy(a), np.float32(a[0])


def test_copy_and_astype():
    f = typed(copies, arr(F64, 1, "A"))
    t = f.return_type.elements
    assert t[0] == arr(F64, 1) and t[1].dtype.bits == 32 and t[2] == arr(F64, 1) and t[3] == F32


def complex_arr(a):
    return a[0]


def test_complex_array_element_is_complex():
    from ember.ir.types import C128
    m = typed(complex_arr, arr(C128, 1))
    assert any(op.name == "array.load" and op.results[0].type == C128
               for op in m.walk())
