"""Structured control flow (scf.if / scf.for / scf.while) -> basic blocks and phis.

Yield operands flow into phis at the merge or loop header. A loop's results are
its header phis (for) or the values forwarded by scf.condition (while): the exit
block's only predecessor is the block that tests the condition, so they dominate it.
"""
from __future__ import annotations

from llvmlite import ir

from ember.ir.core import Operation, OpResult, Region, Value

from .context import FuncLowering
from .llvm_types import I64
from .registry import lowers


def const_int(v: Value) -> int | None:
    """The value of an integer `arith.constant`, else None."""
    if isinstance(v, OpResult) and v.op.name == "arith.constant":
        val = v.op.attributes.get("value")
        if isinstance(val, int) and not isinstance(val, bool):
            return val
    return None


def _lower_region(fl: FuncLowering, region: Region, args: list[ir.Value]) -> list[ir.Value]:
    if not region.blocks:
        return []
    return fl.lower_block(region.block, args)


@lowers("scf.if")
def _if(fl: FuncLowering, op: Operation) -> None:
    b = fl.builder
    then_bb, else_bb, merge = fl.new_block("then"), fl.new_block("else"), fl.new_block("endif")
    b.cbranch(fl.get(op.operands[0]), then_bb, else_bb)
    arms: list[tuple[list[ir.Value], ir.Block]] = []
    for region, bb in zip(op.regions, (then_bb, else_bb)):
        b.position_at_end(bb)
        vals = _lower_region(fl, region, [])
        arms.append((vals, b.block))
        b.branch(merge)
    b.position_at_end(merge)
    for i, r in enumerate(op.results):
        phi = b.phi(fl.ltype(r.type), name=r.name or "")
        for vals, blk in arms:
            phi.add_incoming(vals[i], blk)
        fl.set(r, phi)


@lowers("scf.for")
def _for(fl: FuncLowering, op: Operation) -> None:
    lb, ub, step = (fl.get(v) for v in op.operands[:3])
    inits = [fl.get(v) for v in op.operands[3:]]
    s = const_int(op.operands[2])
    if s in (1, -1):
        _for_unit_step(fl, op, lb, ub, s, inits)
    else:
        _for_counted(fl, op, lb, ub, step, s, inits)


def _carried_phis(fl: FuncLowering, op: Operation, inits: list[ir.Value], pre: ir.Block) -> list[ir.PhiInstr]:
    body = op.regions[0].block
    phis = []
    for arg, init in zip(body.args[1:], inits):
        phi = fl.builder.phi(fl.ltype(arg.type), name=arg.name or "")
        phi.add_incoming(init, pre)
        phis.append(phi)
    return phis


def _for_unit_step(fl: FuncLowering, op: Operation, lb: ir.Value, ub: ir.Value, s: int,
                   inits: list[ir.Value]) -> None:
    """step = +-1: the plain `iv < ub` loop LLVM vectorizes; iv +- 1 cannot overflow."""
    b = fl.builder
    pre = b.block
    header, body_bb, exit_bb = fl.new_block("for.head"), fl.new_block("for.body"), fl.new_block("for.end")
    b.branch(header)
    b.position_at_end(header)
    iv_arg = op.regions[0].block.args[0]
    iv = b.phi(I64, name=iv_arg.name or "iv")
    iv.add_incoming(lb, pre)
    phis = _carried_phis(fl, op, inits, pre)
    cond = b.icmp_signed("<" if s > 0 else ">", iv, ub)
    b.cbranch(cond, body_bb, exit_bb)
    b.position_at_end(body_bb)
    yielded = fl.lower_block(op.regions[0].block, [iv] + list(phis))
    nxt = b.add(iv, ir.Constant(I64, s), flags=["nsw"])
    latch = b.block
    b.branch(header)
    iv.add_incoming(nxt, latch)
    for phi, v in zip(phis, yielded):
        phi.add_incoming(v, latch)
    b.position_at_end(exit_bb)
    for r, phi in zip(op.results, phis):
        fl.set(r, phi)


def _for_counted(fl: FuncLowering, op: Operation, lb: ir.Value, ub: ir.Value, step: ir.Value,
                 s: int | None, inits: list[ir.Value]) -> None:
    """Any step: count len(range(lb, ub, step)) at entry, as CPython does, and iterate
    a trip counter, so no iv near the end of the i64 range can wrap into a new round."""
    b = fl.builder
    zero, one = ir.Constant(I64, 0), ir.Constant(I64, 1)
    if s is not None and s > 0:
        nonempty, diff, mag = b.icmp_signed("<", lb, ub), b.sub(ub, lb), step
    elif s is not None:
        # -MIN wraps to MIN, which read unsigned is 2**63: the right magnitude.
        nonempty, diff, mag = b.icmp_signed(">", lb, ub), b.sub(lb, ub), b.sub(zero, step)
    else:
        pos = b.icmp_signed(">", step, zero)
        nonempty = b.select(pos, b.icmp_signed("<", lb, ub), b.icmp_signed(">", lb, ub))
        diff = b.select(pos, b.sub(ub, lb), b.sub(lb, ub))
        mag = b.select(pos, step, b.sub(zero, step))
        # step != 0 is guarded upstream; keep udiv defined even if a pass lost the guard.
        mag = b.select(b.icmp_unsigned("==", mag, zero), one, mag)
    count = b.select(nonempty, b.add(b.udiv(b.sub(diff, one), mag), one), zero, name="trip")
    pre = b.block
    header, body_bb, exit_bb = fl.new_block("for.head"), fl.new_block("for.body"), fl.new_block("for.end")
    b.branch(header)
    b.position_at_end(header)
    k = b.phi(I64, name="k")
    k.add_incoming(zero, pre)
    iv_arg = op.regions[0].block.args[0]
    iv = b.phi(I64, name=iv_arg.name or "iv")
    iv.add_incoming(lb, pre)
    phis = _carried_phis(fl, op, inits, pre)
    b.cbranch(b.icmp_unsigned("<", k, count), body_bb, exit_bb)
    b.position_at_end(body_bb)
    yielded = fl.lower_block(op.regions[0].block, [iv] + list(phis))
    k_next = b.add(k, one, flags=["nuw"])
    iv_next = b.add(iv, step)  # may wrap after the last iteration; then unused
    latch = b.block
    b.branch(header)
    k.add_incoming(k_next, latch)
    iv.add_incoming(iv_next, latch)
    for phi, v in zip(phis, yielded):
        phi.add_incoming(v, latch)
    b.position_at_end(exit_bb)
    for r, phi in zip(op.results, phis):
        fl.set(r, phi)


@lowers("scf.while")
def _while(fl: FuncLowering, op: Operation) -> None:
    b = fl.builder
    pre = b.block
    before_bb, after_bb, exit_bb = fl.new_block("while.cond"), fl.new_block("while.body"), fl.new_block("while.end")
    b.branch(before_bb)
    b.position_at_end(before_bb)
    before = op.regions[0].block
    phis = []
    for arg, v in zip(before.args, op.operands):
        phi = b.phi(fl.ltype(arg.type), name=arg.name or "")
        phi.add_incoming(fl.get(v), pre)
        phis.append(phi)
    cond, *fwd = fl.lower_block(before, list(phis))
    b.cbranch(cond, after_bb, exit_bb)
    b.position_at_end(after_bb)
    yielded = _lower_region(fl, op.regions[1], fwd)
    latch = b.block
    b.branch(before_bb)
    for phi, v in zip(phis, yielded):
        phi.add_incoming(v, latch)
    b.position_at_end(exit_bb)
    for r, v in zip(op.results, fwd):
        fl.set(r, v)
