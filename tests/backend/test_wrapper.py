"""The LLVM-generated CPython call wrapper: unboxing, boxing, errors, fallbacks."""
from __future__ import annotations

import builtins
import math
import sys

import numpy as np
import pytest
from llvmlite import ir

from ember.backend.callable import build_chain, make_builtin
from ember.backend.wrapper import emit_wrapper
from ember.ir.types import (
    BOOL, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64, TupleType,
)

from .test_wrapper_kit import HandSpec, fallback_recorder, pack_spec, status_spec, store


@pytest.fixture(scope="module")
def specs() -> dict:
    """One identity specialization per scalar type, built once for the module."""
    return {t: pack_spec([t], name=f"id_{t}") for t in (BOOL, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64)}


SCALAR_CASES = [
    (F64, 2.5, 2.5, float), (F64, -0.0, -0.0, float), (F64, math.inf, math.inf, float),
    (F64, np.float64(1.25), 1.25, float),
    (F32, np.float32(0.1), float(np.float32(0.1)), float),
    (I64, 7, 7, int), (I64, -1, -1, int), (I64, 2**63 - 1, 2**63 - 1, int), (I64, -(2**63), -(2**63), int),
    (I64, np.int64(-5), -5, int),
    (I32, np.int32(-(2**31)), -(2**31), int), (I16, np.int16(-3), -3, int), (I8, np.int8(-128), -128, int),
    (U64, np.uint64(2**64 - 1), 2**64 - 1, int), (U32, np.uint32(2**32 - 1), 2**32 - 1, int),
    (U16, np.uint16(65535), 65535, int), (U8, np.uint8(255), 255, int),
    (BOOL, True, True, bool), (BOOL, False, False, bool),
    (BOOL, np.bool_(True), True, bool), (BOOL, np.bool_(False), False, bool),
]


@pytest.mark.parametrize("t, arg, want, pytype", SCALAR_CASES)
def test_scalar_roundtrip(specs: dict, t, arg, want, pytype) -> None:
    calls, fb = fallback_recorder()
    f = specs[t].make_callable(fb)
    got = f(arg)
    assert calls == []
    assert type(got) is pytype
    assert got == want and math.copysign(1, got) == math.copysign(1, want)


@pytest.mark.parametrize("t, arg", [
    (F64, 1), (F64, True), (F64, np.float32(1.0)), (F64, "1.0"), (F64, None),
    (I64, 1.0), (I64, True), (I64, np.int32(1)), (I64, np.uint64(1)),
    (I32, 1), (F32, 1.0), (BOOL, 1), (BOOL, np.int8(1)), (U8, np.int8(1)),
    (F64, (1.0,)),
])
def test_wrong_exact_type_falls_back(specs: dict, t, arg) -> None:
    calls, fb = fallback_recorder()
    f = specs[t].make_callable(fb)
    assert f(arg) == ("fallback", (arg,), {})
    assert calls == [((arg,), {})]


def test_float_subclass_is_not_exact() -> None:
    class MyFloat(float):
        pass

    calls, fb = fallback_recorder()
    f = pack_spec([F64]).make_callable(fb)
    assert f(MyFloat(2.0))[0] == "fallback"


def test_int_overflow_falls_back_without_pending_error(specs: dict) -> None:
    calls, fb = fallback_recorder()
    f = specs[I64].make_callable(fb)
    assert f(2**70) == ("fallback", (2**70,), {})
    assert f(-(2**63) - 1)[0] == "fallback"
    assert f(2**63)[0] == "fallback"
    # the error indicator was cleared: a following successful call is clean
    assert f(-1) == -1


def test_kwargs_and_arg_count_fall_back() -> None:
    calls, fb = fallback_recorder()
    f = pack_spec([F64, F64], name="two").make_callable(fb)
    assert f(1.0, 2.0) == (1.0, 2.0)
    assert f(1.0) == ("fallback", (1.0,), {})
    assert f(1.0, 2.0, 3.0) == ("fallback", (1.0, 2.0, 3.0), {})
    assert f(1.0, b=2.0) == ("fallback", (1.0,), {"b": 2.0})
    assert f() == ("fallback", (), {})
    assert len(calls) == 4


def test_mixed_args_pack_into_tuple() -> None:
    f = pack_spec([I64, F64, BOOL, F32, I32], name="five").make_callable(None)
    got = f(3, 2.5, True, np.float32(1.5), np.int32(-4))
    assert got == (3, 2.5, True, 1.5, -4)
    assert [type(x) for x in got] == [int, float, bool, float, int]


def test_tuple_arguments_and_results() -> None:
    inner = TupleType((I64, BOOL))
    outer = TupleType((F64, inner))
    calls, fb = fallback_recorder()
    f = pack_spec([outer, BOOL], name="nested").make_callable(fb)
    assert f((1.5, (7, False)), True) == ((1.5, (7, False)), True)
    assert f((1.5, (np.int64(7), np.bool_(True))), False) == ((1.5, (7, True)), False)
    assert calls == []
    # wrong length, wrong element type, a list, a tuple subclass: all fall back
    for bad in [(1.5, (7,)), (1.5, (7, False), 1), (1.5, (7.0, False)), [1.5, (7, False)],
                (1.5, [7, False])]:
        assert f(bad, True)[0] == "fallback"
    assert len(calls) == 5


def test_empty_tuple_and_none_result() -> None:
    f = pack_spec([TupleType(())], name="empty").make_callable(None)
    assert f(()) == ()
    g = pack_spec([], name="nothing").make_callable(None)
    before = sys.getrefcount(None)
    for _ in range(1000):
        assert g() is None
    assert abs(sys.getrefcount(None) - before) < 50


def test_refcounts_balanced() -> None:
    f = pack_spec([TupleType((F64, BOOL)), I64], name="rc").make_callable(None)
    x = 123456.789
    arg = (x, True)
    n = 12345678901
    r0 = (sys.getrefcount(arg), sys.getrefcount(x), sys.getrefcount(n), sys.getrefcount(True))
    for _ in range(1000):
        res = f(arg, n)
    assert res == ((x, True), n)
    assert sys.getrefcount(res) == 2  # only `res` and the getrefcount argument
    del res
    r1 = (sys.getrefcount(arg), sys.getrefcount(x), sys.getrefcount(n), sys.getrefcount(True))
    assert r0[:3] == r1[:3]
    assert abs(r0[3] - r1[3]) < 50


def test_error_table_raises_class_and_message() -> None:
    table = [("ZeroDivisionError", "float division by zero"),
             ("IndexError", "index 5 is out of bounds for axis 0 with size 3"),
             ("AssertionError", "x must be positive: ünïcode")]
    for k, (cls_name, msg) in enumerate(table, start=1):
        f = status_spec([F64], F64, k, table, name=f"raise{k}").make_callable(None)
        with pytest.raises(getattr(builtins, cls_name)) as info:
            f(1.0)
        assert type(info.value).__name__ == cls_name
        assert str(info.value) == msg


def test_unknown_status_is_system_error() -> None:
    f = status_spec([], I64, 9, [("ValueError", "v")], name="bad").make_callable(None)
    with pytest.raises(SystemError, match="unknown error status"):
        f()


def test_native_signature_mismatch_is_refused() -> None:
    mod = ir.Module()
    native = ir.Function(mod, ir.FunctionType(ir.IntType(32), [ir.PointerType(), ir.DoubleType()]), "n")
    with pytest.raises(TypeError, match="expected i32"):
        emit_wrapper(mod, native, [I64], F64, [])
    with pytest.raises(TypeError, match="cannot unbox"):
        emit_wrapper(mod, native, [object()], F64, [])  # type: ignore[list-item]


def test_add_native_computes() -> None:
    def body(b, out, args):
        return store(b, out, b.fadd(args[0], args[1]), F64)

    f = HandSpec([F64, F64], F64, body, name="add").make_callable(None)
    assert f(1.0, 2.0) == 3.0
    assert f(np.float64(0.1), 0.2) == 0.1 + 0.2


def test_chain_tries_each_specialization_then_fallback() -> None:
    calls, fb = fallback_recorder()
    a, b = pack_spec([F64], name="fa"), pack_spec([I64], name="ib")
    head = build_chain([a.make_callable, b.make_callable], fb)
    assert head(1.5) == 1.5 and type(head(1.5)) is float
    assert head(3) == 3 and type(head(3)) is int
    assert head("s") == ("fallback", ("s",), {})
    assert head(x=1.0) == ("fallback", (), {"x": 1.0})
    assert len(calls) == 2


def test_make_builtin_rejects_null() -> None:
    with pytest.raises(ValueError):
        make_builtin(0, "f", None)
