"""Signatures written by users, in Numba's spelling or ember's IR spelling.

Argument lists (`f.compile`, `inspect_ir(signature=...)`, `python -m ember dump --args`):
`"float,int"`, `(float, int)`, `"float64[:], int64"`, `"f64, array<f64, 1, C>"` or IR
types. Full signatures (`ember.jit("float64(float64[:], int64)")`): an optional return
type, then the argument list in parentheses; `parse_declared` reads them.

Type names: Numba's (`float64`/`f8`/`double`, `float32`/`f4`, `int64`/`i8`/`intp`,
`int32`/`i4`, `int16`, `int8`, `uint64`/`u8`/`uintp`, ..., `boolean`/`b1`/`bool_`,
`complex128`/`c16`, `complex64`/`c8`, `unicode_type`, `none`/`void`), Python's (`float`,
`int`, `bool`, `complex`, `str`) and the IR's (`f64`, `i64`, `tuple<f64, i64>`, ...).
Arrays: `T[:]`, `T[:, :]` (any layout: `A`), `T[::1]`, `T[:, ::1]` (C-contiguous),
`T[::1, :]` (Fortran-contiguous), or `array<f64, 2, C, readonly>`. Tuples:
`(T1, T2)`, `Tuple(T1, T2)`, `UniTuple(T, n)` or `tuple<...>`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ember.ir.types import (BOOL, C64, C128, F32, F64, I8, I16, I32, I64, NONE, SCALARS, STR, U8,
                            U16, U32, U64, ArrayType, ScalarType, TupleType, Type, parse_type)

_ALIASES: dict[Any, Type] = {float: F64, int: I64, bool: BOOL, complex: C128, str: STR}

# Numba's names and Python's, beside the IR's own (`SCALARS`: f64, i64, bool, ...).
_NAMES: dict[str, Type] = {
    **SCALARS,
    "float": F64, "int": I64, "complex": C128, "str": STR,
    "float64": F64, "f8": F64, "double": F64, "float_": F64,
    "float32": F32, "f4": F32, "single": F32,
    "int64": I64, "i8": I64, "intp": I64, "int_": I64,
    "int32": I32, "i4": I32, "intc": I32,
    "int16": I16, "i2": I16,
    "int8": I8, "i1": I8,
    "uint64": U64, "u8": U64, "uintp": U64,
    "uint32": U32, "u4": U32, "uintc": U32,
    "uint16": U16, "u2": U16,
    "uint8": U8, "u1": U8, "byte": U8,
    "boolean": BOOL, "b1": BOOL, "bool_": BOOL,
    "complex128": C128, "c16": C128, "complex64": C64, "c8": C64,
    "unicode_type": STR, "string": STR,
    "none": NONE, "void": NONE,
}
_IR_OPENERS = ("array<", "tuple<", "list<", "dict<", "record<")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PAIRS = {"(": ")", "[": "]", "<": ">"}


@dataclass(frozen=True)
class Declared:
    """A signature given to `ember.jit`: its argument types, its return type (None when not
    given) and the text the user wrote (shown in error messages)."""

    args: tuple[Type, ...]
    ret: Type | None
    text: str

    def __str__(self) -> str:
        return self.text


def parse_signature(sig: str | tuple | list) -> tuple[Type, ...]:
    """An argument list -> its types: `"float,int"` or `(float, int)` -> (f64, i64); Numba and
    IR spellings (`float64[:]`, `f32`, `tuple<f64, i64>`) and Type objects are accepted too."""
    if isinstance(sig, str):
        return tuple(parse_type_text(p) for p in split_top(sig))
    if not isinstance(sig, (tuple, list)):
        raise TypeError(f"a signature is a string or a tuple of types, got {type(sig).__name__}")
    return tuple(_one(p) for p in sig)


def parse_declared(sig: Any) -> Declared:
    """A signature given to `ember.jit`: `"float64(float64[:], int64)"`, `"(float64, int64)"`,
    `"float64, int64"` (no return type), or a tuple of types. Raises TypeError when it
    cannot be read."""
    if isinstance(sig, Declared):
        return sig
    if not isinstance(sig, str):
        args = parse_signature(sig)
        return Declared(args, None, "(" + ", ".join(map(str, args)) + ")")
    text = sig.strip()
    try:
        ret_text, args_text = _split_return(text)
        ret = parse_type_text(ret_text) if ret_text else None
        args = tuple(parse_type_text(p) for p in split_top(args_text))
    except (ValueError, TypeError) as e:
        raise TypeError(f"ember.jit: cannot read the signature {sig!r}: {e}") from None
    if NONE in args:
        raise TypeError(f"ember.jit: cannot read the signature {sig!r}: none/void is a return "
                        "type only")
    return Declared(args, ret, text)


def _split_return(text: str) -> tuple[str, str]:
    """`"ret(args)"` -> ("ret", "args"); `"(args)"` -> ("", "args"); `"args"` -> ("", "args")."""
    if not text.endswith(")"):
        return "", text
    open_at = _matching_open(text)
    prefix = text[:open_at].strip()
    if prefix in ("Tuple", "UniTuple") or prefix.endswith(","):
        return "", text  # the last argument is a tuple type: there is no return type
    if split_top(prefix) != [prefix] and prefix:
        return "", text  # "a, b (c)" is not a signature: let the argument parser say why
    return prefix, text[open_at + 1:-1]


def _matching_open(text: str) -> int:
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch in ")]>":
            depth += 1
        elif ch in "([<":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses")


def split_top(text: str) -> list[str]:
    """Split on the commas outside (), [] and <> (empty text: no parts; one trailing comma
    is allowed)."""
    if not text.strip():
        return []
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
            continue
        if ch in "([<":
            depth += 1
        elif ch in ")]>":
            depth -= 1
        cur += ch
    parts.append(cur.strip())
    if len(parts) > 1 and not parts[-1]:
        parts.pop()  # a trailing comma, as in Python: "(f8,)"
    if any(not p for p in parts):
        raise ValueError(f"empty type in {text!r}")
    return parts


def _one(item: Any) -> Type:
    if isinstance(item, Type):
        return item
    if isinstance(item, str):
        return parse_type_text(item)
    if isinstance(item, type) and item in _ALIASES:
        return _ALIASES[item]
    if isinstance(item, tuple):
        return TupleType(tuple(_one(i) for i in item))
    raise TypeError(f"cannot read {item!r} as an argument type")


def parse_type_text(text: str) -> Type:
    """One type in Numba's, Python's or the IR's spelling (see the module docstring)."""
    text = text.strip()
    if not text:
        raise ValueError("empty type")
    if text.startswith(_IR_OPENERS):
        return parse_type(text)
    if text.startswith("("):
        if not text.endswith(")") or _matching_open(text) != 0:
            raise ValueError(f"unbalanced parentheses in {text!r}")
        return TupleType(tuple(parse_type_text(p) for p in split_top(text[1:-1])))
    m = _WORD.match(text)
    if m is None:
        raise ValueError(f"unknown type {text!r}")
    word, rest = m.group(), text[m.end():].strip()
    if word in ("Tuple", "UniTuple") and rest.startswith("(") and rest.endswith(")"):
        items = split_top(rest[1:-1])
        if word == "Tuple":
            return TupleType(tuple(parse_type_text(p) for p in items))
        if len(items) != 2 or not items[1].isdigit():
            raise ValueError(f"UniTuple takes (type, count), got {text!r}")
        return TupleType((parse_type_text(items[0]),) * int(items[1]))
    if word not in _NAMES:
        raise ValueError(f"unknown type {word!r}")
    t = _NAMES[word]
    if not rest:
        return t
    if rest.startswith("[") and rest.endswith("]") and isinstance(t, ScalarType):
        return _array(t, rest[1:-1], text)
    raise ValueError(f"unexpected {rest!r} after {word!r}")


def _array(dtype: ScalarType, dims_text: str, text: str) -> ArrayType:
    """`T[:, ::1]` -> ArrayType: every dimension `:`, with `::1` last (C) or first (F)."""
    dims = [d.replace(" ", "") for d in dims_text.split(",")]
    if not dims or any(d not in (":", "::1") for d in dims):
        raise ValueError(f"bad array type {text!r}: write each dimension as ':' (and '::1' "
                         "for the contiguous one)")
    unit = [i for i, d in enumerate(dims) if d == "::1"]
    if not unit:
        layout = "A"
    elif unit == [len(dims) - 1]:
        layout = "C"
    elif unit == [0]:
        layout = "F"
    else:
        raise ValueError(f"bad array type {text!r}: '::1' goes on the first (Fortran order) "
                         "or the last (C order) dimension only")
    return ArrayType(dtype, len(dims), layout)

