"""Emitting array code that several rules share: extents, loops, index normalization with
NumPy's IndexError checks, Python's slice.indices in IR, allocation and NumPy's casts.

Every function takes the `Emitter` whose builder is at the insertion point and emits only
typed ops.
"""
from __future__ import annotations

from typing import Callable

from ember.ir.builder import Builder
from ember.ir.core import Block, FuncOp, Operation, Region, Value
from ember.ir.types import BOOL, I64, ArrayType, ScalarType, TupleType

from .calls import option
from .emit import Emitter

INDEX_MSG = "index {} is out of bounds for axis {} with size {}"


def boundscheck(op: Operation) -> bool:
    """Whether indexing at `op` checks its bounds: the `boundscheck` attribute of the
    function holding `op` when it has one (ember's own library code sets it false), else the
    jit option of this compilation (true by default)."""
    node: object = op
    while node is not None and not isinstance(node, FuncOp):
        node = getattr(node, "parent", None)
    if isinstance(node, FuncOp) and "boundscheck" in node.attributes:
        return bool(node.attributes["boundscheck"])
    return bool(option("boundscheck", True))


def i64(em: Emitter, x: int) -> Value:
    return em.const(x, I64)


def add(em: Emitter, a: Value, b: Value) -> Value:
    return em.op("arith.addi", [a, b], I64)


def sub(em: Emitter, a: Value, b: Value) -> Value:
    return em.op("arith.subi", [a, b], I64)


def mul(em: Emitter, a: Value, b: Value) -> Value:
    return em.op("arith.muli", [a, b], I64)


def dim(em: Emitter, a: Value, axis: int) -> Value:
    return em.op("array.dim", [a], I64, axis=axis)


def shape(em: Emitter, a: Value) -> list[Value]:
    return [dim(em, a, k) for k in range(a.type.ndim)]  # type: ignore[union-attr]


def shape_tuple(em: Emitter, a: Value) -> Value:
    dims = shape(em, a)
    return em.op("tuple.make", dims, TupleType(tuple(I64 for _ in dims)))


def size(em: Emitter, a: Value) -> Value:
    n = i64(em, 1)
    for d in shape(em, a):
        n = mul(em, n, d)
    return n


# ---- loops --------------------------------------------------------------------------
def for_loop(em: Emitter, lb: Value, ub: Value, body: Callable[[Emitter, Value], None],
             step: Value | None = None) -> None:
    """`for iv in range(lb, ub, step): body(em, iv)` as an scf.for with no carried values."""
    block = Block([I64], ["i"])
    inner = Emitter(Builder(block, em.b.loc))
    body(inner, block.args[0])
    inner.b.op("scf.yield", [], [])
    em.b.op("scf.for", [lb, ub, step if step is not None else i64(em, 1)], [],
            regions=[Region([block])])


def for_nest(em: Emitter, extents: list[Value], body: Callable[[Emitter, list[Value]], None]) -> None:
    """A loop nest over `extents` (row-major order); `body(em, indices)`."""
    if not extents:
        body(em, [])
        return

    def level(e: Emitter, done: list[Value]) -> None:
        k = len(done)
        if k == len(extents):
            body(e, done)
            return
        for_loop(e, i64(e, 0), extents[k], lambda e2, iv: level(e2, done + [iv]))
    level(em, [])


# ---- indices --------------------------------------------------------------------------
def checked_index(em: Emitter, i: Value, n: Value, axis: int, check: bool) -> Value:
    """`i` (any int) made an in-range i64 index into an axis of extent `n`: negative counts
    from the end; when `check`, NumPy's IndexError names the original index."""
    i = em.to_i64(i)
    zero = i64(em, 0)
    j = em.select(em.cmpi("slt", i, zero), add(em, i, n), i)
    if check:
        ok = em.and_(em.cmpi("sge", j, zero), em.cmpi("slt", j, n))
        em.b.op("cf.assert", [ok, i, i64(em, axis), n], [],
                {"exc": "IndexError", "msg": INDEX_MSG})
    return j


def slice_indices(em: Emitter, parts: tuple, n: Value, step_sign: int | None) -> tuple[Value, Value, Value]:
    """Python's slice(start, stop, step).indices(n) in IR, as (start, count, step).
    `parts` holds i64 values or None (absent); `step_sign` is the sign of a step known at
    compile time (None: decided at run time, with the zero-step ValueError)."""
    start, stop, step = parts
    zero, one = i64(em, 0), i64(em, 1)
    if step is None:
        step = one
    if step_sign is None:
        em.check(em.cmpi("ne", step, zero), "ValueError", "slice step cannot be zero")
    neg = None if step_sign is not None else em.cmpi("slt", step, zero)

    def pick(if_neg: Callable[[], Value], if_pos: Callable[[], Value]) -> Value:
        if step_sign is not None:
            return if_neg() if step_sign < 0 else if_pos()
        return em.select(neg, if_neg(), if_pos())  # type: ignore[arg-type]

    lower = pick(lambda: i64(em, -1), lambda: zero)
    upper = pick(lambda: sub(em, n, one), lambda: n)

    def bound(x: Value | None, default: Value) -> Value:
        if x is None:
            return default
        # x < 0: x + n clamped below at lower; else clamped above at upper
        shifted = add(em, x, n)
        low = em.select(em.cmpi("slt", shifted, lower), lower, shifted)
        high = em.select(em.cmpi("sgt", x, upper), upper, x)
        return em.select(em.cmpi("slt", x, zero), low, high)

    b0 = bound(start, pick(lambda: upper, lambda: lower))
    b1 = bound(stop, pick(lambda: lower, lambda: upper))

    def count_pos() -> Value:
        span = sub(em, b1, b0)
        c = add(em, em.op("arith.floordivsi", [sub(em, span, one), step], I64), one)
        return em.select(em.cmpi("slt", b0, b1), c, zero)

    def count_neg() -> Value:
        span = sub(em, b0, b1)
        neg_step = sub(em, zero, step)
        c = add(em, em.op("arith.floordivsi", [sub(em, span, one), neg_step], I64), one)
        return em.select(em.cmpi("slt", b1, b0), c, zero)

    if step_sign is not None:
        count = count_neg() if step_sign < 0 else count_pos()
    else:
        # the step may be zero here only in code the assert above has already left
        safe = em.select(em.cmpi("eq", step, zero), one, step)
        step = safe
        count = em.select(neg, count_neg(), count_pos())  # type: ignore[arg-type]
    return b0, count, step


# ---- allocation and casts -----------------------------------------------------------
def alloc(em: Emitter, dtype: ScalarType, extents: list[Value]) -> Value:
    return em.op("array.alloc", extents, ArrayType(dtype, len(extents), "C"))


def check_extents(em: Emitter, extents: list[Value]) -> None:
    zero = i64(em, 0)
    for e in extents:
        em.check(em.cmpi("sge", e, zero), "ValueError", "negative dimensions are not allowed")


def fill(em: Emitter, arr: Value, value: Value) -> None:
    """Store the scalar `value` (already of the dtype) into every element of `arr`."""
    for_nest(em, shape(em, arr), lambda e, idx: e.b.op("array.store", [value, arr] + idx, []))


def numpy_cast(em: Emitter, v: Value, t: ScalarType) -> Value:
    """NumPy's unsafe scalar cast (what `a[i] = x` and astype do): floats truncate toward
    zero into ints, anything nonzero (nan too) is True."""
    s = v.type
    assert isinstance(s, ScalarType)
    if s == t:
        return v
    try:  # the array-math engineer's cast covers every pair (uint64, nan -> INT64_MIN)
        from .array_ufuncs import np_cast
    except ImportError:
        np_cast = None
    if np_cast is not None:
        return np_cast(em, v, t)
    if t.is_bool:
        if s.is_float:
            return em.cmpf("une", v, em.const(0.0, s))
        return em.cmpi("ne", v, em.const(0, s))
    if t.is_int and s.is_float:
        if t.is_signed:
            return em.op("arith.fptosi", [v], t)
        return em.cast(em.op("arith.fptosi", [v], I64), t)
    if t.is_int and (s.is_int or s.is_bool) and t.bits < s.bits:
        return em.op("arith.trunci", [v], t)
    return em.cast(v, t)


def bool_const(em: Emitter, x: bool) -> Value:
    return em.const(x, BOOL)
