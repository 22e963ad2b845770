"""Array methods and numpy functions that copy or re-shape: a.copy(), a.astype(dtype),
a.reshape(...) / np.reshape, a.ravel() / np.ravel, a.flatten().

copy and astype go through `array_math.copy` (a new C array, NumPy's unsafe cast).
reshape and ravel of a C-contiguous array are `array.reshape` VIEWS sharing its memory
(writes through them reach the source), as NumPy gives; of an F or strided array they
build a new C array filled in row-major order (NumPy copies in most of those cases too;
it can still make a view of some strided arrays, ember never does). flatten always
copies. A -1 extent is inferred; a size mismatch is NumPy's ValueError at run time.
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
    return t


# ---- copy, astype -----------------------------------------------------------------
def infer_copy_method(call: Call) -> Type:
    t = _array(call)
    dtype = call.dtype() if call.fn == "astype" else t.dtype
    if dtype is None:
        raise fail(call.op, "astype() needs a dtype")
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


def _is_view(call: Call, t: ArrayType) -> bool:
    return t.layout == "C" and call.fn != "flatten"


def infer_reshape(call: Call) -> Type:
    t = call.type("a")
    if not isinstance(t, ArrayType):
        raise fail(call.op, f"{call.fn}() needs an array, got {t}")
    ndim = 1 if call.fn in ("ravel", "flatten", "numpy.ravel") \
        else _ndim(call, _shape_items(call))
    return ArrayType(t.dtype, ndim, "C", _is_view(call, t) and t.readonly)


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
    unknowns = ae.i64(em, 0)
    for d in given:
        unknowns = ae.add(em, unknowns, em.select(em.cmpi("eq", d, minus), one, ae.i64(em, 0)))
    em.check(em.cmpi("sle", unknowns, one), "ValueError", "can only specify one unknown dimension")
    total = one
    for d in dims:
        em.check(em.cmpi("sge", d, ae.i64(em, 0)), "ValueError",
                 "can only specify one unknown dimension")
        total = ae.mul(em, total, d)
    # NumPy cannot infer a -1 extent when the others multiply to 0
    ambiguous = em.and_(em.cmpi("eq", known, ae.i64(em, 0)), em.cmpi("eq", unknowns, one))
    total = em.select(ambiguous, minus, total)
    fits = em.cmpi("eq", total, size)
    # NumPy's message prints a -1 extent as "newaxis" (and drops a leading one): one assert
    # per place the unknown extent may be, each excusing the other cases
    for k in [None] + list(range(len(given))):
        parts = ["{}" if j != k else "newaxis" for j in range(len(given))]
        args = [d for j, d in enumerate(given) if j != k]
        if k == 0:
            parts = parts[1:]
        shape = "(" + ",".join(parts) + ("," if len(given) == 1 else "") + ")"
        case = em.cmpi("eq", unknowns, ae.i64(em, 0)) if k is None \
            else em.cmpi("eq", given[k], minus)
        em.b.op("cf.assert", [em.or_(fits, em.not_(case)), size] + args, [],
                {"exc": "ValueError",
                 "msg": f"cannot reshape array of size {{}} into shape {shape}"})
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
    t = infer_reshape(call)
    a = call.args["a"]
    return _reshaped(em, call, a, t, _new_extents(em, call, ae.size(em, a)))


def _reshaped(em: Emitter, call: Call, a: Value, t: ArrayType, dims: list[Value]) -> Value:
    if _is_view(call, a.type):  # type: ignore[arg-type]
        return em.op("array.reshape", [a] + dims, t)
    return copy_into_shape(em, a, dims)


@method("ravel", "flatten", params=("a",), infer=infer_reshape)
@npfunc("ravel", infer=infer_reshape)
def lower_ravel(em: Emitter, call: Call) -> Value:
    t = infer_reshape(call)
    a = call.args["a"]
    return _reshaped(em, call, a, t, [ae.size(em, a)])



def flat(em: Emitter, a: Value) -> Value:
    """a.ravel(): a 1-d view of a C array, else a row-major copy."""
    t = a.type
    assert isinstance(t, ArrayType)
    size = ae.size(em, a)
    if t.layout == "C":
        return em.op("array.reshape", [a, size], ArrayType(t.dtype, 1, "C", t.readonly))
    return copy_into_shape(em, a, [size])
