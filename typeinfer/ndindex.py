"""`for idx in np.ndindex(shape)`: the two untyped ops the frontend emits for it.

The frontend turns the loop into `for k in range(py.ndindex_size(shape)):
idx = py.ndindex_get(shape, k)`, so break / continue / return reuse its ordinary loop
lowering; the number of dimensions is the length of the shape tuple (an int is a 1-d
shape), known here at compile time. `py.ndindex_size` checks the extents (NumPy's
"negative dimensions are not allowed") and gives their product; `py.ndindex_get` gives the
k-th index tuple in row-major order (i64 elements, as NumPy's Python ints).
"""
from __future__ import annotations

from ember.ir.core import Operation, Value
from ember.ir.types import BOOL, I64, TupleType, Type

from . import array_emit as ae
from .emit import Emitter
from .lattice import is_int_like
from .rules import fail, rule


def _ndim(op: Operation, t: Type) -> int:
    if is_int_like(t) and t != BOOL:
        return 1
    if isinstance(t, TupleType) and all(is_int_like(e) and e != BOOL for e in t.elements):
        return len(t.elements)
    raise fail(op, f"numpy.ndindex() needs ints or a tuple of ints, got {t}")


def _extents(em: Emitter, v: Value) -> list[Value]:
    t = v.type
    if isinstance(t, TupleType):
        return [em.to_i64(em.op("tuple.get", [v], e, index=k)) for k, e in enumerate(t.elements)]
    return [em.to_i64(v)]


def infer_size(op: Operation, types: list[Type]) -> list[Type]:
    _ndim(op, types[0])
    return [I64]


@rule("py.ndindex_size", infer=infer_size)
def lower_size(em: Emitter, op: Operation, vals: list) -> list:
    ext = _extents(em, vals[0])
    ae.check_extents(em, ext)
    n = ae.i64(em, 1)
    for e in ext:
        n = ae.mul(em, n, e)
    return [n]


def infer_get(op: Operation, types: list[Type]) -> list[Type]:
    n = _ndim(op, types[0])
    if not (is_int_like(types[1]) and types[1] != BOOL):
        raise fail(op, f"py.ndindex_get needs an int position, got {types[1]}")
    return [TupleType((I64,) * n)]


@rule("py.ndindex_get", infer=infer_get)
def lower_get(em: Emitter, op: Operation, vals: list) -> list:
    ext = _extents(em, vals[0])
    rem = em.to_i64(vals[1])
    idx: list[Value] = []
    # k < product of the extents, so every extent after the first is > 0 here
    for d in reversed(ext[1:]):
        idx.append(em.op("arith.floormodsi", [rem, d], I64))
        rem = em.op("arith.floordivsi", [rem, d], I64)
    if ext:
        idx.append(rem)
    idx.reverse()
    return [em.op("tuple.make", idx, TupleType((I64,) * len(idx)))]
