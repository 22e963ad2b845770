"""Reverse-mode rules for tuples and records: adjoints are Python lists of element
adjoints (reverse_values.Adj), so these rules only move structure around."""
from __future__ import annotations

from ember.autodiff import reverse_values as rv
from ember.autodiff.reverse_sweep import Sweep, rule
from ember.ir.core import Operation
from ember.ir.types import RecordType


def _part(g: rv.Adj, i: int) -> rv.Adj:
    return None if g is None else g[i]  # type: ignore[index]


def _only(n: int, i: int, g: rv.Adj) -> rv.Adj:
    if g is None:
        return None
    out: list = [None] * n
    out[i] = g
    return out


@rule("tuple.make", "record.make")
def _make(sw: Sweep, op: Operation, adjs: list) -> None:
    for i, v in enumerate(op.operands):
        sw.acc(v, _part(adjs[0], i))


@rule("tuple.get")
def _tuple_get(sw: Sweep, op: Operation, adjs: list) -> None:
    t = op.operands[0].type
    sw.acc(op.operands[0], _only(len(t.elements), op.attributes["index"], adjs[0]))


@rule("record.get")
def _record_get(sw: Sweep, op: Operation, adjs: list) -> None:
    t: RecordType = op.operands[0].type  # type: ignore[assignment]
    sw.acc(op.operands[0], _only(len(t.keys), t.keys.index(op.attributes["key"]), adjs[0]))


@rule("record.set")
def _record_set(sw: Sweep, op: Operation, adjs: list) -> None:
    t: RecordType = op.operands[0].type  # type: ignore[assignment]
    key = op.attributes["key"]
    g = adjs[0]
    i = t.keys.index(key) if key in t.keys else len(t.keys)
    sw.acc(op.operands[1], _part(g, i))
    if g is not None:
        rest = list(g[:len(t.keys)])  # type: ignore[index]
        if i < len(t.keys):
            rest[i] = None
        sw.acc(op.operands[0], None if all(x is None for x in rest) else rest)
