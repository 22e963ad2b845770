"""State and small helpers shared by the frontend's visitor mixins.

One `FunctionBuilder` (see builder.py) builds one function. It owns the IR `Builder`
(whose location is set before every node is visited), the environment, the
assigned-name analysis and the resolver of free names. Unknown AST node kinds have no
`expr_*` / `stmt_*` method and are rejected, never skipped.
"""
from __future__ import annotations

import ast
from typing import Any, Callable, NoReturn

from ember.ir.builder import Builder
from ember.ir.core import Block, Region, Value
from ember.ir.errors import TypingError, UnsupportedSyntaxError
from ember.ir.types import BOOL, UNKNOWN, Type

from .assigned import Analysis
from .reject import unsupported_message
from .resolve import Resolver
from .scope import Env, hint
from .source import SourceInfo


def merged_type(values: list[Value]) -> Type:
    """The type a merge of `values` surely has: their common type if all agree, else `?`."""
    t = values[0].type
    for v in values[1:]:
        if v.type != t:
            return UNKNOWN
    return t


class BuilderBase:
    b: Builder

    def __init__(self, pyfunc: Any, src: SourceInfo) -> None:
        self.pyfunc = pyfunc
        self.src = src
        self.analysis = Analysis()
        self.resolver = Resolver(pyfunc)
        self.env: Env = {}
        self.locals: set[str] = set()
        # Set after a statement that certainly leaves the current statement list
        # (return/break/continue): the rest of that list is unreachable.
        self.dead = False

    # ---- errors ---------------------------------------------------------------
    def error(self, message: str, node: ast.AST) -> UnsupportedSyntaxError:
        return UnsupportedSyntaxError(message, self.src.loc(node))

    def type_error(self, message: str, node: ast.AST) -> TypingError:
        return TypingError(message, self.src.loc(node))

    def unsupported(self, node: ast.AST) -> NoReturn:
        raise self.error(unsupported_message(node), node)

    # ---- dispatch: the location is set before visiting each node ---------------
    def expr(self, node: ast.expr) -> Value:
        return self._visit("expr_", node)

    def stmt(self, node: ast.stmt) -> None:
        self._visit("stmt_", node)

    def _visit(self, prefix: str, node: ast.AST) -> Any:
        """Call `<prefix><NodeType>` with the builder's location set to the node; a node
        type with no such method is rejected, never skipped."""
        method = getattr(self, prefix + type(node).__name__, None)
        if method is None:
            self.unsupported(node)
        b = self.b
        saved = b.loc
        b.loc = self.src.loc(node)
        try:
            return method(node)
        finally:
            b.loc = saved

    # ---- op helpers ------------------------------------------------------------
    def op1(self, name: str, operands: list[Value], type: Type = UNKNOWN,
            attrs: dict | None = None) -> Value:
        """A one-result op with an unnamed result."""
        return self.b.op(name, operands, [type], attrs).results[0]

    def const(self, value: int | float | bool, type: Type, name: str | None = None) -> Value:
        return self.b.op("arith.constant", (), [type], {"value": value}, names=[name]).results[0]

    def undef(self, key: str) -> Value:
        return self.b.op("py.undef", (), [UNKNOWN], names=[hint(key)]).results[0]

    def truth(self, v: Value) -> Value:
        """A bool for use as a condition (`bool(v)`); bools pass through."""
        if v.type == BOOL:
            return v
        return self.op1("py.truth", [v], BOOL)

    def bind(self, key: str, v: Value) -> None:
        """Assign a variable; an unnamed value takes the variable's name for printing."""
        if v.name is None:
            v.name = hint(key)
        self.env[key] = v

    # ---- structured if ---------------------------------------------------------
    def build_if(self, cond: Value, then_fn: Callable[[], list[Value]],
                 else_fn: Callable[[], list[Value]], names: list[str]) -> list[Value]:
        """Emit `scf.if cond` whose branches run `then_fn` / `else_fn` on copies of the
        environment. It yields the values each branch returns (expression results) followed
        by the variables in `names`; those are rebound to the op's results. A name unbound
        before the if and in both branches stays unbound; unbound on one path only, it
        gets `py.undef` there. Returns the expression results."""
        env0 = self.env
        blocks: list[Block] = []
        extras: list[list[Value]] = []
        envs: list[Env] = []
        for fn in (then_fn, else_fn):
            block = Block()
            self.env = dict(env0)
            self.dead = False
            with self.b.at(block):
                extras.append(fn())
            blocks.append(block)
            envs.append(self.env)
        self.env = env0
        self.dead = False
        names = [n for n in names if n in envs[0] or n in envs[1]]
        columns: list[list[Value]] = []
        for block, env, extra in zip(blocks, envs, extras):
            with self.b.at(block):
                vals = extra + [env[n] if n in env else self.undef(n) for n in names]
                self.b.op("scf.yield", vals)
            columns.append(vals)
        types = [merged_type([a, b]) for a, b in zip(*columns)]
        hints = [None] * len(extras[0]) + [hint(n) for n in names]
        op = self.b.op("scf.if", [cond], types, regions=[Region([blocks[0]]), Region([blocks[1]])],
                       names=hints)
        k = len(extras[0])
        for n, r in zip(names, op.results[k:]):
            self.env[n] = r
        return list(op.results[:k])

    def if_value(self, cond: Value, then_fn: Callable[[], Value],
                 else_fn: Callable[[], Value]) -> Value:
        """An expression-level `scf.if` yielding one value (and/or, x if c else y, chains)."""
        return self.build_if(cond, lambda: [then_fn()], lambda: [else_fn()], [])[0]
