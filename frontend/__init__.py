"""The frontend: a Python function -> untyped structured SSA IR (`build_function`).

Reads the function's source, parses it, resolves its globals and closure cells and builds
an untyped `FuncOp` (every value `?` unless syntax fixes its type) directly in structured
SSA form. Unsupported constructs raise `UnsupportedSyntaxError` at their location.
"""
from __future__ import annotations

from typing import Any

from ember.ir.core import FuncOp, SymbolRef
from ember.ir.errors import CompileError

from .builder import build
from .source import function_source

__all__ = ["build_function"]


def build_function(pyfunc: Any) -> FuncOp:
    """The untyped IR of `pyfunc` (an ember dispatcher is unwrapped to its Python function)."""
    pyfunc = getattr(pyfunc, "__ember_function__", pyfunc)
    try:
        f = build(pyfunc, function_source(pyfunc))
    except CompileError as e:
        raise e.with_traceback(None) from None
    rules = getattr(pyfunc, "__ember_custom_rule__", None)
    if rules is not None:
        # ember.custom_jvp / custom_vjp: autodiff asks this object for the rules
        # (autodiff/custom_calls.py); the inliner keeps the calls
        f.attributes["custom_rule"] = SymbolRef(f.name, rules)
    return f
