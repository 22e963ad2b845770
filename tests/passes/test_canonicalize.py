"""Canonicalization beyond single folds: scf.if with a constant condition, checks,
identities (ints only), tuple.get of tuple.make, and meaning kept (interpreter)."""
from __future__ import annotations

import math

from ember.ir.passes import canonicalize, dce
from ember.ir.printer import print_module
from tests.passes.build import check, ops_named, parse, same_float
from tests.passes.interp import run_func

IF_CONST = """\
func @f(%x: f64) -> f64 {
  %t = arith.constant true : bool
  %one = arith.constant 1.0 : f64
  %r = scf.if %t -> (f64) {
    %a = arith.addf %x, %one : f64
    %c = arith.cmpf %a, %one {predicate = "ogt"} : bool
    %b = scf.if %c -> (f64) {
      scf.yield %a : f64
    } else {
      scf.yield %one : f64
    }
    scf.yield %b : f64
  } else {
    scf.yield %x : f64
  }
  %s = arith.mulf %r, %r : f64
  func.return %s : f64
}
"""


def test_if_with_constant_condition_is_inlined() -> None:
    m = parse(IF_CONST)
    before = [run_func(m, "f", [x]) for x in (-3.0, 0.5, 2.0)]
    canonicalize.run(m)
    check(m)
    top = [op.name for op in m["f"].body.block.ops]
    # the outer one is gone; the inner (non-constant) one only yields: it becomes a select
    assert top.count("scf.if") == 0 and "arith.select" in top
    assert "arith.addf" in top
    assert [run_func(m, "f", [x]) for x in (-3.0, 0.5, 2.0)] == before


def test_if_false_takes_else_and_folds_through() -> None:
    m = parse(IF_CONST.replace("constant true", "constant false"))
    canonicalize.run(m)
    dce.run(m)
    check(m)
    assert [op.name for op in m["f"].body.block.ops] == ["arith.mulf", "func.return"]


CHECKS = """\
func @f(%x: f64) -> f64 {
  %t = arith.constant true : bool
  %f = arith.constant false : bool
  %two = arith.constant 2.0 : f64
  %m1 = arith.constant -1.0 : f64
  cf.assert %t {exc = "ZeroDivisionError", msg = "never"}
  cf.assert %f {exc = "ValueError", msg = "always"}
  %s = math.sqrt %two : f64
  math.check %s, %two {overflow = false}
  %l = math.log %m1 : f64
  math.check %l, %m1 {overflow = false}
  %r = arith.addf %s, %l : f64
  func.return %r : f64
}
"""


def test_checks_true_removed_false_kept() -> None:
    m = parse(CHECKS)
    canonicalize.run(m)
    check(m)
    asserts = ops_named(m, "cf.assert")
    assert [a.attributes["msg"] for a in asserts] == ["always"]
    checks = ops_named(m, "math.check")
    assert len(checks) == 1 and len(ops_named(m, "math.log")) == 1  # log(-1) raises: kept
    assert ops_named(m, "math.sqrt") == []
    consts = [op.attributes["value"] for op in ops_named(m, "arith.constant")]
    assert math.sqrt(2.0) in consts


IDENT = """\
func @f(%i: i64, %x: f64, %c: bool) -> tuple<i64, f64, f64, i64, i64, f64> {
  %z = arith.constant 0 : i64
  %o = arith.constant 1 : i64
  %zf = arith.constant 0.0 : f64
  %a = arith.addi %i, %z : i64
  %b = arith.muli %o, %a : i64
  %y = arith.addf %x, %zf : f64
  %s = arith.select %c, %y, %y : f64
  %p = tuple.make %b, %s : tuple<i64, f64>
  %q = tuple.get %p {index = 0} : i64
  %w = tuple.get %p {index = 1} : f64
  %d = arith.subi %q, %z : i64
  %r = tuple.make %q, %w, %s, %d, %b, %y : tuple<i64, f64, f64, i64, i64, f64>
  func.return %r : tuple<i64, f64, f64, i64, i64, f64>
}
"""


def test_integer_identities_but_not_float() -> None:
    m = parse(IDENT)
    f = m["f"]
    canonicalize.run(m)
    dce.run(m)
    check(m)
    i, x = f.args[0], f.args[1]
    ret = ops_named(m, "tuple.make")[-1]
    assert ret.operands[0] is i and ret.operands[3] is i and ret.operands[4] is i
    addf = ops_named(m, "arith.addf")
    assert len(addf) == 1  # x + 0.0 stays: it turns -0.0 into 0.0
    assert ret.operands[1] is addf[0].result and ret.operands[2] is addf[0].result
    assert ops_named(m, "arith.select") == [] and ops_named(m, "tuple.get") == []
    out = run_func(m, "f", [5, -0.0, True])
    assert out[0] == 5 and same_float(out[1], 0.0)


def test_division_by_zero_constant_is_not_folded() -> None:
    m = parse("""\
func @f() -> i64 {
  %a = arith.constant 7 : i64
  %z = arith.constant 0 : i64
  %q = arith.floordivsi %a, %z : i64
  func.return %q : i64
}
""")
    canonicalize.run(m)
    check(m)
    assert len(ops_named(m, "arith.floordivsi")) == 1


def test_chained_folds_in_one_run() -> None:
    m = parse("""\
func @f() -> f64 {
  %a = arith.constant 3 : i64
  %b = arith.constant -2 : i64
  %q = arith.floordivsi %a, %b : i64
  %x = arith.sitofp %q : f64
  %y = arith.mulf %x, %x : f64
  %c = arith.cmpf %y, %x {predicate = "ogt"} : bool
  %r = arith.select %c, %y, %x : f64
  func.return %r : f64
}
""")
    canonicalize.run(m)
    dce.run(m)
    check(m)
    assert "arith.constant 4.0" in print_module(m)
    assert [op.name for op in m["f"].body.block.ops] == ["arith.constant", "func.return"]


IF_YIELDS_ONLY = """\
func @f(%x: f64, %y: f64) -> f64 {
  %z = arith.constant 0.0 : f64
  %c = arith.cmpf %x, %z {predicate = "olt"} : bool
  %a, %b = scf.if %c -> (f64, f64) {
    scf.yield %x, %y : f64, f64
  } else {
    scf.yield %y, %y : f64, f64
  }
  %s = arith.addf %a, %b : f64
  func.return %s : f64
}
"""


def test_if_that_only_yields_becomes_selects() -> None:
    m = parse(IF_YIELDS_ONLY)
    before = [run_func(m, "f", [x, 2.0]) for x in (-3.0, 0.5, math.nan)]
    canonicalize.run(m)
    check(m)
    top = [op.name for op in m["f"].body.block.ops]
    assert "scf.if" not in top and top.count("arith.select") == 1  # %b is %y on both arms
    assert [run_func(m, "f", [x, 2.0]) for x in (-3.0, 0.5, math.nan)] == before
