"""Python values that become compile-time constants: numbers, bools, numpy scalars, tuples."""
from __future__ import annotations

from typing import Any

import numpy as np

from ember.ir.types import BOOL, F64, I64, ScalarType, Type

I64_MIN, I64_MAX = -(2 ** 63), 2 ** 63 - 1


def scalar_constant(value: Any) -> tuple[int | float | bool, Type] | None:
    """(Python value, IR type) of a scalar constant, or None if `value` is not one.
    Raises OverflowError for an int outside int64."""
    if isinstance(value, bool):
        return value, BOOL
    if isinstance(value, int):
        if not I64_MIN <= value <= I64_MAX:
            raise OverflowError(f"integer constant {value} does not fit in int64")
        return value, I64
    if isinstance(value, float):
        return value, F64
    if isinstance(value, np.generic):
        dt = value.dtype
        if dt.kind == "b":
            return bool(value), BOOL
        if dt.kind in "iu":
            return int(value), ScalarType(dt.kind, dt.itemsize * 8)
        if dt.kind == "f" and dt.itemsize in (4, 8):
            return float(value), ScalarType("f", dt.itemsize * 8)
    return None


def is_constant_tree(value: Any) -> bool:
    """A scalar constant or a (nested) tuple of them."""
    if isinstance(value, tuple):
        return all(is_constant_tree(v) for v in value)
    if isinstance(value, (complex, np.complexfloating)):
        return True  # built as complex.make of two float constants (expressions.py)
    try:
        return scalar_constant(value) is not None
    except OverflowError:
        return True  # reported when the constant is built
