"""print -> parse -> print is the identity: for the design's sample text, for hand-built
IR using every op of the catalog, with and without locations."""
from __future__ import annotations

import math

import pytest

from ember.ir.core import Module
from ember.ir.errors import IRError
from ember.ir.location import Location
from ember.ir.opdefs import OPS
from ember.ir.parser import parse_func, parse_module
from ember.ir.printer import print_func, print_module
from ember.ir.types import I64
from tests.helpers import assert_roundtrip
from tests.ir.catalog import STRUCTURED, SIGNATURES, catalog_module, constants_func, sum_sin

SAMPLE = """\
func @sum_sin(%x: f64, %n: i64) -> f64 {
  %zero = arith.constant 0.0 : f64
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
    %t = math.sin %x : f64
    %acc2 = arith.addf %acc, %t : f64
    scf.yield %acc2 : f64
  }
  %q = arith.cmpf %s, %zero {predicate = "olt"} : bool
  cf.assert %q {exc = "ZeroDivisionError", msg = "float division by zero"}
  %p = tuple.make %s, %n : tuple<f64, i64>
  %h = func.call @helper(%s, %n) : f64
  %a, %b = scf.if %q -> (f64, i64) {
    scf.yield %s, %n : f64, i64
  } else {
    scf.yield %zero, %c0 : f64, i64
  }
  %u, %v = scf.while (%w1 = %s, %w2 = %n) : (f64, i64) -> (f64, i64) {
    %k = arith.cmpi %w2, %c0 {predicate = "sgt"} : bool
    scf.condition(%k) %w1, %w2 : f64, i64
  } do (%y1: f64, %y2: i64) {
    scf.yield %y1, %y2 : f64, i64
  }
  func.return %s : f64
}
"""


def test_sample_text_round_trips() -> None:
    assert print_func(parse_func(SAMPLE)) == SAMPLE


def test_builder_built_sample_prints_as_the_sample() -> None:
    assert print_func(sum_sin()) == SAMPLE


def test_parsed_structure() -> None:
    f = parse_func(SAMPLE)
    assert f.name == "sum_sin" and [a.name for a in f.args] == ["x", "n"]
    loop = f.body.block.ops[3]
    assert loop.name == "scf.for" and loop.results[0].name == "s"
    body = loop.regions[0].block
    assert [a.name for a in body.args] == ["i", "acc"]
    assert loop.operands[3] is f.body.block.ops[0].result
    cmp = f.body.block.ops[4]
    assert cmp.attributes == {"predicate": "olt"} and cmp.operands[0] is loop.result
    call = f.body.block.ops[7]
    assert call.attributes["callee"].name == "helper"
    whl = f.body.block.ops[9]
    assert [a.name for a in whl.regions[1].block.args] == ["y1", "y2"]


def test_catalog_covers_every_op() -> None:
    covered = set(SIGNATURES) | STRUCTURED | {n for n, d in OPS.items() if not d.typed}
    assert set(OPS) <= covered, sorted(set(OPS) - covered)
    names = {op.name for m in (catalog_module(True), catalog_module(False)) for f in m
             for op in f.walk()}
    assert names == set(OPS)


@pytest.mark.parametrize("typed", [True, False])
@pytest.mark.parametrize("locations", [False, True])
def test_catalog_round_trips(typed: bool, locations: bool) -> None:
    m = catalog_module(typed)
    parsed = assert_roundtrip(m, locations)
    assert isinstance(parsed, Module) and list(parsed.funcs) == list(m.funcs)


def test_every_function_round_trips_alone() -> None:
    for f in catalog_module(True):
        assert_roundtrip(f)


def test_constant_values_round_trip_exactly() -> None:
    f = parse_func(print_func(constants_func()))
    values = [op.attributes["value"] for op in f.walk() if op.name == "arith.constant"]
    expected = [0, -2, 2**62, True, False, 0.0, -0.0, 0.1, 1e300, 5e-324, math.inf, -math.inf]
    for got, want in zip(values, expected):
        assert type(got) is type(want) and got == want
    assert math.copysign(1.0, values[6]) == -1.0
    assert math.isnan(values[12]) and values[13] == 1 / 3
    assert f.attributes == {"boundscheck": False}


def test_locations_round_trip() -> None:
    f = sum_sin()
    text = print_func(f, locations=True)
    assert 'func @sum_sin(%x: f64, %n: i64) -> f64 loc("catalog.py":20:4) {' in text
    assert '  } loc("catalog.py":21:4)\n' in text
    g = parse_func(text)
    assert g.loc == Location("catalog.py", 20, 4)
    assert all(op.loc == Location("catalog.py", 21, 4) for op in g.walk())
    assert "loc(" not in print_func(g)


def test_module_layout() -> None:
    m = catalog_module(True)
    text = print_module(m)
    assert "}\n\nfunc @" in text and "\n\n\n" not in text
    assert print_module(Module()) == ""


def test_attributes_of_every_kind() -> None:
    text = ('func @f() -> none attributes {a = 1, b = -2.5e-07, c = true, d = "x\\"y", '
            'e = type<tuple<f64, ?>>, g = @callee, "odd key" = nan, h = -inf} {\n'
            '  func.return\n}\n')
    f = parse_func(text)
    assert print_func(f) == text
    assert f.attributes["e"].__class__.__name__ == "TupleType"
    assert f.attributes["g"].name == "callee"


def test_quoted_symbols() -> None:
    text = ('func @"f__tuple<f64, i64>"(%t: tuple<f64, i64>) -> f64 {\n'
            '  %r = func.call @"f__tuple<f64, i64>"(%t) : f64\n  func.return %r : f64\n}\n')
    f = parse_func(text)
    assert f.name == "f__tuple<f64, i64>" and print_func(f) == text


def test_generic_fallback_for_malformed_structured_ops() -> None:
    f = sum_sin()
    loop = f.body.block.ops[3]
    loop.regions[0].block.add_arg(I64, "extra")  # body no longer fits the custom form
    text = print_func(f)
    assert '%s = "scf.for" %c0, %n, %c1, %zero : f64 (' in text
    assert "^bb(%i: i64, %acc: f64, %extra: i64):" in text
    assert print_func(parse_func(text)) == text


@pytest.mark.parametrize("text, fragment", [
    ("func @f() -> f64 {\n  func.return %x : f64\n}\n", "line 2: use of undefined value %x"),
    ("func @f(%a: f64) -> f64 {\n  %b = math.sin %a : f64\n  %b = math.cos %a : f64\n"
     "  func.return %b : f64\n}\n", "line 3: value %b is defined twice"),
    ("func @f(%a: f64) -> f64 {\n  %b = math.sin %a : f65\n}\n", "line 2: bad type"),
    ("func @f(%c: bool) -> none {\n  scf.if %c {\n    %x = arith.constant 1 : i64\n"
     "    scf.yield\n  } else {\n    scf.yield %x : i64\n  }\n  func.return\n}\n",
     "line 6: use of undefined value %x"),
    ("func @f() -> none {\n  func.return\n", "missing '}'"),
    ("func @f(%a: f64) -> none {\n  cf.assert %a : bool\n  func.return\n}\n",
     "line 2: cf.assert: operand types f64 do not match"),
])
def test_parse_errors_name_the_line(text: str, fragment: str) -> None:
    with pytest.raises(IRError) as e:
        parse_module(text)
    assert fragment in str(e.value)
