"""Complex arrays, compiled vs NumPy: arguments in every layout, elementwise arithmetic
(division bit for bit, inf/nan parts and zero divisors included), abs/conj/real/imag/
angle, the a.real / a.imag views (writes reach the array), creation and reductions."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import ember

from .array_check import check_np, layouts

INF, NAN = math.inf, math.nan
SPECIAL = np.array([complex(x, y) for x, y in itertools.product(
    [0.0, -0.0, 1.5, -2.0, 1e308, INF, -INF, NAN], repeat=2)])


def rand(n: int, dtype=np.complex128, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype)


def elementwise_ref(f, a, b):
    """NumPy's scalar loop, one element at a time (the reference for * and abs: NumPy's
    long-array SIMD loops use FMA / their own hypot and differ in the last bit)."""
    return np.array([f(x, y) for x, y in zip(a, b)], dtype=a.dtype)


def div(a, b):
    return a / b


def add_sub(a, b):
    return a + b - 2.0 * a, a - 1j


def test_division_bit_for_bit_with_special_parts():
    with np.errstate(all="ignore"):
        for a in (SPECIAL, rand(len(SPECIAL))):
            b = np.tile(SPECIAL, 1)
            check_np(div, a, b)
            check_np(div, b, a)
            check_np(div, a.astype(np.complex64), b.astype(np.complex64))


def test_add_sub_in_every_layout():
    a = rand(12).reshape(3, 4)
    for x in layouts(a):
        check_np(add_sub, x, a)


def mul(a, b):
    return a * b


def test_multiply_matches_numpy_scalar_loop():
    with np.errstate(all="ignore"):
        for a, b in ((rand(100), rand(100, seed=1)), (SPECIAL, SPECIAL[::-1].copy())):
            got = ember.jit(mul)(a, b)
            want = elementwise_ref(lambda x, y: x * y, a, b)
            np.testing.assert_array_equal(got, want)
            np.testing.assert_allclose(got[np.isfinite(want)], (a * b)[np.isfinite(want)],
                                       rtol=1e-15)


def unary(a):
    return np.conj(a), np.real(a), np.imag(a), -a, a.conj()


def angles(a):
    return np.angle(a), np.angle(a, deg=True)


def test_unary_functions():
    for a in (rand(9), SPECIAL, rand(5, np.complex64)):
        check_np(unary, a)
        # atan2: libm's vs NumPy's own SIMD arctan2, within an ulp
        check_np(angles, a, close=1e-6 if a.dtype == np.complex64 else 1e-15)


def absolute(a):
    return np.abs(a)


def test_abs_is_hypot():
    a = np.concatenate([rand(50), SPECIAL])
    got = ember.jit(absolute)(a)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.array([abs(complex(z)) for z in a]))  # C hypot
    np.testing.assert_allclose(got, np.abs(a), rtol=3e-16)


def write_parts(a):
    a.real[1:] = 5.0
    a.imag[0] = -1.0
    r = a.real
    r[0] += 0.5
    return a.imag


def test_real_imag_are_views():
    for x in layouts(rand(6)):
        out = check_np(write_parts, x)
        assert out is not None and out.base is not None


def parts_of_2d(a):
    return a.real.T + a.imag, a.imag[1:, ::2]


def test_part_views_of_2d():
    a = rand(12).reshape(3, 4)
    for x in layouts(a):
        check_np(parts_of_2d, x)


def make(n):
    x = np.zeros(n, dtype=np.complex128)
    y = np.ones((2, n), dtype=complex)
    for i in range(n):
        x[i] = complex(i, -i) * 1j
    y[1, :] = x
    return x, y, np.full(n, 2 + 3j), np.empty_like(x).shape


def test_creation_and_stores():
    check_np(make, 5)
    check_np(make, 0)


def reductions(a):
    return a.sum(), np.prod(a), np.mean(a), a.sum(axis=0), np.cumsum(a)


def test_reductions():
    a = rand(12).reshape(4, 3)
    for x in layouts(a):
        check_np(reductions, x, close=1e-13)


def mixed(a, x, n):
    return a * x + n, (a == a[0]), a != 1


def test_mixed_dtypes_and_comparisons():
    a = rand(6)
    a[3] = a[0]
    check_np(mixed, a, 2.5, 3)
    check_np(mixed, np.arange(6.0), 1j, 2)
    check_np(mixed, a.astype(np.complex64), np.float32(1.5), 2)


def loop_kernel(a):
    s = 0j
    for i in range(a.shape[0]):
        s += a[i] * a[i].conjugate()
    return s


def test_loop_over_elements():
    a = rand(7)
    got = ember.jit(loop_kernel)(a)
    want = 0j
    for z in a.tolist():
        want += z * z.conjugate()
    assert got == want


def ordered(a):
    return a < a


def test_unsupported_complex_functions_are_typing_errors():
    from ember.ir.errors import TypingError
    with pytest.raises(TypingError, match="complex"):
        ember.jit(ordered)(rand(3))
