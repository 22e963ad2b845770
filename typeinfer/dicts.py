"""Type rules of runtime dicts: a typed hash map (docs/containers.md).

Key and value types come from every store (typeinfer/sites.py), as a list's element
type does. Keys are ints, bools, floats, strs or tuples of those; a string literal used as
a key is a run-time str. Every operation is a library call of typeinfer/dictlib.py (Python
compiled by ember); this file types them, casts keys and values to the dict's types, and
provides the two primitives the library reads a dict with: `d.__ember_parts__()` (its
five lists) and `d.__ember_hash__(k)` (the hash of a key).
"""
from __future__ import annotations

from ember.ir.core import Operation, Value
from ember.ir.types import (BOOL, BOTTOM, I64, NONE, STR, DictType, ListType, RecordType, ScalarType,
                            StrType, TupleType, Type)

from . import dictlib
from .calls import library_call, library_call_type
from .emit import NONE_VALUE, Emitter
from .lattice import type_name, unify
from .lists import element_ok
from .rules import fail, rule, wrap
from .sites import active, container_name, widen_dict
from .static import runtime_type, runtime_value


def parts_type(t: DictType) -> TupleType:
    """The five lists of a dict (typeinfer/dictlib.py): keys, values, hashes, table, meta."""
    return TupleType((ListType(t.key), ListType(t.value), ListType(I64), ListType(I64), ListType(I64)))


def key_ok(op: Operation, t: Type) -> None:
    if isinstance(t, TupleType):
        for e in t.elements:
            key_ok(op, e)
        return
    if isinstance(t, StrType) or (isinstance(t, ScalarType) and not t.is_complex):
        return
    raise fail(op, f"a dict key cannot be a {type_name(t)}: keys are ints, floats, bools, strs "
                   "or tuples of those")


def _is_dict(op: Operation, types: list[Type]) -> bool:
    return bool(types) and isinstance(types[0], DictType)


def _name(op: Operation) -> str:
    return container_name(op, 0, "dict")


def _lookup_key(op: Operation, d: DictType, t: Type) -> Type:
    """The key type a read with a key of type `t` uses (the dict's; an int key reads a
    float-keyed dict)."""
    t = runtime_type(t)
    if d.key == BOTTOM:
        return t
    if unify(d.key, t) != d.key:
        raise fail(op, f"{_name(op)} has {type_name(d.key)} keys: it cannot be looked up with a "
                       f"{type_name(t)}")
    return d.key


def _packed_types(types: list[Type], start: int) -> list[Type]:
    """`d[a, b]` gives one operand per element (frontend/subscripts.py): for a dict the key
    is the tuple (a, b)."""
    if len(types) <= start + 1:
        return types
    return types[:start] + [TupleType(tuple(runtime_type(t) for t in types[start:]))]


def _packed_vals(em: Emitter, vals: list, start: int) -> list:
    if len(vals) <= start + 1:
        return vals
    parts = [runtime_value(em, v) for v in vals[start:]]
    return vals[:start] + [em.op("tuple.make", parts, TupleType(tuple(p.type for p in parts)))]


def _known(d: DictType) -> bool:
    return d.key != BOTTOM and d.value != BOTTOM


def _key(em: Emitter, d: Value, k: Value) -> Value:
    return em.cast(runtime_value(em, k), d.type.key)  # type: ignore[attr-defined]


def _value(em: Emitter, d: Value, v: Value) -> Value:
    return em.cast(runtime_value(em, v), d.type.value)  # type: ignore[attr-defined]


# ---- making ------------------------------------------------------------------------
def infer_make(op: Operation, types: list[Type]) -> list[Type]:
    table = active()
    if table is None:
        raise fail(op, "a dict made outside type inference")
    site = table.site_for(op, 2)
    for k, v in zip(types[0::2], types[1::2]):
        k, v = runtime_type(k), runtime_type(v)
        key_ok(op, k)
        element_ok(op, v, "a dict")
        table.widen(site, 0, k, op, "this dict's keys")
        table.widen(site, 1, v, op, "this dict")
    kt, vt = table.get(site)
    if types and kt != BOTTOM and vt != BOTTOM:
        library_call_type(op, dictlib.setitem, [DictType(kt, vt), kt, vt])
    return [DictType(kt, vt, site)]


@rule("py.dict", infer=infer_make)
def lower_make(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    t = em.expected[0]
    assert isinstance(t, DictType)
    if not _known(t):
        raise fail(op, "cannot infer the key and value types of this dict: nothing is ever "
                       "stored in it (ember needs one store, d[k] = v, to type a dict)")
    d = em.op("dict.new", [], DictType(t.key, t.value))
    for k, v in zip(vals[0::2], vals[1::2]):
        library_call(em, op, dictlib.setitem, [d, _key(em, d, k), _value(em, d, v)])
    return [d]


def _setitem_types(t: DictType) -> list[Type]:
    return [t, t.key, t.value]


# ---- d[k], d[k] = v, del d[k], k in d, len(d), truth -------------------------------------
def _infer_getitem(op: Operation, types: list[Type]) -> list[Type]:
    types = _packed_types(types, 1)
    d = types[0]
    assert isinstance(d, DictType)
    if len(types) != 2:
        raise fail(op, f"{_name(op)} takes one key")
    kt = _lookup_key(op, d, types[1])
    if not _known(d):
        return [BOTTOM]
    return [library_call_type(op, dictlib.getitem, [d, kt])]


def _lower_getitem(em: Emitter, op: Operation, vals: list) -> list:
    vals = _packed_vals(em, vals, 1)
    return [library_call(em, op, dictlib.getitem, [vals[0], _key(em, vals[0], vals[1])])]


wrap("py.getitem", _is_dict, _infer_getitem, _lower_getitem)


def _infer_setitem(op: Operation, types: list[Type]) -> list[Type]:
    types = _packed_types(types, 2)
    d, v, k = types[0], runtime_type(types[1]), runtime_type(types[2])
    assert isinstance(d, DictType)
    key_ok(op, k)
    element_ok(op, v, _name(op))
    kt, vt = widen_dict(op, d, k, v)
    if kt != BOTTOM and vt != BOTTOM:
        library_call_type(op, dictlib.setitem, [DictType(kt, vt), kt, vt])
    return []


def _lower_setitem(em: Emitter, op: Operation, vals: list) -> list:
    d, v, k = _packed_vals(em, vals, 2)
    library_call(em, op, dictlib.setitem, [d, _key(em, d, k), _value(em, d, v)])
    return []


wrap("py.setitem", _is_dict, _infer_setitem, _lower_setitem)


def _keyed(fn, result: Type | None = None):
    """infer / lower of a library call fn(d, key)."""
    def infer(op: Operation, types: list[Type]) -> list[Type]:
        types = _packed_types(types, 1)
        d = types[0]
        assert isinstance(d, DictType)
        kt = _lookup_key(op, d, types[1])
        if not _known(d):
            return [BOTTOM] if result is None else [result]
        r = library_call_type(op, fn, [d, kt])
        return [r] if result is None else ([result] if result != NONE else [])

    def lower(em: Emitter, op: Operation, vals: list) -> list:
        vals = _packed_vals(em, vals, 1)
        if not _known(vals[0].type):
            return [em.const(False, BOOL)] if result == BOOL else []
        r = library_call(em, op, fn, [vals[0], _key(em, vals[0], vals[1])])
        return [r] if r is not None else []
    return infer, lower


wrap("py.delitem", _is_dict, *_keyed(dictlib.delitem, NONE))


def _in_applies(op: Operation, types: list[Type]) -> bool:
    return len(types) == 2 and isinstance(types[1], DictType)


_contains_infer, _contains_lower = _keyed(dictlib.contains, BOOL)
wrap("py.in", _in_applies, lambda op, types: _contains_infer(op, [types[1], types[0]]),
     lambda em, op, vals: _contains_lower(em, op, [vals[1], vals[0]]))


def _lower_len(em: Emitter, op: Operation, vals: list) -> list:
    if not _known(vals[0].type):
        return [em.const(0, I64)]
    return [library_call(em, op, dictlib.length, [vals[0]])]


def _infer_len(op: Operation, types: list[Type]) -> list[Type]:
    if _known(types[0]):  # type: ignore[arg-type]
        library_call_type(op, dictlib.length, [types[0]])
    return [I64]


wrap("py.len", _is_dict, _infer_len, _lower_len)


def _lower_truth(em: Emitter, op: Operation, vals: list) -> list:
    n = _lower_len(em, op, vals)[0]
    return [em.cmpi("eq" if op.name == "py.not" else "ne", n, em.const(0, I64))]


for _n in ("py.truth", "py.bool", "py.not"):
    wrap(_n, _is_dict, lambda op, types: (_infer_len(op, types), [BOOL])[1], _lower_truth)


# ---- hashing ---------------------------------------------------------------------------
_MASK = (1 << 62) - 1  # hashes of live keys are >= 0 (dictlib marks deleted entries -1)


def _raw_hash(em: Emitter, k: Value) -> Value:
    t = k.type
    if isinstance(t, StrType):
        return em.op("str.hash", [k], I64)
    if isinstance(t, TupleType):
        h = em.const(0x345678, I64)
        for i, e in enumerate(t.elements):
            he = _raw_hash(em, em.op("tuple.get", [k], e, index=i))
            h = em.op("arith.muli", [em.op("arith.xori", [h, he], I64), em.const(1000003, I64)], I64)
        return h
    return em.op("hash.of", [k], I64)


def emit_hash(em: Emitter, k: Value) -> Value:
    """The hash of key k: >= 0, equal for equal keys of one type."""
    return em.op("arith.andi", [_raw_hash(em, k), em.const(_MASK, I64)], I64)


# ---- methods -----------------------------------------------------------------------------
_KEYED_METHODS = {"get": (dictlib.get, 2), "setdefault": (dictlib.setdefault, 2),
                  "pop": (dictlib.pop, 1)}
_WHOLE_METHODS = {"keys": dictlib.keys, "values": dictlib.values, "items": dictlib.items,
                  "clear": dictlib.clear, "copy": dictlib.copy, "popitem": dictlib.popitem}


def _check_args(op: Operation, name: str, n: int, lo: int, hi: int) -> None:
    if op.attributes.get("kwnames"):
        raise fail(op, f"dict.{name}() takes no keyword arguments")
    if not lo <= n <= hi:
        want = f"exactly {lo}" if lo == hi else f"{lo} to {hi}"
        raise fail(op, f"dict.{name}() takes {want} arguments ({n} given)")


def _infer_method(op: Operation, types: list[Type]) -> list[Type]:
    name = str(op.attributes["name"])
    d = types[0]
    assert isinstance(d, DictType)
    n = len(types) - 1
    if name == "__ember_parts__":
        return [parts_type(d)]
    if name == "__ember_hash__":
        return [I64]
    if name in ("get", "setdefault", "pop"):
        _check_args(op, name, n, 1 if name == "pop" else 2, 2)
        kt = _lookup_key(op, d, types[1])
        if name == "setdefault":
            vt = runtime_type(types[2])
            element_ok(op, vt, _name(op))
            kt, _ = widen_dict(op, d, runtime_type(types[1]), vt)
            d = DictType(kt, unify(d.value, vt) or d.value)
        if not _known(d):
            # d.get(k, 0) + 1 stored back is how a counting dict gets its value type
            return [runtime_type(types[2]) if n == 2 and name != "setdefault" else BOTTOM]
        if name == "get" or (name == "pop" and n == 2):
            dv = runtime_type(types[2])
            vt = unify(d.value, dv)
            if vt is None:
                raise fail(op, f"dict.{name}() default is {type_name(dv)} but {_name(op)} holds "
                               f"{type_name(d.value)}: ember needs one result type")
            fn = dictlib.get if name == "get" else dictlib.pop_default
            return [library_call_type(op, fn, [d, kt, vt])]
        return [library_call_type(op, _KEYED_METHODS[name][0], [d, kt] + ([d.value] if n == 2 else []))]
    if name == "update":
        _check_args(op, name, n, 1, 1)
        o = types[1]
        if isinstance(o, RecordType):  # d.update({"k": v}): one store per literal key
            for ft in o.types:
                kt, vt = widen_dict(op, d, STR, ft)
            if o.types and kt != BOTTOM and vt != BOTTOM:
                library_call_type(op, dictlib.setitem, [DictType(kt, vt), kt, vt])
            return [NONE]
        if not isinstance(o, DictType):
            raise fail(op, f"dict.update() takes a dict with keys known at run time, not {type_name(o)}")
        kt, vt = widen_dict(op, d, o.key, o.value)
        if _known(o) and kt != BOTTOM and vt != BOTTOM:
            library_call_type(op, dictlib.update, [DictType(kt, vt), o])
        return [NONE]
    if name in _WHOLE_METHODS:
        _check_args(op, name, n, 0, 0)
        if not _known(d):
            return [BOTTOM]
        r = library_call_type(op, _WHOLE_METHODS[name], [d])
        return [r]
    raise fail(op, f"dicts have no method .{name}() in ember (supported: get, setdefault, pop, "
                   "update, keys, values, items, clear, copy, popitem)")


def _lower_method(em: Emitter, op: Operation, vals: list) -> list:
    name = str(op.attributes["name"])
    d = vals[0]
    if name == "__ember_parts__":
        return [em.op("dict.parts", [d], parts_type(d.type))]
    if name == "__ember_hash__":
        return [emit_hash(em, vals[1])]
    if name in ("get", "pop") and len(vals) == 3:
        vt = em.expected[0]
        fn = dictlib.get if name == "get" else dictlib.pop_default
        return [library_call(em, op, fn, [d, _key(em, d, vals[1]), em.cast(runtime_value(em, vals[2]), vt)])]
    if name in ("setdefault", "pop"):
        args = [d, _key(em, d, vals[1])] + ([_value(em, d, vals[2])] if len(vals) == 3 else [])
        return [library_call(em, op, _KEYED_METHODS[name][0], args)]
    if name == "update":
        o = vals[1]
        if isinstance(o.type, RecordType):
            for key, ft in zip(o.type.keys, o.type.types):
                v = em.op("record.get", [o], ft, key=key)
                k = em.op("str.constant", [], STR, value=key)
                library_call(em, op, dictlib.setitem, [d, _key(em, d, k), _value(em, d, v)])
        else:
            library_call(em, op, dictlib.update, [d, o])
        return [NONE_VALUE]
    r = library_call(em, op, _WHOLE_METHODS[name], [d])
    return [r if r is not None else NONE_VALUE]


wrap("py.callmethod", _is_dict, _infer_method, _lower_method)


def _both(op: Operation, types: list[Type]) -> bool:
    return len(types) == 2 and all(isinstance(t, DictType) for t in types)


def _infer_eq(op: Operation, types: list[Type]) -> list[Type]:
    if all(_known(t) for t in types):  # type: ignore[arg-type]
        library_call_type(op, dictlib.equal, list(types))
    return [BOOL]


def _lower_eq(em: Emitter, op: Operation, vals: list) -> list:
    r = library_call(em, op, dictlib.equal, list(vals))
    return [em.not_(r) if op.name == "py.ne" else r]


for _n in ("py.eq", "py.ne"):
    wrap(_n, _both, _infer_eq, _lower_eq)


# ---- `for k in p` over a parameter (frontend/dicts.py) -------------------------------------
def _infer_iterable(op: Operation, types: list[Type]) -> list[Type]:
    t = types[0]
    if not isinstance(t, DictType):
        return [t]  # a list, array, tuple, ... is walked as itself
    if not _known(t):
        return [BOTTOM]
    return [library_call_type(op, dictlib.keys, [t])]


@rule("py.iterable", infer=_infer_iterable)
def _lower_iterable(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    if not isinstance(vals[0].type, DictType):
        return [vals[0]]
    return [library_call(em, op, dictlib.keys, [vals[0]])]


# `"k" in p` where p is a runtime dict a caller passed to a function that reads it with
# literal keys only (frontend: record.has): a run-time lookup
def _infer_has(op: Operation, types: list[Type]) -> list[Type]:
    d = types[0]
    assert isinstance(d, DictType)
    _lookup_key(op, d, STR)
    if _known(d):
        library_call_type(op, dictlib.contains, [d, d.key])
    return [BOOL]


def _lower_has(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    if not _known(vals[0].type):  # type: ignore[arg-type]
        return [em.const(False, BOOL)]
    k = em.op("str.constant", [], STR, value=str(op.attributes["key"]))
    return [library_call(em, op, dictlib.contains, [vals[0], _key(em, vals[0], k)])]


wrap("record.has", _is_dict, _infer_has, _lower_has)
