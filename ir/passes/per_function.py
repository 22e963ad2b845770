"""What every function-local pass shares: running it over each function of a module."""
from __future__ import annotations

from typing import Callable

from ember.ir.core import FuncOp, Module


def apply_per_function(run_func: Callable[[FuncOp], bool], module: Module) -> bool:
    """Run `run_func` on every function; True if it changed any."""
    changed = False
    for f in module:
        changed |= run_func(f)
    return changed
