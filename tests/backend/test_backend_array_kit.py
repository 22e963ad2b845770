"""Helpers for the array backend tests (no tests here): call a native entry whose
arguments or result are arrays through ctypes.

An array argument `{ptr meminfo, ptr parent, ptr data, [n x i64] shape, [n x i64] strides}`
is a first-class aggregate, which LLVM passes as its scalar fields one after the other;
so ctypes passes meminfo, parent, data, the shape and the strides as separate
arguments. An array result comes back through the `%out` slot as a C struct.
"""
from __future__ import annotations

import builtins
import ctypes
from typing import Any

import numpy as np

from ember.backend import compile_module, runtime_helpers as rt
from ember.backend.errors_table import python_message
from ember.ir.core import FuncOp, Module
from ember.ir.types import NONE, ArrayType, ScalarType, Type
from tests.backend.native import ctype, from_c

NP_DTYPES = {("b", 1): np.bool_, ("i", 8): np.int8, ("i", 16): np.int16, ("i", 32): np.int32,
             ("i", 64): np.int64, ("u", 8): np.uint8, ("u", 16): np.uint16, ("u", 32): np.uint32,
             ("u", 64): np.uint64, ("f", 32): np.float32, ("f", 64): np.float64}


def np_dtype(t: ScalarType) -> Any:
    return NP_DTYPES[(t.kind, t.bits)]


def array_ctype(ndim: int) -> Any:
    fields = [("meminfo", ctypes.c_void_p), ("parent", ctypes.c_void_p), ("data", ctypes.c_void_p),
              ("shape", ctypes.c_int64 * ndim), ("strides", ctypes.c_int64 * ndim)]
    return type(f"Array{ndim}", (ctypes.Structure,), {"_fields_": fields})


def arg_ctypes(t: Type) -> list[Any]:
    if isinstance(t, ArrayType):
        return [ctypes.c_void_p] * 3 + [ctypes.c_int64] * (2 * t.ndim)
    return [ctype(t)]


def array_fields(a: np.ndarray, meminfo: int | None = None) -> list[Any]:
    return [meminfo, None, a.ctypes.data, *a.shape, *a.strides]


class ArrayNative:
    """Calls a compiled entry; numpy arrays are passed as borrowed array structs."""

    def __init__(self, f: FuncOp, *more: FuncOp) -> None:
        self.cf = compile_module(Module([f, *more]), f.name, {"wrapper": False})
        argtypes = [ctypes.c_void_p] + [c for t in self.cf.arg_types for c in arg_ctypes(t)]
        self._fn = ctypes.CFUNCTYPE(ctypes.c_int32, *argtypes)(self.cf.entry_address)

    def __call__(self, *args: Any) -> Any:
        flat: list[Any] = []
        for t, a in zip(self.cf.arg_types, args):
            flat += array_fields(a) if isinstance(t, ArrayType) else [a]
        rt_ = self.cf.return_type
        if rt_ == NONE:
            out = None
        else:
            out = (array_ctype(rt_.ndim) if isinstance(rt_, ArrayType) else ctype(rt_))()
        status = self._fn(ctypes.addressof(out) if out is not None else None, *flat)
        if status:
            exc, fmt = self.cf.error_table[status - 1]
            raise getattr(builtins, exc)(python_message(fmt, rt.error_args()))
        if out is None or isinstance(rt_, ArrayType):
            return out
        return from_c(out, rt_)


def as_numpy(s: Any, dtype: Any, ndim: int) -> np.ndarray:
    """A numpy view of the memory an array struct describes (nothing is copied)."""
    shape = tuple(s.shape[k] for k in range(ndim))
    strides = tuple(s.strides[k] for k in range(ndim))
    itemsize = np.dtype(dtype).itemsize
    if 0 in shape:
        return np.empty(shape, dtype)
    lo = sum(min(0, (e - 1) * st) for e, st in zip(shape, strides))
    hi = sum(max(0, (e - 1) * st) for e, st in zip(shape, strides)) + itemsize
    buf = (ctypes.c_char * (hi - lo)).from_address(s.data + lo)
    return np.ndarray(shape, dtype, buffer=buf, offset=-lo, strides=strides)


_RELEASE = None


def release(meminfo: int | None) -> None:
    """Drop one reference of a runtime block (as the boxing capsule will)."""
    global _RELEASE
    if _RELEASE is None:
        _RELEASE = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(rt.address(rt.RELEASE))
    _RELEASE(meminfo)


def refcount_of(meminfo: int) -> int:
    return ctypes.c_int64.from_address(meminfo + rt.HEADER_REFCOUNT).value
