"""Straightforward arith ops, casts, select and tuples: one LLVM instruction each (NumPy's
float maximum/minimum: three).

The ops whose Python semantics need more than one instruction (floor division,
shifts by >= width, powers, int-vs-float comparison) are in lower_pyarith.py.
"""
from __future__ import annotations

from llvmlite import ir

from ember.ir.core import Operation
from ember.ir.types import ScalarType

from .context import FuncLowering, LoweringError
from .llvm_types import constant
from .registry import lowers

_INT_BINARY = {"arith.addi": "add", "arith.subi": "sub", "arith.muli": "mul",
               "arith.andi": "and_", "arith.ori": "or_", "arith.xori": "xor"}
_FLOAT_BINARY = {"arith.addf": "fadd", "arith.subf": "fsub", "arith.mulf": "fmul",
                 "arith.divf": "fdiv"}
_ICMP = {"eq": (True, "=="), "ne": (True, "!="), "slt": (True, "<"), "sle": (True, "<="),
         "sgt": (True, ">"), "sge": (True, ">="), "ult": (False, "<"), "ule": (False, "<="),
         "ugt": (False, ">"), "uge": (False, ">=")}
_FCMP = {"oeq": (True, "=="), "one": (True, "!="), "olt": (True, "<"), "ole": (True, "<="),
         "ogt": (True, ">"), "oge": (True, ">="), "ord": (True, "ord"),
         "ueq": (False, "=="), "une": (False, "!="), "ult": (False, "<"), "ule": (False, "<="),
         "ugt": (False, ">"), "uge": (False, ">="), "uno": (False, "uno")}


@lowers("arith.constant")
def _constant(fl: FuncLowering, op: Operation) -> None:
    fl.set_result(op, constant(op.results[0].type, op.attributes["value"]))


@lowers(*_INT_BINARY)
def _int_binary(fl: FuncLowering, op: Operation) -> None:
    a, b = fl.operands(op)
    fl.set_result(op, getattr(fl.builder, _INT_BINARY[op.name])(a, b))


@lowers(*_FLOAT_BINARY)
def _float_binary(fl: FuncLowering, op: Operation) -> None:
    a, b = fl.operands(op)
    fl.set_result(op, getattr(fl.builder, _FLOAT_BINARY[op.name])(a, b))


@lowers("arith.negf")
def _negf(fl: FuncLowering, op: Operation) -> None:
    fl.set_result(op, fl.builder.fneg(fl.get(op.operands[0])))


@lowers("arith.maximumf", "arith.minimumf")
def _max_min_f(fl: FuncLowering, op: Operation) -> None:
    """NumPy's x if isnan(x) or x > y else y (< for min). Not llvm.maximum: that orders
    -0.0 below 0.0 where NumPy returns y on the tie. The inner select is the pattern x86's
    maxsd/minsd match."""
    a, b = fl.operands(op)
    bd = fl.builder
    better = bd.fcmp_ordered(">" if op.name == "arith.maximumf" else "<", a, b)
    fl.set_result(op, bd.select(bd.fcmp_unordered("uno", a, a), a, bd.select(better, a, b)))


@lowers("arith.powf")
def _powf(fl: FuncLowering, op: Operation) -> None:
    a, b = fl.operands(op)
    fl.set_result(op, fl.builder.call(fl.mod.intrinsic("pow", a.type, 2), [a, b]))


@lowers("arith.cmpi")
def _cmpi(fl: FuncLowering, op: Operation) -> None:
    a, b = fl.operands(op)
    signed, pred = _ICMP[op.attributes["predicate"]]
    cmp = fl.builder.icmp_signed if signed else fl.builder.icmp_unsigned
    fl.set_result(op, cmp(pred, a, b))


@lowers("arith.cmpf")
def _cmpf(fl: FuncLowering, op: Operation) -> None:
    a, b = fl.operands(op)
    ordered, pred = _FCMP[op.attributes["predicate"]]
    cmp = fl.builder.fcmp_ordered if ordered else fl.builder.fcmp_unordered
    fl.set_result(op, cmp(pred, a, b))


@lowers("arith.select")
def _select(fl: FuncLowering, op: Operation) -> None:
    c, a, b = fl.operands(op)
    fl.set_result(op, fl.builder.select(c, a, b))


def _cast(fl: FuncLowering, op: Operation, method: str) -> None:
    src = fl.get(op.operands[0])
    fl.set_result(op, getattr(fl.builder, method)(src, fl.ltype(op.results[0].type)))


@lowers("arith.sitofp", "arith.uitofp", "arith.fptosi", "arith.extsi", "arith.extui",
        "arith.trunci", "arith.extf", "arith.truncf")
def _casts(fl: FuncLowering, op: Operation) -> None:
    method = {"arith.sitofp": "sitofp", "arith.uitofp": "uitofp", "arith.fptosi": "fptosi",
              "arith.extsi": "sext", "arith.extui": "zext", "arith.trunci": "trunc",
              "arith.extf": "fpext", "arith.truncf": "fptrunc"}[op.name]
    src_t = op.operands[0].type
    if op.name == "arith.sitofp" and isinstance(src_t, ScalarType) and src_t.kind == "b":
        # bool is 0/1, never -1: convert unsigned whatever the op says.
        method = "uitofp"
    _cast(fl, op, method)


@lowers("tuple.make")
def _tuple_make(fl: FuncLowering, op: Operation) -> None:
    ty = fl.ltype(op.results[0].type)
    v: ir.Value = ir.Constant(ty, ir.Undefined)
    for i, e in enumerate(fl.operands(op)):
        v = fl.builder.insert_value(v, e, i)
    fl.set_result(op, v)


@lowers("none.make")
def _none_make(fl: FuncLowering, op: Operation) -> None:
    fl.set_result(op, ir.Constant(fl.ltype(op.results[0].type), []))


@lowers("tuple.get")
def _tuple_get(fl: FuncLowering, op: Operation) -> None:
    index = op.attributes["index"]
    if not isinstance(index, int):
        raise LoweringError(f"tuple.get index must be an int, got {index!r}")
    fl.set_result(op, fl.builder.extract_value(fl.get(op.operands[0]), index))
