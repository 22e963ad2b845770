"""The Python-source emitter: typed IR -> a Python function that a person can read and run.

It is how a user reads a derivative (`ember.grad(f).inspect_source()`) and an executable
reference that tests run against the native code:

    func_to_ast(module, symbol)     -> ast.Module: the function and every function it calls
    func_to_source(module, symbol)  -> str: that module printed by astor, each statement with
                                       a trailing `# line N` naming the user's source line
    func_to_python(module, symbol)  -> the entry as a Python callable, run with native
                                       semantics (NumPy scalars, errstate ignored)

Structured control flow maps to Python's own (`scf.if` -> if, `scf.for` -> for over a
range, `scf.while` -> while, `scf.try` -> try); loop-carried values are plain variables
reassigned at the end of the body. Unnamed single-use pure values are inlined into their
user and constants are written as literals, so the text reads like the source.

Files: pysource_base (names, inlining, blocks), pysource_ops (scalars), _containers
(tuples, records, arrays, lists, strs), _control (scf, calls, errors), _dicts, _wholearray
(the typed stage's array.map / assign / reduce), _text (the `# line N` comments),
_boxing (calling the result as the native function is called), _runtime* (the helpers the
text calls, imported by `from ember.ir.pysource_runtime import *`).
"""
from __future__ import annotations

import ast
from typing import Any, Callable

from ember.ir import (pysource_containers, pysource_control, pysource_dicts,  # noqa: F401
                      pysource_ops, pysource_wholearray)  # (they register the op emitters)
from ember.ir.core import FuncOp, Module
from ember.ir.pysource_base import Emitter, ModuleNames

__all__ = ["func_to_ast", "func_to_source", "func_to_python", "callees"]

HEADER = "import math\nimport numpy as np\nfrom ember.ir.pysource_runtime import *\n"


def callees(module: Module, symbol: str) -> list[FuncOp]:
    """`symbol`'s function, then every function of the module it reaches by func.call."""
    order: list[FuncOp] = []
    seen: set[str] = set()
    todo = [symbol]
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        func = module[name]
        order.append(func)
        for op in func.walk():
            if op.name == "func.call":
                todo.append(op.attributes["callee"].name)  # type: ignore[union-attr]
    return order


def _emit_module(module: Module, symbol: str) -> ast.Module:
    funcs = callees(module, symbol)
    names = ModuleNames([f.name for f in funcs])
    body: list[ast.stmt] = list(ast.parse(HEADER).body)
    for func in funcs:
        body.append(Emitter(func, names).function())
    tree = ast.Module(body=body, type_ignores=[])
    ast.fix_missing_locations(tree)
    return tree


def func_to_ast(module: Module, symbol: str) -> ast.Module:
    """The Python module (imports, then one `def` per function: the entry first) that
    computes what `symbol` computes. A statement made from an op with a source location
    carries its line in the attribute `ember_line`. Raises NotImplementedError naming an
    op that has no Python form."""
    return _emit_module(module, symbol)


def func_to_source(module: Module, symbol: str) -> str:
    """`func_to_ast` printed by astor (lines never wrapped); every statement that came from
    the user's source ends in `# line N`."""
    import astor  # lazily: only readers of the source pay for it

    from ember.ir.pysource_text import LineCommentGenerator

    return astor.to_source(_emit_module(module, symbol), pretty_source="".join,
                           source_generator_class=LineCommentGenerator)


def func_to_python(module: Module, symbol: str) -> Callable[..., Any]:
    """The entry function compiled from the emitted source, wrapped to take and give what the
    native function takes and gives: arguments become the NumPy scalars of their IR types
    (lists and dicts copies, written back after the call as native code writes them back),
    the body runs under `np.errstate(all="ignore")`, and the result is boxed as native code
    boxes it (every float to float, int to int, tuples, dicts, arrays)."""
    from ember.ir.pysource_boxing import mutated_list_types, python_callable

    source = func_to_source(module, symbol)
    namespace: dict[str, Any] = {"__name__": f"ember_pysource_{symbol}"}
    exec(compile(source, f"<ember source of {symbol}>", "exec"), namespace)
    func = module[symbol]
    funcs = callees(module, symbol)
    raw = namespace[ModuleNames([f.name for f in funcs]).of(symbol)]
    wrapped = python_callable(raw, func.arg_types, func.return_type, mutated_list_types(funcs))
    wrapped.__ember_source__ = source  # type: ignore[attr-defined]
    return wrapped
