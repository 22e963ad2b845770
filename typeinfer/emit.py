"""Emitting typed ops: a Builder with the conversions and checks every lowering rule needs.

Everything here produces only ops of `ir.opdefs.TYPED`. `cast` is the one place
that widens a value for a merge; `to_i64`/`to_float` are the operand conversions of
Python arithmetic; `check` emits `cf.assert` with a builtin exception and message.
"""
from __future__ import annotations

from ember.ir.builder import Builder
from ember.ir.core import Block, Operation, Region, Value
from ember.ir.errors import IRError
from ember.ir.types import (BOOL, F64, I64, NONE, ArrayType, DictType, ListType, RecordType,
                            ScalarType, StrType, TupleType, Type)


class Undef:
    """Stands for `py.undef` during the rebuild: it becomes a zero of whatever type the
    merge it flows into needs, created at that point."""

    __slots__ = ("name",)

    def __init__(self, name: str | None) -> None:
        self.name = name


class NoneValue:
    """The value of a call to a function returning None (a typed call has no result)."""

    __slots__ = ()
    type = NONE
    name = None


NONE_VALUE = NoneValue()


class Emitter:
    """Builds typed ops through `b` (its block and location are the insertion point)."""

    def __init__(self, b: Builder) -> None:
        self.b = b
        # the inferred types of the results of the op being lowered (set by the rebuild)
        self.expected: list[Type] = []

    # ---- plain ops -------------------------------------------------------------
    def op(self, name: str, operands: list[Value], result: Type, **attrs) -> Value:
        return self.b.value(name, operands, result, attrs or None)

    def const(self, value: int | float | bool, t: Type) -> Value:
        assert isinstance(t, ScalarType)
        if t.is_complex:
            from .complex_emit import make, part_type
            c = complex(value)
            return make(self, self.const(c.real, part_type(t)), self.const(c.imag, part_type(t)))
        if t.is_bool:
            value = bool(value)
        elif t.is_float:
            value = float(value)
        else:
            value = int(value)
        return self.b.constant(value, t)

    def zero(self, t: Type) -> Value:
        """The zero of a type: what a variable unassigned on some path holds."""
        if isinstance(t, TupleType):
            return self.op("tuple.make", [self.zero(e) for e in t.elements], t)
        if isinstance(t, ScalarType):
            return self.const(0, t)
        if isinstance(t, StrType):
            return self.op("str.constant", [], t, value="")
        if isinstance(t, RecordType):
            return self.op("record.make", [self.zero(e) for e in t.types], t, keys=",".join(t.keys))
        if isinstance(t, ArrayType):
            # an empty array: what a loop carries for an array variable assigned inside it
            zero = self.const(0, I64)
            empty = self.op("array.alloc", [zero] * t.ndim, ArrayType(t.dtype, t.ndim, "C"))
            return empty if empty.type == t else self.b.value("array.subview", [empty], t,
                                                              {"kinds": ""})
        if isinstance(t, (ListType, DictType)):
            # an empty container: what a loop carries for a variable assigned inside it
            return self.op("list.new" if isinstance(t, ListType) else "dict.new",
                           [self.const(0, I64)], t)
        raise IRError(f"typeinfer: no zero value of type {t}", self.b.loc)

    def check(self, cond: Value, exc: str, msg: str) -> None:
        """cf.assert: raise `exc(msg)` at run time unless `cond` holds."""
        self.b.op("cf.assert", [cond], [], {"exc": exc, "msg": msg})

    def cmpi(self, pred: str, a: Value, b: Value) -> Value:
        return self.op("arith.cmpi", [a, b], BOOL, predicate=pred)

    def cmpf(self, pred: str, a: Value, b: Value) -> Value:
        return self.op("arith.cmpf", [a, b], BOOL, predicate=pred)

    def and_(self, a: Value, b: Value) -> Value:
        return self.op("arith.andi", [a, b], BOOL)

    def or_(self, a: Value, b: Value) -> Value:
        return self.op("arith.ori", [a, b], BOOL)

    def not_(self, a: Value) -> Value:
        return self.op("arith.xori", [a, self.const(True, BOOL)], BOOL)

    def select(self, c: Value, a: Value, b: Value) -> Value:
        return self.op("arith.select", [c, a, b], a.type)

    def fpred(self, name: str, x: Value) -> Value:
        return self.op(f"math.{name}", [x], BOOL)

    # ---- conversions -----------------------------------------------------------
    def cast(self, v: "Value | Undef", t: Type) -> Value:
        """Widen `v` to type `t` (bool -> int -> float, f32 -> f64, tuples element-wise)."""
        if isinstance(v, Undef):
            return self.zero(t)
        s = v.type
        if s == t:
            return v
        if isinstance(s, TupleType) and isinstance(t, TupleType) and len(s.elements) == len(t.elements):
            parts = [self.cast(self.op("tuple.get", [v], e, index=i), te)
                     for i, (e, te) in enumerate(zip(s.elements, t.elements))]
            return self.op("tuple.make", parts, t)
        if isinstance(s, RecordType) and isinstance(t, RecordType) and s.keys == t.keys:
            parts = [self.cast(self.op("record.get", [v], e, key=k), te)
                     for k, e, te in zip(s.keys, s.types, t.types)]
            return self.op("record.make", parts, t, keys=",".join(t.keys))
        if isinstance(s, ArrayType) and isinstance(t, ArrayType) and t.layout in ("A", s.layout) \
                and (s.dtype, s.ndim) == (t.dtype, t.ndim) and t.readonly >= s.readonly:
            # forget contiguity or writability: an empty subview is the same view retyped
            return self.b.value("array.subview", [v], t, {"kinds": ""})
        if isinstance(s, ScalarType) and isinstance(t, ScalarType):
            if t.is_complex:
                from .complex_emit import to_complex
                return to_complex(self, v, t)
            if t.is_float:
                if s.is_float:
                    return self.op("arith.extf" if t.bits > s.bits else "arith.truncf", [v], t)
                return self.op("arith.uitofp" if s.kind in "ub" else "arith.sitofp", [v], t)
            if t.is_int and (s.is_int or s.is_bool):
                if t.bits > s.bits:
                    return self.op("arith.extui" if s.kind in "ub" else "arith.extsi", [v], t)
                if t.bits < s.bits:
                    return self.op("arith.trunci", [v], t)
                # same width, other signedness: reinterpret the bits (callers that need the
                # exact value of a uint64 >= 2**63 check it first: builtins.exact_i64)
                from .array_ufuncs import np_cast
                return np_cast(self, v, t)
        raise IRError(f"typeinfer: cannot cast {s} to {t}", self.b.loc)

    def to_i64(self, v: Value) -> Value:
        """An int or bool operand as Python's int (i64)."""
        return self.cast(v, I64)

    def to_float(self, v: Value, t: Type = F64) -> Value:
        return self.cast(v, t)

    def truth(self, v: "Value | NoneValue") -> Value:
        """Python's bool(v): bool as is, int != 0, float `une` 0.0 (so nan is true)."""
        if isinstance(v, NoneValue):
            return self.const(False, BOOL)
        t = v.type
        if t == BOOL:
            return v
        if isinstance(t, ScalarType) and t.is_int:
            return self.cmpi("ne", v, self.const(0, t))
        if isinstance(t, ScalarType) and t.is_float:
            return self.cmpf("une", v, self.const(0.0, t))
        if isinstance(t, ScalarType) and t.is_complex:
            from .complex_emit import nonzero
            return nonzero(self, v)
        if isinstance(t, TupleType):
            return self.const(len(t.elements) > 0, BOOL)
        if t == NONE:
            return self.const(False, BOOL)
        raise IRError(f"typeinfer: no truth value for {t}", self.b.loc)

    def checked_fptosi(self, x: Value) -> Value:
        """int(x) of a float: CPython's errors for nan, infinities and values out of i64.

        The hot path is one unordered compare, `|x| >= 2**63` (true for nan and both
        infinities too); only then does a cold `scf.if` decide which error to raise
        (-2**63 itself is in range and falls through it)."""
        t = x.type
        big = self.const(2.0 ** 63, t)  # exact in f32 and f64
        suspect = self.cmpf("uge", self.op("math.fabs", [x], t), big)
        then = Block()
        with self.b.at(then):
            self.check(self.not_(self.fpred("isnan", x)), "ValueError",
                       "cannot convert float NaN to integer")
            self.check(self.not_(self.fpred("isinf", x)), "OverflowError",
                       "cannot convert float infinity to integer")
            self.check(self.cmpf("oeq", x, self.const(-2.0 ** 63, t)), "OverflowError",
                       "float too large to convert to int64 (ember integers are 64-bit)")
            then.append(Operation("scf.yield", [], [], loc=self.b.loc))
        other = Block()
        other.append(Operation("scf.yield", [], [], loc=self.b.loc))
        self.b.op("scf.if", [suspect], [], regions=[Region([then]), Region([other])])
        return self.op("arith.fptosi", [x], I64)
