"""Run a function under CPython and compiled, and compare result or exception exactly."""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

import ember
from ember.ir.verifier import verify_func, verify_module
from tests.helpers import assert_roundtrip

_checked: set[int] = set()


def same(a: Any, b: Any) -> bool:
    """Equal to the last bit: nan equals nan, 0.0 differs from -0.0, tuples and lists
    elementwise, arrays by dtype, shape and values, and the Python type (int, float, bool)
    must match."""
    for seq in (tuple, list):
        if isinstance(a, seq) or isinstance(b, seq):
            return (isinstance(a, seq) and isinstance(b, seq) and len(a) == len(b)
                    and all(same(x, y) for x, y in zip(a, b)))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


def outcome(fn: Callable[..., Any], args: tuple) -> tuple[str, Any]:
    try:
        return ("value", fn(*args))
    except Exception as exc:  # the differential test compares the exception itself
        return ("raise", (type(exc), str(exc)))


def check(py_fn: Callable[..., Any], *args: Any, jitted: Callable[..., Any] | None = None,
          promoted: bool = False) -> None:
    """Assert the compiled `py_fn` gives exactly what CPython gives on `args`.

    promoted: the function's result merges an int and a float path, so ember returns
    the float of CPython's value (docs/language.md, "Types")."""
    fast = jitted if jitted is not None else ember.jit(py_fn)
    want = outcome(py_fn, args)
    got = outcome(fast, args)
    check_stages(fast)
    if promoted and want[0] == "value" and type(want[1]) is int:
        want = ("value", float(want[1]))
    if want[0] == "value" and got[0] == "value":
        assert same(want[1], got[1]), f"{py_fn.__name__}{args}: CPython {want[1]!r}, ember {got[1]!r}"
    else:
        assert want == got, f"{py_fn.__name__}{args}: CPython {want}, ember {got}"


def check_stages(fast: Any) -> None:
    """Every compiled specialization's IR verifies and survives print -> parse -> print,
    at every ember stage (once per specialization)."""
    for spec in getattr(fast, "overloads", {}).values():
        if id(spec) in _checked:
            continue
        _checked.add(id(spec))
        verify_func(spec.untyped, typed=False)
        assert_roundtrip(spec.untyped)
        for module in (spec.typed, spec.optimized):
            verify_module(module, typed=True)
            verify_module(assert_roundtrip(module), typed=True)


_JITTED: dict = {}


def jitted(fn: Callable[..., Any]) -> Any:
    """`ember.jit(fn)`, made once per function for a whole test module."""
    if fn not in _JITTED:
        _JITTED[fn] = ember.jit(fn)
    return _JITTED[fn]


def plain(x: Any) -> Any:
    """Dicts as their items in order (`same` knows tuples and lists), so that comparisons
    see key order and the Python types of keys and values."""
    if isinstance(x, dict):
        return ("dict", [(plain(k), plain(v)) for k, v in x.items()])
    if isinstance(x, tuple):
        return tuple(plain(e) for e in x)
    if isinstance(x, list):
        return [plain(e) for e in x]
    return x
