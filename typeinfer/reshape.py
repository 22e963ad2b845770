"""Array methods and numpy functions that copy or re-shape: a.copy(), a.astype(dtype),
a.reshape(...) / np.reshape, ravel, flatten.

copy and astype go through `array_math.copy` (a new C array, NumPy's unsafe cast).
reshape/ravel/flatten build a new C array filled in row-major order: the IR has no
reshaped-view op yet, so unlike NumPy a reshape never shares memory with its source
(writes through it do not reach the source). A -1 extent is inferred; a size mismatch is
NumPy's ValueError at run time.
"""
from __future__ import annotations

from ember.ir.core import Value
from ember.ir.types import BOOL, I64, ArrayType, TupleType, Type

from . import array_emit as ae
from .emit import Emitter
from .lattice import is_int_like
from .npcalls import Call, method, npfunc
from .rules import fail


def _array(call: Call, name: str = "a") -> ArrayType:
    t = call.type(name)
    if not isinstance(t, ArrayType):
        raise fail(call.op, f"{call.fn}() needs an array, got {t}")
    if t.dtype.is_complex:
        raise fail(call.op, "complex arrays are not supported yet")
    return t


# ---- copy, astype -----------------------------------------------------------------
def infer_copy_method(call: Call) -> Type:
    t = _array(call)
    dtype = call.dtype() if call.fn == "astype" else t.dtype
    if dtype is None:
        raise fail(call.op, "astype() needs a dtype")
    if dtype.is_complex:
        raise fail(call.op, "complex arrays are not supported yet")
    return ArrayType(dtype, t.ndim, "C")


@method("copy", params=("a",), infer=infer_copy_method)
@method("astype", params=("a", "dtype"), required=2, infer=infer_copy_method)
def lower_copy_method(em: Emitter, call: Call) -> Value:
    t = infer_copy_method(call)
    from . import array_math  # the other half of the array rules, imported when used
    return array_math.copy(em, call.args["a"], t.dtype, call.op)


# ---- reshape ------------------------------------------------------------------------
def _shape_items(call: Call) -> list:
    """The new shape's items: types in inference, values in lowering."""
    if call.fn == "reshape" and call.rest:
        return [call.args["shape"]] + list(call.rest)
    return [call.args["shape"]]


def _ndim(call: Call, items: list) -> int:
    types = [x if isinstance(x, Type) else x.type for x in items]
    if len(types) == 1 and isinstance(types[0], TupleType):
        types = list(types[0].elements)
    for t in types:
        if not (is_int_like(t) and t != BOOL):
            raise fail(call.op, f"{call.fn}() shape must be ints or a tuple of ints, got {t}")
    return len(types)


def infer_reshape(call: Call) -> Type:
    t = _array(call)
    if call.fn in ("ravel", "flatten", "numpy.ravel"):
        return ArrayType(t.dtype, 1, "C")
    return ArrayType(t.dtype, _ndim(call, _shape_items(call)), "C")


def _new_extents(em: Emitter, call: Call, size: Value) -> list[Value]:
    items = _shape_items(call)
    if len(items) == 1 and isinstance(items[0].type, TupleType):
        v = items[0]
        given = [em.to_i64(em.op("tuple.get", [v], e, index=k))
                 for k, e in enumerate(v.type.elements)]
    else:
        given = [em.to_i64(x) for x in items]
    one, minus = ae.i64(em, 1), ae.i64(em, -1)
    known = one
    for d in given:
        known = ae.mul(em, known, em.select(em.cmpi("eq", d, minus), one, d))
    safe = em.select(em.cmpi("eq", known, ae.i64(em, 0)), one, known)
    inferred = em.op("arith.floordivsi", [size, safe], I64)
    dims = [em.select(em.cmpi("eq", d, minus), inferred, d) for d in given]
    total = one
    for d in dims:
        em.check(em.cmpi("sge", d, ae.i64(em, 0)), "ValueError",
                 "can only specify one unknown dimension")
        total = ae.mul(em, total, d)
    shape = "(" + ", ".join("{}" for _ in given) + ("," if len(given) == 1 else "") + ")"
    em.b.op("cf.assert", [em.cmpi("eq", total, size), size] + given, [],
            {"exc": "ValueError", "msg": f"cannot reshape array of size {{}} into shape {shape}"})
    return dims


def copy_into_shape(em: Emitter, a: Value, dims: list[Value]) -> Value:
    """A new C array of extents `dims` holding `a`'s elements in row-major order (the sizes
    are equal)."""
    src = ae.shape(em, a)
    out = ae.alloc(em, a.type.dtype, dims)

    def body(e: Emitter, idx: list[Value]) -> None:
        flat = ae.i64(e, 0)
        for i, n in zip(idx, src):
            flat = ae.add(e, ae.mul(e, flat, n), i)
        target: list[Value] = []
        rem = flat
        for d in reversed(dims[1:]):
            target.append(e.op("arith.floormodsi", [rem, d], I64))
            rem = e.op("arith.floordivsi", [rem, d], I64)
        target.append(rem)
        x = e.op("array.load", [a] + idx, a.type.dtype)
        e.b.op("array.store", [x, out] + list(reversed(target)), [])
    ae.for_nest(em, src, body)
    return out


@method("reshape", params=("a", "shape"), required=2, varargs=True, infer=infer_reshape)
@npfunc("reshape", infer=infer_reshape)
def lower_reshape(em: Emitter, call: Call) -> Value:
    infer_reshape(call)
    a = call.args["a"]
    return copy_into_shape(em, a, _new_extents(em, call, ae.size(em, a)))


@method("ravel", "flatten", params=("a",), infer=infer_reshape)
@npfunc("ravel", infer=infer_reshape)
def lower_ravel(em: Emitter, call: Call) -> Value:
    infer_reshape(call)
    a = call.args["a"]
    return copy_into_shape(em, a, [ae.size(em, a)])

