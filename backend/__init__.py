"""ember.backend: typed IR -> LLVM IR (llvmlite) -> native code, wrapped for CPython.

`compile_module(module, entry, options)` is the one entry point; see
docs/internals.md for the native calling convention. llvmlite.binding is imported
lazily by the engine on the first compile.
"""
from __future__ import annotations

import weakref
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
    compile time, sometimes slower loops). `object_suffix` (str): the exported symbols get
    this suffix and the machine code is made as an object file kept in
    `engine.object_code`, for the disk cache (backend/object_code.py). `tiered`
    (default True; the environment's EMBER_TIERED=0 turns it off everywhere): with a
    wrapper, compile a quick tier now and O3 in the background (backend/tiering.py)."""
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
    unroll = opts.get("unroll", True)
    # Tiered (backend/tiering.py): a quick compile now, O3 in the background. Only
    # with a wrapper (its builtins can be re-pointed; a raw entry address cannot) and
    # not for the disk cache (it stores O3 object code).
    tiered = (wrapper_name is not None and opts.get("object_suffix") is None
              and opts.get("tiered", True))
    if tiered:
        from . import tiering

        tiered = tiering.enabled()
    engine = Engine(text, name=entry, unroll=unroll, object_suffix=opts.get("object_suffix"),
                    domain=tiering.quick_domain() if tiered else None)
    compiled = CompiledFunction(
        name=entry,
        llvm_ir=text,
        engine=engine,
        entry_address=None if wrapper_name else engine.address(lowered.entry.name),
        wrapper_address=engine.address(wrapper_name) if wrapper_name else None,
        error_table=list(lowered.error_table),
        arg_types=list(f.arg_types),
        return_type=f.return_type,
    )
    if tiered:
        assert wrapper_name is not None
        # The job holds the function weakly: when it is collected before its turn, no
        # O3 compile is made for it.
        ref = weakref.ref(compiled)

        def install(eng: Any, name: str = wrapper_name) -> None:
            cf = ref()
            if cf is not None:
                cf.install(eng, name)

        job = tiering.TierUp(text, entry, unroll, install, lambda: ref() is not None)
        compiled._tier_up = job
        tiering.schedule(job)
    return compiled
