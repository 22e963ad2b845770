"""Eager compilation: `ember.jit("float64(float64[:], int64)")` and `signatures=[...]`."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.errors import TypingError
from ember.ir.types import BOOL, F32, F64, I64, ArrayType, TupleType
from ember.signature import parse_declared, parse_signature


def total(x, n):
    s = 0.0
    for i in range(n):
        s += x[i]
    return s


def inc(x):
    return x + 1


def pair(t):
    return t[0] * t[1]


def test_compiles_at_decoration_and_runs() -> None:
    f = ember.jit("float64(float64[:], int64)")(total)
    # compiled before any call: the C-contiguous variant of the any-layout array
    assert f.signatures == [(ArrayType(F64, 1, "C"), I64)]
    assert f.signatures[0].return_type == F64
    x = np.arange(6.0)
    assert f(x, 4) == 6.0
    assert len(f.signatures) == 1  # the call compiled nothing


def test_any_layout_array_takes_a_strided_view() -> None:
    f = ember.jit("float64(float64[:], int64)")(total)
    x = np.arange(10.0)
    assert f(x[::2], 3) == 0.0 + 2.0 + 4.0
    assert (ArrayType(F64, 1, "A"), I64) in f.signatures


def test_contiguous_array_refuses_a_strided_view() -> None:
    f = ember.jit("float64(float64[::1], int64)")(total)
    with pytest.raises(TypeError, match=r"float64\(float64\[::1\], int64\)"):
        f(np.arange(10.0)[::2], 3)
    assert f.signatures == [(ArrayType(F64, 1, "C"), I64)]


def test_no_matching_signature_raises_type_error_listing_them() -> None:
    f = ember.jit(["f8(f8[:], i8)", "f8(f4[:], i8)"])(total)
    with pytest.raises(TypeError) as info:
        f(np.arange(4), 2)  # an int64 array: neither signature takes it
    msg = str(info.value)
    assert "total()" in msg and "array<i64, 1, C>" in msg
    assert "f8(f8[:], i8)" in msg and "f8(f4[:], i8)" in msg and "lazy=True" in msg
    assert len(f.signatures) == 2  # nothing compiled silently


def test_scalar_arguments_convert_as_numba_does() -> None:
    f = ember.jit(["f8(f8)"])(inc)
    assert f(1) == 2.0 and type(f(1)) is float      # int -> float64
    assert f(np.float32(1.5)) == 2.5                 # float32 -> float64
    assert f(np.int32(3)) == 4.0
    assert f.signatures == [(F64,)]
    g = ember.jit("i8(i8)")(inc)
    assert g(True) == 2                              # bool -> int64
    with pytest.raises(TypeError, match="no declared signature"):
        g(1.5)                                       # never float -> int
    with pytest.raises(OverflowError):
        g(np.uint64(2**64 - 1))                      # out of int64's range


def test_exact_signature_wins_over_a_conversion() -> None:
    f = ember.jit(["f8(f8)", "i8(i8)"])(inc)
    assert f(1) == 2 and type(f(1)) is int
    assert f(1.5) == 2.5
    assert f.signatures == [(F64,), (I64,)]


def test_tuples_match_item_by_item() -> None:
    f = ember.jit("f8(UniTuple(f8, 2))")(pair)
    assert f((2.0, 3.0)) == 6.0
    assert f((2, 3.0)) == 6.0  # the int item converts
    assert f.signatures == [(TupleType((F64, F64)),)]
    with pytest.raises(TypeError):
        f((2.0, 3.0, 4.0))


def test_signatures_keyword_and_tuple_of_types() -> None:
    f = ember.jit(signatures=[(float, int)])(_scale)
    assert f.signatures == [(F64, I64)] and f(1.5, 2) == 3.0
    g = ember.jit((float,))(inc)
    assert g.signatures == [(F64,)]
    h = ember.jit(signatures=["float64(float64)"], boundscheck=False)(inc)
    assert h.signatures == [(F64,)] and h(1.0) == 2.0


def test_lazy_compiles_other_types_on_call() -> None:
    f = ember.jit("f8(f8)", lazy=True)(inc)
    assert f.signatures == [(F64,)]
    assert f(1) == 2 and type(f(1)) is int  # compiled for int64, not converted
    assert f.signatures == [(F64,), (I64,)]


def test_declared_return_type_must_match() -> None:
    with pytest.raises(TypeError) as info:
        ember.jit("f8(i8)")(inc)
    msg = str(info.value)
    assert "test_eager.py" in msg and "f8(i8)" in msg and "i64" in msg
    # an any-layout declared array result takes the contiguous one ember returns
    ember.jit("f8[:](f8[:])")(_double)


def _scale(x, n):
    return x * n


def _double(x):
    return x * 2.0


def test_signature_that_cannot_compile_raises_at_decoration_with_user_line() -> None:
    def bad(x):
        return x.foo

    with pytest.raises(TypingError) as info:
        ember.jit("f8(f8)")(bad)
    assert "test_eager.py" in str(info.value) and "x.foo" in str(info.value)


def test_unreadable_signature_raises_type_error() -> None:
    for sig in ("float64(float65)", "f8[:,:1](f8)", "f8(void)", "f8(f8"):
        with pytest.raises(TypeError, match="cannot read the signature"):
            ember.jit(sig)(inc)
    with pytest.raises(TypeError, match="empty"):
        ember.jit([])(inc)
    with pytest.raises(TypeError, match="lazy"):
        ember.jit("f8(f8)", lazy=1)(inc)


def test_readonly_arrays_need_a_readonly_signature() -> None:
    x = np.arange(4.0)
    x.flags.writeable = False
    f = ember.jit("f8(f8[:], i8)")(total)
    with pytest.raises(TypeError, match="readonly"):
        f(x, 2)
    g = ember.jit("f8(array<f64, 1, C, readonly>, i64)")(total)
    assert g(x, 3) == 3.0
    assert g(np.arange(4.0), 3) == 3.0  # a writable array is a variant of the readonly one


def test_parse_numba_and_ir_spellings() -> None:
    d = parse_declared("Tuple(f8, i8)(float32[:, ::1], float64[::1, :], bool, (int, float))")
    assert d.ret == TupleType((F64, I64))
    assert d.args == (ArrayType(F32, 2, "C"), ArrayType(F64, 2, "F"), BOOL,
                      TupleType((I64, F64)))
    assert parse_declared("(f8, i8)").ret is None
    assert parse_declared("void()").args == ()
    assert parse_signature("float64[:], int64") == (ArrayType(F64, 1, "A"), I64)
    assert parse_signature("float,int") == (F64, I64)


def test_compile_method_is_allowed_on_eager_functions() -> None:
    f = ember.jit("f8(f8)")(inc)
    f.compile("i8")
    assert f(3) == 4 and type(f(3)) is int


def _axpy(a, x, y=1.0):
    return a * x + y


def test_keyword_and_default_arguments_reach_the_declared_signature() -> None:
    f = ember.jit("f8(f8, f8, f8)")(_axpy)
    assert f(2.0, 3.0) == 7.0                 # the default fills y
    assert f(a=2, x=3.0, y=0) == 6.0          # keywords, ints converted
    assert f.signatures == [(F64, F64, F64)]
    with pytest.raises(TypeError, match="_axpy"):
        f(1.0)                                # Python's own arity error


def test_repr_and_declared_list() -> None:
    f = ember.jit(["f8(f8)", "(i8,)"])(inc)
    assert [d.text for d in f.declared] == ["f8(f8)", "(i8,)"]
    assert repr(f) == "<ember.jit inc [(f64), (i64)]>"


def test_signature_with_the_wrong_arity_raises_at_decoration() -> None:
    with pytest.raises(TypingError, match="takes 2 arguments but 1 were given"):
        ember.jit("f8(f8)")(total)
