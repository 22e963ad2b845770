"""Messages for the Python constructs the frontend rejects, named the way a user wrote them."""
from __future__ import annotations

import ast

_NAMES: dict[type, str] = {
    ast.With: "'with' statements",
    ast.AsyncWith: "'async with' statements",
    ast.Yield: "'yield' (generators)",
    ast.YieldFrom: "'yield from' (generators)",
    ast.Await: "'await'",
    ast.AsyncFor: "'async for' loops",
    ast.AsyncFunctionDef: "async functions",
    ast.Lambda: "lambda expressions",
    ast.ClassDef: "class definitions",
    ast.FunctionDef: "nested function definitions",
    ast.Global: "'global' declarations",
    ast.Nonlocal: "'nonlocal' declarations",
    ast.Starred: "starred expressions (*x)",
    ast.JoinedStr: "f-strings (str formatting)",
    ast.FormattedValue: "f-strings (str formatting)",
    ast.Raise: "'raise' statements",
    ast.Assert: "'assert' statements",
    ast.Import: "'import' inside a compiled function",
    ast.ImportFrom: "'import' inside a compiled function",
    ast.Dict: "dict literals",
    ast.Set: "set literals",
    ast.SetComp: "set comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.NamedExpr: "assignment expressions (:=)",
    ast.Match: "'match' statements",
    ast.Subscript: "subscripts (x[i])",
    ast.Slice: "slices",
}
if hasattr(ast, "TryStar"):
    _NAMES[ast.TryStar] = "'try' statements"


def unsupported_message(node: ast.AST) -> str:
    """'<construct> are not supported' for any AST node kind."""
    what = _NAMES.get(type(node))
    if what is None:
        what = f"the Python construct {type(node).__name__!r}"
    return f"{what} not supported by ember"
