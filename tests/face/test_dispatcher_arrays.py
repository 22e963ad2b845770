"""The dispatcher with array arguments: one specialization per (dtype, ndim, layout,
readonly), never per shape, and typeof agreeing exactly with the wrapper's checks."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from ember.dispatcher import Dispatcher
from ember.ir.types import F64, I32, ArrayType


def _load_kit():
    path = Path(__file__).resolve().parents[1] / "backend" / "test_wrapper_kit.py"
    spec = importlib.util.spec_from_file_location("_ember_wrapper_kit", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


pack_spec = _load_kit().pack_spec


class PackCompiler:
    def __init__(self) -> None:
        self.compiled: list[tuple] = []

    def __call__(self, py_func, arg_types, options):
        self.compiled.append(tuple(arg_types))
        return pack_spec(arg_types, name=py_func.__name__)


def ident(a):
    return a


def _arrays() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    out = []
    for dtype in (np.float64, np.int32, np.bool_, np.complex64, np.uint8):
        base = rng.integers(0, 5, size=(6, 8)).astype(dtype)
        out += [base, base.T, base[::2], base[:, ::3], base[::-1, ::-1], base[1], base[:, 2],
                base[0, 0:0], np.array(base[0, 0]), np.asfortranarray(base[:3, :2]),
                np.broadcast_to(base[0], (3, 8)), base[:, None, :], base[2:2]]
    ro = out[0].copy()
    ro.flags.writeable = False
    out.append(ro)
    return out


def test_every_array_kind_dispatches_to_its_specialization() -> None:
    comp = PackCompiler()
    d = Dispatcher(ident, comp)
    arrays = _arrays()
    for a in arrays:  # first round compiles; the second only runs the native chain
        assert d(a) is a
    n = len(comp.compiled)
    for a in arrays:
        assert d(a) is a
    assert len(comp.compiled) == n
    # never per shape: distinct signatures, fewer than arrays
    assert len(set(comp.compiled)) == n < len(arrays)


def test_shape_is_not_part_of_the_key() -> None:
    comp = PackCompiler()
    d = Dispatcher(ident, comp)
    for n in (0, 1, 7, 1000):
        a = np.ones(n)
        assert d(a) is a
    assert comp.compiled == [(ArrayType(F64, 1, "C"),)]


def test_layouts_get_their_own_specializations() -> None:
    comp = PackCompiler()
    d = Dispatcher(ident, comp)
    a = np.zeros((3, 4), np.int32)
    for x in (a, a.T, a[:, ::2]):
        assert d(x) is x
    assert comp.compiled == [(ArrayType(I32, 2, "C"),), (ArrayType(I32, 2, "F"),), (ArrayType(I32, 2, "A"),)]


def test_unsupported_arrays_raise_type_error_naming_parameter() -> None:
    d = Dispatcher(ident, PackCompiler())
    d(np.zeros(3))  # the native chain exists: the errors come through its fallback
    with pytest.raises(TypeError, match="argument 'a' is an array of dtype object"):
        d(np.zeros(3, object))
    with pytest.raises(TypeError, match="argument 'a' is a numpy.matrix"):
        d(np.zeros((2, 2)).view(np.matrix))
    with pytest.raises(TypeError, match="non-native byte order"):
        d(np.zeros(3, ">f8" if np.little_endian else "<f8"))


def test_compile_ahead_with_an_array_signature() -> None:
    comp = PackCompiler()
    d = Dispatcher(ident, comp)
    d.compile("array<f64, 2, F>")
    a = np.zeros((2, 3), order="F")
    assert d(a) is a
    assert comp.compiled == [(ArrayType(F64, 2, "F"),)]


def test_end_to_end_with_ember_jit() -> None:
    """The whole pipeline: identity, a view keeping its parent alive, owned results freed."""
    import gc
    import weakref

    import ember
    from ember.backend import runtime_helpers as rt

    @ember.jit
    def same(a):
        return a

    @ember.jit
    def rev(a):
        return a[::-1]

    @ember.jit
    def make(n):
        out = np.empty(n)
        for i in range(n):
            out[i] = i
        return out

    x = np.arange(6.0)
    before = sys.getrefcount(x)
    for _ in range(10_000):
        assert same(x) is x
        v = rev(x)
    assert sys.getrefcount(x) == before + 1  # the live view's base
    ref = weakref.ref(x)
    del x
    gc.collect()
    assert ref() is not None and v.tolist() == [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    del v
    gc.collect()
    assert ref() is None
    assert make(3).tolist() == [0.0, 1.0, 2.0]
    live = rt.live_blocks()
    for _ in range(10_000):
        make(100)
    assert rt.live_blocks() == live
