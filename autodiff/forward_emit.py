"""Building blocks of forward-mode code: tangent structures, zeros, loop nests, copies.

A tangent travels beside its primal as a *structure* shaped like the primal's type:
a `Value` for a float/complex scalar or a float array (typed exactly like the primal, so
views of a tangent array have the primal view's type), a Python tuple of element
structures for a tuple or record, and None for zero (an inactive value, or an inactive
element). Structures are only materialized as IR values where control flow or a call
needs a fixed signature: there they travel as *leaves* (`leaf_paths`), one IR value per
differentiable scalar or array, zeros filled in.
"""
from __future__ import annotations

from typing import Callable, Iterator, Union

from ember.ir.builder import Builder
from ember.ir.core import Block, Region, Value
from ember.ir.types import I64, ArrayType, ListType, NoneType, RecordType, ScalarType, TupleType, Type

Tangent = Union[Value, tuple, None]
Path = tuple[int, ...]


def leaf_paths(t: Type) -> list[tuple[Path, Type]]:
    """The differentiable leaves of a value of type `t`: (path of element indices, type)."""
    if isinstance(t, ScalarType):
        return [((), t)] if t.kind in "fc" else []
    if isinstance(t, ArrayType):
        return [((), t)] if t.dtype.kind in "fc" else []
    if isinstance(t, ListType):  # a float list (a tape): a shadow list
        return [((), t)] if isinstance(t.elem, ScalarType) and t.elem.kind in "fc" else []
    elements = t.elements if isinstance(t, TupleType) else t.types if isinstance(t, RecordType) else ()
    out: list[tuple[Path, Type]] = []
    for i, e in enumerate(elements):
        out.extend(((i,) + p, lt) for p, lt in leaf_paths(e))
    return out


def elements_of(t: Type) -> tuple[Type, ...]:
    if isinstance(t, TupleType):
        return t.elements
    if isinstance(t, RecordType):
        return t.types
    return ()


def normalize(struct: Tangent) -> Tangent:
    """None for a structure with no non-zero leaf."""
    if isinstance(struct, tuple):
        parts = tuple(normalize(s) for s in struct)
        return None if all(p is None for p in parts) else parts
    return struct


def leaf_at(struct: Tangent, path: Path) -> Value | None:
    for i in path:
        if struct is None:
            return None
        struct = struct[i]  # type: ignore[index]
    return struct  # type: ignore[return-value]


def unflatten(t: Type, leaves: Iterator[Value | None]) -> Tangent:
    """Rebuild a structure of type `t` from its leaves in `leaf_paths` order."""
    if isinstance(t, (TupleType, RecordType)):
        return normalize(tuple(unflatten(e, leaves) for e in elements_of(t)))
    if leaf_paths(t):
        return next(leaves)
    return None


class Emit:
    """IR emission helpers over a Builder (the current block and source location)."""

    def __init__(self, b: Builder) -> None:
        self.b = b

    def op(self, name: str, operands: list[Value], result: Type, **attrs: object) -> Value:
        return self.b.value(name, operands, result, attrs or None)  # type: ignore[arg-type]

    def const(self, value: float | int | bool, t: Type) -> Value:
        if isinstance(t, ScalarType) and t.kind == "c":
            part = ScalarType("f", t.bits // 2)
            c = complex(value)
            return self.op("complex.make", [self.const(c.real, part), self.const(c.imag, part)], t)
        if isinstance(t, ScalarType) and t.kind == "f":
            value = float(value)
        return self.b.constant(value, t)

    def element(self, v: Value, i: int) -> Value:
        """Element i of a tuple or record value."""
        t = v.type
        if isinstance(t, RecordType):
            return self.op("record.get", [v], t.types[i], key=t.keys[i])
        return self.op("tuple.get", [v], t.elements[i], index=i)  # type: ignore[union-attr]

    def at_path(self, v: Value, path: Path) -> Value:
        for i in path:
            v = self.element(v, i)
        return v

    # ---- zeros and leaves -----------------------------------------------------------
    def zero_like(self, primal: Value) -> Value:
        """A zero tangent for the scalar or array `primal` (an array: fresh, zero-filled,
        typed like the primal)."""
        t = primal.type
        if isinstance(t, ScalarType):
            return self.const(0, t)
        if isinstance(t, ListType):  # the same length, zero bytes: 0.0 elements
            n = self.op("list.len", [primal], I64)
            z = self.op("list.new", [n], t)
            self.b.op("list.resize", [z, n])
            return z
        assert isinstance(t, ArrayType)
        dims = [self.op("array.dim", [primal], I64, axis=k) for k in range(t.ndim)]
        return self.zeros(dims, t)

    def zeros(self, dims: list[Value], t: ArrayType) -> Value:
        """A new zero-filled array of extents `dims`, retyped to `t`."""
        zero = self.const(0, t.dtype)
        if t.layout == "F":  # fill a C array of the reversed extents; its transpose is F
            c = self.op("array.alloc", dims[::-1], ArrayType(t.dtype, t.ndim, "C"))
            self.fill(c, dims[::-1], zero)
            arr = self.op("array.transpose", [c], ArrayType(t.dtype, t.ndim, "F"))
        else:
            arr = self.op("array.alloc", dims, ArrayType(t.dtype, t.ndim, "C"))
            self.fill(arr, dims, zero)
        return self.retype(arr, t)

    def retype(self, arr: Value, t: Type) -> Value:
        """The same view typed `t` (forgetting contiguity or writability)."""
        if arr.type == t:
            return arr
        return self.op("array.subview", [arr], t, kinds="")

    def fill(self, arr: Value, dims: list[Value], value: Value) -> None:
        self.loop_nest(dims, lambda idx: self.b.op("array.store", [value, arr] + idx))

    def copy_c(self, src: Value) -> Value:
        """A fresh C-contiguous writable copy of the array `src`."""
        t = src.type
        assert isinstance(t, ArrayType)
        dims = [self.op("array.dim", [src], I64, axis=k) for k in range(t.ndim)]
        dst = self.op("array.alloc", dims, ArrayType(t.dtype, t.ndim, "C"))

        def body(idx: list[Value]) -> None:
            self.b.op("array.store", [self.op("array.load", [src] + idx, t.dtype), dst] + idx)
        self.loop_nest(dims, body)
        return dst

    def loop_nest(self, dims: list[Value], body: Callable[[list[Value]], object]) -> None:
        """for i0 in range(d0): for i1 in range(d1): ... body([i0, i1, ...])."""
        lo, step = self.const(0, I64), self.const(1, I64)

        def level(k: int, idx: list[Value]) -> None:
            if k == len(dims):
                body(idx)
                return
            block = Block([I64])
            self.b.op("scf.for", [lo, dims[k], step], [], regions=[Region([block])])
            with self.b.at(block):
                level(k + 1, idx + [block.args[0]])
                self.b.op("scf.yield", [])
        level(0, [])

    def leaves(self, primal: Value, struct: Tangent) -> list[Value]:
        """The leaf values of a tangent structure, zeros filled in (see `leaf_paths`)."""
        out = []
        for path, _ in leaf_paths(primal.type):
            leaf = leaf_at(struct, path)
            out.append(leaf if leaf is not None else self.zero_like(self.at_path(primal, path)))
        return out

    def tangent_value(self, primal: Value, struct: Tangent, t: Type) -> Value:
        """The structure as one IR value of tangent type `t` (the entry's contract:
        arrays C-contiguous and writable; zeros filled in)."""
        if isinstance(t, (TupleType, RecordType)):
            parts = [self.tangent_value(self.element(primal, i),
                                        None if struct is None else struct[i], e)  # type: ignore[index]
                     for i, e in enumerate(elements_of(t))]
            if isinstance(t, RecordType):
                return self.op("record.make", parts, t, keys=",".join(t.keys))
            return self.op("tuple.make", parts, t)
        if isinstance(t, NoneType):  # a hole (an int inside a tuple or record)
            return self.op("none.make", [], t)
        if struct is None:
            struct = self.zero_like(primal)
        assert isinstance(struct, Value)
        if isinstance(t, ArrayType) and struct.type != t:
            return self.copy_c(struct)
        return struct

    def from_tangent_value(self, v: Value, primal_type: Type) -> Tangent:
        """A tangent argument (typed tangent_type of `primal_type`) as a structure whose
        arrays are typed like the primal's."""
        if isinstance(primal_type, (TupleType, RecordType)):
            return normalize(tuple(self.from_tangent_value(self.element(v, i), e)
                                   if leaf_paths(e) else None  # a hole: nothing to read
                                   for i, e in enumerate(elements_of(primal_type))))
        if isinstance(primal_type, ArrayType) and v.type != primal_type:
            if primal_type.layout == "F" and primal_type.ndim > 1:
                # a C tangent for an F primal: copy it into F order (a transposed C array)
                src = self.op("array.transpose", [v], ArrayType(primal_type.dtype, primal_type.ndim, "F"))
                return self.retype(self.op("array.transpose", [self.copy_c(src)],
                                           ArrayType(primal_type.dtype, primal_type.ndim, "F")),
                                   primal_type)
            return self.retype(v, primal_type)
        return v
