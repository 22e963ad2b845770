"""The once-per-process wrapper helpers (backend/runtime_helpers.py): wrappers call them
by name instead of carrying the int unboxing and the error-raising code themselves."""
from __future__ import annotations

import ctypes

from ember.backend import pyapi, runtime_helpers as rt
from ember.ir.types import F64, I64

from .test_wrapper_kit import fallback_recorder, pack_spec, status_spec


def test_wrapper_calls_shared_helpers_instead_of_inlining_them() -> None:
    spec = status_spec([I64, F64], F64, 1, [("ZeroDivisionError", "boom")], name="rt_small")
    text = spec.llvm_ir
    assert f"@\"{rt.UNBOX_I64}\"" in text and f"@\"{rt.RAISE}\"" in text
    for bulky in ("PyLong_AsLongLong", "PyErr_Occurred", "PyErr_Clear", "PyErr_SetString", "switch"):
        assert bulky not in text
    f = spec.make_callable(None)
    try:
        f(3, 1.0)
    except ZeroDivisionError as e:
        assert str(e) == "boom"
    else:
        raise AssertionError("no exception")


def test_helpers_are_bound_once_for_every_engine() -> None:
    rt.ensure_runtime()
    first = {n: pyapi._registered[n] for n in (rt.UNBOX_I64, rt.RAISE)}
    assert all(first.values())
    rt.ensure_runtime()
    assert {n: pyapi._registered[n] for n in first} == first


def test_int_helper_unboxes_and_rejects() -> None:
    import numpy as np

    calls, fb = fallback_recorder()
    f = pack_spec([I64], name="rt_id_i64").make_callable(fb)
    assert f(-(2**63)) == -(2**63) and f(np.int64(5)) == 5 and f(np.longlong(-6)) == -6
    assert calls == []
    assert f(2**64)[0] == "fallback" and f(1.0)[0] == "fallback"


def test_exception_var_holds_the_class() -> None:
    sym = pyapi.exception_var("ZeroDivisionError")
    cell = ctypes.c_void_p.in_dll(ctypes.pythonapi, sym)
    assert cell.value == id(ZeroDivisionError)
