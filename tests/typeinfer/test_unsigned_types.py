"""Result types of scalar operators with an unsigned operand: NumPy's, with i64 / f64 taken as
Python scalars (NEP 50); merges of uint64 with a signed int are conflicts."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from ember.frontend import build_function
from ember.ir.errors import TypingError
from ember.ir.types import BOOL, F32, F64, I64, SCALARS, ScalarType
from ember.ir.verifier import verify_module
from ember.typeinfer import infer_module

from tests.helpers import assert_roundtrip

U8, U16, U32, U64 = (SCALARS[f"u{n}"] for n in (8, 16, 32, 64))
I8, I32 = SCALARS["i8"], SCALARS["i32"]


def add(x, y):
    return x + y


def sub(x, y):
    return x - y


def truediv(x, y):
    return x / y


def floordiv(x, y):
    return x // y


def lshift(x, y):
    return x << y


def neg(x):
    return -x


def invert(x):
    return ~x


def less(x, y):
    return x < y


OPS = {"add": (add, np.add), "sub": (sub, np.subtract), "truediv": (truediv, np.divide),
       "floordiv": (floordiv, np.floor_divide), "lshift": (lshift, np.left_shift)}


def numpy_sample(t: ScalarType):
    """A NumPy operand of type t: i64 / f64 stand for Python int / float (weak)."""
    if t == I64:
        return 1
    if t == F64:
        return 1.0
    if t == BOOL:
        return np.bool_(True)
    return np.dtype(("uint" if t.kind == "u" else "int" if t.kind == "i" else "float")
                    + str(t.bits)).type(1)


def ember_type(dt: np.dtype) -> ScalarType:
    return BOOL if dt == np.bool_ else SCALARS[dt.kind + str(dt.itemsize * 8)]


def result_of(fn, *types):
    m, sym = _infer(fn, *types)
    return m[sym].return_type


def _infer(fn, *types):
    cache: dict = {}

    def get(pyfunc):
        if pyfunc not in cache:
            cache[pyfunc] = build_function(pyfunc)
        return cache[pyfunc]
    m, sym = infer_module(get(fn), list(types), get)
    verify_module(m, typed=True)
    assert_roundtrip(m)
    return m, sym


PAIRS = [(U8, U8), (U8, U64), (U16, U32), (U8, I64), (U64, I64), (U8, I8), (U32, I32),
         (U64, I32), (U8, F32), (U32, F32), (U64, F64), (U8, BOOL), (I64, U16)]


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("a, b", PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_binary_types_are_numpys(name, a, b):
    fn, ufunc = OPS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            want = ember_type(np.asarray(ufunc(numpy_sample(a), numpy_sample(b))).dtype)
        except TypeError:  # shifts of floats, uint64 << int32 (no float loop)
            with pytest.raises(TypingError):
                _infer(fn, a, b)
            return
    assert result_of(fn, a, b) == want


@pytest.mark.parametrize("t", [U8, U16, U32, U64])
def test_unary_keeps_the_unsigned_type(t):
    assert result_of(neg, t) == t
    assert result_of(invert, t) == t
    assert result_of(less, t, I64) == BOOL


def merge_signed(a, n):
    s = 0
    for i in range(n):
        s = s + a
    return s


def merge_unsigned_start(a, z, n):
    s = z
    for i in range(n):
        s = s + a
    return s


def test_uint64_merged_with_a_signed_int_is_a_typing_error():
    with pytest.raises(TypingError, match="uint64"):
        _infer(merge_signed, U64, I64)


def test_merges_that_hold_both_exactly():
    assert result_of(merge_signed, U32, I64) == I64  # int64 holds every uint32
    assert result_of(merge_unsigned_start, U64, U64, I64) == U64
