"""Python forms of the container ops: tuples, records (dicts), arrays (NumPy indexing and
views), lists and strs.

An array stays a NumPy array: `array.load` / `array.store` index it with a tuple,
`array.subview` / `transpose` / `reshape` are NumPy views, `array.alloc` is `np.empty`.
Reference counts are Python's own, so retain / release write nothing.
"""
from __future__ import annotations

import ast

from ember.ir.core import Operation, Value
from ember.ir.opdefs import record_keys
from ember.ir.pysource_base import EMITTERS, Emitter, emits
from ember.ir.pysource_ops import again, int_literal, attr, binop, call, compare, name, np_dtype
from ember.ir.types import ArrayType, ListType, RecordType, ScalarType, TupleType, Type


# ---- tuples and records ------------------------------------------------------------------------
@emits("tuple.make")
def _tuple_make(e: Emitter, op: Operation) -> ast.expr:
    return ast.Tuple(elts=e.uses(op.operands), ctx=ast.Load())


@emits("none.make")
def _none_make(e: Emitter, op: Operation) -> ast.expr:
    return ast.Constant(value=None)


@emits("tuple.get")
def _tuple_get(e: Emitter, op: Operation) -> ast.expr:
    return ast.Subscript(value=e.use(op.operands[0]),
                         slice=ast.Constant(value=op.attributes["index"]), ctx=ast.Load())


@emits("record.make")
def _record_make(e: Emitter, op: Operation) -> ast.expr:
    keys = record_keys(op.attributes.get("keys"))
    return ast.Dict(keys=[ast.Constant(value=k) for k in keys], values=e.uses(op.operands))


@emits("record.get")
def _record_get(e: Emitter, op: Operation) -> ast.expr:
    return ast.Subscript(value=e.use(op.operands[0]),
                         slice=ast.Constant(value=op.attributes["key"]), ctx=ast.Load())


@emits("record.set")
def _record_set(e: Emitter, op: Operation) -> ast.expr:
    r, v = e.uses(op.operands)  # a record is a value: a new dict with the key bound
    return ast.Dict(keys=[None, ast.Constant(value=op.attributes["key"])], values=[r, v])


# ---- arrays ---------------------------------------------------------------------------------------
def _index(indices: list[ast.expr]) -> ast.expr:
    """`i`, `i, j` or `()` (a 0-d array's one element)."""
    if len(indices) == 1:
        return indices[0]
    return ast.Tuple(elts=indices, ctx=ast.Load())


@emits("array.dim")
def _dim(e: Emitter, op: Operation) -> ast.expr:
    shape = attr(e.use(op.operands[0]), "shape")
    return ast.Subscript(value=shape, slice=ast.Constant(value=op.attributes["axis"]),
                         ctx=ast.Load())


@emits("array.load")
def _load(e: Emitter, op: Operation) -> ast.expr:
    a, *idx = e.uses(op.operands)
    return ast.Subscript(value=a, slice=_index(idx), ctx=ast.Load())


@emits("array.store")
def _store(e: Emitter, op: Operation) -> None:
    v, a, *idx = e.uses(op.operands)
    target = ast.Subscript(value=a, slice=_index(idx), ctx=ast.Store())
    e.emit(ast.Assign(targets=[target], value=v), op)


def _shape(extents: list[ast.expr]) -> ast.expr:
    """`n`, `(n, m)` or `()`."""
    return extents[0] if len(extents) == 1 else ast.Tuple(elts=extents, ctx=ast.Load())


@emits("array.alloc")
def _alloc(e: Emitter, op: Operation) -> ast.expr:
    t = op.results[0].type
    assert isinstance(t, ArrayType)
    return call(attr(name("np"), "empty"), _shape(e.uses(op.operands)), np_dtype(t.dtype))


@emits("array.subview")
def _subview(e: Emitter, op: Operation) -> ast.expr:
    kinds = str(op.attributes["kinds"])
    src, *rest = op.operands
    items: list[ast.expr] = []
    k = 0
    for kind in kinds:
        if kind == "i":
            items.append(e.use(rest[k]))
            k += 1
        elif kind == "s":
            items.append(_slice(e, rest[k], rest[k + 1], rest[k + 2]))
            k += 3
        else:
            items.append(ast.Constant(value=None))  # np.newaxis
    src_t = src.type
    assert isinstance(src_t, ArrayType)
    if kinds.count("i") == src_t.ndim and "s" not in kinds:
        items.append(ast.Constant(value=Ellipsis))  # a 0-d view, not the element
    return ast.Subscript(value=e.use(src), slice=_index(items), ctx=ast.Load())


def _slice(e: Emitter, start: Value, count: Value, step: Value) -> ast.expr:
    """`start:start + count` for a known positive step, else span(start, count, step)."""
    s, c, st = e.use(start), e.use(count), e.use(step)
    step_value = int_literal(st)
    if step_value is None or step_value <= 0:
        return call("span", s, c, st)
    start_value = int_literal(s)
    extent = c if step_value == 1 else binop(c, ast.Mult(), st)
    stop = extent if start_value == 0 else binop(s, ast.Add(), extent)
    return ast.Slice(lower=None if start_value == 0 else again(s), upper=stop,
                     step=None if step_value == 1 else again(st))


@emits("array.transpose")
def _transpose(e: Emitter, op: Operation) -> ast.expr:
    return attr(e.use(op.operands[0]), "T")


@emits("array.reshape")
def _reshape(e: Emitter, op: Operation) -> ast.expr:
    a, *extents = e.uses(op.operands)
    return call(attr(a, "reshape"), ast.Tuple(elts=extents, ctx=ast.Load()))


@emits("array.real", "array.imag")
def _array_part(e: Emitter, op: Operation) -> ast.expr:
    return attr(e.use(op.operands[0]), op.name.split(".", 1)[1])


@emits("array.retain", "array.release", "list.retain", "list.release")
def _reference_count(e: Emitter, op: Operation) -> None:
    return None  # Python counts its own references


# ---- lists and strings -------------------------------------------------------------------------
@emits("list.new")
def _list_new(e: Emitter, op: Operation) -> ast.expr:
    return ast.List(elts=[], ctx=ast.Load())


@emits("list.len", "str.len")
def _len(e: Emitter, op: Operation) -> ast.expr:
    return call("len", e.use(op.operands[0]))


@emits("list.get")
def _list_get(e: Emitter, op: Operation) -> ast.expr:
    lst, i = e.uses(op.operands)
    return ast.Subscript(value=lst, slice=i, ctx=ast.Load())


@emits("list.set")
def _list_set(e: Emitter, op: Operation) -> None:
    v, lst, i = e.uses(op.operands)
    e.emit(ast.Assign(targets=[ast.Subscript(value=lst, slice=i, ctx=ast.Store())], value=v), op)


@emits("list.append")
def _list_append(e: Emitter, op: Operation) -> None:
    lst, v = e.uses(op.operands)
    e.emit(ast.Expr(value=call(attr(lst, "append"), v)), op)


@emits("list.resize")
def _list_resize(e: Emitter, op: Operation) -> None:
    lst, n = e.uses(op.operands)
    t = op.operands[0].type
    assert isinstance(t, ListType)
    e.emit(ast.Expr(value=call("list_resize", lst, n, zero_of(t.elem))), op)


@emits("list.to_array")
def _list_to_array(e: Emitter, op: Operation) -> ast.expr:
    t = op.results[0].type
    assert isinstance(t, ArrayType)
    return call(attr(name("np"), "empty"), call("len", e.use(op.operands[0])), np_dtype(t.dtype))


def zero_of(t: Type) -> ast.expr:
    """The value of zero bytes of type `t` (a reference's zero is None)."""
    if isinstance(t, ScalarType):
        return _constant_of(t, False if t.kind == "b" else 0)
    if isinstance(t, TupleType):
        return ast.Tuple(elts=[zero_of(x) for x in t.elements], ctx=ast.Load())
    if isinstance(t, RecordType):
        return ast.Dict(keys=[ast.Constant(value=k) for k in t.keys],
                        values=[zero_of(x) for x in t.types])
    return ast.Constant(value=None)


def _constant_of(t: ScalarType, value: object) -> ast.expr:
    op = Operation("arith.constant", [], [t], {"value": value})
    return EMITTERS["arith.constant"](None, op)  # type: ignore[arg-type,return-value]


@emits("str.eq")
def _str_eq(e: Emitter, op: Operation) -> ast.expr:
    a, b = e.uses(op.operands)
    return compare(a, ast.Eq(), b)


@emits("str.lt")
def _str_lt(e: Emitter, op: Operation) -> ast.expr:
    a, b = e.uses(op.operands)
    return compare(a, ast.Lt(), b)  # code point order, as the UTF-8 bytes compare
