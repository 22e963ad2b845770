"""Array arguments, element access, stores, views and loops: compiled vs NumPy."""
import numpy as np
import pytest

import ember
from .array_check import check_np, layouts

DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
          np.uint64, np.float32, np.float64]


def first_last(a):
    return a[0], a[-1], a[len(a) - 1]


def total(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


def total2d(a):
    s = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            s += a[i, j] * (i + 1) - a[i][j]
    return s


def attrs(a):
    return a.shape, a.ndim, a.size, len(a)


def scale_in_place(a, c):
    for i in range(a.shape[0]):
        a[i] *= c
    return a


def fill_rows(a):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            a[i, j] = i * 10 + j


def out_of_bounds(a, i):
    return a[i]


def transpose_read(a):
    t = a.T
    return t[0, 1], t.shape


def iterate_rows(a):
    s = 0.0
    for row in a:
        s += row[0]
    return s


def test_every_dtype_and_layout():
    rng = np.random.default_rng(0)
    for dt in DTYPES:
        base = (rng.random(7) * 100).astype(dt)
        f = ember.jit(first_last)
        for a in layouts(base):
            check_np(first_last, a, jitted=f)


@pytest.mark.parametrize("n", [1, 2, 7, 100])
def test_loops_over_elements(n):
    rng = np.random.default_rng(n)
    for a in layouts(rng.random(n)):
        check_np(total, a)
    for a in layouts(rng.random((n, 3))):
        check_np(total2d, a)
        check_np(attrs, a)
        check_np(iterate_rows, a)
        check_np(transpose_read, a)


def test_writes_are_visible_to_the_caller():
    for a in layouts(np.arange(6.0)):
        check_np(scale_in_place, a, 2.5)
    for a in layouts(np.zeros((3, 4), dtype=np.int64)):
        check_np(fill_rows, a)


def test_bounds_checks():
    a = np.arange(5.0)
    f = ember.jit(out_of_bounds)
    for i in [-6, -5, -1, 0, 4, 5, 100]:
        check_np(out_of_bounds, a, i, jitted=f)
    g = ember.jit(boundscheck=False)(out_of_bounds)
    assert g(a, 2) == 2.0
    assert "IndexError" in f.inspect_ir("typed")
    assert "IndexError" not in g.inspect_ir("typed")
    sig = "array<f64, 2, C>"
    assert "IndexError" in ember.jit(total2d).inspect_ir("typed", signature=sig)
    assert "IndexError" not in ember.jit(boundscheck=False)(total2d).inspect_ir("typed", signature=sig)


def test_empty_and_zero_d():
    check_np(total, np.zeros(0))
    check_np(attrs, np.zeros((0, 3)))


def test_read_only_array_refuses_writes():
    a = np.arange(4.0)
    a.setflags(write=False)
    with pytest.raises(ember.errors.TypingError, match="read-only"):
        ember.jit(scale_in_place)(a, 2.0)
    assert ember.jit(total)(a) == 6.0


def test_unsupported_dtype_names_parameter():
    with pytest.raises(TypeError, match="'a'"):
        ember.jit(total)(np.array(["x", "y"]))
    with pytest.raises(TypeError, match="'a'"):
        ember.jit(total)(np.array([object()]))
