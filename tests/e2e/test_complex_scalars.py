"""Complex scalars, compiled vs CPython: every result to the last bit (signed zeros and
nan parts included) and every exception with its message."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import ember
from ember.ir.errors import TypingError

from .differential import check_stages, outcome

INF, NAN = math.inf, math.nan
PARTS = [0.0, -0.0, 1.0, -2.5, 3e-310, 1e308, INF, -INF, NAN]
VALUES = [complex(a, b) for a, b in [(1.0, 2.0), (-3.5, 0.25), (0.0, -0.0), (-0.0, 0.0),
                                     (1e308, 1e308), (INF, 1.0), (1.0, -INF), (NAN, 0.0),
                                     (2.0, NAN), (3e-310, -7.0), (0.0, 1.0), (-1.0, 0.0)]]


def same_float(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def same(a, b) -> bool:
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, complex):
        return same_float(a.real, b.real) and same_float(a.imag, b.imag)
    if isinstance(a, float):
        return same_float(a, b)
    return a == b


def check(fast, py_fn, *args) -> None:
    want, got = outcome(py_fn, args), outcome(fast, args)
    if want[0] == "value" and got[0] == "value":
        assert same(want[1], got[1]), f"{py_fn.__name__}{args}: CPython {want[1]!r}, ember {got[1]!r}"
    else:
        assert want == got, f"{py_fn.__name__}{args}: CPython {want}, ember {got}"


def arith(a, b):
    return a + b, a - b, a * b, -a, +a


def div(a, b):
    return a / b


def power(a, b):
    return a ** b


def attrs(z):
    return z.real, z.imag, z.conjugate(), abs(z), z == z, z != 1, bool(z), not z


def test_arithmetic_and_division_bit_for_bit():
    fa, fd = ember.jit(arith), ember.jit(div)
    for a, b in itertools.product(VALUES, VALUES):
        check(fa, arith, a, b)
        check(fd, div, a, b)
    check_stages(fa)
    check_stages(fd)


def test_division_special_parts_and_by_zero():
    fd = ember.jit(div)
    zs = [complex(x, y) for x, y in itertools.product(PARTS, PARTS)]
    for a in zs[::7]:
        for b in zs:
            check(fd, div, a, b)
    with pytest.raises(ZeroDivisionError, match="complex division by zero"):
        fd(1j, -0j)


def test_mixed_real_operands_convert_like_cpython():
    fa, fd = ember.jit(arith), ember.jit(div)
    for x in [2, -3, True, 2.5, -0.0, INF, NAN]:
        for z in VALUES:
            check(fa, arith, x, z)
            check(fa, arith, z, x)
            check(fd, div, z, x)
            check(fd, div, x, z)


def test_power_integral_and_general_exponents():
    fp = ember.jit(power)
    bases = [complex(1.5, -0.5), complex(0.0, 0.0), complex(-2.0, 0.0), 1j, complex(1e-200, 0),
             complex(1e200, 1e200), complex(0.3, 0.4)]
    exps = [0, 1, 2, 3, 7, 100, 101, -1, -3, 0.5, -0.5, 2.0, 1j, complex(2, 1), complex(-1, 0),
            complex(3, 0), 100.0, -100.0, 1e10]
    for a in bases:
        for b in exps:
            check(fp, power, a, b)
    check(fp, power, 2.0, 0.5 + 0j)


def test_attributes_abs_compare_truth():
    f = ember.jit(attrs)
    for z in VALUES + [complex(1.5e308, -1.5e308), 0j]:
        check(f, attrs, z)
    with pytest.raises(OverflowError, match="absolute value too large"):
        f(complex(1.5e308, 1.5e308))


def eq_int(z, n):
    return z == n, n != z


def test_equality_with_ints_is_exact():
    f = ember.jit(eq_int)
    check(f, eq_int, complex(2.0 ** 53, 0.0), 2 ** 53 + 1)
    check(f, eq_int, complex(3.0, 0.0), 3)
    check(f, eq_int, complex(3.0, -0.0), 3)
    check(f, eq_int, complex(3.0, 1.0), 3)


def construct(a, b):
    return complex(), complex(a), complex(a, b), complex(a, 2.5), 1j * a + 2


def test_complex_builtin_and_literals():
    f = ember.jit(construct)
    for a, b in [(1, 2), (1.5, -0.0), (True, 3), (1 + 2j, 3 - 1j), (2.0, 1j), (1j, 2.0)]:
        check(f, construct, a, b)


def loop(c, n):
    z = 0
    for _ in range(n):
        z = z * z + c
    return z


def test_loop_carried_int_becomes_complex():
    f = ember.jit(loop)
    check(f, loop, complex(-0.5, 0.5), 20)
    # int 0 merged with complex: the variable is complex on every path (as int/float merge)
    assert same(f(complex(-0.5, 0.5), 0), 0j)


def nums(a, b):
    return a * b, a / b, a + 1


def test_numpy_complex_scalars():
    f = ember.jit(nums)
    r = f(np.complex64(1 + 2j), np.complex64(3 - 1j))
    a, b = np.complex64(1 + 2j), np.complex64(3 - 1j)
    # complex64 computes in float32 parts, and returns Python complex (widened exactly)
    assert type(r[0]) is complex and r[0] == complex(a * b)
    assert abs(r[1] - complex(a / b)) <= 1e-6
    assert f(np.complex128(1 + 2j), 2.0) == nums(1 + 2j, 2.0)
    assert f.signatures  # both specializations exist


def ordered(a, b):
    return a < b


def test_ordering_is_a_typing_error():
    with pytest.raises(TypingError, match="not supported between instances of 'complex'"):
        ember.jit(ordered)(1j, 2j)


def floordiv(a, b):
    return a // b


def test_floor_division_is_a_typing_error():
    with pytest.raises(TypingError, match="complex numbers support"):
        ember.jit(floordiv)(1j, 2j)
