"""Lowering of records (dicts with literal string keys): a record is a literal struct of
its values in key order, exactly like a tuple, so `record.get` / `record.set` are one
extractvalue / insertvalue and SROA keeps every field in a register."""
from __future__ import annotations

from llvmlite import ir

from ember.ir.core import Operation
from ember.ir.types import RecordType

from .context import FuncLowering, LoweringError
from .registry import lowers


def _record(t: object) -> RecordType:
    if not isinstance(t, RecordType):
        raise LoweringError(f"record op on a non-record type {t}")
    return t


@lowers("record.make")
def _record_make(fl: FuncLowering, op: Operation) -> None:
    v: ir.Value = ir.Constant(fl.ltype(op.results[0].type), ir.Undefined)
    for i, e in enumerate(fl.operands(op)):
        v = fl.builder.insert_value(v, e, i)
    fl.set_result(op, v)


@lowers("record.get")
def _record_get(fl: FuncLowering, op: Operation) -> None:
    t = _record(op.operands[0].type)
    i = t.keys.index(str(op.attributes["key"]))
    fl.set_result(op, fl.builder.extract_value(fl.get(op.operands[0]), i))


@lowers("record.set")
def _record_set(fl: FuncLowering, op: Operation) -> None:
    src, rt = _record(op.operands[0].type), _record(op.results[0].type)
    rec, value = fl.operands(op)
    key = str(op.attributes["key"])
    b = fl.builder
    if src.keys == rt.keys and src.types == rt.types:
        fl.set_result(op, b.insert_value(rec, value, rt.keys.index(key)))
        return
    # the key changes type or is new: rebuild the struct of the result type
    out: ir.Value = ir.Constant(fl.ltype(rt), ir.Undefined)
    for i, k in enumerate(rt.keys):
        out = b.insert_value(out, value if k == key else b.extract_value(rec, src.keys.index(k)), i)
    fl.set_result(op, out)
