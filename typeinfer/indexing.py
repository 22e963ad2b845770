"""Subscripts: `py.getitem` / `py.setitem` on arrays (and getitem on tuples).

`a[i]`, `a[i, j]` with an int per axis is one `array.load` after normalizing negative
indices and (boundscheck on) NumPy's IndexError; anything else (fewer ints, slices,
None, `...`) is an `array.subview` view, `kinds` per entry (whole axes an Ellipsis
stands for are 0:n:1 slices). A store converts the value with NumPy's unsafe cast; a
store into a view goes through `array_math.assign` (broadcasting). Writing into a
read-only array is a TypingError.
"""
from __future__ import annotations

from ember.ir.core import Operation, Value
from ember.ir.types import ArrayType, ScalarType, TupleType, Type

from . import array_emit as ae
from . import fancy_indexing as fancy
from .emit import Emitter
from .index_plan import Plan, plan
from .rules import describe, fail, rule
from .static import NotConstant, const_value


# ---- tuples --------------------------------------------------------------------------
def _tuple_index(op: Operation, t: TupleType, types: list[Type]) -> int:
    if len(types) != 2:
        raise fail(op, "a tuple takes one index")
    try:
        i = const_value(op.operands[1])
    except NotConstant:
        raise fail(op, "a tuple index must be an integer known at compile time") from None
    if isinstance(i, bool) or not isinstance(i, int):
        raise fail(op, f"tuple indices must be integers, got {i!r}")
    n = len(t.elements)
    if not -n <= i < n:
        raise fail(op, f"tuple index {i} out of range for a tuple of length {n}")
    return i % n


# ---- getitem -------------------------------------------------------------------------
def _plan(op: Operation, types: list[Type], first: int) -> Plan:
    t = types[0]
    assert isinstance(t, ArrayType)
    return plan(op, t, list(op.operands[first:]), list(types[first:]))


def infer_getitem(op: Operation, types: list[Type]) -> list[Type]:
    t = types[0]
    if isinstance(t, TupleType):
        return [t.elements[_tuple_index(op, t, types)]]
    if not isinstance(t, ArrayType):
        raise fail(op, f"{describe(op, types[:1])} is not subscriptable")
    if fancy.has_array_index(types[1:]):
        return [fancy.infer_getitem(op, t, list(op.operands[1:]), types[1:])]
    return [_plan(op, types, 1).result]


def _element(em: Emitter, vals: list, pos: int, elem: int | None):
    v = vals[pos]
    if elem is not None:
        v = em.op("tuple.get", [v], v.type.elements[elem], index=elem)
    return fancy.scalar_index(em, v) if fancy.is_int0d(v.type) else v


def view(em: Emitter, op: Operation, a: Value, p: Plan, index_vals: list) -> Value:
    """The array.subview (or, for `p.is_load`, the in-range indices are returned by
    `load_indices`) a plan describes."""
    check = ae.boundscheck(op)
    kinds: list[str] = []
    operands: list[Value] = [a]
    axis = 0
    for e in p.entries:
        if e.kind == "n":
            kinds.append("n")
            continue
        n = ae.dim(em, a, axis)
        if e.kind == "i":
            i = _element(em, index_vals, e.pos, e.elem)
            operands.append(ae.checked_index(em, i, n, axis, check))
            kinds.append("i")
        elif e.kind == "w":
            operands += [ae.i64(em, 0), n, ae.i64(em, 1)]
            kinds.append("s")
        else:
            parts = index_vals[e.pos].parts
            operands += list(ae.slice_indices(em, parts, n, e.step_sign))
            kinds.append("s")
        axis += 1
    # trailing whole axes need no entry
    while kinds and kinds[-1] == "s" and _is_whole_tail(p, len(kinds) - 1):
        kinds.pop()
        del operands[-3:]
    return em.op("array.subview", operands, p.result, kinds="".join(kinds))


def _is_whole_tail(p: Plan, k: int) -> bool:
    e = p.entries[k]
    return e.kind == "w" or (e.kind == "s" and e.full)


def load_indices(em: Emitter, op: Operation, a: Value, p: Plan, index_vals: list) -> list[Value]:
    check = ae.boundscheck(op)
    out = []
    for axis, e in enumerate(p.entries):
        i = _element(em, index_vals, e.pos, e.elem)
        out.append(ae.checked_index(em, i, ae.dim(em, a, axis), axis, check))
    return out


@rule("py.getitem", infer=infer_getitem)
def lower_getitem(em: Emitter, op: Operation, vals: list) -> list:
    a = vals[0]
    if isinstance(a.type, TupleType):
        i = _tuple_index(op, a.type, [v.type for v in vals])
        return [em.op("tuple.get", [a], a.type.elements[i], index=i)]
    if fancy.has_array_index([v.type for v in vals[1:]]):
        return [fancy.lower_getitem(em, op, a, vals[1:])]
    p = _plan(op, [v.type for v in vals], 1)
    idx = vals[1:]
    if p.is_load:
        return [em.op("array.load", [a] + load_indices(em, op, a, p, idx), p.result)]
    return [view(em, op, a, p, idx)]


# ---- setitem -------------------------------------------------------------------------
def _writable(op: Operation, t: ArrayType) -> None:
    if t.readonly:
        name = op.operands[0].name
        raise fail(op, f"cannot write to a read-only array{f' {name!r}' if name else ''}")


def infer_setitem(op: Operation, types: list[Type]) -> list[Type]:
    t, vt = types[0], types[1]
    if not isinstance(t, ArrayType):
        raise fail(op, f"{describe(op, types[:1])} does not support item assignment")
    _writable(op, t)
    if fancy.has_array_index(types[2:]):
        if not isinstance(vt, (ScalarType, ArrayType)):
            raise fail(op, f"cannot assign a value of type {vt} to array elements")
        fancy.infer_setitem(op, t, vt, list(op.operands[2:]), types[2:])
        return []
    p = plan(op, t, list(op.operands[2:]), list(types[2:]))
    if not isinstance(vt, (ScalarType, ArrayType)):
        raise fail(op, f"cannot assign a value of type {vt} to array elements")
    if p.is_load and isinstance(vt, ArrayType):
        raise fail(op, "setting an array element with a sequence is not supported; "
                       "index with a slice (a[i:i+1] = ...) to assign an array")
    return []


@rule("py.setitem", infer=infer_setitem)
def lower_setitem(em: Emitter, op: Operation, vals: list) -> list:
    a, value = vals[0], vals[1]
    types = [v.type for v in vals]
    infer_setitem(op, types)
    if fancy.has_array_index(types[2:]):
        fancy.lower_setitem(em, op, a, value, vals[2:])
        return []
    p = plan(op, a.type, list(op.operands[2:]), types[2:])
    idx = vals[2:]
    if p.is_load:
        indices = load_indices(em, op, a, p, idx)
        em.b.op("array.store", [ae.numpy_cast(em, value, a.type.dtype), a] + indices, [])
        return []
    dest = view(em, op, a, p, idx)
    from . import array_math  # written beside this file; imported when first needed
    array_math.assign(em, dest, value, op)
    return []
