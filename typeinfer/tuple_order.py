"""Ordering of tuples: `<`, `<=`, `>`, `>=` (lexicographic, as CPython), and `min` / `max`
of tuples (and of strs) given as two or more values, which is also what `min(xs)` /
`max(xs)` over a list builds (frontend/iteration.py). `sorted()` and `list.sort()` of a
list of tuples then work too: listlib's merge sort compares its elements with `<`.

CPython's rule: find the first position where the elements differ by `==`; the answer is
the operator applied to those two elements; when one tuple is a prefix of the other, the
lengths decide. So a nan element (never equal to itself) decides at its position:
`(nan, 1) < (nan, 2)` is False. (CPython also counts an object as equal to itself by
identity; ember compares values, so the same nan object in both tuples still differs.)

Everything is decided by the tuple types, which know their lengths: the result is a chain
of `arith.select` over the element comparisons, no loop and no branch. Element pairs must
be ordered at compile time (numbers with numbers, strs with strs, tuples with tuples),
even at a position CPython would not reach: a pair that cannot be ordered is a
TypingError at the comparison, not a run-time TypeError.
"""
from __future__ import annotations

from ember.ir.core import Operation, Value
from ember.ir.types import BOOL, ScalarType, TupleType, Type

from .emit import Emitter
from .lattice import type_name, unify
from .pyops import compare
from .rules import fail, wrap
from .static import runtime_type, runtime_value
from .strings import _equal as equal
from .strings import is_str

_SYMBOLS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_PY = {"lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
       "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b}


def orderable(t: Type) -> bool:
    """`<` between two values of type `t` is defined (what sorting a list needs)."""
    if isinstance(t, TupleType):
        return all(orderable(e) for e in t.elements)
    return is_str(t) or (isinstance(t, ScalarType) and not t.is_complex)


def _python_name(t: Type) -> str:
    if isinstance(t, TupleType):
        return "tuple"
    if is_str(t):
        return "str"
    if isinstance(t, ScalarType):
        return "float" if t.is_float else "bool" if t.is_bool else "complex" if t.is_complex \
            else "int"
    return type_name(t)


def check_order(op: Operation, kind: str, a: Type, b: Type) -> None:
    """A TypingError at `op` unless `a <kind> b` is defined element by element."""
    if isinstance(a, TupleType) and isinstance(b, TupleType):
        for x, y in zip(a.elements, b.elements):
            check_order(op, kind, x, y)
        return
    ok = (is_str(a) and is_str(b)) or (
        isinstance(a, ScalarType) and isinstance(b, ScalarType)
        and not a.is_complex and not b.is_complex)
    if not ok:
        raise fail(op, f"'{_SYMBOLS[kind]}' not supported between instances of "
                       f"'{_python_name(a)}' and '{_python_name(b)}' (in ember, tuples order "
                       "when their elements pairwise are numbers, strs or tuples of them)")


def less(em: Emitter, op: Operation, kind: str, a: Value, b: Value) -> Value:
    """Python's `a <kind> b` (kind lt/le/gt/ge) for tuples, strs and real scalars."""
    ta, tb = a.type, b.type
    if isinstance(ta, TupleType) and isinstance(tb, TupleType):
        n = min(len(ta.elements), len(tb.elements))
        # all of the common prefix equal: the lengths decide
        acc = em.const(_PY[kind](len(ta.elements), len(tb.elements)), BOOL)
        for i in range(n - 1, -1, -1):
            x = em.op("tuple.get", [a], ta.elements[i], index=i)
            y = em.op("tuple.get", [b], tb.elements[i], index=i)
            acc = em.select(equal(em, op, x, y), acc, less(em, op, kind, x, y))
        return acc
    if is_str(ta) and is_str(tb):
        a, b = runtime_value(em, a), runtime_value(em, b)
        if kind == "lt":
            return em.op("str.lt", [a, b], BOOL)
        if kind == "gt":
            return em.op("str.lt", [b, a], BOOL)
        if kind == "le":
            return em.not_(em.op("str.lt", [b, a], BOOL))
        return em.not_(em.op("str.lt", [a, b], BOOL))
    return compare(em, kind, a, b)


# ---- <, <=, >, >= -------------------------------------------------------------------------
def _any_tuple(op: Operation, types: list[Type]) -> bool:
    return len(types) == 2 and any(isinstance(t, TupleType) for t in types)


def infer_order(op: Operation, types: list[Type]) -> list[Type]:
    check_order(op, op.name[3:], types[0], types[1])
    return [BOOL]


def lower_order(em: Emitter, op: Operation, vals: list) -> list:
    kind = op.name[3:]
    check_order(op, kind, vals[0].type, vals[1].type)
    return [less(em, op, kind, vals[0], vals[1])]


for _k in _SYMBOLS:
    wrap(f"py.{_k}", _any_tuple, infer_order, lower_order)


# ---- min, max of tuples or strs -------------------------------------------------------------
def _minmax_applies(op: Operation, types: list[Type]) -> bool:
    return any(isinstance(t, TupleType) or is_str(t) for t in types)


def infer_minmax(op: Operation, types: list[Type]) -> list[Type]:
    name = op.name[3:]
    types = [runtime_type(t) for t in types]
    t: Type | None = types[0]
    for u in types[1:]:
        m = unify(t, u)  # type: ignore[arg-type]
        if m is None:
            raise fail(op, f"{name}() of {type_name(t)} and {type_name(u)} values: the result "  # type: ignore[arg-type]
                           "is one of them, and ember needs one type for it (strs, or tuples "
                           "of one length whose elements merge: ints with floats)")
        t = m
    assert t is not None
    check_order(op, "lt", t, t)
    return [t]


def lower_minmax(em: Emitter, op: Operation, vals: list) -> list:
    t = infer_minmax(op, [v.type for v in vals])[0]
    kind = "lt" if op.name == "py.min" else "gt"
    vals = [runtime_value(em, v) for v in vals]
    acc = em.cast(vals[0], t)
    for v in vals[1:]:
        # CPython keeps the running value unless the new one is strictly better
        better = less(em, op, kind, v, acc)
        acc = em.select(better, em.cast(v, t), acc)
    return [acc]


for _n in ("py.min", "py.max"):
    wrap(_n, _minmax_applies, infer_minmax, lower_minmax)
