"""Hand-built native functions behind the generated call wrapper, for the wrapper and
dispatcher tests (no frontend, type inference or code generator involved).

`HandSpec` stands in for a compiled specialization: `make_callable(fallback)` and
`stage_text(stage)`, as `ember.compiler.Specialization` offers.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

import llvmlite.binding as llvm
from llvmlite import ir

from ember.backend.callable import make_builtin
from ember.backend.llvm_types import to_mem, value_type
from ember.backend.wrapper import emit_wrapper
from ember.ir.types import NONE, NoneType, TupleType, Type

I32 = ir.IntType(32)
# A builtin does not own the machine code it calls: keep every test engine alive.
_ALIVE: list["HandSpec"] = []
_init_lock = threading.Lock()
_initialized = False

# body(builder, out, args) -> status value: emits the native function's body.
Body = Callable[[ir.IRBuilder, ir.Value, list[ir.Value]], ir.Value]


def _init() -> None:
    global _initialized
    with _init_lock:
        if not _initialized:
            llvm.initialize_native_target()
            llvm.initialize_native_asmprinter()
            _initialized = True


class HandSpec:
    """One native function + its wrapper, compiled with MCJIT."""

    def __init__(self, arg_types: list[Type], return_type: Type, body: Body,
                 error_table: list[tuple[str, str]] | None = None, name: str = "f") -> None:
        _init()
        mod = ir.Module(name=f"hand_{name}")
        fnty = ir.FunctionType(I32, [ir.PointerType()] + [value_type(t) for t in arg_types])
        native = ir.Function(mod, fnty, name=name)
        b = ir.IRBuilder(native.append_basic_block("entry"))
        b.ret(body(b, native.args[0], list(native.args[1:])))
        self.wrapper_name = emit_wrapper(mod, native, list(arg_types), return_type, error_table or [])
        self.llvm_ir = str(mod)
        m = llvm.parse_assembly(self.llvm_ir)
        m.verify()
        tm = llvm.Target.from_default_triple().create_target_machine(opt=2)
        self.engine = llvm.create_mcjit_compiler(m, tm)
        self.engine.finalize_object()
        self.address = self.engine.get_function_address(self.wrapper_name)
        self.name = name
        self.arg_types = tuple(arg_types)
        self.return_type = return_type
        _ALIVE.append(self)

    def make_callable(self, fallback: object) -> object:
        return make_builtin(self.address, self.name, fallback)

    def stage_text(self, stage: str) -> str:
        if stage == "llvm":
            return self.llvm_ir
        raise ValueError(f"unknown stage {stage!r}")


def store(b: ir.IRBuilder, out: ir.Value, v: ir.Value, t: Type) -> ir.Value:
    """Store `v` (IR type `t`) to the out slot in memory form; return status 0."""
    if not isinstance(t, NoneType):
        b.store(to_mem(b, v, t), out)
    return ir.Constant(I32, 0)


def pack_type(arg_types: list[Type] | tuple[Type, ...]) -> Type:
    """What `pack_spec` returns: the one argument, or a tuple of all of them."""
    if len(arg_types) == 0:
        return NONE
    return arg_types[0] if len(arg_types) == 1 else TupleType(tuple(arg_types))


def pack_spec(arg_types: list[Type] | tuple[Type, ...], name: str = "pack") -> HandSpec:
    """A native function returning its single argument, or all arguments as a tuple."""
    rt = pack_type(arg_types)

    def body(b: ir.IRBuilder, out: ir.Value, args: list[ir.Value]) -> ir.Value:
        if isinstance(rt, NoneType):
            return ir.Constant(I32, 0)
        if len(args) == 1:
            return store(b, out, args[0], rt)
        agg: ir.Value = ir.Constant(value_type(rt), ir.Undefined)
        for i, a in enumerate(args):
            agg = b.insert_value(agg, a, i)
        return store(b, out, agg, rt)

    return HandSpec(list(arg_types), rt, body, name=name)


def status_spec(arg_types: list[Type], return_type: Type, status: int,
                error_table: list[tuple[str, str]], name: str = "fails") -> HandSpec:
    """A native function that returns `status` (k > 0 raises error_table[k-1])."""
    return HandSpec(arg_types, return_type, lambda b, out, args: ir.Constant(I32, status),
                    error_table, name=name)


def fallback_recorder() -> tuple[list[Any], Callable[..., Any]]:
    """A fallback that records its calls and returns a marker."""
    calls: list[Any] = []

    def fallback(*args: Any, **kwargs: Any) -> Any:
        calls.append((args, kwargs))
        return ("fallback", args, kwargs)

    return calls, fallback
