"""NumPy's reductions over a whole array or one axis: sum prod min max mean var std argmin
argmax all any cumsum cumprod (with keepdims).

Result dtypes are NumPy's: sum/prod/cumsum/cumprod of bool and signed ints are int64, of
unsigned ints uint64, of floats the float; mean/var/std of bool/ints are float64 (computed in
float64, as NumPy's `dtype=f8` sum does); min/max keep the dtype; argmin/argmax are int64;
all/any are bool. Reducing a 1-d array along axis 0 is the whole-array reduction (a scalar).

What is emitted:
- sum, prod, min, max, all, any, mean: `array.reduce` (axis -1 for the whole array, axis k for
  one axis), so the fusion pass can fold an elementwise producer into them; mean divides by
  the count (an `array.map` for an axis);
- var/std: NumPy's two passes: the mean, then the sum of squared deviations (for an axis the
  mean is given back its axis by an `array.subview` 'n' and broadcast in an `array.map`),
  divided by max(n - ddof, 0) (so ddof >= n gives inf or nan, as NumPy does after its warning);
- argmin/argmax/cumsum/cumprod: scf.for loop nests over array.load/array.store/array.alloc.
- keepdims: an `array.subview` inserting the axis back ('n'), or for a whole-array result an
  array of extent-1 axes holding the scalar.
Run-time errors (cf.assert, NumPy's messages): min/max over an empty reduced axis
("zero-size array to reduction operation minimum which has no identity"), argmin/argmax of an
empty one ("attempt to get argmin of an empty sequence"). The mean of nothing is nan.

Summation order: the order in which array.reduce combines elements belongs to the lowering
pass (ir/passes/lower_arrays.py). NumPy sums floats pairwise (blocks of 8 partial sums, split
above 128 elements): for fewer than 8 elements along a contiguous run the results are equal,
for longer runs they may differ in the last bits (tests compare with a tolerance).
"""
from __future__ import annotations

from typing import Callable

from ember.ir.core import Block, Operation, Region, Value
from ember.ir.errors import TypingError
from ember.ir.types import BOOL, F64, I64, U64, ArrayType, ScalarType, Type

from .array_ufuncs import compare, element, np_cast, pick_float, truth
from .emit import Emitter

KINDS = ("sum", "prod", "min", "max", "mean", "var", "std", "argmin", "argmax", "all", "any",
         "cumsum", "cumprod")
_UFUNC = {"min": "minimum", "max": "maximum"}


def _fail(op: Operation | None, msg: str) -> TypingError:
    return TypingError(msg, op.loc if op is not None else None)


def normalize_axis(axis: int | None, ndim: int, op: Operation | None = None) -> int | None:
    if axis is None:
        return None
    if not -ndim <= axis < ndim:
        raise _fail(op, f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def result_dtype(kind: str, t: ScalarType, op: Operation | None = None) -> ScalarType:
    if kind not in KINDS:
        raise _fail(op, f"numpy.{kind} is not a supported reduction")
    if t.is_complex:
        if kind not in ("sum", "prod", "mean", "cumsum", "cumprod"):
            raise _fail(op, f"numpy.{kind} of complex arrays is not supported by ember")
        return t
    if kind in ("sum", "prod", "cumsum", "cumprod"):
        if t.is_float:
            return t
        return U64 if t.kind == "u" else I64
    if kind in ("mean", "var", "std"):
        return t if t.is_float else F64
    if kind in ("argmin", "argmax"):
        return I64
    if kind in ("all", "any"):
        return BOOL
    return t


def reduction_type(kind: str, t: ArrayType, axis: int | None, keepdims: bool,
                   op: Operation | None = None) -> Type:
    ax = normalize_axis(axis, t.ndim, op)
    dt = result_dtype(kind, t.dtype, op)
    if kind in ("cumsum", "cumprod"):
        return ArrayType(dt, 1 if ax is None else t.ndim, "C")
    if keepdims:
        return ArrayType(dt, t.ndim, "C")
    if ax is None or t.ndim == 1:
        return dt
    return ArrayType(dt, t.ndim - 1, "C")


# ---- building blocks ---------------------------------------------------------------------
def for_loop(em: Emitter, ub: Value, inits: list[Value],
             body: Callable[[Value, list[Value]], list[Value]]) -> list[Value]:
    """scf.for iv in range(0, ub) carrying `inits`; `body(iv, carried)` returns the next."""
    lb, step = em.const(0, I64), em.const(1, I64)
    block = Block([I64] + [v.type for v in inits])
    with em.b.at(block):
        nxt = body(block.args[0], list(block.args[1:]))
        em.b.op("scf.yield", nxt, [])
    loop = em.b.op("scf.for", [lb, ub, step] + inits, [v.type for v in inits],
                   regions=[Region([block])])
    return list(loop.results)


def loop_nest(em: Emitter, extents: list[Value], inits: list[Value],
              body: Callable[[list[Value], list[Value]], list[Value]]) -> list[Value]:
    """Nested loops over `extents` (outermost first) in C order."""
    def level(i: int, idx: list[Value], carried: list[Value]) -> list[Value]:
        if i == len(extents):
            return body(idx, carried)
        return for_loop(em, extents[i], carried, lambda iv, c: level(i + 1, idx + [iv], c))
    return level(0, [], inits)


def dims(em: Emitter, a: Value) -> list[Value]:
    t = a.type
    assert isinstance(t, ArrayType)
    return [em.op("array.dim", [a], I64, axis=i) for i in range(t.ndim)]


def array_reduce(em: Emitter, a: Value, init: Value, axis: int,
                 combine: Callable[[Value, Value], Value]) -> Value:
    """array.reduce {axis} with region (acc, x) -> combine(acc, x)."""
    t = a.type
    assert isinstance(t, ArrayType)
    block = Block([init.type, t.dtype])
    with em.b.at(block):
        em.b.op("array.yield", [combine(block.args[0], block.args[1])], [])
    rt = init.type if axis < 0 else ArrayType(init.type, t.ndim - 1, "C")  # type: ignore[arg-type]
    return em.b.op("array.reduce", [a, init], [rt], {"axis": axis}, regions=[Region([block])]).result


def array_map(em: Emitter, operands: list[Value], out: ScalarType, ndim: int,
              fn: Callable[[list[Value]], Value]) -> Value:
    """array.map with region (elements...) -> fn(elements)."""
    block = Block([o.type.dtype if isinstance(o.type, ArrayType) else o.type for o in operands])
    with em.b.at(block):
        em.b.op("array.yield", [fn(list(block.args))], [])
    return em.b.op("array.map", operands, [ArrayType(out, ndim, "C")], regions=[Region([block])]).result


def _nonempty(em: Emitter, ds: list[Value]) -> Value:
    ok = em.const(True, BOOL)
    for d in ds:
        ok = em.and_(ok, em.cmpi("ne", d, em.const(0, I64)))
    return ok


def _count(em: Emitter, ds: list[Value]) -> Value:
    n = em.const(1, I64)
    for d in ds:
        n = em.op("arith.muli", [n, d], I64)
    return n


def keep_axis(em: Emitter, r: Value, k: int) -> Value:
    """Insert an extent-1 axis at position k of array `r` (keepdims)."""
    t = r.type
    assert isinstance(t, ArrayType)
    operands = [r]
    for d in dims(em, r)[:k]:
        operands += [em.const(0, I64), d, em.const(1, I64)]
    return em.op("array.subview", operands, ArrayType(t.dtype, t.ndim + 1, "C"), kinds="s" * k + "n")


def keep_scalar(em: Emitter, s: Value, ndim: int) -> Value:
    """An array of `ndim` extent-1 axes holding `s` (keepdims of a whole-array reduction)."""
    assert isinstance(s.type, ScalarType)
    one, zero = em.const(1, I64), em.const(0, I64)
    out = em.op("array.alloc", [one] * ndim, ArrayType(s.type, ndim, "C"))
    em.b.op("array.store", [s, out] + [zero] * ndim, [])
    return out


# ---- the reductions ------------------------------------------------------------------------
def _identity(kind: str, dt: ScalarType) -> int | float | bool:
    if kind in ("sum", "mean", "any"):
        return 0
    if kind in ("prod", "all"):
        return 1
    big = kind == "min"
    if dt.is_float:
        return float("inf") if big else float("-inf")
    if dt.is_bool:
        return big
    if dt.kind == "u":
        return (1 << dt.bits) - 1 if big else 0
    return (1 << (dt.bits - 1)) - 1 if big else -(1 << (dt.bits - 1))


def _combiner(em: Emitter, kind: str, dt: ScalarType) -> Callable[[Value, Value], Value]:
    if kind in ("all", "any"):
        name = "arith.andi" if kind == "all" else "arith.ori"
        return lambda acc, x: em.op(name, [acc, truth(em, x)], BOOL)
    if kind in ("min", "max"):
        if dt.is_float:  # a select: the derivative goes wholly to the element picked
            return lambda acc, x: pick_float(em, _UFUNC[kind], acc, x)
        return lambda acc, x: element(em, _UFUNC[kind], [acc, x], dt)
    if kind in ("sum", "mean", "cumsum"):
        name = "complex.add" if dt.is_complex else "arith.addf" if dt.is_float else "arith.addi"
    else:
        name = "complex.mul" if dt.is_complex else "arith.mulf" if dt.is_float else "arith.muli"
    return lambda acc, x: em.op(name, [acc, np_cast(em, x, dt)], dt)


def reduction(em: Emitter, kind: str, a: Value, axis: int | None, keepdims: bool, ddof: int,
              op: Operation | None) -> Value:
    t = a.type
    if not isinstance(t, ArrayType):
        raise _fail(op, f"numpy.{kind} needs an array, got {t}")
    rt = reduction_type(kind, t, axis, keepdims, op)
    k = normalize_axis(axis, t.ndim, op)
    if k is not None and t.ndim == 1 and kind not in ("cumsum", "cumprod"):
        k = None
    dt = result_dtype(kind, t.dtype, op)
    # array.dim is a use of `a`: emitted only when needed, so a single-use array.map
    # producer can still be fused into the reduce
    ds = [] if kind in ("sum", "prod", "all", "any") else dims(em, a)
    if kind in ("argmin", "argmax"):
        r = _arg(em, kind, a, ds, k, keepdims)
    elif kind in ("cumsum", "cumprod"):
        r = _cumulative(em, kind, a, ds, k, dt)
    else:
        if kind in ("min", "max"):
            nonempty = _nonempty(em, ds if k is None else [ds[k]])
            em.check(nonempty, "ValueError", "zero-size array to reduction operation "
                     f"{_UFUNC[kind]} which has no identity")
        if kind in ("var", "std"):
            r = _variance(em, kind, a, ds, k, dt, ddof)
        else:
            init = em.const(_identity(kind, dt), dt)
            r = array_reduce(em, a, init, -1 if k is None else k, _combiner(em, kind, dt))
            if kind == "mean":
                r = _divide(em, r, np_cast(em, _count(em, ds if k is None else [ds[k]]), dt))
        if keepdims:
            r = keep_scalar(em, r, t.ndim) if k is None else keep_axis(em, r, k)
    assert r.type == rt, (r.type, rt)
    return r


def _divide(em: Emitter, r: Value, n: Value, sqrt: bool = False) -> Value:
    """r / n (r a scalar or an array), then the square root when `sqrt`."""
    def div(x: Value, c: Value) -> Value:
        q = em.op("complex.npdiv" if x.type.is_complex else "arith.divf", [x, c], x.type)
        return em.op("math.sqrt", [q], x.type) if sqrt else q
    if isinstance(r.type, ArrayType):
        return array_map(em, [r, n], r.type.dtype, r.type.ndim, lambda xs: div(xs[0], xs[1]))
    return div(r, n)


def _variance(em: Emitter, kind: str, a: Value, ds: list[Value], k: int | None,
              dt: ScalarType, ddof: int) -> Value:
    t = a.type
    assert isinstance(t, ArrayType)
    zero = em.const(0.0, dt)
    add = _combiner(em, "sum", dt)
    n = _count(em, ds if k is None else [ds[k]])
    mean = _divide(em, array_reduce(em, a, zero, -1 if k is None else k, add), np_cast(em, n, dt))

    def square_dev(x: Value, m: Value) -> Value:
        d = em.op("arith.subf", [np_cast(em, x, dt), m], dt)
        return em.op("arith.mulf", [d, d], dt)
    if k is None:
        ss = array_reduce(em, a, zero, -1,
                          lambda acc, x: em.op("arith.addf", [acc, square_dev(x, mean)], dt))
    else:
        sq = array_map(em, [a, keep_axis(em, mean, k)], dt, t.ndim,
                       lambda xs: square_dev(xs[0], xs[1]))
        ss = array_reduce(em, sq, zero, k, add)
    dof = em.op("arith.subi", [n, em.const(ddof, I64)], I64)
    dof = em.select(em.cmpi("sgt", dof, em.const(0, I64)), dof, em.const(0, I64))
    return _divide(em, ss, np_cast(em, dof, dt), sqrt=kind == "std")


def _better(em: Emitter, kind: str, x: Value, best: Value) -> Value:
    """NumPy's argmax/argmin step: a strictly better element; the first nan wins for good."""
    t = x.type
    assert isinstance(t, ScalarType)
    if t.is_float:
        worse_or_eq = em.cmpf("ole" if kind == "argmax" else "oge", x, best)
        return em.and_(em.not_(worse_or_eq), em.not_(em.fpred("isnan", best)))
    return compare(em, "gt" if kind == "argmax" else "lt", x, best)


def _arg(em: Emitter, kind: str, a: Value, ds: list[Value], k: int | None, keepdims: bool) -> Value:
    t = a.type
    assert isinstance(t, ArrayType)
    zero, one = em.const(0, I64), em.const(1, I64)
    em.check(_nonempty(em, ds if k is None else [ds[k]]), "ValueError",
             f"attempt to get {kind} of an empty sequence")

    def step(x: Value, i: Value, best: Value, bidx: Value) -> list[Value]:
        take = _better(em, kind, x, best)
        return [em.select(take, x, best), em.select(take, i, bidx)]
    if k is None:
        first = em.op("array.load", [a] + [zero] * t.ndim, t.dtype)

        def body(idx: list[Value], c: list[Value]) -> list[Value]:
            x = em.op("array.load", [a] + idx, t.dtype)
            return step(x, c[2], c[0], c[1]) + [em.op("arith.addi", [c[2], one], I64)]
        _, bidx, _ = loop_nest(em, ds, [first, zero, zero], body)
        return keep_scalar(em, bidx, t.ndim) if keepdims else bidx
    others = ds[:k] + ds[k + 1:]
    out_ext = ds[:k] + [one] + ds[k + 1:] if keepdims else others
    out = em.op("array.alloc", out_ext, ArrayType(I64, len(out_ext), "C"))

    def outer(idx: list[Value], c: list[Value]) -> list[Value]:
        first = em.op("array.load", [a] + idx[:k] + [zero] + idx[k:], t.dtype)

        def inner(i: Value, c2: list[Value]) -> list[Value]:
            x = em.op("array.load", [a] + idx[:k] + [i] + idx[k:], t.dtype)
            return step(x, i, c2[0], c2[1])
        _, bidx = for_loop(em, ds[k], [first, zero], inner)
        where = idx[:k] + [zero] + idx[k:] if keepdims else idx
        em.b.op("array.store", [bidx, out] + where, [])
        return []
    loop_nest(em, others, [], outer)
    return out


def _cumulative(em: Emitter, kind: str, a: Value, ds: list[Value], k: int | None,
                dt: ScalarType) -> Value:
    t = a.type
    assert isinstance(t, ArrayType)
    zero, one = em.const(0, I64), em.const(1, I64)
    combine = _combiner(em, kind, dt)
    init = em.const(0 if kind == "cumsum" else 1, dt)
    if k is None:
        out = em.op("array.alloc", [_count(em, ds)], ArrayType(dt, 1, "C"))

        def body(idx: list[Value], c: list[Value]) -> list[Value]:
            acc = combine(c[0], em.op("array.load", [a] + idx, t.dtype))
            em.b.op("array.store", [acc, out, c[1]], [])
            return [acc, em.op("arith.addi", [c[1], one], I64)]
        loop_nest(em, ds, [init, zero], body)
        return out
    out = em.op("array.alloc", ds, ArrayType(dt, t.ndim, "C"))

    def outer(idx: list[Value], c: list[Value]) -> list[Value]:
        def inner(i: Value, c2: list[Value]) -> list[Value]:
            at = idx[:k] + [i] + idx[k:]
            acc = combine(c2[0], em.op("array.load", [a] + at, t.dtype))
            em.b.op("array.store", [acc, out] + at, [])
            return [acc]
        for_loop(em, ds[k], [init], inner)
        return []
    loop_nest(em, ds[:k] + ds[k + 1:], [], outer)
    return out


__all__ = ["reduction", "reduction_type", "normalize_axis", "result_dtype", "for_loop",
           "loop_nest", "array_reduce", "array_map", "dims", "KINDS"]
