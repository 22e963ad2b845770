"""NumPy's advanced ("fancy") indexing: boolean masks and integer arrays as indices, for
reads (`a[mask]`, `a[idx]`, `a[:, idx]`, `a[rows, cols]`) and for assignment (`a[mask] = v`,
`a[idx] = v`, and so `a[idx] += v` as the frontend's getitem / add / setitem).

Semantics are NumPy's (numpy/core mapping.c):
- every index element is classified: int, slice, None, `...`, int array, bool array; when any
  array is present the ints are advanced indices too (0-d, broadcast with the arrays);
- a bool array of ndim k covers k axes and stands for its k `nonzero()` arrays (C order);
  its extents must equal the axes' ("boolean index did not match indexed array along axis
  ...");
- the advanced indices broadcast together ("shape mismatch: indexing arrays could not be
  broadcast together with shapes (2,) (3,) "); their broadcast shape replaces them in the
  result where they are adjacent in the index, else it goes first;
- integer indices wrap when negative and are bounds-checked (when `boundscheck`) with
  NumPy's IndexError, ints first, then each array in turn, as NumPy reports the first;
- a read is always a fresh C array (a copy); an assignment broadcasts the value to the
  indexing result's shape ("shape mismatch: value array of shape ... could not be broadcast
  to indexing result of shape ...") and writes in C order of that result, so with repeated
  indices the last write wins; an array value that may alias the destination is copied
  first, as NumPy does;
- a single bool mask covering every axis is NumPy's boolean fast path: read = the selected
  elements in C order (branch-free: a count pass, then a compacting pass into a buffer with
  one spare slot, returned as a view of its first `count` elements); assignment takes a scalar, a 0-d or a 1-d value of as many elements
  as the mask has True (or one), else NumPy's ValueError / TypeError.

Everything is emitted as plain scf.for loop nests over array.load / array.store /
array.alloc: no new ops.
"""
from __future__ import annotations

from dataclasses import dataclass

from ember.ir.core import Block, Operation, Region, Value
from ember.ir.types import BOOL, I64, NONE, ArrayType, ScalarType, TupleType, Type

from . import array_emit as ae
from .array_reduce import loop_nest
from .emit import Emitter
from .index_plan import _bad_index, _slice_info
from .rules import fail
from .static import EllipsisType, SliceType, StaticIndexError, StaticTypeError

MASK_MSG = ("boolean index did not match indexed array along axis {}; size of axis is {} but "
            "size of corresponding boolean axis is {}")
MASK_ASSIGN_MSG = ("NumPy boolean array indexing assignment cannot assign {} input values to "
                   "the {} output values where the mask is true")


@dataclass(frozen=True)
class Item:
    """kind: 'i' int, 's' slice, 'n' new axis, 'w' whole axis, 'I' int array, 'B' bool array.
    pos/elem: where the index value is (operand, tuple element); axis: first source axis."""

    kind: str
    pos: int
    elem: int | None = None
    step_sign: int | None = 1
    ndim: int = 0
    axis: int = -1

    @property
    def advanced(self) -> bool:
        return self.kind in "iIB"


@dataclass(frozen=True)
class FancyPlan:
    items: tuple[Item, ...]
    adv_at: int        # result axis where the broadcast advanced axes start
    bnd: int           # ndim of the broadcast advanced shape
    mask_only: bool    # one bool array covering every axis: NumPy's boolean fast path
    result: ArrayType


def _items(it: Type) -> list[tuple[Type, int | None]]:
    if isinstance(it, TupleType):
        return [(e, j) for j, e in enumerate(it.elements)]
    return [(it, None)]


def is_int0d(t: Type) -> bool:
    """A 0-d integer array: NumPy takes it as an integer index (basic indexing)."""
    return isinstance(t, ArrayType) and t.ndim == 0 and t.dtype.is_int


def has_array_index(index_types: list[Type]) -> bool:
    """Whether any index element is an array (the subscript is advanced indexing)."""
    return any(isinstance(e, ArrayType) and not is_int0d(e)
               for it in index_types for e, _ in _items(it))


def scalar_index(em: Emitter, v: Value) -> Value:
    """An integer index as i64 (a 0-d integer array's element)."""
    if isinstance(v.type, ArrayType):
        v = em.op("array.load", [v], v.type.dtype)
    return ae.numpy_cast(em, v, I64)


def fancy_plan(op: Operation, t: ArrayType, index_ops: list[Value],
               index_types: list[Type]) -> FancyPlan:
    raw: list[Item] = []
    for k, (v, it) in enumerate(zip(index_ops, index_types)):
        for et, j in _items(it):
            if is_int0d(et):
                raw.append(Item("i", k, j))
            elif isinstance(et, ArrayType):
                if et.dtype.is_bool:
                    if et.ndim == 0:
                        raise fail(op, "indexing with a 0-d boolean array is not supported")
                    raw.append(Item("B", k, j, ndim=et.ndim))
                elif et.dtype.is_int:
                    raw.append(Item("I", k, j, ndim=et.ndim))
                else:
                    raise StaticIndexError("arrays used as indices must be of integer (or "
                                           "boolean) type", op.loc)
            elif isinstance(et, ScalarType) and et.is_int:
                raw.append(Item("i", k, j))
            elif isinstance(et, SliceType) and j is None:
                raw.append(Item("s", k, None, _slice_info(v, et)[0]))
            elif et == NONE:
                raw.append(Item("n", k, j))
            elif isinstance(et, EllipsisType):
                raw.append(Item("e", k, j))
            else:
                _bad_index(op, et)
    if sum(1 for x in raw if x.kind == "e") > 1:
        raise StaticIndexError("an index can only have a single ellipsis ('...')", op.loc)
    used = sum(x.ndim if x.kind == "B" else 1 for x in raw if x.kind in "isIB")
    if used > t.ndim:
        raise StaticIndexError(
            f"too many indices for array: array is {t.ndim}-dimensional, but {used} were "
            "indexed", op.loc)
    items: list[Item] = []
    axis = 0

    def put(x: Item) -> None:
        nonlocal axis
        if x.kind == "n":
            items.append(x)
            return
        items.append(Item(x.kind, x.pos, x.elem, x.step_sign, x.ndim, axis))
        axis += x.ndim if x.kind == "B" else 1

    for x in raw:
        if x.kind == "e":
            for _ in range(t.ndim - used):
                put(Item("w", x.pos))
        else:
            put(x)
    while axis < t.ndim:
        put(Item("w", -1))
    adv = [k for k, x in enumerate(items) if x.advanced]
    bnd = max(x.ndim if x.kind == "I" else 1 if x.kind == "B" else 0
              for x in items if x.advanced)
    adjacent = adv == list(range(adv[0], adv[-1] + 1))
    adv_at = sum(1 for x in items[:adv[0]] if not x.advanced) if adjacent else 0
    ndim = bnd + sum(1 for x in items if not x.advanced)
    mask_only = len(items) == 1 and items[0].kind == "B"
    return FancyPlan(tuple(items), adv_at, bnd, mask_only, ArrayType(t.dtype, ndim, "C"))


# ---- small emitting helpers -------------------------------------------------------------
def _element(em: Emitter, vals: list, x: Item) -> Value:
    v = vals[x.pos]
    if x.elem is None:
        return v
    return em.op("tuple.get", [v], v.type.elements[x.elem], index=x.elem)


def _if(em: Emitter, cond: Value, then, results: list[Value]) -> list[Value]:
    """scf.if cond: `then()` (returns the new values) else `results` unchanged."""
    tb, eb = Block(), Block()
    with em.b.at(tb):
        got = then()
        em.b.op("scf.yield", got, [])
    with em.b.at(eb):
        em.b.op("scf.yield", results, [])
    node = em.b.op("scf.if", [cond], [v.type for v in results], regions=[Region([tb]), Region([eb])])
    return list(node.results)


def _wrap(em: Emitter, x: Value, n: Value) -> Value:
    """An index element as i64, a negative one counted from the end. A uint64 index is
    never negative: one above INT64_MAX stays negative (out of bounds) rather than wrap."""
    i = ae.numpy_cast(em, x, I64)
    if x.type.kind == "u":  # type: ignore[union-attr]
        return i
    return em.select(em.cmpi("slt", i, ae.i64(em, 0)), ae.add(em, i, n), i)


def _shape_fmt(n: int) -> str:
    return "({},)" if n == 1 else "(" + ",".join(["{}"] * n) + ")"


def _fresh(v: Value) -> bool:
    """An array no one else can see: a just-made result cannot alias the destination."""
    node = getattr(v, "op", None)
    return node is not None and node.name in ("array.alloc", "array.map")


def _private(em: Emitter, value: Value, op: Operation) -> Value:
    if _fresh(value):
        return value
    from .array_math import copy
    return copy(em, value, value.type.dtype, op)  # type: ignore[union-attr]


def _bcast_load(em: Emitter, arr: Value, dims: list[Value], ridx: list[Value]) -> Value:
    """arr's element at result index `ridx` (arr's axes right-aligned, extent 1 broadcast)."""
    return em.op("array.load", [arr] + _bcast_idx(em, dims, ridx),
                 arr.type.dtype)  # type: ignore[union-attr]


def _count_true(em: Emitter, mask: Value) -> Value:
    def body(idx: list[Value], c: list[Value]) -> list[Value]:
        bit = em.to_i64(em.op("array.load", [mask] + idx, BOOL))
        return [ae.add(em, c[0], bit)]
    return loop_nest(em, ae.shape(em, mask), [ae.i64(em, 0)], body)[0]


def _check_mask(em: Emitter, a: Value, mask: Value, axis: int) -> None:
    for m, md in enumerate(ae.shape(em, mask)):
        n = ae.dim(em, a, axis + m)
        em.b.op("cf.assert", [em.cmpi("eq", md, n), ae.i64(em, axis + m), n, md], [],
                {"exc": "IndexError", "msg": MASK_MSG})


def _nonzero(em: Emitter, mask: Value) -> list[Value]:
    """numpy.nonzero(mask): one 1-d int64 array per axis, the True positions in C order."""
    count = _count_true(em, mask)
    outs = [ae.alloc(em, I64, [count]) for _ in range(mask.type.ndim)]  # type: ignore[union-attr]

    def body(idx: list[Value], c: list[Value]) -> list[Value]:
        def hit() -> list[Value]:
            for o, i in zip(outs, idx):
                em.b.op("array.store", [i, o, c[0]], [])
            return [ae.add(em, c[0], ae.i64(em, 1))]
        return _if(em, em.op("array.load", [mask] + idx, BOOL), hit, c)
    loop_nest(em, ae.shape(em, mask), [ae.i64(em, 0)], body)
    return outs


# ---- the advanced part of an index ------------------------------------------------------
@dataclass
class _Axis:
    """How one source axis is indexed from a result index: a fixed int, a slice (start,
    step), a result axis taken whole, or an index array loaded at the broadcast index."""

    kind: str                 # 'i' 's' 'w' 'A'
    value: Value | None = None
    step: Value | None = None
    dims: list[Value] | None = None
    n: Value | None = None


class _Index:
    """The index of a fancy subscript made concrete: the source axes' accessors and the
    result extents (all checks emitted)."""

    def __init__(self, em: Emitter, op: Operation, a: Value, p: FancyPlan, vals: list) -> None:
        check = ae.boundscheck(op)
        self.p = p
        self.axes: list[tuple[_Axis, int | None]] = []   # (accessor, result axis or None)
        outer: list[Value] = []     # extents of non-advanced result axes, in order
        arrays: list[tuple[Value, list[Value], Value, int, bool]] = []
        for x in p.items:
            if x.kind == "n":
                outer.append(ae.i64(em, 1))
                continue
            n = ae.dim(em, a, x.axis) if x.kind != "B" else None
            if x.kind == "i":
                i = scalar_index(em, _element(em, vals, x))
                i = ae.checked_index(em, i, n, x.axis, check)
                self.axes.append((_Axis("i", i), None))
            elif x.kind == "s":
                start, count, step = ae.slice_indices(em, vals[x.pos].parts, n, x.step_sign)
                self.axes.append((_Axis("s", start, step), len(outer)))
                outer.append(count)
            elif x.kind == "w":
                self.axes.append((_Axis("w"), len(outer)))
                outer.append(n)
            elif x.kind == "I":
                arr = _element(em, vals, x)
                acc = _Axis("A", arr, None, ae.shape(em, arr), n)
                self.axes.append((acc, None))
                arrays.append((arr, acc.dims, n, x.axis, True))
            else:
                mask = _element(em, vals, x)
                _check_mask(em, a, mask, x.axis)
                for m, arr in enumerate(_nonzero(em, mask)):
                    acc = _Axis("A", arr, None, ae.shape(em, arr), ae.dim(em, a, x.axis + m))
                    self.axes.append((acc, None))
                    arrays.append((arr, acc.dims, acc.n, x.axis + m, False))
        self.bshape = self._broadcast(em, [d for _, d, _, _, _ in arrays], p.bnd)
        if check:
            for arr, dims, n, axis, is_int in arrays:
                if is_int:
                    _check_all(em, arr, dims, n, axis)
        self.extents = outer[:p.adv_at] + self.bshape + outer[p.adv_at:]

    @staticmethod
    def _broadcast(em: Emitter, shapes: list[list[Value]], bnd: int) -> list[Value]:
        one = ae.i64(em, 1)
        out = []
        for j in range(bnd):
            e = one
            for s in shapes:
                k = j - (bnd - len(s))
                if k >= 0:
                    e = em.select(em.cmpi("ne", s[k], one), s[k], e)
            out.append(e)
        ok = em.const(True, BOOL)
        for s in shapes:
            for k, d in enumerate(s):
                b = out[k + bnd - len(s)]
                ok = em.and_(ok, em.or_(em.cmpi("eq", d, one), em.cmpi("eq", d, b)))
        if len(shapes) > 1:
            msg = ("shape mismatch: indexing arrays could not be broadcast together with shapes "
                   + "".join(_shape_fmt(len(s)) + " " for s in shapes))
            em.b.op("cf.assert", [ok] + [d for s in shapes for d in s], [],
                    {"exc": "IndexError", "msg": msg})
        return out

    def source(self, em: Emitter, ridx: list[Value]) -> list[Value]:
        """The source element's index for result index `ridx`."""
        p = self.p
        adv = ridx[p.adv_at:p.adv_at + p.bnd]
        rest = ridx[:p.adv_at] + ridx[p.adv_at + p.bnd:]
        out = []
        for acc, r in self.axes:
            if acc.kind == "i":
                out.append(acc.value)
            elif acc.kind == "s":
                out.append(ae.add(em, acc.value, ae.mul(em, rest[r], acc.step)))
            elif acc.kind == "w":
                out.append(rest[r])
            else:
                out.append(_wrap(em, _bcast_load(em, acc.value, acc.dims, adv), acc.n))
        return out


def _check_all(em: Emitter, arr: Value, dims: list[Value], n: Value, axis: int) -> None:
    """NumPy's bounds check of every element of an index array (before any is used)."""
    def body(idx: list[Value], c: list[Value]) -> list[Value]:
        j = _wrap(em, em.op("array.load", [arr] + idx, arr.type.dtype), n)  # type: ignore[union-attr]
        ok = em.and_(em.cmpi("sge", j, ae.i64(em, 0)), em.cmpi("slt", j, n))
        shown = ae.numpy_cast(em, em.op("array.load", [arr] + idx, arr.type.dtype), I64)
        em.b.op("cf.assert", [ok, shown, ae.i64(em, axis), n], [],
                {"exc": "IndexError", "msg": ae.INDEX_MSG})
        return []
    loop_nest(em, dims, [], body)


# ---- reads ----------------------------------------------------------------------------------
def infer_getitem(op: Operation, t: ArrayType, index_ops: list[Value],
                  index_types: list[Type]) -> Type:
    return fancy_plan(op, t, index_ops, index_types).result


def lower_getitem(em: Emitter, op: Operation, a: Value, vals: list) -> Value:
    t = a.type
    assert isinstance(t, ArrayType)
    p = fancy_plan(op, t, list(op.operands[1:]), [v.type for v in vals])
    if p.mask_only:
        return _mask_read(em, a, _element(em, vals, p.items[0]))
    ix = _Index(em, op, a, p, vals)
    out = ae.alloc(em, t.dtype, ix.extents)

    def body(ridx: list[Value], c: list[Value]) -> list[Value]:
        x = em.op("array.load", [a] + ix.source(em, ridx), t.dtype)
        em.b.op("array.store", [x, out] + ridx, [])
        return []
    loop_nest(em, ix.extents, [], body)
    return out


def _mask_read(em: Emitter, a: Value, mask: Value) -> Value:
    _check_mask(em, a, mask, 0)
    dtype = a.type.dtype  # type: ignore[union-attr]
    count = _count_true(em, mask)
    # Branch-free (random masks mispredict): every element is stored at the next free slot
    # and the slot advances by the mask bit, so one spare slot takes the last stores.
    one = ae.i64(em, 1)
    buf = ae.alloc(em, dtype, [ae.add(em, count, one)])

    def body(idx: list[Value], c: list[Value]) -> list[Value]:
        x = em.op("array.load", [a] + idx, dtype)
        em.b.op("array.store", [x, buf, c[0]], [])
        return [ae.add(em, c[0], em.to_i64(em.op("array.load", [mask] + idx, BOOL)))]
    loop_nest(em, ae.shape(em, mask), [ae.i64(em, 0)], body)
    return em.op("array.subview", [buf, ae.i64(em, 0), count, one], ArrayType(dtype, 1, "C"),
                 kinds="s")


# ---- assignment ---------------------------------------------------------------------------
def infer_setitem(op: Operation, t: ArrayType, vt: Type, index_ops: list[Value],
                  index_types: list[Type]) -> None:
    p = fancy_plan(op, t, index_ops, index_types)
    if isinstance(vt, ArrayType) and p.mask_only and vt.ndim > 1:
        raise StaticTypeError("NumPy boolean array indexing assignment requires a 0 or "
                              f"1-dimensional input, input has {vt.ndim} dimensions", op.loc)


def lower_setitem(em: Emitter, op: Operation, a: Value, value: Value, vals: list) -> None:
    t = a.type
    assert isinstance(t, ArrayType)
    p = fancy_plan(op, t, list(op.operands[2:]), [v.type for v in vals])
    infer_setitem(op, t, value.type, list(op.operands[2:]), [v.type for v in vals])
    if p.mask_only:
        _mask_write(em, op, a, _element(em, vals, p.items[0]), value)
        return
    ix = _Index(em, op, a, p, vals)
    get = _value_reader(em, op, value, ix.extents, t.dtype)

    def body(ridx: list[Value], c: list[Value]) -> list[Value]:
        em.b.op("array.store", [get(ridx), a] + ix.source(em, ridx), [])
        return []
    loop_nest(em, ix.extents, [], body)


def _value_reader(em: Emitter, op: Operation, value: Value, extents: list[Value],
                  dtype: ScalarType):
    """A function from a result index to the value's element there (cast to `dtype`), after
    NumPy's broadcast check of the value against the indexing result's shape."""
    vt = value.type
    if not isinstance(vt, ArrayType):
        x = ae.numpy_cast(em, value, dtype)
        return lambda ridx: x
    value = _private(em, value, op)
    vd = ae.shape(em, value)
    one = ae.i64(em, 1)
    ok = em.const(True, BOOL)
    for k, d in enumerate(vd):
        j = k - (len(vd) - len(extents))
        fits = em.cmpi("eq", d, one)
        if j >= 0:
            fits = em.or_(fits, em.cmpi("eq", d, extents[j]))
        ok = em.and_(ok, fits)
    msg = (f"shape mismatch: value array of shape {_shape_fmt(len(vd))} could not be broadcast "
           f"to indexing result of shape {_shape_fmt(len(extents))}")
    em.b.op("cf.assert", [ok] + vd + extents, [], {"exc": "ValueError", "msg": msg})
    extra = max(0, len(vd) - len(extents))

    def read(ridx: list[Value]) -> Value:
        idx = [ae.i64(em, 0)] * extra + _bcast_idx(em, vd[extra:], ridx)
        return ae.numpy_cast(em, em.op("array.load", [value] + idx, vt.dtype), dtype)
    return read


def _bcast_idx(em: Emitter, dims: list[Value], ridx: list[Value]) -> list[Value]:
    off = len(ridx) - len(dims)
    one, zero = ae.i64(em, 1), ae.i64(em, 0)
    return [em.select(em.cmpi("eq", d, one), zero, ridx[off + m]) for m, d in enumerate(dims)]


def _mask_write(em: Emitter, op: Operation, a: Value, mask: Value, value: Value) -> None:
    _check_mask(em, a, mask, 0)
    dtype = a.type.dtype  # type: ignore[union-attr]
    vt = value.type
    if isinstance(vt, ArrayType) and vt.ndim == 0:
        value = em.op("array.load", [value], vt.dtype)
        vt = value.type
    if not isinstance(vt, ArrayType):
        x = ae.numpy_cast(em, value, dtype)

        def body(idx: list[Value], c: list[Value]) -> list[Value]:
            def hit() -> list[Value]:
                em.b.op("array.store", [x, a] + idx, [])
                return []
            return _if(em, em.op("array.load", [mask] + idx, BOOL), hit, [])
        loop_nest(em, ae.shape(em, mask), [], body)
        return
    value = _private(em, value, op)
    count = _count_true(em, mask)
    size = ae.dim(em, value, 0)
    one = ae.i64(em, 1)
    ok = em.or_(em.cmpi("eq", size, count), em.cmpi("eq", size, one))
    em.b.op("cf.assert", [ok, size, count], [], {"exc": "ValueError", "msg": MASK_ASSIGN_MSG})
    step = em.to_i64(em.cmpi("ne", size, one))  # 0: the one value is used for every True

    def body2(idx: list[Value], c: list[Value]) -> list[Value]:
        def hit() -> list[Value]:
            x = em.op("array.load", [value, ae.mul(em, c[0], step)], vt.dtype)
            em.b.op("array.store", [ae.numpy_cast(em, x, dtype), a] + idx, [])
            return [ae.add(em, c[0], one)]
        return _if(em, em.op("array.load", [mask] + idx, BOOL), hit, c)
    loop_nest(em, ae.shape(em, mask), [ae.i64(em, 0)], body2)


__all__ = ["has_array_index", "is_int0d", "scalar_index", "fancy_plan", "infer_getitem", "lower_getitem",
           "infer_setitem", "lower_setitem"]
