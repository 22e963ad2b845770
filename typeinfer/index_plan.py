"""What an array subscript means, decided from the index types alone: one entry per index
element (int, slice, new axis, or the axes an Ellipsis stands for), NumPy's static
IndexErrors, and the layout of the view it gives.

Shared by `py.getitem` and `py.setitem` (indexing.py), in both inference and lowering, so
the two always agree.
"""
from __future__ import annotations

from dataclasses import dataclass

from ember.ir.core import Operation, Value
from ember.ir.types import NONE, ArrayType, ScalarType, TupleType, Type

from .rules import fail
from .static import EllipsisType, NotConstant, SliceType, StaticIndexError, const_value


@dataclass(frozen=True)
class Entry:
    """kind: 'i' int, 's' slice, 'w' a whole axis (from `...`), 'n' new axis.
    pos: operand position; elem: element of a tuple-typed index (or None).
    step_sign: a slice's step sign when known at compile time (absent: 1); full: `:`."""

    kind: str
    pos: int
    elem: int | None = None
    step_sign: int | None = None
    step_one: bool = False
    full: bool = False


@dataclass(frozen=True)
class Plan:
    entries: tuple[Entry, ...]
    is_load: bool           # every axis indexed by an int, no `...`/None: one element
    result: Type            # the element type, or the view's array type


def _slice_info(v: Value, t: SliceType) -> tuple[int | None, bool, bool]:
    """(step sign or None, step is 1, slice is `:`) from the untyped py.slice op."""
    step_sign: int | None = 1
    step_one = True
    if t.step != NONE:
        sop = getattr(v, "op", None)
        try:
            s = const_value(sop.operands[2]) if sop is not None and sop.name == "py.slice" \
                else None
        except NotConstant:
            s = None
        if isinstance(s, int) and s != 0:
            step_sign, step_one = (1 if s > 0 else -1), s == 1
        else:
            step_sign, step_one = None, False
    full = t.start == NONE and t.stop == NONE and step_one
    return step_sign, step_one, full


def _bad_index(op: Operation, t: Type) -> None:
    if isinstance(t, ArrayType):
        kind = "Boolean-mask" if t.dtype.is_bool else "integer-array"
        raise fail(op, f"{kind} indexing is not supported yet")
    if isinstance(t, ScalarType) and t.is_bool:
        raise fail(op, "indexing an array with a bool is not supported yet")
    raise fail(op, f"only integers, slices (`:`), ellipsis (`...`) and None (numpy.newaxis) "
                   f"are valid array indices, got {t}")


def plan(op: Operation, t: ArrayType, index_ops: list[Value], index_types: list[Type]) -> Plan:
    raw: list[Entry] = []
    ellipses = 0
    for k, (v, it) in enumerate(zip(index_ops, index_types)):
        items = [(it, None)]
        if isinstance(it, TupleType):
            items = [(e, j) for j, e in enumerate(it.elements)]
        for et, j in items:
            if (isinstance(et, ScalarType) and et.is_int) or (
                    isinstance(et, ArrayType) and et.ndim == 0 and et.dtype.is_int):
                raw.append(Entry("i", k, j))  # a 0-d integer array is an integer (NumPy)
            elif isinstance(et, SliceType) and j is None:
                sign, one, full = _slice_info(v, et)
                raw.append(Entry("s", k, None, sign, one, full))
            elif et == NONE:
                raw.append(Entry("n", k, j))
            elif isinstance(et, EllipsisType):
                ellipses += 1
                raw.append(Entry("e", k, j))
            else:
                _bad_index(op, et)
    if ellipses > 1:
        raise StaticIndexError("an index can only have a single ellipsis ('...')", op.loc)
    used = sum(1 for e in raw if e.kind in "is")
    if used > t.ndim:
        raise StaticIndexError(
            f"too many indices for array: array is {t.ndim}-dimensional, but {used} were "
            "indexed", op.loc)
    entries: list[Entry] = []
    for e in raw:
        if e.kind == "e":
            entries.extend(Entry("w", e.pos, e.elem) for _ in range(t.ndim - used))
        else:
            entries.append(e)
    is_load = ellipses == 0 and all(e.kind == "i" for e in entries) and used == t.ndim
    if is_load:
        return Plan(tuple(entries), True, t.dtype)
    ndim = t.ndim - sum(1 for e in entries if e.kind == "i") + sum(
        1 for e in entries if e.kind == "n")
    axes = [e for e in entries if e.kind != "n"]
    axes += [Entry("w", -1)] * (t.ndim - len(axes))
    return Plan(tuple(entries), False, ArrayType(t.dtype, ndim, _layout(t, axes, ndim), t.readonly))


def _contiguous(axes: list[Entry]) -> bool:
    """A C array stays C when its leading axes are integer-indexed, then one axis is kept
    whole or sliced with step 1, and every later axis is whole."""
    k = 0
    while k < len(axes) and axes[k].kind == "i":
        k += 1
    if k == len(axes):
        return True
    a = axes[k]
    if not (a.kind == "w" or (a.kind == "s" and a.step_one)):
        return False
    return all(x.kind == "w" or (x.kind == "s" and x.full) for x in axes[k + 1:])


def _layout(t: ArrayType, axes: list[Entry], ndim: int) -> str:
    if t.layout == "C" and _contiguous(axes):
        return "C"
    if t.layout == "F" and _contiguous(list(reversed(axes))):
        return "C" if ndim <= 1 else "F"
    return "A"
