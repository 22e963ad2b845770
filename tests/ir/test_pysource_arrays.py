"""The Python-source emitter on array, tuple, record, list and str programs (many of them the
e2e tests' own): emitted Python == native (exactly: the emitted loops add in the native
order), and CPython's result where NumPy computes the same thing."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.pysource import func_to_source
from tests.e2e import test_array_indexing as I
from tests.e2e import test_arrays_linalg as L
from tests.e2e import test_arrays_whole as W
from tests.e2e import test_lists as LI
from tests.e2e import test_records as R
from tests.e2e import test_strings as S
from tests.e2e import test_tuple_order as TO
from tests.e2e import test_tuples as T
from tests.ir.test_pysource import run_both, typed_module

rng = np.random.default_rng(5)
A = rng.random(6)
B = rng.random(6)
M = rng.random((3, 4))


def chain_energy(x, k):
    d = x[1:] - x[:-1]
    return 0.5 * k * np.sum(d * d)


def grid(n, m):
    out = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            out[i, j] = i * m + j
    return out


def views(a):
    b = a.T
    c = a.reshape(a.shape[0] * a.shape[1])
    return b[1, 2], c[5], a[1][2], a[:, 1].sum()


def ints(a):
    s = 0
    for i in range(a.shape[0]):
        s += a[i] * a[i]
    return s, a * 3


def zero_d(a, x):
    b = a[1, 2, ...]
    b[...] = x
    c = np.zeros(())
    c[()] = x * 2
    return b, c, a.sum()


def _overwrite(a):
    a[0] = 100.0
    return 1.0


def read_then_write(a):
    return a[0] * 2.0 + _overwrite(a)  # the read happens before the helper's write


CASES = [
    (read_then_write, (A,), True),
    (zero_d, (M.copy(), 2.0), "close"),
    (chain_energy, (A, 2.0), "close"), (grid, (3, 4), True), (views, (M,), "close"),
    (ints, (np.arange(5),), True), (ints, (np.arange(5, dtype=np.int32),), True),
    (W.step, (A, 0.5, 0.1), True), (W.pair_energy, (rng.random((4, 3)),), "close"),
    (W.creation, (5,), True), (W.slices, (A,), True), (W.slices2d, (M,), True),
    (W.chain, (A, B, 2.0), True), (W.compare_and_where, (A, B), True),
    (W.reductions, (M,), "close"), (W.broadcast, (A, B), True),
    (W.slice_assign, (A, B), True), (W.shape_mismatch, (A, rng.random(4)), True),
    (I.neg_index, (M, -1, -2), True), (I.slice_sum, (A, 1, 5, 2), "close"),
    (I.slice_sum, (A, 5, 0, -2), "close"), (I.mixed_view, (rng.random((3, 4, 5)),), True),
    (I.new_axis, (A,), True), (I.ellipsis_store, (rng.random((2, 3)), 1.5), True),
    (I.strided_store, (A,), True), (I.creation_mix, (4,), True),
    (I.linspaced, (5, True), True), (I.aranged, (1.0, 5.0, 0.5), True),
    (L.mm, (M, M.T.copy()), "close"), (L.npdot, (A, B), "close"), (L.outer, (A, B), True),
    (L.trace, (M,), "close"), (T.ops, ((1, 2.0), (3,), 1.5), True),
    (T.runtime_index, ((1.0, 2.0, 3.0), 1), True), (T.dynamic_sum, ((1.0, 2.0, 3.0),), True),
    (T.array_elements, (A, B), "close"), (R.lit_read, (1.5,), True),
    (R.write_existing, (1.5,), True), (R.add_key, (2.0,), True), (R.loop_carried, (5,), True),
    (R.if_merge, (1.0,), True), (R.in_tuple, (1.0,), True), (R.calls_helper, (2.0,), True),
    (R.returns_dict, (1.0,), True), (LI.literals, (1.0, 2.0), True),
    (LI.constructors, (3, (1.0, 2.0)), True), (LI.from_array, (A,), True),
    (LI.methods, (5,), True), (LI.getitem, ([1.0, 2.0, 3.0], -1), True),
    (LI.setitem, ([1.0, 2.0, 3.0], 1), True), (LI.iterate, ([1.0, 2.0], [3.0, 4.0]), True),
    (LI.sorts, ([3.0, 1.0, 2.0],), True), (LI.to_array, (4,), True),
    (LI.lists_of_lists, (3,), True), (LI.lists_of_arrays, (3,), True),
    (LI.lists_of_tuples, (3,), True), (S.compare_all, ("abc", "abd"), True),
    (S.pick, (1.0,), True), (S.loop_merge, (3,), True), (S.mode, ("fast", 3.5), True),
    (S.calls_helper, ("xy",), True), (S.tuples, ("ab",), True),
    (TO.sort_forms, ([("b", 1), ("a", 2), ("ab", 0)],), True),
    (TO.minmax_args, ((1, 2), (1, 3), (0, 9)), True), (TO.minmax_of_list, (5,), True),
    (TO.sorted_str_dict, (["b", "a", "b"],), True),
]


@pytest.mark.parametrize("fn,args,cpython", CASES,
                         ids=[f"{f.__module__.split('.')[-1]}.{f.__name__}-{k}"
                              for k, (f, _, _) in enumerate(CASES)])
def test_program(fn, args, cpython):
    run_both(fn, *args, cpython=cpython)


def test_out_of_bounds_raises_the_native_message():
    run_both(I.neg_index, M, 3, 0)
    run_both(I.neg_index, M, 0, -5)


def test_array_source_is_numpy():
    module, entry = typed_module(grid, (3, 4), counted=False)
    source = func_to_source(module, entry)
    assert "np.empty((n, m), np.float64)" in source, source
    assert "out[v0, v1] = f64(" in source, source  # the user's store, its indices checked
    # reference counts are Python's own: nothing is emitted for them
    module, entry = typed_module(grid, (3, 4), counted=True)
    assert "retain" not in func_to_source(module, entry)
