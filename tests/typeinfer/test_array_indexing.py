"""Type inference of array indexing, slicing, attributes and element stores (through the
real frontend): the typed IR verifies, round-trips, and has the expected ops and checks."""
from __future__ import annotations

import numpy as np
import pytest

from ember.frontend import build_function
from ember.ir.errors import TypingError
from ember.ir.types import BOOL, F32, F64, I32, I64, ArrayType, ScalarType, TupleType
from ember.ir.verifier import verify_module
from ember.typeinfer import infer_module
from tests.helpers import assert_roundtrip

INDEX_MSG = "index {} is out of bounds for axis {} with size {}"


def arr(dtype: ScalarType, ndim: int, layout: str = "C", readonly: bool = False) -> ArrayType:
    return ArrayType(dtype, ndim, layout, readonly)


def typed(fn, *types, boundscheck: bool | None = None):
    """The typed entry FuncOp of `fn` for `types`, verified and round-tripped."""
    untyped = build_function(fn)
    if boundscheck is not None:
        untyped.attributes["boundscheck"] = boundscheck
    m, sym = infer_module(untyped, list(types), build_function)
    verify_module(m, typed=True)
    assert_roundtrip(m)
    return m[sym]


def ops(func, name: str) -> list:
    return [op for op in func.walk() if op.name == name]


def index_asserts(func) -> list:
    return [op for op in ops(func, "cf.assert") if op.attributes["exc"] == "IndexError"]


# ---- element access ----------------------------------------------------------------------
def load1(a, i):
    return a[i]


def load2(a, i, j):
    return a[i, j] + a[i][j]


def test_int_index_is_a_checked_load():
    f = typed(load1, arr(F64, 1), I64)
    assert f.return_type == F64
    (load,) = ops(f, "array.load")
    (check,) = index_asserts(f)
    assert check.attributes["msg"] == INDEX_MSG
    # the message shows the index as written (before normalizing), the axis, the size
    cond, shown, axis, size = check.operands
    assert shown is f.args[1]
    assert axis.op.attributes["value"] == 0 and size.op.name == "array.dim"
    assert load.operands[1] is not f.args[1]  # normalized


def test_boundscheck_false_drops_the_checks():
    f = typed(load1, arr(F64, 1), I32, boundscheck=False)
    assert not index_asserts(f) and len(ops(f, "array.load")) == 1


def test_two_ints_are_one_load_and_chained_index_is_a_view():
    f = typed(load2, arr(I64, 2), I64, I64)
    loads = ops(f, "array.load")
    assert len(loads) == 2 and [len(x.operands) for x in loads] == [3, 2]
    (view,) = ops(f, "array.subview")
    assert view.attributes["kinds"] == "i" and view.results[0].type == arr(I64, 1, "C")
    assert len(index_asserts(f)) == 4


def attrs(a):
    return a.shape, a.ndim, a.size, len(a), a.shape[-1]


def test_attributes():
    f = typed(attrs, arr(F32, 3, "F"))
    assert f.return_type == TupleType((TupleType((I64, I64, I64)), I64, I64, I64, I64))
    assert {op.attributes["axis"] for op in ops(f, "array.dim")} == {0, 1, 2}


def transpose(a):
    return a.T, a.real, a.imag


def test_transpose_flips_layout():
    f = typed(transpose, arr(F64, 2, "C"))
    assert f.return_type == TupleType((arr(F64, 2, "F"), arr(F64, 2, "C"), arr(F64, 2, "C")))
    assert len(ops(f, "array.transpose")) == 1


def len0(a):
    return len(a)


def test_len_of_0d_array_is_a_type_error():
    with pytest.raises(TypeError, match="len\\(\\) of unsized object"):
        typed(len0, arr(F64, 0))


def dtype_use(a):
    return np.zeros(3, dtype=a.dtype)


def test_dtype_attribute_is_static():
    f = typed(dtype_use, arr(I32, 2))
    assert f.return_type == arr(I32, 1)


# ---- slicing ------------------------------------------------------------------------------
def slices(a):
    return a[1:], a[::-1], a[None, :], a[:0], a[2:5]


def slices2d(a):
    return a[1:, ::-1], a[:, 0], a[0, :], a[..., 1], a[:, None, 1], a[1:3], a[1:3, :], a[1]


def test_slice_views_and_layouts():
    f = typed(slices, arr(F64, 1))
    t = f.return_type.elements
    assert [x.layout for x in t] == ["C", "A", "C", "C", "C"]
    assert t[2].ndim == 2
    kinds = [op.attributes["kinds"] for op in ops(f, "array.subview")]
    assert kinds == ["s", "s", "n", "s", "s"]
    # a constant step: no run-time zero-step check
    assert not [op for op in ops(f, "cf.assert") if op.attributes["exc"] == "ValueError"]


def test_2d_slice_layouts():
    f = typed(slices2d, arr(F64, 2))
    t = f.return_type.elements
    assert [x.layout for x in t] == ["A", "A", "C", "A", "A", "C", "C", "C"]
    assert [x.ndim for x in t] == [2, 1, 1, 1, 2, 2, 2, 1]
    kinds = [op.attributes["kinds"] for op in ops(f, "array.subview")]
    assert kinds == ["ss", "si", "i", "si", "sni", "s", "s", "i"]
    g = typed(slices2d, arr(F64, 2, "F"))
    assert [x.layout for x in g.return_type.elements] == ["A", "C", "A", "C", "F", "A", "A", "A"]


def dyn_step(a, s):
    return a[::s]


def test_runtime_step_is_checked():
    f = typed(dyn_step, arr(F64, 1), I64)
    msgs = [op.attributes["msg"] for op in ops(f, "cf.assert")]
    assert "slice step cannot be zero" in msgs
    assert f.return_type == arr(F64, 1, "A")


def tuple_index(a, i, j):
    t = (i, j)
    return a[t]


def test_tuple_index_expands():
    f = typed(tuple_index, arr(F64, 2), I64, I64)
    assert f.return_type == F64 and len(ops(f, "array.load")) == 1


def too_many(a):
    return a[0, 1]


def test_too_many_indices():
    with pytest.raises(IndexError, match="too many indices for array: array is "
                                         "1-dimensional, but 2 were indexed"):
        typed(too_many, arr(F64, 1))


def mask(a):
    return a[a > 0.5]


def test_mask_indexing_gives_a_fresh_1d_array():
    # fancy indexing proper is tested in test_fancy_indexing.py
    assert typed(mask, arr(F64, 1)).return_type == arr(F64, 1)


# ---- stores -------------------------------------------------------------------------------
def store(a, i, x):
    a[i] = x
    a[i, ...] = x


def test_store_casts_like_numpy():
    f = typed(store, arr(I32, 1), I64, F64)
    (st,) = ops(f, "array.store")
    assert st.operands[0].type == I32
    assert len(index_asserts(f)) == 2
    assert any(op.name == "arith.fptosi" for op in f.walk())


def store_bool(a, x):
    a[0] = x


def test_store_into_bool_array():
    f = typed(store_bool, arr(BOOL, 1), F64)
    assert ops(f, "array.store")[0].operands[0].type == BOOL


def test_store_into_read_only_array():
    with pytest.raises(TypingError, match="cannot write to a read-only array 'a'"):
        typed(store_bool, arr(F64, 1, readonly=True), F64)


def slice_store(a, b):
    a[1:4] = b
    a[::2] = 1.0


def test_slice_store_goes_through_assign():
    f = typed(slice_store, arr(F64, 1), arr(F64, 1))
    assert len(ops(f, "array.assign")) == 2
    assert [op.attributes["kinds"] for op in ops(f, "array.subview")] == ["s", "s"]


def rows(a):
    s = 0.0
    for row in a:
        s += row[0]
    return s


def test_iterating_rows_carries_an_array():
    f = typed(rows, arr(F64, 2, readonly=True))
    assert f.return_type == F64


def branch_view(a, c):
    v = a
    if c:
        v = a[::2]
    return v


def test_views_of_different_layouts_merge_as_strided():
    f = typed(branch_view, arr(F64, 1), BOOL)
    assert f.return_type == arr(F64, 1, "A")


def dtype_in_tuple(a):
    return (a.dtype, 1)


def test_static_value_in_tuple_is_an_error():
    with pytest.raises(TypingError, match="compile-time-only"):
        typed(dtype_in_tuple, arr(F64, 1))
