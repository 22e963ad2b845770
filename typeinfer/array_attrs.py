"""Array attributes (`py.getattr`: shape ndim size dtype T real imag) and `len()`.

`a.shape` is a tuple of i64 extents (array.dim), `a.dtype` a compile-time DTypeLiteral,
`a.T` array.transpose (C <-> F), `a.real` of a real array the array itself, `a.imag` a
new array of zeros (NumPy gives a read-only view of zeros; writes to it are lost either way). `len(a)` is
the first extent; `len()` of a 0-d array is NumPy's TypeError, found at compile time.
"""
from __future__ import annotations

from ember.ir.core import Operation, Value
from ember.ir.types import I64, ArrayType, TupleType, Type

from . import array_emit as ae
from .emit import Emitter
from .rules import fail, rule
from .static import DTypeLiteral, StaticTypeError, StaticValue

ATTRS = ("shape", "ndim", "size", "dtype", "T", "real", "imag")


def _transposed(t: ArrayType) -> ArrayType:
    layout = {"C": "F", "F": "C"}.get(t.layout, "A")
    if t.ndim <= 1:
        layout = t.layout  # reversing one axis changes nothing
    return ArrayType(t.dtype, t.ndim, layout, t.readonly)


def infer_getattr(op: Operation, types: list[Type]) -> list[Type]:
    (t,) = types
    name = op.attributes.get("name")
    who = f"'{op.operands[0].name}'" if op.operands[0].name else "a value"
    if not isinstance(t, ArrayType):
        raise fail(op, f"{who} of type {t} has no attribute '{name}' in compiled code")
    if name not in ATTRS:
        raise fail(op, f"array attribute '{name}' is not supported by ember (supported: "
                       f"{', '.join(ATTRS)})")
    if t.dtype.is_complex:
        if name in ("real", "imag"):
            raise fail(op, "complex arrays are not supported yet")
    if name == "shape":
        return [TupleType(tuple(I64 for _ in range(t.ndim)))]
    if name in ("ndim", "size"):
        return [I64]
    if name == "dtype":
        return [DTypeLiteral(t.dtype)]
    if name == "T":
        return [_transposed(t)]
    if name == "real":
        return [t]
    return [ArrayType(t.dtype, t.ndim, "C")]  # imag of a real array: a new array of zeros


@rule("py.getattr", infer=infer_getattr)
def lower_getattr(em: Emitter, op: Operation, vals: list[Value]) -> list:
    (a,) = vals
    rt = infer_getattr(op, [a.type])[0]
    name = op.attributes["name"]
    if name == "shape":
        return [ae.shape_tuple(em, a)]
    if name == "ndim":
        return [em.const(a.type.ndim, I64)]  # type: ignore[union-attr]
    if name == "size":
        return [ae.size(em, a)]
    if name == "dtype":
        return [StaticValue(rt)]
    if name == "T":
        if a.type.ndim <= 1:  # type: ignore[union-attr]
            return [a]
        return [em.op("array.transpose", [a], rt)]
    if name == "imag":
        from .creation import filled
        return [filled(em, a.type.dtype, ae.shape(em, a), em.const(0, a.type.dtype))]
    return [a]  # real of a real array


def infer_len(op: Operation, types: list[Type]) -> list[Type]:
    (t,) = types
    if isinstance(t, TupleType):
        return [I64]
    if not isinstance(t, ArrayType):
        raise fail(op, f"object of type {t} has no len()")
    if t.ndim == 0:
        raise StaticTypeError("len() of unsized object", op.loc)
    return [I64]


@rule("py.len", infer=infer_len)
def lower_len(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    (a,) = vals
    infer_len(op, [a.type])
    if isinstance(a.type, TupleType):
        return [em.const(len(a.type.elements), I64)]
    return [ae.dim(em, a, 0)]
