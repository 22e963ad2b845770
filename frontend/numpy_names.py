"""Recognising numpy objects by identity: supported functions, dtype objects, scalar types.

A numpy function is found however it was imported (`np.zeros`, `numpy.zeros`, `from numpy
import zeros`, `from numpy.linalg import norm`) because the lookup is by the object itself;
the name written in the source never matters. Which functions are supported is the single
table `ember.ir.numpy_api.NUMPY_FUNCTIONS`.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ember.ir.numpy_api import NUMPY_FUNCTIONS
from ember.ir.types import ScalarType


def _lookup(path: str) -> Any:
    obj: Any = np
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


# id(numpy function object) -> its table name (the first table name wins for aliases such
# as abs/absolute; the spelled name is preferred when it is itself in the table).
NUMPY_BY_ID: dict[int, str] = {}
# Keep the objects alive so their ids stay unique.
_KEEP: list[Any] = []
for _name, _entry in NUMPY_FUNCTIONS.items():
    if _entry.kind == "scalar":
        continue
    _obj = _lookup(_name)
    if _obj is not None:
        NUMPY_BY_ID.setdefault(id(_obj), _name)
        _KEEP.append(_obj)


def numpy_function_name(obj: Any, spelled: str) -> str | None:
    """The table name of a supported numpy function object, or None."""
    last = spelled.split(".")
    for k in range(len(last)):
        # `np.linalg.norm` spelled through a module chain: try the dotted tails.
        tail = ".".join(last[k:])
        if tail in NUMPY_FUNCTIONS and _lookup(tail) is obj:
            return tail
    return NUMPY_BY_ID.get(id(obj))


def is_numpy_object(obj: Any) -> bool:
    """A function, ufunc or module of numpy (supported or not)."""
    if isinstance(obj, np.ufunc):
        return True
    mod = getattr(obj, "__module__", None) or getattr(obj, "__name__", None)
    return isinstance(mod, str) and (mod == "numpy" or mod.startswith("numpy."))


def numpy_path(obj: Any, spelled: str) -> str:
    """`numpy.fft.fft` style name of a numpy object for error messages."""
    name = getattr(obj, "__name__", None)
    mod = getattr(obj, "__module__", None)
    if isinstance(obj, np.ufunc) or not isinstance(mod, str):
        return f"numpy.{name or spelled.split('.')[-1]}"
    # Public spelling: numpy.<submodule>.<name> without private modules (numpy._core...).
    public = [p for p in mod.split(".") if not p.startswith("_")]
    return ".".join(public + [name or spelled.split(".")[-1]])


_BUILTIN_DTYPES = {builtins.float: "float64", builtins.int: "int64", builtins.bool: "bool",
                   builtins.complex: "complex128"}


def is_dtype_object(obj: Any) -> bool:
    """np.float64 and the other numpy scalar types, np.dtype instances, float/int/bool/complex."""
    if isinstance(obj, np.dtype):
        return True
    if isinstance(obj, type):
        return obj in _BUILTIN_DTYPES or issubclass(obj, np.generic)
    return False


def dtype_type(spec: Any) -> ScalarType:
    """The IR scalar type of a dtype spec (type object, np.dtype, or string such as 'f8').
    Raises ValueError with a user-facing message for anything ember does not support."""
    if isinstance(spec, type) and spec in _BUILTIN_DTYPES:
        spec = _BUILTIN_DTYPES[spec]
    try:
        dt = np.dtype(spec)
    except TypeError:
        raise ValueError(f"{spec!r} is not a valid numpy dtype") from None
    if not dt.isnative:
        raise ValueError(f"dtype {spec!r} with a non-native byte order is not supported by ember")
    if dt.kind == "b":
        return ScalarType("b", 1)
    if dt.kind in "iuf" and dt.itemsize * 8 in ((8, 16, 32, 64) if dt.kind != "f" else (32, 64)):
        return ScalarType(dt.kind, dt.itemsize * 8)
    if dt.kind == "c" and dt.itemsize in (8, 16):
        return ScalarType("c", dt.itemsize * 8)
    raise ValueError(f"dtype {dt.name!r} is not supported by ember (supported: bool, int8-int64, "
                     "uint8-uint64, float32, float64, complex64, complex128)")


def scalar_type_name(obj: Any) -> str | None:
    """'float32' for np.float32 (the npcall fn of a scalar-type call), None if not one."""
    if isinstance(obj, type) and issubclass(obj, np.generic):
        try:
            name = np.dtype(obj).name
        except TypeError:
            return None
        entry = NUMPY_FUNCTIONS.get(name)
        return name if entry is not None and entry.kind == "scalar" else None
    return None
