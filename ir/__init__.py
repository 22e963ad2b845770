"""ember's IR: types, values, ops, regions, the op catalog, and the IR's textual form.

The public names of the layer are re-exported here; see docs/internals.md.
"""
from .core import (Attribute, Block, BlockArgument, FuncOp, Module, Operation, OpResult,
                   Region, SymbolRef, Value)
from .errors import (CompileError, DifferentiationError, EmberError, IRError, TypingError,
                     UnsupportedSyntaxError)
from .location import Location
from .clone import clone_func, clone_module
from .parser import parse_func, parse_module
from .printer import print_func, print_module
from .verifier import verify_func, verify_module

__all__ = [
    "Attribute", "Block", "BlockArgument", "FuncOp", "Module", "Operation", "OpResult",
    "Region", "SymbolRef", "Value",
    "CompileError", "DifferentiationError", "EmberError", "IRError", "TypingError",
    "UnsupportedSyntaxError", "Location",
    "print_func", "print_module", "parse_func", "parse_module", "verify_func", "verify_module",
    "clone_func", "clone_module",
]
