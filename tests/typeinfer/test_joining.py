"""Type inference of concatenate/stack/hstack/vstack/roll/tile/repeat, reshape views and
np.ndindex loops (through the real frontend): result types, the ops emitted, the run-time
checks and the compile-time errors."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.errors import TypingError
from ember.ir.types import BOOL, F32, F64, I32, I64, U8, U64, TupleType

from .test_array_indexing import arr, ops, typed


def messages(f) -> list[str]:
    return [op.attributes["msg"] for op in ops(f, "cf.assert")]


def joined(a, b):
    return (np.concatenate([a, b]), np.concatenate((a, b), axis=-1),
            np.concatenate([a, b], axis=None), np.stack([a, b], axis=2), np.hstack([a, b]),
            np.vstack((a, b)))


def test_join_types_follow_numpy_result_type():
    f = typed(joined, arr(I32, 2), arr(F32, 2, "F"))
    d = F64  # np.result_type(int32, float32)
    assert f.return_type == TupleType((arr(d, 2), arr(d, 2), arr(d, 1), arr(d, 3), arr(d, 2),
                                       arr(d, 2)))
    f = typed(joined, arr(U8, 2), arr(BOOL, 2, "A"))
    assert f.return_type.elements[0] == arr(U8, 2)
    f = typed(joined, arr(U64, 2), arr(I64, 2))
    assert f.return_type.elements[0] == arr(F64, 2)
    msgs = messages(f)
    assert ("all the input array dimensions except for the concatenation axis must match "
            "exactly, but along dimension 1, the array at index 0 has size {} and the array "
            "at index 1 has size {}") in msgs
    assert "all input arrays must have the same shape" in msgs
    # each input is copied by one array.assign into a sub-view of the result
    assert len(ops(f, "array.assign")) == 12


def vstack1(x, y):
    return np.vstack([x, y]), np.hstack((x, y))


def test_vstack_promotes_1d_inputs():
    f = typed(vstack1, arr(F64, 1), arr(F64, 1, "A"))
    assert f.return_type == TupleType((arr(F64, 2), arr(F64, 1)))


def mixed(a, b):
    return np.concatenate([a, b])


def bad_axis(a):
    return np.stack([a, a], axis=3)


def not_arrays(a, x):
    return np.concatenate([a, x])


def tuple_repeats(a):
    return np.repeat(a, (1, 2))


def roll_mismatch(a):
    return np.roll(a, (1, 2), axis=(0, 1, 1))


@pytest.mark.parametrize("fn, types, exc, match", [
    (mixed, [arr(F64, 2), arr(F64, 1)], ValueError, "same number of dimensions"),
    (bad_axis, [arr(F64, 2)], ValueError, "axis 3 is out of bounds for array of dimension 3"),
    (not_arrays, [arr(F64, 1), F64], TypingError, "needs arrays, but item 1 is f64"),
    (tuple_repeats, [arr(F64, 1)], TypingError, "repeats must be an int"),
    (roll_mismatch, [arr(F64, 2)], ValueError, "objects cannot be broadcast to a single shape"),
])
def test_compile_time_errors(fn, types, exc, match):
    with pytest.raises(exc, match=match):
        typed(fn, *types)


def rolled(a, s):
    return np.roll(a, s), np.roll(a, s, axis=1), np.tile(a, (2, 1, s)), np.repeat(a, s, axis=0), a.repeat(s)


def test_roll_tile_repeat_types():
    f = typed(rolled, arr(I32, 2, "A"), I64)
    assert f.return_type == TupleType((arr(I32, 2), arr(I32, 2), arr(I32, 3), arr(I32, 2),
                                       arr(I32, 1)))
    assert "negative dimensions are not allowed" in messages(f)


def reshapes(a):
    return a.reshape(2, -1), np.reshape(a, (3, 4)), a.ravel(), np.ravel(a), a.flatten()


def test_reshape_is_a_view_of_c_arrays_only():
    f = typed(reshapes, arr(F64, 2))
    assert len(ops(f, "array.reshape")) == 4
    assert len(ops(f, "array.alloc")) == 1  # flatten copies
    f = typed(reshapes, arr(F64, 2, "C", readonly=True))
    assert f.return_type.elements[0] == arr(F64, 2, "C", readonly=True)
    assert f.return_type.elements[4] == arr(F64, 1)
    for layout in ("F", "A"):
        f = typed(reshapes, arr(F64, 2, layout))
        assert not ops(f, "array.reshape")
        assert len(ops(f, "array.alloc")) == 5
    msgs = messages(typed(reshapes, arr(F64, 2)))
    assert "cannot reshape array of size {} into shape ({},newaxis)" in msgs
    assert "cannot reshape array of size {} into shape ({})" in msgs  # a leading -1 is dropped
    assert "can only specify one unknown dimension" in msgs


def walk(a):
    s = 0.0
    for i, j in np.ndindex(a.shape):
        s += a[i, j]
    for idx in np.ndindex(3):
        s += idx[0]
    return s


def test_ndindex_is_one_flat_loop_with_an_index_tuple():
    f = typed(walk, arr(F64, 2))
    assert len(ops(f, "scf.for")) == 2
    assert "negative dimensions are not allowed" in messages(f)


def bad_ndindex(x):
    for idx in np.ndindex(x):
        pass
    return 0


def test_ndindex_needs_ints():
    with pytest.raises(TypingError, match="ndindex"):
        typed(bad_ndindex, F64)
