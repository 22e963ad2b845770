"""Common subexpression elimination of pure ops over the structured dominance tree.

An op in a block dominates the rest of that block and every region nested in
it, so a pure op is replaced by an identical one (same name, operands,
attributes and result types) found earlier in its block or in an enclosing
block. Sibling regions (the two arms of an `scf.if`) never share: each nested
region gets its own scope, dropped when the walk leaves it.

`array.load` is pure but reads memory: two loads merge only when no op between
them may write memory (`array.store`, `array.assign`, `func.call`,
`array.release`, or a region op holding one); such an op forgets every load seen
so far, in all enclosing scopes, before its regions are visited (a loop body may
run after a store of its previous iteration).
"""
from __future__ import annotations

import math
from typing import Hashable

from ember.ir.core import Block, FuncOp, Module, Operation
from ember.ir.opdefs import is_pure
from ember.ir.passes.uses import Substitution
from ember.ir.passes.per_function import apply_per_function


def _attr_key(v: object) -> Hashable:
    # 0.0 == -0.0 and 1 == 1.0 == True in Python: keep the exact kind and bits.
    if isinstance(v, float):
        return ("f", v.hex() if not math.isnan(v) else repr(v))
    return (type(v).__name__, v)


def op_key(op: Operation) -> Hashable:
    """Identity of a pure op's computation."""
    # most pure ops have no attributes: skip the sort (the key is the same empty tuple)
    attrs = tuple(sorted((k, _attr_key(v)) for k, v in op.attributes.items())) \
        if op.attributes else ()
    return (op.name, tuple(id(v) for v in op.operands), attrs,
            tuple(r.type for r in op.results))


_WRITES = frozenset({"array.store", "array.assign", "func.call", "array.release"})


def _may_write(op: Operation) -> bool:
    return any(inner.name in _WRITES for inner in op.walk())


class _CSE:
    def __init__(self) -> None:
        self.subst = Substitution()
        self.changed = False
        self.loads: list[dict] = []
        # Every pure op in scope, by key. A key is added only when no enclosing scope
        # has it, so one dict (each block removing its own keys on exit) answers what a
        # stack of per-block tables would, with one lookup instead of one per level.
        self.seen: dict = {}

    def forget_loads(self, op: Operation) -> None:
        if any(self.loads) and _may_write(op):
            for t in self.loads:
                t.clear()

    def block(self, block: Block) -> None:
        added: list = []
        seen = self.seen
        self.loads.append({})
        ops = block.ops
        i = 0
        while i < len(ops):
            op = ops[i]
            self.subst.apply(op)
            if op.regions or op.name in _WRITES:
                self.forget_loads(op)
            if op.name == "array.load":
                self.load(ops, i, op)
                if op.parent is None:
                    continue
                i += 1
                continue
            if op.regions:
                for region in op.regions:
                    for b in region.blocks:
                        self.block(b)
                i += 1
                continue
            if op.results and is_pure(op):
                key = op_key(op)
                found = seen.get(key)
                if found is not None:
                    for old, new in zip(op.results, found.results):
                        self.subst.add(old, new)
                    del ops[i]
                    op.parent = None
                    self.changed = True
                    continue
                seen[key] = op
                added.append(key)
            i += 1
        for key in added:
            del seen[key]
        self.loads.pop()

    def load(self, ops: list[Operation], i: int, op: Operation) -> None:
        key = op_key(op)
        for t in reversed(self.loads):
            found = t.get(key)
            if found is not None:
                self.subst.add(op.results[0], found.results[0])
                del ops[i]
                op.parent = None
                self.changed = True
                return
        self.loads[-1][key] = op


def run_func(func: FuncOp) -> bool:
    c = _CSE()
    c.block(func.body.block)
    return c.changed


def apply(module: Module) -> bool:
    """True if anything changed."""
    return apply_per_function(run_func, module)


def run(module: Module) -> Module:
    apply(module)
    return module
