"""Typing `scf.try` / `scf.try_state` (frontend/trys.py): called by propagate.py and
rebuild.py, which keep a stack of the try bodies being walked.

The handlers' state arguments take the unified type of every value the body records
for them with `scf.try_state` (BOTTOM, the identity, for `py.undef`); the op's results
unify what the body and every handler yield, like `scf.if`. In the rebuilt IR each
recorded value is cast to its slot's type (an unassigned one becomes a zero).
"""
from __future__ import annotations

from ember.ir.core import Block, Operation, Region, Value
from ember.ir.types import BOTTOM, Type


# ---- step 1: propagation -----------------------------------------------------------
def propagate_try(prop, op: Operation) -> None:
    stack: list[list] = prop.__dict__.setdefault("try_stack", [])
    handlers = op.regions[1:]
    nstate = len(handlers[0].block.args) if handlers else 0
    level: list = [[BOTTOM, None] for _ in range(nstate)]  # [type, first value of it]
    stack.append(level)
    try:
        prop.block(op.regions[0].block)
    finally:
        stack.pop()
    for h in handlers:
        for a, (t, _) in zip(h.block.args, level):
            prop.types[a] = t
        prop.block(h.block)
    terms = [r.block.terminator for r in op.regions]
    for i, r in enumerate(op.results):
        vals = [t.operands[i] for t in terms]  # type: ignore[union-attr]
        acc, first = prop.type_of(vals[0]), vals[0]
        for v in vals[1:]:
            acc = prop.merge(op, [r.name, first.name, v.name], acc, first, prop.type_of(v), v)
        prop.types[r] = acc


def propagate_state(prop, op: Operation) -> None:
    stack = prop.__dict__.get("try_stack") or []
    level = stack[-1 - int(op.attributes["depth"])]
    for slot, v in zip(level, op.operands):
        t = prop.type_of(v)
        if t == BOTTOM:
            continue
        slot[0] = prop.merge(op, [v.name], slot[0], slot[1], t, v)
        if slot[1] is None:
            slot[1] = v


# ---- step 2: rebuild ---------------------------------------------------------------
def rebuild_try(rb, em, op: Operation) -> None:
    stack: list[list[Type]] = rb.__dict__.setdefault("try_stack", [])
    handlers = op.regions[1:]
    state = [rb.final(rb.types[a]) for a in handlers[0].block.args] if handlers else []
    types = [rb.final(rb.types[r]) for r in op.results]
    body = Block()
    stack.append(state)
    try:
        rb.body(op.regions[0].block, body, rb.yield_to(types))
    finally:
        stack.pop()
    regions = [Region([body])]
    for h in handlers:
        block = rb.new_block(h.block, state)
        rb.body(h.block, block, rb.yield_to(types))
        regions.append(Region([block]))
    new = em.b.op("scf.try", [], types, dict(op.attributes), regions=regions,
                  names=[r.name for r in op.results])
    rb.rebind(op, new)


def rebuild_state(rb, em, op: Operation) -> None:
    stack = rb.__dict__.get("try_stack") or []
    state = stack[-1 - int(op.attributes["depth"])]
    vals: list[Value] = [rb.merged(em, v, t) for v, t in zip(op.operands, state)]
    em.b.op("scf.try_state", vals, [], dict(op.attributes))
