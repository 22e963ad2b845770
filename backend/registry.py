"""The table of op lowerings: op name -> function that emits LLVM IR for one op.

Each lowering file registers its ops with `@lowers(...)`; `ember.backend.lower`
imports them all. A typed op without an entry here is a backend bug, and a test
checks that every name in `ir.opdefs.TYPED` has one.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ember.ir.core import Operation

if TYPE_CHECKING:
    from .context import FuncLowering

Lowering = Callable[["FuncLowering", Operation], None]

LOWERINGS: dict[str, Lowering] = {}


def lowers(*names: str) -> Callable[[Lowering], Lowering]:
    """Register the decorated function as the lowering of every op in `names`."""
    def register(fn: Lowering) -> Lowering:
        for n in names:
            if n in LOWERINGS:
                raise ValueError(f"two lowerings for {n}")
            LOWERINGS[n] = fn
        return fn
    return register
