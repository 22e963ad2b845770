"""Inlining: a helper with nested control flow, a helper called twice, recursion left
alone, uncalled functions dropped except the entry; meaning kept (interpreter)."""
from __future__ import annotations

from ember.ir.builder import Builder
from ember.ir.core import FuncOp, Module, Region, Block, SymbolRef
from ember.ir.passes import inline, optimize
from ember.ir.types import BOOL, F64, I64
from tests.passes.build import check, ops_named, parse
from tests.passes.interp import run_func


def helper_with_control_flow() -> FuncOp:
    """clamp_sum(x, n): sum over range(n) of (x if x > i else i)."""
    g = FuncOp("clamp_sum", [F64, I64], F64, ["x", "n"])
    b = Builder(g.body.block)
    x, n = g.args
    c0, c1, z = b.constant(0, I64), b.constant(1, I64), b.constant(0.0, F64)
    body = Block([I64, F64], ["i", "acc"])
    loop = b.op("scf.for", [c0, n, c1, z], [F64], regions=[Region([body])], names=["s"])
    with b.at(body):
        i, acc = body.args
        fi = b.value("arith.sitofp", [i], F64)
        gt = b.value("arith.cmpf", [x, fi], BOOL, {"predicate": "ogt"})
        then_b, else_b = Block(), Block()
        br = b.op("scf.if", [gt], [F64], regions=[Region([then_b]), Region([else_b])])
        with b.at(then_b):
            b.op("scf.yield", [x])
        with b.at(else_b):
            b.op("scf.yield", [fi])
        acc2 = b.value("arith.addf", [acc, br.result], F64)
        b.op("scf.yield", [acc2])
    b.op("func.return", [loop.result])
    return g


def caller(calls: int) -> Module:
    f = FuncOp("main", [F64, I64], F64, ["x", "n"], attributes={"entry": True})
    b = Builder(f.body.block)
    x, n = f.args
    r = b.value("func.call", [x, n], F64, {"callee": SymbolRef("clamp_sum")})
    for _ in range(calls - 1):
        r2 = b.value("func.call", [r, n], F64, {"callee": SymbolRef("clamp_sum")})
        r = b.value("arith.addf", [r, r2], F64)
    b.op("func.return", [r])
    return Module([f, helper_with_control_flow()])


def test_inline_helper_with_nested_control_flow() -> None:
    m = check(caller(1))
    want = [run_func(m, "main", [x, 5]) for x in (-1.0, 2.5, 9.0)]
    inline.run(m)
    check(m)
    assert list(m.funcs) == ["main"] and ops_named(m, "func.call") == []
    assert len(ops_named(m, "scf.for")) == 1 and len(ops_named(m, "scf.if")) == 1
    assert [run_func(m, "main", [x, 5]) for x in (-1.0, 2.5, 9.0)] == want


def test_inline_helper_called_twice() -> None:
    m = check(caller(2))
    want = [run_func(m, "main", [x, 4]) for x in (-1.0, 2.5)]
    inline.run(m)
    check(m)
    assert list(m.funcs) == ["main"] and ops_named(m, "func.call") == []
    assert len(ops_named(m, "scf.for")) == 2
    assert [run_func(m, "main", [x, 4]) for x in (-1.0, 2.5)] == want


RECURSIVE = """\
func @main(%n: i64) -> i64 {
  %r = func.call @fact(%n) : i64
  %s = func.call @even(%n) : bool
  %t = func.call @leaf(%r) : i64
  func.return %t : i64
}
func @fact(%n: i64) -> i64 {
  %one = arith.constant 1 : i64
  %c = arith.cmpi %n, %one {predicate = "sle"} : bool
  %r = scf.if %c -> (i64) {
    scf.yield %one : i64
  } else {
    %m = arith.subi %n, %one : i64
    %f = func.call @fact(%m) : i64
    %p = arith.muli %n, %f : i64
    scf.yield %p : i64
  }
  func.return %r : i64
}
func @even(%n: i64) -> bool {
  %r = func.call @odd(%n) : bool
  func.return %r : bool
}
func @odd(%n: i64) -> bool {
  %r = func.call @even(%n) : bool
  func.return %r : bool
}
func @leaf(%n: i64) -> i64 {
  %two = arith.constant 2 : i64
  %r = arith.muli %n, %two : i64
  func.return %r : i64
}
func @unused(%n: i64) -> i64 {
  func.return %n : i64
}
"""


def test_recursion_not_inlined_and_entry_argument() -> None:
    m = parse(RECURSIVE)
    inline.run(m, entry="main")
    check(m)
    assert sorted(m.funcs) == ["even", "fact", "main", "odd"]
    callees = [op.attributes["callee"].name for op in m["main"].body.block.ops if op.name == "func.call"]
    assert callees == ["fact", "even"]


def test_no_root_drops_nothing() -> None:
    m = parse(RECURSIVE)
    inline.run(m)
    check(m)
    assert "leaf" in m.funcs and "unused" in m.funcs


def test_optimize_pipeline_end_to_end() -> None:
    m = check(caller(2))
    want = [run_func(m, "main", [x, 6]) for x in (-1.0, 0.5, 7.0)]
    optimize(m)
    check(m)
    assert list(m.funcs) == ["main"]
    # the two inlined copies share their constants after CSE
    consts = ops_named(m, "arith.constant")
    assert len(consts) == 3
    assert [run_func(m, "main", [x, 6]) for x in (-1.0, 0.5, 7.0)] == want
