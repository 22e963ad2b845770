"""Optimization passes on typed IR; `optimize` runs the default pipeline.

Each pass is one module with `run(module) -> Module` (mutating in place) and
`apply(module) -> bool` (True if it changed anything):

- `inline`: inline small or single-call non-recursive callees, drop unreachable functions
- `canonicalize`: constant folding (exact CPython semantics) and local simplifications
- `cse`: merge identical pure ops along the structured dominance tree
- `dce`: remove unused pure ops, unused `scf.if`/loop results, empty `scf.if`
"""
from __future__ import annotations

from ember.ir.core import Module
from ember.ir.passes import canonicalize, cse, dce, inline


def optimize(module: Module, entry: str | None = None) -> Module:
    """inline -> canonicalize -> cse -> dce, run once more if anything changed.

    `entry` names the function to keep when dropping functions that are no longer
    called (functions with `attributes["entry"] = True` are kept too); without
    any root, no function is dropped.
    """
    for _ in range(2):
        changed = inline.apply(module, entry)
        changed |= canonicalize.apply(module)
        changed |= cse.apply(module)
        changed |= dce.apply(module)
        if not changed:
            break
    return module


__all__ = ["optimize", "canonicalize", "cse", "dce", "inline"]
