"""Type rules of lists: making them, indexing, methods, operators (docs/containers.md).

The element type of a list made in the function comes from every store into it
(typeinfer/sites.py): `py.list` reads its site's type, append / insert / extend / `l[i] = v`
widen it. Stores cast the value to the element type, so `[1, 2.5]` is a list<f64>.

The primitives (`list.new/len/get/set/append/resize`) are emitted here; everything that
loops (insert, pop, sort, slicing, `in`, `+`, `==`, ...) is a library call of
typeinfer/listlib.py, Python that ember compiles like a user's helper.
"""
from __future__ import annotations

from ember.ir.core import FuncOp, Operation, Value
from ember.ir.errors import TypingError
from ember.ir.types import (BOOL, BOTTOM, I64, NONE, ArrayType, DictType, ListType, RecordType,
                            STR, ScalarType, StrType, TupleType, Type)

from . import listlib
from .array_emit import boundscheck
from .calls import library_call, library_call_type
from .emit import NONE_VALUE, Emitter
from .lattice import is_int_like, type_name, unify
from .rules import fail, rule, wrap
from .sites import active, container_name, widen_list
from .static import SliceType, is_static, runtime_type, runtime_value


def element_ok(op: Operation, t: Type, what: str) -> None:
    """A value of type `t` may be stored in a container (else a TypingError at op)."""
    if isinstance(t, TupleType):
        for e in t.elements:
            element_ok(op, e, what)
        return
    if is_static(t) or t == NONE or isinstance(t, RecordType):
        raise fail(op, f"{what} cannot hold a {type_name(t)}: containers hold numbers, bools, "
                       "strings, tuples, arrays, lists and dicts")


def _is_list(op: Operation, types: list[Type]) -> bool:
    return bool(types) and isinstance(types[0], ListType)


def _elem(v: Value) -> Type:
    return v.type.elem  # type: ignore[attr-defined]


def _known(op: Operation, t: ListType) -> Type:
    if t.elem == BOTTOM:
        raise TypingError("cannot infer the element type of this list: nothing is ever stored "
                          "in it (ember needs one store, e.g. an append, to type a list)", op.loc)
    return t.elem


# ---- making ------------------------------------------------------------------------
def infer_make(op: Operation, types: list[Type]) -> list[Type]:
    table = active()
    if table is None:
        raise fail(op, "a list made outside type inference")
    site = table.site_for(op, 1)
    for t in types:
        t = runtime_type(t)  # a string literal is stored as a run-time str
        element_ok(op, t, "a list")
        table.widen(site, 0, t, op, "this list")
    return [ListType(table.get(site)[0], site)]


@rule("py.list", infer=infer_make)
def lower_make(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    t = em.expected[0]
    assert isinstance(t, ListType)
    elem = _known(op, t)
    lst = em.op("list.new", [em.const(len(vals), I64)], ListType(elem))
    for v in vals:
        em.b.op("list.append", [lst, em.cast(runtime_value(em, v), elem)])
    return [lst]


# ---- len, truth ----------------------------------------------------------------------
def _lower_len(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    return [em.op("list.len", [vals[0]], I64)]


def _lower_truth(em: Emitter, op: Operation, vals: list[Value]) -> list[Value]:
    n = em.op("list.len", [vals[0]], I64)
    pred = "eq" if op.name == "py.not" else "ne"
    return [em.cmpi(pred, n, em.const(0, I64))]


wrap("py.len", _is_list, lambda op, types: [I64], _lower_len)
for _n in ("py.truth", "py.bool", "py.not"):
    wrap(_n, _is_list, lambda op, types: [BOOL], _lower_truth)


# ---- indexing ------------------------------------------------------------------------
def _index_type(op: Operation, t: Type, k: int) -> None:
    if not is_int_like(t) and not isinstance(t, SliceType):
        raise fail(op, f"list indices must be integers or slices, not {type_name(t)}")


def _in_library(op: Operation) -> bool:
    node: object = op
    while node is not None and not isinstance(node, FuncOp):
        node = getattr(node, "parent", None)
    return isinstance(node, FuncOp) and bool(node.attributes.get("library"))


def checked_index(em: Emitter, op: Operation, lst: Value, i: Value, msg: str) -> Value:
    """A Python index into `lst` made non-negative, with CPython's IndexError when out of
    range (unless bounds checks are off)."""
    i = em.to_i64(i)
    if _in_library(op):  # ember's own list code indexes in range only
        return i
    n = em.op("list.len", [lst], I64)
    zero = em.const(0, I64)
    i = em.select(em.cmpi("slt", i, zero), em.op("arith.addi", [i, n], I64), i)
    if boundscheck(op):
        ok = em.and_(em.cmpi("sge", i, zero), em.cmpi("slt", i, n))
        em.check(ok, "IndexError", msg)
    return i


def _slice_args(em: Emitter, sl) -> list[Value]:
    given, parts = 0, []
    for bit, p in enumerate(sl.parts):
        if p is not None:
            given |= 1 << bit
        parts.append(p if p is not None else em.const(0, I64))
    return parts + [em.const(given, I64)]


def _slice_types() -> list[Type]:
    return [I64, I64, I64, I64]


def _infer_getitem(op: Operation, types: list[Type]) -> list[Type]:
    if len(types) != 2:
        raise fail(op, "a list takes one index (lists of lists: x[i][j])")
    _index_type(op, types[1], 1)
    t = types[0]
    assert isinstance(t, ListType)
    if isinstance(types[1], SliceType):
        if t.elem == BOTTOM:
            return [BOTTOM]
        return [library_call_type(op, listlib.slice_of, [t] + _slice_types())]
    return [t.elem]


def _lower_getitem(em: Emitter, op: Operation, vals: list) -> list:
    lst, index = vals
    if isinstance(index.type, SliceType):
        return [library_call(em, op, listlib.slice_of, [lst] + _slice_args(em, index))]
    i = checked_index(em, op, lst, index, "list index out of range")
    return [em.op("list.get", [lst, i], _elem(lst))]


wrap("py.getitem", _is_list, _infer_getitem, _lower_getitem)


def _infer_setitem(op: Operation, types: list[Type]) -> list[Type]:
    t, v = types[0], types[1]
    assert isinstance(t, ListType)
    if len(types) != 3:
        raise fail(op, "a list takes one index")
    if isinstance(types[2], SliceType):
        raise fail(op, "assignment to a slice of a list is not supported by ember")
    _index_type(op, types[2], 2)
    v = runtime_type(v)
    element_ok(op, v, container_name(op))
    widen_list(op, t, v)
    return []


def _lower_setitem(em: Emitter, op: Operation, vals: list) -> list:
    lst, v, index = vals
    i = checked_index(em, op, lst, index, "list assignment index out of range")
    em.b.op("list.set", [em.cast(runtime_value(em, v), _elem(lst)), lst, i])
    return []


wrap("py.setitem", _is_list, _infer_setitem, _lower_setitem)


def _infer_delitem(op: Operation, types: list[Type]) -> list[Type]:
    if len(types) != 2 or isinstance(types[1], SliceType):
        raise fail(op, "del on a list takes one integer index (slices are not supported)")
    _index_type(op, types[1], 1)
    if types[0].elem != BOTTOM:  # type: ignore[attr-defined]
        library_call_type(op, listlib.delete_at, [types[0], I64])
    return []


def _lower_delitem(em: Emitter, op: Operation, vals: list) -> list:
    i = checked_index(em, op, vals[0], vals[1], "list assignment index out of range")
    library_call(em, op, listlib.delete_at, [vals[0], i])
    return []


wrap("py.delitem", _is_list, _infer_delitem, _lower_delitem)


# ---- methods -------------------------------------------------------------------------
def _args(op: Operation, types: list, lo: int, hi: int, kw: tuple[str, ...] = ()) -> list:
    """The operands after the list; keyword arguments only those in `kw`."""
    name = op.attributes["name"]
    kwnames = [k for k in str(op.attributes.get("kwnames") or "").split(",") if k]
    bad = [k for k in kwnames if k not in kw]
    if bad:
        raise fail(op, f"list.{name}() takes no keyword argument {bad[0]!r}")
    n = len(types) - 1 - len(kwnames)
    if not lo <= n <= hi:
        want = f"exactly {lo}" if lo == hi else f"{lo} to {hi}"
        raise fail(op, f"list.{name}() takes {want} arguments ({n} given)")
    return list(types[1:])


def _stored_type(op: Operation, t: Type) -> Type:
    """The element type of an iterable extend() takes."""
    if isinstance(t, ListType):
        return t.elem
    if isinstance(t, ArrayType) and t.ndim == 1:
        return t.dtype
    if isinstance(t, ArrayType):
        return ArrayType(t.dtype, t.ndim - 1, "A", t.readonly)
    if isinstance(t, TupleType) and t.elements:
        u = t.elements[0]
        for e in t.elements[1:]:
            u = unify(u, e)  # type: ignore[assignment]
            if u is None:
                break
        if u is not None:
            return u
    raise fail(op, f"list.extend() takes a list, a tuple of one type or an array, not {type_name(t)}")


# name -> (library function, min args, max args); the result type is the function's
_LIBRARY = {
    "insert": (listlib.insert, 2, 2), "pop": (listlib.pop, 0, 1), "extend": (listlib.extend, 1, 1),
    "index": (listlib.index, 1, 1), "count": (listlib.count, 1, 1), "remove": (listlib.remove, 1, 1),
    "reverse": (listlib.reverse, 0, 0), "clear": (listlib.clear, 0, 0),
    "copy": (listlib.copy, 0, 0), "sort": (listlib.sort, 0, 0),
}
_STORES = {"append": 1, "insert": 2}  # the operand a method stores


def _index_fn(t: Type):
    """list.index: CPython's message shows the value; ember's messages format numbers and
    strings only, so other elements get a message without it."""
    e = t.elem  # type: ignore[attr-defined]
    return listlib.index if isinstance(e, (ScalarType, StrType)) else listlib.index_of_any


def _library_args(op: Operation, name: str, types: list[Type]) -> list[Type]:
    if name == "pop":
        return [types[0], I64]
    if name == "insert":
        return [types[0], I64, types[0].elem]  # type: ignore[attr-defined]
    if name == "sort":
        return [types[0], BOOL]
    return [runtime_type(t) for t in types]


def _infer_method(op: Operation, types: list[Type]) -> list[Type]:
    name = str(op.attributes["name"])
    t = types[0]
    assert isinstance(t, ListType)
    if name == "__ember_resize__":
        return [NONE]
    if name == "__ember_array__":
        if not isinstance(t.elem, ScalarType):
            raise fail(op, f"np.array() of a {type_name(t)}: only lists of numbers convert")
        return [ArrayType(t.elem, 1, "C")]
    if name == "append":
        _args(op, types, 1, 1)
        element_ok(op, runtime_type(types[1]), container_name(op))
        widen_list(op, t, runtime_type(types[1]))
        return [NONE]
    if name not in _LIBRARY:
        raise fail(op, f"lists have no method .{name}() in ember (supported: append, "
                       f"{', '.join(_LIBRARY)})")
    fn, lo, hi = _LIBRARY[name]
    fn = _index_fn(t) if name == "index" else fn
    _args(op, types, lo, hi, ("reverse",) if name == "sort" else ())
    if name == "sort" and len(types) == 2 and not is_int_like(types[1]):
        raise fail(op, "sort(reverse=...) takes a bool")
    if name == "sort" and t.elem != BOTTOM and not _orderable(t.elem):
        # checked here so that the error is at the user's line, not in listlib's sort
        raise fail(op, f"sorting a {type_name(t)} is not supported by ember: only lists of "
                       "real numbers, bools, strings and tuples of them sort ('<' between "
                       "their elements)")
    if name in ("insert", "pop") and len(types) > 1 and not is_int_like(types[1]):
        raise fail(op, f"list.{name}() takes an integer index")
    if name == "insert":
        element_ok(op, runtime_type(types[2]), container_name(op))
        widen_list(op, t, runtime_type(types[2]))
    if name == "extend":
        st = _stored_type(op, types[1])
        element_ok(op, st, container_name(op))
        widen_list(op, t, st)
    if t.elem == BOTTOM:
        return [BOTTOM]
    ret = library_call_type(op, fn, _library_args(op, name, types))
    return [ret]


def _lower_method(em: Emitter, op: Operation, vals: list) -> list:
    name = str(op.attributes["name"])
    lst = vals[0]
    if name == "__ember_resize__":
        em.b.op("list.resize", [lst, em.to_i64(vals[1])])
        return [NONE_VALUE]
    if name == "__ember_array__":
        return [em.op("list.to_array", [lst], ArrayType(_elem(lst), 1, "C"))]
    if name == "append":
        em.b.op("list.append", [lst, em.cast(runtime_value(em, vals[1]), _elem(lst))])
        return [NONE_VALUE]
    fn = _index_fn(lst.type) if name == "index" else _LIBRARY[name][0]
    args = [runtime_value(em, v) for v in vals]
    if name == "pop":
        args = [lst, em.to_i64(vals[1]) if len(vals) > 1 else em.const(-1, I64)]
    elif name == "insert":
        args = [lst, em.to_i64(vals[1]), em.cast(runtime_value(em, vals[2]), _elem(lst))]
    elif name == "sort":
        args = [lst, em.truth(vals[1]) if len(vals) > 1 else em.const(False, BOOL)]
    r = library_call(em, op, fn, args)
    return [r if r is not None else NONE_VALUE]


wrap("py.callmethod", _is_list, _infer_method, _lower_method)


# ---- operators: in, +, *, ==, != -----------------------------------------------------
def _in_applies(op: Operation, types: list[Type]) -> bool:
    return len(types) == 2 and isinstance(types[1], ListType)


def _infer_in(op: Operation, types: list[Type]) -> list[Type]:
    if types[1].elem == BOTTOM:  # type: ignore[attr-defined]
        return [BOOL]
    library_call_type(op, listlib.contains, [types[1], runtime_type(types[0])])
    return [BOOL]


def _lower_in(em: Emitter, op: Operation, vals: list) -> list:
    if _elem(vals[1]) == BOTTOM:
        return [em.const(False, BOOL)]
    return [library_call(em, op, listlib.contains, [vals[1], runtime_value(em, vals[0])])]


wrap("py.in", _in_applies, _infer_in, _lower_in)


def _both(op: Operation, types: list[Type]) -> bool:
    return len(types) == 2 and all(isinstance(t, ListType) for t in types)


def _repeat_args(types: list) -> tuple[int, int] | None:
    """(list position, count position) of `l * k` / `k * l`."""
    if len(types) != 2:
        return None
    if isinstance(types[0], ListType) and is_int_like(types[1]):
        return 0, 1
    if isinstance(types[1], ListType) and is_int_like(types[0]):
        return 1, 0
    return None


def _orderable(t: Type) -> bool:
    # real numbers, bools, strs and tuples of them (typeinfer/tuple_order.py)
    from .tuple_order import orderable
    return orderable(t)


def _infer_binary(fn, op: Operation, types: list[Type]) -> list[Type]:
    lists = [t for t in types if isinstance(t, ListType)]
    known = [t for t in lists if t.elem != BOTTOM]
    if not known:
        return [BOTTOM]
    if fn is listlib.concat and len(known) == 1:
        # `xs = xs + [i]` with `xs = []`: the result types the empty side (its site then
        # joins the result's through the merge of the variable)
        types = [known[0] if isinstance(t, ListType) and t.elem == BOTTOM else t for t in types]
    elif len(known) != len(lists):
        return [BOTTOM]
    return [library_call_type(op, fn, list(types))]


# `x += y` / `x *= k` on a list change it in place (list.__iadd__ extends by any iterable
# extend() takes), so every name sharing the list sees it, as in Python
def _inplace(op: Operation, types: list) -> bool:
    return bool(op.attributes.get("inplace")) and len(types) == 2 \
        and isinstance(types[0], ListType)


def _infer_iadd(op: Operation, types: list[Type]) -> list[Type]:
    t = types[0]
    if isinstance(types[1], ArrayType):  # NumPy takes over: it broadcasts the list
        raise fail(op, "list += array is NumPy's broadcasting addition in CPython, not "
                       "supported by ember: write x.extend(a) to append an array's elements")
    st = _stored_type(op, types[1])
    element_ok(op, st, container_name(op))
    widen_list(op, t, st)  # type: ignore[arg-type]
    if t.elem != BOTTOM:  # type: ignore[attr-defined]
        library_call_type(op, listlib.extend, list(types))
    return [t]


def _lower_iadd(em: Emitter, op: Operation, vals: list) -> list:
    library_call(em, op, listlib.extend, list(vals))
    return [vals[0]]


def _infer_imul(op: Operation, types: list[Type]) -> list[Type]:
    if not is_int_like(types[1]):
        raise fail(op, f"can't multiply a list by a {type_name(types[1])}")
    if types[0].elem != BOTTOM:  # type: ignore[attr-defined]
        library_call_type(op, listlib.repeat_inplace, [types[0], I64])
    return [types[0]]


def _lower_imul(em: Emitter, op: Operation, vals: list) -> list:
    library_call(em, op, listlib.repeat_inplace, [vals[0], em.to_i64(vals[1])])
    return [vals[0]]


wrap("py.add", lambda op, types: _both(op, types),
     lambda op, types: _infer_binary(listlib.concat, op, types),
     lambda em, op, vals: [library_call(em, op, listlib.concat, list(vals))])
wrap("py.mul", lambda op, types: _repeat_args(types) is not None,
     lambda op, types: _infer_binary(listlib.repeat, op, _ordered(types)),
     lambda em, op, vals: [library_call(em, op, listlib.repeat, _repeat_vals(em, vals))])
wrap("py.add", _inplace, _infer_iadd, _lower_iadd)  # checked first: wraps the rules above
wrap("py.mul", _inplace, _infer_imul, _lower_imul)


def _ordered(types: list) -> list:
    li, ki = _repeat_args(types)  # type: ignore[misc]
    return [types[li], I64]


def _repeat_vals(em: Emitter, vals: list) -> list:
    li, ki = _repeat_args([v.type for v in vals])  # type: ignore[misc]
    return [vals[li], em.to_i64(vals[ki])]


def _lower_eq(em: Emitter, op: Operation, vals: list) -> list:
    r = library_call(em, op, listlib.equal, list(vals))
    return [em.not_(r) if op.name == "py.ne" else r]


def _infer_eq(op: Operation, types: list[Type]) -> list[Type]:
    _infer_binary(listlib.equal, op, types)
    return [BOOL]


for _n in ("py.eq", "py.ne"):
    wrap(_n, lambda op, types: _both(op, types), _infer_eq, _lower_eq)


def list_to_array_type(op: Operation, t: ListType) -> Type:
    """np.array(l) of a list of numbers: the library's result type."""
    if t.elem == BOTTOM:
        return BOTTOM
    return library_call_type(op, listlib.to_array, [t])


def list_to_array(em: Emitter, op: Operation, lst: Value) -> Value:
    return library_call(em, op, listlib.to_array, [lst])


# `"k" in xs` with a literal: the frontend writes `record.has` (a literal key of a record)
def _has_applies(op: Operation, types: list[Type]) -> bool:
    return len(types) == 1 and isinstance(types[0], ListType)


def _infer_has(op: Operation, types: list[Type]) -> list[Type]:
    if types[0].elem != BOTTOM:  # type: ignore[attr-defined]
        library_call_type(op, listlib.contains, [types[0], STR])
    return [BOOL]


def _lower_has(em: Emitter, op: Operation, vals: list) -> list:
    if _elem(vals[0]) == BOTTOM:
        return [em.const(False, BOOL)]
    key = em.op("str.constant", [], STR, value=str(op.attributes["key"]))
    return [library_call(em, op, listlib.contains, [vals[0], key])]


wrap("record.has", _has_applies, _infer_has, _lower_has)
