"""The one table of which Python objects become which IR types, and how they are stored.

Both sides of a call agree through this file: `ember.typeof` reads it to pick a
specialization's argument types, and the LLVM call wrapper (`backend/wrapper.py`)
reads it to generate the exact-type checks and loads that unbox those arguments.
If they disagreed, the fallback would compile a signature that the wrapper then
rejects, so every type mapping lives here and nowhere else.

An entry is keyed by the *exact* Python type (`type(v) is T`, never `isinstance`):
that is what the generated wrapper compares `ob_type` against. `kind` says how the
wrapper reads the value out of the object:

- "pyfloat": CPython float, `double ob_fval` at offset 16, read without a call.
- "pylong":  CPython int, read with `PyLong_AsLongLong` (overflow -> fallback).
- "pybool":  CPython bool, compared with `&_Py_TrueStruct`.
- "npscalar": a numpy scalar; its value (of the IR type's width) sits at offset 16.
- a `str` (StrType) is an exact `str`: the wrapper borrows its UTF-8 buffer
  (`PyUnicode_AsUTF8AndSize`, cached in the object); a result is a new str.
- "pycomplex": CPython complex, `Py_complex cval` (two doubles) at offset 16; np.complex128
  (a subclass of complex with the same layout) and np.complex64 (two floats) are npscalars.

Arrays: an exact `numpy.ndarray` becomes `ArrayType(dtype, ndim, layout, readonly)`
(`array_type_of`); `ARRAY_DTYPES` lists, per IR element type, the NumPy type numbers
the wrapper accepts (int64 is both NPY_LONG and NPY_LONGLONG on Linux), and the
PyArrayObject / PyArray_Descr offsets below are what the wrapper reads (CPython 3.11,
NumPy 2.x, 64-bit; checked against `a.ctypes.data`, `a.shape`, ... by the tests).

The LLVM side of the types (value and in-memory forms) is `backend/llvm_types.py`;
this table imports no llvmlite, so `import ember` (through typeof) stays cheap.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ember.ir.types import (
    BOOL, C64, C128, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64,
    ArrayType, DictType, ListType, NoneType, RecordType, ScalarType, StrType, TupleType, Type,
)

# CPython 3.11 object layout (64-bit): what the wrapper reads without calling the C-API.
OB_REFCNT_OFFSET = 0
OB_TYPE_OFFSET = 8
OB_SIZE_OFFSET = 16        # PyVarObject.ob_size (tuple length)
FLOAT_VALUE_OFFSET = 16    # PyFloatObject.ob_fval
NPSCALAR_VALUE_OFFSET = 16  # numpy's Py<Type>ScalarObject.obval
TUPLE_ITEMS_OFFSET = 24    # PyTupleObject.ob_item[0]
DICT_USED_OFFSET = 16      # PyDictObject.ma_used (the number of items)

# NumPy 2.x PyArrayObject_fields and PyArray_Descr (64-bit).
ARR_DATA_OFFSET = 16       # char *data
ARR_NDIM_OFFSET = 24       # int nd
ARR_DIMS_OFFSET = 32       # npy_intp *dimensions
ARR_STRIDES_OFFSET = 40    # npy_intp *strides
ARR_BASE_OFFSET = 48       # PyObject *base
ARR_DESCR_OFFSET = 56      # PyArray_Descr *descr
ARR_FLAGS_OFFSET = 64      # int flags
DESCR_BYTEORDER_OFFSET = 26  # char byteorder ('=', '|', '<', '>')
DESCR_TYPE_NUM_OFFSET = 28   # int type_num

NPY_ARRAY_C_CONTIGUOUS = 0x0001
NPY_ARRAY_F_CONTIGUOUS = 0x0002
NPY_ARRAY_ALIGNED = 0x0100
NPY_ARRAY_WRITEABLE = 0x0400
# The byte-order character of a byte-swapped dtype on this machine.
SWAPPED_BYTEORDER = ">" if np.little_endian else "<"


@dataclass(frozen=True)
class ScalarBox:
    """One exact Python type that a scalar IR type accepts, and how to read it."""

    pytype: type
    ir_type: ScalarType
    kind: str  # "pyfloat" | "pylong" | "pybool" | "npscalar"
    symbol: str  # name under which the type object is registered for LLVM


def _np_entries() -> list[ScalarBox]:
    pairs: list[tuple[Any, ScalarType]] = [
        (np.float64, F64), (np.float32, F32),
        (np.int64, I64), (np.int32, I32), (np.int16, I16), (np.int8, I8),
        (np.uint64, U64), (np.uint32, U32), (np.uint16, U16), (np.uint8, U8),
        (np.bool_, BOOL), (np.complex128, C128), (np.complex64, C64),
    ]
    # On Linux np.longlong is a distinct type object with the same 64-bit layout as np.int64.
    if np.longlong is not np.int64 and np.dtype(np.longlong).itemsize == 8:
        pairs.append((np.longlong, I64))
    if np.ulonglong is not np.uint64 and np.dtype(np.ulonglong).itemsize == 8:
        pairs.append((np.ulonglong, U64))
    return [ScalarBox(t, ir, "npscalar", f"_ember_np_{t.__name__}") for t, ir in pairs]


# Python's own types first: the wrapper tests accepted types in this order.
SCALAR_BOXES: tuple[ScalarBox, ...] = (
    ScalarBox(float, F64, "pyfloat", "PyFloat_Type"),
    ScalarBox(int, I64, "pylong", "PyLong_Type"),
    ScalarBox(bool, BOOL, "pybool", "PyBool_Type"),
    ScalarBox(complex, C128, "pycomplex", "PyComplex_Type"),
    *_np_entries(),
)

BY_PYTYPE: dict[type, ScalarBox] = {b.pytype: b for b in SCALAR_BOXES}


def _array_dtypes() -> dict[ScalarType, tuple[int, ...]]:
    """IR element type -> every NumPy type number with that kind and size."""
    out: dict[ScalarType, list[int]] = {}
    for code in "?bBhHiIlLqQfdFD":
        d = np.dtype(code)
        t = _DTYPE_KINDS.get((d.kind, d.itemsize))
        if t is not None and d.num not in out.setdefault(t, []):
            out[t].append(d.num)
    return {t: tuple(nums) for t, nums in out.items()}


_DTYPE_KINDS: dict[tuple[str, int], ScalarType] = {
    ("b", 1): BOOL, ("i", 1): I8, ("i", 2): I16, ("i", 4): I32, ("i", 8): I64,
    ("u", 1): U8, ("u", 2): U16, ("u", 4): U32, ("u", 8): U64,
    ("f", 4): F32, ("f", 8): F64, ("c", 8): C64, ("c", 16): C128,
}
ARRAY_DTYPES: dict[ScalarType, tuple[int, ...]] = _array_dtypes()
# The type number boxing uses to make a result's dtype (the canonical one: np.dtype(t).num).
ARRAY_RESULT_TYPE_NUM: dict[ScalarType, int] = {t: nums[0] for t, nums in ARRAY_DTYPES.items()}


def array_dtype_of(dtype: np.dtype) -> ScalarType | None:
    """The IR element type of a NumPy dtype, or None if arrays of it are not supported
    (object, str, datetime, float16, structured, ... and non-native byte order)."""
    t = _DTYPE_KINDS.get((dtype.kind, dtype.itemsize))
    if t is None or dtype.num not in ARRAY_DTYPES[t] or dtype.byteorder == SWAPPED_BYTEORDER:
        return None
    return t


def array_layout_of(a: np.ndarray) -> str:
    """'C' if C-contiguous (every contiguous 0-d/1-d array), else 'F' if F-contiguous, else 'A'.
    The wrapper's flag checks (backend/wrapper_arrays.py) implement exactly this rule."""
    flags = a.flags
    if flags.c_contiguous:
        return "C"
    if flags.f_contiguous:
        return "F"
    return "A"


def array_type_of(a: np.ndarray) -> ArrayType | None:
    """The ArrayType of an exact ndarray, or None if its dtype is not supported."""
    t = array_dtype_of(a.dtype)
    if t is None:
        return None
    return ArrayType(t, a.ndim, array_layout_of(a), not a.flags.writeable)


def boxes_for(t: ScalarType) -> list[ScalarBox]:
    """Every exact Python type whose objects unbox to IR type `t`, Python's own first."""
    return [b for b in SCALAR_BOXES if b.ir_type == t]


def is_supported_arg(t: Type) -> bool:
    """Whether the wrapper can unbox an argument of IR type `t`."""
    if isinstance(t, ScalarType):
        return bool(boxes_for(t))
    if isinstance(t, TupleType):
        return all(is_supported_arg(e) for e in t.elements)
    if isinstance(t, ArrayType):
        return t.dtype in ARRAY_DTYPES and t.layout in ("C", "F", "A") and t.ndim >= 0
    if isinstance(t, StrType):  # an exact str, borrowed as its cached UTF-8 buffer
        return True
    if isinstance(t, RecordType):  # an exact dict with exactly these str keys
        return all(is_supported_arg(e) and not isinstance(e, RecordType) for e in t.types)
    if isinstance(t, ListType):  # an exact list, converted (backend/wrapper_containers.py)
        return is_supported_arg(t.elem)
    if isinstance(t, DictType):  # an exact dict, converted (backend/wrapper_dicts.py)
        return is_supported_arg(t.key) and is_supported_arg(t.value)
    return False


def is_supported_result(t: Type) -> bool:
    """Whether the wrapper can box a result of IR type `t`.

    Results box to Python's own types as Numba does: every float (f32 too) to
    `float`, every int width to `int`, bool to `bool`, every complex to `complex`,
    tuples to `tuple`, arrays to
    `numpy.ndarray`.
    """
    if isinstance(t, NoneType):
        return True
    if isinstance(t, ScalarType):
        return t.kind in ("b", "i", "u", "f", "c")
    if isinstance(t, TupleType):
        return all(is_supported_result(e) for e in t.elements)  # none: boxed to None
    if isinstance(t, ArrayType):
        return t.dtype in ARRAY_DTYPES and t.ndim >= 0
    if isinstance(t, StrType):  # a new str decoded from the UTF-8 bytes
        return True
    if isinstance(t, RecordType):  # a new dict
        return all(is_supported_result(e) for e in t.types)
    if isinstance(t, ListType):  # a new list
        return is_supported_result(t.elem) and not isinstance(t.elem, NoneType)
    if isinstance(t, DictType):  # a new dict
        return all(is_supported_result(e) and not isinstance(e, NoneType) for e in (t.key, t.value))
    return False
