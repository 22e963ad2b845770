"""Step 1 of type inference: give every value of one untyped function a type.

A walk in program order over the structured IR. Branch merges (`scf.if` results)
unify the types both branches yield; loops re-run their body until the carried
types stop changing (BOTTOM, the type of `py.undef` and of a recursive call's
not-yet-known result, is the identity of unify, so a variable first assigned in a
loop takes the type of that assignment). Ops with a BOTTOM operand give BOTTOM
results. Conflicts raise TypingError at the merging op, naming the variable and
both definitions.
"""
from __future__ import annotations

from typing import Protocol

from ember.ir.core import Block, FuncOp, Operation, Value
from ember.ir.errors import IRError, TypingError
from ember.ir.opdefs import TYPED
from ember.ir.types import BOTTOM, I64, NONE, UNKNOWN, TupleType, Type, is_numeric

from .lattice import def_loc, is_int_like, line_of, type_name, unify
from .rules import RULES, ensure_loaded
from .sites import SiteTable, running
from .static import is_static
from .trys import propagate_state, propagate_try
from .static import runtime_type

MAX_ROUNDS = 100


class CallTyper(Protocol):
    def call_type(self, op: Operation, arg_types: list[Type]) -> Type:
        """The return type of the callee of `op` for these (non-BOTTOM) argument types."""


class Propagation:
    """The types of one function's values for given argument types: `run()` returns the
    return type (BOTTOM if no return is typed yet) and fills `types`."""

    def __init__(self, func: FuncOp, arg_types: list[Type], calls: CallTyper) -> None:
        ensure_loaded()
        self.func = func
        self.arg_types = arg_types
        self.calls = calls
        self.types: dict[Value, Type] = {}
        self.ret: Type = BOTTOM
        self.ret_origin: tuple[Type, Operation] | None = None
        self.sites = SiteTable()

    def run(self) -> Type:
        # Containers made here learn their element types from later stores (sites.py):
        # walk again until no site's types change.
        with running(self.sites):
            for _ in range(MAX_ROUNDS):
                self.sites.changed = False
                self.types = {}
                self.ret, self.ret_origin = BOTTOM, None
                for a, t in zip(self.func.args, self.arg_types):
                    self.types[a] = t
                self.block(self.func.body.block)
                if not self.sites.changed:
                    return self.ret
        raise TypingError("type inference of the containers of this function does not "
                          "converge", self.func.loc)

    def type_of(self, v: Value) -> Type:
        try:
            return self.types[v]
        except KeyError:
            raise IRError(f"typeinfer: {v!r} is used before its definition") from None

    def block(self, block: Block) -> None:
        for op in block.ops:
            self.op(op)

    # ---- one op -----------------------------------------------------------------
    def op(self, op: Operation) -> None:
        n = op.name
        if n == "scf.if":
            self.if_(op)
        elif n == "scf.for":
            self.for_(op)
        elif n == "scf.while":
            self.while_(op)
        elif n == "scf.try":
            propagate_try(self, op)
        elif n == "scf.try_state":
            propagate_state(self, op)
        elif n in ("scf.yield", "scf.condition"):
            return  # read by the owning op
        elif n == "func.return":
            self.return_(op)
        elif n == "py.undef":
            self.types[op.results[0]] = BOTTOM
        elif n == "arith.constant":
            self.types[op.results[0]] = op.results[0].type
        else:
            self.generic(op)

    def generic(self, op: Operation) -> None:
        ins = [self.type_of(v) for v in op.operands]
        if any(t == BOTTOM for t in ins):
            outs = [BOTTOM] * len(op.results)
        elif op.name == "func.call":
            ins = [runtime_type(t) for t in ins]  # a string literal is passed as a str
            for v, t in zip(op.operands, ins):
                if is_static(t) and t != NONE:
                    what = f"'{v.name}'" if v.name else "an argument"
                    raise TypingError(f"{what} is a compile-time-only {t} (a dtype, slice or "
                                      "Ellipsis) and cannot be passed to a function", op.loc)
            outs = [self.calls.call_type(op, ins)][: len(op.results)]
        elif op.name in RULES:
            outs = RULES[op.name].infer(op, ins)
        elif op.name in TYPED and all(r.type not in (UNKNOWN, BOTTOM) for r in op.results):
            outs = [r.type for r in op.results]
        else:
            raise TypingError(f"type inference does not support the op {op.name}", op.loc)
        for r, t in zip(op.results, outs):
            self.types[r] = t

    def return_(self, op: Operation) -> None:
        t = runtime_type(self.type_of(op.operands[0])) if op.operands else NONE
        if is_static(t) and t != NONE:
            raise TypingError(f"a compile-time-only {t} (a dtype, slice or Ellipsis) cannot be "
                              "returned", op.loc)
        if t == BOTTOM:
            return  # a recursive call's result: no information yet
        if self.ret_origin is None:
            self.ret, self.ret_origin = t, (t, op)
            return
        u = unify(self.ret, t)
        if u is None:
            first_t, first_op = self.ret_origin
            raise TypingError(
                f"function '{self.func.name}' returns {type_name(first_t)} at "
                f"{line_of(first_op.loc)} but {type_name(t)} at {line_of(op.loc)}: every return "
                "must give a value of one type (a path that returns nothing returns None)",
                op.loc)
        self.ret = u

    # ---- merges -----------------------------------------------------------------
    def merge(self, at: Operation, names: list[str | None], a: Type, a_val: Value | None,
              b: Type, b_val: Value | None) -> Type:
        a, b = runtime_type(a), runtime_type(b)  # string literals merge as run-time strs
        u = unify(a, b)
        name = next((n for n in names if n), None)
        static = next((t for t in (a, b) if is_static(t) and t != NONE), None)
        if static is not None and (u is None or u != NONE):
            who = f"variable '{name}'" if name else "a value merged here"
            raise TypingError(f"{who} holds a compile-time-only {static} (a dtype, slice or "
                              "Ellipsis): it cannot be assigned in a branch or a loop", at.loc)
        if u is not None:
            return u
        who = f"variable '{name}'" if name else "a value merged here"
        raise TypingError(
            f"{who} is {type_name(a)} at {line_of(def_loc(a_val, self.func) if a_val else at.loc)} "
            f"but {type_name(b)} at {line_of(def_loc(b_val, self.func) if b_val else at.loc)}; "
            "a variable must keep one type (ints and floats mix, other types do not)", at.loc)

    def if_(self, op: Operation) -> None:
        self.condition(op, op.operands[0])
        then_b, else_b = op.regions[0].block, op.regions[1].block
        self.block(then_b)
        self.block(else_b)
        ty, ey = then_b.terminator, else_b.terminator
        for i, r in enumerate(op.results):
            a, b = ty.operands[i], ey.operands[i]  # type: ignore[union-attr]
            self.types[r] = self.merge(op, [r.name, a.name, b.name], self.type_of(a), a,
                                       self.type_of(b), b)

    def carried(self, op: Operation, inits: list[Value], body_args: list[Value], run) -> None:
        """Iterate a loop: `run()` types the body and returns the yielded values."""
        types = [self.type_of(v) for v in inits]
        origins: list[Value | None] = [v if t != BOTTOM else None for v, t in zip(inits, types)]
        for _ in range(MAX_ROUNDS):
            for a, t in zip(body_args, types):
                self.types[a] = t
            yielded = run()
            new = []
            for i, v in enumerate(yielded):
                names = [body_args[i].name, v.name, inits[i].name]
                yt = self.type_of(v)
                new.append(self.merge(op, names, types[i], origins[i], yt, v))
                if origins[i] is None and yt != BOTTOM:
                    origins[i] = v
            if new == types:
                return
            types = new
        raise TypingError("type inference of this loop does not converge (a value's type grows "
                          "on every iteration)", op.loc)

    def for_(self, op: Operation) -> None:
        for v in op.operands[:3]:
            t = self.type_of(v)
            if t != BOTTOM and not is_int_like(t):
                what = f"'{v.name}'" if v.name else "a bound"
                raise TypingError(f"range() arguments must be integers, but {what} is "
                                  f"{type_name(t)}", op.loc)
        body = op.regions[0].block
        self.types[body.args[0]] = I64

        def run() -> list[Value]:
            self.block(body)
            return list(body.terminator.operands)  # type: ignore[union-attr]
        self.carried(op, list(op.operands[3:]), list(body.args[1:]), run)
        for r, a in zip(op.results, body.args[1:]):
            self.types[r] = self.types[a]

    def while_(self, op: Operation) -> None:
        before, after = op.regions[0].block, op.regions[1].block

        def run() -> list[Value]:
            self.block(before)
            cond = before.terminator
            assert cond is not None
            self.condition(op, cond.operands[0])
            for a, v in zip(after.args, cond.operands[1:]):
                self.types[a] = self.type_of(v)
            self.block(after)
            return list(after.terminator.operands)  # type: ignore[union-attr]
        self.carried(op, list(op.operands), list(before.args), run)
        cond = before.terminator
        for r, v in zip(op.results, cond.operands[1:]):  # type: ignore[union-attr]
            self.types[r] = self.type_of(v)

    def condition(self, op: Operation, v: Value) -> None:
        t = self.type_of(v)
        if t != BOTTOM and not (is_numeric(t) or isinstance(t, TupleType) or t == NONE):
            raise TypingError(f"a condition of type {type_name(t)} has no truth value", op.loc)
