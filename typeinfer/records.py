"""Type rules of records (dicts with string keys known at compile time).

`record.make` / `record.set` type from their operands; reads `d["k"]`, `d.get("k", x)`,
`len(d)` and `"k" in d` are resolved at compile time against the record's key set, so no
hashing is left at run time. A key the record lacks is a `StaticKeyError` (a TypingError
that is also a KeyError) at the reading line. The rules for `py.getitem`, `py.len` and
`py.callmethod` are wrapped: any other operand type goes to the rule registered before.

Values are numbers, bools, strs, arrays, lists and tuples of those. An array in a record is
shared as in a tuple: `p["a"][i] = v` writes into the array `p["a"]` names (the record
holds a reference, counted by ir/passes/ownership.py); nested records are not supported yet.
"""
from __future__ import annotations

from ember.ir.core import Operation, Value
from ember.ir.errors import TypingError
from ember.ir.opdefs import record_keys
from ember.ir.types import BOOL, I64, NONE, ArrayType, RecordType, TupleType, Type

from .emit import Emitter
from .lattice import type_name
from .rules import fail, rule, wrap
from .static import StringLiteral, is_static


class StaticKeyError(TypingError, KeyError):
    """A literal key that the record does not have: Python's KeyError, found at compile time."""

    def __str__(self) -> str:  # KeyError quotes its argument; keep the rendered message
        return TypingError.__str__(self)


def _value_ok(op: Operation, t: Type, key: str) -> None:
    if isinstance(t, TupleType):
        for e in t.elements:
            _value_ok(op, e, key)
        return
    if isinstance(t, ArrayType):  # shared with the record, like an array in a tuple
        return
    if isinstance(t, RecordType):
        raise fail(op, f"dict value {key!r} is a dict: nested dicts are not supported yet")
    if is_static(t) or t == NONE:
        raise fail(op, f"dict value {key!r} of type {type_name(t)} cannot be stored in a dict")


def _name(op: Operation) -> str:
    v = op.operands[0]
    return f"dict '{v.name}'" if v.name else "the dict"


def _record(op: Operation, t: Type, what: str) -> RecordType:
    if not isinstance(t, RecordType):
        raise fail(op, f"{what} needs a dict with string-literal keys, but {_name(op)} has type "
                       f"{type_name(t)}")
    return t


def _field(op: Operation, t: RecordType, key: str) -> Type:
    ft = t.field(key)
    if ft is None:
        keys = ", ".join(repr(k) for k in t.keys)
        raise StaticKeyError(f"KeyError: {key!r}: {_name(op)} has no key {key!r} "
                             f"(its keys: {keys})", op.loc)
    return ft


# ---- make / set / has ----------------------------------------------------------------
def infer_make(op: Operation, types: list[Type]) -> list[Type]:
    keys = record_keys(op.attributes["keys"])
    for k, t in zip(keys, types):
        _value_ok(op, t, k)
    return [RecordType(keys, tuple(types))]


@rule("record.make", infer=infer_make)
def lower_make(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    t = infer_make(op, [v.type for v in vals])[0]
    return [em.op("record.make", vals, t, keys=op.attributes["keys"])]


def set_type(t: RecordType, key: str, v: Type) -> RecordType:
    """The record after `d[key] = value of type v` (the key takes the value's type)."""
    if key in t.keys:
        i = t.keys.index(key)
        return RecordType(t.keys, t.types[:i] + (v,) + t.types[i + 1:])
    return RecordType(t.keys + (key,), t.types + (v,))


def infer_set(op: Operation, types: list[Type]) -> list[Type]:
    key = str(op.attributes["key"])
    t = _record(op, types[0], f"d[{key!r}] = ...")
    _value_ok(op, types[1], key)
    return [set_type(t, key, types[1])]


@rule("record.set", infer=infer_set)
def lower_set(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    t = infer_set(op, [v.type for v in vals])[0]
    return [em.op("record.set", vals, t, key=op.attributes["key"])]


def infer_has(op: Operation, types: list[Type]) -> list[Type]:
    _record(op, types[0], f"{op.attributes['key']!r} in ...")
    return [BOOL]


@rule("record.has", infer=infer_has)
def lower_has(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    t = _record(op, vals[0].type, "in")
    return [em.const(str(op.attributes["key"]) in t.keys, BOOL)]


# ---- wrapped rules: d["k"], len(d), d.get("k", default) ------------------------------
def _getitem_key(op: Operation, types: list[Type]) -> str:
    t = types[0]
    if len(types) != 2 or not isinstance(types[1], StringLiteral):
        raise fail(op, f"{_name(op)} of type {type_name(t)} can only be indexed with one string "
                       "literal key (d['k'])")
    return types[1].value


def _infer_getitem(op: Operation, types: list[Type]) -> list[Type]:
    return [_field(op, types[0], _getitem_key(op, types))]  # type: ignore[arg-type]


def _lower_getitem(em: Emitter, op: Operation, vals: list) -> list:
    types = [v.type for v in vals]
    key = _getitem_key(op, types)
    return [em.op("record.get", [vals[0]], _field(op, types[0], key), key=key)]


def _infer_len(op: Operation, types: list[Type]) -> list[Type]:
    return [I64]


def _lower_len(em: Emitter, op: Operation, vals: list) -> list:
    return [em.const(len(vals[0].type.keys), I64)]


def _get_args(op: Operation, types: list[Type]) -> tuple[str, Type | None]:
    if op.attributes.get("kwnames") or not 2 <= len(types) <= 3 \
            or not isinstance(types[1], StringLiteral):
        raise fail(op, "d.get() on a record takes a string-literal key and an optional "
                       "default: d.get('k', default)")
    if len(types) == 2:
        raise fail(op, "d.get('k') without a default may return None, which ember does not "
                       "support as a value: pass a default (d.get('k', 0.0))")
    return types[1].value, types[2]


def _infer_get(op: Operation, types: list[Type]) -> list[Type]:
    key, default = _get_args(op, types)
    t = types[0]
    assert isinstance(t, RecordType)
    return [t.field(key) if key in t.keys else default]  # type: ignore[list-item]


def _lower_get(em: Emitter, op: Operation, vals: list) -> list:
    key, _ = _get_args(op, [v.type for v in vals])
    t = vals[0].type
    if key in t.keys:
        return [em.op("record.get", [vals[0]], t.field(key), key=key)]
    return [vals[2]]


def _is_record(op: Operation, types: list[Type]) -> bool:
    return bool(types) and isinstance(types[0], RecordType)


def _is_record_method(op: Operation, types: list[Type]) -> bool:
    if not _is_record(op, types):
        return False
    if op.attributes.get("name") != "get":
        raise fail(op, f"dicts with string-literal keys support d['k'], d.get('k', default), "
                       f"len(d) and 'k' in d; not the method .{op.attributes.get('name')}()")
    return True


wrap("py.getitem", _is_record, _infer_getitem, _lower_getitem)
wrap("py.len", _is_record, _infer_len, _lower_len)
wrap("py.callmethod", _is_record_method, _infer_get, _lower_get)
