"""Use-def helpers shared by the passes: use maps, operand substitution, op erasure.

Structured SSA makes program order a dominance order: every use of a value comes
after its definition in a pre-order walk. Passes that replace values therefore
record replacements in a `Substitution` and rewrite each op's operands when the
walk reaches it, instead of searching for uses per replaced op. `UseMap` is
built once per pass run for passes that need to ask "who uses this value".
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from ember.ir.core import Block, FuncOp, Operation, Region, Value


def walk_func(func: FuncOp) -> Iterator[Operation]:
    """Every op of `func` in program order (pre-order)."""
    return func.walk()


def enclosing_func(value: Value) -> FuncOp | None:
    """The function whose body (transitively) defines `value`."""
    node: object = getattr(value, "op", None)
    block = getattr(value, "block", None)
    if node is not None:
        block = node.parent  # type: ignore[union-attr]
    while block is not None:
        region: Region | None = block.parent
        if region is None:
            return None
        owner = region.parent
        if isinstance(owner, FuncOp):
            return owner
        if owner is None:
            return None
        block = owner.parent
    return None


def replace_all_uses(old: Value, new: Value, func: FuncOp | None = None) -> int:
    """Make every operand that is `old` be `new` in `func` (found from `old` if not
    given); returns the number of operands rewritten. Walks the whole function:
    for many replacements use `Substitution` or `UseMap` instead."""
    func = func if func is not None else enclosing_func(old)
    if func is None:
        raise ValueError(f"{old!r} is not inside a function")
    n = 0
    for op in func.walk():
        ops = op.operands
        for i, v in enumerate(ops):
            if v is old:
                ops[i] = new
                n += 1
    return n


class Substitution:
    """Pending value replacements, applied to operands as a program-order walk meets them."""

    __slots__ = ("map",)

    def __init__(self) -> None:
        self.map: dict[Value, Value] = {}

    def __bool__(self) -> bool:
        return bool(self.map)

    def add(self, old: Value, new: Value) -> None:
        if old is not new:
            self.map[old] = new

    def resolve(self, v: Value) -> Value:
        m = self.map
        while v in m:
            v = m[v]
        return v

    def apply(self, op: Operation) -> None:
        """Rewrite the operands of `op` (not of its nested ops)."""
        if not self.map:
            return
        ops = op.operands
        for i, v in enumerate(ops):
            if v in self.map:
                ops[i] = self.resolve(v)


class UseMap:
    """value -> list of ops using it (one entry per operand occurrence)."""

    def __init__(self, func: FuncOp) -> None:
        self.users: dict[Value, list[Operation]] = defaultdict(list)
        for op in func.walk():
            for v in op.operands:
                self.users[v].append(op)

    def count(self, v: Value) -> int:
        users = self.users.get(v)
        return len(users) if users else 0

    def uses(self, v: Value) -> list[Operation]:
        return self.users.get(v, [])

    def drop_use(self, v: Value, op: Operation) -> None:
        """Forget one use of `v` by `op` (after removing it from op's operands)."""
        users = self.users.get(v)
        if users:
            users.remove(op)

    def replace(self, old: Value, new: Value) -> None:
        """Rewrite every use of `old` into a use of `new`."""
        users = self.users.pop(old, None)
        if not users:
            return
        for op in set(users):
            ops = op.operands
            for i, v in enumerate(ops):
                if v is old:
                    ops[i] = new
        self.users[new].extend(users)

    def forget_op(self, op: Operation) -> None:
        """Drop the uses made by `op` and everything nested in it (it is being erased)."""
        for inner in op.walk():
            for v in inner.operands:
                self.drop_use(v, inner)

    def add_op(self, op: Operation) -> None:
        """Record the uses made by `op` and everything nested in it (it was just built or
        rebuilt: `forget_op` before changing an op's operands or regions, `add_op` after,
        keeps the map exact)."""
        for inner in op.walk():
            for v in inner.operands:
                self.users[v].append(inner)


def erase_op(op: Operation) -> None:
    """Detach `op` from its block."""
    block = op.parent
    if block is not None:
        block.ops.remove(op)
        op.parent = None


def count_ops(func: FuncOp) -> int:
    """Number of ops in `func`, nested ones included."""
    return sum(1 for _ in func.walk())


def block_ops_recursive(block: Block) -> Iterator[Operation]:
    for op in block.ops:
        yield from op.walk()
