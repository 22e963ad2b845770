"""Joining and repeating arrays (concatenate, stack, hstack, vstack, roll, tile, repeat),
reshape / ravel views, and `for idx in np.ndindex(...)`: compiled vs NumPy."""
import numpy as np
import pytest

import ember
from .array_check import check_np as _check_np, layouts

# Compiling is what costs here: one dispatcher per function, so that each (dtype, ndim,
# layout) signature compiles once however many shapes and values run through it.
DTYPES = [np.bool_, np.uint16, np.int64, np.float32]
_JIT: dict = {}


def check_np(fn, *args):
    if fn not in _JIT:
        _JIT[fn] = ember.jit(fn)
    return _check_np(fn, *args, jitted=_JIT[fn])


def sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * 10).astype(dtype)


# ---- concatenate, stack, hstack, vstack -------------------------------------------------
def cat_rows(a, b):
    return np.concatenate([a, b])


def joins(a, b):
    return (np.concatenate([a, b]), np.concatenate((a, b), axis=1),
            np.concatenate([a, b, a], axis=-1), np.concatenate([a, b], axis=None),
            np.stack([a, b]), np.stack((a, b), axis=1), np.stack([a, b, a], axis=-1),
            np.hstack([a, b]), np.vstack((a, b)))


def hv1(x, y):
    return np.hstack((x, y)), np.vstack([x, x])


@pytest.mark.parametrize("dtype", DTYPES)
def test_concatenate_stack_dtypes(dtype):
    a, b = sample(dtype, (3, 4), 1), sample(dtype, (3, 4), 2)
    check_np(joins, a, b)


def test_result_dtype_is_numpys():
    a = sample(np.int32, (2, 3))
    for other in (sample(np.float32, (2, 3)), sample(np.uint64, (2, 3))):
        check_np(joins, a, other)


def test_layouts_and_sizes():
    for n in (0, 1, 5):
        base = sample(np.float64, (n, 3), 3)
        others = layouts(sample(np.float64, (n, 3), 4))
        for a, b in zip(layouts(base), others[1:] + others[:1]):  # each layout, mixed pairs
            check_np(joins, a, b)
        x, y = sample(np.int64, n, 5), sample(np.int64, 4, 6)
        check_np(hv1, x, x)
        check_np(cat_rows, x, y)


def test_concatenate_shape_errors_match_numpy():
    check_np(cat_rows, np.zeros((2, 3)), np.zeros((2, 4)))
    check_np(joins, np.zeros((2, 3)), np.zeros((2, 4)))   # along dimension 1
    check_np(joins, np.zeros((2, 3)), np.zeros((3, 3)))   # axis=1: along dimension 0
    check_np(hv1, np.zeros(3), np.zeros(4))   # hstack is fine, vstack of one length is fine
    check_np(cat_rows, np.zeros(3), np.zeros(4))


def three_d(a):
    return np.concatenate([a, a[:, :1], a], axis=1), np.stack([a, a], axis=3), np.vstack((a, a))


def test_three_dims_and_views():
    a = sample(np.float32, (2, 3, 4), 7)
    check_np(three_d, a)
    check_np(three_d, a[:, ::-1, ::2])


def cat_mixed_ndim(a, b):
    return np.concatenate([a, b])


def cat_bad_axis(a):
    return np.concatenate([a, a], axis=2)


def test_compile_time_errors():
    with pytest.raises(ValueError, match="same number of dimensions, but the array at index 0 "
                                         "has 2 dimension"):
        ember.jit(cat_mixed_ndim)(np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="axis 2 is out of bounds for array of dimension 2"):
        ember.jit(cat_bad_axis)(np.zeros((2, 2)))


# ---- roll, tile, repeat -------------------------------------------------------------------
def rolled(a, s, r):
    return (np.roll(a, s), np.roll(a, -s, axis=0), np.roll(a, s, axis=-1),
            np.roll(a, (s, 1), axis=(0, 1)), np.roll(a, (1, s)), np.roll(a, 2, axis=(1, 0)),
            np.tile(a, r), np.tile(a, (2, r)), np.tile(a, (r, 1, 2)),
            np.repeat(a, r), np.repeat(a, r, axis=0), a.repeat(2, axis=-1), a.repeat(r))


def rolled1(a, s, r):
    return np.roll(a, s), np.roll(a, s, axis=0), np.tile(a, r), np.repeat(a, r, axis=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_roll_tile_repeat_dtypes(dtype):
    a = sample(dtype, (3, 4), 8)
    for s, r in ((0, 0), (1, 1), (5, 3), (-7, 2), (100, 1)):
        check_np(rolled, a, s, r)


def test_roll_tile_repeat_layouts_and_sizes():
    for shape in ((0, 3), (1, 1), (5, 2)):
        for a in layouts(sample(np.int16, shape, 9)):
            check_np(rolled, a, 3, 2)
    for a in layouts(sample(np.float64, 7, 10)):
        check_np(rolled1, a, -3, 2)
    check_np(rolled1, np.zeros(0), 2, 2)


def tile0(x, r):
    return np.tile(x, r), np.repeat(x, r)


def rep_only(x, r):
    return np.repeat(x, r)


def test_zero_dim_and_negative_counts():
    check_np(tile0, np.array(2.5), 3)
    check_np(rolled1, np.ones(3), 1, -1)   # tile first: negative dimensions
    check_np(rep_only, np.ones(3), -1)


# ---- reshape and ravel views ----------------------------------------------------------------
def write_through(a):
    b = a.reshape(2, -1)
    b[1, 0] = 99
    c = np.ravel(a)
    c[0] = -1
    d = np.reshape(b, (a.shape[0],))
    d[-1] += 5
    return b


def flatten_copies(a):
    f = a.flatten()
    f[0] = 42
    return f


def test_reshape_of_c_array_is_a_view():
    a = np.arange(12, dtype=np.int64)
    got = ember.jit(write_through)(a)
    want_a = np.arange(12, dtype=np.int64)
    want = write_through(want_a)
    assert np.array_equal(got, want) and np.array_equal(a, want_a)
    assert got.base is not None
    check_np(write_through, np.arange(12.0))
    check_np(flatten_copies, np.arange(6.0).reshape(2, 3))


def local_views(n):
    a = np.zeros(n * 3)
    b = a.reshape(n, 3)
    b[:, 1] = 1.0
    r = b.ravel()
    r[0] = 7.0
    return a, b, r, b.T.reshape(-1)


def test_views_of_local_arrays_share_memory():
    for n in (0, 1, 4):
        check_np(local_views, n)
    a, b, r, t = ember.jit(local_views)(3)
    b[2, 2] = 5.0  # the returned views still share one buffer
    assert a[8] == 5.0 and r[8] == 5.0 and t[8] != 5.0


def reshape_strided(a):
    b = a.reshape(-1)
    b[0] = 100
    return b, a.ravel(), np.reshape(a, (a.size, 1))


def test_non_c_arrays_copy():
    base = np.arange(12.0).reshape(3, 4)
    for a in layouts(base)[1:]:
        check_np(reshape_strided, a)


def reshape_errors(a, n):
    return a.reshape(n, -1)


def test_reshape_errors_match_numpy():
    check_np(reshape_errors, np.zeros(6), 4)
    check_np(reshape_errors, np.zeros(6), 0)
    check_np(reshape_errors, np.zeros(6), 3)


def readonly_view(a):
    return a.reshape(2, 2)[1, 1]


def test_readonly_reshape():
    a = np.arange(4.0)
    a.flags.writeable = False
    check_np(readonly_view, a)


# ---- np.ndindex ------------------------------------------------------------------------------
def nd_sum(a):
    s = 0.0
    for idx in np.ndindex(a.shape):
        s += a[idx] * (idx[-1] + 1)
    return s


def nd_flow(a, stop):
    count, last = 0, (0, 0)
    for i, j in np.ndindex(*a.shape):
        if j == 1:
            continue
        if a[i, j] > stop:
            break
        count += 1
        last = (i, j)
    return count, last


def nd_ints(n, m):
    t = 0
    for (i,) in np.ndindex(n):
        t += i
    for ij in np.ndindex(n, m):
        t += ij[0] * 10 + ij[1]
    for z in np.ndindex(()):
        t += 1000 + len(z)
    return t


def nd_return(a, x):
    for idx in np.ndindex(a.shape):
        if a[idx] == x:
            return idx
    return (-1, -1, -1)


def nd_fill(a):
    for idx in np.ndindex(a.shape):
        a[idx] = idx[0] - idx[1]
    return a


def test_ndindex_loops():
    a = sample(np.float64, (3, 4), 11)
    check_np(nd_sum, a)
    check_np(nd_sum, sample(np.int32, (2, 3, 2), 12))
    check_np(nd_sum, np.zeros((0, 3)))
    for stop in (-100.0, 0.0, 100.0):
        check_np(nd_flow, a, stop)
    for n, m in ((0, 3), (3, 0), (2, 5)):
        check_np(nd_ints, n, m)
    b = np.arange(24).reshape(2, 3, 4)
    check_np(nd_return, b, 17)
    check_np(nd_return, b, 99)
    check_np(nd_fill, np.zeros((3, 2)))
    check_np(nd_ints, -1, 2)  # NumPy: negative dimensions are not allowed
