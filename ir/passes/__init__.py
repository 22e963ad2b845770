"""Optimization passes on typed IR; `optimize` runs the default pipeline.

Each pass is one module with `run(module) -> Module` (mutating in place) and
`apply(module) -> bool` (True if it changed anything):

- `inline`: inline small or single-call non-recursive callees, drop unreachable functions
- `canonicalize`: constant folding (exact CPython semantics) and local simplifications
- `cse`: merge identical pure ops along the structured dominance tree
- `dce`: remove unused pure ops, unused `scf.if`/loop results, empty `scf.if`, unused
  `array.alloc`s that cannot fail
- `fuse_arrays`: merge single-use `array.map`s into their consumer (no temporaries)
- `lower_arrays`: `array.map`/`assign`/`reduce` -> broadcast checks and `scf.for` nests
- `ownership`: `array.retain`/`array.release` (no pass but `error_cleanup` may follow it)
- `error_cleanup`: what a function owns when it raises is released (catch-all scf.try)
"""
from __future__ import annotations

from ember.ir.core import Module
from ember.ir.passes import (canonicalize, cse, dce, error_cleanup, fuse_arrays, inline, lower_arrays,
                             ownership)
from ember.ir.types import ArrayType


def optimize(module: Module, entry: str | None = None, *, counted: bool = True) -> Module:
    """inline -> canonicalize -> cse -> dce, run once more if anything changed; then, for
    a module with arrays: fuse_arrays -> lower_arrays -> canonicalize -> cse -> dce ->
    ownership.

    `counted=False` stops before `ownership`: the scalarized IR that autodiff transforms
    (its output is optimized again, with the reference counts, before the backend).

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
    if _uses_arrays(module):
        fuse_arrays.run(module)
        lower_arrays.run(module)
        canonicalize.run(module)
        cse.run(module)
        dce.run(module)
        if counted:
            ownership.run(module)
            error_cleanup.run(module)
    elif counted and _uses_references(module):  # lists / dicts without arrays: still reference counted
        ownership.run(module)
        error_cleanup.run(module)
    return module


def _uses_references(module: Module) -> bool:
    """Does any value of the module hold a counted reference (a list or dict)?"""
    for f in module:
        if any(ownership.holds_references(t) for t in f.arg_types) \
                or ownership.holds_references(f.return_type):
            return True
        for op in f.walk():
            if any(ownership.holds_references(r.type) for r in op.results):
                return True
    return False


def _uses_arrays(module: Module) -> bool:
    """One cheap walk: does any value of the module have an array type?"""
    for f in module:
        if any(isinstance(t, ArrayType) for t in f.arg_types) or isinstance(f.return_type, ArrayType):
            return True
        for op in f.walk():
            if op.name.startswith("array.") or any(isinstance(r.type, ArrayType) for r in op.results):
                return True
    return False


__all__ = ["optimize", "canonicalize", "cse", "dce", "inline", "fuse_arrays", "lower_arrays",
           "ownership", "error_cleanup"]
