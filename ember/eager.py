"""Which declared signature of an eagerly compiled function takes a call (`ember.jit(sigs)`).

A function jitted with signatures compiles them at decoration and, unless `lazy=True`,
never compiles a signature that was not declared. A call whose argument types are
exactly a compiled specialization goes straight into native code; the others reach
the dispatcher's fallback, which asks `match` for the first declared signature that
takes them:

- scalars convert as Numba converts: to an int type from bool or any int (the value
  must fit), to a float type from an int or a float, to a complex type from an int, a
  float or a complex; bool takes bool only, and never float -> int;
- arrays keep dtype and ndim; a declared layout `A` (`float64[:]`) takes every layout
  (ember's code is specialized on layout: another layout is a variant of the declared
  signature, compiled on its first call; at decoration the contiguous one is compiled);
  a declared `readonly` array takes writable arrays too, a writable one refuses
  read-only arrays;
- tuples match item by item; everything else must be equal.

Fewer conversions win; among equals, the first declared.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ember.ir.types import ArrayType, ScalarType, TupleType, Type
from ember.signature import Declared

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Match:
    """A declared signature that takes a call: the specialization that runs it (a layout
    variant of the declared one, or the declared one), and one converter per argument
    (None: passed as it is)."""

    declared: Declared
    types: tuple[Type, ...]
    convert: tuple[Convert | None, ...]
    conversions: int


def concrete(t: Type) -> Type:
    """The type compiled at decoration for declared type `t`: an any-layout array as the
    C-contiguous arrays NumPy makes by default."""
    if isinstance(t, ArrayType) and t.layout == "A":
        return ArrayType(t.dtype, t.ndim, "C", t.readonly)
    if isinstance(t, TupleType):
        return TupleType(tuple(concrete(e) for e in t.elements))
    return t


def match(actual: Sequence[Type], declared: Sequence[Declared]) -> Match | None:
    """The best declared signature for a call typed `actual`, or None."""
    best: Match | None = None
    for d in declared:
        if len(d.args) != len(actual):
            continue
        fits = [_fit(a, t) for a, t in zip(actual, d.args)]
        if any(f is None for f in fits):
            continue
        n = sum(f[2] for f in fits)  # type: ignore[index]
        if best is None or n < best.conversions:
            best = Match(d, tuple(f[0] for f in fits), tuple(f[1] for f in fits), n)  # type: ignore[index]
    return best


def _fit(a: Type, d: Type) -> tuple[Type, Convert | None, int] | None:
    """(the type to compile, the converter, the number of conversions), or None."""
    if a == d:
        return a, None, 0
    if isinstance(a, ArrayType) and isinstance(d, ArrayType):
        if a.dtype != d.dtype or a.ndim != d.ndim:
            return None
        if d.layout not in ("A", a.layout) or (a.readonly and not d.readonly):
            return None
        return a, None, 0
    if isinstance(a, ScalarType) and isinstance(d, ScalarType):
        return (d, _scalar_converter(d), 1) if _converts(a, d) else None
    if isinstance(a, TupleType) and isinstance(d, TupleType):
        if len(a.elements) != len(d.elements):
            return None
        fits = [_fit(x, y) for x, y in zip(a.elements, d.elements)]
        if any(f is None for f in fits):
            return None
        convs = [f[1] for f in fits]  # type: ignore[index]
        n = sum(f[2] for f in fits)  # type: ignore[index]
        t = TupleType(tuple(f[0] for f in fits))  # type: ignore[index]
        if not any(convs):
            return t, None, n
        return t, _tuple_converter(convs), n
    return None


def _converts(a: ScalarType, d: ScalarType) -> bool:
    if d.is_bool:
        return a.is_bool
    if d.is_int:
        return a.is_bool or a.is_int
    if d.is_float:
        return a.is_int or a.is_float
    return not a.is_bool  # complex


def _scalar_converter(d: ScalarType) -> Convert:
    if d.kind == "f" and d.bits == 64:
        return float
    if d.kind == "i" and d.bits == 64:
        return _to_int64
    if d.kind == "c" and d.bits == 128:
        return complex
    import numpy as np

    name = {"b": "bool", "i": "int", "u": "uint", "f": "float", "c": "complex"}[d.kind]
    make = np.dtype(name if d.kind == "b" else f"{name}{d.bits}").type

    def convert(v: Any) -> Any:
        if d.is_int and not isinstance(v, bool):
            info = np.iinfo(make)
            if not info.min <= int(v) <= info.max:
                raise OverflowError(f"{v} does not fit in {d}")
        return make(v)

    return convert


def _to_int64(v: Any) -> int:
    i = int(v)
    if not -(2**63) <= i < 2**63:  # a uint64 above int64's range
        raise OverflowError(f"{v} does not fit in i64")
    return i


def _tuple_converter(convs: list[Convert | None]) -> Convert:
    def convert(v: Any) -> Any:
        return tuple(v if c is None else c(v) for c, v in zip(convs, v))

    return convert


def returns_match(declared: Type, inferred: Type) -> bool:
    """Whether an inferred return type is the declared one (an any-layout array takes any
    layout, a declared readonly array a writable one)."""
    if declared == inferred:
        return True
    if isinstance(declared, ArrayType) and isinstance(inferred, ArrayType):
        return (declared.dtype == inferred.dtype and declared.ndim == inferred.ndim
                and declared.layout in ("A", inferred.layout)
                and (declared.readonly or not inferred.readonly))
    if isinstance(declared, TupleType) and isinstance(inferred, TupleType):
        return len(declared.elements) == len(inferred.elements) and all(
            returns_match(x, y) for x, y in zip(declared.elements, inferred.elements))
    return False
