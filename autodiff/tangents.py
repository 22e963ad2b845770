"""Which IR types carry a derivative, and the type of that derivative.

Shared by forward mode (a tangent travels beside each differentiable value) and reverse
mode (a cotangent, the adjoint, accumulates for each). Ints, bools, strs and containers of
run-time size carry none: indices and counts are not differentiable.
"""
from __future__ import annotations

from ember.ir.types import ArrayType, NONE, RecordType, ScalarType, TupleType, Type


def tangent_type(t: Type) -> Type | None:
    """The type of the derivative of a value of type `t`, or None when it has none.

    A float or complex scalar is its own tangent type; an array of them has a
    C-contiguous array of the same dtype and rank (the shadow array); a tuple or record
    has a tuple or record of its elements' tangents, with `none` where an element has
    no derivative (so the structure, and the indices into it, stay the same)."""
    if isinstance(t, ScalarType):
        return t if t.kind in "fc" else None
    if isinstance(t, ArrayType):
        return ArrayType(t.dtype, t.ndim, "C") if t.dtype.kind in "fc" else None
    if isinstance(t, TupleType):
        parts = [tangent_type(e) for e in t.elements]
        if all(p is None for p in parts):
            return None
        return TupleType(tuple(NONE if p is None else p for p in parts))
    if isinstance(t, RecordType):
        parts = [tangent_type(e) for e in t.types]
        if all(p is None for p in parts):
            return None
        return RecordType(t.keys, tuple(NONE if p is None else p for p in parts))
    return None


def is_differentiable(t: Type) -> bool:
    return tangent_type(t) is not None
