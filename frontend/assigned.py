"""Which names a statement list assigns and how it can leave: a separate pass over the AST.

The SSA builder asks this before building an `if` or a loop, so that it knows which values
the structured op must yield or carry without visiting a body twice. `exits` says which of
`return`, `break` and `continue` can leave a statement early: `break` and `continue` count
only at the level of the loop they belong to (a loop's own body consumes them, its `else`
does not), `return` counts at every level.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

RETURN, BREAK, CONTINUE = "return", "break", "continue"


@dataclass(frozen=True)
class Effects:
    """`assigned`: names in first-assignment order (dict used as an ordered set)."""

    assigned: dict[str, None]
    exits: frozenset[str]


_EMPTY = Effects({}, frozenset())


def target_names(target: ast.AST, out: dict[str, None]) -> None:
    """Collect the plain names bound by an assignment target (nested tuples included)."""
    if isinstance(target, ast.Name):
        out.setdefault(target.id, None)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            target_names(elt, out)
    elif isinstance(target, ast.Starred):
        target_names(target.value, out)
    elif (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
          and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str)):
        # d["k"] = v rebinds d: a record is a value, the write is a functional update
        out.setdefault(target.value.id, None)


class Analysis:
    """Memoized effects of statements for one function build (keyed by node identity)."""

    def __init__(self) -> None:
        self._memo: dict[int, Effects] = {}

    def stmts(self, body: list[ast.stmt]) -> Effects:
        if not body:
            return _EMPTY
        if len(body) == 1:
            return self.stmt(body[0])
        assigned: dict[str, None] = {}
        exits: set[str] = set()
        for s in body:
            e = self.stmt(s)
            assigned.update(e.assigned)
            exits |= e.exits
        return Effects(assigned, frozenset(exits))

    def stmt(self, node: ast.stmt) -> Effects:
        key = id(node)
        e = self._memo.get(key)
        if e is None:
            e = self._compute(node)
            self._memo[key] = e
        return e

    def _compute(self, node: ast.stmt) -> Effects:
        out: dict[str, None] = {}
        if isinstance(node, ast.Assign):
            for t in node.targets:
                target_names(t, out)
            return Effects(out, frozenset())
        if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            if isinstance(node, ast.AnnAssign) and node.value is None:
                return _EMPTY
            target_names(node.target, out)
            return Effects(out, frozenset())
        if isinstance(node, ast.Return):
            return Effects(out, frozenset((RETURN,)))
        if isinstance(node, ast.Break):
            return Effects(out, frozenset((BREAK,)))
        if isinstance(node, ast.Continue):
            return Effects(out, frozenset((CONTINUE,)))
        if isinstance(node, ast.If):
            a, b = self.stmts(node.body), self.stmts(node.orelse)
            out.update(a.assigned)
            out.update(b.assigned)
            return Effects(out, a.exits | b.exits)
        if isinstance(node, (ast.For, ast.While)):
            if isinstance(node, ast.For):
                target_names(node.target, out)
            body, orelse = self.stmts(node.body), self.stmts(node.orelse)
            out.update(body.assigned)
            out.update(orelse.assigned)
            exits = (body.exits & {RETURN}) | orelse.exits
            return Effects(out, frozenset(exits))
        if isinstance(node, ast.Try):  # frontend/trys.py
            exits = set()
            for part in [node.body, node.orelse, node.finalbody] + [h.body for h in node.handlers]:
                e = self.stmts(part)
                out.update(e.assigned)
                exits |= e.exits
            return Effects(out, frozenset(exits))
        # Anything else assigns nothing the builder could use: the builder rejects
        # the unsupported statement kinds itself when it reaches them.
        return _EMPTY

    def loop_body(self, node: ast.For | ast.While) -> Effects:
        """The effects of a loop's own body, with its break/continue still visible."""
        return self.stmts(node.body)


def always_exits(body: list[ast.stmt], analysis: Analysis) -> bool:
    """True when control can never fall off the end of `body` (every path returns or loops
    forever), so a function ending here needs no implicit `return None`."""
    for s in body:
        if isinstance(s, (ast.Return, ast.Raise)):  # a raise never falls through
            return True
        if isinstance(s, ast.If) and always_exits(s.body, analysis) and always_exits(s.orelse, analysis):
            return True
        if isinstance(s, ast.Try) and (always_exits(s.finalbody, analysis) or (
                always_exits(s.body + s.orelse, analysis)
                and all(always_exits(h.body, analysis) for h in s.handlers))):
            return True
        if isinstance(s, (ast.While, ast.For)) and BREAK not in analysis.loop_body(s).exits:
            if isinstance(s, ast.While) and _constant_true(s.test):
                return True
            if s.orelse and always_exits(s.orelse, analysis):
                return True
    return False


def _constant_true(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant) and bool(test.value) and not isinstance(test.value, str)
