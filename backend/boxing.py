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

The LLVM side of the types (value and in-memory forms) is `backend/llvm_types.py`;
this table imports no llvmlite, so `import ember` (through typeof) stays cheap.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ember.ir.types import (
    BOOL, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64,
    NoneType, ScalarType, TupleType, Type,
)

# CPython 3.11 object layout (64-bit): what the wrapper reads without calling the C-API.
OB_REFCNT_OFFSET = 0
OB_TYPE_OFFSET = 8
OB_SIZE_OFFSET = 16        # PyVarObject.ob_size (tuple length)
FLOAT_VALUE_OFFSET = 16    # PyFloatObject.ob_fval
NPSCALAR_VALUE_OFFSET = 16  # numpy's Py<Type>ScalarObject.obval
TUPLE_ITEMS_OFFSET = 24    # PyTupleObject.ob_item[0]


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
        (np.bool_, BOOL),
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
    *_np_entries(),
)

BY_PYTYPE: dict[type, ScalarBox] = {b.pytype: b for b in SCALAR_BOXES}


def boxes_for(t: ScalarType) -> list[ScalarBox]:
    """Every exact Python type whose objects unbox to IR type `t`, Python's own first."""
    return [b for b in SCALAR_BOXES if b.ir_type == t]


def is_supported_arg(t: Type) -> bool:
    """Whether the wrapper can unbox an argument of IR type `t`."""
    if isinstance(t, ScalarType):
        return bool(boxes_for(t))
    if isinstance(t, TupleType):
        return all(is_supported_arg(e) for e in t.elements)
    return False


def is_supported_result(t: Type) -> bool:
    """Whether the wrapper can box a result of IR type `t`.

    Results box to Python's own types as Numba does: every float (f32 too) to
    `float`, every int width to `int`, bool to `bool`, tuples to `tuple`.
    """
    if isinstance(t, NoneType):
        return True
    if isinstance(t, ScalarType):
        return t.kind in ("b", "i", "u", "f")
    if isinstance(t, TupleType):
        return all(is_supported_result(e) and not isinstance(e, NoneType) for e in t.elements)
    return False
