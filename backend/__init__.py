"""ember.backend: typed IR -> LLVM IR (llvmlite) -> native code, wrapped for CPython.

`compile_module(module, entry, options)` is the one entry point; see
docs/internals.md for the native calling convention. llvmlite.binding is imported
lazily by the engine on the first compile.
"""
from __future__ import annotations

from typing import Any

from ember.ir.core import Module

from .compiled import CompiledFunction
from .context import LoweringError

__all__ = ["compile_module", "CompiledFunction", "LoweringError"]


def compile_module(module: Module, entry: str, options: dict[str, Any] | None = None) -> CompiledFunction:
    """Compile `module` and return its entry function `entry` compiled.

    options: `wrapper` (default True) generates the CPython call wrapper and makes
    the entry internal to the module (no `entry_address`); False compiles only the
    native functions, the entry exported (for tests calling `entry_address` directly).
    `unroll` (default True): False skips LLVM's partial / runtime loop unrolling (less
    compile time, sometimes slower loops)."""
    from .engine import Engine, shared
    from .lower import lower_module

    opts = options or {}
    lowered = lower_module(module, entry)
    target = shared()
    lowered.llmod.triple = target.triple
    lowered.llmod.data_layout = target.data_layout
    f = module[entry]
    wrapper_name = None
    if opts.get("wrapper", True):
        from .wrapper import emit_wrapper
        from .wrapper_reflect import reflected_arguments

        # The wrapper is the only way in: an internal entry is inlined into it and
        # then dropped, so O3 and codegen see its body once instead of twice.
        lowered.entry.linkage = "internal"
        wrapper_name = emit_wrapper(lowered.llmod, lowered.entry, f.arg_types,
                                    f.return_type, lowered.error_table,
                                    reflected_arguments(module, entry))
    text = str(lowered.llmod)
    engine = Engine(text, name=entry, unroll=opts.get("unroll", True))
    return CompiledFunction(
        name=entry,
        llvm_ir=text,
        engine=engine,
        entry_address=None if wrapper_name else engine.address(lowered.entry.name),
        wrapper_address=engine.address(wrapper_name) if wrapper_name else None,
        error_table=list(lowered.error_table),
        arg_types=list(f.arg_types),
        return_type=f.return_type,
    )
