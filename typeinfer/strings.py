"""Strings as run-time values: where a string literal stops being a compile-time key.

A `py.str` literal is typed `StringLiteral` (static.py) so that records can read `d["k"]`
at compile time. Where a run-time value is needed it becomes `str.constant` of type `str`
(`runtime_type` / `runtime_value`): in a tuple or a record, passed to a function, returned,
merged at a branch or loop (propagate / rebuild call these), or formatted by `raise`. A
Python str argument is `str` from the start.

Operators on strings (wrapping the rules registered before, like tuples.py does):
`==` / `!=` (str.eq; a str against a number or None is simply unequal, as in CPython),
`<` `<=` `>` `>=` (str.lt: bytewise UTF-8 order is code point order), `len` (str.len),
truth (non-empty), `not`, `s in (..)` over tuples holding strs, tuple `==` with str
elements. Two literals fold to a constant. Anything else on a str (`+`, indexing, methods,
substring `in`) is a TypingError at its line.
"""
from __future__ import annotations

from ember.ir.core import Operation, Value
from ember.ir.types import BOOL, F64, I64, NONE, STR, ScalarType, StrType, TupleType, Type

from .emit import Emitter
from .lattice import type_name
from .raises import _fields
from .rules import RULES, Rule, fail
from .static import StringLiteral, runtime_type, runtime_value

# backend/runtime_helpers.ERR_ARG_SLOTS: a str takes two of them (address, size).
_SLOTS = 16


def is_str(t: Type) -> bool:
    return isinstance(t, (StrType, StringLiteral))


def has_str(t: Type) -> bool:
    """A str, or a tuple holding one at any depth."""
    if isinstance(t, TupleType):
        return any(has_str(e) for e in t.elements)
    return is_str(t)


def _literal(v) -> str | None:
    return v.type.value if isinstance(getattr(v, "type", None), StringLiteral) else None


def _wrap(name: str, applies, infer, lower) -> None:
    base = RULES[name]

    def infer_w(op: Operation, types: list[Type]) -> list[Type]:
        return infer(op, types, base) if applies(types) else base.infer(op, types)

    def lower_w(em: Emitter, op: Operation, vals: list) -> list:
        if applies([v.type for v in vals]):
            return lower(em, op, vals, base)
        return base.lower(em, op, vals)
    RULES[name] = Rule(infer_w, lower_w)


# ---- containers and messages: literals become run-time strs -----------------------------
def _any_literal(types: list[Type]) -> bool:
    return any(isinstance(t, StringLiteral) for t in types)


def _convert_infer(op: Operation, types: list[Type], base: Rule) -> list[Type]:
    return base.infer(op, [runtime_type(t) for t in types])


def _convert_lower(em: Emitter, op: Operation, vals: list, base: Rule) -> list:
    return base.lower(em, op, [runtime_value(em, v) for v in vals])


for _n in ("tuple.make", "record.make", "record.set"):
    if _n in RULES:
        _wrap(_n, _any_literal, _convert_infer, _convert_lower)


def _raise_applies(types: list[Type]) -> bool:
    return any(is_str(t) for t in types)


def _infer_raise(op: Operation, types: list[Type], base: Rule) -> list[Type]:
    fields = _fields(str(op.attributes["msg"]))
    slots = sum(2 if is_str(t) else 1 for t in types)
    if slots > _SLOTS:
        raise fail(op, f"an exception message formats at most {_SLOTS} numbers or "
                       f"{_SLOTS // 2} strings") from None
    for t, (spec, conv) in zip(types, fields):
        if is_str(t) and not conv:
            try:
                format("", spec)
            except ValueError as e:
                raise fail(op, f"invalid format spec {spec!r} for a string: {e}") from None
    # the base rule checks the other operands; a str stands in as an int there
    return base.infer(op, [I64 if is_str(t) else t for t in types])


def _lower_raise(em: Emitter, op: Operation, vals: list, base: Rule) -> list:
    args = []
    for v in vals:
        t = v.type
        if is_str(t):
            args.append(runtime_value(em, v))
        else:
            assert isinstance(t, ScalarType)
            args.append(v if t.is_bool else em.cast(v, F64 if t.is_float else I64))
    em.b.op("cf.raise", args, [], {"exc": op.attributes["exc"], "msg": op.attributes["msg"]})
    return []


_wrap("py.raise", _raise_applies, _infer_raise, _lower_raise)


# ---- ==, != ---------------------------------------------------------------------------
def _check_eq(op: Operation, a: Type, b: Type) -> None:
    """Reject what has no one-bool answer (a str against an array); the rest is decided
    by `_equal`."""
    if isinstance(a, TupleType) and isinstance(b, TupleType):
        if len(a.elements) == len(b.elements):
            for x, y in zip(a.elements, b.elements):
                _check_eq(op, x, y)
        return
    if is_str(a) or is_str(b):
        other = b if is_str(a) else a
        if not (is_str(other) or isinstance(other, (ScalarType, TupleType)) or other == NONE):
            raise fail(op, f"comparing a str with a value of type {type_name(other)} is not "
                           "supported") from None
        return
    from .tuples import _check_equal
    _check_equal(op, a, b)


def _equal(em: Emitter, op: Operation, a, b) -> Value:
    ta, tb = a.type, b.type
    if isinstance(ta, TupleType) and isinstance(tb, TupleType):
        if len(ta.elements) != len(tb.elements):
            return em.const(False, BOOL)
        acc = em.const(True, BOOL)
        for i in range(len(ta.elements)):
            x = em.op("tuple.get", [a], ta.elements[i], index=i)
            y = em.op("tuple.get", [b], tb.elements[i], index=i)
            acc = em.and_(acc, _equal(em, op, x, y))
        return acc
    if is_str(ta) and is_str(tb):
        la, lb = _literal(a), _literal(b)
        if la is not None and lb is not None:
            return em.const(la == lb, BOOL)
        return em.op("str.eq", [runtime_value(em, a), runtime_value(em, b)], BOOL)
    if is_str(ta) or is_str(tb):
        return em.const(False, BOOL)  # a str never equals a number, a tuple or None
    from .tuples import _equal as tuple_equal
    return tuple_equal(em, op, a, b)


def _eq_applies(types: list[Type]) -> bool:
    return len(types) == 2 and any(has_str(t) for t in types)


def _infer_eq(op: Operation, types: list[Type], base: Rule) -> list[Type]:
    _check_eq(op, types[0], types[1])
    return [BOOL]


def _lower_eq(em: Emitter, op: Operation, vals: list, base: Rule) -> list:
    _check_eq(op, vals[0].type, vals[1].type)
    r = _equal(em, op, vals[0], vals[1])
    return [em.not_(r) if op.name == "py.ne" else r]


_wrap("py.eq", _eq_applies, _infer_eq, _lower_eq)
_wrap("py.ne", _eq_applies, _infer_eq, _lower_eq)


# ---- <, <=, >, >= -----------------------------------------------------------------------
_SYMBOLS = {"py.lt": "<", "py.le": "<=", "py.gt": ">", "py.ge": ">="}


def _order_applies(types: list[Type]) -> bool:
    return len(types) == 2 and any(is_str(t) for t in types)


def _infer_order(op: Operation, types: list[Type], base: Rule) -> list[Type]:
    a, b = types
    if not (is_str(a) and is_str(b)):
        names = ["str" if is_str(t) else type_name(t) for t in types]
        raise fail(op, f"'{_SYMBOLS[op.name]}' not supported between instances of "
                       f"'{names[0]}' and '{names[1]}'") from None
    return [BOOL]


def _lower_order(em: Emitter, op: Operation, vals: list, base: Rule) -> list:
    _infer_order(op, [v.type for v in vals], base)
    a, b = vals
    la, lb = _literal(a), _literal(b)
    if la is not None and lb is not None:
        py = {"py.lt": la < lb, "py.le": la <= lb, "py.gt": la > lb, "py.ge": la >= lb}
        return [em.const(py[op.name], BOOL)]
    a, b = runtime_value(em, a), runtime_value(em, b)
    if op.name == "py.lt":
        return [em.op("str.lt", [a, b], BOOL)]
    if op.name == "py.gt":
        return [em.op("str.lt", [b, a], BOOL)]
    if op.name == "py.le":
        return [em.not_(em.op("str.lt", [b, a], BOOL))]
    return [em.not_(em.op("str.lt", [a, b], BOOL))]


for _n in _SYMBOLS:
    _wrap(_n, _order_applies, _infer_order, _lower_order)


# ---- len, truth, not ----------------------------------------------------------------------
def _one_str(types: list[Type]) -> bool:
    return len(types) == 1 and is_str(types[0])


def _infer_len(op: Operation, types: list[Type], base: Rule) -> list[Type]:
    return [I64]


def _lower_len(em: Emitter, op: Operation, vals: list, base: Rule) -> list:
    lit = _literal(vals[0])
    if lit is not None:
        return [em.const(len(lit), I64)]
    return [em.op("str.len", [vals[0]], I64)]


def truth(em: Emitter, v) -> Value:
    """bool(s): not empty (an equality with "" is a length test once LLVM folds memcmp(.., 0))."""
    lit = _literal(v)
    if lit is not None:
        return em.const(bool(lit), BOOL)
    empty = em.op("str.constant", [], STR, value="")
    return em.not_(em.op("str.eq", [v, empty], BOOL))


def _infer_bool(op: Operation, types: list[Type], base: Rule) -> list[Type]:
    return [BOOL]


def _lower_truth(em: Emitter, op: Operation, vals: list, base: Rule) -> list:
    t = truth(em, vals[0])
    return [em.not_(t) if op.name == "py.not" else t]


_wrap("py.len", _one_str, _infer_len, _lower_len)
for _n in ("py.truth", "py.bool", "py.not"):
    _wrap(_n, _one_str, _infer_bool, _lower_truth)


# ---- x in container ---------------------------------------------------------------------
def _in_applies(types: list[Type]) -> bool:
    return len(types) == 2 and (is_str(types[1]) or (isinstance(types[1], TupleType)
                                                     and any(has_str(t) for t in types)))


def _infer_in(op: Operation, types: list[Type], base: Rule) -> list[Type]:
    item, box = types
    if is_str(box):
        raise fail(op, "`in` on a str (substring search) is not supported by ember") from None
    assert isinstance(box, TupleType)
    for e in box.elements:
        _check_eq(op, item, e)
    return [BOOL]


def _lower_in(em: Emitter, op: Operation, vals: list, base: Rule) -> list:
    item, box = vals
    _infer_in(op, [item.type, box.type], base)
    acc = em.const(False, BOOL)
    for i, e in enumerate(box.type.elements):
        acc = em.or_(acc, _equal(em, op, item, em.op("tuple.get", [box], e, index=i)))
    return [acc]


_wrap("py.in", _in_applies, _infer_in, _lower_in)
