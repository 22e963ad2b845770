"""Structured control flow: if/elif/else, while, for-range, and the flags that lower
break / continue / return (the IR has no jumps).

- `scf.if` yields the variables either branch assigns (assigned.py) that are live after
  it (liveness.py).
- A loop carries the variables its body assigns (plus the for target) that are live at
  its header: read in an iteration before being assigned, or after the loop. Those unbound
  before the loop start as `py.undef`; the others stay local to the body.
- break: a carried `broke` flag; the loop becomes `scf.while` whose condition is
  `not broke and not returned and <test>` (the test runs only when no flag is set).
- continue: a per-iteration `continued` flag, reset at the top of the body.
- return (nested anywhere): function-level `returned` / `retval`, carried through loops.
- After a statement that may have set a flag, the rest of the statement list is wrapped
  in `scf.if not (flags)`.
"""
from __future__ import annotations

import ast
import builtins

from ember.ir.core import Block, OpResult, Region, Value
from ember.ir.types import BOOL, I64, UNKNOWN

from .assigned import BREAK, CONTINUE, RETURN, Effects, target_names
from .liveness import Liveness
from .scope import BROKE, CONTINUED, COUNTER, EXIT_FLAG, RETURNED, RETVAL, hint
from .iteration import IterationMixin

_FLAG_TYPES = {BROKE: BOOL, CONTINUED: BOOL, RETURNED: BOOL}
_EXIT_ORDER = (CONTINUE, BREAK, RETURN)


class ControlMixin(IterationMixin):
    liveness: Liveness  # set by the function builder before the body is visited

    # ---- statement lists and guards ----------------------------------------------
    def body(self, stmts: list[ast.stmt]) -> None:
        """Visit a statement list; after a statement that may leave early, the rest runs
        under `scf.if` on the flags it may have set."""
        n = len(stmts)
        for i, s in enumerate(stmts):
            self.stmt(s)
            if self.dead:
                return
            exits = self.analysis.stmt(s).exits
            if exits and i + 1 < n:
                stops = [self.env[EXIT_FLAG[e]] for e in _EXIT_ORDER if e in exits]
                self.guarded(stmts[i + 1:], stops)
                return

    def names_for(self, eff: Effects, live: frozenset[str]) -> list[str]:
        """The environment keys a construct with effects `eff` may rebind and that are
        needed afterwards: the assigned variables in `live`, and the flags it may set."""
        names = [n for n in eff.assigned if n in live]
        if CONTINUE in eff.exits:
            names.append(CONTINUED)
        if BREAK in eff.exits:
            names.append(BROKE)
        if RETURN in eff.exits:
            names.append(RETURNED)
            if self.returns_value:
                names.append(RETVAL)
        return names

    def not_any(self, stops: list[Value]) -> Value:
        stop = stops[0]
        for s in stops[1:]:
            stop = self.op1("py.bitor", [stop, s], BOOL)
        return self.op1("py.not", [stop], BOOL)

    def guarded(self, stmts: list[ast.stmt], stops: list[Value]) -> None:
        """Run `stmts` only if none of the `stops` flags is set."""
        cond = self.not_any(stops)
        names = self.names_for(self.analysis.stmts(stmts), self.liveness.live_after(stmts))
        self.build_if(cond, lambda: self._run(stmts), lambda: [], names)

    def _run(self, stmts: list[ast.stmt]) -> list[Value]:
        self.body(stmts)
        return []

    # ---- if ------------------------------------------------------------------------
    def stmt_If(self, node: ast.If) -> None:
        cond = self.truth(self.expr(node.test))
        names = self.names_for(self.analysis.stmt(node), self.liveness.live_out(node))
        self.build_if(cond, lambda: self._run(node.body), lambda: self._run(node.orelse), names)

    # ---- loops: shared parts ---------------------------------------------------------
    def carried(self, node: ast.While | ast.For) -> tuple[list[str], Effects]:
        eff = self.analysis.loop_body(node)
        live = self.liveness.carried(node)
        names: dict[str, None] = {}
        if isinstance(node, ast.For):  # the target names (a tuple target: each name)
            bound: dict[str, None] = {}
            target_names(node.target, bound)
            names.update((n, None) for n in bound if n in live)
        for key in self.names_for(eff, live):
            if key != CONTINUED:  # reset every iteration, never carried
                names.setdefault(key, None)
        return list(names), eff

    def inits(self, names: list[str]) -> list[Value]:
        out = []
        for n in names:
            if n == BROKE:
                out.append(self.const(False, BOOL, hint(n)))
            elif n in self.env:
                out.append(self.env[n])
            else:
                out.append(self.undef(n))
        return out

    def region_block(self, names: list[str], lead: list = ()) -> Block:  # type: ignore[assignment]
        types = [t for t, _ in lead] + [_FLAG_TYPES.get(n, UNKNOWN) for n in names]
        hints = [h for _, h in lead] + [hint(n) for n in names]
        return Block(types, hints)

    def loop_body(self, node: ast.While | ast.For, eff: Effects, names: list[str]) -> None:
        """The body of an iteration, then `scf.yield` of the carried names."""
        if CONTINUE in eff.exits:
            self.bind(CONTINUED, self.const(False, BOOL))
        self.body(node.body)
        self.dead = False
        self.b.op("scf.yield", [self.env[n] for n in names])

    def loop_condition(self, test, stops: list[Value]) -> Value:
        """`test()` as a bool, evaluated only when no stop flag is set."""
        if not stops:
            return test()
        return self.if_value(self.not_any(stops), test, lambda: self.const(False, BOOL))

    def emit_while(self, names: list[str], inits: list[Value], test, after_fn) -> list[Value]:
        """scf.while carrying `names`; `test()` builds the condition in the before region
        (flags included), `after_fn()` builds the after region and its yield."""
        env0 = self.env
        before, after = self.region_block(names), self.region_block(names)
        self.env = dict(env0)
        self.env.update(zip(names, before.args))
        with self.b.at(before):
            stops = [self.env[k] for k in (BROKE, RETURNED) if k in names]
            cond = self.loop_condition(test, stops)
            self.b.op("scf.condition", [cond, *before.args])
        self.env = dict(env0)
        self.env.update(zip(names, after.args))
        with self.b.at(after):
            after_fn()
        self.env = env0
        op = self.b.op("scf.while", inits, [a.type for a in before.args],
                       regions=[Region([before]), Region([after])], names=[hint(n) for n in names])
        return list(op.results)

    def finish_loop(self, node: ast.While | ast.For, names: list[str], results: list[Value],
                    saved: dict[str, Value | None]) -> None:
        """Bind the loop's results, restore the enclosing loop's flags, run the else clause."""
        final = dict(zip(names, results))
        for n, v in final.items():
            if n != COUNTER:
                self.env[n] = v
        for k, v in saved.items():  # the enclosing loop's own flags
            if v is None:
                self.env.pop(k, None)
            else:
                self.env[k] = v
        if node.orelse:
            stops = [final[k] for k in (BROKE, RETURNED) if k in final]
            if stops:
                self.guarded(node.orelse, stops)
            else:
                self.body(node.orelse)

    def _save_loop_flags(self) -> dict[str, Value | None]:
        return {BROKE: self.env.get(BROKE), CONTINUED: self.env.get(CONTINUED)}

    # ---- while ----------------------------------------------------------------------
    def stmt_While(self, node: ast.While) -> None:
        names, eff = self.carried(node)
        saved = self._save_loop_flags()
        inits = self.inits(names)
        results = self.emit_while(names, inits, lambda: self.truth(self.expr(node.test)),
                                  lambda: self.loop_body(node, eff, names))
        self.finish_loop(node, names, results, saved)

    # ---- for v in range(...) ---------------------------------------------------------
    def range_bounds(self, node: ast.For) -> tuple[Value, Value, Value]:
        it = node.iter
        ref = self.static_object(it.func) if isinstance(it, ast.Call) else None
        if ref is None or ref[0] is not builtins.range:
            raise self.error(f"for loops over {ast.unparse(it)!r} are not supported by ember: "
                             "only `for v in range(...)`", it)
        assert isinstance(it, ast.Call)
        if it.keywords or not 1 <= len(it.args) <= 3 or any(isinstance(a, ast.Starred) for a in it.args):
            raise self.type_error("range() takes 1 to 3 positional arguments", it)
        saved = self.b.loc
        self.b.loc = self.src.loc(it)
        args = [self.expr(a) for a in it.args]
        if len(args) == 1:
            args = [self.const(0, I64), args[0]]
        if len(args) == 2:
            args.append(self.const(1, I64))
        self.b.loc = saved
        return args[0], args[1], args[2]

    def loop_iteration(self, node: ast.For):
        """(lb, ub, step, bind, is_range) of a for loop: `bind(iv)` binds the loop target at the top
        of the body. `for v in range(...)` binds v to the induction variable; any other
        iterable `x` (an array: its rows) is evaluated once and becomes
        `for k in range(len(x)): v = x[k]`."""
        it = node.iter
        if self.is_ndindex(it):  # k over the flat positions, idx = the k-th index tuple
            shape = self.ndindex_shape(it)  # type: ignore[arg-type]
            with self.located(it):
                lb, one = self.const(0, I64), self.const(1, I64)
                ub = self.op1("py.ndindex_size", [shape])

            def bind_index(iv: Value) -> None:
                with self.located(node.target):
                    self.assign(node.target, self.op1("py.ndindex_get", [shape, iv]))
            return lb, ub, one, bind_index, False
        ref = self.static_object(it.func) if isinstance(it, ast.Call) else None
        if ref is not None and ref[0] is builtins.range and isinstance(node.target, ast.Name):
            target = node.target.id
            lb, ub, step = self.range_bounds(node)
            return lb, ub, step, lambda iv: self.bind(target, iv), True
        # enumerate / zip / reversed / arrays / tuples: iteration.py's sources
        src = self.iter_source(it)
        with self.located(it):
            lb, one = self.const(0, I64), self.const(1, I64)
        return lb, src.length, one, lambda iv: self.bind_element(node.target, src.element(iv)), False

    def stmt_For(self, node: ast.For) -> None:
        _check_target(self, node.target)
        lb, ub, step, bind_target, is_range = self.loop_iteration(node)
        names, eff = self.carried(node)
        saved = self._save_loop_flags()
        inits = self.inits(names)
        if BREAK in eff.exits or RETURN in eff.exits:
            results = self.for_as_while(node, eff, names, inits, lb, ub, step, bind_target)
            self.finish_loop(node, [COUNTER] + names, results, saved)
            return
        target = node.target.id if isinstance(node.target, ast.Name) else "idx"
        block = self.region_block(names, [(I64, target if is_range else target + "_index")])
        env0 = self.env
        self.env = dict(env0)
        self.env.update(zip(names, block.args[1:]))
        with self.b.at(block):
            bind_target(block.args[0])
            self.loop_body(node, eff, names)
        self.env = env0
        op = self.b.op("scf.for", [lb, ub, step, *inits], [a.type for a in block.args[1:]],
                       regions=[Region([block])], names=[hint(n) for n in names])
        self.finish_loop(node, names, list(op.results), saved)

    def for_as_while(self, node: ast.For, eff: Effects, names: list[str], inits: list[Value],
                     lb: Value, ub: Value, step: Value, bind_target) -> list[Value]:
        """A for-range loop that may break or return: scf.while over a hidden counter."""
        sign = _constant_sign(step)
        upward: Value | None = None
        if sign is None:
            nonzero = self.truth(self.op1("py.ne", [step, self.const(0, I64)]))
            self.b.op("cf.assert", [nonzero], attributes={
                "exc": "ValueError", "msg": "range() arg 3 must not be zero"})
            upward = self.truth(self.op1("py.gt", [step, self.const(0, I64)]))

        def in_range() -> Value:
            counter = self.env[COUNTER]
            if upward is None:
                return self.truth(self.op1("py.lt" if sign > 0 else "py.gt", [counter, ub]))
            return self.if_value(upward, lambda: self.truth(self.op1("py.lt", [counter, ub])),
                                 lambda: self.truth(self.op1("py.gt", [counter, ub])))

        def after() -> None:
            counter = self.env[COUNTER]
            bind_target(counter)
            if CONTINUE in eff.exits:
                self.bind(CONTINUED, self.const(False, BOOL))
            self.body(node.body)
            self.dead = False
            self.env[COUNTER] = self.op1("py.add", [counter, step])
            self.b.op("scf.yield", [self.env[n] for n in [COUNTER] + names])

        return self.emit_while([COUNTER] + names, [lb] + inits, in_range, after)


def _constant_sign(v: Value) -> int | None:
    """+1 / -1 for a nonzero constant step, None for a runtime (or zero) step."""
    if isinstance(v, OpResult) and v.op.name == "arith.constant":
        c = v.op.attributes.get("value")
        if isinstance(c, (int, float)) and not isinstance(c, bool) and c != 0:
            return 1 if c > 0 else -1
    return None


def _check_target(builder, target: ast.expr) -> None:
    """A for target is a name or a (nested) tuple of names."""
    if isinstance(target, (ast.Tuple, ast.List)):
        for e in target.elts:
            _check_target(builder, e)
    elif not isinstance(target, ast.Name):
        raise builder.error("for loop targets other than names and tuples of names are not "
                            "supported by ember", target)
