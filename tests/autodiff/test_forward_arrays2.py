"""Forward mode through arrays rebound in loops and branches, array views as results,
2-d in-place updates, and containers of arrays."""
from __future__ import annotations

import numpy as np
import pytest

from tests.autodiff.test_forward_util import check_jvp, derive_jvp


def rebind(x, n):
    y = x
    for i in range(n):
        y = np.sin(y) + x * 0.5   # a new array every iteration, carried by the loop
    return y.sum()


def pick(x, y, c):
    z = x if c > 0 else y * 2.0
    w = z[1:]                     # a view as the result
    return w


def grid(a, s):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            a[i, j] += s * a[i, j - 1] if j > 0 else s
    return (a * a).sum()


def dict_of_arrays(d, k):
    return (d["x"] * d["y"]).sum() * k + d["x"][0]


def tuple_of_arrays(t):
    a, b = t
    return np.dot(a, b) + a.sum()


@pytest.mark.parametrize("n", [0, 1, 4])
def test_array_rebound_in_a_loop(n):
    rng = np.random.default_rng(n)
    x = rng.normal(size=5)
    check_jvp(derive_jvp(rebind, (x, n), (0,)), rebind, (x, n), (0,), (rng.normal(size=5),))


def test_branch_between_arrays_and_a_view_result():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=4), rng.normal(size=4)
    d = derive_jvp(pick, (x, y, 1), (0, 1))
    tx, ty = rng.normal(size=4), rng.normal(size=4)
    for c in (1, -1):
        out, tan = check_jvp(d, pick, (x, y, c), (0, 1), (tx, ty))
        assert tan.shape == (3,)


def test_2d_in_place_updates():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(3, 4))
    check_jvp(derive_jvp(grid, (a, 0.3), (0, 1)), grid, (a, 0.3), (0, 1),
              (rng.normal(size=(3, 4)), 0.5))


def test_tuple_of_arrays():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=3), rng.normal(size=3)
    tx, ty = rng.normal(size=3), rng.normal(size=3)
    t = derive_jvp(tuple_of_arrays, ((x, y),), (0,))
    out, tan = t((x, y), (tx, ty))
    assert abs(out - tuple_of_arrays((x, y))) < 1e-12
    assert abs(tan - (np.dot(tx, y) + np.dot(x, ty) + tx.sum())) < 1e-12


def test_dict_of_arrays_is_a_record_with_a_dict_tangent():
    # a dict with str-literal keys holding arrays is a record: its tangent is a dict of
    # arrays with the same keys
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=3), rng.normal(size=3)
    tx, ty = rng.normal(size=3), rng.normal(size=3)
    t = derive_jvp(dict_of_arrays, ({"x": x, "y": y}, 2.0), (0, 1))
    out, tan = t({"x": x, "y": y}, 2.0, {"x": tx, "y": ty}, 0.5)
    assert abs(out - dict_of_arrays({"x": x, "y": y}, 2.0)) < 1e-12
    want = (np.dot(tx, y) + np.dot(x, ty)) * 2.0 + (x * y).sum() * 0.5 + tx[0]
    assert abs(tan - want) < 1e-12


def complex_array(z, x):
    w = z * z * x
    r = w.real                    # array.real / array.imag: views of the shadow too
    s = 0.0
    for i in range(r.shape[0]):
        s += r[i] * w.imag[i] + abs(z[i])
    return s


def test_complex_array_and_its_real_and_imag_views():
    rng = np.random.default_rng(4)
    z = rng.normal(size=3) + 1j * rng.normal(size=3)
    x = rng.normal(size=3)
    d = derive_jvp(complex_array, (z, x), (0, 1))
    dz = rng.normal(size=3) + 1j * rng.normal(size=3)
    dx = rng.normal(size=3)
    out, tan = d(z, x, dz, dx)
    assert abs(out - complex_array(z, x)) < 1e-12
    h = 1e-6
    want = (complex_array(z + h * dz, x + h * dx) - complex_array(z - h * dz, x - h * dx)) / (2 * h)
    assert abs(tan - want) < 1e-6 * (1 + abs(want))
