"""Resolving what a function's free names refer to: globals, closure cells, builtins.

Everything is looked up in the function's own `__globals__` and `__closure__` at build time;
objects are recognised by identity (a `math` function however it was imported), never by
the name the user gave them.
"""
from __future__ import annotations

import builtins
import math
import types
from typing import Any

MISSING = object()

# math functions that become a `math.<name>` op of the same name, by arity.
MATH_UNARY_FUNCS = ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
                    "asinh", "acosh", "atanh", "exp", "expm1", "exp2", "log2", "log10",
                    "log1p", "sqrt", "cbrt", "fabs", "floor", "ceil", "trunc", "erf", "erfc",
                    "gamma", "lgamma", "isnan", "isinf", "isfinite")
MATH_BINARY_FUNCS = ("atan2", "copysign", "pow", "fmod", "hypot")
MATH_CONSTANTS = ("pi", "e", "tau", "inf", "nan")

# id(math function object) -> its name; built once from the module itself.
MATH_BY_ID: dict[int, str] = {
    id(getattr(math, n)): n
    for n in MATH_UNARY_FUNCS + MATH_BINARY_FUNCS + ("log",)
    if hasattr(math, n)
}

# Builtins compiled to `py.<name>` ops, with their accepted positional counts (max None: any).
BUILTIN_OPS: dict[int, tuple[str, int, int | None]] = {
    id(builtins.abs): ("abs", 1, 1),
    id(builtins.min): ("min", 2, None),
    id(builtins.max): ("max", 2, None),
    id(builtins.int): ("int", 1, 1),
    id(builtins.float): ("float", 1, 1),
    id(builtins.bool): ("bool", 1, 1),
    id(builtins.round): ("round", 1, 2),
    id(builtins.divmod): ("divmod", 2, 2),
    id(builtins.len): ("len", 1, 1),
    id(builtins.complex): ("complex", 0, 2),
}


class Resolver:
    """Looks up the free names of one function (closure first, then globals, then builtins)."""

    def __init__(self, pyfunc: Any) -> None:
        self.globals: dict[str, Any] = getattr(pyfunc, "__globals__", {})
        self.closure: dict[str, Any] = {}
        code = getattr(pyfunc, "__code__", None)
        cells = getattr(pyfunc, "__closure__", None) or ()
        if code is not None:
            for name, cell in zip(code.co_freevars, cells):
                try:
                    self.closure[name] = cell.cell_contents
                except ValueError:  # an empty cell: the enclosing variable is not bound yet
                    pass

    def lookup(self, name: str) -> Any:
        """The object a free name refers to, or MISSING."""
        if name in self.closure:
            return self.closure[name]
        if name in self.globals:
            return self.globals[name]
        return getattr(builtins, name, MISSING)


def is_module(obj: Any) -> bool:
    return isinstance(obj, types.ModuleType)


def ember_target(obj: Any) -> Any:
    """The Python function behind a callable the frontend compiles as `func.call`, or None."""
    inner = getattr(obj, "__ember_function__", None)
    if inner is not None:
        return inner
    if isinstance(obj, types.FunctionType):
        return obj
    return None


def describe(obj: Any) -> str:
    """A short human name for an object in an error message."""
    mod = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if is_module(obj):
        return f"module {obj.__name__!r}"
    if name:
        return f"{mod}.{name}" if mod and mod != "builtins" else name
    return type(obj).__name__ + " object"
