"""The function builder: parameters, return-mode analysis, the body, the final return."""
from __future__ import annotations

import ast
from typing import Any

from ember.ir.builder import Builder
from ember.ir.core import FuncOp
from ember.ir.types import BOOL, UNKNOWN

from .assigned import always_exits
from .control import ControlMixin
from .liveness import Liveness
from .scope import RETURNED, RETVAL
from .source import SourceInfo
from .trys import TryMixin


class FunctionBuilder(TryMixin, ControlMixin):
    """Builds the untyped FuncOp of one Python function (use once)."""

    def build(self) -> FuncOp:
        tree = self.src.tree
        params = self.parameters(tree.args)
        func = FuncOp(tree.name, [UNKNOWN] * len(params), UNKNOWN, list(params),
                      loc=self.src.loc(tree))
        self.mark_dict_params(func)
        self.b = Builder(func.body.block, func.loc)
        self.env = dict(zip(params, func.args))
        body = tree.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            body = body[1:]  # the docstring
        self.locals = set(params) | set(self.analysis.stmts(body).assigned)
        self.liveness = Liveness(body, self.analysis)
        self.return_mode(tree, body)
        if self.flag_returns:
            self.bind(RETURNED, self.const(False, BOOL))
            if self.returns_value:
                self.env[RETVAL] = self.undef(RETVAL)
        self.body(body)
        self.check_returns(tree)
        self.b.loc = func.loc
        if self.flag_returns:
            self.b.op("func.return", [self.env[RETVAL]] if self.returns_value else [])
        elif not self.dead:
            self.b.op("func.return", [])
        return func

    def parameters(self, args: ast.arguments) -> list[str]:
        for bad, what in ((args.vararg, "*args"), (args.kwarg, "**kwargs")):
            if bad is not None:
                raise self.error(f"{what} parameters (starred) are not supported by ember", bad)
        return [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]

    def return_mode(self, tree: ast.FunctionDef, body: list[ast.stmt]) -> None:
        """Returns nested in control flow are lowered to flags; a function returning a value
        on one path must return one on every path (None is not a value ember compiles)."""
        top = {id(s) for s in body}
        with_value: list[ast.Return] = []
        bare: list[ast.Return] = []
        nested = False
        for node in _walk_function(body):
            if isinstance(node, ast.Return):
                v = node.value
                (bare if v is None or (isinstance(v, ast.Constant) and v.value is None)
                 else with_value).append(node)
                nested = nested or id(node) not in top
        self.flag_returns = nested
        self.returns_value = bool(with_value)
        self.mixed_return = bare[0] if with_value and bare else None
        self.falls_off = bool(with_value and nested and not always_exits(body, self.analysis))

    def check_returns(self, tree: ast.FunctionDef) -> None:
        """Reported after the body is built, so an unsupported construct is reported first."""
        if self.mixed_return is not None:
            raise self.type_error(f"function {tree.name!r} returns a value on some paths and "
                                  "None on others (a bare `return`)", self.mixed_return)
        if self.falls_off:
            raise self.type_error(
                f"function {tree.name!r} returns a value on some paths but can also reach its "
                "end and return None; add a `return` at the end", tree)


def _walk_function(body: list[ast.stmt]):
    """Every node of the body, not descending into nested functions, lambdas or classes
    (their returns are their own; the builder rejects them anyway)."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))


def build(pyfunc: Any, src: SourceInfo) -> FuncOp:
    return FunctionBuilder(pyfunc, src).build()
