"""Tapes of reverse mode: snapshots of loop-carried arrays, and the cleanup that drops
the tapes the reverse sweep never reads.

The emitter tapes every carried value of a loop it will reverse (and the load-tape
cursors) without knowing yet whether a replay needs them: `s += f(x[i])` replays nothing
from `s`. Once the derived function is built, dead replay code is removed (DCE) and a tape
whose only remaining uses write into it (or read it into nothing) is deleted with those
writes, so the derived code keeps only what its adjoint reads."""
from __future__ import annotations

from ember.autodiff.reverse_calls import add_into
from ember.ir.core import Block, FuncOp, Operation, Region, Value
from ember.ir.errors import DifferentiationError
from ember.ir.types import BOOL, I64, ArrayType, ListType
from ember.ir.passes import dce

# op name -> operand position of the tape it writes into
_WRITES = {"array.store": 1, "list.append": 0, "list.set": 1, "list.resize": 0}
_READS = ("array.load", "list.get", "list.len", "array.dim")


def drop_unread_tapes(func: FuncOp, tapes: list[Value]) -> None:
    live = list(tapes)
    changed = True
    while changed:
        dce.run_func(func)
        changed = False
        uses: dict[Value, list[Operation]] = {}
        used: set[Value] = set()
        for op in func.walk():
            for v in op.operands:
                used.add(v)
                uses.setdefault(v, []).append(op)
        for op in list(func.walk()):
            if op.name == "list.get" and op.results[0] not in used:
                _erase(op)      # a replayed load nothing needs (DCE keeps list ops)
                changed = True
        for t in list(live):
            us = uses.get(t, [])
            if not all(_writes_into(u, t) or u.name in _READS for u in us) or \
                    any(u.name in ("list.get", "array.load") and u.results[0] in used for u in us):
                continue        # the reverse sweep reads this tape (directly or exported)
            for u in us:
                if _writes_into(u, t) or (u.name in _READS and u.results[0] not in used):
                    _erase(u)
                    changed = True
            if all(u.parent is None for u in us):
                _erase(t.op)  # type: ignore[attr-defined]
                live.remove(t)
                changed = True


def _writes_into(op: Operation, tape: Value) -> bool:
    pos = _WRITES.get(op.name)
    return pos is not None and op.operands[pos] is tape and \
        all(v is not tape for i, v in enumerate(op.operands) if i != pos)


def _erase(op: Operation) -> None:
    if op.parent is not None and op in op.parent.ops:
        op.parent.ops.remove(op)
    op.parent = None


# ---- snapshots of loop-carried arrays (reverse_loops.py) ----------------------------------
# A loop that rebinds array variables (`u, v = v, u`, `u = f(u)`) mutates them in place, so
# a replay of iteration k could not read them again: their contents at each iteration
# entry are copied to a flat tape (n * size elements: a for loop's is preallocated with
# the trip count, a while loop's is a list grown per iteration) and copied back into a
# work array before iteration k is replayed. The adjoint of a carried array is a shadow
# carried backwards by the reverse loop.

def _blocks(op: Operation) -> tuple[Block, Block, list[Value], list[Value]]:
    """(entry block, yielding block, carried args, args of the yielding block)."""
    if op.name == "scf.for":
        body = op.regions[0].block
        return body, body, body.args[1:], body.args[1:]
    before, after = op.regions[0].block, op.regions[1].block
    return before, after, before.args, after.args


def snapshots(op: Operation) -> list[int]:
    """Carried positions of loop `op` holding arrays that the body rebinds."""
    entry, yblk, carried, yargs = _blocks(op)
    out = []
    for i, a in enumerate(carried):
        if not isinstance(a.type, ArrayType):
            continue
        if op.name == "scf.for":
            if yblk.terminator.operands[i] is a:
                continue
        elif i < len(yargs) and entry.terminator.operands[1 + i] is a \
                and yblk.terminator.operands[i] is yargs[i]:
            continue
        out.append(i)
    return out


def check_snapshot(sw, op: Operation, i: int) -> None:
    """A rebound array must be C-contiguous, passed on at most once, and (for a while loop)
    handed unchanged from the condition to the body; the loop must not be replayed itself."""
    entry, yblk, carried, yargs = _blocks(op)
    a = carried[i]
    name = a.name or "?"

    def refuse(why: str) -> None:
        raise DifferentiationError(f"reverse mode cannot differentiate a loop that rebinds array "
                                   f"variable '{name}' {why}", op.loc)
    if sw.replay:
        refuse("inside another loop (only an outermost loop may carry arrays)")
    if a.type.layout != "C":  # type: ignore[union-attr]
        refuse("to a non-contiguous array (rebind it to a copy)")
    if op.name == "scf.while" and (i >= len(yargs) or entry.terminator.operands[1 + i] is not a):
        refuse("in a while loop whose condition passes on another value")
    if sum(1 for v in yblk.terminator.operands if v is yargs[i]) > 1:
        refuse("to two variables at once")


def _contents_read(op: Operation, i: int) -> bool:
    """Does the loop read the memory of carried array i (not only its shape, writes into
    it, or passing it on)?"""
    entry, yblk, carried, yargs = _blocks(op)
    names = {carried[i]} | ({yargs[i]} if i < len(yargs) else set())
    for blk in {id(entry): entry, id(yblk): yblk}.values():
        for o in blk.ops:
            for inner in o.walk():
                if inner is blk.terminator:
                    continue
                for k, v in enumerate(inner.operands):
                    if v in names and not (inner.name == "array.dim"
                                           or (inner.name == "array.store" and k == 1)):
                        return True
    return False


def alloc_snapshots(sw, op: Operation, n: Value | None) -> None:
    """One flat tape per rebound array whose contents the loop reads: an array of n * size
    elements for a for loop (`n` its trip count), a list grown per iteration otherwise
    (size: its element count at loop entry, which every iteration must keep)."""
    nargs = 3 if op.name == "scf.for" else 0
    for j in snapshots(op):
        init = sw.p(op.operands[nargs + j])
        t: ArrayType = init.type  # type: ignore[assignment]
        dims = [sw.v("array.dim", [init], I64, axis=d) for d in range(t.ndim)]
        size = flat_size(sw, dims)
        tape = None
        if _contents_read(op, j):
            if n is not None:
                total = sw.v("arith.muli", [n, size], I64)
                tape = sw.tape(sw.v("array.alloc", [total], ArrayType(t.dtype, 1, "C")))
            else:
                tape = sw.tape(sw.v("list.new", [size], ListType(t.dtype)))
        sw.env[(op, "snap", j)] = (tape, size, dims)


def take_snapshots(sw, op: Operation, args: list[Value], k: Value) -> None:
    """At the entry of iteration k (`args`: the carried values there): check the shape and
    copy each rebound array to its tape."""
    for j in snapshots(op):
        tape, size, dims = sw.env[(op, "snap", j)]
        arr = args[j]
        ok = None
        for d, d0 in enumerate(dims):
            same = sw.v("arith.cmpi", [sw.v("array.dim", [arr], I64, axis=d), d0], BOOL, predicate="eq")
            ok = same if ok is None else sw.v("arith.andi", [ok, same], BOOL)
        if ok is not None:
            sw.b.op("cf.assert", [ok], attributes={
                "exc": "ValueError",
                "msg": f"reverse mode: array '{arr.name or '?'}' carried by a loop changed shape"})
        if tape is None:
            continue
        base = sw.v("arith.muli", [k, size], I64)
        if isinstance(tape.type, ListType):
            sw.b.op("list.resize", [tape, sw.v("arith.addi", [base, size], I64)])
        copy_flat(sw, arr, tape, base, dims, True)


def work_arrays(sw, op: Operation) -> dict[int, Value]:
    """Per rebound array, the array a replay runs on (allocated once, before the reverse
    loop, shaped like the loop's initial array)."""
    _, _, carried, _ = _blocks(op)
    return {j: sw.v("array.alloc", sw.env[(op, "snap", j)][2], carried[j].type) for j in snapshots(op)}


def restore_snapshot(sw, op: Operation, j: int, k: Value, work: Value) -> None:
    """work = the contents of rebound array j at the entry of iteration k."""
    tape, size, dims = sw.env[(op, "snap", j)]
    if tape is not None:
        copy_flat(sw, work, tape, sw.v("arith.muli", [k, size], I64), dims, False)


def next_shadow(sw, op: Operation, j: int, carried_shadow: dict[int, Value], work: Value) -> Value:
    """The shadow of rebound array j during a replayed iteration that passed it on: the
    carried one when the body passes the array itself to the next iteration (`u, v = v,
    u`), a fresh zero array when it passed on something else (`u = f(u)`)."""
    _, yblk, _, yargs = _blocks(op)
    pos = [i for i, v in enumerate(yblk.terminator.operands) if v is yargs[j]]
    if pos and pos[0] in carried_shadow:
        return carried_shadow[pos[0]]
    return sw.zeros_like(work)


def pass_shadows(sw, op: Operation, carried_shadow: dict[int, Value]) -> None:
    """The adjoint reaching an array the body made and passed on (a new array, a call's
    result, an outer array) is added into that array's shadow before the body reverses."""
    _, yblk, _, yargs = _blocks(op)
    for i, s in carried_shadow.items():
        v = yblk.terminator.operands[i]
        if v in yargs:
            continue
        target = sw.shadow(v) or sw.shadow(sw.act.root(v))
        if target is not None:
            add_into(sw, target, s)


def add_to_inits(sw, op: Operation, shadowed: list[int], grads: list[Value]) -> None:
    """After the reverse loop: the shadows reached at the first iteration go into the
    shadows of the loop's initial arrays."""
    nargs = 3 if op.name == "scf.for" else 0
    for j, g in zip(shadowed, grads):
        init = op.operands[nargs + j]
        target = sw.shadow(init) or sw.shadow(sw.act.root(init))
        if target is not None:
            add_into(sw, target, g)


def flat_size(sw, dims: list[Value]) -> Value:
    """The number of elements of an array with these dims."""
    n = sw.i64(1)
    for d in dims:
        n = sw.v("arith.muli", [n, d], I64)
    return n


def copy_flat(sw, arr: Value, tape: Value, base: Value, dims: list[Value], to_tape: bool) -> None:
    """tape[base + flat(idx)] = arr[idx] (or back, `to_tape` False) over all of `dims`,
    row-major, as plain loops with a unit-stride innermost index, so LLVM vectorizes
    them (a memcpy in effect). The tape is a flat array or a list."""
    dt = arr.type.dtype  # type: ignore[union-attr]
    is_list = isinstance(tape.type, ListType)
    c0, c1 = sw.i64(0), sw.i64(1)

    def nest(k: int, idx: list[Value], lin: Value) -> None:
        if k == len(dims):
            off = sw.v("arith.addi", [base, lin], I64)
            if to_tape:
                x = sw.v("array.load", [arr] + idx, dt)
                sw.b.op("list.set" if is_list else "array.store", [x, tape, off])
            else:
                x = sw.v("list.get" if is_list else "array.load", [tape, off], dt)
                sw.b.op("array.store", [x, arr] + idx)
            return
        body = Block([I64])
        loop = Operation("scf.for", [c0, dims[k], c1], [], regions=[Region([body])])
        sw.b.block.append(loop)
        with sw.into(body):
            i = body.args[0]
            nxt = i if k == 0 else sw.v("arith.addi", [sw.v("arith.muli", [lin, dims[k]], I64), i], I64)
            nest(k + 1, idx + [i], nxt)
            sw.b.op("scf.yield")
    nest(0, [], c0)
