"""Forward rules of float lists: a list of floats that holds active values gets a shadow
list of their tangents, like an array's shadow array. Users' lists carry no derivative at
the API (tangents.tangent_type), but reverse mode's tapes are lists, and forward over
reverse (Hessians) differentiates them: element i of the shadow is the tangent of
element i of the list."""
from __future__ import annotations

from ember.autodiff.activity import float_list
from ember.autodiff.forward import Forward, rule
from ember.autodiff.forward_emit import Tangent
from ember.ir.core import Operation, Value


def _shadow(fw: Forward, lst: Value) -> Value | None:
    t = fw.t(lst)
    assert t is None or isinstance(t, Value)
    return t


def _stored(fw: Forward, op: Operation, value: Value, lst: Value) -> Value | None:
    """The shadow a store into `lst` goes to (None: the list is inactive)."""
    if fw.active(lst):
        return _shadow(fw, lst)
    if fw.active(value) or not float_list(lst.type):
        raise fw.fail(op, f"cannot differentiate through {op.name}: a list of "
                          f"{getattr(lst.type, 'elem', '?')} cannot hold values that carry a "
                          "derivative (only lists of floats can)")
    return None


@rule("list.new")
def _new(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    if not fw.active(op.results[0]):
        return [None]
    return [fw.em.op("list.new", [fw.p(op.operands[0])], op.results[0].type)]


@rule("list.get")
def _get(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    shadow = _shadow(fw, op.operands[0])
    if shadow is None:
        return [None]
    return [fw.em.op("list.get", [shadow, fw.p(op.operands[1])], op.results[0].type)]


@rule("list.set")
def _set(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    value, lst, i = op.operands
    shadow = _stored(fw, op, value, lst)
    if shadow is not None:
        t = fw.t(value)
        t = t if t is not None else fw.em.const(0, value.type)
        fw.b.op("list.set", [t, shadow, fw.p(i)])
    return []


@rule("list.append")
def _append(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    lst, value = op.operands
    shadow = _stored(fw, op, value, lst)
    if shadow is not None:
        t = fw.t(value)
        t = t if t is not None else fw.em.const(0, value.type)
        fw.b.op("list.append", [shadow, t])
    return []


@rule("list.resize")
def _resize(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    shadow = _shadow(fw, op.operands[0])
    if shadow is not None:  # new slots are zero bytes: 0.0, the tangent of a zero
        fw.b.op("list.resize", [shadow, fw.p(op.operands[1])])
    return []


@rule("list.len", "list.retain", "list.release")
def _no_tangent(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    return [None] * len(op.results)


@rule("list.to_array")
def _to_array(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    shadow = _shadow(fw, op.operands[0])
    if shadow is None:
        return [None]
    return [fw.em.op("list.to_array", [shadow], op.results[0].type)]
