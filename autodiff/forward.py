"""Forward mode: `jvp(module, entry, wrt)` adds `@<entry>__jvp` to the module (autodiff/__init__.py).

The derived function is the primal function copied op by op, each active op followed by
its tangent ops (one rule per op: autodiff/forward_*.py). Tangents exist only for active
values (autodiff/activity.py); loops and branches carry them beside the primal values;
helper calls call a derived helper, made once per (callee, pattern of active arguments)
with an internal signature: primals then the tangent leaves of each active argument,
returning tuple<R, leaves of the result's tangent...> when the result is active.

Several tangents at once (`channels` K > 1, used by Jacobians and Hessians: K directions
per pass): every value has K tangents, one per channel; the primal ops are emitted once
and each rule runs once per channel. Carried values, call arguments and results hold
the K channels' leaves one channel after the other (channel-major).
"""
from __future__ import annotations

import os
from typing import Callable, Iterator, Sequence

from ember.autodiff.activity import Analyzer, FuncActivity, Pattern, callee_of, holds_array
from ember.autodiff.custom_calls import is_custom, jvp_callee, jvp_function
from ember.autodiff.forward_emit import Emit, Tangent, leaf_at, leaf_paths, normalize, unflatten
from ember.autodiff.tangents import tangent_type
from ember.ir.builder import Builder
from ember.ir.clone import clone_op
from ember.ir.core import Block, FuncOp, Module, Operation, SymbolRef, Value
from ember.ir.errors import DifferentiationError
from ember.ir.location import Location
from ember.ir.types import ArrayType, ListType, TupleType, Type

Rule = Callable[["Forward", Operation, Operation], "list[Tangent] | None"]
RULES: dict[str, Rule] = {}


def rule(*names: str) -> Callable[[Rule], Rule]:
    """Register a forward rule: (fw, original op, its primal copy) -> result tangents."""
    def register(fn: Rule) -> Rule:
        for n in names:
            RULES[n] = fn
        return fn
    return register


# Ops whose rule emits the primal op too: regions the transformer rebuilds (their bodies
# hold tangent code), calls (to the derived callee), try states (they gain tangents).
SELF_EMITTING = ("scf.for", "scf.while", "scf.if", "scf.try", "scf.try_state", "func.call")
TERMINATORS = ("scf.yield", "scf.condition", "func.return")
# What the user wrote, for the ops whose names do not say it.
CONSTRUCTS = {"scf.try": "try/except with values that carry a derivative",
              "dict.parts": "a dict cannot hold values that carry a derivative"}
# Containers whose elements cannot carry a derivative.
OPAQUE_PREFIXES = ("list.", "dict.", "str.")


_LIBRARY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "typeinfer")


def in_library(path: str) -> bool:
    """Is `path` a file of ember's library code (helpers compiled from typeinfer/)?"""
    return os.path.abspath(path).startswith(_LIBRARY + os.sep)


class Unbatched(Exception):
    """Raised by a K-channel jvp that meets what has only one-channel derivatives (an
    ember.custom_jvp rule): the caller falls back to one direction per call."""


def jvp(module: Module, entry: str, wrt: Sequence[int], channels: int = 1) -> str:
    """Add `@<entry>__jvp(primals..., tangents of wrt...) -> tuple<R, T(R)>`; its symbol.
    channels K > 1: `(primals..., K x tangents of wrt...) -> tuple<R, K x T(R)>` (K
    directions in one pass; Unbatched when that cannot be built)."""
    if is_custom(module, entry):  # ember.custom_jvp: the rule, not the body
        if channels != 1:
            raise Unbatched(entry)
        return jvp_function(module, entry, tuple(wrt), module[entry].loc)
    return ForwardContext(module, channels).derive_entry(entry, tuple(wrt))


class ForwardContext:
    """One jvp request: the activity analyser and the derived helpers made so far."""

    def __init__(self, module: Module, channels: int = 1) -> None:
        self.module = module
        self.channels = channels
        self.analyzer = Analyzer(module)
        self.derived: dict[tuple[str, Pattern], str] = {}

    def derive_entry(self, entry: str, wrt: tuple[int, ...]) -> str:
        func = self.module[entry]
        args = func.args
        for i in wrt:
            if not 0 <= i < len(args):
                raise DifferentiationError(f"jvp: argument index {i} is out of range for "
                                           f"{entry}() with {len(args)} arguments", func.loc)
            t = tangent_type(args[i].type)
            if t is None:
                raise DifferentiationError(
                    f"cannot differentiate with respect to argument {args[i].name!r} of "
                    f"type {args[i].type}: it carries no derivative", func.loc)
        rt = tangent_type(func.return_type)
        if rt is None:
            raise DifferentiationError(
                f"cannot differentiate {entry}(): its result of type {func.return_type} "
                "carries no derivative", func.loc)
        pattern = tuple(i in wrt for i in range(len(args)))
        act = self.analyzer.analyze(entry, pattern)
        K = self.channels
        tan_types = [tangent_type(args[i].type) for i in wrt] * K
        new = FuncOp(self.module.fresh_name(f"{entry}__jvp" if K == 1 else f"{entry}__jvp{K}"),
                     [a.type for a in args] + tan_types,  # type: ignore[operator]
                     TupleType((func.return_type,) + (rt,) * K),
                     [a.name for a in args] + [f"{args[i].name or 'arg'}_dot" for i in wrt] * K,
                     func.loc, dict(func.attributes))
        self.module.add(new)
        fw = Forward(self, func, act, new)
        em = fw.em
        for c in fw.each_channel():
            for k, i in enumerate(wrt):
                at = len(args) + c * len(wrt) + k
                fw.tmap[args[i]] = em.from_tangent_value(new.args[at], args[i].type)
            fw.activate_args(pattern)

        def ret(v: Value | None, ts: list[Tangent]) -> list[Value]:
            assert v is not None
            tvs = [em.tangent_value(v, t, rt) for t in ts]
            return [em.op("tuple.make", [v] + tvs, new.return_type)]
        fw.run(ret)
        return new.name

    def derive_callee(self, name: str, pattern: Pattern) -> str:
        """The derived helper of `name` for `pattern` (made once); internal signature."""
        key = (name, pattern)
        if key in self.derived:
            return self.derived[key]
        if is_custom(self.module, name):  # ember.custom_jvp: the rule, not the body
            if self.channels != 1:
                raise Unbatched(name)
            summary = self.analyzer.summaries.get(key) or self._summary(name, pattern)
            self.derived[key] = jvp_callee(self.module, name, pattern, summary.result_active)
            return self.derived[key]
        func = self.module[name]
        act = self.analyzer.analyze(name, pattern)
        summary = self.analyzer.summaries[key]
        args = func.args
        leaf_types: list[Type] = []
        leaf_names: list[str | None] = []
        for a, on in zip(args, pattern):
            if on:
                for _, lt in leaf_paths(a.type):
                    leaf_types.append(lt)
                    leaf_names.append(f"{a.name or 'arg'}_dot")
        K = self.channels
        leaf_types, leaf_names = leaf_types * K, leaf_names * K
        rtype = func.return_type
        if summary.result_active:
            rtype = TupleType((func.return_type,)
                              + tuple(t for _, t in leaf_paths(func.return_type)) * K)
        new = FuncOp(self.module.fresh_name(f"{name}__jvp"), [a.type for a in args] + leaf_types,
                     rtype, [a.name for a in args] + leaf_names, func.loc, dict(func.attributes))
        new.attributes.pop("entry", None)
        self.module.add(new)
        self.derived[key] = new.name
        fw = Forward(self, func, act, new)
        leaves = iter(new.args[len(args):])
        for _ in fw.each_channel():
            for a, on in zip(args, pattern):
                if on:
                    fw.tmap[a] = unflatten(a.type, leaves)
            fw.activate_args(pattern)

        def ret(v: Value | None, ts: list[Tangent]) -> list[Value]:
            if not summary.result_active:
                return [] if v is None else [v]
            assert v is not None
            return [fw.em.op("tuple.make", [v] + [x for t in ts for x in fw.em.leaves(v, t)],
                             rtype)]
        fw.run(ret)
        return new.name


    def _summary(self, name: str, pattern: Pattern):  # type: ignore[no-untyped-def]
        self.analyzer.analyze(name, pattern)
        return self.analyzer.summaries[(name, pattern)]


class Forward:
    """Copies one function into `new`, emitting tangent code beside the active ops."""

    def __init__(self, ctx: ForwardContext, func: FuncOp, act: FuncActivity, new: FuncOp) -> None:
        self.ctx = ctx
        self.func = func
        self.act = act
        self.new = new
        self.b = Builder(new.body.block, func.loc)
        self.em = Emit(self.b)
        self.vmap: dict[Value, Value] = dict(zip(func.args, new.args))
        self.channels = ctx.channels
        self.tmaps: list[dict[Value, Tangent]] = [{} for _ in range(self.channels)]
        self.channel = 0
        # scf.try_state op -> the indices of its operands whose tangents it records too
        self.state_which: dict[Operation, list[int]] = {}
        self.user_loc: Location | None = None  # the last op seen with a user's location

    @property
    def tmap(self) -> dict[Value, Tangent]:
        """The tangents of the current channel (the only one unless channels > 1)."""
        return self.tmaps[self.channel]

    def each_channel(self) -> Iterator[int]:
        """Make each channel current in turn."""
        try:
            for c in range(self.channels):
                self.channel = c
                yield c
        finally:
            self.channel = 0

    # ---- what rules use ------------------------------------------------------------
    def p(self, v: Value) -> Value:
        """The copy of a primal value."""
        return self.vmap.get(v, v)

    def t(self, v: Value) -> Tangent:
        """The tangent structure of an original value (None: zero)."""
        return self.tmap.get(v)

    def active(self, v: Value) -> bool:
        return self.act.is_active(v)

    def fail(self, op: Operation, what: str) -> DifferentiationError:
        """The error at op's source line, or, for an op of ember's library code inlined
        into the user's function (a dict or list method), at the user's last line before."""
        loc = op.loc
        if loc is None or in_library(loc.file):
            loc = self.user_loc or loc
        return DifferentiationError(what, loc)

    # ---- driving -------------------------------------------------------------------
    def activate_args(self, pattern: Pattern) -> None:
        """Arguments the function makes active without a tangent given (arrays that get
        active values stored) start from zero tangents."""
        for a, on in zip(self.func.args, pattern):
            if not on and self.active(a):
                self.tmap[a] = self.zero_arrays(a, None)

    def run(self, ret: Callable[[Value | None, list[Tangent]], list[Value]]) -> None:
        body = self.func.body.block
        self.block(body)
        term = body.terminator
        assert term is not None and term.name == "func.return"
        with self.b.located(term.loc):
            v = term.operands[0] if term.operands else None
            values = ret(self.p(v) if v is not None else None,
                         [self.tmaps[c].get(v) if v is not None else None
                          for c in range(self.channels)])
            self.b.op("func.return", values)

    def block(self, src: Block) -> None:
        """Copy the ops of `src` but its terminator into the builder's block."""
        for op in src.ops:
            if op.name in TERMINATORS:
                continue
            if op.loc is not None and not in_library(op.loc.file):
                self.user_loc = op.loc
            with self.b.located(op.loc or self.b.loc):
                self.op(op)

    def op(self, op: Operation) -> None:
        if op.name in SELF_EMITTING:  # these rules give the tangents of every channel
            per_channel = RULES[op.name](self, op, op)
            for c in self.each_channel():
                self.set_tangents(op, per_channel[c])
            return
        active_in = any(self.active(v) for v in op.operands)
        if op.regions and not active_in:
            # a try/except or whole-array region reading active values from outside
            active_in = any(self.active(v) for inner in op.walk() for v in inner.operands)
        active_out = any(self.active(r) for r in op.results)
        new = clone_op(op, self.vmap)
        self.b.block.append(new)
        if not (active_in or active_out):
            return
        rule_fn = RULES.get(op.name)
        if rule_fn is None:
            if op.name.startswith(OPAQUE_PREFIXES) and active_in:
                raise self.fail(op, f"cannot differentiate through {op.name}: a list, dict or "
                                    "str cannot hold a value that carries a derivative")
            if op.regions or active_out:
                what = CONSTRUCTS.get(op.name)
                raise self.fail(op, f"no derivative rule for {op.name}"
                                    + (f" ({what})" if what else ""))
            return  # a comparison, a check, a cast to int: no derivative flows out
        for _ in self.each_channel():
            self.set_tangents(op, rule_fn(self, op, new))

    def set_tangents(self, op: Operation, tangents: "list[Tangent] | None") -> None:
        for r, t in zip(op.results, tangents or [None] * len(op.results)):
            t = normalize(t)
            if t is not None or self.active(r):
                if self.active(r) and holds_array(r.type):
                    t = self.zero_arrays(r, t)
                if t is not None:
                    self.tmap[r] = t

    def zero_arrays(self, v: Value, struct: Tangent) -> Tangent:
        """`struct` with zero arrays (lists) in place of its missing array (list) leaves:
        active memory must have a shadow (stores into it write the tangent)."""
        primal = self.p(v)
        leaves = []
        for path, lt in leaf_paths(v.type):
            leaf = leaf_at(struct, path)
            if leaf is None and isinstance(lt, (ArrayType, ListType)):
                leaf = self.em.zero_like(self.em.at_path(primal, path))
            leaves.append(leaf)
        return unflatten(v.type, iter(leaves))

    # ---- carried values ----------------------------------------------------------------
    def leaves_of(self, originals: Sequence[Value], which: Sequence[int]) -> list[Value]:
        """The tangent leaves (zeros filled in) of originals[i] for i in `which`, of every
        channel, channel after channel."""
        out: list[Value] = []
        for c in range(self.channels):
            for i in which:
                v = originals[i]
                out.extend(self.em.leaves(self.p(v), self.tmaps[c].get(v)))
        return out

    def leaf_types(self, values: Sequence[Value], which: Sequence[int]) -> list[Type]:
        return [t for i in which for _, t in leaf_paths(values[i].type)] * self.channels


def callee_symbol(op: Operation, name: str) -> SymbolRef:
    old = op.attributes.get("callee")
    return SymbolRef(name, getattr(old, "target", None))


__all__ = ["jvp", "rule", "RULES", "Forward", "ForwardContext", "Unbatched", "callee_of",
           "callee_symbol"]

# the rule files register themselves on import
from ember.autodiff import forward_arith, forward_math, forward_array, forward_struct  # noqa: E402,F401
from ember.autodiff import forward_control, forward_list  # noqa: E402,F401
