"""try / except (scf.try, scf.try_state, cf.reraise) -> basic blocks.

While an scf.try body is lowered, every point that would return a non-zero status (a
failing check, cf.raise, a call that failed: FuncLowering.exit_with) stores the status
in the try's slot and branches to its dispatch block instead. The dispatch block
switches on the status: each error-table entry whose exception class is a subclass of
a clause's class jumps to that clause's handler (first clause wins); any other status
goes on to the enclosing try or is returned. The cases are added once every function
is lowered (ModuleLowering.finalizers), when the table is complete: a callee lowered
later may add entries its caller catches.

The handlers' state lives in stack slots (promoted to registers by LLVM): scf.try_state
stores into them and each handler loads them as its block arguments. cf.reraise
re-exits with the status the innermost handler caught; the message arguments are still
in ember_rt_err_args, so the wrapper formats the original message.

What the body owns when it raises is released by the cleanup trys of
ir/passes/error_cleanup.py (a lone "BaseException" clause: no switch, straight to the handler).
"""
from __future__ import annotations

import builtins

from llvmlite import ir

from ember.ir.core import Operation

from .context import FuncLowering, LoweringError, TryContext
from .llvm_types import I32
from .registry import lowers


def _catches(entry_exc: str, clause: str) -> bool:
    cls = getattr(builtins, entry_exc, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        return False
    for name in clause.split(","):
        want = getattr(builtins, name, None)
        if isinstance(want, type) and issubclass(cls, want):
            return True
    return False


@lowers("scf.try")
def _try(fl: FuncLowering, op: Operation) -> None:
    b = fl.builder
    clauses = str(op.attributes["catch"]).split("|")
    handlers = op.regions[1:]
    if len(clauses) != len(handlers):
        raise LoweringError("scf.try: one catch clause per handler region expected")
    state_types = [a.type for a in handlers[0].block.args] if handlers else []
    slots = [fl.alloca(fl.ltype(t), name="try.state") for t in state_types]
    status_slot = fl.alloca(I32, name="try.status")
    dispatch, merge = fl.new_block("try.dispatch"), fl.new_block("try.end")
    fl.try_stack.append(TryContext(dispatch, status_slot, slots))
    try:
        vals = fl.lower_block(op.regions[0].block, [])
    finally:
        fl.try_stack.pop()
    arms = [(vals, b.block)]
    b.branch(merge)
    # Dispatch: statuses that no clause catches propagate outwards; a lone catch-all
    # clause (the cleanups of ir/passes/error_cleanup.py) needs no switch.
    b.position_at_end(dispatch)
    catch_all = clauses == ["BaseException"]
    if not catch_all:
        status = b.load(status_slot, typ=I32)
        unmatched = fl.new_block("try.unmatched")
        switch = b.switch(status, unmatched)
        b.position_at_end(unmatched)
        fl.exit_with(b, status)
    targets = []
    for region in handlers:
        bb = fl.new_block("except")
        targets.append(bb)
        b.position_at_end(bb)
        args = [b.load(s, typ=fl.ltype(t)) for s, t in zip(slots, state_types)]
        fl.handler_stack.append(status_slot)
        try:
            vals = fl.lower_block(region.block, args)
        finally:
            fl.handler_stack.pop()
        arms.append((vals, b.block))
        b.branch(merge)
    if catch_all:
        ir.IRBuilder(dispatch).branch(targets[0])
        b.position_at_end(merge)
        _merge(fl, op, arms)
        return

    def add_cases() -> None:
        for k, (exc, _) in enumerate(fl.mod.errors.entries):
            for clause, bb in zip(clauses, targets):
                if _catches(exc, clause):
                    switch.add_case(ir.Constant(I32, k + 1), bb)
                    break
    fl.mod.finalizers.append(add_cases)
    b.position_at_end(merge)
    _merge(fl, op, arms)


def _merge(fl: FuncLowering, op: Operation, arms: list) -> None:
    """The try's results: a phi of what the body and each handler yielded."""
    b = fl.builder
    for i, r in enumerate(op.results):
        phi = b.phi(fl.ltype(r.type), name=r.name or "")
        for vals, blk in arms:
            phi.add_incoming(vals[i], blk)
        fl.set(r, phi)


@lowers("scf.try_state")
def _state(fl: FuncLowering, op: Operation) -> None:
    depth = int(op.attributes["depth"])
    if depth >= len(fl.try_stack):
        raise LoweringError("scf.try_state outside the body of a matching scf.try")
    ctx = fl.try_stack[-1 - depth]
    for v, slot in zip(op.operands, ctx.state_slots):
        fl.builder.store(fl.get(v), slot)


@lowers("cf.poison")
def _poison(fl: FuncLowering, op: Operation) -> None:
    r = op.results[0]
    fl.set(r, ir.Constant(fl.ltype(r.type), ir.Undefined))


@lowers("cf.reraise")
def _reraise(fl: FuncLowering, op: Operation) -> None:
    if not fl.handler_stack:
        raise LoweringError("cf.reraise outside an scf.try handler")
    b = fl.builder
    status = b.load(fl.handler_stack[-1], typ=I32)
    fl.exit_with(b, status)
    b.position_at_end(fl.new_block("after.reraise"))
