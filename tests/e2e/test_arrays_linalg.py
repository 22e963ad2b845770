"""np.dot / matmul / @ / outer / trace / linalg.norm against NumPy.

Floating products and sums run in another order than BLAS / NumPy's pairwise sums, so
floats are compared with a relative tolerance (1e-12 for float64, 1e-5 for float32);
integer and bool results must be exact (they wrap as NumPy's do)."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from .array_check import check_np, layouts

RNG = np.random.default_rng(3)
DTYPES = [np.float64, np.float32, np.int64, np.int32, np.int8, np.uint8, np.bool_]


def arr(shape, dtype):
    x = RNG.standard_normal(shape) * 4
    return (x > 0) if dtype is np.bool_ else x.astype(dtype)


def tol(*arrays):
    kinds = {a.dtype for a in arrays}
    if np.dtype(np.float32) in kinds:
        return 1e-5
    return 1e-12 if any(a.dtype.kind == "f" for a in arrays) else False


def mm(a, b):
    return a @ b


def npmatmul(a, b):
    return np.matmul(a, b)


def npdot(a, b):
    return np.dot(a, b)


def method_dot(a, b):
    return a.dot(b)


def at_b(a, b):
    return a.T @ b


MM, NPMM, DOT, MDOT = (ember.jit(f) for f in (mm, npmatmul, npdot, method_dot))

SHAPES = [((3, 4), (4, 5)), ((3, 4), (4,)), ((4,), (4, 5)), ((4,), (4,)), ((0, 3), (3, 2)),
          ((2, 0), (0, 3)), ((1, 1), (1, 1)), ((7, 9), (9, 13)), ((9,), (9,)), ((17, 5), (5,))]


@pytest.mark.parametrize("sa,sb", SHAPES)
@pytest.mark.parametrize("fn,jitted", [(mm, MM), (npmatmul, NPMM), (npdot, DOT),
                                       (method_dot, MDOT)])
def test_products_shapes(sa, sb, fn, jitted):
    a, b = arr(sa, np.float64), arr(sb, np.float64)
    check_np(fn, a, b, jitted=jitted, close=tol(a, b))


@pytest.mark.parametrize("da,db", [(np.float64, np.float64), (np.float32, np.float32),
                                   (np.int64, np.int64), (np.int8, np.int8),
                                   (np.uint8, np.bool_), (np.bool_, np.bool_),
                                   (np.int32, np.float64), (np.int8, np.float32)])
def test_products_dtypes(da, db):
    a, b = arr((5, 6), da), arr((6, 3), db)
    check_np(mm, a, b, jitted=MM, close=tol(a, b))
    check_np(npdot, a[0], b[:, 0], jitted=DOT, close=tol(a, b))


def test_integer_products_wrap():
    a = np.full((3, 40), 100, np.int8)
    b = np.full((40, 2), 7, np.int8)
    check_np(mm, a, b, jitted=MM)


def test_layouts():
    a0, b0 = arr((6, 5), np.float64), arr((5, 7), np.float64)
    for a in layouts(a0):
        for b in layouts(b0):
            check_np(mm, a, b, jitted=MM, close=True)
    for v in layouts(arr(5, np.float64)):
        check_np(mm, a0, v, jitted=MM, close=True)
        check_np(mm, v, b0, jitted=MM, close=True)
        check_np(npdot, v, v, jitted=DOT, close=True)
    check_np(at_b, a0, arr((6, 3), np.float64), close=True)


def test_large_matches_within_tolerance():
    a, b = arr((67, 130), np.float64), arr((130, 45), np.float64)
    check_np(mm, a, b, jitted=MM, close=True)
    check_np(mm, a, b[:, 0], jitted=MM, close=True)
    v = arr(1001, np.float64)
    check_np(npdot, v, v, jitted=DOT, close=True)


@pytest.mark.parametrize("sa,sb", [((2, 3), (4,)), ((3,), (4,)), ((3,), (4, 2)),
                                   ((2, 3), (4, 2))])
def test_shape_errors(sa, sb):
    a, b = arr(sa, np.float64), arr(sb, np.float64)
    for fn, jitted in [(mm, MM), (npmatmul, NPMM), (npdot, DOT)]:
        check_np(fn, a, b, jitted=jitted)


def test_dot_with_scalar_multiplies():
    check_np(npdot, arr((2, 3), np.float64), 2.5, jitted=DOT)
    check_np(npdot, 3, arr(4, np.int64), jitted=DOT)


def test_errors_at_compile_time():
    def scalars(x, y):
        return x @ y
    with pytest.raises(ember.errors.TypingError, match=r"unsupported operand type\(s\) for @: "
                                                      r"'float' and 'float'"):
        ember.jit(scalars)(1.0, 2.0)
    with pytest.raises(ember.errors.TypingError, match="Input operand 1 does not have enough"):
        ember.jit(scalars)(arr(3, np.float64), 2.0)
    with pytest.raises(ember.errors.TypingError, match="more than 2 dimensions"):
        ember.jit(scalars)(arr((2, 2, 2), np.float64), arr((2, 2), np.float64))


def test_inplace_matmul():
    def f(a, b):
        a @= b
        return a
    a, b = arr((3, 3), np.float64), arr((3, 3), np.float64)
    want = a @ b
    got = ember.jit(f)(a, b)
    assert got is a  # written in place (the argument after the call is the product)
    np.testing.assert_allclose(a, want, rtol=1e-12)


# ---- outer, trace, norm ---------------------------------------------------------------------
def outer(a, b):
    return np.outer(a, b)


def trace(a):
    return np.trace(a)


def trace_off(a, k):
    return np.trace(a, k)


@pytest.mark.parametrize("da", [np.float64, np.int32, np.bool_])
@pytest.mark.parametrize("db", [np.float32, np.int8])
def test_outer(da, db):
    check_np(outer, arr(4, da), arr(3, db))
    check_np(outer, arr((2, 2), da), arr(0, db))
    check_np(outer, arr(3, da)[::-1], 2.0)


@pytest.mark.parametrize("dt", [np.float64, np.float32, np.int8, np.uint8, np.bool_])
def test_trace(dt):
    for a in layouts(arr((4, 6), dt)):
        check_np(trace, a, close=tol(a))
    for k in (-5, -1, 0, 2, 6, 9):
        check_np(trace_off, arr((4, 6), dt), k, close=tol(arr((1,), dt)))
    check_np(trace, arr((0, 3), dt))


def norm_all(x):
    return (np.linalg.norm(x), np.linalg.norm(x, 1), np.linalg.norm(x, 2),
            np.linalg.norm(x, np.inf), np.linalg.norm(x, ord=-np.inf), np.linalg.norm(x, 3))


def norm_fro(x):
    return np.linalg.norm(x), np.linalg.norm(x, None)


@pytest.mark.parametrize("dt", [np.float64, np.float32, np.int32, np.bool_])
def test_norm(dt):
    x = arr(11, dt)
    for v in layouts(x):
        check_np(norm_all, v, close=1e-5 if dt is np.float32 else 1e-12)
    for m in layouts(arr((3, 5), dt)):
        check_np(norm_fro, m, close=1e-5 if dt is np.float32 else 1e-12)


def test_norm_special_values():
    check_np(norm_all, np.array([1.0, np.nan, -3.0]))
    check_np(norm_all, np.array([np.inf, -2.0]))
    def inf_norm(x):
        return np.linalg.norm(x, -np.inf)
    check_np(inf_norm, np.zeros(0))
    check_np(norm_fro, np.zeros((0, 3)))
