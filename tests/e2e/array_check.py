"""Differential checks of compiled array code against NumPy running the same Python."""
from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

import ember
from .differential import check_stages, outcome, same


def same_value(a: Any, b: Any) -> bool:
    """Arrays: same dtype, shape and elements (nan == nan, -0.0 != 0.0 for floats);
    tuples elementwise; scalars as in the scalar differential tests (numpy scalars compare
    by value and kind)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True)) and bool(
                np.array_equal(np.signbit(a.real), np.signbit(b.real)))
        return bool(np.array_equal(a, b))
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b)
                and all(same_value(x, y) for x, y in zip(a, b)))
    if isinstance(a, np.generic):
        a = a.item()
    if isinstance(b, np.generic):
        b = b.item()
    return same(a, b)


def assert_close(got: Any, want: Any, rtol: float) -> None:
    """Elementwise closeness through tuples; dtypes and shapes must still match exactly."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_close(g, w, rtol)
        return
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray) and got.dtype == want.dtype and got.shape == want.shape
    w = np.asarray(want)
    # Relative to the largest magnitude too: results near 0 after cancellation keep only
    # the absolute error of the larger terms.
    atol = rtol * float(np.max(np.abs(w))) if w.size and np.all(np.isfinite(w)) else 0.0
    np.testing.assert_allclose(np.asarray(got), w, rtol=rtol, atol=atol)


def check_np(py_fn: Callable[..., Any], *args: Any, jitted: Callable[..., Any] | None = None,
             close: bool | float = False) -> Any:
    """Run `py_fn` under CPython+NumPy and compiled on deep copies of `args`; the results,
    the raised exception (type and message), and the arguments afterwards (writes are visible
    to the caller) must match. `close`: floats compared with a relative tolerance (True:
    1e-12, for reductions whose summation order differs from NumPy's pairwise sum; or the
    tolerance itself, e.g. for float32 ufuncs, which NumPy computes with its own SIMD
    approximations). Returns the compiled result."""
    fast = jitted if jitted is not None else ember.jit(py_fn)
    py_args, em_args = copy.deepcopy(args), copy.deepcopy(args)
    want = outcome(py_fn, py_args)
    got = outcome(fast, em_args)
    check_stages(fast)
    if want[0] == "raise" or got[0] == "raise":
        assert want == got, f"{py_fn.__name__}: NumPy {want}, ember {got}"
        return None
    if close:
        assert_close(got[1], want[1], 1e-12 if close is True else close)
    else:
        assert same_value(want[1], got[1]), f"{py_fn.__name__}: NumPy {want[1]!r}, ember {got[1]!r}"
    for i, (pa, ea) in enumerate(zip(py_args, em_args)):
        if isinstance(pa, np.ndarray):
            assert same_value(pa, ea), f"{py_fn.__name__}: argument {i} after the call differs"
    return got[1]


def layouts(a: np.ndarray) -> list[np.ndarray]:
    """The same values as a C array, an F array (ndim > 1), a strided view (every other row
    of a larger buffer) and a negative-stride view."""
    out = [np.ascontiguousarray(a)]
    if a.ndim > 1:
        out.append(np.asfortranarray(a))
    if a.ndim >= 1:
        buf = np.zeros((2 * a.shape[0],) + a.shape[1:], dtype=a.dtype)
        buf[::2] = a
        out.append(buf[::2])
        out.append(np.ascontiguousarray(a[::-1])[::-1])
    return out
