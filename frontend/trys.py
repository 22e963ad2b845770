"""`try / except / else / finally` and the bare `raise` (re-raise) inside a handler.

`try: B  except E1: H1 ... else: EL` becomes one `scf.try` op: its body region runs B,
each handler region one except clause (attribute `catch`: the builtin class names each
clause catches). The op yields the variables B or a handler assign that are live after
it, like `scf.if`; with an `else:` it also yields a hidden `ok` flag (True from the body,
False from the handlers) and EL runs under `scf.if ok` after the op, outside the handlers'
reach, as in Python.

`finally: F` wraps all of that in a second `scf.try` whose single clause catches every
exception (BaseException) and runs F then `cf.reraise`; F is emitted again after that op
for the normal path (break / continue / return are flags, so they take that path too).

Handlers see the values the body assigned before the failing statement: the handler
regions take the state S (the body's assigned variables that a handler or the finally
block may read) as block arguments, and the body records S with `scf.try_state` before
each statement and at the end of each statement list (also inside nested loops and ifs),
one op per enclosing try whose body is being built (attribute `depth`: 0 for the
innermost). The backend keeps S in stack slots (backend/lower_try.py).

`except E as e`: the name may only be re-raised (`raise` / `raise e`); any other use is
rejected at its line (the exception object does not exist in compiled code).
"""
from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

from ember.ir.core import Block, Region, Value
from ember.ir.types import BOOL, UNKNOWN

from .assigned import BREAK, CONTINUE, RETURN, Effects
from .scope import hint

OK = "@try_ok"  # the hidden flag: the try body completed without an exception


@dataclass
class _Level:
    """One try body being built: the state names its handlers receive."""

    state: list[str]
    last: list[Value] | None = field(default=None)


class TryMixin:
    try_levels: list[_Level]
    handler_names: list[str | None]  # per enclosing handler: its `as` name (None: none)

    # ---- the hooks: record the state before every statement ----------------------
    def stmt(self, node: ast.stmt) -> None:
        if getattr(self, "try_levels", None):
            self.try_checkpoint()
        super().stmt(node)  # type: ignore[misc]

    def body(self, stmts: list[ast.stmt]) -> None:
        super().body(stmts)  # type: ignore[misc]
        if getattr(self, "try_levels", None) and not self.dead:
            self.try_checkpoint()

    def try_checkpoint(self) -> None:
        levels = self.try_levels
        for depth, level in enumerate(reversed(levels)):
            if not level.state:
                continue
            vals = [self.env[n] if n in self.env else self.undef(n) for n in level.state]
            if level.last is not None and all(a is b for a, b in zip(vals, level.last)):
                continue
            self.b.op("scf.try_state", vals, [], {"depth": depth})
            level.last = vals

    # ---- raise inside a handler ----------------------------------------------------
    def stmt_Raise(self, node: ast.Raise) -> None:
        names = getattr(self, "handler_names", [])
        bare = node.exc is None or (isinstance(node.exc, ast.Name) and bool(names)
                                    and node.exc.id == names[-1] and node.cause is None)
        if not bare:
            super().stmt_Raise(node)  # type: ignore[misc]
            return
        if not names:
            raise self.error("a bare 'raise' (re-raise) is only supported by ember inside the "
                             "'except' clause of a try/except", node)
        self.b.op("cf.reraise", [], [])
        self.dead = True

    # ---- try -------------------------------------------------------------------------
    def stmt_Try(self, node: ast.Try) -> None:
        if not hasattr(self, "try_levels"):
            self.try_levels, self.handler_names = [], []
        clauses = [self.try_clause(h) for h in node.handlers]
        for h in node.handlers:
            if h.name is not None:
                self.check_exception_uses(h.name, h.body)
        live = self.liveness.live_out(node)
        eff = self.analysis.stmt(node)
        if not node.finalbody:
            self.try_except(node, clauses, live, eff)
            return
        fin_live = self.liveness.try_final_live(node)
        assigned = dict(self.analysis.stmts(node.body).assigned)
        for h in node.handlers:
            assigned.update(self.analysis.stmts(h.body).assigned)
        assigned.update(self.analysis.stmts(node.orelse).assigned)
        state = [n for n in assigned if n in fin_live]
        names = self.names_for(eff, live | fin_live)

        def inner() -> None:
            if node.handlers:
                self.try_except(node, clauses, fin_live, eff)
            else:
                self.body(node.body)

        def final_handler() -> None:
            saved = self.handler_names
            self.handler_names = []  # a bare raise inside finally is not supported
            self.body(node.finalbody)
            self.handler_names = saved
            if not self.dead:
                self.b.op("cf.reraise", [], [])
                self.dead = True

        self.build_try(inner, [("BaseException", None, final_handler)], state, names)
        self.body(node.finalbody)

    def try_except(self, node: ast.Try, clauses: list[str], live: frozenset[str],
                   eff: Effects) -> None:
        """The try / except / else part (no finally)."""
        assigned = self.analysis.stmts(node.body).assigned
        handler_live: frozenset[str] = frozenset()
        for h in node.handlers:
            handler_live |= self.liveness.handler_live(h)
        state = [n for n in assigned if n in handler_live]
        names = self.names_for(eff, live)
        if node.orelse:
            names = names + [OK]

        def body() -> None:
            self.body(node.body)
            if node.orelse and not self.dead:
                self.bind(OK, self.const(True, BOOL, "ok"))

        def handler(h: ast.ExceptHandler):
            def run() -> None:
                self.handler_names.append(h.name)
                try:
                    self.body(h.body)
                finally:
                    self.handler_names.pop()
                if node.orelse and not self.dead:
                    self.bind(OK, self.const(False, BOOL, "ok"))
            return run

        self.build_try(body, [(c, h, handler(h)) for c, h in zip(clauses, node.handlers)],
                       state, names)
        if node.orelse:
            ok = self.env.pop(OK)
            else_names = self.names_for(self.analysis.stmts(node.orelse), live)
            self.build_if(ok, lambda: self._run(node.orelse), lambda: [], else_names)

    def build_try(self, body_fn, handlers: list, state: list[str], names: list[str]) -> None:
        """Emit `scf.try`: `body_fn()` builds the body, each `(catch, node, fn)` a handler;
        handlers receive `state`; `names` are yielded and rebound after the op."""
        env0 = self.env
        blocks: list[Block] = []
        envs: list[dict] = []
        # the body
        block = Block()
        self.env, self.dead = dict(env0), False
        self.try_levels.append(_Level(state))
        try:
            with self.b.at(block):
                self.try_checkpoint()
                body_fn()
        finally:
            self.try_levels.pop()
        blocks.append(block)
        envs.append(self.env)
        for _, h, fn in handlers:
            block = Block([UNKNOWN] * len(state), [hint(n) for n in state])
            self.env, self.dead = dict(env0), False
            self.env.update(zip(state, block.args))
            with self.b.at(block):
                if h is not None:
                    with self.located(h):
                        fn()
                else:
                    fn()
            blocks.append(block)
            envs.append(self.env)
        self.env, self.dead = env0, False
        names = [n for n in names if any(n in e for e in envs)]
        for block, env in zip(blocks, envs):
            with self.b.at(block):
                self.b.op("scf.yield", [env[n] if n in env else self.undef(n) for n in names])
        types = [BOOL if n == OK else UNKNOWN for n in names]
        catch = "|".join(c for c, _, _ in handlers)
        op = self.b.op("scf.try", [], types, {"catch": catch},
                       regions=[Region([b]) for b in blocks], names=[hint(n) if n != OK else "ok"
                                                                     for n in names])
        for n, r in zip(names, op.results):
            self.env[n] = r

    # ---- clauses ---------------------------------------------------------------------
    def try_clause(self, h: ast.ExceptHandler) -> str:
        """The comma-separated builtin class names an except clause catches."""
        if h.type is None:
            return "BaseException"
        items = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
        names = []
        for it in items:
            ref = self.static_object(it)
            obj = ref[0] if ref is not None else None
            name = getattr(obj, "__name__", None)
            if not (isinstance(obj, type) and issubclass(obj, BaseException)
                    and isinstance(name, str) and getattr(builtins, name, None) is obj):
                raise self.error("an 'except' clause must name builtin exception classes "
                                 "(ValueError, (IndexError, KeyError), Exception, ...)", it)
            names.append(name)
        return ",".join(names)

    def check_exception_uses(self, name: str, body: list[ast.stmt]) -> None:
        """`e` of `except E as e` may only be re-raised (`raise e`)."""
        allowed: set[int] = set()
        for n in ast.walk(ast.Module(body=body, type_ignores=[])):
            if isinstance(n, ast.Raise) and isinstance(n.exc, ast.Name) and n.exc.id == name:
                allowed.add(id(n.exc))
        for n in ast.walk(ast.Module(body=body, type_ignores=[])):
            if isinstance(n, ast.Name) and n.id == name and id(n) not in allowed:
                raise self.error(f"the caught exception {name!r} can only be re-raised "
                                 f"(`raise` or `raise {name}`) in compiled code: the exception "
                                 "object is not available", n)


__all__ = ["TryMixin", "OK", "BREAK", "CONTINUE", "RETURN"]
