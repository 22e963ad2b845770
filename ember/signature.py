"""Argument-type signatures written by users: `"float,int"`, `(float, int)`, or IR types."""
from __future__ import annotations

from typing import Any

from ember.ir.types import BOOL, F64, I64, Type, parse_type

_ALIASES: dict[Any, Type] = {"float": F64, "int": I64, "bool": BOOL, float: F64, int: I64, bool: BOOL}


def parse_signature(sig: str | tuple | list) -> tuple[Type, ...]:
    """`"float,int"` or `(float, int)` -> (f64, i64); IR spellings (`f32`, `tuple<f64, i64>`)
    and Type objects are accepted too."""
    if isinstance(sig, str):
        return tuple(_one(p) for p in _split(sig))
    return tuple(_one(p) for p in sig)


def _one(item: Any) -> Type:
    if isinstance(item, Type):
        return item
    if isinstance(item, str):
        item = item.strip()
    if item in _ALIASES:
        return _ALIASES[item]
    if isinstance(item, str):
        return parse_type(item)
    raise TypeError(f"cannot read {item!r} as an argument type")


def _split(text: str) -> list[str]:
    """Split on the commas that are not inside `tuple<...>`."""
    if not text.strip():
        return []
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "<"
        depth -= ch == ">"
        cur += ch
    parts.append(cur)
    return parts
