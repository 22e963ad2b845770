"""Tuple operations beyond make/get: a run-time index into a homogeneous tuple (what
`for v in t` needs), constant slices, `+` and `*` by a constant, `==` / `!=`, and `in`.

The operator rules for tuples wrap the rules already registered (scalars and arrays):
a wrapper handles tuple operands and hands everything else to the rule it replaced.
Everything here is decided by the tuple types, which know their lengths: no op beyond
tuple.make / tuple.get / scalar compares and selects is emitted, so a tuple stays a
value the passes can take apart (scalar replacement).

A run-time index `t[i]` (negative counts from the end; out of range raises CPython's
IndexError) needs elements that merge to one type, as a variable would (ints and floats
give floats). Elements of one type are picked by `arith.select` (scalars, tuples of them)
or an `scf.if` chain (arrays: the ownership pass sees an ordinary branch).
"""
from __future__ import annotations

from ember.ir.core import Block, Operation, Region, Value
from ember.ir.types import BOOL, I64, ScalarType, TupleType, Type

from .emit import Emitter
from .lattice import is_int_like, is_real, type_name, unify
from .pyops import compare
from .rules import RULES, Rule, fail, wrap
from .static import NotConstant, SliceType, const_value


def _get(em: Emitter, t: Value, i: int) -> Value:
    return em.op("tuple.get", [t], t.type.elements[i], index=i)  # type: ignore[union-attr]


def _make(em: Emitter, elems: list[Value]) -> Value:
    return em.op("tuple.make", elems, TupleType(tuple(e.type for e in elems)))


def _name(op: Operation, k: int = 0) -> str:
    v = op.operands[k]
    return f"'{v.name}'" if v.name else "the tuple"


# ---- t[i] with a run-time i, t[a:b:c] with constants ------------------------------------
def _is_slice(t: Type) -> bool:
    return isinstance(t, SliceType)


def _dynamic_get(op: Operation, types: list[Type]) -> bool:
    if not isinstance(types[0], TupleType) or len(types) != 2:
        return False
    if _is_slice(types[1]):
        return True
    try:
        const_value(op.operands[1])
        return False  # a constant index: indexing.py's rule
    except NotConstant:
        return True


def _slice_positions(op: Operation, n: int) -> list[int]:
    sl = op.operands[1].op  # type: ignore[union-attr]
    try:
        parts = [const_value(v) for v in sl.operands]
    except NotConstant:
        raise fail(op, "a tuple slice needs bounds known at compile time") from None
    for p in parts:
        if p is not None and (isinstance(p, bool) or not isinstance(p, int)):
            raise fail(op, f"slice indices must be integers or None, got {p!r}")
    if parts[2] == 0:
        raise fail(op, "slice step cannot be zero")
    return list(range(n)[slice(*parts)])


def element_type(op: Operation, t: TupleType) -> Type:
    """The one type of a homogeneous tuple's elements (merged as a variable would)."""
    if not t.elements:
        return I64  # `for v in ()`: never read (an index raises IndexError at run time)
    u: Type | None = t.elements[0]
    for e in t.elements[1:]:
        u = unify(u, e) if u is not None else None  # type: ignore[arg-type]
    if u is None:
        raise fail(op, f"{_name(op)} of type {type_name(t)} mixes element types: iterating over "
                       "it or indexing it with a run-time index needs elements of one type "
                       "(index it with constants, or unpack it, instead)")
    return u


def infer_getitem(op: Operation, types: list[Type]) -> list[Type]:
    t = types[0]
    assert isinstance(t, TupleType)
    if _is_slice(types[1]):
        return [TupleType(tuple(t.elements[i] for i in _slice_positions(op, len(t.elements))))]
    if not is_int_like(types[1]):
        raise fail(op, f"tuple indices must be integers, not {type_name(types[1])}")
    return [element_type(op, t)]


def pick(em: Emitter, t: Value, idx: Value, et: Type) -> Value:
    """Element `idx` (in range) of the homogeneous tuple `t`, as type `et`."""
    n = len(t.type.elements)  # type: ignore[union-attr]
    elems = [em.cast(_get(em, t, i), et) for i in range(n)]
    if isinstance(et, ScalarType) or _all_scalar(et):
        acc = elems[-1]
        for i in range(n - 2, -1, -1):
            acc = em.select(em.cmpi("eq", idx, em.const(i, I64)), elems[i], acc)
        return acc
    return _if_chain(em, idx, elems, 0)


def _all_scalar(t: Type) -> bool:
    return isinstance(t, TupleType) and all(isinstance(e, ScalarType) or _all_scalar(e)
                                            for e in t.elements)


def _if_chain(em: Emitter, idx: Value, elems: list[Value], i: int) -> Value:
    if i == len(elems) - 1:
        return elems[i]
    then, other = Block(), Block()
    with em.b.at(then):
        em.b.op("scf.yield", [elems[i]], [])
    with em.b.at(other):
        em.b.op("scf.yield", [_if_chain(em, idx, elems, i + 1)], [])
    cond = em.cmpi("eq", idx, em.const(i, I64))
    op = em.b.op("scf.if", [cond], [elems[i].type], regions=[Region([then]), Region([other])])
    return op.results[0]


def lower_getitem(em: Emitter, op: Operation, vals: list) -> list:
    t = vals[0]
    n = len(t.type.elements)
    if _is_slice(vals[1].type):
        return [_make(em, [_get(em, t, i) for i in _slice_positions(op, n)])]
    et = element_type(op, t.type)
    idx = em.to_i64(vals[1])
    size = em.const(n, I64)
    neg = em.cmpi("slt", idx, em.const(0, I64))
    idx = em.select(neg, em.op("arith.addi", [idx, size], I64), idx)
    inside = em.and_(em.cmpi("sge", idx, em.const(0, I64)), em.cmpi("slt", idx, size))
    em.check(inside, "IndexError", "tuple index out of range")
    if n == 0:
        return [em.const(0, I64)]
    return [pick(em, t, idx, et)]


wrap("py.getitem", _dynamic_get, infer_getitem, lower_getitem)


# ---- t1 + t2, t * k -----------------------------------------------------------------------
def _both_tuples(op: Operation, types: list[Type]) -> bool:
    return len(types) == 2 and all(isinstance(t, TupleType) for t in types)


def infer_concat(op: Operation, types: list[Type]) -> list[Type]:
    return [TupleType(types[0].elements + types[1].elements)]  # type: ignore[union-attr]


def lower_concat(em: Emitter, op: Operation, vals: list) -> list:
    a, b = vals
    return [_make(em, [_get(em, a, i) for i in range(len(a.type.elements))]
                  + [_get(em, b, i) for i in range(len(b.type.elements))])]


wrap("py.add", _both_tuples, infer_concat, lower_concat)


def _repeat_applies(op: Operation, types: list[Type]) -> bool:
    return len(types) == 2 and any(isinstance(t, TupleType) for t in types)


def _repeat_count(op: Operation, types: list[Type]) -> tuple[int, int]:
    """(position of the tuple operand, the constant count)."""
    k = 0 if isinstance(types[0], TupleType) else 1
    other = types[1 - k]
    if isinstance(other, TupleType):
        raise fail(op, "can't multiply sequence by non-int of type 'tuple'")
    if not is_int_like(other):
        raise fail(op, f"can't multiply sequence by non-int of type '{type_name(other)}'")
    try:
        count = const_value(op.operands[1 - k])
    except NotConstant:
        raise fail(op, "a tuple can only be repeated a number of times known at compile time "
                       "(the length is part of its type)") from None
    return k, max(int(count), 0)


def infer_repeat(op: Operation, types: list[Type]) -> list[Type]:
    k, count = _repeat_count(op, types)
    return [TupleType(types[k].elements * count)]  # type: ignore[union-attr]


def lower_repeat(em: Emitter, op: Operation, vals: list) -> list:
    k, count = _repeat_count(op, [v.type for v in vals])
    t = vals[k]
    return [_make(em, [_get(em, t, i) for i in range(len(t.type.elements))] * count)]


wrap("py.mul", _repeat_applies, infer_repeat, lower_repeat)


# ---- ==, != -------------------------------------------------------------------------------
def _any_tuple(op: Operation, types: list[Type]) -> bool:
    return len(types) == 2 and any(isinstance(t, TupleType) for t in types)


def _equal(em: Emitter, op: Operation, a: Value, b: Value) -> Value:
    """Python's `a == b` as a bool, for tuples (element by element) and what the py.eq rule
    takes; a type-level difference (lengths, a tuple against a number) is a constant."""
    ta, tb = a.type, b.type
    if isinstance(ta, TupleType) or isinstance(tb, TupleType):
        if not (isinstance(ta, TupleType) and isinstance(tb, TupleType)) \
                or len(ta.elements) != len(tb.elements):
            return em.const(False, BOOL)
        acc = em.const(True, BOOL)
        for i in range(len(ta.elements)):
            acc = em.and_(acc, _equal(em, op, _get(em, a, i), _get(em, b, i)))
        return acc
    _check_equal(op, ta, tb)
    if isinstance(ta, ScalarType) and isinstance(tb, ScalarType) \
            and (ta.is_complex or tb.is_complex):
        from .complexops import equal
        return equal(em, a, b)
    return compare(em, "eq", a, b)


def _check_equal(op: Operation, ta: Type, tb: Type) -> None:
    if isinstance(ta, TupleType) and isinstance(tb, TupleType):
        if len(ta.elements) == len(tb.elements):
            for x, y in zip(ta.elements, tb.elements):
                _check_equal(op, x, y)
        return
    if isinstance(ta, TupleType) or isinstance(tb, TupleType):
        return
    scalars = isinstance(ta, ScalarType) and isinstance(tb, ScalarType)
    if not scalars or not ((is_real(ta) and is_real(tb)) or ta.is_complex or tb.is_complex):
        raise fail(op, f"comparing tuples holding {type_name(ta)} and {type_name(tb)} elements "
                       "is not supported (an element comparison must give one bool)")


def infer_eq(op: Operation, types: list[Type]) -> list[Type]:
    _check_equal(op, types[0], types[1])
    return [BOOL]


def lower_eq(em: Emitter, op: Operation, vals: list) -> list:
    r = _equal(em, op, vals[0], vals[1])
    return [em.not_(r) if op.name == "py.ne" else r]


wrap("py.eq", _any_tuple, infer_eq, lower_eq)
wrap("py.ne", _any_tuple, infer_eq, lower_eq)


# ---- x in t ---------------------------------------------------------------------------------
def infer_in(op: Operation, types: list[Type]) -> list[Type]:
    item, box = types
    if not isinstance(box, TupleType):
        raise fail(op, f"`in` is supported on tuples in ember, not on {type_name(box)}")
    for e in box.elements:
        _check_equal(op, item, e)
    return [BOOL]


def lower_in(em: Emitter, op: Operation, vals: list) -> list:
    item, box = vals
    infer_in(op, [item.type, box.type])
    acc = em.const(False, BOOL)
    for i in range(len(box.type.elements)):
        acc = em.or_(acc, _equal(em, op, item, _get(em, box, i)))
    return [acc]


if "py.in" in RULES:  # another container's rule came first: handle only tuples
    wrap("py.in", lambda op, types: isinstance(types[1], TupleType), infer_in, lower_in)
else:
    RULES["py.in"] = Rule(infer_in, lower_in)
