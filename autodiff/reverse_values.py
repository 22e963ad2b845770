"""Structured values for reverse mode: scalar leaves of tuples and records, zeros,
dummies, and adjoint accumulation.

An adjoint (`Adj`) is the IR value of a float scalar, None for zero, or a Python list
with one Adj per element of a tuple or record: tuple adjoints stay Python structure
until a function boundary needs them (`materialize`), so the sweep never builds and
takes apart tuples it does not need.
"""
from __future__ import annotations

from typing import Union

from ember.ir.builder import Builder
from ember.ir.core import Value
from ember.autodiff.tangents import tangent_type
from ember.ir.opdefs import record_keys
from ember.ir.types import (BOOL, I64, NONE, ArrayType, ListType, NoneType, RecordType, ScalarType, TupleType,
                            Type)

Adj = Union[Value, list, None]
Path = tuple[int, ...]


def elements(t: Type) -> tuple[Type, ...]:
    """The element types of a tuple or record."""
    return t.elements if isinstance(t, TupleType) else t.types  # type: ignore[union-attr]


def is_struct(t: Type) -> bool:
    return isinstance(t, (TupleType, RecordType))


def scalar_leaves(t: Type, floats_only: bool) -> list[tuple[Path, ScalarType]]:
    """Paths to the scalar leaves of `t` (all scalars, or only floats: the leaves an
    adjoint has). Arrays and other references are not leaves."""
    if isinstance(t, ScalarType):
        return [((), t)] if (t.kind in "fc" or not floats_only) else []
    if is_struct(t):
        out = []
        for i, e in enumerate(elements(t)):
            out += [((i,) + p, s) for p, s in scalar_leaves(e, floats_only)]
        return out
    return []


def extract(b: Builder, v: Value, path: Path) -> Value:
    """The element of `v` at `path` (tuple.get / record.get chain)."""
    for i in path:
        t = v.type
        if isinstance(t, TupleType):
            v = b.value("tuple.get", [v], t.elements[i], {"index": i})
        else:
            assert isinstance(t, RecordType)
            v = b.value("record.get", [v], t.types[i], {"key": t.keys[i]})
    return v


def build(b: Builder, t: Type, leaf: "callable") -> Value:
    """A value of type `t` whose scalar leaves are `leaf(path, scalar_type)`; a non-scalar
    leaf (array) comes from `leaf(path, t)` too."""
    def go(t: Type, path: Path) -> Value:
        if is_struct(t):
            parts = [go(e, path + (i,)) for i, e in enumerate(elements(t))]
            if isinstance(t, TupleType):
                return b.value("tuple.make", parts, t)
            return b.value("record.make", parts, t, {"keys": ",".join(t.keys)})
        return leaf(path, t)
    return go(t, ())


def zero(b: Builder, t: ScalarType) -> Value:
    if t.kind == "f":
        return b.constant(0.0, t)
    if t.kind == "c":
        part = ScalarType("f", t.bits // 2)
        z = b.constant(0.0, part)
        return b.value("complex.make", [z, z], t)
    if t.kind == "b":
        return b.constant(False, BOOL)
    return b.constant(0, t)


def dummy(b: Builder, t: Type) -> Value | None:
    """Some value of type `t` (zeros; an empty array), for the branch of an scf.if that
    does not define a value the other exports. None when `t` has no such value."""
    if isinstance(t, ScalarType):
        return zero(b, t)
    if isinstance(t, ArrayType):
        dims = [b.constant(0, I64) for _ in range(t.ndim)]
        c = ArrayType(t.dtype, t.ndim, "C")
        a = b.value("array.alloc", dims, c)
        if c != t:
            a = b.value("array.subview", [a], t, {"kinds": ""})
        return a
    if isinstance(t, ListType):
        return b.value("list.new", [b.constant(0, I64)], t)
    if is_struct(t):
        ok = True

        def leaf(path: Path, lt: Type) -> Value:
            nonlocal ok
            v = dummy(b, lt)
            if v is None:
                ok = False
                return b.constant(0, I64)
            return v
        v = build(b, t, leaf)
        return v if ok else None
    return None


def get_leaf(a: Adj, path: Path) -> Value | None:
    for i in path:
        if a is None:
            return None
        a = a[i]  # type: ignore[index]
    return a  # type: ignore[return-value]


def from_leaves(t: Type, leaves: dict[Path, Value]) -> Adj:
    """The adjoint structure of a value of type `t` from its float leaves."""
    def go(t: Type, path: Path) -> Adj:
        if is_struct(t):
            parts = [go(e, path + (i,)) for i, e in enumerate(elements(t))]
            return None if all(p is None for p in parts) else parts
        return leaves.get(path)
    return go(t, ())


def add(b: Builder, x: Adj, y: Adj) -> Adj:
    """x + y for adjoints (None is zero)."""
    if x is None:
        return y
    if y is None:
        return x
    if isinstance(x, list):
        return [add(b, p, q) for p, q in zip(x, y)]  # type: ignore[arg-type]
    if x.type.kind == "c":  # type: ignore[union-attr]
        return b.value("complex.add", [x, y], x.type)
    return b.value("arith.addf", [x, y], x.type)


def conj(b: Builder, v: Value) -> Value:
    return b.value("complex.conj", [v], v.type)


def materialize(b: Builder, t: Type, a: Adj) -> Value:
    """The adjoint `a` of a value of type `t` as an IR value of type tangent_type(t)."""
    if isinstance(t, ScalarType):
        if t.kind == "c" and a is not None:
            # inside, a complex adjoint is dL/dre + i dL/dim; outside, JAX's conjugate
            return conj(b, a)  # type: ignore[arg-type]
        return a if a is not None else zero(b, t)  # type: ignore[return-value]
    if is_struct(t):
        parts = []
        for i, e in enumerate(elements(t)):
            if tangent_type(e) is None:  # a hole (an int, bool or str element)
                parts.append(b.value("none.make", [], NONE))
                continue
            parts.append(materialize(b, e, a[i] if a is not None else None))  # type: ignore[index]
        if isinstance(t, TupleType):
            return b.value("tuple.make", parts, TupleType(tuple(p.type for p in parts)))
        return b.value("record.make", parts, RecordType(t.keys, tuple(p.type for p in parts)),
                       {"keys": ",".join(t.keys)})
    raise NotImplementedError(f"adjoint of {t}")


def split(b: Builder, t: Type, v: Value) -> Adj:
    """An IR adjoint value (tangent_type(t)) as an Adj structure."""
    if isinstance(t, ScalarType):
        if t.kind == "c":
            return conj(b, v)
        return v if t.kind == "f" else None
    if is_struct(t):
        parts = [split(b, e, extract(b, v, (i,))) if scalar_leaves(e, True) else None
                 for i, e in enumerate(elements(t))]
        return None if all(p is None for p in parts) else parts
    return None


__all__ = ["Adj", "Path", "scalar_leaves", "extract", "build", "zero", "dummy", "get_leaf",
           "from_leaves", "add", "materialize", "split", "record_keys"]
