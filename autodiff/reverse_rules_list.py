"""Reverse-mode rules for lists holding derivative-carrying floats (the tapes of a first
vjp, when a second one differentiates it). Such a list has a shadow list of the same
length (kept in step in the forward sweep by reverse_sweep._list_write): a read's adjoint
is accumulated into the shadow slot, a write's adjoint is taken from it and the slot
cleared, as for arrays."""
from __future__ import annotations

from ember.autodiff import reverse_values as rv
from ember.autodiff.reverse_sweep import Sweep, rule
from ember.ir.core import Operation, Value


def _shadow(sw: Sweep, lst: Value) -> Value:
    return sw.env[("s", sw.act.root(lst))]


@rule("list.get")
def _get(sw: Sweep, op: Operation, adjs: list) -> None:
    lst, i = op.operands
    shadow = _shadow(sw, lst)
    idx = sw.p(i)
    old = sw.v("list.get", [shadow, idx], op.result.type)
    sw.b.op("list.set", [rv.add(sw.b, old, adjs[0]), shadow, idx])


def _take(sw: Sweep, shadow: Value, idx: Value, v: Value) -> None:
    g = sw.v("list.get", [shadow, idx], v.type)
    sw.b.op("list.set", [rv.zero(sw.b, v.type), shadow, idx])
    sw.acc(v, g)


@rule("list.append")
def _append(sw: Sweep, op: Operation, adjs: list) -> None:
    lst, v = op.operands
    _take(sw, _shadow(sw, lst), sw.env[("pos", op)], v)


@rule("list.set")
def _set(sw: Sweep, op: Operation, adjs: list) -> None:
    v, lst, i = op.operands
    _take(sw, _shadow(sw, lst), sw.p(i), v)


@rule("list.new", "list.len", "list.resize")
def _no_adjoint(sw: Sweep, op: Operation, adjs: list) -> None:
    """Lengths carry no derivative; the shadow was sized in the forward sweep."""
