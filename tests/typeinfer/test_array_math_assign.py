"""assign (dest[...] = value with broadcasting and NumPy's unsafe casts) and copy (astype),
compiled end to end against NumPy, with NumPy's broadcast error messages."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.errors import TypingError
from ember.ir.types import F64, I64, ArrayType
from ember.typeinfer import array_math as am

from .test_array_math_kit import OP, array_type, compile_fn, same, scalar_type, typed_module


def _assign(dest: np.ndarray, value) -> None:
    vt = array_type(value) if isinstance(value, np.ndarray) else (F64 if isinstance(value, float) else I64)
    call = compile_fn([array_type(dest), vt], lambda em, d, v: am.assign(em, d, v, OP))
    call(dest, value)


@pytest.mark.parametrize("vshape", [(4,), (1,), (3, 1), (1, 3, 4), ()])
def test_assign_broadcasts_like_numpy(vshape):
    dest, want = np.zeros((3, 4)), np.zeros((3, 4))
    value = np.asarray(np.arange(np.prod(vshape), dtype=np.int32).reshape(vshape) + 1)
    want[...] = value
    _assign(dest, value)
    same(dest, want)


@pytest.mark.parametrize("vshape,dshape", [((3,), (4,)), ((3,), (2, 4)), ((2, 2, 4), (2, 4)),
                                           ((2, 4), (4,))])
def test_assign_shape_errors_are_numpys(vshape, dshape):
    dest, value = np.zeros(dshape), np.ones(vshape)
    with pytest.raises(ValueError) as want:
        dest[...] = value
    with pytest.raises(ValueError) as got:
        _assign(dest, value)
    assert str(got.value) == str(want.value)


def test_assign_casts_unsafely_like_numpy():
    value = np.array([1.9, -1.9, 300.7, -0.5, 1e3])
    for dt in (np.int8, np.int64, np.uint8, np.uint32, np.bool_, np.float32):
        dest, want = np.zeros(5, dt), np.zeros(5, dt)
        with np.errstate(all="ignore"):
            want[...] = value
        _assign(dest, value)
        same(dest, want)
    dest = np.zeros(4, np.uint64)
    _assign(dest, np.array([-1, 5, -(2 ** 63), 7], np.int64))
    same(dest, np.array([-1, 5, -(2 ** 63), 7], np.int64).astype(np.uint64))


def test_assign_a_scalar_into_a_strided_view():
    base = np.zeros((4, 6), np.float32)
    dest = base[1::2, ::-2]
    _assign(dest, 2.5)
    want = np.zeros((4, 6), np.float32)
    want[1::2, ::-2] = 2.5
    same(base, want)


def test_assign_into_readonly_is_a_typing_error():
    t = ArrayType(scalar_type(np.float64), 1, "C", readonly=True)
    with pytest.raises(TypingError, match="read-only"):
        typed_module([t, F64], lambda em, d, v: am.assign(em, d, v, OP))


@pytest.mark.parametrize("src,dst", [(np.float64, np.int16), (np.int64, np.float32),
                                     (np.uint8, np.int8), (np.float32, np.bool_),
                                     (np.int32, np.uint64)])
def test_copy_is_astype(src, dst):
    a = (np.arange(-6, 6).reshape(3, 4) * 37.25).astype(src)
    a = a.T  # an F-layout source
    call = compile_fn([array_type(a)], lambda em, x: am.copy(em, x, scalar_type(dst), OP))
    got = call(a)
    with np.errstate(all="ignore"):
        same(got, a.astype(dst))
    assert got.flags.c_contiguous
