"""What the array lowering knows at compile time: extents, overlap, implied checks.

`static_dim(v, axis)` follows a value back through the ops that build it (views,
allocations, reshapes) to the value that holds one of its extents: the count of a
slice, the extent given to `array.alloc`, 1 for a `np.newaxis` axis. Two operands
whose extents are the same SSA value need no broadcast check and no broadcast
index, and an extent known to be 1 broadcasts without either: that is how
`x[:, None] + y[None, :]` and `a[1:] - a[:-1]`-style code lower to plain loops.

`may_overlap(a, b)` says whether two array values may share memory (the overlap rule of
`array.assign` in lower_arrays); `is_self_copy(op)` spots an assign of a view to itself.

`drop_known_asserts(func)` removes a `cf.assert` whose condition is an SSA value
already asserted on every path to it (an enclosing or earlier op of the same
structured scope), or the constant true: `h[k] += 1` checks its index once.
"""
from __future__ import annotations

from ember.ir.core import Block, BlockArgument, FuncOp, Operation, OpResult, Value
from ember.ir.opdefs import is_pure
from ember.ir.types import BOOL, ArrayType

__all__ = ["static_dim", "const_int", "drop_known_asserts", "cond_key", "may_overlap",
           "is_self_copy", "ONE"]

_FRESH = frozenset({"array.alloc", "array.map", "array.reduce"})

ONE = "one"  # static_dim's answer for an axis of extent 1 known at compile time


def const_int(v: Value) -> int | bool | None:
    """The value of an integer or bool `arith.constant`, else None."""
    if isinstance(v, OpResult) and v.op.name == "arith.constant":
        x = v.op.attributes.get("value")
        if isinstance(x, (int, bool)):
            return x
    return None


def static_dim(v: Value, axis: int,
               known: "dict[Value, list[Value]] | None" = None) -> "Value | str | None":
    """The value of extent `axis` of array `v`, ONE, or None (read it with array.dim).
    `known` maps arrays to their extents where the caller computed them (the lowering
    of an array.map records its broadcast shape)."""
    while isinstance(v, OpResult):
        if known and v in known:
            return _one_or(known[v][axis])
        op = v.op
        if op.name == "array.alloc":
            return _one_or(op.operands[axis])
        if op.name == "array.reshape":
            return _one_or(op.operands[1 + axis])
        if op.name == "array.transpose":
            t = op.operands[0].type
            assert isinstance(t, ArrayType)
            v, axis = op.operands[0], t.ndim - 1 - axis
            continue
        if op.name == "array.subview":
            found = _subview_axis(op, axis)
            if found is None:
                return None
            if isinstance(found, tuple):
                v, axis = found
                continue
            return found
        return None
    return None


def _one_or(x: Value) -> "Value | str":
    return ONE if const_int(x) == 1 else x


def _subview_axis(op: Operation, axis: int) -> "Value | str | tuple[Value, int] | None":
    kinds = op.attributes.get("kinds")
    if not isinstance(kinds, str):
        return None
    out = src = pos = 0
    rest = op.operands[1:]
    for kind in kinds:
        if kind == "i":
            pos += 1
            src += 1
            continue
        if out == axis:
            return ONE if kind == "n" else _one_or(rest[pos + 1])
        if kind == "s":
            pos += 3
            src += 1
        out += 1
    return (op.operands[0], src + axis - out)


def drop_known_asserts(func: FuncOp) -> bool:
    """Remove asserts implied by an earlier one on every path (see the module doc)."""
    return _scope(func.body.block, set(), {})


_TRUE, _FALSE = ("const", True), ("const", False)
_COMMUTATIVE = frozenset({"arith.andi", "arith.ori", "arith.xori", "arith.addi", "arith.muli"})
_REFLEXIVE = {"eq": True, "sle": True, "sge": True, "ule": True, "uge": True,
              "ne": False, "slt": False, "sgt": False, "ult": False, "ugt": False}


def cond_key(v: Value, memo: dict[Value, object]) -> object:
    """A key equal for two conditions that compute the same value: pure ops compared by
    structure (commutative operands unordered, extents through static_dim), with the
    few foldings the array checks need (x == x, true and x, ...)."""
    if v in memo:
        return memo[v]
    memo[v] = v  # a cycle guard; replaced below
    key = _key(v, memo)
    memo[v] = key
    return key


def _key(v: Value, memo: dict[Value, object]) -> object:
    c = const_int(v)
    if c is not None:
        return ("const", bool(c)) if v.type == BOOL else ("int", c)
    if not isinstance(v, OpResult) or not is_pure(v.op):
        return v
    op = v.op
    if op.name == "array.dim":
        s = static_dim(op.operands[0], int(op.attributes.get("axis", 0)))  # type: ignore[arg-type]
        if s is ONE:
            return ("int", 1)
        if s is not None:
            return cond_key(s, memo)  # type: ignore[arg-type]
    args = [cond_key(x, memo) for x in op.operands]
    if op.name == "arith.cmpi":
        pred = op.attributes.get("predicate")
        if args[0] == args[1] and pred in _REFLEXIVE:
            return ("const", _REFLEXIVE[pred])  # type: ignore[index]
        if pred in ("eq", "ne"):
            return (op.name, pred, frozenset(args))
    if op.name == "arith.andi" and v.type.is_bool:  # type: ignore[attr-defined]
        if _TRUE in args or args[0] == args[1]:
            return args[1] if args[0] == _TRUE else args[0]
    if op.name == "arith.ori" and v.type.is_bool:  # type: ignore[attr-defined]
        if _TRUE in args:
            return _TRUE
        if args[0] == args[1] or _FALSE in args:
            return args[1] if args[0] == _FALSE else args[0]
    try:
        attrs = tuple(sorted(op.attributes.items()))
        hash(attrs)
    except TypeError:
        return v
    ops_key = frozenset(args) if op.name in _COMMUTATIVE and len(args) == 2 and args[0] != args[1] \
        else tuple(args)
    return (op.name, attrs, ops_key, v.index)  # type: ignore[attr-defined]


def _scope(block: Block, known: set[object], memo: dict[Value, object]) -> bool:
    known = set(known)
    changed = False
    keep: list[Operation] = []
    for op in block.ops:
        if op.name == "cf.assert":
            key = cond_key(op.operands[0], memo)
            if key in known or key == _TRUE:
                op.parent = None
                changed = True
                continue
            known.add(key)
        for region in op.regions:
            for b in region.blocks:
                changed |= _scope(b, known, memo)
        keep.append(op)
    block.ops = keep
    return changed


# ---- overlap ---------------------------------------------------------------------------
def _root(v: Value) -> Value:
    while isinstance(v, OpResult) and v.op.name in ("array.subview", "array.transpose", "array.reshape"):
        v = v.op.operands[0]
    return v


def _is_fresh(v: Value) -> bool:
    return isinstance(v, OpResult) and v.op.name in _FRESH


def _is_func_arg(v: Value) -> bool:
    return isinstance(v, BlockArgument) and isinstance(v.block.parent.parent, FuncOp)  # type: ignore[union-attr]


def is_self_copy(op: Operation) -> bool:
    """An assign of the destination itself, element for element, unchanged."""
    dest, *elems = op.operands
    if len(elems) != 1 or elems[0] is not dest:
        return False
    blk = op.regions[0].block
    return len(blk.ops) == 1 and blk.ops[0].operands[0] is blk.args[0]


def may_overlap(a: Value, b: Value) -> bool:
    """May arrays `a` and `b` share memory? False only when provably not: their roots
    (through views) are different fresh allocations, or a fresh one and an argument."""
    ra, rb = _root(a), _root(b)
    if ra is rb:
        return True
    if _is_fresh(ra) and (_is_fresh(rb) or _is_func_arg(rb)):
        return False
    if _is_fresh(rb) and _is_func_arg(ra):
        return False
    return True
