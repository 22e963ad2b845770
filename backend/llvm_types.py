"""IR types -> llvmlite types, and the value <-> memory conversions of the native convention.

As a value a bool is `i1`; in memory (the `%out` slot, an alloca) it is `i8`, as C
and the CPython wrapper expect. A tuple is a literal struct of its element types,
with the same rule applied element-wise in memory. An array is the struct
`{ptr meminfo, ptr parent, ptr data, [n x i64] shape, [n x i64] strides}`
(docs/arrays-internals.md), the same in memory and as a value.
"""
from __future__ import annotations

from llvmlite import ir

from ember.ir.types import (ArrayType, DictType, ListType, NoneType, RecordType, ScalarType, StrType,
                            TupleType, Type)

I1 = ir.IntType(1)
I8 = ir.IntType(8)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
F32 = ir.FloatType()
F64 = ir.DoubleType()
PTR = ir.PointerType()


class BackendTypeError(TypeError):
    """A type the backend cannot lower (a compiler bug upstream, or a capability not yet built)."""


def value_type(t: Type) -> ir.Type:
    """The LLVM type of an SSA value of IR type `t`."""
    if isinstance(t, ScalarType):
        if t.kind == "b":
            return I1
        if t.kind in ("i", "u"):
            return ir.IntType(t.bits)
        if t.kind == "f":
            if t.bits == 32:
                return F32
            if t.bits == 64:
                return F64
        if t.kind == "c" and t.bits in (64, 128):
            part = F32 if t.bits == 64 else F64
            return ir.LiteralStructType([part, part])  # {real, imag}, as C and NumPy lay it out
    if isinstance(t, TupleType):
        return ir.LiteralStructType([value_type(e) for e in t.elements])
    if isinstance(t, RecordType):  # a dict with literal keys: a struct, like a tuple
        return value_type(TupleType(t.types))
    if isinstance(t, ArrayType):
        return array_struct(t.ndim)
    if isinstance(t, StrType):  # UTF-8 bytes, not owned: {ptr data, i64 nbytes}
        return STR_STRUCT
    if isinstance(t, ListType):
        return PTR  # a reference to the runtime object (docs/containers.md)
    if isinstance(t, DictType):  # its five lists (typeinfer/dictlib.py)
        return ir.LiteralStructType([PTR] * 5)
    if isinstance(t, NoneType):  # none.make: a hole in a tuple / record, nothing to store
        return NONE_STRUCT
    raise BackendTypeError(f"the backend cannot lower type {t}")


STR_STRUCT = ir.LiteralStructType([PTR, I64])
NONE_STRUCT = ir.LiteralStructType([])

# Field indices of the array struct.
ARRAY_MEMINFO, ARRAY_PARENT, ARRAY_DATA, ARRAY_SHAPE, ARRAY_STRIDES = range(5)


def array_struct(ndim: int) -> ir.LiteralStructType:
    dims = ir.ArrayType(I64, ndim)
    return ir.LiteralStructType([PTR, PTR, PTR, dims, dims])


def itemsize(t: ScalarType) -> int:
    """Bytes of one array element of dtype `t` (a bool is one byte)."""
    return 1 if t.kind == "b" else t.bits // 8


def mem_type(t: Type) -> ir.Type:
    """The LLVM type of `t` stored in memory (bool widened to i8)."""
    if isinstance(t, ScalarType) and t.kind == "b":
        return I8
    if isinstance(t, TupleType):
        return ir.LiteralStructType([mem_type(e) for e in t.elements])
    if isinstance(t, RecordType):
        return mem_type(TupleType(t.types))
    return value_type(t)


def size_align(t: ir.Type) -> tuple[int, int]:
    """Bytes and alignment of an LLVM type in memory (natural alignment, as the x86-64 and
    AArch64 data layouts give every type ember stores)."""
    if isinstance(t, ir.IntType):
        n = max(1, t.width // 8)
        return n, n
    if isinstance(t, (ir.FloatType, ir.DoubleType)):
        n = 4 if isinstance(t, ir.FloatType) else 8
        return n, n
    if isinstance(t, ir.PointerType):
        return 8, 8
    if isinstance(t, ir.ArrayType):
        n, a = size_align(t.element)
        return n * t.count, a
    if isinstance(t, ir.LiteralStructType):
        off, align = 0, 1
        for e in t.elements:
            n, a = size_align(e)
            off = (off + a - 1) // a * a + n
            align = max(align, a)
        return (off + align - 1) // align * align, align
    raise BackendTypeError(f"no size for LLVM type {t}")


def holds_references(t: Type) -> bool:
    """Does a value of type `t` own reference-counted memory (arrays, lists, dicts, or tuples
    holding one)?"""
    if isinstance(t, (ArrayType, ListType, DictType)):
        return True
    if isinstance(t, RecordType):  # a struct of its values, like a tuple
        return any(holds_references(e) for e in t.types)
    return isinstance(t, TupleType) and any(holds_references(e) for e in t.elements)


def is_none(t: Type) -> bool:
    return isinstance(t, NoneType)


def to_mem(b: ir.IRBuilder, v: ir.Value, t: Type) -> ir.Value:
    """Convert an SSA value to its memory form."""
    if isinstance(t, ScalarType) and t.kind == "b":
        return b.zext(v, I8)
    if isinstance(t, RecordType):
        return to_mem(b, v, TupleType(t.types))
    if isinstance(t, TupleType) and _has_bool(t):
        out: ir.Value = ir.Constant(mem_type(t), ir.Undefined)
        for i, e in enumerate(t.elements):
            out = b.insert_value(out, to_mem(b, b.extract_value(v, i), e), i)
        return out
    return v


def from_mem(b: ir.IRBuilder, v: ir.Value, t: Type) -> ir.Value:
    """Convert a loaded memory value back to its SSA form."""
    if isinstance(t, ScalarType) and t.kind == "b":
        return b.trunc(v, I1)
    if isinstance(t, RecordType):
        return from_mem(b, v, TupleType(t.types))
    if isinstance(t, TupleType) and _has_bool(t):
        out: ir.Value = ir.Constant(value_type(t), ir.Undefined)
        for i, e in enumerate(t.elements):
            out = b.insert_value(out, from_mem(b, b.extract_value(v, i), e), i)
        return out
    return v


def _has_bool(t: Type) -> bool:
    if isinstance(t, ScalarType):
        return t.kind == "b"
    if isinstance(t, TupleType):
        return any(_has_bool(e) for e in t.elements)
    return False


def constant(t: Type, value: int | float | bool) -> ir.Constant:
    """An LLVM constant of IR scalar type `t` (ints are reduced to two's complement)."""
    lt = value_type(t)
    if isinstance(lt, ir.IntType):
        bits = lt.width
        v = int(value) & ((1 << bits) - 1)
        if bits > 1 and v >= 1 << (bits - 1):
            v -= 1 << bits
        return ir.Constant(lt, v)
    return ir.Constant(lt, float(value))
