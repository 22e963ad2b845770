"""Dict ops -> LLVM IR. A dict value is the struct of its five list references
(typeinfer/dictlib.py keeps the hash map in them), so the backend only makes the lists,
hands them out, counts references and hashes scalar keys.
"""
from __future__ import annotations

from llvmlite import ir

from ember.ir.core import Operation
from ember.ir.types import I64 as I64_T, DictType, ListType, Type

from . import runtime_lists as rl
from . import runtime_helpers as rt
from .context import FuncLowering, LoweringError
from .llvm_types import F32, F64, I1, I64, PTR, mem_type, size_align
from .registry import lowers

NO_MEMORY = ("MemoryError", "ember: out of memory making a dict")
NULL = ir.Constant(PTR, None)


def part_types(t: DictType) -> list[ListType]:
    return [ListType(t.key), ListType(t.value), ListType(I64_T), ListType(I64_T), ListType(I64_T)]


def change_dict_refs(llmod: ir.Module, b: ir.IRBuilder, v: ir.Value, t: Type, retain: bool) -> None:
    """Retain or release each list of the dict `v` (they live and die together)."""
    from .lower_list import change_refs

    if not isinstance(t, DictType):
        raise LoweringError(f"no reference counting for type {t}")
    for i, pt in enumerate(part_types(t)):
        change_refs(llmod, b, b.extract_value(v, i), pt, retain)


@lowers("dict.new")
def _new(fl: FuncLowering, op: Operation) -> None:
    t = op.results[0].type
    if not isinstance(t, DictType):
        raise LoweringError(f"dict.new cannot make a {t}")
    b = fl.builder
    out: ir.Value = ir.Constant(ir.LiteralStructType([PTR] * 5), ir.Undefined)
    for i, pt in enumerate(part_types(t)):
        size = size_align(mem_type(pt.elem))[0]
        lst = b.call(fl.mod.runtime(rl.LIST_NEW), [ir.Constant(I64, size), ir.Constant(I64, 0)])
        fl.check(b.icmp_unsigned("!=", lst, NULL), fl.mod.errors.code(*NO_MEMORY))
        out = b.insert_value(out, lst, i)
    fl.set_result(op, out)


@lowers("dict.parts")
def _parts(fl: FuncLowering, op: Operation) -> None:
    fl.set_result(op, fl.get(op.operands[0]))  # the same five pointers, borrowed


@lowers("dict.retain", "dict.release")
def _refs(fl: FuncLowering, op: Operation) -> None:
    change_dict_refs(fl.mod.llmod, fl.builder, fl.get(op.operands[0]), op.operands[0].type,
                     retain=op.name == "dict.retain")


def _mix(b: ir.IRBuilder, x: ir.Value) -> ir.Value:
    """splitmix64's finalizer: every input bit moves every output bit."""
    x = b.mul(b.xor(x, b.lshr(x, ir.Constant(I64, 30))), ir.Constant(I64, 0xBF58476D1CE4E5B9 - (1 << 64)))
    x = b.mul(b.xor(x, b.lshr(x, ir.Constant(I64, 27))), ir.Constant(I64, 0x94D049BB133111EB - (1 << 64)))
    return b.xor(x, b.lshr(x, ir.Constant(I64, 31)))


@lowers("hash.of")
def _hash(fl: FuncLowering, op: Operation) -> None:
    b = fl.builder
    t = op.operands[0].type
    x = fl.get(op.operands[0])
    if x.type in (F32, F64):
        x = b.fadd(x, ir.Constant(x.type, 0.0))  # -0.0 + 0.0 is 0.0: equal keys, one hash
        x = b.bitcast(x, ir.IntType(32 if x.type == F32 else 64))
    if x.type != I64:
        signed = getattr(t, "kind", "i") == "i"
        x = b.sext(x, I64) if signed and x.type != I1 else b.zext(x, I64)
    fl.set_result(op, _mix(b, x))
