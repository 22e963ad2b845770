"""The one error hierarchy of ember, beside source locations (every layer depends on ir/).

Every compile-time error carries the user's file, line and column and renders an
excerpt of the source line with a caret under the construct. Users see these
through `ember.errors`.
"""
from __future__ import annotations

import linecache

from .location import Location


class EmberError(Exception):
    """Base of every error ember raises on its own account."""


class CompileError(EmberError):
    """A problem found while compiling the user's code, reported at its source location."""

    def __init__(self, message: str, loc: Location | None = None) -> None:
        self.message = message
        self.loc = loc
        super().__init__(self._render())

    def _render(self) -> str:
        if self.loc is None:
            return self.message
        return f"{self.message}\n{format_excerpt(self.loc)}"


class UnsupportedSyntaxError(CompileError):
    """A Python construct outside the compiled subset."""


class TypingError(CompileError):
    """Type inference failed: a conflict, an unsupported operand type, a bad call."""


class DifferentiationError(CompileError):
    """A derivative was asked of something that has none (an int argument, an op with no rule)."""


class IRError(CompileError):
    """Malformed IR: a verifier or parser failure (a compiler bug when it comes from a stage)."""


def format_excerpt(loc: Location) -> str:
    """`  File "f.py", line 3, column 8` then the source line and a caret under the span."""
    head = f'  File "{loc.file}", line {loc.line}, column {loc.col + 1}'
    text = linecache.getline(loc.file, loc.line).rstrip("\n")
    if not text:
        return head
    stripped = text.lstrip()
    indent = len(text) - len(stripped)
    width = 1
    if loc.end_col is not None and (loc.end_line is None or loc.end_line == loc.line):
        width = max(1, loc.end_col - loc.col)
    caret = " " * (4 + max(0, loc.col - indent)) + "^" * width
    return f"{head}\n    {stripped}\n{caret}"
