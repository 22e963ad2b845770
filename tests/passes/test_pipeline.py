"""The whole pipeline on random straight-line and branching programs: the optimized
module verifies, round-trips, and computes what the original computes."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from ember.ir.builder import Builder
from ember.ir.core import Block, FuncOp, Module, Region, SymbolRef
from ember.ir.passes import optimize
from ember.ir.types import BOOL, F64, I64, TupleType
from tests.passes.build import check, same_float
from tests.passes.interp import run_func

INT_OPS = ["arith.addi", "arith.subi", "arith.muli"]
FLOAT_OPS = ["arith.addf", "arith.subf", "arith.mulf"]


def build(draw, b: Builder, ints: list, floats: list, depth: int) -> None:
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.integers(0, 6))
        if kind == 0:
            ints.append(b.constant(draw(st.sampled_from([0, 1, -1, 3, 2**62])), I64))
        elif kind == 1:
            floats.append(b.constant(draw(st.sampled_from([0.0, -0.0, 1.0, 2.5])), F64))
        elif kind == 2:
            a, c = draw(st.sampled_from(ints)), draw(st.sampled_from(ints))
            ints.append(b.value(draw(st.sampled_from(INT_OPS)), [a, c], I64))
        elif kind == 3:
            a, c = draw(st.sampled_from(floats)), draw(st.sampled_from(floats))
            floats.append(b.value(draw(st.sampled_from(FLOAT_OPS)), [a, c], F64))
        elif kind == 4:
            floats.append(b.value("arith.sitofp", [draw(st.sampled_from(ints))], F64))
        elif kind == 5:
            cond = b.value("arith.cmpi", [draw(st.sampled_from(ints)), draw(st.sampled_from(ints))],
                           BOOL, {"predicate": draw(st.sampled_from(["slt", "eq", "sge"]))})
            floats.append(b.value("arith.select", [cond, draw(st.sampled_from(floats)),
                                                    draw(st.sampled_from(floats))], F64))
        elif depth < 2:
            cond = b.value("arith.cmpf", [draw(st.sampled_from(floats)), draw(st.sampled_from(floats))],
                           BOOL, {"predicate": draw(st.sampled_from(["olt", "oeq", "une"]))})
            arms = []
            for _arm in range(2):
                blk = Block()
                ii, ff = list(ints), list(floats)
                with b.at(blk):
                    build(draw, b, ii, ff, depth + 1)
                    b.op("scf.yield", [draw(st.sampled_from(ii)), draw(st.sampled_from(ff))])
                arms.append(Region([blk]))
            op = b.op("scf.if", [cond], [I64, F64], regions=arms)
            ints.append(op.results[0])
            floats.append(op.results[1])


@st.composite
def programs(draw) -> Module:
    f = FuncOp("main", [I64, F64], TupleType((I64, F64)), ["i", "x"], attributes={"entry": True})
    b = Builder(f.body.block)
    ints, floats = [f.args[0]], [f.args[1]]
    build(draw, b, ints, floats, 0)
    h = b.value("func.call", [draw(st.sampled_from(ints)), draw(st.sampled_from(floats))],
                TupleType((I64, F64)), {"callee": SymbolRef("helper")})
    ints.append(b.value("tuple.get", [h], I64, {"index": 0}))
    r = b.value("tuple.make", [draw(st.sampled_from(ints)), draw(st.sampled_from(floats))],
                TupleType((I64, F64)))
    b.op("func.return", [r])
    g = FuncOp("helper", [I64, F64], TupleType((I64, F64)), ["i", "x"])
    gb = Builder(g.body.block)
    gi, gf = [g.args[0]], [g.args[1]]
    build(draw, gb, gi, gf, 0)
    gb.op("func.return", [gb.value("tuple.make", [gi[-1], gf[-1]], TupleType((I64, F64)))])
    return Module([f, g])


def same(a: object, b: object) -> bool:
    return a[0] == b[0] and same_float(a[1], b[1])  # type: ignore[index]


@settings(max_examples=60, deadline=None)
@given(programs(), st.sampled_from([(0, 0.0), (3, -0.0), (-7, 2.5), (2**40, float("nan"))]))
def test_optimize_preserves_meaning(m: Module, args: tuple) -> None:
    check(m)
    want = run_func(m, "main", list(args))
    optimize(m)
    check(m)
    assert list(m.funcs) == ["main"]
    assert same(run_func(m, "main", list(args)), want)
