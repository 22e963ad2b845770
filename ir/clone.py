"""Deep copies of functions and modules: new Value objects, same names, types, attributes
and locations. Passes that transform a function while keeping the original (autodiff,
specialization) start from a clone."""
from __future__ import annotations

from .core import Block, FuncOp, Module, Operation, Region, Value

__all__ = ["clone_func", "clone_module", "clone_op"]


def clone_func(f: FuncOp) -> FuncOp:
    """A deep copy of `f` (a use of a value defined outside `f` keeps that value)."""
    new = FuncOp(f.name, f.arg_types, f.return_type, [a.name for a in f.args], f.loc,
                 dict(f.attributes))
    vmap: dict[Value, Value] = dict(zip(f.args, new.args))
    # A FuncOp body may in principle hold more than one block; copy any extra ones too.
    blocks = f.body.blocks
    if blocks:
        _copy_ops(blocks[0], new.body.block, vmap)
    for b in blocks[1:]:
        new.body.add_block(_clone_block(b, vmap))
    return new


def clone_module(m: Module) -> Module:
    return Module([clone_func(f) for f in m])


def clone_op(op: Operation, vmap: dict[Value, Value]) -> Operation:
    """A copy of `op` and its regions; operands are looked up in `vmap` (kept when absent),
    and `vmap` learns the new results and block arguments."""
    regions = [Region([_clone_block(b, vmap) for b in r.blocks]) for r in op.regions]
    new = Operation(op.name, [vmap.get(v, v) for v in op.operands],
                    [r.type for r in op.results], dict(op.attributes), regions, op.loc,
                    [r.name for r in op.results])
    vmap.update(zip(op.results, new.results))
    return new


def _clone_block(b: Block, vmap: dict[Value, Value]) -> Block:
    new = Block([a.type for a in b.args], [a.name for a in b.args])
    vmap.update(zip(b.args, new.args))
    _copy_ops(b, new, vmap)
    return new


def _copy_ops(src: Block, dst: Block, vmap: dict[Value, Value]) -> None:
    for op in src.ops:
        dst.append(clone_op(op, vmap))
