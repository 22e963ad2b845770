"""Boolean-mask and integer-array ("fancy") indexing, reads and assignment: compiled vs NumPy
(values, dtypes, shapes, arguments after the call, and the exceptions' types and messages)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
from .array_check import check_np, layouts

DTYPES = [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.uint64, np.float32, np.float64]


def some_layouts(a, dtype):
    """Every layout for float64; the C and the strided one for the other dtypes (each new
    layout is one more compilation)."""
    ls = layouts(a)
    return ls if dtype == np.float64 else [ls[0], ls[-2]]


# ---- the functions (module level: one jit each, reused across parameters) -------------------
def get(a, i):
    return a[i]


def get_cols(a, i):
    return a[:, i]


def get_idx_j(a, i, j):
    return a[i, j]


def get_j_idx(a, j, i):
    return a[j, i]


def get_mask_rows(a, m):
    return a[m, :]


def get_slice_idx(a, i):
    return a[1:, i]


def get_rev_idx(a, i):
    return a[::-1, i]


def get_nonadjacent(b, i):
    return b[0, :, i]


def get_tail_pair(b, r, c):
    return b[:, r, c]


def get_outer(a, r, c):
    return a[r[:, None], c]


def get_ellipsis(b, i):
    return b[..., i]


def get_newaxis(a, i):
    return a[None, i]


def positive(a):
    return a[a > 0]


def sorted_by(x):
    return x[np.argsort(x)]


def reversed_by(x):
    return x[np.arange(x.shape[0] - 1, -1, -1)], x[x.astype(np.int64) % x.shape[0]]


def set_(a, i, v):
    a[i] = v
    return a


def set_cols(a, i, v):
    a[:, i] = v


def set_pair(a, r, c, v):
    a[r, c] = v


def set_mask_rows(a, m, v):
    a[m, :] = v


def iadd(a, i, v):
    a[i] += v
    return a


def clip_negative(a):
    a[a < 0] = 0
    return a


def shift_alias(a):
    a[np.array([1, 2, 3])] = a[0:3]
    return a


def copy_semantics(a, i):
    b = a[i]
    b[0] = 99
    return a, b


JIT = {f.__name__: ember.jit(f) for f in (
    get, get_cols, get_idx_j, get_j_idx, get_mask_rows, get_slice_idx, get_rev_idx,
    get_nonadjacent, get_tail_pair, get_outer, get_ellipsis, get_newaxis, positive, sorted_by, reversed_by,
    set_, set_cols, set_pair, set_mask_rows, iadd, clip_negative, shift_alias, copy_semantics)}


def check(fn, *args, **kw):
    return check_np(fn, *args, jitted=JIT[fn.__name__], **kw)


def values(shape, dtype):
    n = int(np.prod(shape))
    return (np.arange(n) * 7 % 11 - 3).astype(dtype).reshape(shape)


# ---- reads ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [0, 1, 7])
def test_mask_read_1d(dtype, n):
    for a in some_layouts(values((n,), dtype), dtype):
        for m in some_layouts(np.arange(n) % 3 != 1, dtype):
            check(get, a, m)


@pytest.mark.parametrize("shape", [(3, 5), (1, 1), (0, 4), (4, 0)])
def test_mask_read_2d_full_and_leading(shape):
    a0 = values(shape, np.float64)
    for a in layouts(a0):
        for m in layouts((a0 * 3).astype(np.int64) % 2 == 0):
            check(get, a, m)
        check(get, a, np.arange(shape[0]) % 2 == 0)          # leading axis: (k, rest)
        check(get_mask_rows, a, np.arange(shape[0]) % 2 == 1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_int_array_read(dtype):
    a0 = values((5, 3), dtype)
    idx = np.array([4, -1, 0, 0, -5, 2])
    for a in some_layouts(a0, dtype):
        check(get, a, idx)
        check(get, a, idx.reshape(2, 3))          # result shape idx.shape + a.shape[1:]
        check(get_cols, a, np.array([2, -3, 1, 1]))
    check(get, a0[:, 0], idx)


@pytest.mark.parametrize("itype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint32,
                                   np.uint64])
def test_index_dtypes(itype):
    a = values((6,), np.float64)
    check(get, a, np.array([5, 0, 3, 3], dtype=itype))
    check(get, a, np.zeros(0, dtype=itype))
    for idx in layouts(np.array([[1, 2], [0, 5], [4, 4]], dtype=itype)):
        check(get, a, idx)


def test_mixed_forms():
    a = values((4, 5), np.int32)
    b = values((2, 3, 4), np.float64)
    i = np.array([3, 0, -1])
    for x in layouts(a):
        check(get_idx_j, x, i, 2)
        check(get_idx_j, x, i, -5)
        check(get_j_idx, x, 1, np.array([4, 0, -2]))
        check(get_slice_idx, x, np.array([[0, 4], [1, 1]]))
        check(get_rev_idx, x, np.array([0, 4]))
        check(get_idx_j, x, i, np.array([4, 3, 0]))        # two int arrays
        check(get_idx_j, x, i[:, None], np.array([4, 3]))   # broadcast together
        check(get_idx_j, x, np.array([0, 2]), np.array([1]))
        check(get_outer, x, np.array([0, 3]), np.array([1, 2, 4]))
        check(get_newaxis, x, i)
    for y in layouts(b):
        check(get_nonadjacent, y, np.array([1, 3]))          # advanced axes go first
        check(get_tail_pair, y, np.array([0, 2]), np.array([3, -4]))
        check(get_ellipsis, y, np.array([[3], [0]]))
        check(get_idx_j, y, np.array([1, 0]), np.array([True, False, True]))  # int with mask
        check(get, y, np.array([[True, False, True], [False, False, True]]))
        check(get_j_idx, y, 1, np.ones((3, 4), bool))


def test_zero_d_int_array_is_an_integer():
    a = values((4, 3), np.int64)
    check(get, a[:, 0], np.array(2))             # a scalar, as NumPy gives
    check(get, a, np.array(-1, dtype=np.int32))  # a row (a view in NumPy)
    check(get, a[:, 0], np.array(9))             # IndexError
    check(get_idx_j, a, np.array([0, 3]), np.array(2))


def test_expression_indices():
    for x in layouts(np.array([3.0, -1.0, 0.0, 2.5, -7.0, 9.0])):
        check(positive, x)
        check(reversed_by, x)
    check(positive, np.zeros((0, 3)))
    check(positive, values((3, 4), np.int64))


def test_argsort_index():
    for x in layouts(np.array([3.0, -1.0, 0.0, 2.5, -7.0, 9.0])):
        check(sorted_by, x)


def test_result_is_a_copy():
    check(copy_semantics, np.arange(5.0), np.array([2, 2]))
    check(copy_semantics, np.arange(5.0), np.array([False, True, True, False, False]))


def test_readonly_source_gives_writable_copy():
    a = np.arange(6.0)
    a.flags.writeable = False
    got = JIT["get"](a, np.array([1, 1]))
    assert got.flags.writeable and list(got) == [1.0, 1.0]


# ---- read errors ------------------------------------------------------------------------------
def test_read_errors_match_numpy():
    a = np.arange(5.0)
    m2 = values((3, 4), np.float64)
    check(get, a, np.array([0, 7]))
    check(get, a, np.array([0, -6]))
    check(get, a, np.array([True, False, True, False]))
    check(get, m2, np.ones(4, bool))
    check(get, m2, np.ones((3, 3), bool))
    check(get, m2, np.ones((2, 4), bool))
    check(get_cols, m2, np.ones(3, bool))
    check(get_idx_j, m2, np.array([0, 1]), np.array([1, 2, 3]))       # broadcast mismatch
    check(get_idx_j, m2, np.array([0, 5]), np.array([7, 1]))          # first array reported
    check(get_idx_j, m2, np.array([0, 9]), 7)                          # ints first
    check(get, np.zeros((5, 0)), np.array([7]))                         # empty result too


def test_boundscheck_off():
    f = ember.jit(boundscheck=False)(get)
    assert list(f(np.arange(5.0), np.array([-1, 0, 4]))) == [4.0, 0.0, 4.0]


def test_float_index_array_is_an_index_error():
    with pytest.raises(IndexError, match="arrays used as indices must be of integer"):
        ember.jit(get)(np.arange(3.0), np.array([0.0]))


# ---- assignment -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_mask_assign(dtype):
    a0 = values((7,), dtype)
    m = np.array([1, 0, 1, 1, 0, 0, 1], bool)
    for a in some_layouts(a0, dtype):
        check(set_, a, m, 5)
        check(set_, a, m, 2.75)
        check(set_, a, m, np.array([1, 2, 3, 4], dtype=np.float64))
        check(set_, a, m, np.array([9], dtype=np.int64))      # one value for every True
        check(set_, a, m, np.array(4, dtype=np.int64))        # 0-d value
        check(set_, a, m, np.array([1, 2, 3]))                # wrong count: ValueError
        check(clip_negative, a)


def test_mask_assign_2d():
    a0 = values((3, 4), np.float64)
    m = a0 > 0
    for a in layouts(a0):
        for mm in layouts(m):
            check(set_, a, mm, -1.0)
            check(set_, a, mm, np.arange(int(m.sum()), dtype=np.float64))
        check(set_, a, np.array([True, False, True]), np.array([1.0, 2, 3, 4]))
        check(set_, a, np.array([True, False, True]), np.array([1.0, 2, 3]))   # shape mismatch
        check(set_mask_rows, a, np.array([False, True, True]), np.array([[5.0], [6.0]]))
        check(set_, a, np.ones((3, 3), bool), 1.0)                              # mask mismatch


def test_mask_assign_2d_value_is_a_type_error():
    with pytest.raises(TypeError, match="requires a 0 or 1-dimensional input, input has 2"):
        ember.jit(set_)(np.zeros(3), np.ones(3, bool), np.ones((1, 3)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_int_array_assign(dtype):
    a0 = values((5, 3), dtype)
    for a in some_layouts(a0, dtype):
        check(set_, a, np.array([4, -1, 0]), 3)
        check(set_, a, np.array([0, 2]), np.array([1.5, 2.5, 3.5]))        # broadcast rows
        check(set_, a, np.array([0, 2]), np.array([[1, 2, 3], [4, 5, 6]]))
        check(set_, a, np.array([0, 0]), np.array([[1, 2, 3], [4, 5, 6]]))  # last wins
        check(set_, a, np.array([0, 2]), np.array([1, 2]))                  # ValueError
        check(set_, a, np.array([0, 9]), 1)                                  # IndexError
        check(set_cols, a, np.array([2, 0]), np.array([7, 8]))
        check(set_pair, a, np.array([0, 4, 4]), np.array([2, 0, 0]), np.array([1, 2, 3]))
        check(set_, a, np.array([[1, 3]]), np.array([[[1, 1, 1]]]))         # leading 1 axes


def test_augmented_assign_is_gather_modify_scatter():
    for a in layouts(np.zeros(4)):
        check(iadd, a, np.array([0, 0, 2]), 1.0)           # repeated index adds once
        check(iadd, a, np.array([3, -1, 1]), np.array([1.0, 2.0, 3.0]))
        check(iadd, a, np.array([True, False, True, True]), 2.0)
    check(iadd, values((3, 4), np.int64), np.array([2, 2]), np.array([1, 2, 3, 4]))


def test_aliasing_value_is_copied_first():
    for a in layouts(np.arange(6.0)):
        check(shift_alias, a)


def test_readonly_destination_refused():
    a = np.zeros(3)
    a.flags.writeable = False
    with pytest.raises(ember.errors.TypingError, match="read-only"):
        ember.jit(set_)(a, np.array([0]), 1.0)


# ---- hypothesis: random shapes, masks and index arrays -----------------------------------------
SHAPES = st.lists(st.integers(0, 4), min_size=1, max_size=3).map(tuple)


@settings(max_examples=60, deadline=None)
@given(shape=SHAPES, data=st.data())
def test_random_masks(shape, data):
    a = values(shape, np.float64)
    lead = data.draw(st.integers(1, len(shape)))
    bits = data.draw(st.lists(st.booleans(), min_size=int(np.prod(shape[:lead])),
                              max_size=int(np.prod(shape[:lead]))))
    m = np.array(bits, dtype=bool).reshape(shape[:lead])
    check(get, a, m)
    check(set_, a, m, -2.0)
    if lead == len(shape):
        check(set_, a, m, np.arange(int(m.sum()), dtype=np.float64))


@settings(max_examples=60, deadline=None)
@given(shape=SHAPES, data=st.data())
def test_random_index_arrays(shape, data):
    a = values(shape, np.int64)
    n = shape[0]
    ishape = tuple(data.draw(st.lists(st.integers(0, 3), max_size=2)))
    k = int(np.prod(ishape))
    lo, hi = (-n, n - 1) if n else (-2, 2)     # out of range too when the axis is empty
    idx = np.array(data.draw(st.lists(st.integers(lo - 1, hi + 1), min_size=k, max_size=k)),
                   dtype=np.int64).reshape(ishape)
    check(get, a, idx)
    check(set_, a, idx, 7)
    check(iadd, a, idx, 1)
    if len(shape) > 1:
        check(get_cols, a, idx % shape[1] if shape[1] else idx)
