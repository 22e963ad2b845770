"""The Dispatcher: builtin `__call__`, fallback binding, compile-once under threads."""
from __future__ import annotations

import collections
import enum
import importlib.util
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from ember.dispatcher import Dispatcher
from ember.ir.types import BOOL, F32, F64, I32, I64, TupleType


def _load_kit():
    """tests/backend/test_wrapper_kit.py, loaded by path (tests/face is not a package)."""
    path = Path(__file__).resolve().parents[1] / "backend" / "test_wrapper_kit.py"
    spec = importlib.util.spec_from_file_location("_ember_wrapper_kit", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


pack_spec = _load_kit().pack_spec


class PackCompiler:
    """compile_fn whose 'compiled code' returns its argument, or all of them as a tuple."""

    def __init__(self, delay: float = 0.0) -> None:
        self.compiled: list[tuple] = []
        self.delay = delay
        self.lock = threading.Lock()

    def __call__(self, py_func, arg_types, options):
        with self.lock:
            self.compiled.append(tuple(arg_types))
        if self.delay:
            time.sleep(self.delay)
        return pack_spec(arg_types, name=py_func.__name__)


def two(a, b=2.5):
    """Doc of two."""
    return (a, b)


def one(x):
    return x


def test_before_compile_call_is_python_then_builtin() -> None:
    comp = PackCompiler()
    d = Dispatcher(two, comp)
    assert type(d) is not Dispatcher and isinstance(d, Dispatcher)
    assert "__call__" not in type(d).__dict__
    assert d(1.0, 2.0) == (1.0, 2.0)
    assert type(type(d).__dict__["__call__"]).__name__ == "builtin_function_or_method"
    assert d(3.0, 4.0) == (3.0, 4.0)
    assert comp.compiled == [(F64, F64)]
    assert d.signatures == [(F64, F64)]
    assert set(d.overloads) == {(F64, F64)}


def test_each_dispatcher_has_its_own_class() -> None:
    d1, d2 = Dispatcher(one, PackCompiler()), Dispatcher(one, PackCompiler())
    assert type(d1) is not type(d2)
    d1(1.0)
    assert d2(5) == 5 and d1(2.0) == 2.0


def test_defaults_and_keywords_bind_through_fallback() -> None:
    comp = PackCompiler()
    d = Dispatcher(two, comp)
    assert d(1.0) == (1.0, 2.5)
    assert d(b=1.0, a=2.0) == (2.0, 1.0)
    assert d(1.0, b=7.0) == (1.0, 7.0)
    assert comp.compiled == [(F64, F64)]
    with pytest.raises(TypeError, match="two"):
        d(1.0, 2.0, 3.0)
    with pytest.raises(TypeError, match="two"):
        d(c=1.0)


def test_several_signatures_each_dispatch_correctly() -> None:
    comp = PackCompiler()
    d = Dispatcher(one, comp)
    values = [1.5, 3, True, np.float32(0.5), np.int32(-2), np.bool_(False), (1, 2.0), ((True,), 4)]
    want = [1.5, 3, True, 0.5, -2, False, (1, 2.0), ((True,), 4)]
    for _ in range(2):  # second round: all through the builtin chain, no compile
        for v, w in zip(values, want):
            got = d(v)
            assert got == w and type(got) is type(w)
    # np.bool_ shares bool's signature: seven signatures, each compiled once
    assert comp.compiled == [(F64,), (I64,), (BOOL,), (F32,), (I32,),
                             (TupleType((I64, F64)),), (TupleType((TupleType((BOOL,)), I64)),)]
    assert TupleType((I64, F64)) in [s[0] for s in d.signatures]


def test_unsupported_and_overflowing_arguments() -> None:
    d = Dispatcher(one, PackCompiler())
    with pytest.raises(TypeError, match="argument 'x' has unsupported type bytes"):
        d(b"hello")
    with pytest.raises(TypeError, match="argument 'x' has unsupported type set"):
        d({1.0})
    d(1)  # compile i64, so 2**70 reaches the wrapper first and falls back
    with pytest.raises(OverflowError, match="argument 'x'.*int64"):
        d(2**70)
    assert d(-(2**63)) == -(2**63)


def test_int_subclass_and_namedtuple_are_canonicalized() -> None:
    class Color(enum.IntEnum):
        RED = 3

    Point = collections.namedtuple("Point", "x y")
    d = Dispatcher(one, PackCompiler())
    got = d(Color.RED)
    assert got == 3 and type(got) is int
    got = d(Point(1.0, 2))
    assert got == (1.0, 2) and type(got) is tuple
    assert d.signatures == [(I64,), (TupleType((F64, I64)),)]


def test_compile_error_propagates_and_is_not_cached() -> None:
    class Flaky(PackCompiler):
        def __call__(self, py_func, arg_types, options):
            if not self.compiled:
                self.compiled.append("failed")
                raise ValueError("compile failed")
            return super().__call__(py_func, arg_types, options)

    comp = Flaky()
    d = Dispatcher(one, comp)
    with pytest.raises(ValueError, match="compile failed"):
        d(1.0)
    assert d.signatures == []
    assert d(1.0) == 1.0


def test_threads_compile_each_signature_once() -> None:
    comp = PackCompiler(delay=0.02)
    d = Dispatcher(one, comp)
    values = [1.0, 2, True, np.float32(1.0), (1.0, 2.0)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(k: int) -> None:
        try:
            barrier.wait()
            for i in range(len(values) * 3):
                v = values[(i + k) % len(values)]
                got = d(v)
                assert got == (float(v) if isinstance(v, np.float32) else v)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(map(str, comp.compiled)) == sorted(map(str, set(comp.compiled)))
    assert len(comp.compiled) == len(values)


def test_metadata_repr_and_inspect() -> None:
    d = Dispatcher(two, PackCompiler(), {"boundscheck": False})
    assert d.__name__ == "two" and d.__doc__ == "Doc of two." and d.__wrapped__ is two
    assert d.__ember_function__ is two and d.py_func is two
    assert type(d).__doc__ == "Doc of two."
    with pytest.raises(ValueError, match="no compiled signature"):
        d.inspect_ir("llvm")
    text = d.inspect_ir("llvm", signature=("f64", "i64"))
    assert "two__pywrap" in text
    assert d.signatures == [(F64, I64)]
    assert d.inspect_ir("llvm") == text
    d(1.0, 2.0)
    assert "// signature (f64, f64)" in d.inspect_ir("llvm")
    assert repr(d) == "<ember.jit two [(f64, i64), (f64, f64)]>"


def test_var_keyword_rejected() -> None:
    def kw(**k):
        return 0

    with pytest.raises(TypeError, match=r"\*\*k"):
        Dispatcher(kw, PackCompiler())


def test_star_args_and_keyword_only_always_bind_first() -> None:
    def star(a, *rest):
        return (a, rest)

    def kwonly(a, *, b=1.0):
        return (a, b)

    d = Dispatcher(star, PackCompiler())
    assert d(1.0, 2, 3) == (1.0, (2, 3))
    assert d(1.0, (2, 3)) == (1.0, ((2, 3),))  # a tuple positional is one item of *rest
    assert d(1.0) == (1.0, ())
    assert "__call__" not in type(d).__dict__
    k = Dispatcher(kwonly, PackCompiler())
    assert k(2.0) == (2.0, 1.0) and k(2.0, b=3.0) == (2.0, 3.0)
    with pytest.raises(TypeError):
        k(2.0, 3.0)


def test_zero_argument_function() -> None:
    def nothing():
        return None

    d = Dispatcher(nothing, PackCompiler())
    assert d() is None and d() is None
    assert d.signatures == [()]
    with pytest.raises(TypeError):
        d(1)
