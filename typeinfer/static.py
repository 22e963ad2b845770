"""Compile-time-only values of type inference: dtypes, slices, `...`, string options, and
constant folding of the untyped IR.

`py.dtype`, `py.slice`, `py.ellipsis`, `py.str` (and `a.dtype`) get types that live only
inside typeinfer (`DTypeLiteral`, `SliceType`, `EllipsisType`, `StringLiteral`); their lowering returns a
`StaticValue` marker that the consuming rules read (a slice marker holds the typed values
of its parts), so no op is ever emitted for them. A static value flowing into a merge,
a return or a call argument is a TypingError (propagate / calls check `is_static`).

`const_value(v)` reads a value known at compile time from the untyped IR (constants,
their negation, tuples of them, None): what `axis=`, `keepdims=`, `ddof=` and tuple
indices need.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ember.ir.core import Operation, Value
from ember.ir.errors import TypingError
from ember.ir.types import NONE, SCALARS, STR, ScalarType, Type

from .emit import NONE_VALUE, Emitter
from .rules import fail, rule


@dataclass(frozen=True, repr=False)
class DTypeLiteral(Type):
    """A NumPy dtype known at compile time (`np.float64`, `float`, `'f8'`, `a.dtype`)."""

    dtype: ScalarType

    def __str__(self) -> str:
        return f"dtype<{self.dtype}>"


@dataclass(frozen=True, repr=False)
class SliceType(Type):
    """`start:stop:step`; a part of type `none` is absent."""

    start: Type
    stop: Type
    step: Type

    def __str__(self) -> str:
        return f"slice<{self.start}, {self.stop}, {self.step}>"


@dataclass(frozen=True, repr=False)
class EllipsisType(Type):
    def __str__(self) -> str:
        return "ellipsis"


ELLIPSIS = EllipsisType()


@dataclass(frozen=True, repr=False)
class StringLiteral(Type):
    """A string literal known at compile time: an option of a numpy call (kind='stable',
    ord='fro'), a record key, or a str value not yet needed at run time (strings.py)."""

    value: str
    is_string_literal = True  # (not a field) lattice.type_name shows it as `str`

    def __str__(self) -> str:
        return f"str<{json.dumps(self.value)}>"


class StaticValue:
    """What a static op lowers to: its type and, for a slice, the typed parts (None when
    absent). Never an operand of an emitted op."""

    __slots__ = ("type", "name", "parts")

    def __init__(self, type: Type, parts: tuple[Any, ...] = ()) -> None:
        self.type = type
        self.name: str | None = None
        self.parts = parts


def is_static(t: Type) -> bool:
    """A compile-time-only type (None included): it cannot be carried or passed."""
    return isinstance(t, (DTypeLiteral, SliceType, EllipsisType, StringLiteral)) or t == NONE


class StaticIndexError(TypingError, IndexError):
    """An index NumPy rejects whatever the values (too many indices): found at compile time."""


class StaticTypeError(TypingError, TypeError):
    """A call NumPy/Python rejects whatever the values (len() of a 0-d array)."""


class StaticAxisError(TypingError, ValueError, IndexError):
    """NumPy's AxisError (a ValueError and an IndexError): a constant axis out of range."""


class StaticValueError(TypingError, ValueError):
    """A value error known at compile time (a reshape to a fixed incompatible size)."""


# ---- dtypes ---------------------------------------------------------------------
_NP_NAMES = {"bool": "bool", "bool_": "bool", "int8": "i8", "int16": "i16", "int32": "i32",
             "int64": "i64", "int": "i64", "intp": "i64", "int_": "i64", "uint8": "u8",
             "uint16": "u16", "uint32": "u32", "uint64": "u64", "uintp": "u64",
             "float32": "f32", "single": "f32", "float64": "f64", "float": "f64",
             "double": "f64", "float_": "f64", "complex64": "c64", "complex128": "c128",
             "complex": "c128", "complex_": "c128", "?": "bool", "b1": "bool", "i1": "i8",
             "i2": "i16", "i4": "i32", "i8": "i64", "u1": "u8", "u2": "u16", "u4": "u32",
             "u8": "u64", "f4": "f32", "f8": "f64", "c8": "c64", "c16": "c128", "d": "f64",
             "f": "f32", "l": "i64", "q": "i64"}


def dtype_of_attr(attr: object) -> ScalarType | None:
    """The scalar type a `py.dtype {dtype}` attribute names (a Type, or a NumPy spelling)."""
    if isinstance(attr, ScalarType):
        return attr
    if isinstance(attr, str):
        name = attr.strip()
        if name in SCALARS:
            return SCALARS[name]
        name = name.lstrip("<=|")
        return SCALARS.get(_NP_NAMES.get(name, ""))
    return None


def infer_dtype(op: Operation, types: list[Type]) -> list[Type]:
    t = dtype_of_attr(op.attributes.get("dtype"))
    if t is None:
        raise fail(op, f"unsupported dtype {op.attributes.get('dtype')!r} (ember supports bool, "
                       "int8-64, uint8-64, float32/64, complex64/128)")
    return [DTypeLiteral(t)]


@rule("py.dtype", infer=infer_dtype)
def lower_dtype(em: Emitter, op: Operation, vals: list) -> list:
    return [StaticValue(infer_dtype(op, [])[0])]


@rule("py.none", infer=lambda op, types: [NONE])
def lower_none(em: Emitter, op: Operation, vals: list) -> list:
    return [NONE_VALUE]


@rule("py.ellipsis", infer=lambda op, types: [ELLIPSIS])
def lower_ellipsis(em: Emitter, op: Operation, vals: list) -> list:
    return [StaticValue(ELLIPSIS)]


@rule("py.str", infer=lambda op, types: [StringLiteral(str(op.attributes["value"]))])
def lower_str(em: Emitter, op: Operation, vals: list) -> list:
    return [StaticValue(StringLiteral(str(op.attributes["value"])))]


def runtime_type(t: Type) -> Type:
    """The type a value of type `t` has at run time: a string literal is a `str`
    (typeinfer/strings.py); every other type is itself."""
    return STR if isinstance(t, StringLiteral) else t


def runtime_value(em: Emitter, v: Any) -> Any:
    """`v` as a run-time value: a string literal becomes `str.constant`; others as they are."""
    if isinstance(v, StaticValue) and isinstance(v.type, StringLiteral):
        return em.op("str.constant", [], STR, value=v.type.value)
    return v


def static_str(op: Operation, t: Type, what: str) -> str | None:
    """The string an option argument of type `t` holds (None for None); a TypingError
    naming `what` for anything else."""
    if isinstance(t, StringLiteral):
        return t.value
    if t == NONE:
        return None
    raise fail(op, f"{what} must be a string constant, got {t}")


# ---- slices ---------------------------------------------------------------------
def infer_slice(op: Operation, types: list[Type]) -> list[Type]:
    for v, t in zip(op.operands, types):
        ok = t == NONE or (isinstance(t, ScalarType) and (t.is_int or t.is_bool))
        if not ok:
            what = f"'{v.name}'" if v.name else "a slice bound"
            raise fail(op, f"slice indices must be integers or None, but {what} is {t}")
    return [SliceType(*types)]


@rule("py.slice", infer=infer_slice)
def lower_slice(em: Emitter, op: Operation, vals: list) -> list:
    t = infer_slice(op, [v.type for v in vals])[0]
    parts = tuple(None if v.type == NONE else em.to_i64(v) for v in vals)
    return [StaticValue(t, parts)]


# ---- constants of the untyped IR -----------------------------------------------------
class NotConstant(Exception):
    pass


def const_value(v: Value) -> Any:
    """The Python value of an untyped value known at compile time; NotConstant otherwise."""
    op = getattr(v, "op", None)
    if op is None:
        raise NotConstant
    n = op.name
    if n == "arith.constant":
        return op.attributes["value"]
    if n == "py.none":
        return None
    if n == "py.str":
        return op.attributes["value"]
    if n in ("py.neg", "py.pos"):
        x = const_value(op.operands[0])
        if isinstance(x, (bool, int, float)):
            return -x if n == "py.neg" else +x
    if n == "tuple.make":
        return tuple(const_value(o) for o in op.operands)
    raise NotConstant


def static_int(op: Operation, v: Value, what: str, allow_none: bool = False) -> int | None:
    """An int keyword/argument that must be known at compile time (axis=, ddof=)."""
    try:
        x = const_value(v)
    except NotConstant:
        raise fail(op, f"{what} must be a constant known at compile time") from None
    if x is None and allow_none:
        return None
    if isinstance(x, bool) or not isinstance(x, int):
        raise fail(op, f"{what} must be an integer constant, got {x!r}")
    return x


def static_bool(op: Operation, v: Value, what: str) -> bool:
    try:
        x = const_value(v)
    except NotConstant:
        raise fail(op, f"{what} must be a constant known at compile time") from None
    if not isinstance(x, (bool, int)):
        raise fail(op, f"{what} must be True or False, got {x!r}")
    return bool(x)


def split_args(op: Operation, items: list) -> tuple[list, dict[str, Any]]:
    """Positional and keyword parts of a `py.npcall` / `py.callmethod` operand list (or of
    the matching types/values): `kwnames` names the trailing operands."""
    kw = op.attributes.get("kwnames") or ""
    names = [k.strip() for k in str(kw).split(",") if k.strip()]
    n = len(items) - len(names)
    return list(items[:n]), dict(zip(names, items[n:]))
