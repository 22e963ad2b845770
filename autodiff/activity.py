"""Activity analysis: which values of a function depend on the differentiated arguments.

Written for forward mode (autodiff/forward.py) and shared: reverse mode may reuse it
(read-only). A value is *active* when its type carries a derivative (tangents.tangent_type)
and it depends on an active argument. Constants, ints, comparisons and values computed
only from inactive inputs are inactive: derivative code never materializes zeros for them.

Arrays are memory: an `array.store` of an active value makes the array active, and with it
every value that may share its memory (views, loop-carried copies of the reference,
tuples holding it, arrays a call returns). Those values form one alias class (union-find)
and the whole class is active or not, for the whole function; that is conservative (an
array is active from its definition even when the first active store comes later) and
keeps the tangent of every element defined wherever the primal element is.

Calls are analysed per (callee, activity pattern of the arguments): a summary says whether
the callee's result is active and which array arguments the callee makes active by
storing active values into them; the caller then treats those arguments as active too,
and iterates to a fixed point; recursive calls too (Analyzer).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ember.autodiff.tangents import tangent_type
from ember.ir.core import Block, FuncOp, Module, Operation, SymbolRef, Value
from ember.ir.errors import DifferentiationError
from ember.ir.types import ArrayType, ListType, RecordType, ScalarType, TupleType, Type

# Ops whose differentiable results have derivative zero everywhere they have one
# (piecewise constant): their results are inactive whatever their operands.
ZERO_DERIVATIVE = frozenset({
    "math.floor", "math.ceil", "math.trunc", "math.roundeven", "arith.floordivf",
    "arith.constant",
})

# Ops whose results may share the memory of their array operands.
VIEW_OPS = frozenset({"array.subview", "array.transpose", "array.reshape", "array.real",
                      "array.imag"})


def float_list(t: Type) -> bool:
    """A list of float or complex scalars: it gets a shadow list (a tape that reverse mode
    keeps, differentiated again by forward mode), though the user's API gives lists no
    derivative (tangents.tangent_type)."""
    return isinstance(t, ListType) and isinstance(t.elem, ScalarType) and t.elem.kind in "fc"


def holds_array(t: Type) -> bool:
    """Does a value of type `t` hold a reference to memory with a shadow: a float array or
    a float list (alone or in a tuple or record)?"""
    if isinstance(t, ArrayType):
        return tangent_type(t) is not None
    if isinstance(t, TupleType):
        return any(holds_array(e) for e in t.elements)
    if isinstance(t, RecordType):
        return any(holds_array(e) for e in t.types)
    return float_list(t)


def differentiable(t: Type) -> bool:
    if isinstance(t, TupleType):
        return any(differentiable(e) for e in t.elements)
    if isinstance(t, RecordType):
        return any(differentiable(e) for e in t.types)
    return float_list(t) or tangent_type(t) is not None


def callee_of(op: Operation) -> str:
    c = op.attributes.get("callee")
    return c.name if isinstance(c, SymbolRef) else str(c).lstrip("@")


Pattern = tuple[bool, ...]


@dataclass
class Summary:
    """What a call with a given activity pattern does: result active, arguments made active."""

    result_active: bool
    activated_args: frozenset[int]
    result_aliases: frozenset[int] = frozenset()  # arguments the result may be a view of


@dataclass
class FuncActivity:
    """The activity of one function for one pattern of active arguments."""

    func: FuncOp
    pattern: Pattern
    active_values: set[Value] = field(default_factory=set)
    parent: dict[Value, Value] = field(default_factory=dict)
    active_roots: set[Value] = field(default_factory=set)
    call_patterns: dict[Operation, Pattern] = field(default_factory=dict)

    # ---- union-find over array-holding values -------------------------------------
    def find(self, v: Value) -> Value:
        p = self.parent
        root = v
        while p.get(root, root) is not root:
            root = p[root]
        while v is not root:  # path compression
            nxt = p.get(v, v)
            p[v] = root
            v = nxt
        return root

    def union(self, a: Value, b: Value) -> bool:
        """Merge the classes of a and b; True when that changed an activity."""
        ra, rb = self.find(a), self.find(b)
        if ra is rb:
            return False
        self.parent[rb] = ra
        if rb in self.active_roots:
            self.active_roots.discard(rb)
            if ra in self.active_roots:
                return False
            self.active_roots.add(ra)
            return True
        return ra in self.active_roots

    def is_active(self, v: Value) -> bool:
        if not differentiable(v.type):
            return False
        if holds_array(v.type) and self.find(v) in self.active_roots:
            return True
        return v in self.active_values

    def mark(self, v: Value) -> bool:
        """Make v active; True when that is new."""
        if not differentiable(v.type) or self.is_active(v):
            return False
        if holds_array(v.type):
            self.active_roots.add(self.find(v))
        else:
            self.active_values.add(v)
        return True


class Analyzer:
    """Analyses the functions of one module, caching a summary per (callee, pattern).

    Recursion: a call to a function whose analysis is in progress uses its provisional
    summary (nothing active at first); when the finished summary differs, the function,
    and every analysis made meanwhile, is analysed again (summaries only grow, and there
    are finitely many patterns, so this ends)."""

    def __init__(self, module: Module) -> None:
        self.module = module
        self.results: dict[tuple[str, Pattern], FuncActivity] = {}
        self.summaries: dict[tuple[str, Pattern], Summary] = {}
        self._in_progress: set[tuple[str, Pattern]] = set()
        self._recursive: set[tuple[str, Pattern]] = set()
        self._order: list[tuple[str, Pattern]] = []

    def analyze(self, name: str, pattern: Pattern) -> FuncActivity:
        key = (name, pattern)
        if key in self.results:
            return self.results[key]
        provisional = Summary(False, frozenset())
        while True:
            self.summaries[key] = provisional
            started = len(self._order)
            act = self._analyze_once(key)
            summary = self._summarize(act)
            if key not in self._recursive or summary == provisional:
                break
            for k in self._order[started:]:  # they saw the provisional summary
                self.results.pop(k, None)
                self.summaries.pop(k, None)
            del self._order[started:]
            provisional = summary
        self.results[key] = act
        self.summaries[key] = summary
        self._order.append(key)
        return act

    def _analyze_once(self, key: tuple[str, Pattern]) -> FuncActivity:
        func = self.module[key[0]]
        act = FuncActivity(func, key[1])
        self._in_progress.add(key)
        try:
            for arg, on in zip(func.args, key[1]):
                if on:
                    act.mark(arg)
            while _Pass(self, act).run():
                pass
        finally:
            self._in_progress.discard(key)
        return act

    def _summarize(self, act: FuncActivity) -> Summary:
        func, pattern = act.func, act.pattern
        ret = func.body.block.terminator
        result_active = bool(ret is not None and ret.operands and act.is_active(ret.operands[0]))
        activated = frozenset(i for i, a in enumerate(func.args)
                              if not pattern[i] and act.is_active(a))
        aliases: frozenset[int] = frozenset()
        if ret is not None and ret.operands and holds_array(ret.operands[0].type):
            root = act.find(ret.operands[0])
            aliases = frozenset(i for i, a in enumerate(func.args)
                                if holds_array(a.type) and act.find(a) is root)
        return Summary(result_active, activated, aliases)

    def summary(self, call: Operation, pattern: Pattern) -> Summary:
        name = callee_of(call)
        if name not in self.module.funcs:
            raise DifferentiationError(f"cannot differentiate a call of {name!r}: "
                                       "its code is not in the module", call.loc)
        key = (name, pattern)
        if key in self._in_progress:
            self._recursive.add(key)
            return self.summaries[key]
        self.analyze(name, pattern)
        return self.summaries[key]


def states_of(try_op: Operation) -> list[Operation]:
    """The scf.try_state ops that record the state the handlers of `try_op` receive: those
    in its body whose `depth` counts the scf.try bodies between them and it."""
    out: list[Operation] = []

    def visit(block: Block, depth: int) -> None:
        for op in block.ops:
            if op.name == "scf.try_state" and op.attributes.get("depth") == depth:
                out.append(op)
            for k, region in enumerate(op.regions):
                inner = depth + 1 if op.name == "scf.try" and k == 0 else depth
                visit(region.block, inner)
    visit(try_op.regions[0].block, 0)
    return out


class _Pass:
    """One sweep over a function in program order; `run` says whether anything changed."""

    def __init__(self, analyzer: Analyzer, act: FuncActivity) -> None:
        self.an = analyzer
        self.act = act
        self.changed = False

    def run(self) -> bool:
        self.block(self.act.func.body.block)
        return self.changed

    def mark(self, v: Value) -> None:
        if self.act.mark(v):
            self.changed = True

    def flow(self, src: Value, dst: Value) -> None:
        """dst takes the value of src (a carried value, a yield, a copy)."""
        if holds_array(src.type) and holds_array(dst.type):
            if self.act.union(src, dst):
                self.changed = True
        if self.act.is_active(src):
            self.mark(dst)

    def any_active(self, values: Iterable[Value]) -> bool:
        return any(self.act.is_active(v) for v in values)

    def block(self, block: Block) -> None:
        for op in block.ops:
            self.op(op)

    def op(self, op: Operation) -> None:
        name = op.name
        for r in op.regions:
            self.block(r.block)
        if name == "scf.for":
            self.scf_for(op)
        elif name == "scf.while":
            self.scf_while(op)
        elif name == "scf.if":
            self.scf_if(op)
        elif name == "scf.try":
            self.scf_try(op)
        elif name == "func.call":
            self.call(op)
        elif name in ("array.store", "list.set", "list.append"):
            # the stored value makes the memory active (list.append: (list, value))
            value, mem = op.operands[:2] if name != "list.append" else op.operands[::-1]
            if self.act.is_active(value):
                self.mark(mem)
        elif name in VIEW_OPS or name in ("tuple.make", "tuple.get", "record.make",
                                          "record.get", "record.set", "arith.select"):
            for v in op.operands:
                self.flow(v, op.results[0])
        elif name not in ZERO_DERIVATIVE and op.results and (
                self.any_active(op.operands) or (op.regions and self.uses_active(op))):
            for r in op.results:
                self.mark(r)

    def uses_active(self, op: Operation) -> bool:
        """Does an op nested in op's regions read an active value (try/except bodies,
        whole-array regions): then op's results depend on it."""
        return any(self.any_active(inner.operands) for inner in op.walk() if inner is not op)

    def scf_for(self, op: Operation) -> None:
        body = op.regions[0].block
        yld = body.terminator
        for init, arg, y, res in zip(op.operands[3:], body.args[1:], yld.operands, op.results):
            self.flow(init, arg)
            self.flow(y, arg)
            self.flow(arg, res)

    def scf_while(self, op: Operation) -> None:
        before, after = op.regions[0].block, op.regions[1].block
        cond, yld = before.terminator, after.terminator
        for init, arg, y in zip(op.operands, before.args, yld.operands):
            self.flow(init, arg)
            self.flow(y, arg)
        for fwd, arg, res in zip(cond.operands[1:], after.args, op.results):
            self.flow(fwd, arg)
            self.flow(fwd, res)

    def scf_if(self, op: Operation) -> None:
        for region in op.regions:
            yld = region.block.terminator
            for y, res in zip(yld.operands, op.results):
                self.flow(y, res)

    def scf_try(self, op: Operation) -> None:
        for region in op.regions:
            yld = region.block.terminator
            for y, res in zip(yld.operands, op.results):
                self.flow(y, res)
        for state in states_of(op):
            for v, *args in zip(state.operands, *(r.block.args for r in op.regions[1:])):
                for a in args:
                    self.flow(v, a)

    def call(self, op: Operation) -> None:
        pattern = tuple(self.act.is_active(v) for v in op.operands)
        if not any(pattern):
            return
        self.act.call_patterns[op] = pattern
        s = self.an.summary(op, pattern)
        for i in s.activated_args:
            self.mark(op.operands[i])
        if op.results:
            res = op.results[0]
            if s.result_active:
                self.mark(res)
            for i in s.result_aliases:  # the result may be (a view of) that argument
                self.flow(op.operands[i], res)
