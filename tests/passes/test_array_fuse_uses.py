"""fuse_arrays keeps its use map exact across several fusions in one block.

Regression: `x //= y + 1` on int arrays crashed with `list.remove(x): x not in list`.
The integer floor division region reads the outer constant 1 (CSE merged it with the
`+ 1` operand); the first fusion rebuilt the consumer's region from clones while the use
map still listed the old region's ops, so the second fusion could not drop the clones' uses.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from ember.ir.passes.fuse_arrays import _Fuser, parse_groups
from ember.ir.passes.uses import UseMap
from ember.ir.types import BOOL, F64, I64, ArrayType
from tests.passes.array_build import A1, aassign, amap, func, lower, module
from tests.passes.array_interp import Interp
from tests.passes.build import check, ops_named

I1 = ArrayType(I64, 1, "C")


def _use_counts(uses: UseMap) -> Counter:
    return Counter({(id(v), id(op)): n for v, ops in uses.users.items()
                    for op, n in Counter(ops).items() if n})


def fuse_exact(m) -> bool:
    """Run the fuser on every function; its use map must equal a freshly built one."""
    changed = False
    for f in m:
        fuser = _Fuser(f)
        fuser.block(f.body.block)
        changed |= fuser.changed
        assert _use_counts(fuser.uses) == _use_counts(UseMap(f)), f.name
    check(m)
    return changed


def _floordiv_inplace(b, x, y):
    """x[...] = x // (y + 1) as type inference emits it for ints: the division's region
    reads the outer constant `one`, the same value the producer takes as an operand."""
    one = b.constant(1, I64)
    t = amap(b, [y, one], I1, lambda bb, u, c: bb.value("arith.addi", [u, c], I64))

    def div(bb, u, v):
        zero = bb.constant(0, I64)
        isz = bb.value("arith.cmpi", [v, zero], BOOL, {"predicate": "eq"})
        safe = bb.value("arith.select", [isz, one, v], I64)
        q = bb.value("arith.floordivsi", [u, safe], I64)
        return bb.value("arith.select", [isz, zero, q], I64)
    q = amap(b, [x, t], I1, div)
    aassign(b, x, [q], lambda bb, u: u)
    return x


def test_two_fusions_with_a_region_reading_an_outer_value():
    m = module(func("f", [I1, I1], I1, _floordiv_inplace))
    assert fuse_exact(m)
    assert not ops_named(m, "array.map")
    (assign,) = ops_named(m, "array.assign")
    assert len(assign.operands) == 4  # destination x, then x, y, 1
    x, y = np.arange(-6, 6), np.arange(12) % 4 - 1
    d = y + 1
    out = Interp(lower(m)).call("f", [x.copy(), y])
    assert np.array_equal(out.a, np.where(d == 0, 0, x // np.where(d == 0, 1, d)))


def _scaled(b, v, c):
    """v * c where c is read from outside the region (not an operand)."""
    return amap(b, [v], A1, lambda bb, u: bb.value("arith.mulf", [u, c], F64))


def test_chain_of_three_producers_each_reading_an_outer_value():
    """((x * c) * c) * c feeding a consumer that reads c too: three fusions in a row."""
    def body(b, x):
        c = b.constant(3.0, F64)
        t = _scaled(b, _scaled(b, _scaled(b, x, c), c), c)
        return amap(b, [t, x], A1, lambda bb, u, v: bb.value(
            "arith.subf", [bb.value("arith.addf", [u, c], F64), v], F64))
    m = module(func("f", [A1], A1, body))
    assert fuse_exact(m)
    assert len(ops_named(m, "array.map")) == 1
    x = np.linspace(-1.0, 1.0, 5)
    assert np.array_equal(Interp(lower(m)).call("f", [x]).a, x * 3.0 * 3.0 * 3.0 + 3.0 - x)


def test_producer_read_twice_by_one_consumer_stays_correct():
    """(a + 1) * (a + 1) after CSE: one map read twice by the consumer, itself built from
    a fused chain of three maps; the result is computed once and is right."""
    def body(b, a):
        c = b.constant(1.0, F64)
        t1 = amap(b, [a, c], A1, lambda bb, u, k: bb.value("arith.addf", [u, k], F64))
        t2 = _scaled(b, t1, c)
        t3 = amap(b, [t2, a], A1, lambda bb, u, v: bb.value("arith.subf", [u, v], F64))
        return amap(b, [t3, t3], A1, lambda bb, u, v: bb.value("arith.mulf", [u, v], F64))
    m = module(func("f", [A1], A1, body))
    fuse_exact(m)
    a = np.arange(4.0)
    want = ((a + 1.0) * 1.0 - a) * ((a + 1.0) * 1.0 - a)
    assert np.array_equal(Interp(lower(m)).call("f", [a]).a, want)


def test_fusion_frees_the_last_use_of_a_shared_producer():
    """r = u * (u - 3): once `u - 3` is fused into r, r is u's only reader, so u fuses too
    (the use map must know the fused-away map no longer reads u)."""
    def body(b, x):
        u = _scaled(b, x, b.constant(2.0, F64))
        w = amap(b, [u, b.constant(3.0, F64)], A1, lambda bb, p, k: bb.value("arith.subf", [p, k], F64))
        return amap(b, [u, w], A1, lambda bb, p, q: bb.value("arith.mulf", [p, q], F64))
    m = module(func("f", [A1], A1, body))
    assert fuse_exact(m)
    (r,) = ops_named(m, "array.map")
    x_arg = m["f"].args[0]
    assert sum(1 for v in r.operands if v is x_arg) == 1  # read once, element reused
    assert len(r.operands) == 2  # x and the constant 3
    # u's (one-operand) tree stands at both places r's expression read u.
    assert parse_groups(r.attributes["groups"]) == [[1], [[1], 0]]
    x = np.arange(5.0)
    assert np.array_equal(Interp(lower(m)).call("f", [x]).a, (x * 2.0) * (x * 2.0 - 3.0))
