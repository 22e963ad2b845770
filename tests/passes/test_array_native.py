"""The array passes end to end: hand-built whole-array IR -> optimize -> native code,
against NumPy, with the runtime's live-block count showing that nothing leaks."""
from __future__ import annotations

import numpy as np
import pytest

from ember.backend import runtime_helpers as rt
from ember.ir.passes import optimize
from ember.ir.types import F64, I64, NONE, ArrayType
from tests.backend.test_backend_array_kit import ArrayNative, as_numpy, release
from tests.passes.array_build import A1, A2, aassign, addf, amap, areduce, binf, func, module
from tests.passes.build import check
from tests.passes.test_array_ownership import double, scf_for, total


def compiled(*funcs):
    m = module(*funcs)
    check(optimize(m, funcs[0].name))
    return ArrayNative(*[m[f.name] for f in funcs])


def returned(call, *args, ndim=1):
    """Call, copy the returned array out, release it; the live count must not grow."""
    rt.ensure_runtime()
    live = rt.live_blocks()
    s = call(*args)
    out = as_numpy(s, np.float64, ndim).copy()
    assert rt.live_blocks() == live + (1 if s.meminfo else 0)
    release(s.meminfo)
    assert rt.live_blocks() == live
    return out


def axpy(b, x, y, c):
    t = amap(b, [x, y], A2, binf("arith.mulf"))
    return amap(b, [t, c], A2, addf)


@pytest.mark.parametrize("sa,sb", [((3,), (2, 3)), ((1,), (2, 4)), ((4,), (2, 1)), ((0,), (1, 0)),
                                   ((5,), (1, 5))])
def test_broadcast_expression_matches_numpy(sa, sb):
    call = compiled(func("f", [A1, A2, F64], A2, axpy))
    x = np.arange(float(np.prod(sa))) + 1
    y = np.arange(float(np.prod(sb))).reshape(sb) * 0.5
    assert np.array_equal(returned(call, x, y, 2.0, ndim=2), x * y + 2.0)


def test_broadcast_error_has_numpy_message():
    call = compiled(func("f", [A1, A2, F64], A2, axpy))
    with pytest.raises(ValueError, match=r"^operands could not be broadcast together with "
                                         r"shapes \(3,\) \(2,4\) $"):
        call(np.ones(3), np.ones((2, 4)), 1.0)


def test_loop_of_reallocations_and_reduction_do_not_leak():
    def body(b, x, k):
        y = scf_for(b, k, [x], lambda bb, i, u: [double(bb, u)])[0]
        return total(b, y)
    call = compiled(func("f", [A1, I64], F64, body))
    rt.ensure_runtime()
    live = rt.live_blocks()
    assert call(np.arange(4.0), 5) == 6.0 * 32
    assert rt.live_blocks() == live


def test_sum_of_squares_and_axis_reduce():
    def body(b, x, y):
        d = amap(b, [x, y], A1, binf("arith.subf"))
        return areduce(b, amap(b, [d], A1, lambda bb, u: bb.value("arith.mulf", [u, u], F64)),
                       b.constant(0.0, F64), F64, -1, addf)
    call = compiled(func("f", [A1, A1], F64, body))
    x, y = np.linspace(0, 1, 7), np.linspace(1, 3, 7)
    assert call(x, y) == pytest.approx(np.sum((x - y) ** 2), rel=1e-14)
    rcall = compiled(func("g", [A2], A1, lambda b, a: areduce(b, a, b.constant(0.0, F64), A1, 0, addf)))
    a = np.arange(12.0).reshape(3, 4)
    assert np.array_equal(returned(rcall, a), a.sum(axis=0))


def test_assign_with_broadcast_and_error():
    call = compiled(func("f", [A2, A1], NONE,
                         lambda b, d, s: aassign(b, d, [s], lambda bb, u: addf(bb, u, u))))
    d = np.zeros((2, 3))
    call(d, np.array([1.0, 2.0, 3.0]))
    assert np.array_equal(d, [[2, 4, 6], [2, 4, 6]])
    with pytest.raises(ValueError, match=r"^could not broadcast input array from shape \(4,\) "
                                         r"into shape \(2,3\)$"):
        call(d, np.ones(4))


def test_strided_and_fortran_arguments():
    AF = ArrayType(F64, 2, "F")
    AA = ArrayType(F64, 1, "A")
    call = compiled(func("f", [AF, AA], A2, lambda b, x, y: amap(b, [x, y], A2, addf)))
    x = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    y = np.arange(9.0)[::-3]
    assert np.array_equal(returned(call, x, y, ndim=2), x + y)
