"""Emitting complex values in type inference: conversions, parts, construction.

Shared by the scalar rules (complexops.py), the NumPy element rules (complex_ufuncs.py)
and Emitter.cast; registers no rule, so importing it has no side effect.
"""
from __future__ import annotations

from ember.ir.core import Value
from ember.ir.types import BOOL, C64, C128, F32, F64, ScalarType, Type

from .emit import Emitter


def is_complex(t: Type) -> bool:
    return isinstance(t, ScalarType) and t.is_complex


def part_type(t: ScalarType) -> ScalarType:
    return F32 if t == C64 else F64


def complex_type(types: list[Type]) -> ScalarType:
    """The complex type arithmetic between scalars of `types` computes in."""
    return C64 if all(t in (C64, F32, BOOL) for t in types) else C128


def to_complex(em: Emitter, v: Value, t: ScalarType) -> Value:
    """`v` (bool, int, float or complex) as complex type `t` (imaginary part +0.0)."""
    s = v.type
    if s == t:
        return v
    p = part_type(t)
    if is_complex(s):
        re, im = parts(em, v)
        return make(em, em.cast(re, p), em.cast(im, p))
    return make(em, em.cast(v, p), em.const(0.0, p))


def make(em: Emitter, re: Value, im: Value) -> Value:
    return em.op("complex.make", [re, im], C64 if re.type == F32 else C128)


def parts(em: Emitter, z: Value) -> tuple[Value, Value]:
    p = part_type(z.type)  # type: ignore[arg-type]
    return em.op("complex.re", [z], p), em.op("complex.im", [z], p)


def nonzero(em: Emitter, z: Value) -> Value:
    re, im = parts(em, z)
    zero = em.const(0.0, re.type)
    return em.or_(em.cmpf("une", re, zero), em.cmpf("une", im, zero))
