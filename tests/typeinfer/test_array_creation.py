"""Type inference of numpy array creation, copies and reshapes: result types, the
allocation and fill loops, the run-time checks, and the compile-time errors."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.errors import TypingError, UnsupportedSyntaxError
from ember.ir.types import BOOL, F32, F64, I32, I64, TupleType

from .test_array_indexing import arr, ops, typed


def messages(f) -> list[str]:
    return [op.attributes["msg"] for op in ops(f, "cf.assert")]


def basic(n):
    return (np.zeros(n), np.ones((2, n), dtype=np.int32), np.full(n, 3.5), np.empty(n, bool),
            np.full((n, 2), 7))


def test_basic_creation_types_and_loops():
    f = typed(basic, I64)
    assert f.return_type == TupleType((arr(F64, 1), arr(I32, 2), arr(F64, 1), arr(BOOL, 1),
                                       arr(I64, 2)))
    assert len(ops(f, "array.alloc")) == 5
    # empty has no fill loop; the others fill every element
    assert len(ops(f, "array.store")) == 4
    assert "negative dimensions are not allowed" in messages(f)


def likes(a):
    return np.zeros_like(a), np.ones_like(a, dtype=np.float32), np.full_like(a, 2), np.empty_like(a)


def test_like_forms_take_shape_and_dtype():
    f = typed(likes, arr(I64, 2, "F"))
    assert f.return_type == TupleType((arr(I64, 2), arr(F32, 2), arr(I64, 2), arr(I64, 2)))


def ranges(n, x):
    return np.arange(n), np.arange(1, n, 2), np.arange(x), np.arange(0.0, x, 0.5), np.linspace(0.0, x, n)


def test_arange_and_linspace():
    f = typed(ranges, I64, F64)
    assert f.return_type == TupleType((arr(I64, 1), arr(I64, 1), arr(F64, 1), arr(F64, 1),
                                       arr(F64, 1)))
    msgs = messages(f)
    assert "division by zero" in msgs and "float division by zero" in msgs
    assert "arange: cannot compute length" in msgs
    assert "Number of samples, {}, must be non-negative." in msgs


def eyes(n):
    return np.eye(n), np.eye(n, n + 1, 1, dtype=np.int64), np.identity(n)


def test_eye_and_identity():
    f = typed(eyes, I64)
    assert f.return_type == TupleType((arr(F64, 2), arr(I64, 2), arr(F64, 2)))
    assert len(ops(f, "scf.if")) == 3


def literal(x):
    return np.array([[1, 2], [3, x]]), np.array(2.5), np.array((True, False)), np.array([1, 2], dtype=np.float32)


def test_array_from_literals():
    f = typed(literal, F64)
    assert f.return_type == TupleType((arr(F64, 2), arr(F64, 0), arr(BOOL, 1), arr(F32, 1)))
    assert len(ops(f, "array.store")) == 4 + 1 + 2 + 2


def ragged():
    return np.array([[1, 2], [3]])


def test_ragged_literal_is_an_error():
    with pytest.raises(ValueError, match="inhomogeneous"):
        typed(ragged)


def reshaped(a):
    return a.reshape(2, -1), np.reshape(a, (3, 4)), a.ravel(), a.flatten(), a.reshape((12,))


def test_reshape_ravel_flatten():
    f = typed(reshaped, arr(F64, 2, "A"))
    assert f.return_type == TupleType((arr(F64, 2), arr(F64, 2), arr(F64, 1), arr(F64, 1),
                                       arr(F64, 1)))
    msgs = messages(f)
    assert "cannot reshape array of size {} into shape ({},{})" in msgs
    assert "cannot reshape array of size {} into shape ({},)" in msgs


def unknown_kw(n):
    return np.zeros(n, order="F")


def test_unsupported_keyword_is_named():
    with pytest.raises(UnsupportedSyntaxError, match="order"):
        typed(unknown_kw, I64)


def float_shape(x):
    return np.zeros(x)


def test_float_shape_is_a_typing_error():
    with pytest.raises(TypingError, match="shape must be an int or a tuple of ints"):
        typed(float_shape, F64)


def dynamic_dtype(a, c):
    d = a.dtype
    if c:
        d = np.float32
    return np.zeros(3, dtype=d)


def test_dtype_cannot_be_merged():
    with pytest.raises(TypingError, match="compile-time-only"):
        typed(dynamic_dtype, arr(F64, 1), BOOL)
