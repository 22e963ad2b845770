"""Dead code elimination on typed IR.

One backward walk per function over a use map built once. Every use of a value
follows its definition in program order, so when the walk reaches an op all of
its possible users have already been visited (and erased if dead).

Removed:
- pure ops (`ir.opdefs.is_pure`) whose results are all unused;
- unused results of `scf.if` (and the yielded operands feeding them);
- carried values of `scf.for` / `scf.while` whose result is unused and whose
  block argument only feeds pure ops that end in the same carried slot (a value
  that is only used to compute itself); unused forwarded values of `scf.while`;
- `scf.if` with no results and nothing but `scf.yield` in its regions, and
  `scf.for` with no results and an empty body (a range loop always ends).
- `array.alloc` with no uses whose extents cannot make it raise (`_cannot_raise`):
  extents of one existing array (distinct axes; with constants 0 or 1), or non-negative
  constants of small product. Autodiff's replays make such arrays (a helper's `np.empty(n)` whose
  contents come from the tape). An extent that may be negative or huge stays, so the
  user's MemoryError does too (NumPy's negative-size ValueError is a separate
  `cf.assert`, never removed).
Never removed: `cf.assert`, `math.check`, `func.call`, `scf.while` loops
(they may not terminate), terminators.
"""
from __future__ import annotations

from typing import Callable

from ember.ir.core import Block, FuncOp, Module, Operation, OpResult, Value
from ember.ir.opdefs import is_pure
from ember.ir.passes.array_facts import const_int
from ember.ir.passes.uses import UseMap
from ember.ir.passes.per_function import apply_per_function

Sink = Callable[[Operation, Value], "list[Value] | None"]


# The largest constant extent an unused allocation may have and still be dropped.
_SMALL_EXTENT = 1 << 16


def _cannot_raise(op: Operation) -> bool:
    """Can `array.alloc` op not fail? Its extents are extents of one array that exists
    (array.dim at distinct axes: no more elements than that array has, unless another of
    its axes is 0) with constants 0 or 1, or constants >= 0 whose product is small."""
    source: Value | None = None
    axes: set[int] = set()
    size = 1
    for e in op.operands:
        c = const_int(e)
        if c is not None and not isinstance(c, bool) and c >= 0:
            size *= c
            continue
        if not (isinstance(e, OpResult) and e.op.name == "array.dim"):
            return False
        arr, axis = e.op.operands[0], e.op.attributes.get("axis")
        if (source is not None and arr is not source) or axis in axes:
            return False
        source = arr
        axes.add(axis)  # type: ignore[arg-type]
    return size <= (1 if source is not None else _SMALL_EXTENT)


def _positions(op: Operation, v: Value) -> list[int]:
    return [i for i, x in enumerate(op.operands) if x is v]


def _closed_slice(uses: UseMap, start: list[Value], sink: Sink) -> bool:
    """True if everything reachable from `start` through uses is pure ops, or an
    impure user that `sink` accepts (returning further values to follow)."""
    seen: set[int] = set()
    queue = list(start)
    seen_ops: set[int] = set()
    while queue:
        v = queue.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        for user in uses.uses(v):
            if is_pure(user):
                if id(user) not in seen_ops:
                    seen_ops.add(id(user))
                    queue.extend(user.results)
                continue
            more = sink(user, v)
            if more is None:
                return False
            queue.extend(more)
    return True


def _drop_operand(uses: UseMap, op: Operation, i: int) -> None:
    v = op.operands.pop(i)
    uses.drop_use(v, op)


def _drop_result(op: Operation, k: int) -> None:
    op.results.pop(k)
    for i, r in enumerate(op.results):
        r.index = i


def _drop_arg(block: Block, k: int) -> None:
    block.args.pop(k)
    for i, a in enumerate(block.args):
        a.index = i


class _DCE:
    def __init__(self, func: FuncOp) -> None:
        self.uses = UseMap(func)
        self.changed = False

    def dead(self, op: Operation) -> bool:
        return all(self.uses.count(r) == 0 for r in op.results)

    def block(self, block: Block) -> None:
        erased: set[int] = set()
        for op in reversed(block.ops):
            if op.regions:
                self._prune(op)
                for region in op.regions:
                    for b in region.blocks:
                        self.block(b)
                if self._empty_structured(op):
                    self.uses.forget_op(op)
                    erased.add(id(op))
            elif (is_pure(op) or (op.name == "array.alloc" and _cannot_raise(op))) and self.dead(op):
                self.uses.forget_op(op)
                erased.add(id(op))
        if erased:
            for op in block.ops:
                if id(op) in erased:
                    op.parent = None
            block.ops = [op for op in block.ops if id(op) not in erased]
            self.changed = True

    def _empty_structured(self, op: Operation) -> bool:
        if op.results:
            return False
        if op.name == "scf.if":
            return all(len(r.block.ops) == 1 for r in op.regions)
        if op.name == "scf.for":
            return len(op.regions[0].block.ops) == 1
        return False

    def _prune(self, op: Operation) -> None:
        if op.name == "scf.if":
            self._prune_if(op)
        elif op.name == "scf.for":
            self._prune_for(op)
        elif op.name == "scf.while":
            self._prune_while(op)

    def _prune_if(self, op: Operation) -> None:
        for k in range(len(op.results) - 1, -1, -1):
            if self.uses.count(op.results[k]) == 0:
                for region in op.regions:
                    _drop_operand(self.uses, region.block.ops[-1], k)
                _drop_result(op, k)
                self.changed = True

    def _prune_for(self, op: Operation) -> None:
        body = op.regions[0].block
        yld = body.ops[-1]
        for k in range(len(op.results) - 1, -1, -1):
            if self.uses.count(op.results[k]) != 0:
                continue

            def sink(user: Operation, v: Value, k: int = k) -> list[Value] | None:
                return [] if user is yld and _positions(yld, v) == [k] else None

            if not _closed_slice(self.uses, [body.args[1 + k]], sink):
                continue
            _drop_operand(self.uses, yld, k)
            _drop_operand(self.uses, op, 3 + k)
            _drop_arg(body, 1 + k)
            _drop_result(op, k)
            self.changed = True

    def _prune_while(self, op: Operation) -> None:
        before, after = op.regions[0].block, op.regions[1].block
        cond, yld = before.ops[-1], after.ops[-1]
        # Forwarded values nobody reads.
        for k in range(len(op.results) - 1, -1, -1):
            if self.uses.count(op.results[k]) == 0 and self.uses.count(after.args[k]) == 0:
                _drop_operand(self.uses, cond, 1 + k)
                _drop_arg(after, k)
                _drop_result(op, k)
                self.changed = True
        # Carried values that only feed themselves (possibly through forwarded slots).
        for j in range(len(before.args) - 1, -1, -1):
            fwd: set[int] = set()

            def sink(user: Operation, v: Value, j: int = j, fwd: set[int] = fwd) -> list[Value] | None:
                if user is yld:
                    return [] if _positions(yld, v) == [j] else None
                if user is cond:
                    pos = _positions(cond, v)
                    if 0 in pos or any(self.uses.count(op.results[p - 1]) for p in pos):
                        return None
                    fwd.update(p - 1 for p in pos)
                    return [after.args[p - 1] for p in pos]
                return None

            if not _closed_slice(self.uses, [before.args[j]], sink):
                continue
            for k in sorted(fwd, reverse=True):
                _drop_operand(self.uses, cond, 1 + k)
                _drop_arg(after, k)
                _drop_result(op, k)
            _drop_operand(self.uses, yld, j)
            _drop_operand(self.uses, op, j)
            _drop_arg(before, j)
            self.changed = True


def run_func(func: FuncOp) -> bool:
    d = _DCE(func)
    d.block(func.body.block)
    return d.changed


def apply(module: Module) -> bool:
    """True if anything changed."""
    return apply_per_function(run_func, module)


def run(module: Module) -> Module:
    apply(module)
    return module
