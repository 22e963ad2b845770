"""The Python-source emitter keeps the native widths: unsigned and narrow ints wrap, f32 rounds
to single precision, complex follows CPython (and NumPy for complex64); int64 arithmetic
wraps like native code; math functions are the C library's, without Python's exceptions."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests.e2e import test_arithmetic as AR
from tests.e2e import test_complex_scalars as C
from tests.e2e import test_unsigned_scalars as U
from tests.ir.test_pysource import emitted, run_both

rng = np.random.default_rng(11)


def one(v, dtype):
    return np.array([v], dtype=dtype)


WIDTH_PAIRS = [
    (one(5, np.uint64), one(7, np.uint64)), (one(2**64 - 1, np.uint64), one(3, np.uint64)),
    (one(200, np.uint8), one(100, np.uint8)), (one(7, np.uint32), one(0, np.uint32)),
    (one(-5, np.int32), one(3, np.int32)), (one(100, np.int8), one(100, np.int8)),
    (one(-7, np.int16), one(2, np.int16)), (one(-(2**31), np.int32), one(-1, np.int32)),
]


@pytest.mark.parametrize("a,b", WIDTH_PAIRS, ids=[f"{a.dtype}{a[0]}-{b[0]}" for a, b in WIDTH_PAIRS])
def test_narrow_and_unsigned_ints(a, b):
    for fn in (U.binary, U.compare, U.mixed_strong):
        run_both(fn, a, b, cpython=False)


def test_unsigned_with_python_numbers():
    for a, n in [(one(250, np.uint8), 10), (one(2**64 - 1, np.uint64), 3)]:
        run_both(U.with_int, a, n, cpython=False)
        run_both(U.with_float, a, float(n), cpython=False)
    run_both(U.uint_sum, np.arange(10, dtype=np.uint64) * np.uint64(2**62), cpython=False)


def f32_math(a):
    x = a[0]
    y = a[1]
    return x * y + np.sin(x) - np.sqrt(y) / np.float32(3.0), x / np.float32(0.0)


def test_float32_rounds_like_native():
    run_both(f32_math, np.array([0.3, 1.7], dtype=np.float32), cpython=False)


INT_VALUES = [0, 1, -1, 7, -7, 2**31, -(2**31), 2**62, -(2**62), 2**63 - 1, -(2**63)]


@pytest.mark.parametrize("fn", [AR.add, AR.sub, AR.mul, AR.floordiv, AR.mod, AR.power, AR.lt,
                                AR.bits, AR.shifts])
def test_int64_operators_on_the_edges(fn):
    """Many operand pairs through one emitted function per operator, native as the reference
    (int64 wraps, Python's ints do not: CPython is not the reference here)."""
    emitted_fn, source = emitted(fn, (3, 5), counted=False)
    fast = __import__("ember").jit(fn)
    for a in INT_VALUES:
        for b in INT_VALUES[:7]:
            want = _outcome(fast, a, b)
            got = _outcome(emitted_fn, a, b)
            assert want == got, f"{fn.__name__}({a}, {b}): native {want}, emitted {got}\n{source}"


FLOAT_VALUES = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e300, -1e300, 5e-324, math.inf,
                -math.inf, math.nan, 7.25, 2.0**63]


@pytest.mark.parametrize("fn", [AR.truediv, AR.floordiv, AR.mod, AR.power, AR.lt, AR.eq])
def test_float_operators_on_the_edges(fn):
    emitted_fn, source = emitted(fn, (3.0, 5.0), counted=False)
    fast = __import__("ember").jit(fn)
    for a in FLOAT_VALUES:
        for b in FLOAT_VALUES:
            want = _outcome(fast, a, b)
            got = _outcome(emitted_fn, a, b)
            assert _same_outcome(want, got), f"{fn.__name__}({a}, {b}): {want} vs {got}\n{source}"


def test_mixed_int_float_comparisons_are_exact():
    emitted_fn, _ = emitted(AR.lt, (3, 5.0), counted=True)
    assert emitted_fn(2**53 + 1, 2.0**53) is False
    assert emitted_fn(2**53, 2.0**53 + 2) is True
    assert emitted_fn(1, math.nan) is False


def _outcome(fn, *args):
    try:
        return ("value", fn(*args))
    except Exception as exc:  # the exception itself is compared
        return ("raise", type(exc), str(exc))


def _same_outcome(a, b):
    if a[0] == b[0] == "value" and isinstance(a[1], float) and isinstance(b[1], float):
        if math.isnan(a[1]):
            return math.isnan(b[1])
        return a[1] == b[1] and math.copysign(1, a[1]) == math.copysign(1, b[1])
    return a == b and type(a[1]) is type(b[1])


COMPLEX_PAIRS = [(1 + 2j, 3 - 1j), (1e308 + 1j, 1e-308 - 2j), (complex(math.inf, 1), 2j),
                 (-0.0 + 0j, 1 + 0j)]


@pytest.mark.parametrize("a,b", COMPLEX_PAIRS, ids=[str(p) for p in COMPLEX_PAIRS])
def test_complex(a, b):
    run_both(C.arith, a, b)
    run_both(C.div, a, b)


def test_complex_more():
    run_both(C.div, 1 + 2j, 0j)
    run_both(C.attrs, 3 + 4j)
    run_both(C.construct, 1.0, 2.0)
    run_both(C.loop, complex(-0.5, 0.5), 20)
    run_both(C.nums, np.complex64(1 + 2j), np.complex128(3 - 1j), cpython=False)
    run_both(C.eq_int, complex(2.0**53, 0.0), 2**53 + 1)


def math_edges(x):
    return math.exp(x), math.log(x), math.gamma(x), math.lgamma(x), math.atanh(x)


@pytest.mark.parametrize("x", [0.5, -0.5, 800.0, 0.0, -1.0, 1.0, math.inf, math.nan, 171.5])
def test_math_errors_and_values(x):
    run_both(math_edges, x, cpython=False)
