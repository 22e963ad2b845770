"""Branches in reverse mode. The forward `scf.if` is the primal one; at a recording level
each branch also exports, as extra results, every value its reverse will need (zeros or
an empty array where the other branch defines it), and the merged shadow of an array the
branch yields. The reverse is an `scf.if` on the same condition whose branches hold the
adjoints of their ops and yield the adjoint contributions to outer values."""
from __future__ import annotations

from typing import Any

from ember.autodiff import reverse_values as rv
from ember.autodiff.reverse_sweep import Sweep
from ember.ir.core import Block, BlockArgument, OpResult, Operation, Region, Value
from ember.ir.errors import DifferentiationError
from ember.ir.types import I64, ArrayType, Type


def forward_if(self: Sweep, op: Operation) -> None:
    """The primal scf.if; at a recording level each branch also exports (as extra
    results) every value its reverse will need, so the reverse can use them after it."""
    blocks = [Block(), Block()]
    exports: list[list[Any]] = [[], []]
    yields: list[list[Value]] = [[], []]
    cursors: list[dict[Type, Value]] = []
    start = dict(self.cursor)
    for k, (src, blk) in enumerate(zip(op.regions, blocks)):
        self.cursor = dict(start)
        with self.into(blk):
            self.forward(src.block.ops)
        yields[k] = [self.p(v) for v in src.block.terminator.operands]
        cursors.append(self.cursor)
        if self.record:
            exports[k] = [key for key, x in self.env.items() if _defined_at(x, blk)]
    keys = exports[0] + exports[1]
    kept: list[Any] = []
    outs: list[list[Value]] = [list(y) for y in yields]
    for key in keys:
        vals = []
        for k, blk in enumerate(blocks):
            if key in exports[k]:
                vals.append(self.env[key])
            else:
                with self.into(blk):
                    vals.append(rv.dummy(self.b, self.env[key].type))
        if any(x is None for x in vals):
            continue
        kept.append(key)
        for k in range(2):
            outs[k].append(vals[k])
    if self.record:
        # an array the if yields: its shadow is the yielded array's shadow
        for i, r in enumerate(op.results):
            if isinstance(r.type, ArrayType) and self.act.is_active(r):
                sh = [self.shadow(reg.block.terminator.operands[i]) for reg in op.regions]
                if any(x is None for x in sh) or sh[0].type != sh[1].type:
                    raise DifferentiationError(
                        f"reverse mode cannot follow array '{r.name or '?'}' chosen by a "
                        "branch between arrays of different kinds", op.loc)
                kept.append(("s", r))
                for k in range(2):
                    outs[k].append(sh[k])
    dts = sorted(start, key=str)
    for k, blk in enumerate(blocks):
        with self.into(blk):
            self.b.op("scf.yield", outs[k] + [cursors[k][d] for d in dts])
    types = [x.type for x in outs[0]] + [I64] * len(dts)
    new = self.b.op("scf.if", [self.p(op.operands[0])], types,
                    regions=[Region([blocks[0]]), Region([blocks[1]])],
                    names=[r.name for r in op.results] + [None] * (len(types) - len(op.results)))
    res = list(new.results)
    for r, x in zip(op.results, res):
        self.env[r] = x
    for key, x in zip(kept, res[len(op.results):]):
        self.env[key] = x
    self.cursor = {d: x for d, x in zip(dts, res[len(res) - len(dts):])}


def reverse_if(self: Sweep, op: Operation) -> None:
    branches = [r.block.ops for r in op.regions]
    spec = self.leaves(self.act.free_scalars(branches[0] + branches[1]))
    res_adj = [self.adj.get(r) for r in op.results]
    blocks = [Block(), Block()]
    for ops, blk in zip(branches, blocks):
        with self.into(blk):
            seeds = list(zip(ops[-1].operands, res_adj))
            vals = self.reverse_region(ops, seeds, spec)
            self.b.op("scf.yield", vals)
    new = self.b.op("scf.if", [self.p(op.operands[0])], [t for _, _, t in spec],
                    regions=[Region([blocks[0]]), Region([blocks[1]])])
    self.acc_leaves(spec, list(new.results))


def _defined_at(v: Value, blk: Block) -> bool:
    """Is `v` defined directly in `blk` (not in a region nested in it)?"""
    if isinstance(v, OpResult):
        return v.op.parent is blk
    return isinstance(v, BlockArgument) and v.block is blk
