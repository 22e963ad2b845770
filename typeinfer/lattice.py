"""The type lattice of inference: unify with numeric promotion, and how types read in messages.

BOTTOM (`!`, "no definition has fixed this yet") is the identity of `unify`;
scalars promote bool < int32 < int64 < float64 and float32 < float64 (an int
meeting a float32 gives float64, since float32 cannot hold every int64);
tuples unify element-wise when their lengths agree; arrays of one dtype and ndim
unify to the strided layout 'A' when their layouts differ, read-only when one is. Anything else is a
conflict. Unsigned ints meet narrower unsigned ones and bool as the wider unsigned type, and
signed ones as int64 -- except uint64 and a signed int: no type holds both exactly (NumPy
would pick float64), so that merge is a conflict rather than a silently wrong value.
"""
from __future__ import annotations

from ember.ir.core import BlockArgument, FuncOp, OpResult, Value
from ember.ir.location import Location
from ember.ir.types import (BOTTOM, C128, F32, F64, I64, ArrayType, DictType, ListType, NoneType,
                            RecordType, ScalarType, StrType, TupleType, Type)


def is_bottom(t: Type) -> bool:
    return t == BOTTOM


def unify(a: Type, b: Type) -> Type | None:
    """The least type both `a` and `b` convert to, or None when they conflict."""
    if a == b:
        return a
    if a == BOTTOM:
        return b
    if b == BOTTOM:
        return a
    if isinstance(a, ScalarType) and isinstance(b, ScalarType):
        return _unify_scalar(a, b)
    if isinstance(a, TupleType) and isinstance(b, TupleType):
        if len(a.elements) != len(b.elements):
            return None
        elems = []
        for x, y in zip(a.elements, b.elements):
            u = unify(x, y)
            if u is None:
                return None
            elems.append(u)
        return TupleType(tuple(elems))
    if isinstance(a, RecordType) and isinstance(b, RecordType):
        # records merge key by key when they have the same keys in the same order
        if a.keys != b.keys:
            return None
        rt = unify(TupleType(a.types), TupleType(b.types))
        return None if rt is None else RecordType(a.keys, rt.elements)  # type: ignore[union-attr]
    if isinstance(a, ListType) and isinstance(b, ListType):
        # one list object may reach here from both sides: one element type (sites.py)
        from .sites import merge_sites
        site = merge_sites(a.site, b.site, [a.elem], [b.elem])
        e = unify(a.elem, b.elem)
        return None if e is None else ListType(e, site)
    if isinstance(a, DictType) and isinstance(b, DictType):
        from .sites import merge_sites
        site = merge_sites(a.site, b.site, [a.key, a.value], [b.key, b.value])
        k, v = unify(a.key, b.key), unify(a.value, b.value)
        return None if k is None or v is None else DictType(k, v, site)
    if isinstance(a, ArrayType) and isinstance(b, ArrayType):
        # a C view and a strided one merge as strided ('A'), a writable one and a
        # read-only one as read-only; dtype and ndim must agree
        if (a.dtype, a.ndim) == (b.dtype, b.ndim):
            layout = a.layout if a.layout == b.layout else "A"
            return ArrayType(a.dtype, a.ndim, layout, a.readonly or b.readonly)
        return None
    return None


def _unify_scalar(a: ScalarType, b: ScalarType) -> ScalarType | None:
    if a.is_complex or b.is_complex:
        return C128
    if a.is_bool:
        return b
    if b.is_bool:
        return a
    if a.is_float and b.is_float:
        return a if a.bits >= b.bits else b
    if a.is_float or b.is_float:
        # an int meets a float: float32 cannot hold every integer exactly
        return F64
    if a.kind == b.kind:
        return a if a.bits >= b.bits else b
    if (a.kind == "u" and a.bits == 64) or (b.kind == "u" and b.bits == 64):
        return None
    return I64


def arith_type(a: ScalarType, b: ScalarType) -> ScalarType:
    """The type Python arithmetic between `a` and `b` computes in (bool acts as an int)."""
    if a.is_float or b.is_float:
        if all(t == F32 or t.is_bool for t in (a, b)):
            return F32
        return F64
    return I64


def can_convert(src: Type, dst: Type) -> bool:
    """Whether a merge may cast `src` to `dst` (`dst` is at least as wide)."""
    return src == BOTTOM or unify(src, dst) == dst


def type_name(t: Type) -> str:
    """A type as messages show it: `float64`, `int64`, `bool`, `tuple<i64, f64>`."""
    if isinstance(t, ScalarType):
        if t.is_bool:
            return "bool"
        return {"i": "int", "u": "uint", "f": "float", "c": "complex"}[t.kind] + str(t.bits)
    if isinstance(t, NoneType):
        return "None"
    if isinstance(t, StrType) or getattr(t, "is_string_literal", False):
        return "str"  # a run-time str or a literal (static.StringLiteral) alike
    return str(t)


def def_loc(v: Value, func: FuncOp | None = None) -> Location | None:
    """Where a value is defined: its op, or for a block argument the op owning the block
    (the loop or the function)."""
    if isinstance(v, OpResult):
        return v.op.loc
    if isinstance(v, BlockArgument):
        region = v.block.parent
        owner = region.parent if region is not None else None
        return getattr(owner, "loc", None) if owner is not None else (func.loc if func else None)
    return None


def line_of(loc: Location | None) -> str:
    return f"line {loc.line}" if loc is not None else "an unknown line"


def is_int_like(t: Type) -> bool:
    return isinstance(t, ScalarType) and (t.is_int or t.is_bool)


def is_float(t: Type) -> bool:
    return isinstance(t, ScalarType) and t.is_float


def is_real(t: Type) -> bool:
    """bool, int or float: what the numeric rules handle."""
    return isinstance(t, ScalarType) and not t.is_complex

