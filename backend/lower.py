"""Typed IR module -> llvmlite module: the entry point of code generation.

Every IR function becomes `i32 @"ember.fn.<symbol>"(ptr %out, args...)`; only the
entry has external linkage, so LLVM may inline and drop the callees.
"""
from __future__ import annotations

from dataclasses import dataclass

from llvmlite import ir

from ember.ir.core import Module

# Importing the lowering files registers their ops.
from . import lower_arith, lower_array, lower_func, lower_math, lower_pyarith, lower_scf  # noqa: F401
from . import lower_complex  # noqa: F401
from . import lower_record  # noqa: F401
from . import lower_try  # noqa: F401
from . import lower_str  # noqa: F401
from . import lower_list  # noqa: F401
from . import lower_dict  # noqa: F401
from .context import LoweringError, ModuleLowering
from .lower_func import declare_function, lower_function


@dataclass
class LoweredModule:
    """The llvmlite module, the entry's native function and the error table."""

    llmod: ir.Module
    entry: ir.Function
    error_table: list[tuple[str, str]]


def lower_module(module: Module, entry: str) -> LoweredModule:
    """Lower every function of `module`; `entry` names the externally visible one."""
    if entry not in module.funcs:
        raise LoweringError(f"entry function @{entry} is not in the module")
    ml = ModuleLowering(name=entry)
    for f in module:
        declare_function(ml, f, external=(f.name == entry))
    for f in module:
        lower_function(ml, f)
    for finish in ml.finalizers:
        finish()
    return LoweredModule(ml.llmod, ml.functions[entry], ml.errors.entries)
