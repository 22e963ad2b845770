"""Test helpers for the passes: build IR by hand, verify after each pass, fold one op.

    from tests.passes.build import fold1, check, parse, NOT_FOLDED
"""
from __future__ import annotations

import math

from ember.ir.builder import Builder
from ember.ir.core import FuncOp, Module, OpResult, Value
from ember.ir.parser import parse_module
from ember.ir.passes import canonicalize
from ember.ir.types import Type
from ember.ir.verifier import verify_module
from tests.helpers import assert_roundtrip

NOT_FOLDED = object()


def check(m: Module) -> Module:
    """What every pass test does after each pass: typed verification and a round trip."""
    verify_module(m, typed=True)
    assert_roundtrip(m)
    return m


def parse(text: str) -> Module:
    return check(parse_module(text))


def fold1(name: str, operands: list[tuple[object, Type]], result: Type,
          attrs: dict | None = None) -> object:
    """Build `return name(constants...)`, canonicalize it, and return the constant that
    the function returns, or NOT_FOLDED if the op stayed."""
    f = FuncOp("f", [], result)
    b = Builder(f.body.block)
    args: list[Value] = [b.constant(v, t) for v, t in operands]  # type: ignore[arg-type]
    r = b.value(name, args, result, attrs)
    b.op("func.return", [r])
    m = Module([f])
    verify_module(m, typed=True)
    canonicalize.run(m)
    verify_module(m, typed=True)
    ret = f.body.block.ops[-1].operands[0]
    if isinstance(ret, OpResult) and ret.op.name == "arith.constant":
        return ret.op.attributes["value"]
    return NOT_FOLDED


def same_float(a: object, b: object) -> bool:
    """Bit-identical floats, with every nan equal to every nan."""
    if not isinstance(a, float) or not isinstance(b, float):
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def ops_named(m: Module, name: str) -> list:
    return [op for f in m for op in f.walk() if op.name == name]
