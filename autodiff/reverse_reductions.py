"""Adjoint sums in reverse loops, split off and summed in four lanes.

The reverse of a loop sums the adjoint of every loop-invariant scalar the body uses
(heat's `alpha`: `g += sv[i] * (u[i - 1] - 2 u[i] + u[i + 1])`) in a carried float. Added
in order, each add waits for the one before (4 cycles): with the scatters moved out
(reverse_distribute.py) that chain is what is left of the loop's time. When the term
does not depend on the sum and its slice can run in a loop of its own (the same rules as
a moved scatter), the sum moves to a loop before the original one that keeps four
partial sums (iterations lb, lb + 1, lb + 2, lb + 3 per step, then a remainder loop) and
adds them as ((s0 + s1) + (s2 + s3)) + rest; the original loop starts its carried value
from init + that total and passes it along. The gradient is the same sum in another
order (rounding), as JAX's reductions are.
"""
from __future__ import annotations

from ember.ir.builder import Builder
from ember.ir.core import Block, Operation, Region, Value
from ember.ir.types import BOOL, F32, F64, I64

LANES = 4


def find(body: Block, where: dict, uses: dict, invariant: dict, slicer
         ) -> list[tuple[int, Operation, Value, set]]:
    """(carried position, the add, the added term, the term's slice) of each carried
    `acc' = acc + t(i)` whose acc feeds only that add and whose t can move."""
    out = []
    yields = body.terminator.operands
    for j, acc in enumerate(body.args[1:]):
        if acc in invariant or acc.type not in (F64, F32):
            continue
        y = yields[j]
        add = y.op if getattr(y, "op", None) is not None and y.op in where else None
        if add is None or add.name != "arith.addf" or uses.get(acc) != 1 or uses.get(y) != 1:
            continue
        a, b = add.operands
        t = b if a is acc else a if b is acc else None
        if t is None:
            continue
        sl = slicer([t])
        if sl is not None:
            out.append((j, add, t, sl))
    return out


def split(loop: Operation, red: tuple, ops: list[Operation], invariant: dict, clone) -> None:
    """Insert the lane-summing loops for reduction `red` before downward `loop` and make
    `loop` start from init + their total and pass the value along (`clone(env, block,
    ops)` copies a slice, reverse_distribute.clone_slice)."""
    j, _, t, sl = red
    body = loop.regions[0].block
    iv0 = body.args[0]
    last, stop = loop.operands[0], loop.operands[1]
    ft = t.type
    tmp = Block()
    b = Builder(tmp, loop.loc)
    c0, c1, cl = b.constant(0, I64), b.constant(1, I64), b.constant(LANES, I64)
    lo = b.value("arith.addi", [stop, c1], I64)
    count = b.value("arith.subi", [last, stop], I64)
    neg = b.value("arith.cmpi", [count, c0], BOOL, {"predicate": "slt"})
    count = b.value("arith.select", [neg, c0, count], I64)
    whole = b.value("arith.muli", [b.value("arith.floordivsi", [count, cl], I64), cl], I64)
    mid = b.value("arith.addi", [lo, whole], I64)
    end = b.value("arith.addi", [lo, count], I64)
    zero = b.constant(0.0, ft)

    def term(at_iv: Value) -> Value:
        env: dict[Value, Value] = {iv0: at_iv, **invariant}
        clone(env, b.block, sl)
        return env.get(t, t)

    lanes = Block([I64] + [ft] * LANES)
    with b.at(lanes):
        sums = []
        for k in range(LANES):
            at = lanes.args[0] if k == 0 else b.value("arith.addi", [lanes.args[0], b.constant(k, I64)], I64)
            sums.append(b.value("arith.addf", [lanes.args[1 + k], term(at)], ft))
        b.op("scf.yield", sums)
    main = b.op("scf.for", [lo, mid, cl] + [zero] * LANES, [ft] * LANES, regions=[Region([lanes])])
    rest_body = Block([I64, ft])
    with b.at(rest_body):
        b.op("scf.yield", [b.value("arith.addf", [rest_body.args[1], term(rest_body.args[0])], ft)])
    rest = b.op("scf.for", [mid, end, c1, zero], [ft], regions=[Region([rest_body])])
    s = main.results
    pair = b.value("arith.addf", [b.value("arith.addf", [s[0], s[1]], ft),
                                  b.value("arith.addf", [s[2], s[3]], ft)], ft)
    total = b.value("arith.addf", [pair, rest.results[0]], ft)
    start = b.value("arith.addf", [loop.operands[3 + j], total], ft)
    block = loop.parent
    at = block.ops.index(loop)
    for op in tmp.ops:
        op.parent = block
    block.ops[at:at] = tmp.ops
    loop.operands[3 + j] = start
    body.terminator.operands[j] = body.args[1 + j]


__all__ = ["find", "split", "LANES"]
