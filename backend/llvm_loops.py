"""A counted loop written straight in LLVM IR, for the runtime and wrapper code that walks
the items of a container (lowered IR loops go through backend/lower_scf.py instead)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from llvmlite import ir


@contextmanager
def counted_loop(b: ir.IRBuilder, lo: ir.Value, hi: ir.Value, name: str) -> Iterator[ir.Value]:
    """`for i in range(lo, hi)`: the body is what the `with` block emits at `b` (it may
    branch and end in another block: the increment follows wherever it ends); `b` is left
    after the loop."""
    fn = b.block.function
    start = b.block
    head, body, done = (fn.append_basic_block(f"{name}{s}") for s in ("", ".body", ".done"))
    b.branch(head)
    b.position_at_end(head)
    i = b.phi(lo.type, name=f"{name}.i")
    i.add_incoming(lo, start)
    b.cbranch(b.icmp_signed("<", i, hi), body, done)
    b.position_at_end(body)
    yield i
    i.add_incoming(b.add(i, ir.Constant(lo.type, 1)), b.block)
    b.branch(head)
    b.position_at_end(done)
