"""Step 2 of type inference: emit a new typed FuncOp from an untyped one and its types.

Every `py.*` op is replaced by the typed ops of its rule (`rules.RULES`); where a
narrower value enters a merge it is cast first (before `scf.yield`, before
`scf.condition`, before the loop for an init, before `func.return`); conditions go
through Python's truth rule; `py.undef` becomes a zero of the merged type at the
point it is merged. The untyped input is never modified.
"""
from __future__ import annotations

from typing import Callable, Protocol

from ember.ir.builder import Builder
from ember.ir.core import Block, FuncOp, Operation, Region, SymbolRef, Value
from ember.ir.errors import IRError, TypingError
from ember.ir.types import BOTTOM, I64, NONE, Type

from .emit import NONE_VALUE, Emitter, NoneValue, Undef
from .rules import RULES, ensure_loaded
from .trys import rebuild_state, rebuild_try
from .static import runtime_value


class CallResolver(Protocol):
    def resolve(self, op: Operation, arg_types: list[Type]) -> tuple[str, Type]:
        """The symbol and return type of the specialization `op` calls."""


class Rebuild:
    def __init__(self, func: FuncOp, types: dict[Value, Type], ret: Type, symbol: str,
                 calls: CallResolver) -> None:
        ensure_loaded()
        self.func = func
        self.types = types
        self.ret = ret
        self.symbol = symbol
        self.calls = calls
        self.vmap: dict[Value, object] = {}

    def run(self) -> FuncOp:
        old = self.func
        new = FuncOp(self.symbol, [self.types[a] for a in old.args], self.ret,
                     [a.name for a in old.args], old.loc, dict(old.attributes))
        rules = new.attributes.get("custom_rule")
        if isinstance(rules, SymbolRef):
            # names this specialization, so functions derived from it (which copy the
            # attributes under other names) are not taken for it (autodiff/custom_calls.py)
            new.attributes["custom_rule"] = SymbolRef(self.symbol, rules.target)
        for a, b in zip(old.args, new.args):
            self.vmap[a] = b
        self.body(old.body.block, new.body.block, None)
        return new

    # ---- values -----------------------------------------------------------------
    def final(self, t: Type) -> Type:
        """A merge result no path ever assigned (only `py.undef` reaches it): any type
        will do, since using it is an error; i64 keeps the IR well formed."""
        return I64 if t == BOTTOM else t

    def use(self, v: Value, op: Operation):
        """The new value for an operand of an ordinary op (never an unassigned one)."""
        m = self.vmap.get(v)
        if m is None:
            raise IRError(f"typeinfer: {v!r} used before its definition", op.loc)
        if isinstance(m, Undef) or self.types.get(v) == BOTTOM:
            name = f"variable '{v.name}'" if v.name else "a variable"
            raise TypingError(f"{name} is used before it is assigned on some path", op.loc)
        return m

    def merged(self, em: Emitter, v: Value, t: Type) -> Value:
        """`v` flowing into a merge of type `t`: cast, or a zero if it is unassigned."""
        m = self.vmap.get(v)
        if m is None:
            raise IRError(f"typeinfer: {v!r} used before its definition", em.b.loc)
        if isinstance(m, NoneValue):
            raise TypingError("a None value cannot be carried in a variable here", em.b.loc)
        return em.cast(runtime_value(em, m), t)  # type: ignore[arg-type]

    # ---- blocks -----------------------------------------------------------------
    def body(self, old: Block, new: Block,
             terminate: Callable[[Emitter, Operation], None] | None) -> None:
        em = Emitter(Builder(new))
        for op in old.ops:
            em.b.loc = op.loc
            if op.name in ("scf.yield", "scf.condition") and terminate is not None:
                terminate(em, op)
            else:
                self.op(em, op)

    def yield_to(self, types: list[Type]) -> Callable[[Emitter, Operation], None]:
        def term(em: Emitter, op: Operation) -> None:
            vals = [self.merged(em, v, t) for v, t in zip(op.operands, types)]
            em.b.op("scf.yield", vals, [])
        return term

    def op(self, em: Emitter, op: Operation) -> None:
        n = op.name
        if n == "scf.if":
            self.if_(em, op)
        elif n == "scf.for":
            self.for_(em, op)
        elif n == "scf.while":
            self.while_(em, op)
        elif n == "scf.try":
            rebuild_try(self, em, op)
        elif n == "scf.try_state":
            rebuild_state(self, em, op)
        elif n == "func.return":
            if self.ret == NONE or not op.operands:
                em.b.op("func.return", [], [])
            else:
                em.b.op("func.return", [self.merged(em, op.operands[0], self.ret)], [])
        elif n == "py.undef":
            self.vmap[op.results[0]] = Undef(op.results[0].name)
        elif n == "func.call":
            self.call(em, op)
        elif n in RULES:
            vals = [self.use(v, op) for v in op.operands]
            # what inference gave the results: a rule making a container reads its
            # element types from here (they come from later stores, typeinfer/sites.py)
            em.expected = [self.types.get(r, BOTTOM) for r in op.results]
            outs = RULES[n].lower(em, op, vals)
            self.bind(op, outs)
        else:
            vals = [self.use(v, op) for v in op.operands]
            new = em.b.op(n, vals, [r.type for r in op.results], dict(op.attributes),
                          names=[r.name for r in op.results])
            self.bind(op, new.results)

    def bind(self, op: Operation, outs: list[Value]) -> None:
        for r, v in zip(op.results, outs):
            want = self.types[r]
            if v.type != want:
                raise IRError(f"typeinfer: rule for {op.name} produced {v.type}, inferred {want}",
                              op.loc)
            if v.name is None and not isinstance(v, NoneValue):
                v.name = r.name
            self.vmap[r] = v

    def call(self, em: Emitter, op: Operation) -> None:
        vals = [runtime_value(em, self.use(v, op)) for v in op.operands]
        symbol, ret = self.calls.resolve(op, [v.type for v in vals])
        results = [] if ret == NONE else [ret]
        new = em.b.op("func.call", vals, results, {"callee": SymbolRef(symbol)},
                      names=[r.name for r in op.results][: len(results)])
        if op.results:
            self.vmap[op.results[0]] = new.results[0] if results else NONE_VALUE

    # ---- structured control flow ------------------------------------------------
    def if_(self, em: Emitter, op: Operation) -> None:
        cond = em.truth(self.use(op.operands[0], op))
        types = [self.final(self.types[r]) for r in op.results]
        regions = []
        for region in op.regions:
            block = Block()
            self.body(region.block, block, self.yield_to(types))
            regions.append(Region([block]))
        new = em.b.op("scf.if", [cond], types, regions=regions, names=[r.name for r in op.results])
        self.rebind(op, new)

    def rebind(self, op: Operation, new: Operation) -> None:
        for r, v in zip(op.results, new.results):
            self.vmap[r] = v

    def new_block(self, old: Block, types: list[Type]) -> Block:
        block = Block(types, [a.name for a in old.args])
        for a, b in zip(old.args, block.args):
            self.vmap[a] = b
        return block

    def for_(self, em: Emitter, op: Operation) -> None:
        lb, ub, step = (em.to_i64(self.use(v, op)) for v in op.operands[:3])
        if not _nonzero_constant(op.operands[2]):
            em.check(em.cmpi("ne", step, em.const(0, I64)), "ValueError",
                     "range() arg 3 must not be zero")
        old_body = op.regions[0].block
        types = [self.final(self.types[a]) for a in old_body.args[1:]]
        inits = [self.merged(em, v, t) for v, t in zip(op.operands[3:], types)]
        body = self.new_block(old_body, [I64] + types)
        self.body(old_body, body, self.yield_to(types))
        new = em.b.op("scf.for", [lb, ub, step] + inits, types, regions=[Region([body])],
                      names=[r.name for r in op.results])
        self.rebind(op, new)

    def while_(self, em: Emitter, op: Operation) -> None:
        before_old, after_old = op.regions[0].block, op.regions[1].block
        carried = [self.final(self.types[a]) for a in before_old.args]
        fwd = [self.final(self.types[r]) for r in op.results]
        inits = [self.merged(em, v, t) for v, t in zip(op.operands, carried)]
        before = self.new_block(before_old, carried)

        def condition(em2: Emitter, term: Operation) -> None:
            cond = em2.truth(self.use(term.operands[0], term))
            vals = [self.merged(em2, v, t) for v, t in zip(term.operands[1:], fwd)]
            em2.b.op("scf.condition", [cond] + vals, [])
        self.body(before_old, before, condition)
        after = self.new_block(after_old, fwd)
        self.body(after_old, after, self.yield_to(carried))
        new = em.b.op("scf.while", inits, fwd, regions=[Region([before]), Region([after])],
                      names=[r.name for r in op.results])
        self.rebind(op, new)


def _nonzero_constant(v: Value) -> bool:
    op = getattr(v, "op", None)
    return (op is not None and op.name == "arith.constant"
            and op.attributes.get("value") not in (0, False))
