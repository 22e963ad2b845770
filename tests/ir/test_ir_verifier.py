"""The verifier accepts the catalog IR and rejects malformed IR with a message that
names the op (and, for type errors, the operand index and both types)."""
from __future__ import annotations

from typing import Callable

import pytest

from ember.ir.builder import Builder
from ember.ir.core import Block, FuncOp, Module, Region
from ember.ir.errors import IRError
from ember.ir.location import Location
from ember.ir.parser import parse_func, parse_module
from ember.ir.types import BOOL, F64, I32, I64, NONE
from ember.ir.verifier import verify_func, verify_module
from tests.ir.catalog import catalog_module, sum_sin


def _reject(f: FuncOp | Module, typed: bool, *fragments: str) -> IRError:
    with pytest.raises(IRError) as e:
        if isinstance(f, Module):
            verify_module(f, typed)
        else:
            verify_func(f, typed)
    for frag in fragments:
        assert frag in e.value.message, e.value.message
    return e.value


def test_catalog_verifies() -> None:
    verify_module(catalog_module(True), typed=True)
    verify_module(catalog_module(False), typed=False)


def test_untyped_ops_rejected_when_typed() -> None:
    m = catalog_module(False)
    _reject(m, True, "py.")


def test_unknown_op() -> None:
    f = FuncOp("f", [F64], F64, ["x"])
    b = Builder(f.body.block, Location("u.py", 3, 4))
    v = b.value("math.frobnicate", [f.args[0]], F64)
    b.op("func.return", [v])
    err = _reject(f, False, "unknown op 'math.frobnicate'")
    assert err.loc == Location("u.py", 3, 4)


def test_wrong_operand_types() -> None:
    f = FuncOp("f", [F64, I64], F64, ["x", "n"])
    b = Builder(f.body.block)
    v = b.value("arith.addf", list(f.args), F64)
    b.op("func.return", [v])
    _reject(f, True, "arith.addf", "f64", "i64")
    verify_func(f, typed=False)  # untyped IR does not run the type rules


def test_yield_type_differs_from_if_result() -> None:
    f = parse_func(
        "func @f(%c: bool, %x: f64, %n: i64) -> f64 {\n"
        "  %r = scf.if %c -> (f64) {\n    scf.yield %x : f64\n"
        "  } else {\n    scf.yield %n : i64\n  }\n  func.return %r : f64\n}\n")
    _reject(f, True, "scf.yield", "operand #0", "i64", "scf.if result #0", "f64")
    _reject(f, False, "scf.yield", "i64", "f64")


def test_unknown_types_match_anything_when_untyped() -> None:
    f = parse_func(
        "func @f(%c: ?, %x: ?) -> ? {\n"
        "  %one = arith.constant 1.0 : f64\n"
        "  %r = scf.if %c -> (?) {\n    scf.yield %x : ?\n"
        "  } else {\n    scf.yield %one : f64\n  }\n  func.return %r : ?\n}\n")
    verify_func(f, typed=False)
    _reject(f, True, "?", "not allowed in typed IR")


def test_dominance_across_sibling_regions() -> None:
    f = FuncOp("f", [BOOL], NONE, ["c"])
    b = Builder(f.body.block)
    then, other = Block(), Block()
    b.op("scf.if", [f.args[0]], [], regions=[Region([then]), Region([other])])
    with b.at(then):
        x = b.constant(1.0, F64, "x")
        b.op("scf.yield", [])
    with b.at(other):
        b.value("math.sin", [x], F64, hint="y")
        b.op("scf.yield", [])
    b.op("func.return", [])
    _reject(f, False, "math.sin", "operand #0", "%x", "does not dominate")


def test_dominance_use_before_definition_and_of_own_result() -> None:
    f = FuncOp("f", [F64], F64, ["x"])
    b = Builder(f.body.block)
    s = b.value("math.sin", [f.args[0]], F64, hint="s")
    c = b.value("math.cos", [f.args[0]], F64, hint="c")
    s.op.operands[0] = c  # math.sin now uses a later value
    b.op("func.return", [s])
    _reject(f, True, "math.sin", "%c", "does not dominate")


def test_missing_terminator() -> None:
    f = sum_sin()
    body = f.body.block.ops[3].regions[0].block
    body.ops.pop()  # drop the scf.yield
    _reject(f, True, "region #0 of scf.for", "must end in scf.yield, not arith.addf")


def test_empty_region_and_function() -> None:
    f = FuncOp("f", [], NONE)
    _reject(f, False, "@f", "func.return")
    g = sum_sin()
    g.body.block.ops[3].regions[0].block.ops.clear()
    _reject(g, True, "region #0 of scf.for", "empty")


def test_terminator_only_last() -> None:
    f = FuncOp("f", [F64], F64, ["x"])
    b = Builder(f.body.block)
    b.op("func.return", [f.args[0]])
    b.op("func.return", [f.args[0]])
    _reject(f, True, "func.return", "not the last op")


def test_wrong_terminator_kind() -> None:
    f = parse_func(SAMPLE_WHILE.replace("scf.condition(%k) %w : f64", "scf.yield %w : f64"))
    _reject(f, True, "scf.while", "must end in scf.condition", "scf.yield")


SAMPLE_WHILE = (
    "func @f(%x: f64) -> f64 {\n"
    "  %r = scf.while (%w = %x) : (f64) -> (f64) {\n"
    "    %k = math.isnan %w : bool\n"
    "    scf.condition(%k) %w : f64\n"
    "  } do (%y: f64) {\n"
    "    scf.yield %y : f64\n"
    "  }\n"
    "  func.return %r : f64\n}\n")


@pytest.mark.parametrize("mutate, fragments", [
    (lambda t: t.replace("do (%y: f64)", "do (%y: i64)").replace("scf.yield %y : f64",
                                                               "scf.yield %x : f64"),
     ("scf.while", "after-region argument #0", "i64", "f64")),
    (lambda t: t.replace("(%w = %x) : (f64)", "(%w = %x) : (i64)").replace(
        "%k = math.isnan %w : bool", "%k = arith.cmpi %w, %w {predicate = \"eq\"} : bool"
    ).replace("scf.condition(%k) %w : f64", "scf.condition(%k) %x : f64"),
     ("scf.while", "before-region argument #0", "i64", "f64")),
    (lambda t: t.replace("scf.yield %y : f64", "%z = arith.fptosi %y : i64\n    scf.yield %z : i64"),
     ("scf.yield", "operand #0", "i64", "carried value #0", "f64")),
    (lambda t: t.replace("%k = math.isnan %w : bool", "%k = math.sin %w : f64"),
     ("scf.condition", "bool", "f64")),
])
def test_while_rejections(mutate: Callable[[str], str], fragments: tuple[str, ...]) -> None:
    verify_func(parse_func(SAMPLE_WHILE), typed=True)
    _reject(parse_func(mutate(SAMPLE_WHILE)), True, *fragments)


def test_for_rejections() -> None:
    f = sum_sin()
    loop = f.body.block.ops[3]
    loop.regions[0].block.args[1].type = I64
    _reject(f, True, "scf.for", "carried body argument #0", "i64", "f64")
    g = sum_sin()
    g.body.block.ops[3].regions[0].block.args[0].type = I32
    _reject(g, True, "scf.for", "induction variable", "i32")


def test_counts_and_attributes() -> None:
    f = FuncOp("f", [F64, F64], BOOL, ["a", "b"])
    b = Builder(f.body.block)
    v = b.value("arith.cmpf", list(f.args), BOOL)
    b.op("func.return", [v])
    _reject(f, False, "arith.cmpf", "missing its attribute 'predicate'")
    v.op.attributes["predicate"] = "olt"
    verify_func(f, typed=True)
    v.op.operands.append(f.args[0])
    _reject(f, False, "arith.cmpf takes 2 operands, has 3")


def test_typed_check_of_opdef() -> None:
    f = FuncOp("f", [F64, F64], BOOL, ["a", "b"])
    b = Builder(f.body.block)
    v = b.value("arith.cmpf", list(f.args), BOOL, {"predicate": "slt"})
    b.op("func.return", [v])
    _reject(f, True, "arith.cmpf", "predicate")


def test_return_type() -> None:
    f = FuncOp("f", [I64], F64, ["n"])
    Builder(f.body.block).op("func.return", [f.args[0]])
    _reject(f, True, "func.return", "operand #0", "i64", "f64")
    g = FuncOp("g", [], F64)
    Builder(g.body.block).op("func.return", [])
    _reject(g, True, "func.return", "no value", "f64")


def test_calls_checked_against_the_module() -> None:
    text = ("func @main(%x: f64) -> f64 {\n"
            "  %r = func.call @helper(%x) : f64\n  func.return %r : f64\n}\n\n"
            "func @helper(%a: f64) -> f64 {\n  func.return %a : f64\n}\n")
    verify_module(parse_module(text), typed=True)
    _reject(parse_module(text.replace("@helper(%a: f64)", "@helper(%a: i64)")
                         .replace("func.return %a : f64", "%b = arith.sitofp %a : f64\n"
                                  "  func.return %b : f64")),
            True, "func.call", "argument #0", "f64", "i64")
    _reject(parse_module(text.replace("func.call @helper", "func.call @nothere")), True,
            "func.call", "@nothere")
    verify_module(parse_module(text.replace("func.call @helper", "func.call @nothere")), False)


def test_short_function_text_in_message() -> None:
    f = FuncOp("f", [I64], F64, ["n"])
    Builder(f.body.block).op("func.return", [f.args[0]])
    err = _reject(f, True)
    assert "func @f(%n: i64) -> f64 {" in err.message
