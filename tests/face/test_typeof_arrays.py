"""typeof of NumPy arrays: dtype, ndim, layout and readonly, and the errors it raises."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.types import (
    BOOL, C64, C128, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64, ArrayType, TupleType,
)
from ember.typeof import canonical, typeof


@pytest.mark.parametrize("dtype, want", [
    (np.bool_, BOOL), (np.int8, I8), (np.int16, I16), (np.int32, I32), (np.int64, I64),
    (np.longlong, I64), (np.uint8, U8), (np.uint16, U16), (np.uint32, U32), (np.uint64, U64),
    (np.ulonglong, U64), (np.float32, F32), (np.float64, F64), (np.complex64, C64),
    (np.complex128, C128), ("<f8" if np.little_endian else ">f8", F64),
])
def test_dtypes(dtype, want) -> None:
    assert typeof(np.zeros((2, 3), dtype), "a") == ArrayType(want, 2, "C")


def _ro(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


@pytest.mark.parametrize("value, ndim, layout, readonly", [
    (np.zeros(()), 0, "C", False),
    (np.zeros(0), 1, "C", False),
    (np.zeros((0, 3), order="F"), 2, "C", False),       # empty: both contiguous -> C
    (np.zeros(5), 1, "C", False),
    (np.zeros(5)[::2], 1, "A", False),
    (np.zeros(5)[::-1], 1, "A", False),
    (np.zeros((3, 4)), 2, "C", False),
    (np.zeros((3, 4), order="F"), 2, "F", False),
    (np.zeros((3, 1), order="F"), 2, "C", False),        # both C and F -> C
    (np.zeros((3, 4)).T, 2, "F", False),
    (np.zeros((3, 4))[:, 1:], 2, "A", False),
    (np.zeros((2, 3, 4))[:, :, 0], 2, "A", False),
    (np.zeros((2, 3, 4), order="F"), 3, "F", False),
    (np.broadcast_to(np.zeros(3), (4, 3)), 2, "A", True),  # zero strides, readonly
    (_ro(np.zeros((2, 2))), 2, "C", True),
    (_ro(np.zeros((2, 2), order="F")), 2, "F", True),
])
def test_layout_and_readonly(value, ndim, layout, readonly) -> None:
    assert typeof(value, "a") == ArrayType(F64, ndim, layout, readonly)
    assert canonical(value) is value


def test_arrays_in_tuples() -> None:
    a, b = np.zeros(2, np.int32), np.zeros((2, 2), order="F")
    assert typeof((a, (b, 1.0)), "t") == TupleType((ArrayType(I32, 1, "C"), TupleType((ArrayType(F64, 2, "F"), F64))))


@pytest.mark.parametrize("value, words", [
    (np.zeros(2, object), "dtype object"),
    (np.zeros(2, "U3"), "dtype <U3"),
    (np.zeros(2, "S3"), "dtype |S3"),
    (np.zeros(2, "M8[s]"), "dtype datetime64[s]"),
    (np.zeros(2, "m8[s]"), "dtype timedelta64[s]"),
    (np.zeros(2, np.float16), "dtype float16"),
    (np.zeros(2, np.longdouble), "dtype float128"),
    (np.zeros(2, [("x", "f8")]), "dtype"),
    (np.zeros(2, ">f8" if np.little_endian else "<f8"), "non-native byte order"),
    (np.zeros(2, ">i4" if np.little_endian else "<i4"), "non-native byte order"),
    (np.frombuffer(bytearray(25), np.float64, 3, 1), "misaligned"),
    (np.zeros((2, 2)).view(np.matrix), "numpy.matrix, an ndarray subclass"),
    (np.ma.zeros(3), "numpy.ma.MaskedArray, an ndarray subclass"),
])
def test_unsupported_arrays_name_parameter_and_reason(value, words) -> None:
    with pytest.raises(TypeError, match="argument 'arr' ") as info:
        typeof(value, "arr")
    assert words in str(info.value)


def test_unsupported_array_inside_tuple_names_parameter() -> None:
    with pytest.raises(TypeError, match="argument 'pair' is an array of dtype object"):
        typeof((np.zeros(2), np.zeros(2, object)), "pair")
