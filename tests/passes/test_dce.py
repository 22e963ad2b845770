"""DCE: unused pure ops go; checks, calls and loops that may not end stay; unused
scf.if results and self-feeding loop-carried values go; meaning is kept."""
from __future__ import annotations

from ember.ir.passes import dce
from tests.passes.build import check, ops_named, parse
from tests.passes.interp import run_func

KEEPS = """\
func @f(%x: f64) -> f64 {
  %a = arith.mulf %x, %x : f64
  %b = arith.addf %a, %x : f64
  %l = math.log %x : f64
  math.check %l, %x {overflow = false}
  %z = arith.constant 0.0 : f64
  %c = arith.cmpf %x, %z {predicate = "one"} : bool
  cf.assert %c {exc = "ZeroDivisionError", msg = "float division by zero"}
  %p = func.call @g(%x) : f64
  func.return %x : f64
}
func @g(%x: f64) -> f64 {
  func.return %x : f64
}
"""


def test_dce_keeps_side_effects_and_drops_pure_ops() -> None:
    m = parse(KEEPS)
    dce.run(m)
    check(m)
    names = [op.name for op in m["f"].body.block.ops]
    assert names == ["math.log", "math.check", "arith.constant", "arith.cmpf", "cf.assert",
                     "func.call", "func.return"]


IF_RESULTS = """\
func @f(%x: f64, %c: bool) -> f64 {
  %one = arith.constant 1.0 : f64
  %r, %s = scf.if %c -> (f64, f64) {
    %a = arith.addf %x, %one : f64
    %b = arith.mulf %x, %x : f64
    scf.yield %a, %b : f64, f64
  } else {
    %d = arith.subf %x, %one : f64
    scf.yield %d, %x : f64, f64
  }
  %u = scf.if %c -> (f64) {
    %e = arith.mulf %x, %one : f64
    scf.yield %e : f64
  } else {
    scf.yield %x : f64
  }
  func.return %r : f64
}
"""


def test_dce_drops_unused_if_results_and_empty_ifs() -> None:
    m = parse(IF_RESULTS)
    want = [run_func(m, "f", [2.0, c]) for c in (True, False)]
    dce.run(m)
    check(m)
    ifs = ops_named(m, "scf.if")
    assert len(ifs) == 1 and len(ifs[0].results) == 1
    assert ops_named(m, "arith.mulf") == []
    assert [run_func(m, "f", [2.0, c]) for c in (True, False)] == want


LOOPS = """\
func @f(%x: f64, %n: i64) -> f64 {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %z = arith.constant 0.0 : f64
  %s, %dead = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %z, %d = %z) -> (f64, f64) {
    %acc2 = arith.addf %acc, %x : f64
    %d2 = arith.mulf %d, %x : f64
    %d3 = arith.addf %d2, %acc : f64
    scf.yield %acc2, %d3 : f64, f64
  }
  %k, %w, %v = scf.while (%j = %c0, %q = %z, %dq = %z) : (i64, f64, f64) -> (i64, f64, f64) {
    %go = arith.cmpi %j, %n {predicate = "slt"} : bool
    scf.condition(%go) %j, %q, %dq : i64, f64, f64
  } do (%j1: i64, %q1: f64, %dq1: f64) {
    %j2 = arith.addi %j1, %c1 : i64
    %q2 = arith.addf %q1, %s : f64
    %dq2 = arith.mulf %dq1, %q1 : f64
    scf.yield %j2, %q2, %dq2 : i64, f64, f64
  }
  func.return %w : f64
}
"""


def test_dce_drops_self_feeding_carried_values() -> None:
    m = parse(LOOPS)
    want = run_func(m, "f", [1.5, 4])
    dce.run(m)
    check(m)
    loop = ops_named(m, "scf.for")[0]
    assert len(loop.results) == 1 and len(loop.regions[0].block.args) == 2
    assert ops_named(m, "arith.mulf") == []
    wl = ops_named(m, "scf.while")[0]
    # %j drives the condition and %q is returned: both stay; %dq only feeds itself.
    assert len(wl.results) == 2 and len(wl.regions[0].block.args) == 2
    assert run_func(m, "f", [1.5, 4]) == want


def test_dce_keeps_carried_value_used_by_another() -> None:
    m = parse(LOOPS.replace("func.return %w : f64", "%t = arith.addf %w, %dead : f64\n  func.return %t : f64"))
    want = run_func(m, "f", [1.5, 4])
    dce.run(m)
    check(m)
    loop = ops_named(m, "scf.for")[0]
    assert len(loop.results) == 2
    assert run_func(m, "f", [1.5, 4]) == want


def test_dce_keeps_while_without_results_but_drops_empty_for() -> None:
    m = parse("""\
func @f(%n: i64) -> i64 {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  scf.for %i = %c0 to %n step %c1 {
    %t = arith.addi %i, %c1 : i64
    scf.yield
  }
  %k = scf.while (%j = %c0) : (i64) -> (i64) {
    %go = arith.cmpi %j, %n {predicate = "slt"} : bool
    scf.condition(%go) %j : i64
  } do (%j1: i64) {
    %j2 = arith.addi %j1, %c1 : i64
    scf.yield %j2 : i64
  }
  func.return %n : i64
}
""")
    dce.run(m)
    check(m)
    assert ops_named(m, "scf.for") == []
    assert len(ops_named(m, "scf.while")) == 1
