"""To-be-recorded cleanup: drop the tapes that the reverse sweep never reads.

The emitter tapes every carried value of a loop it will reverse (and the load-tape
cursors) without knowing yet whether a replay needs them: `s += f(x[i])` replays nothing
from `s`. Once the derived function is built, dead replay code is removed (DCE) and a tape
whose only remaining uses write into it (or read it into nothing) is deleted with those
writes, so the derived code keeps only what its adjoint reads."""
from __future__ import annotations

from ember.ir.core import FuncOp, Operation, Value
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
