"""CSE: identical pure ops merge within a block and into the regions it dominates,
never across sibling regions, never for impure ops or different constants."""
from __future__ import annotations

from ember.ir.passes import cse, dce
from tests.passes.build import check, ops_named, parse
from tests.passes.interp import run_func

NESTED = """\
func @f(%x: f64, %c: bool, %n: i64) -> f64 {
  %a = arith.mulf %x, %x : f64
  %b = arith.mulf %x, %x : f64
  %s = arith.addf %a, %b : f64
  %r = scf.if %c -> (f64) {
    %t = arith.mulf %x, %x : f64
    %u = arith.addf %t, %s : f64
    scf.yield %u : f64
  } else {
    %v = arith.mulf %x, %s : f64
    scf.yield %v : f64
  }
  func.return %r : f64
}
"""

SIBLINGS = """\
func @f(%x: f64, %c: bool) -> f64 {
  %r = scf.if %c -> (f64) {
    %t = arith.mulf %x, %x : f64
    scf.yield %t : f64
  } else {
    %v = arith.mulf %x, %x : f64
    scf.yield %v : f64
  }
  %w = arith.mulf %x, %x : f64
  %z = arith.addf %r, %w : f64
  func.return %z : f64
}
"""


def test_cse_merges_in_block_and_nested_regions() -> None:
    m = parse(NESTED)
    want = [run_func(m, "f", [1.5, c, 3]) for c in (True, False)]
    cse.run(m)
    check(m)
    assert len(ops_named(m, "arith.mulf")) == 2  # x*x once, and x*s in the else arm
    assert [run_func(m, "f", [1.5, c, 3]) for c in (True, False)] == want


def test_cse_does_not_merge_sibling_regions() -> None:
    m = parse(SIBLINGS)
    cse.run(m)
    check(m)
    # Neither arm dominates the other nor the op after the if: all three stay.
    assert len(ops_named(m, "arith.mulf")) == 3


def test_cse_inside_loop_uses_outer_value() -> None:
    m = parse("""\
func @f(%x: f64, %n: i64) -> f64 {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %z = arith.constant 0.0 : f64
  %y = math.exp %x : f64
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %z) -> (f64) {
    %e = math.exp %x : f64
    %c0b = arith.constant 0 : i64
    %acc2 = arith.addf %acc, %e : f64
    scf.yield %acc2 : f64
  }
  %r = arith.addf %s, %y : f64
  func.return %r : f64
}
""")
    cse.run(m)
    dce.run(m)
    check(m)
    assert len(ops_named(m, "math.exp")) == 1
    assert len([op for op in ops_named(m, "arith.constant") if op.attributes["value"] == 0 and str(op.result.type) == "i64"]) == 1
    assert run_func(m, "f", [0.0, 3]) == 4.0


def test_cse_keeps_distinct_constants_and_impure_ops() -> None:
    m = parse("""\
func @f(%x: f64) -> f64 {
  %a = arith.constant 0.0 : f64
  %b = arith.constant -0.0 : f64
  %i = arith.constant 0 : i64
  %j = arith.constant 0 : i32
  %t = arith.constant true : bool
  cf.assert %t {exc = "ValueError", msg = "m"}
  cf.assert %t {exc = "ValueError", msg = "m"}
  %p = func.call @g(%x) : f64
  %q = func.call @g(%x) : f64
  %s = arith.addf %a, %b : f64
  %u = arith.addf %p, %q : f64
  %v = arith.addf %s, %u : f64
  func.return %v : f64
}
func @g(%x: f64) -> f64 {
  func.return %x : f64
}
""")
    cse.run(m)
    check(m)
    assert len(ops_named(m, "arith.constant")) == 5
    assert len(ops_named(m, "cf.assert")) == 2 and len(ops_named(m, "func.call")) == 2
