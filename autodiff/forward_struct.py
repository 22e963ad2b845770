"""Forward rules of tuples and literal-key dicts (records): the tangent of a tuple or record
is a Python tuple of its elements' tangents (None for an element without one), so
building and taking apart tuples emits no tangent code at all."""
from __future__ import annotations

from ember.autodiff.forward import Forward, rule
from ember.autodiff.forward_emit import Tangent, normalize
from ember.ir.core import Operation
from ember.ir.types import RecordType


@rule("tuple.make", "record.make")
def _make(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    return [normalize(tuple(fw.t(v) for v in op.operands))]


@rule("tuple.get")
def _tuple_get(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    t = fw.t(op.operands[0])
    return [None if t is None else t[op.attributes["index"]]]  # type: ignore[index]


@rule("record.get")
def _record_get(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    rec: RecordType = op.operands[0].type  # type: ignore[assignment]
    t = fw.t(op.operands[0])
    return [None if t is None else t[rec.keys.index(op.attributes["key"])]]  # type: ignore[index]


@rule("record.set")
def _record_set(fw: Forward, op: Operation, new: Operation) -> list[Tangent]:
    rec: RecordType = op.operands[0].type  # type: ignore[assignment]
    key = op.attributes["key"]
    old = fw.t(op.operands[0])
    parts = list(old) if old is not None else [None] * len(rec.keys)  # type: ignore[arg-type]
    value = fw.t(op.operands[1])
    if key in rec.keys:
        parts[rec.keys.index(key)] = value
    else:
        parts.append(value)
    return [normalize(tuple(parts))]
