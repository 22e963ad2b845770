"""lower_arrays: whole-array ops become broadcast checks and loop nests with NumPy's meaning.

Each test runs the hand-built module in the reference interpreter before the passes
(whole-array semantics) and after them (loops), and compares both with NumPy itself,
error messages included."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.clone import clone_module
from ember.ir.types import BOOL, F64, I64, NONE, ArrayType
from tests.passes.array_build import (A0, A1, A1A, A2, A2F, aassign, addf, amap, areduce, binf,
                                      dim, func, lower, module)
from tests.passes.array_interp import Interp
from tests.passes.build import ops_named


def fast_loops(m) -> list:
    """The scf.for ops outside the general (else) version of a broadcast-versioned nest:
    the loops that run when every operand extent equals the result's."""
    out = []

    def walk(block):
        for op in block.ops:
            if op.name == "scf.for":
                out.append(op)
            regions = op.regions[:1] if op.name == "scf.if" else op.regions
            for r in regions:
                for b in r.blocks:
                    walk(b)
    for f in m:
        walk(f.body.block)
    return out


def numpy_outcome(fn, *args):
    try:
        return fn(*args)
    except ValueError as e:
        return ("raise", "ValueError", str(e))


def same(got, want) -> bool:
    if isinstance(want, tuple):
        return got == want
    got = got.a if hasattr(got, "a") else got
    return np.array_equal(np.asarray(got), np.asarray(want)) and np.shape(got) == np.shape(want)


def run_both(m, args, want):
    """Interpret before and after lowering; both must match NumPy's outcome `want`."""
    before = Interp(clone_module(m)).call("f", [np.copy(a) if isinstance(a, np.ndarray) else a
                                                for a in args])
    lowered = lower(m)
    after = Interp(lowered).call("f", args)
    if isinstance(want, tuple):  # the whole-array interpreter words errors its own way
        assert before[:2] == want[:2], (before, want)
    else:
        assert same(before, want), (before, want)
    assert same(after, want), (after, want)
    for name in ("array.map", "array.assign", "array.reduce"):
        assert not ops_named(lowered, name)
    return lowered


def axpy_module(ta, tb):
    def body(b, x, y, c):
        t = amap(b, [x, y], ArrayType(F64, max(ta.ndim, tb.ndim), "C"), binf("arith.mulf"))
        return amap(b, [t, c], ArrayType(F64, max(ta.ndim, tb.ndim), "C"), addf)
    return module(func("f", [ta, tb, F64], ArrayType(F64, max(ta.ndim, tb.ndim), "C"), body))


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((3,), (2, 3)), ((2, 1), (1, 4)), ((0,), (1,)),
                                   ((3,), (4,)), ((2, 3), (4,)), ((2, 3), (3, 2)), ((0, 3), (3,)),
                                   ((1,), (5, 0))])
def test_map_broadcasts_like_numpy(sa, sb):
    x = np.arange(float(np.prod(sa))).reshape(sa) + 1
    y = np.arange(float(np.prod(sb))).reshape(sb) * 0.5
    m = axpy_module(ArrayType(F64, len(sa), "C"), ArrayType(F64, len(sb), "C"))
    run_both(m, [x, y, 2.0], numpy_outcome(lambda a, b: a * b + 2.0, x, y))


def test_fused_map_reports_the_failing_operator_shapes():
    """(a * b) + c with b and c mismatched: NumPy names the shapes of a*b and c."""
    def body(b, x, y, z):
        t = amap(b, [x, y], A2, binf("arith.mulf"))
        return amap(b, [t, z], A2, addf)
    m = module(func("f", [A1, A2, A1], A2, body))
    x, y, z = np.ones(3), np.ones((2, 3)), np.ones(4)
    lowered = run_both(m, [x, y, z], numpy_outcome(lambda a, b, c: a * b + c, x, y, z))
    assert len(ops_named(lowered, "array.alloc")) == 1  # fused: no temporary


def test_zero_d_map_and_scalar_only_map():
    def body(b, x, c):
        t = amap(b, [x, c], A0, addf)
        return amap(b, [t], A0, lambda bb, u: bb.value("arith.mulf", [u, u], F64))
    m = module(func("f", [A0, F64], A0, body))
    x = np.array(3.0)
    run_both(m, [x, 1.0], (x + 1.0) ** 2)


@pytest.mark.parametrize("sd,ss", [((2, 3), (3,)), ((2, 3), (2, 1)), ((4,), (1, 4)), ((4,), (3,)),
                                   ((4,), (2, 4)), ((2, 3), (2, 1, 3)), ((0, 2), (2,))])
def test_assign_broadcasts_into_dest(sd, ss):
    d = np.zeros(sd)
    s = np.arange(float(np.prod(ss))).reshape(ss) + 1

    def np_assign(d, s):
        d = d.copy()
        d[...] = s * 3.0
        return d

    def body(b, dest, src):
        aassign(b, dest, [src], lambda bb, u: bb.value("arith.mulf", [u, bb.constant(3.0, F64)], F64))
        return None

    m = module(func("f", [ArrayType(F64, len(sd), "C"), ArrayType(F64, len(ss), "C")], NONE, body))
    want = numpy_outcome(np_assign, d, s)
    before_d, after_d = d.copy(), d.copy()
    before = Interp(clone_module(m)).call("f", [before_d, s])
    after = Interp(lower(m)).call("f", [after_d, s])
    if isinstance(want, tuple):
        assert before[:2] == want[:2] and after == want
    else:
        assert np.array_equal(before_d, want) and np.array_equal(after_d, want)


def _slice(b, v, start, count, step):
    t = v.type
    args = [b.constant(start, I64), count if not isinstance(count, int) else b.constant(count, I64),
            b.constant(step, I64)]
    return b.value("array.subview", [v] + args, ArrayType(t.dtype, t.ndim, "A"), {"kinds": "s"})


@pytest.mark.parametrize("n", [0, 1, 2, 7])
def test_overlapping_assign_copies_like_numpy(n):
    """a[1:] = a[:-1] + 1 shifts (NumPy copies overlapping memory first)."""
    def body(b, a):
        m1 = b.value("arith.subi", [dim(b, a, 0), b.constant(1, I64)], I64)
        m1 = b.value("arith.select", [b.value("arith.cmpi", [m1, b.constant(0, I64)], BOOL,
                                                {"predicate": "slt"}), b.constant(0, I64), m1], I64)
        dst = _slice(b, a, 1, m1, 1)
        src = _slice(b, a, 0, m1, 1)
        aassign(b, dst, [src], lambda bb, u: bb.value("arith.addf", [u, bb.constant(1.0, F64)], F64))
        return None

    m = module(func("f", [A1], NONE, body))
    a = np.arange(float(n))
    want = a.copy()
    want[1:] = want[:-1] + 1
    got = a.copy()
    lowered = lower(m)
    Interp(lowered).call("f", [got])
    assert np.array_equal(got, want)
    assert len(ops_named(lowered, "array.alloc")) == 1  # the copy


def test_assign_from_own_value_needs_no_copy():
    m = module(func("f", [A1], NONE, lambda b, a: aassign(b, a, [a], lambda bb, u: addf(bb, u, u))))
    lowered = lower(m)
    assert not ops_named(lowered, "array.alloc")
    a = np.arange(4.0)
    Interp(lowered).call("f", [a])
    assert np.array_equal(a, np.arange(4.0) * 2)


def test_assign_into_fortran_dest_walks_axis_zero_innermost():
    m = module(func("f", [A2F, A1], NONE, lambda b, d, s: aassign(b, d, [s], lambda bb, u: u)))
    lowered = lower(m)
    # Two arguments may share memory: the source is copied first (its own C-order nest).
    loops = [op for op in fast_loops(lowered) if op.parent.parent.parent.name != "scf.for"]
    assert len(loops) == 2
    outer_ub = loops[-1].operands[1]
    assert outer_ub.op.attributes["axis"] == 1
    d = np.zeros((3, 2), order="F")
    Interp(lowered).call("f", [d, np.array([5.0, 6.0])])
    assert np.array_equal(d, np.broadcast_to([5.0, 6.0], (3, 2)))


@pytest.mark.parametrize("shape", [(5,), (0,), (2, 3), (3, 0), ()])
def test_reduce_all(shape):
    x = np.asarray(np.arange(float(np.prod(shape))).reshape(shape) + 1)
    t = ArrayType(F64, len(shape), "C")
    m = module(func("f", [t], F64, lambda b, a: areduce(b, a, b.constant(0.0, F64), F64, -1, addf)))
    run_both(m, [x], float(np.sum(x)))


@pytest.mark.parametrize("shape,axis", [((2, 3), 0), ((2, 3), 1), ((0, 3), 0), ((3, 0), 0),
                                        ((2, 3, 4), 1), ((4,), 0)])
def test_reduce_axis(shape, axis):
    x = np.asarray(np.arange(float(np.prod(shape))).reshape(shape) + 1)
    t = ArrayType(F64, len(shape), "C")
    rt = ArrayType(F64, len(shape) - 1, "C")
    m = module(func("f", [t], rt, lambda b, a: areduce(b, a, b.constant(0.0, F64), rt, axis, addf)))
    run_both(m, [x], np.sum(x, axis=axis))


def test_sum_of_squared_difference_makes_no_temporary():
    def body(b, x, y):
        d = amap(b, [x, y], A1, binf("arith.subf"))
        sq = amap(b, [d], A1, lambda bb, u: bb.value("arith.mulf", [u, u], F64))
        return areduce(b, sq, b.constant(0.0, F64), F64, -1, addf)
    m = module(func("f", [A1, A1A], F64, body))
    x, y = np.arange(5.0), np.arange(5.0)[::-1].copy()
    lowered = run_both(m, [x, y], float(np.sum((x - y) ** 2)))
    assert not ops_named(lowered, "array.alloc")
    assert len(fast_loops(lowered)) == 1
    bad = Interp(lowered).call("f", [np.ones(3), np.ones(2)])
    assert bad == numpy_outcome(lambda a, b: np.sum((a - b) ** 2), np.ones(3), np.ones(2))


def test_stencil_assign_fuses_into_one_loop():
    """out[1:-1] = u[1:-1] + c * (u[:-2] - 2 u[1:-1] + u[2:]) with out fresh: one loop,
    no temporary, no copy."""
    def body(b, u, c):
        n = dim(b, u, 0)
        out = b.value("array.alloc", [n], A1)
        k = b.value("arith.subi", [n, b.constant(2, I64)], I64)
        mid, left, right = _slice(b, u, 1, k, 1), _slice(b, u, 0, k, 1), _slice(b, u, 2, k, 1)
        t = amap(b, [mid], A1, lambda bb, x: bb.value("arith.mulf", [bb.constant(2.0, F64), x], F64))
        s = amap(b, [left, t], A1, binf("arith.subf"))
        s2 = amap(b, [s, right], A1, addf)
        s3 = amap(b, [c, s2], A1, binf("arith.mulf"))
        aassign(b, _slice(b, out, 1, k, 1), [mid, s3], addf)
        return out
    m = module(func("f", [A1, F64], A1, body))
    u = np.arange(8.0) ** 2
    lowered = lower(m)
    assert len(ops_named(lowered, "array.alloc")) == 1
    assert len(fast_loops(lowered)) == 1
    got = Interp(lowered).call("f", [u, 0.1]).a
    want = u[1:-1] + 0.1 * (u[:-2] - 2.0 * u[1:-1] + u[2:])
    assert np.array_equal(got[1:-1], want)
