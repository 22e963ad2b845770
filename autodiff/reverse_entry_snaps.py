"""Entry snapshots: a top-level loop that reads an array in inner loops and overwrites it
later in the same iteration (the copy-back heat stepper: `v[i] = f(u[i-1], u[i], u[i+1])`
for all i, then `u[i] = v[i]`) copies the array once per iteration instead of taping
every load.

Without them each such load goes on the load tape (`list.set`, one scalar store with a
reload of the list's buffer pointer: LLVM vectorizes none of it), three values per
element for a three-point stencil. With them, iteration k's entry copies the array to a
flat tape (`n * size` elements, preallocated: a vectorized copy), and the reverse of
iteration k copies it back into a work array that the replay reads in place of the
array: the adjoint reads `work[i - 1]`, `work[i + 1]` (affine loads, no tape reads).

An array qualifies in top-level `scf.for` L when it is a C-contiguous function argument or
top-level allocation made before L, L's body writes it inside a nested loop or through a
helper (so an iteration already does work of the order of its size: a single element
update `u[t % m] = s` does not make a whole copy per step worth it), and a load reads it
directly (not through a view) inside a nested loop of a statement *before* the first
statement that writes it: those loads see the contents at iteration entry, which is what
the snapshot keeps. Other loads of it keep the load tape.
"""
from __future__ import annotations

from ember.autodiff.reverse_tapes import copy_flat, flat_size
from ember.ir.core import BlockArgument, Operation, OpResult, Value
from ember.ir.types import I64, ArrayType


def analyse(act) -> tuple[dict[int, list[Value]], set[int]]:
    """(id of top-level loop -> arrays it snapshots, ids of the loads that read them)."""
    func = act.func
    tops = func.body.block.ops
    snaps: dict[int, list[Value]] = {}
    loads: set[int] = set()
    for at, loop in enumerate(tops):
        if loop.name != "scf.for":
            continue
        before = set(func.args) | {r for op in tops[:at] for r in op.results}
        body = loop.regions[0].block
        first: dict[Value, int] = {}
        sweeping: set[Value] = set()   # written by a nested loop or a helper: O(size) work
        for j, top in enumerate(body.ops):
            for op in top.walk():
                for r in _stored(act, op):
                    first.setdefault(r, j)
                    if op.parent is not body or op.name == "func.call":
                        sweeping.add(r)
        chosen: list[Value] = []
        for j, top in enumerate(body.ops):
            for op in top.walk():
                if op.name != "array.load" or op.parent is body:
                    continue
                r = op.operands[0]
                if r not in sweeping or j >= first[r] or not _eligible(act, r, before):
                    continue
                loads.add(id(op))
                if r not in chosen:
                    chosen.append(r)
        if chosen:
            snaps[id(loop)] = chosen
    return snaps, loads


def _stored(act, op: Operation) -> list[Value]:
    if op.name == "array.store":
        return [act.root(op.operands[1])]
    if op.name == "func.call" and act.call_stores(op):
        return [act.root(v) for v in op.operands if isinstance(v.type, ArrayType)]
    return []


def _eligible(act, r: Value, before: set) -> bool:
    t = r.type
    return (isinstance(t, ArrayType) and t.layout == "C" and act.root(r) is r
            and r not in act.merged and r in before
            and (isinstance(r, BlockArgument) or isinstance(r, OpResult)))


# ---- the sweep's side (reverse_loops.py) ---------------------------------------------------
def alloc(sw, op: Operation, n: Value) -> None:
    """Before the forward loop: one flat tape of n * size elements per snapshotted array."""
    for r in sw.act.entry_snaps.get(id(op), []):
        arr = sw.p(r)
        t: ArrayType = arr.type
        dims = [sw.v("array.dim", [arr], I64, axis=d) for d in range(t.ndim)]
        size = flat_size(sw, dims)
        total = sw.v("arith.muli", [n, size], I64)
        tape = sw.tape(sw.v("array.alloc", [total], ArrayType(t.dtype, 1, "C")))
        sw.env[(op, "esnap", r)] = (tape, size, dims)


def take(sw, op: Operation, k: Value) -> None:
    """At the entry of iteration k: copy each snapshotted array to its tape."""
    for r in sw.act.entry_snaps.get(id(op), []):
        tape, size, dims = sw.env[(op, "esnap", r)]
        copy_flat(sw, sw.p(r), tape, sw.v("arith.muli", [k, size], I64), dims, True)


def works(sw, op: Operation) -> dict[Value, Value]:
    """Before the reverse loop: the work array each snapshot is restored into."""
    out = {}
    for r in sw.act.entry_snaps.get(id(op), []):
        _, _, dims = sw.env[(op, "esnap", r)]
        t: ArrayType = r.type
        out[r] = sw.v("array.alloc", dims, ArrayType(t.dtype, t.ndim, "C"))
    return out


def bind(sw, op: Operation, k: Value, work: dict[Value, Value]) -> dict[Value, Value]:
    """Reverse of iteration k: restore the snapshots and let the replay read the work
    arrays; returns what to put back afterwards (`unbind`)."""
    saved = {}
    for r, w in work.items():
        tape, size, dims = sw.env[(op, "esnap", r)]
        copy_flat(sw, w, tape, sw.v("arith.muli", [k, size], I64), dims, False)
        saved[r] = sw.env[r]
        sw.env[r] = w
    return saved


def unbind(sw, saved: dict[Value, Value]) -> None:
    for r, v in saved.items():
        sw.env[r] = v


__all__ = ["analyse", "alloc", "take", "works", "bind", "unbind"]
