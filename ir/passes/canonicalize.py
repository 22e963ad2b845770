"""Canonicalization: constant folding and local simplifications on typed IR.

One program-order walk per function. Replaced values go into a `Substitution`
that rewrites later operands as the walk reaches them (every use follows its
definition in structured SSA), so the pass is linear in the size of the IR.

Rewrites (all exact; an op that may raise at run time is never folded into a
different result, see `fold.evaluate`):
- pure one-result ops on constants -> `arith.constant`
- `arith.select` with a constant condition or equal arms -> the arm
- integer `x + 0`, `0 + x`, `x - 0`, `x * 1`, `1 * x` -> x (not floats: -0.0 and nan)
- `tuple.get` of `tuple.make` -> the element
- `array.dim` of `array.alloc` -> the extent it was allocated with
- `cf.assert` of constant true, `math.check` of constants that pass -> removed
- `scf.if` with a constant condition -> the taken region's ops, moved out
- `scf.if` whose regions only yield the same values -> those values
- `scf.if` whose regions only yield scalars -> one `arith.select` per result (no branches
  left for LLVM to flatten: less work at compile time, the same code after it)
"""
from __future__ import annotations

from ember.ir.core import Block, FuncOp, Module, Operation, OpResult, Value
from ember.ir.opdefs import is_pure
from ember.ir.passes.fold import evaluate, math_check_passes, normalize
from ember.ir.passes.uses import Substitution
from ember.ir.types import ScalarType
from ember.ir.passes.per_function import apply_per_function

_NO_VALUE = object()


def const_value(v: Value) -> object:
    """The normalized constant held by `v`, or `_NO_VALUE`."""
    if isinstance(v, OpResult) and v.op.name == "arith.constant":
        c = normalize(v.op.attributes.get("value"), v.type)
        return _NO_VALUE if c is None else c
    return _NO_VALUE


def _is_int_const(v: Value, n: int) -> bool:
    t = v.type
    if not (isinstance(t, ScalarType) and t.is_int):
        return False
    c = const_value(v)
    return c is not _NO_VALUE and not isinstance(c, bool) and c == n


def _identity(op: Operation) -> Value | None:
    """A value equal to op's single result without computing anything, or None."""
    name, ops = op.name, op.operands
    if name == "arith.select":
        c = const_value(ops[0])
        if c is not _NO_VALUE:
            return ops[1] if c else ops[2]
        if ops[1] is ops[2]:
            return ops[1]
        return None
    if name == "tuple.get":
        src = ops[0]
        if isinstance(src, OpResult) and src.op.name == "tuple.make":
            i = op.attributes.get("index")
            if isinstance(i, int) and 0 <= i < len(src.op.operands):
                return src.op.operands[i]
        return None
    if name == "array.dim":
        src = ops[0]
        ax = op.attributes.get("axis")
        if isinstance(src, OpResult) and src.op.name == "array.alloc" and isinstance(ax, int) \
                and 0 <= ax < len(src.op.operands):
            return src.op.operands[ax]
        return None
    if name == "arith.addi":
        if _is_int_const(ops[1], 0):
            return ops[0]
        if _is_int_const(ops[0], 0):
            return ops[1]
    elif name == "arith.subi":
        if _is_int_const(ops[1], 0):
            return ops[0]
    elif name == "arith.muli":
        if _is_int_const(ops[1], 1):
            return ops[0]
        if _is_int_const(ops[0], 1):
            return ops[1]
    return None


def _removable_check(op: Operation) -> bool:
    """A side-effecting check that provably never fires."""
    if op.name == "cf.assert":
        c = const_value(op.operands[0])
        return c is not _NO_VALUE and bool(c)
    if op.name == "math.check":
        vals = [const_value(v) for v in op.operands]
        return all(v is not _NO_VALUE for v in vals) and math_check_passes(vals)  # type: ignore[arg-type]
    return False


def _trivial_if(op: Operation) -> list[Value] | None:
    """Yielded values of an scf.if whose both regions only yield the same values."""
    then_b, else_b = op.regions[0].block, op.regions[1].block
    if len(then_b.ops) != 1 or len(else_b.ops) != 1:
        return None
    a, b = then_b.ops[0].operands, else_b.ops[0].operands
    if len(a) != len(b) or any(x is not y for x, y in zip(a, b)):
        return None
    return list(a)


class _Canonicalizer:
    def __init__(self) -> None:
        self.subst = Substitution()
        self.changed = False

    def block(self, block: Block) -> None:
        ops = block.ops
        subst = self.subst
        i = 0
        while i < len(ops):
            op = ops[i]
            subst.apply(op)
            if op.regions:
                if op.name == "scf.if" and self._inline_if(block, i, op):
                    continue  # the moved ops now start at i: visit them
                for region in op.regions:
                    for b in region.blocks:
                        self.block(b)
                if op.name == "scf.if" and len(op.regions) == 2:
                    vals = _trivial_if(op)
                    if vals is not None:
                        for r, v in zip(op.results, vals):
                            subst.add(r, v)
                        self._remove(ops, i, op)
                        continue
                    if self._select_if(block, i, op):
                        continue  # the selects now start at i: visit them
                i += 1
                continue
            if _removable_check(op):
                self._remove(ops, i, op)
                continue
            if len(op.results) == 1 and op.name != "arith.constant" and is_pure(op):
                same = _identity(op)
                if same is not None:
                    subst.add(op.results[0], same)
                    self._remove(ops, i, op)
                    continue
                if self._fold(block, i, op):
                    i += 1
                    continue
            i += 1

    def _remove(self, ops: list[Operation], i: int, op: Operation) -> None:
        del ops[i]
        op.parent = None
        self.changed = True

    def _fold(self, block: Block, i: int, op: Operation) -> bool:
        vals = []
        for v in op.operands:
            c = const_value(v)
            if c is _NO_VALUE:
                return False
            vals.append(c)
        r = evaluate(op, vals)
        if r is None:
            return False
        res = op.results[0]
        new = Operation("arith.constant", [], [res.type], {"value": r}, loc=op.loc,
                        result_names=[res.name])
        new.parent = block
        block.ops[i] = new
        op.parent = None
        self.subst.add(res, new.results[0])
        self.changed = True
        return True

    def _select_if(self, block: Block, i: int, op: Operation) -> bool:
        then_b, else_b = op.regions[0].block, op.regions[1].block
        if len(then_b.ops) != 1 or len(else_b.ops) != 1 or not op.results:
            return False
        if not all(isinstance(r.type, ScalarType) for r in op.results):
            return False
        cond = op.operands[0]
        selects = []
        for r, a, b in zip(op.results, then_b.ops[0].operands, else_b.ops[0].operands):
            if a is b:
                self.subst.add(r, a)
                continue
            sel = Operation("arith.select", [cond, a, b], [r.type], loc=op.loc, result_names=[r.name])
            sel.parent = block
            selects.append(sel)
            self.subst.add(r, sel.results[0])
        block.ops[i:i + 1] = selects
        op.parent = None
        self.changed = True
        return True

    def _inline_if(self, block: Block, i: int, op: Operation) -> bool:
        c = const_value(op.operands[0])
        if c is _NO_VALUE or len(op.regions) != 2:
            return False
        taken = op.regions[0 if c else 1].block
        if not taken.ops or taken.ops[-1].name != "scf.yield":
            return False
        moved = taken.ops[:-1]
        for r, v in zip(op.results, taken.ops[-1].operands):
            self.subst.add(r, v)
        for m in moved:
            m.parent = block
        block.ops[i:i + 1] = moved
        op.parent = None
        self.changed = True
        return True


def run_func(func: FuncOp) -> bool:
    """Canonicalize one function; True if anything changed."""
    c = _Canonicalizer()
    c.block(func.body.block)
    return c.changed


def apply(module: Module) -> bool:
    """True if anything changed."""
    return apply_per_function(run_func, module)


def run(module: Module) -> Module:
    apply(module)
    return module
