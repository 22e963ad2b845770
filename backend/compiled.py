"""CompiledFunction: the result of compiling one entry function, and its views.

Holds the engine alive (the code lives in its memory), the LLVM IR before and after
optimization, the error table, the entry's native address and, when the CPython
wrapper was generated, the wrapper's address for `make_callable`.
"""
from __future__ import annotations

import threading
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
    # Tiered compiles (backend/tiering.py): the queued O3 compile, and the addresses of
    # the quick-tier wrappers whose PyMethodDefs follow it when it is installed.
    _tier_up: Any = field(default=None, repr=False)
    _quick_wrappers: list[int] = field(default_factory=list, repr=False)
    _swap_lock: Any = field(default_factory=threading.Lock, repr=False)

    def wait_optimized(self) -> None:
        """Block until the O3 code is installed (at once when not tiered)."""
        job = self._tier_up
        if job is not None:
            job.wait()

    def install(self, engine: Engine, wrapper_name: str) -> None:
        """Switch to `engine`'s code (the O3 tier): every builtin made so far, and every
        one made from now on, calls its wrapper."""
        new = engine.address(wrapper_name)
        from .callable import retarget

        with self._swap_lock:
            old = self.wrapper_address
            if old is not None and old not in self._quick_wrappers:
                self._quick_wrappers.append(old)
            self.engine = engine
            self.wrapper_address = new
            for quick in self._quick_wrappers:
                retarget(quick, self.name, new)

    @property
    def llvm_ir_optimized(self) -> str:
        self.wait_optimized()
        return self.engine.optimized_ir

    @property
    def asm(self) -> str:
        self.wait_optimized()
        if self._asm is None:
            self._asm = self.engine.asm()
        return self._asm

    def make_callable(self, fallback: object) -> Any:
        """A Python builtin calling the native code; mismatched arguments go to `fallback`."""
        if self.wrapper_address is None:
            raise RuntimeError("compiled with options={'wrapper': False}: no CPython wrapper")
        from .callable import make_builtin

        with self._swap_lock:  # never a builtin of the quick tier made after the swap
            return make_builtin(self.wrapper_address, self.name, fallback)
