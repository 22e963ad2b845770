"""Shared test helpers: the IR round-trip check every layer's tests can use.

    from tests.helpers import assert_roundtrip
"""
from __future__ import annotations

from ember.ir.core import FuncOp, Module
from ember.ir.parser import parse_func, parse_module
from ember.ir.printer import print_func, print_module


def assert_roundtrip(ir: FuncOp | Module, locations: bool = False) -> FuncOp | Module:
    """Print `ir`, parse the text, print again: the two texts must be equal.

    Returns the parsed copy (so a test can go on checking it, e.g. verify it)."""
    if isinstance(ir, Module):
        text = print_module(ir, locations)
        parsed: FuncOp | Module = parse_module(text)
        again = print_module(parsed, locations)  # type: ignore[arg-type]
    else:
        text = print_func(ir, locations)
        parsed = parse_func(text)
        again = print_func(parsed, locations)  # type: ignore[arg-type]
    assert again == text, f"round trip changed the text:\n--- printed\n{text}--- reprinted\n{again}"
    return parsed
