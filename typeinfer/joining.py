"""numpy functions that join, stack or repeat arrays into a new one: concatenate, stack,
hstack, vstack, roll, tile, repeat (and the method a.repeat).

The sequence argument arrives as a tuple (the frontend turns a list literal inside a numpy
call into `tuple.make`), so the number of arrays and their ndims are known at compile time;
their extents are checked at run time with NumPy's messages. The result dtype is
`np.result_type` of the inputs (asked of NumPy at compile time); every result is a fresh
C array. concatenate/stack/hstack/vstack copy each input into a sub-view of the result with
`array_math.assign` (one array.assign each: the loop passes fuse and vectorize them);
roll, tile and repeat are loop nests of array.load / array.store.
"""
from __future__ import annotations

import numpy as np

from ember.ir.core import Value
from ember.ir.types import BOOL, I64, NONE, ArrayType, ScalarType, TupleType, Type

from . import array_emit as ae
from .array_ufuncs import from_numpy, np_dtype
from .emit import Emitter
from .lattice import is_int_like
from .npcalls import Call, method, npfunc
from .rules import fail
from .static import StaticValueError

DIM_MISMATCH = ("all the input array dimensions except for the concatenation axis must match "
                "exactly, but along dimension {d}, the array at index 0 has size {{}} and the "
                "array at index {k} has size {{}}")


# ---- arguments ---------------------------------------------------------------------------
def _sequence(call: Call, name: str) -> list[ArrayType]:
    """The array types of a tuple-of-arrays argument."""
    t = call.type(name)
    if not isinstance(t, TupleType):
        raise fail(call.op, f"{call.fn}() needs a list or tuple of arrays, got {t}")
    if not t.elements:
        raise StaticValueError("need at least one array to concatenate", call.op.loc)
    for k, e in enumerate(t.elements):
        if not isinstance(e, ArrayType):
            raise fail(call.op, f"{call.fn}() needs arrays, but item {k} is {e}")
        _real(call, e)
    return list(t.elements)  # type: ignore[arg-type]


def _real(call: Call, t: ArrayType) -> ArrayType:
    if t.dtype.is_complex:
        raise fail(call.op, "complex arrays are not supported yet")
    return t


def _items(em: Emitter, v: Value) -> list[Value]:
    t = v.type
    assert isinstance(t, TupleType)
    return [em.op("tuple.get", [v], e, index=k) for k, e in enumerate(t.elements)]


def result_dtype(types: list[ArrayType]) -> ScalarType:
    return from_numpy(np.result_type(*[np_dtype(t.dtype) for t in types]))


def _axis(call: Call, ndim: int, default: int | None = 0, allow_none: bool = False) -> int | None:
    """The static axis argument normalized into [0, ndim) (NumPy's AxisError otherwise)."""
    if "axis" not in call.raw:
        return default
    ax = call.int("axis", allow_none=allow_none)
    if ax is None:
        return None
    if not -ndim <= ax < ndim:
        raise StaticValueError(f"axis {ax} is out of bounds for array of dimension {ndim}",
                               call.op.loc)
    return ax % ndim


def _same_ndim(call: Call, types: list[ArrayType]) -> int:
    n = types[0].ndim
    for k, t in enumerate(types[1:], 1):
        if t.ndim != n:
            raise StaticValueError(
                "all the input arrays must have same number of dimensions, but the array at "
                f"index 0 has {n} dimension(s) and the array at index {k} has {t.ndim} "
                "dimension(s)", call.op.loc)
    return n


# ---- copying into parts of the result ---------------------------------------------------
def _part(em: Emitter, out: Value, axis: int, start: Value | None, count: Value,
          index: bool = False) -> Value:
    """The view of `out` that is `start:start+count` (or, `index`, the single index `start`
    with the axis dropped) along `axis`, whole along the other axes."""
    t = out.type
    assert isinstance(t, ArrayType)
    zero, one = ae.i64(em, 0), ae.i64(em, 1)
    operands: list[Value] = [out]
    for k in range(axis):
        operands += [zero, ae.dim(em, out, k), one]
    if index:
        operands.append(count)
        kinds = "s" * axis + "i"
        ndim = t.ndim - 1
    else:
        operands += [start, count, one]  # type: ignore[list-item]
        kinds = "s" * (axis + 1)
        ndim = t.ndim
    return em.op("array.subview", operands, ArrayType(t.dtype, ndim, "A"), kinds=kinds)


def _copy_into(em: Emitter, call: Call, dest: Value, src: Value) -> None:
    from . import array_math  # the whole-array half of the rules, imported when used
    array_math.assign(em, dest, src, call.op)


def concatenate(em: Emitter, call: Call, arrays: list[Value], axis: int,
                dtype: ScalarType) -> Value:
    """np.concatenate(arrays, axis) of arrays of one ndim (>= 1), axis normalized."""
    first = ae.shape(em, arrays[0])
    total = first[axis]
    for k, a in enumerate(arrays[1:], 1):
        dims = ae.shape(em, a)
        for d, (x, y) in enumerate(zip(first, dims)):
            if d != axis:
                em.b.op("cf.assert", [em.cmpi("eq", x, y), x, y], [],
                        {"exc": "ValueError", "msg": DIM_MISMATCH.format(d=d, k=k)})
        total = ae.add(em, total, dims[axis])
    out = ae.alloc(em, dtype, first[:axis] + [total] + first[axis + 1:])
    offset = ae.i64(em, 0)
    for a in arrays:
        n = ae.dim(em, a, axis)
        _copy_into(em, call, _part(em, out, axis, offset, n), a)
        offset = ae.add(em, offset, n)
    return out


# ---- concatenate --------------------------------------------------------------------------
def infer_concatenate(call: Call) -> Type:
    types = _sequence(call, "arrays")
    ndim = _same_ndim(call, types)
    if ndim == 0:
        raise StaticValueError("zero-dimensional arrays cannot be concatenated", call.op.loc)
    axis = _axis(call, ndim, allow_none=True)
    return ArrayType(result_dtype(types), 1 if axis is None else ndim, "C")


@npfunc("concatenate", infer=infer_concatenate)
def lower_concatenate(em: Emitter, call: Call) -> Value:
    t = infer_concatenate(call)
    arrays = _items(em, call.args["arrays"])
    axis = _axis(call, arrays[0].type.ndim, allow_none=True)  # type: ignore[union-attr]
    if axis is None:
        from .reshape import flat
        arrays = [flat(em, a) for a in arrays]
        axis = 0
    return concatenate(em, call, arrays, axis, t.dtype)  # type: ignore[union-attr]


# ---- stack --------------------------------------------------------------------------------
def infer_stack(call: Call) -> Type:
    types = _sequence(call, "arrays")
    ndim = _same_ndim(call, types)
    _axis(call, ndim + 1)
    return ArrayType(result_dtype(types), ndim + 1, "C")


@npfunc("stack", infer=infer_stack)
def lower_stack(em: Emitter, call: Call) -> Value:
    t = infer_stack(call)
    assert isinstance(t, ArrayType)
    arrays = _items(em, call.args["arrays"])
    axis = _axis(call, t.ndim)
    assert axis is not None
    first = ae.shape(em, arrays[0])
    for a in arrays[1:]:
        ok = em.const(True, BOOL)
        for x, y in zip(first, ae.shape(em, a)):
            ok = em.and_(ok, em.cmpi("eq", x, y))
        em.check(ok, "ValueError", "all input arrays must have the same shape")
    out = ae.alloc(em, t.dtype, first[:axis] + [ae.i64(em, len(arrays))] + first[axis:])
    for k, a in enumerate(arrays):
        _copy_into(em, call, _part(em, out, axis, None, ae.i64(em, k), index=True), a)
    return out


# ---- hstack, vstack -------------------------------------------------------------------------
def _at_least(t: ArrayType, n: int) -> ArrayType:
    return ArrayType(t.dtype, max(t.ndim, n), "A" if t.ndim < n else t.layout, t.readonly)


def infer_hvstack(call: Call) -> Type:
    n = 2 if call.fn == "numpy.vstack" else 1
    types = [_at_least(t, n) for t in _sequence(call, "tup")]
    ndim = _same_ndim(call, types)
    return ArrayType(result_dtype(types), ndim, "C")


@npfunc("hstack", "vstack", infer=infer_hvstack)
def lower_hvstack(em: Emitter, call: Call) -> Value:
    t = infer_hvstack(call)
    assert isinstance(t, ArrayType)
    n = 2 if call.fn == "numpy.vstack" else 1
    arrays = []
    for a in _items(em, call.args["tup"]):
        at = a.type
        assert isinstance(at, ArrayType)
        if at.ndim < n:  # atleast_1d / atleast_2d: new leading axes (a 0-d array: all)
            kinds = "n" * (n - at.ndim)
            a = em.op("array.subview", [a], _at_least(at, n), kinds=kinds)
        arrays.append(a)
    axis = 1 if call.fn == "numpy.hstack" and t.ndim > 1 else 0
    return concatenate(em, call, arrays, axis, t.dtype)


# ---- roll ---------------------------------------------------------------------------------
def _static_axes(call: Call, ndim: int) -> list[int] | None:
    """roll's axis: None, an int or a tuple of ints, normalized."""
    if "axis" not in call.raw or call.type("axis") == NONE:
        return None
    t = call.type("axis")
    if isinstance(t, TupleType):
        from .static import NotConstant, const_value
        try:
            axes = const_value(call.raw["axis"])
        except NotConstant:
            raise fail(call.op, f"{call.fn}() axis must be known at compile time") from None
    else:
        axes = (call.int("axis"),)
    out = []
    for ax in axes:
        if not isinstance(ax, int) or isinstance(ax, bool) or not -ndim <= ax < ndim:
            raise StaticValueError(f"axis {ax} is out of bounds for array of dimension {ndim}",
                                   call.op.loc)
        out.append(ax % ndim)
    return out


def _int_or_ints(call: Call, name: str) -> int:
    """The length of an int-or-tuple-of-ints argument (0 for a single int)."""
    t = call.type(name)
    if is_int_like(t) and t != BOOL:
        return 0
    if isinstance(t, TupleType) and all(is_int_like(e) and e != BOOL for e in t.elements):
        return len(t.elements)
    raise fail(call.op, f"{call.fn}() {name} must be an int or a tuple of ints, got {t}")


def _ints(em: Emitter, v: Value) -> list[Value]:
    if isinstance(v.type, TupleType):
        return [em.to_i64(x) for x in _items(em, v)]
    return [em.to_i64(v)]


def infer_roll(call: Call) -> Type:
    t = call.type("a")
    if not isinstance(t, ArrayType):
        raise fail(call.op, f"{call.fn}() needs an array, got {t}")
    _real(call, t)
    nshift = max(_int_or_ints(call, "shift"), 1)
    axes = _static_axes(call, t.ndim)
    if axes is not None and 1 not in (nshift, len(axes)) and nshift != len(axes):
        raise StaticValueError(
            "shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is "
            f"between arg 0 with shape ({nshift},) and arg 1 with shape ({len(axes)},).",
            call.op.loc)
    return ArrayType(t.dtype, t.ndim, "C")


def _mod(em: Emitter, x: Value, n: Value) -> Value:
    """x mod n in [0, n) (0 when n is 0)."""
    safe = em.select(em.cmpi("eq", n, ae.i64(em, 0)), ae.i64(em, 1), n)
    return em.op("arith.floormodsi", [x, safe], I64)


def _wrap(em: Emitter, i: Value, s: Value, n: Value) -> Value:
    """(i + s) mod n for i in [0, n) and s in [0, n): one compare, no division."""
    j = ae.add(em, i, s)
    return em.select(em.cmpi("sge", j, n), ae.sub(em, j, n), j)


@npfunc("roll", infer=infer_roll)
def lower_roll(em: Emitter, call: Call) -> Value:
    t = infer_roll(call)
    assert isinstance(t, ArrayType)
    a = call.args["a"]
    at = a.type
    axes = _static_axes(call, at.ndim)
    shifts = _ints(em, call.args["shift"])
    src = ae.shape(em, a)
    out = ae.alloc(em, t.dtype, src)
    if axes is None:  # roll the flattened array, keep the shape
        size = ae.size(em, a)
        s = shifts[0]
        for x in shifts[1:]:  # NumPy broadcasts them all onto the one flat axis
            s = ae.add(em, s, x)
        s = _mod(em, s, size)
        flat_out = em.op("array.reshape", [out, size], ArrayType(t.dtype, 1, "C"))

        def body_flat(e: Emitter, idx: list[Value]) -> None:
            f = ae.i64(e, 0)
            for i, n in zip(idx, src):
                f = ae.add(e, ae.mul(e, f, n), i)
            x = e.op("array.load", [a] + idx, at.dtype)
            e.b.op("array.store", [x, flat_out, _wrap(e, f, s, size)], [])
        ae.for_nest(em, src, body_flat)
        return out
    if len(shifts) == 1:
        shifts = shifts * len(axes)
    if len(axes) == 1:
        axes = axes * len(shifts)
    total = {ax: ae.i64(em, 0) for ax in axes}
    for ax, s in zip(axes, shifts):  # repeated axes add up, as in NumPy
        total[ax] = ae.add(em, total[ax], s)
    per_axis = {ax: _mod(em, s, src[ax]) for ax, s in total.items()}

    def body(e: Emitter, idx: list[Value]) -> None:
        dst = [(_wrap(e, i, per_axis[k], src[k]) if k in per_axis else i)
               for k, i in enumerate(idx)]
        x = e.op("array.load", [a] + idx, at.dtype)
        e.b.op("array.store", [x, out] + dst, [])
    ae.for_nest(em, src, body)
    return out


# ---- tile ---------------------------------------------------------------------------------
def infer_tile(call: Call) -> Type:
    t = call.type("A")
    if not isinstance(t, ArrayType):
        raise fail(call.op, f"{call.fn}() needs an array, got {t}")
    _real(call, t)
    d = max(_int_or_ints(call, "reps"), 1)
    return ArrayType(t.dtype, max(t.ndim, d), "C")


@npfunc("tile", infer=infer_tile)
def lower_tile(em: Emitter, call: Call) -> Value:
    t = infer_tile(call)
    assert isinstance(t, ArrayType)
    a = call.args["A"]
    at = a.type
    reps = _ints(em, call.args["reps"])
    n = t.ndim
    one = ae.i64(em, 1)
    reps = [one] * (n - len(reps)) + reps  # NumPy prepends 1s to the shorter of the two
    src = [None] * (n - at.ndim) + ae.shape(em, a)  # None: an axis A is promoted with
    extents = [ae.mul(em, r, s if s is not None else one) for r, s in zip(reps, src)]
    ae.check_extents(em, extents)
    out = ae.alloc(em, t.dtype, extents)
    # loops (rep_0, i_0, rep_1, i_1, ...): the result is written in row-major order
    nest: list[Value] = []
    for r, s in zip(reps, src):
        nest += [r, s if s is not None else one]

    def body(e: Emitter, idx: list[Value]) -> None:
        dst, load = [], []
        for k, s in enumerate(src):
            r, i = idx[2 * k], idx[2 * k + 1]
            dst.append(ae.add(e, ae.mul(e, r, s if s is not None else one), i))
            if s is not None:
                load.append(i)
        x = e.op("array.load", [a] + load, at.dtype)
        e.b.op("array.store", [x, out] + dst, [])
    ae.for_nest(em, nest, body)
    return out


# ---- repeat -------------------------------------------------------------------------------
def infer_repeat(call: Call) -> Type:
    t = call.type("a")
    if not isinstance(t, ArrayType):
        raise fail(call.op, f"{call.fn}() needs an array, got {t}")
    _real(call, t)
    r = call.type("repeats")
    if not (is_int_like(r) and r != BOOL):
        raise fail(call.op, f"{call.fn}() repeats must be an int (ember does not support "
                            f"arrays of repeats), got {r}")
    axis = _axis(call, t.ndim, default=None, allow_none=True) if t.ndim else None
    return ArrayType(t.dtype, 1 if axis is None else t.ndim, "C")


@method("repeat", params=("a", "repeats", "axis"), required=2, infer=infer_repeat)
@npfunc("repeat", infer=infer_repeat)
def lower_repeat(em: Emitter, call: Call) -> Value:
    t = infer_repeat(call)
    assert isinstance(t, ArrayType)
    a = call.args["a"]
    at = a.type
    r = em.to_i64(call.args["repeats"])
    em.check(em.cmpi("sge", r, ae.i64(em, 0)), "ValueError", "negative dimensions are not allowed")
    axis = _axis(call, at.ndim, default=None, allow_none=True) if at.ndim else None
    src = ae.shape(em, a)
    if axis is None:
        size = ae.size(em, a)
        out = ae.alloc(em, t.dtype, [ae.mul(em, size, r)])

        def body_flat(e: Emitter, idx: list[Value]) -> None:
            f = ae.i64(e, 0)
            for i, n in zip(idx[:-1], src):
                f = ae.add(e, ae.mul(e, f, n), i)
            x = e.op("array.load", [a] + idx[:-1], at.dtype)
            e.b.op("array.store", [x, out, ae.add(e, ae.mul(e, f, r), idx[-1])], [])
        ae.for_nest(em, src + [r], body_flat)
        return out
    out = ae.alloc(em, t.dtype, src[:axis] + [ae.mul(em, src[axis], r)] + src[axis + 1:])
    # loops (i_0 .. i_axis, j, i_axis+1 ..): row-major writes

    def body(e: Emitter, idx: list[Value]) -> None:
        load = idx[:axis + 1] + idx[axis + 2:]
        dst = list(load)
        dst[axis] = ae.add(e, ae.mul(e, idx[axis], r), idx[axis + 1])
        x = e.op("array.load", [a] + load, at.dtype)
        e.b.op("array.store", [x, out] + dst, [])
    ae.for_nest(em, src[:axis + 1] + [r] + src[axis + 1:], body)
    return out
