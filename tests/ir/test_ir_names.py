"""Printed value names: hints uniquified deterministically per function, numbers for
values without one, and the parser gives the names back so re-printing is exact."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.ir.builder import Builder
from ember.ir.core import Block, FuncOp, Region
from ember.ir.parser import parse_func
from ember.ir.printer import print_func
from ember.ir.types import BOOL, F64
from tests.helpers import assert_roundtrip


def _func(hints: list[str | None]) -> FuncOp:
    """One argument %a, then one math.sin per hint, the last one returned."""
    f = FuncOp("f", [F64], F64, ["a"])
    b = Builder(f.body.block)
    v = f.args[0]
    for h in hints:
        v = b.value("math.sin", [v], F64, hint=h)
    b.op("func.return", [v])
    return f


def _names(text: str) -> list[str]:
    return re.findall(r"^\s*%(\S+) = ", text, re.M)


@pytest.mark.parametrize("hints, printed", [
    (["x", "x", "x"], ["x", "x_1", "x_2"]),
    (["x", "x_1", "x"], ["x", "x_1", "x_2"]),
    (["x", "x", "x_1"], ["x", "x_1", "x_1_1"]),
    (["x_1", "x", "x"], ["x_1", "x", "x_2"]),
    ([None, "y", None, None], ["0", "y", "1", "2"]),
    (["a", "a"], ["a_1", "a_2"]),  # %a is the argument
    (["3", None, ""], ["0", "1", "2"]),  # a numeric or empty hint is no hint
    (["p.q", "p q"], ["p_q", "p_q_1"]),  # characters the parser cannot read are replaced
])
def test_uniquification(hints: list[str | None], printed: list[str]) -> None:
    text = print_func(_func(hints))
    assert _names(text) == printed
    parsed = assert_roundtrip(_func(hints))
    got = [op.results[0].name for op in parsed.walk() if op.results]  # type: ignore[union-attr]
    assert got == [None if p.isdigit() else p for p in printed]


def test_names_are_per_function_and_cover_nested_regions() -> None:
    f = FuncOp("g", [F64], F64, ["x"])
    b = Builder(f.body.block)
    then, other = Block(), Block()
    c = b.value("math.isnan", [f.args[0]], BOOL, hint="x")
    op = b.op("scf.if", [c], [F64], regions=[Region([then]), Region([other])], names=["x"])
    with b.at(then):
        b.op("scf.yield", [b.value("math.sin", [f.args[0]], F64, hint="x")])
    with b.at(other):
        b.op("scf.yield", [b.value("math.cos", [f.args[0]], F64, hint="x")])
    b.op("func.return", op.results)
    text = print_func(f)
    # results of a region op are named before the values inside its regions
    assert _names(text) == ["x_1", "x_2", "x_3", "x_4"]
    assert print_func(f) == text  # deterministic
    assert_roundtrip(f)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "a_1", "a_2", "b", "b_1", "_", "9"])),
                max_size=8))
def test_names_unique_and_round_trip(hints: list[str | None]) -> None:
    f = _func(hints)
    text = print_func(f)
    names = ["a"] + _names(text)
    assert len(set(names)) == len(names)
    numbers = [n for n in names if n.isdigit()]
    assert numbers == [str(i) for i in range(len(numbers))]
    assert print_func(parse_func(text)) == text
