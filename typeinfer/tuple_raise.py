"""Tuples in exception messages: `raise KeyError(k)` with a tuple `k` (what a dict with
tuple keys raises), and tuples formatted by f-strings / `str()` / `repr()` in messages.

The runtime slots hold scalars and strs only, so a tuple operand of `py.raise` is passed
as its leaves (element by element, nested tuples flattened) and the message template is
prefixed by the tuple shape (TUPLE_MARK + shape + TUPLE_MARK; backend/errors_table.py
regroups the leaves into Python tuples before formatting). The Python tuple is then
formatted by Python itself, so `(1, 2.5, 'a')` and `(1,)` read as CPython prints them,
and `KeyError((1, 2)).args == ((1, 2),)`.

This wraps the `py.raise` rules of scalars and strs (typeinfer/raises.py, strings.py):
it applies when any operand is a tuple and emits `cf.raise` itself.
"""
from __future__ import annotations

import string

from ember.ir.core import Operation, Value
from ember.ir.messages import PERCENT_VALUE, TUPLE_MARK
from ember.ir.types import F64, I64, STR, ScalarType, TupleType, Type

from .emit import Emitter
from .lattice import type_name
from .raises import _fields
from .rules import fail, wrap
from .static import runtime_value
from .strings import is_str

# backend/runtime_helpers.ERR_ARG_SLOTS: a str takes two of them (address, size).
_SLOTS = 16


def _shape(t: Type) -> str:
    if isinstance(t, TupleType):
        return "(" + "".join(_shape(e) for e in t.elements) + ")"
    return "."


def _leaf_types(t: Type) -> list[Type]:
    if isinstance(t, TupleType):
        return [x for e in t.elements for x in _leaf_types(e)]
    return [t]


def _leaves(em: Emitter, v: Value) -> list[Value]:
    t = v.type
    if not isinstance(t, TupleType):
        return [v]
    out: list[Value] = []
    for i, e in enumerate(t.elements):
        out += _leaves(em, em.op("tuple.get", [v], e, index=i))
    return out


def _applies(op: Operation, types: list[Type]) -> bool:
    return any(isinstance(t, TupleType) for t in types)


def _percent_fields(msg: str) -> list[bool]:
    """Per replacement field of `msg`: it formats `fmt % x` with x not a tuple literal."""
    return [text.endswith(PERCENT_VALUE) for text, name, _, _ in string.Formatter().parse(msg)
            if name is not None]


def infer_raise(op: Operation, types: list[Type]) -> list[Type]:
    msg = str(op.attributes["msg"])
    for v, t, single in zip(op.operands, types, _percent_fields(msg)):
        if single and isinstance(t, TupleType):
            what = f"'{v.name}'" if v.name else "the value"
            raise fail(op, f"'%' formatting of a tuple ({what}): CPython takes the tuple as the "
                           "argument list; write '... %s' % (t,) to format the tuple, or list "
                           "its elements") from None
    fields = _fields(msg)
    slots = 0
    for v, t, (spec, conv) in zip(op.operands, types, fields):
        what = f" (variable '{v.name}')" if v.name else ""
        for leaf in _leaf_types(t):
            if not (is_str(leaf) or (isinstance(leaf, ScalarType) and not leaf.is_complex)):
                raise fail(op, f"an exception message can format ints, floats, bools, strings "
                               f"and tuples of them, not a value of type '{type_name(t)}'"
                               f"{what}") from None
            slots += 2 if is_str(leaf) else 1
        if isinstance(t, TupleType) and spec and not conv:
            raise fail(op, f"unsupported format string {spec!r} passed to tuple.__format__ "
                           f"(CPython raises TypeError here){what}; format it with !s or "
                           "!r, or format its elements") from None
    if slots > _SLOTS:
        raise fail(op, f"an exception message formats at most {_SLOTS} numbers or "
                       f"{_SLOTS // 2} strings (counting every element of a tuple)") from None
    return []


def lower_raise(em: Emitter, op: Operation, vals: list) -> list:
    infer_raise(op, [v.type for v in vals])
    shape = "".join(_shape(v.type) for v in vals)
    args: list[Value] = []
    for v in vals:
        for leaf in _leaves(em, v):
            t = leaf.type
            if is_str(t):
                args.append(runtime_value(em, leaf))
                assert args[-1].type == STR
            else:
                assert isinstance(t, ScalarType)
                args.append(leaf if t.is_bool else em.cast(leaf, F64 if t.is_float else I64))
    msg = TUPLE_MARK + shape + TUPLE_MARK + str(op.attributes["msg"])
    em.b.op("cf.raise", args, [], {"exc": op.attributes["exc"], "msg": msg})
    return []


wrap("py.raise", _applies, infer_raise, lower_raise)
