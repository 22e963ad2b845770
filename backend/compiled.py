"""CompiledFunction: the result of compiling one entry function, and its views.

Holds the engine alive (the code lives in its memory), the LLVM IR before and after
optimization, the error table, the entry's native address and, when the CPython
wrapper was generated, the wrapper's address for `make_callable`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ember.ir.types import Type

from .engine import Engine


@dataclass(eq=False)
class CompiledFunction:
    """A compiled entry function.

    `entry_address` is `i32 (ptr out, args...)` (see docs/internals.md), or None
    when the wrapper was generated (the entry is then internal, inlined into it);
    `wrapper_address` is the METH_FASTCALL|METH_KEYWORDS wrapper, or None when
    compiled with options={'wrapper': False}."""

    name: str
    llvm_ir: str
    engine: Engine = field(repr=False)
    entry_address: int | None
    wrapper_address: int | None
    error_table: list[tuple[str, str]]
    arg_types: list[Type]
    return_type: Type
    _asm: str | None = field(default=None, repr=False)

    @property
    def llvm_ir_optimized(self) -> str:
        return self.engine.optimized_ir

    @property
    def asm(self) -> str:
        if self._asm is None:
            self._asm = self.engine.asm()
        return self._asm

    def make_callable(self, fallback: object) -> Any:
        """A Python builtin calling the native code; mismatched arguments go to `fallback`."""
        if self.wrapper_address is None:
            raise RuntimeError("compiled with options={'wrapper': False}: no CPython wrapper")
        from .callable import make_builtin

        builtin = make_builtin(self.wrapper_address, self.name, fallback)
        return builtin
