"""astor's source generator, taught to end each statement's line with `# line N`.

The emitter (ir/pysource_base.py) stores a statement's source line in the AST node's
attribute `ember_line`. astor starts every statement with `newline(node)`: that call ends
the previous line, so it is where the previous statement's comment goes. `elif` headers
are written without a node; `visit_If` is repeated here to pass the nested `if` along.
"""
from __future__ import annotations

import ast
from typing import Any

from astor.code_gen import SourceGenerator, set_precedence


class LineCommentGenerator(SourceGenerator):
    """A SourceGenerator that writes the `ember_line` of a statement after it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: int | None = None

    def _flush(self) -> None:
        if self._pending is not None:
            self.result.append(f"  # line {self._pending}")
            self._pending = None

    def newline(self, node: ast.AST | None = None, extra: int = 0) -> None:
        self._flush()
        super().newline(node, extra)
        if node is not None:
            self._pending = getattr(node, "ember_line", None)

    def visit_If(self, node: ast.If) -> None:
        set_precedence(node, node.test)
        self.statement(node, "if ", node.test, ":")
        self.body(node.body)
        while True:
            else_ = node.orelse
            if len(else_) == 1 and isinstance(else_[0], ast.If):
                node = else_[0]
                set_precedence(node, node.test)
                self.write(lambda n=node: self.newline(n), "elif ", node.test, ":")
                self.body(node.body)
            else:
                self.else_body(else_)
                break

    def visit_Module(self, node: ast.Module) -> None:
        super().visit_Module(node)
        self._flush()
