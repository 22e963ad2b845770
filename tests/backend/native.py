"""Test helpers for the backend: build typed IR by hand, compile it, call the native
entry through ctypes (`i32 f(ptr out, args...)`) and turn a status into the Python
exception of the error table.

    f = func("f", [I64, I64], I64, lambda b, x, y: b.value("arith.addi", [x, y], I64))
    call = compile_native(f)
    assert call(2, 3) == 5
"""
from __future__ import annotations

import builtins
import ctypes
from typing import Any, Callable

from ember.backend import CompiledFunction, compile_module
from ember.ir.builder import Builder
from ember.ir.core import Block, FuncOp, Module, Region, Value
from ember.ir.types import NONE, ScalarType, TupleType, Type

_CTYPES = {("b", 1): ctypes.c_bool, ("i", 8): ctypes.c_int8, ("i", 16): ctypes.c_int16,
           ("i", 32): ctypes.c_int32, ("i", 64): ctypes.c_int64, ("u", 8): ctypes.c_uint8,
           ("u", 16): ctypes.c_uint16, ("u", 32): ctypes.c_uint32, ("u", 64): ctypes.c_uint64,
           ("f", 32): ctypes.c_float, ("f", 64): ctypes.c_double}


def ctype(t: Type) -> Any:
    if isinstance(t, ScalarType):
        return _CTYPES[(t.kind, t.bits)]
    if isinstance(t, TupleType):
        fields = [(f"f{i}", ctype(e)) for i, e in enumerate(t.elements)]
        return type("Tuple", (ctypes.Structure,), {"_fields_": fields})
    raise TypeError(f"no ctypes type for {t}")


def from_c(v: Any, t: Type) -> Any:
    if isinstance(t, TupleType):
        return tuple(from_c(getattr(v, f"f{i}"), e) for i, e in enumerate(t.elements))
    return v.value if hasattr(v, "value") else v


Body = Callable[..., "Value | None"]


def func(name: str, arg_types: list[Type], ret: Type, body: Body) -> FuncOp:
    """A function whose body `body(builder, *args)` builds; its returned value (if
    any) is returned by func.return."""
    f = FuncOp(name, list(arg_types), ret)
    b = Builder(f.body.block)
    result = body(b, *f.args)
    b.op("func.return", [result] if result is not None else [])
    return f


def region(body: Callable[..., list[Value]], arg_types: list[Type] = (), term: str = "scf.yield") -> Region:
    """A one-block region: `body(builder, *block_args)` returns the terminator's operands."""
    blk = Block(list(arg_types))
    b = Builder(blk)
    vals = body(b, *blk.args)
    b.op(term, vals)
    return Region([blk])


def binop(name: str, t: Type, rt: Type | None = None, attrs: dict | None = None) -> FuncOp:
    return func("f", [t, t], rt or t, lambda b, x, y: b.value(name, [x, y], rt or t, attrs))


def unop(name: str, t: Type, rt: Type, attrs: dict | None = None) -> FuncOp:
    return func("f", [t], rt, lambda b, x: b.value(name, [x], rt, attrs))


class Native:
    """Calls a compiled entry with Python values; raises the error table's exception."""

    def __init__(self, cf: CompiledFunction) -> None:
        self.cf = cf
        argtypes = [ctypes.c_void_p] + [ctype(t) for t in cf.arg_types]
        self._fn = ctypes.CFUNCTYPE(ctypes.c_int32, *argtypes)(cf.entry_address)

    def __call__(self, *args: Any) -> Any:
        rt = self.cf.return_type
        out = ctype(rt)() if rt != NONE else None
        status = self._fn(ctypes.addressof(out) if out is not None else None, *args)
        if status:
            exc, msg = self.cf.error_table[status - 1]
            raise getattr(builtins, exc)(msg)
        return from_c(out, rt) if out is not None else None


def compile_native(*funcs: FuncOp, entry: str | None = None) -> Native:
    """Compile a module of `funcs` (entry: the first unless named) without the wrapper."""
    m = Module(list(funcs))
    cf = compile_module(m, entry or funcs[0].name, {"wrapper": False})
    return Native(cf)
