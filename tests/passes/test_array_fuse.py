"""fuse_arrays (when maps merge and when they must not), CSE of array.load, the pipeline."""
from __future__ import annotations

import numpy as np

from ember.ir.builder import Builder
from ember.ir.core import Block, Region
from ember.ir.passes import cse, fuse_arrays, optimize
from ember.ir.passes.fuse_arrays import format_groups, parse_groups
from ember.ir.printer import print_module
from ember.ir.types import BOOL, F64, I64, NONE
from tests.passes.array_build import A1, aassign, addf, amap, binf, func, lower, module
from tests.passes.array_interp import Interp
from tests.passes.build import check, ops_named


def test_groups_round_trip():
    for text in ("(0 1)", "((0 1) 2)", "(3 (0 (1 2)) 4)"):
        assert format_groups(parse_groups(text)) == text


def test_chain_becomes_one_map_with_shared_operands():
    """(x*y + x) * y: x and y are passed once; the tree keeps each operator's operands."""
    def body(b, x, y):
        t = amap(b, [x, y], A1, binf("arith.mulf"))
        u = amap(b, [t, x], A1, addf)
        return amap(b, [u, y], A1, binf("arith.mulf"))
    m = module(func("f", [A1, A1], A1, body))
    fuse_arrays.run(m)
    check(m)
    maps = ops_named(m, "array.map")
    assert len(maps) == 1 and len(maps[0].operands) == 2
    assert parse_groups(maps[0].attributes["groups"]) == [[[1, 0], 1], 0]
    x, y = np.arange(3.0), np.arange(3.0) + 2
    assert np.array_equal(Interp(m).call("f", [x, y]).a, (x * y + x) * y)


def test_map_used_twice_is_not_fused():
    def body(b, x):
        t = amap(b, [x, x], A1, addf)
        return amap(b, [t, t], A1, binf("arith.mulf"))
    m = module(func("f", [A1], A1, body))
    assert not fuse_arrays.apply(m)


def test_no_fusion_across_a_store_or_into_a_loop():
    def body(b, x):
        t = amap(b, [x, x], A1, addf)
        b.op("array.store", [b.constant(9.0, F64), x, b.constant(0, I64)])
        return amap(b, [t], A1, lambda bb, u: u)
    m = module(func("f", [A1], A1, body))
    assert not fuse_arrays.apply(m)
    x = np.arange(3.0)
    assert np.array_equal(Interp(lower(m)).call("f", [x]).a, [0.0, 2.0, 4.0])

    def body2(b, x, n):
        t = amap(b, [x, x], A1, addf)
        blk = Block([I64])
        with b.at(blk):
            aassign(b, x, [t], lambda bb, u: u)
            b.op("scf.yield", [])
        b.op("scf.for", [b.constant(0, I64), n, b.constant(1, I64)], [], regions=[Region([blk])])
        return None
    m2 = module(func("f", [A1, I64], NONE, body2))
    assert not fuse_arrays.apply(m2)


def test_cse_never_merges_loads_across_a_store():
    """a[0]; a[0] = 5; a[0] -> the second load stays; loads in a loop that stores stay."""
    def body(b, a):
        z = b.constant(0, I64)
        x1 = b.value("array.load", [a, z], F64)
        x2 = b.value("array.load", [a, z], F64)  # merges with x1
        b.op("array.store", [b.constant(5.0, F64), a, z])
        x3 = b.value("array.load", [a, z], F64)  # must stay
        s = b.value("arith.addf", [b.value("arith.addf", [x1, x2], F64), x3], F64)
        blk = Block([I64, F64])
        with b.at(blk):
            y = b.value("array.load", [a, z], F64)  # reads the previous iteration's store
            b.op("array.store", [b.value("arith.addf", [y, blk.args[1]], F64), a, z])
            b.op("scf.yield", [b.value("arith.addf", [y, blk.args[1]], F64)])
        return b.op("scf.for", [z, b.constant(3, I64), b.constant(1, I64), s], [F64],
                    regions=[Region([blk])]).result
    m = module(func("f", [A1], F64, body))
    want = Interp(m).call("f", [np.array([1.0])])
    cse.run(m)
    check(m)
    assert len(ops_named(m, "array.load")) == 3
    assert Interp(m).call("f", [np.array([1.0])]) == want


def test_optimize_runs_the_array_passes_last_and_leaves_scalar_code_alone():
    m = module(func("f", [A1], A1, lambda b, x: amap(b, [x], A1, lambda bb, u: addf(bb, u, u))))
    optimize(m, "f")
    check(m)
    names = {op.name for op in m["f"].walk()}
    assert "array.map" not in names and "array.alloc" in names
    scalar = module(func("g", [F64], F64, lambda b, x: addf(Builder(b.block), x, x)))
    text = print_module(scalar)
    optimize(scalar, "g")
    assert print_module(scalar) == text


def test_dim_of_producer_does_not_block_fusion_nor_change_the_error():
    """Type inference reads dims of an expression to check an assignment: still one loop,
    and a mismatch inside the expression is reported as NumPy does."""
    from tests.passes.array_build import dim
    from tests.passes.test_array_lower import numpy_outcome

    def body(b, x, y):
        d = b.value("array.alloc", [dim(b, x, 0)], A1)  # fresh: no overlap copy needed
        t = amap(b, [x, y], A1, addf)
        ok = b.value("arith.cmpi", [dim(b, t, 0), dim(b, d, 0)], BOOL, {"predicate": "eq"})
        b.op("cf.assert", [ok], attributes={"exc": "ValueError", "msg": "typeinfer check"})
        aassign(b, d, [t], lambda bb, u: u)
        return d
    m = module(func("f", [A1, A1], A1, body))
    lowered = lower(m)
    from tests.passes.test_array_lower import fast_loops
    assert len(fast_loops(lowered)) == 1 and len(ops_named(lowered, "array.alloc")) == 1
    out = Interp(lowered).call("f", [np.arange(3.0), np.ones(3)])
    assert np.array_equal(out.a, np.arange(3.0) + 1)
    bad = Interp(lowered).call("f", [np.ones(3), np.ones(2)])
    assert bad == numpy_outcome(lambda a, b: a + b, np.ones(3), np.ones(2))
