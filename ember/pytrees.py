"""Tuples and dicts of derivatives ("pytrees" in JAX's words), in Python and in IR.

A derivative has the structure of its primal: the gradient with respect to a tuple is a
tuple, with respect to a dict a dict with the same keys (`autodiff.tangent_type`). Its
leaves are the differentiable scalars and arrays; ints, bools and strs are holes (`none`
in the IR tangent type, `None` for the user).

A hole is the value `none.make` in the IR (an empty struct natively, boxed to None),
so derivatives with holes are returned as they are. Tangents and cotangents given by the
user cross the boundary as one argument per differentiable leaf, in `diff_paths` order
(whatever the user gave at a hole is ignored, so None or 0 both do): `py_leaves` takes
them apart in Python, `ir_build` puts the structure back in IR; `ir_leaves` and
`py_unflatten` do the reverse for vjp's gradients.
"""
from __future__ import annotations

import functools
from typing import Any, Iterator

import numpy as np

from ember.autodiff.tangents import tangent_type
from ember.ir.builder import Builder
from ember.ir.core import Value
from ember.ir.types import C64, C128, F32, F64, NONE, ArrayType, NoneType, RecordType, ScalarType, TupleType, Type

Path = tuple[Any, ...]  # tuple indices (int) and record keys (str), outermost first


@functools.lru_cache(maxsize=1024)
def diff_paths(t: Type) -> tuple[Path, ...]:
    """The paths to the differentiable leaves of a value of type `t`, depth first
    (cached: every call of jvp / vjp walks them)."""
    return tuple(_paths(t, ()))


def _paths(t: Type, prefix: Path) -> list[Path]:
    if isinstance(t, TupleType):
        return [p for i, e in enumerate(t.elements) for p in _paths(e, prefix + (i,))]
    if isinstance(t, RecordType):
        return [p for k, e in zip(t.keys, t.types) for p in _paths(e, prefix + (k,))]
    return [prefix] if tangent_type(t) is not None else []


def leaf_type(t: Type, path: Path) -> Type:
    for step in path:
        t = t.elements[step] if isinstance(t, TupleType) else t.types[t.keys.index(step)]
    return t


# --- IR side ---------------------------------------------------------------------------

def ir_leaves(b: Builder, value: Value, t: Type) -> list[Value]:
    """The differentiable leaves of `value` (of type `t`), read with tuple.get / record.get."""
    out: list[Value] = []
    for path in diff_paths(t):
        v, vt = value, t
        for step in path:
            if isinstance(vt, TupleType):
                vt = vt.elements[step]
                v = b.value("tuple.get", [v], vt, {"index": step})
            else:
                vt = vt.types[vt.keys.index(step)]
                v = b.value("record.get", [v], vt, {"key": step})
        out.append(v)
    return out


def ir_build(b: Builder, t: Type, leaves: Iterator[Value]) -> Value:
    """A value of tangent type `t` made from `leaves` (consumed in `diff_paths` order);
    a hole (`none`) is `none.make`."""
    if isinstance(t, TupleType):
        parts = [ir_build(b, e, leaves) for e in t.elements]
        return b.value("tuple.make", parts, t)
    if isinstance(t, RecordType):
        parts = [ir_build(b, e, leaves) for e in t.types]
        return b.value("record.make", parts, t, {"keys": ",".join(t.keys)})
    if isinstance(t, NoneType):  # a hole: the none value, no leaf consumed
        return b.value("none.make", [], t)
    return next(leaves)


def ir_zero_or_one(b: Builder, t: Type, one: bool) -> Value:
    """A float or complex scalar constant 1 or 0 of type `t`."""
    assert isinstance(t, ScalarType)
    if t.kind == "c":
        part = F64 if t.bits == 128 else F32
        z = b.constant(1.0 if one else 0.0, part)
        return b.value("complex.make", [z, b.constant(0.0, part)], t)
    return b.constant(1.0 if one else 0.0, t)


# --- Python side -----------------------------------------------------------------------

_SCALAR = {F64: float, C128: complex, F32: np.float32, C64: np.complex64}


def _leaf_value(v: Any, primal_t: Type, name: str) -> Any:
    """A user's tangent (or cotangent) leaf as the exact object the native wrapper takes for
    the tangent type of `primal_t`: a float for f64, a C-contiguous array of the primal's
    dtype for an array."""
    tt = tangent_type(primal_t)
    if isinstance(tt, ArrayType):
        arr = np.ascontiguousarray(v, dtype=tt.dtype.kind + str(tt.dtype.bits // 8))
        if arr.ndim != tt.ndim:
            raise ValueError(f"{name}: expected an array of {tt.ndim} dimension(s), got shape "
                             f"{arr.shape}")
        return arr
    convert = _SCALAR.get(tt)  # type: ignore[arg-type]
    if convert is None:  # pragma: no cover - tangent types are float/complex scalars or arrays
        raise TypeError(f"{name}: no derivative value for type {primal_t}")
    if isinstance(v, np.ndarray) and v.shape != ():
        raise ValueError(f"{name}: expected a scalar, got an array of shape {v.shape}")
    if isinstance(v, complex) and tt.kind == "f":
        raise TypeError(f"{name}: expected a real number, got {v!r}")
    return convert(v)


def py_leaves(value: Any, t: Type, name: str) -> list[Any]:
    """The leaves of a user's tangent / cotangent `value` shaped like a primal of type `t`,
    in `diff_paths` order (holes are skipped: whatever the user gave there is ignored)."""
    if not isinstance(t, (TupleType, RecordType)):  # the common case: one leaf, no walk
        return [_leaf_value(value, t, name)] if diff_paths(t) else []
    out: list[Any] = []
    for path in diff_paths(t):
        v = value
        where = name
        for step in path:
            where += f"[{step!r}]"
            try:
                v = v[step]
            except (KeyError, IndexError, TypeError):
                raise TypeError(f"{name} does not have the structure of the primal "
                                f"({t}): no element {where}") from None
        out.append(_leaf_value(v, leaf_type(t, path), where))
    return out


def py_unflatten(tangent_t: Type | None, leaves: Iterator[Any]) -> Any:
    """The user's value of tangent type `tangent_t` from `leaves` (consumed in order):
    tuples as tuples, records as dicts, `None` for a hole."""
    if tangent_t is None or isinstance(tangent_t, NoneType):
        return None
    if isinstance(tangent_t, TupleType):
        return tuple(py_unflatten(e, leaves) for e in tangent_t.elements)
    if isinstance(tangent_t, RecordType):
        return {k: py_unflatten(e, leaves) for k, e in zip(tangent_t.keys, tangent_t.types)}
    return next(leaves)


def zeros_like_leaf(value: Any, t: Type) -> Any:
    """A zero tangent leaf for a primal leaf `value` of type `t` (exact native type)."""
    tt = tangent_type(t)
    if isinstance(tt, ArrayType):
        return np.zeros(np.shape(value), dtype=tt.dtype.kind + str(tt.dtype.bits // 8))
    return _SCALAR[tt](0)  # type: ignore[index]


__all__ = ["diff_paths", "leaf_type", "ir_leaves", "ir_build", "ir_zero_or_one",
           "py_leaves", "py_unflatten", "zeros_like_leaf", "NONE"]
