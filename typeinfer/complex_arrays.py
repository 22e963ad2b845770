"""Attributes, methods and numpy functions of complex values (scalars and arrays).

Registered after the array rules (rules.ensure_loaded imports this file last) and
wrapping them: a complex operand takes the path here, anything else the wrapped rule.

- `z.real`, `z.imag` of a complex scalar: `complex.re` / `complex.im`;
  `a.real`, `a.imag` of a complex array: `array.real` / `array.imag`, VIEWS as NumPy
  gives (writes through them reach `a`); np.real(a) / np.imag(a) are the same views.
- `z.conjugate()`, `a.conj()`, `a.conjugate()`, np.conj / np.conjugate: complex.conj
  (an array.map for arrays).
- np.abs / np.absolute / np.angle of complex values: hypot / atan2(im, re) (angle
  takes deg=True too).
"""
from __future__ import annotations

import math

from ember.ir.core import Operation, Value
from ember.ir.types import ArrayType, ScalarType, Type

from .complex_emit import is_complex, part_type, parts
from .emit import Emitter
from .npcalls import METHODS, NPFUNCS, Call, Fn, method
from .rules import RULES, Rule, fail


def _complex_array(t: Type) -> bool:
    return isinstance(t, ArrayType) and t.dtype.is_complex


def _part_view_type(t: ArrayType) -> ArrayType:
    return ArrayType(part_type(t.dtype), t.ndim, "A", t.readonly)


def part_of(em: Emitter, x: Value, name: str) -> Value:
    """x.real / x.imag of a complex scalar or array (a view for an array)."""
    t = x.type
    if isinstance(t, ArrayType):
        return em.op(f"array.{name}", [x], _part_view_type(t))
    return parts(em, x)[0 if name == "real" else 1]


def _part_type(t: Type) -> Type:
    return _part_view_type(t) if isinstance(t, ArrayType) else part_type(t)  # type: ignore[arg-type]


# ---- attributes ---------------------------------------------------------------------
def _wrap_getattr() -> None:
    inner = RULES["py.getattr"]

    def mine(op: Operation, t: Type) -> bool:
        return (is_complex(t) or _complex_array(t)) and op.attributes.get("name") in ("real", "imag")

    def infer(op: Operation, types: list[Type]) -> list[Type]:
        if mine(op, types[0]):
            return [_part_type(types[0])]
        if is_complex(types[0]):
            raise fail(op, f"complex has no attribute '{op.attributes.get('name')}' in "
                           "compiled code (supported: real, imag, conjugate())")
        return inner.infer(op, types)

    def lower(em: Emitter, op: Operation, vals: list) -> list:
        if mine(op, vals[0].type):
            return [part_of(em, vals[0], str(op.attributes["name"]))]
        return inner.lower(em, op, vals)
    RULES["py.getattr"] = Rule(infer, lower)


def _wrap_callmethod() -> None:
    inner = RULES["py.callmethod"]

    def mine(op: Operation, types: list[Type]) -> bool:
        return is_complex(types[0])

    def infer(op: Operation, types: list[Type]) -> list[Type]:
        if not mine(op, types):
            return inner.infer(op, types)
        if op.attributes.get("name") != "conjugate" or len(types) != 1:
            raise fail(op, f"complex has no method '{op.attributes.get('name')}' with these "
                           "arguments in compiled code (supported: conjugate())")
        return [types[0]]

    def lower(em: Emitter, op: Operation, vals: list) -> list:
        if not mine(op, [v.type for v in vals]):
            return inner.lower(em, op, vals)
        return [em.op("complex.conj", [vals[0]], vals[0].type)]
    RULES["py.callmethod"] = Rule(infer, lower)


_wrap_getattr()
_wrap_callmethod()


# ---- numpy functions and array methods ---------------------------------------------------
def _am():
    from . import array_math
    return array_math


def _first(call: Call) -> str:
    return next(iter(call.args))


def _wrap_npfunc(name: str, infer, lower) -> None:
    inner = NPFUNCS.get(name)
    if inner is None:
        return

    def mine(call: Call) -> bool:
        t = call.type(_first(call)) if call.args else None
        return t is not None and (is_complex(t) or _complex_array(t))

    NPFUNCS[name] = Fn(lambda call: infer(call) if mine(call) else inner.infer(call),
                       lambda em, call: lower(em, call) if mine(call) else inner.lower(em, call),
                       inner.params, inner.required, inner.varargs)


def _infer_part(call: Call) -> Type:
    return _part_type(call.type(_first(call)))


def _lower_part(em: Emitter, call: Call) -> Value:
    return part_of(em, call.args[_first(call)], call.fn.rsplit(".", 1)[-1])


def _infer_angle(call: Call) -> Type:
    return _am().elementwise_type("angle", [call.type(_first(call))], call.op)


def _lower_angle(em: Emitter, call: Call) -> Value:
    r = _am().elementwise(em, "angle", [call.args[_first(call)]], call.op)
    if "deg" in call.raw and call.bool("deg", False):
        r = _am().elementwise(em, "multiply", [r, em.const(180.0 / math.pi, r.type.dtype
                              if isinstance(r.type, ArrayType) else r.type)], call.op)
    return r


def _infer_conj(call: Call) -> Type:
    return _am().elementwise_type("conjugate", [call.type(_first(call))], call.op)


def _lower_conj(em: Emitter, call: Call) -> Value:
    return _am().elementwise(em, "conjugate", [call.args[_first(call)]], call.op)


for _n in ("real", "imag"):
    _wrap_npfunc(_n, _infer_part, _lower_part)
_wrap_npfunc("angle", _infer_angle, _lower_angle)
for _n in ("conj", "conjugate"):
    _wrap_npfunc(_n, _infer_conj, _lower_conj)


def _infer_conj_method(call: Call) -> Type:
    t = call.type("a")
    if not _complex_array(t):
        if not isinstance(t, ArrayType) or not isinstance(t.dtype, ScalarType):
            raise fail(call.op, f"{call.fn}() needs an array")
        return ArrayType(t.dtype, t.ndim, "C")
    return _infer_conj(call)


def _lower_conj_method(em: Emitter, call: Call) -> Value:
    a = call.args["a"]
    if not _complex_array(a.type):
        return _am().copy(em, a, a.type.dtype, call.op)  # NumPy: a new array equal to a
    return _lower_conj(em, call)


for _n in ("conj", "conjugate"):
    if _n not in METHODS:
        method(_n, params=("a",), infer=_infer_conj_method)(_lower_conj_method)
