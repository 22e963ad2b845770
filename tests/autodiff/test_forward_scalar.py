"""Forward mode on scalar code: every arithmetic and math rule against central differences,
and the primal output against CPython's."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests.autodiff.test_forward_util import check_jvp, derive_jvp
from tests.autodiff.programs import binary_all, unary_all


RNG = np.random.default_rng(1)
_cache: dict = {}


def derived(f, primals, wrt):
    key = (f, tuple(type(p) for p in primals), tuple(wrt))
    if key not in _cache:
        _cache[key] = derive_jvp(f, primals, wrt)
    return _cache[key]


@pytest.mark.parametrize("seed", range(3))
def test_every_unary_rule(seed):
    rng = np.random.default_rng(seed)
    x = float(rng.uniform(0.1, 0.9))
    out, tan = check_jvp(derived(unary_all, (x,), (0,)), unary_all, (x,), (0,), (1.0,))
    assert len(tan) == len(out) == 34


@pytest.mark.parametrize("seed", range(3))
def test_every_binary_rule_and_two_tangents(seed):
    rng = np.random.default_rng(seed)
    x, y = float(rng.uniform(0.5, 3.0)), float(rng.uniform(0.5, 3.0))
    tx, ty = rng.normal(size=2)
    check_jvp(derived(binary_all, (x, y), (0, 1)), binary_all, (x, y), (0, 1), (tx, ty))


def test_binary_with_respect_to_each_argument():
    x, y = 1.7, 0.6
    for wrt in ((0,), (1,)):
        check_jvp(derived(binary_all, (x, y), wrt), binary_all, (x, y), wrt, (0.75,))


def mixed(x, n, y):
    s = 0.0
    k = n * 2  # ints carry no tangent
    s += x * float(k) + y
    if n > 1 and x > y:
        s += x / n
    return s * math.exp(-y)


def test_int_arguments_and_casts():
    d = derived(mixed, (1.5, 3, 0.25), (0, 2))
    for x, n, y in ((1.5, 3, 0.25), (0.1, 3, 0.5), (2.0, 1, -1.0)):
        check_jvp(d, mixed, (x, n, y), (0, 2), (0.3, -1.2))


def kinks(x, y):
    return math.sqrt(x), x ** y, float(math.floor(y) + math.ceil(y) + round(y)), max(x, y), min(x, y)


def test_kinks_follow_jax():
    # jax.grad(jnp.abs)(0.) == 1.0 (JAX selects on x >= 0)
    d = derived(unary_all, (0.5,), (0,))
    out, tan = d(0.5, 1.0)
    assert tan[21] == 1.0 and tan[22] == -1.0  # fabs(x - 0.5), abs(0.5 - x) at their kink
    k = derived(kinks, (0.0, 2.0), (0, 1))
    out, tan = k(0.0, 2.0, 1.0, 0.0)
    assert tan[0] == math.inf  # sqrt at 0, as JAX
    assert tan[1] == 0.0       # 2 * 0 ** 1
    out, tan = k(0.0, 2.0, 0.0, 1.0)
    assert tan[1] == 0.0       # d/dy x ** y at x = 0: log(0) taken as 0, as JAX
    assert tan[2] == 0.0       # floor, ceil, round: derivative 0
    # ties of max/min follow the operand Python picks (the first): JAX's grad of Python's max
    out, tan = k(1.0, 1.0, 1.0, 0.0)
    assert (tan[3], tan[4]) == (1.0, 1.0)


def cplx(x, y):
    z = complex(x, y)
    w = z * z / (z + 2.0) - z.conjugate() * 1j
    return abs(w) + w.real * w.imag + abs(z - z)


def test_complex_scalars():
    d = derived(cplx, (0.7, -0.4), (0, 1))
    for x, y in ((0.7, -0.4), (-1.3, 0.9)):
        check_jvp(d, cplx, (x, y), (0, 1), (0.5, 1.5))


def ctan(z, t):
    return z * z * t + 1j * t


def test_complex_argument_and_result():
    d = derive_jvp(ctan, (0.5 + 0.25j, 2.0), (0, 1))
    z, t, dz, dt = 0.5 + 0.25j, 2.0, 1.0 - 0.5j, 0.25
    out, tan = d(z, t, dz, dt)
    assert out == ctan(z, t)
    assert abs(tan - (2 * z * dz * t + z * z * dt + 1j * dt)) < 1e-12


def f32(x):
    a = np.float32(x) * np.float32(2.5)
    return float(np.sin(a)) * x


def test_float32_values():
    # float32 rounding makes difference quotients useless here: compare with the formula
    d = derive_jvp(f32, (0.3,), (0,))
    x = 0.3
    out, tan = d(x, 1.0)
    assert out == f32(x)
    want = 2.5 * math.cos(2.5 * x) * x + math.sin(2.5 * x)
    assert abs(tan - want) < 1e-6


def numpy_and_powers(x, n):
    return (x ** 3, x ** n, x ** -2, 2 ** x, n ** x, np.power(x, 3), np.float64(x) ** 2,
            divmod(x, 0.3)[1], float(int(x)) * x, np.hypot(x, 2.0), np.arctan2(x, 1.5),
            np.clip(x, 0.0, 1.0), np.maximum(x, 1.0), np.sign(x) * x, np.log(x) + np.exp(x))


@pytest.mark.parametrize("x", [1.7, 0.45])
def test_numpy_scalar_functions_and_int_powers(x):
    d = derived(numpy_and_powers, (x, 3), (0,))
    check_jvp(d, numpy_and_powers, (x, 3), (0,), (1.0,))
