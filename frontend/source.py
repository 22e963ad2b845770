"""Getting a Python function's AST and mapping AST positions back to the user's file.

The source is parsed with its original indentation (an indented `def`, e.g. a method or a
function defined inside another, is wrapped under `if 1:`), so AST columns are already the
real columns of the file; only the line numbers need the offset of the first source line.
"""
from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass

from ember.ir.errors import UnsupportedSyntaxError
from ember.ir.location import Location


@dataclass(frozen=True)
class SourceInfo:
    """The parsed `def` of one function and how to turn its AST positions into Locations."""

    file: str
    line_offset: int
    tree: ast.FunctionDef

    def loc(self, node: ast.AST) -> Location:
        off = self.line_offset
        end = getattr(node, "end_lineno", None)
        return Location(self.file, node.lineno + off, node.col_offset,
                        end + off if end is not None else None,
                        getattr(node, "end_col_offset", None))


def function_source(pyfunc: object) -> SourceInfo:
    """Parse the source of `pyfunc`; UnsupportedSyntaxError when it has none or is a lambda."""
    code = getattr(pyfunc, "__code__", None)
    file = code.co_filename if code is not None else "<unknown>"
    try:
        lines, first = inspect.getsourcelines(pyfunc)  # type: ignore[arg-type]
    except (OSError, TypeError) as e:
        raise UnsupportedSyntaxError(
            f"cannot read the source of {getattr(pyfunc, '__name__', pyfunc)!r} ({e}); "
            "ember compiles functions defined in a file", None) from None
    if code is not None and code.co_name == "<lambda>":
        raise UnsupportedSyntaxError(
            "lambda functions are not supported: define the function with `def`",
            Location(file, first, 0))
    text = "".join(lines)
    head = lines[0] if lines else ""
    indented = head[:1] in (" ", "\t")
    offset = first - 1
    if indented:
        # Keep the real columns: indentation is legal inside an `if` block.
        text = "if 1:\n" + text
        offset -= 1
    try:
        module = ast.parse(text, filename=file)
    except SyntaxError as e:
        raise UnsupportedSyntaxError(f"cannot parse the source of {pyfunc.__name__!r}: {e.msg}",
                                     Location(file, first, 0)) from None
    node = module.body[0]
    if indented:
        node = node.body[0]  # type: ignore[attr-defined]
    if isinstance(node, ast.AsyncFunctionDef):
        raise UnsupportedSyntaxError("async functions are not supported",
                                     Location(file, node.lineno + offset, node.col_offset))
    if not isinstance(node, ast.FunctionDef) or (code is not None and node.name != code.co_name):
        line = first
        raise UnsupportedSyntaxError(
            "lambda functions are not supported: define the function with `def`",
            Location(file, line, 0))
    return SourceInfo(file, offset, node)
