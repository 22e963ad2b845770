"""Which variables are live where: a separate backward pass over the AST (like assigned.py).

The SSA builder asks this so that a loop carries, and an `scf.if` yields, only the variables
some later read needs; everything else stays local to its region (no `py.undef` is made for
it, which type inference could not turn into a zero for an array).

Liveness is computed for the IR the builder makes, not for Python's jumps: `break` and
`continue` set a flag, skip the rest of every enclosing statement list (guarded `scf.if`s)
and reach the loop's next header, so at a statement that may break or continue everything
live at that loop's header is live too. `return` leads only to the function's end, where no
Python variable is read (the returned value travels in its own flag).

Two steps, each visiting every node once:
- bottom-up (memoized) summaries: `gen` (names read before being certainly assigned on some
  path through the statement) and `must` (names certainly assigned on every path that falls
  off its end; `None` when no path does);
- top-down from the function body: `live_out(stmt)` for every statement and the header live
  set of every loop, from which `carried(loop)` follows.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from .assigned import BREAK, CONTINUE, Analysis, target_names

Names = frozenset[str]
_NONE: Names = frozenset()


@dataclass(frozen=True)
class Summary:
    gen: Names
    must: Names | None  # None: control never falls off the end


def _reads(node: ast.AST | None) -> set[str]:
    """Names an expression (or simple statement) reads. Nested functions are rejected by
    the builder, so a plain walk is exact enough."""
    out: set[str] = set()
    if node is None:
        return out
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            out.add(n.id)
    return out


def _minus(a: Names, must: Names | None) -> Names:
    return _NONE if must is None else a - must


class Liveness:
    """Liveness of one function body (use once, right after parsing)."""

    def __init__(self, body: list[ast.stmt], analysis: Analysis) -> None:
        self.analysis = analysis
        self._summary: dict[int, Summary] = {}
        self._live_out: dict[int, Names] = {}
        self._carried: dict[int, Names] = {}
        self._try_live: dict[int, Names] = {}  # try statement / except clause -> live at its start
        self.visit(body, _NONE, None)

    # ---- queries for the builder -------------------------------------------------------
    def live_out(self, node: ast.stmt) -> Names:
        """Names read after `node` in the IR the builder makes (its value must survive)."""
        return self._live_out[id(node)]

    def live_after(self, stmts: list[ast.stmt]) -> Names:
        """Names live at the end of a (non-empty) statement list."""
        return self._live_out[id(stmts[-1])]

    def carried(self, loop: ast.For | ast.While) -> Names:
        """The variables the loop must carry: assigned in it (the for target included) and
        live at its header (read before being assigned in an iteration, or after the loop)."""
        return self._carried[id(loop)]

    # ---- bottom-up summaries ---------------------------------------------------------
    def stmts(self, body: list[ast.stmt]) -> Summary:
        gen: set[str] = set()
        must: set[str] = set()
        for s in body:
            sm = self.stmt(s)
            gen |= sm.gen - must
            if sm.must is None:
                return Summary(frozenset(gen), None)
            must |= sm.must
        return Summary(frozenset(gen), frozenset(must))

    def stmt(self, node: ast.stmt) -> Summary:
        key = id(node)
        sm = self._summary.get(key)
        if sm is None:
            sm = self._compute(node)
            self._summary[key] = sm
        return sm

    def _compute(self, node: ast.stmt) -> Summary:
        if isinstance(node, ast.If):
            a, b = self.stmts(node.body), self.stmts(node.orelse)
            return Summary(frozenset(_reads(node.test)) | a.gen | b.gen, _meet(a.must, b.must))
        if isinstance(node, (ast.While, ast.For)):
            body, orelse = self.stmts(node.body), self.stmts(node.orelse)
            gen = set(self.header_reads(node)) | self.body_gen(node) | orelse.gen
            # Zero iterations is always possible, and a break skips the else clause.
            breaks = BREAK in self.analysis.loop_body(node).exits
            return Summary(frozenset(gen), _NONE if breaks else orelse.must)
        if isinstance(node, (ast.Return, ast.Break, ast.Continue)):
            return Summary(frozenset(_reads(node)), None)
        assigned: dict[str, None] = {}
        # An annotation is not evaluated in a function body: only the value and the target.
        reads = _reads(node) if not isinstance(node, ast.AnnAssign) else \
            _reads(node.value) | _reads(node.target)
        if isinstance(node, ast.Assign):
            for t in node.targets:
                target_names(t, assigned)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            if node.value is not None:
                target_names(node.target, assigned)
            if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                reads.add(node.target.id)  # `x += 1` reads x
        # A read in a target (`a[i] = ...`) counts as before the binding: conservative.
        return Summary(frozenset(reads), frozenset(assigned))

    def header_reads(self, node: ast.While | ast.For) -> Names:
        """Reads of the loop's own header: the while test (every iteration) or the for
        iterable (once, before the loop; harmless to count at the header)."""
        return frozenset(_reads(node.test if isinstance(node, ast.While) else node.iter))

    def body_gen(self, node: ast.While | ast.For) -> Names:
        gen = self.stmts(node.body).gen
        if isinstance(node, ast.For):
            bound: dict[str, None] = {}
            target_names(node.target, bound)
            gen = gen - frozenset(bound)  # the target is bound before the body runs
        return gen

    # ---- top-down live sets ----------------------------------------------------------
    def visit(self, body: list[ast.stmt], after: Names, header: Names | None) -> Names:
        """Record live-outs in `body`, given what is live after it and at the header of the
        innermost enclosing loop (None outside loops); returns what is live before it."""
        live = after
        for s in reversed(body):
            out = live
            jumps = header is not None and bool(self.analysis.stmt(s).exits & {BREAK, CONTINUE})
            if jumps:
                out = out | header  # type: ignore[operator]
            self._live_out[id(s)] = out
            self.visit_children(s, out, header)
            sm = self.stmt(s)
            live = sm.gen | _minus(live, sm.must)
            if jumps:
                live = live | header  # type: ignore[operator]
        return live

    def visit_children(self, s: ast.stmt, out: Names, header: Names | None) -> None:
        if isinstance(s, ast.If):
            self.visit(s.body, out, header)
            self.visit(s.orelse, out, header)
        elif isinstance(s, (ast.While, ast.For)):
            exit_live = self.visit(s.orelse, out, header)
            if BREAK in self.analysis.loop_body(s).exits:
                exit_live = exit_live | out
            own = exit_live | self.header_reads(s) | self.body_gen(s)
            self.visit(s.body, own, own)
            assigned: dict[str, None] = {}
            if isinstance(s, ast.For):
                target_names(s.target, assigned)
            assigned.update(self.analysis.loop_body(s).assigned)
            self._carried[id(s)] = frozenset(n for n in assigned if n in own)
        elif isinstance(s, ast.Try):
            self.visit_try(s, out, header)

    def visit_try(self, s: ast.Try, out: Names, header: Names | None) -> None:
        """try (frontend/trys.py): a handler or the finally block may run after any
        statement of the body, so what they read is live throughout the body."""
        fin = self.visit(s.finalbody, out, header)
        self._try_live[id(s)] = fin
        handlers: Names = frozenset()
        for h in s.handlers:
            hl = self.visit(h.body, fin, header)
            self._try_live[id(h)] = hl
            handlers = handlers | hl
        extra = handlers | (fin if s.finalbody else frozenset())
        els = self.visit(s.orelse, fin, header)
        self.visit(s.body, els | extra, header)
        for part in [s.body] + [h.body for h in s.handlers] + [s.orelse]:
            for node in _stmts_within(part):
                self._live_out[id(node)] = self._live_out[id(node)] | extra
                if isinstance(node, (ast.For, ast.While)):
                    assigned = dict(self.analysis.loop_body(node).assigned)
                    if isinstance(node, ast.For):
                        target_names(node.target, assigned)
                    self._carried[id(node)] = self._carried[id(node)] | frozenset(
                        n for n in assigned if n in extra)
            if not s.finalbody:
                break  # only the body can reach the handlers

    def handler_live(self, h: ast.ExceptHandler) -> Names:
        """What is live at the start of an except clause."""
        return self._try_live[id(h)]

    def try_final_live(self, s: ast.Try) -> Names:
        """What is live at the start of a try statement's finally block."""
        return self._try_live[id(s)]


def _meet(a: Names | None, b: Names | None) -> Names | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _stmts_within(body: list[ast.stmt]):
    """Every statement in `body`, nested ones included."""
    for s in body:
        for n in ast.walk(s):
            if isinstance(n, ast.stmt):
                yield n
