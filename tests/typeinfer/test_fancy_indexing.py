"""Type inference of boolean-mask and integer-array indexing (typeinfer/fancy_indexing.py):
result types equal NumPy's result ndim for every index form, the typed IR verifies and
round-trips with only plain loop/array ops, and the static errors are NumPy's."""
from __future__ import annotations

import numpy as np
import pytest

from ember.frontend import build_function
from ember.ir.errors import TypingError
from ember.ir.types import BOOL, F64, I8, I64, U64, ArrayType
from ember.typeinfer.fancy_indexing import has_array_index
from ember.ir.verifier import verify_module
from ember.typeinfer import infer_module
from tests.helpers import assert_roundtrip


def arr(dtype, ndim, layout="C", readonly=False):
    return ArrayType(dtype, ndim, layout, readonly)


def typed(fn, *types, boundscheck=None):
    untyped = build_function(fn)
    if boundscheck is not None:
        untyped.attributes["boundscheck"] = boundscheck
    m, sym = infer_module(untyped, list(types), build_function)
    verify_module(m, typed=True)
    assert_roundtrip(m)
    return m[sym]


def ops(func, name):
    return [op for op in func.walk() if op.name == name]


def get(a, i):
    return a[i]


def get2(a, i, j):
    return a[i, j]


def get_s(a, i):
    return a[:, i]


def get0(b, i):
    return b[0, :, i]


def get_n(a, i):
    return a[None, i]


def get_e(b, i):
    return b[..., i]


def set_(a, i, v):
    a[i] = v


# (fn, source ndim, numpy index builder from (np array for a), expected via numpy)
CASES = [
    (get, 2, lambda: np.zeros((2, 3), bool), "mask2"),
    (get, 2, lambda: np.zeros(2, bool), "mask1"),
    (get, 3, lambda: np.zeros((2, 3), bool), "mask2of3"),
    (get, 2, lambda: np.zeros((2, 2), np.int64), "int2"),
    (get, 1, lambda: np.zeros(4, np.int8), "int1"),
    (get_s, 2, lambda: np.zeros((1, 2), np.int64), "slice-int"),
    (get0, 3, lambda: np.zeros(2, np.int64), "nonadjacent"),
    (get_n, 2, lambda: np.zeros(2, np.int64), "newaxis"),
    (get_e, 3, lambda: np.zeros((2, 1), np.int64), "ellipsis"),
]


@pytest.mark.parametrize("fn,ndim,index,name", CASES, ids=[c[3] for c in CASES])
def test_result_type_matches_numpy(fn, ndim, index, name):
    idx = index()
    a = np.zeros((2, 3, 4)[:ndim])
    want = fn(a, idx)
    it = ArrayType(BOOL if idx.dtype == bool else I64 if idx.dtype == np.int64 else I8,
                   idx.ndim, "C", False)
    f = typed(fn, arr(F64, ndim, "A"), it)
    assert f.return_type == arr(F64, want.ndim), (name, want.shape)
    # a copy, not a view of `a` (a mask read views its own fresh buffer)
    assert all(op.operands[0].op.name == "array.alloc" for op in ops(f, "array.subview"))


def test_two_arrays_broadcast_ndim():
    f = typed(get2, arr(F64, 2), arr(I64, 2), arr(U64, 1))
    assert f.return_type == arr(F64, 2)
    msgs = [op.attributes["msg"] for op in ops(f, "cf.assert")]
    assert "shape mismatch: indexing arrays could not be broadcast together with shapes " \
           "({},{}) ({},) " in msgs


def test_readonly_source_gives_writable_result():
    f = typed(get, arr(F64, 1, "C", True), arr(BOOL, 1))
    assert f.return_type == arr(F64, 1)


def test_only_plain_ops_and_index_checks():
    f = typed(get, arr(F64, 2), arr(I64, 1))
    names = {op.name for op in f.walk()}
    assert names <= {"array.dim", "array.load", "array.store", "array.alloc", "scf.for",
                     "scf.yield", "scf.if", "arith.constant", "arith.cmpi", "arith.select",
                     "arith.addi", "arith.muli", "arith.andi", "arith.ori", "cf.assert",
                     "func.return"}
    excs = {op.attributes["exc"] for op in ops(f, "cf.assert")}
    assert excs == {"IndexError"}
    g = typed(get, arr(F64, 2), arr(I64, 1), boundscheck=False)
    assert not [op for op in ops(g, "cf.assert") if op.attributes["exc"] == "IndexError"]


def test_mask_checks_shape_even_without_boundscheck():
    g = typed(get, arr(F64, 2), arr(BOOL, 2), boundscheck=False)
    msgs = [op.attributes["msg"] for op in ops(g, "cf.assert")]
    assert any(m.startswith("boolean index did not match") for m in msgs)


def test_setitem_types():
    typed(set_, arr(F64, 2), arr(BOOL, 2), F64)
    typed(set_, arr(I64, 2, "F"), arr(I64, 1), arr(F64, 1, "A"))
    typed(set_, arr(I64, 1), arr(BOOL, 1), arr(F64, 0))


def test_static_errors():
    with pytest.raises(TypeError, match="requires a 0 or 1-dimensional input, input has 2"):
        typed(set_, arr(F64, 1), arr(BOOL, 1), arr(F64, 2))
    with pytest.raises(IndexError, match="must be of integer"):
        typed(get, arr(F64, 1), arr(F64, 1))
    with pytest.raises(IndexError, match="too many indices for array: array is 1-dimensional, "
                                         "but 2 were indexed"):
        typed(get, arr(F64, 1), arr(BOOL, 2))
    with pytest.raises(TypingError, match="read-only"):
        typed(set_, arr(F64, 1, "C", True), arr(I64, 1), F64)
    with pytest.raises(TypingError, match="0-d boolean"):
        typed(get, arr(F64, 1), arr(BOOL, 0))


def test_has_array_index():
    assert has_array_index([arr(I64, 1)])
    assert has_array_index([I64, arr(BOOL, 2)])
    assert not has_array_index([I64, arr(I64, 0)])  # a 0-d int array is an integer
    assert not has_array_index([F64])
