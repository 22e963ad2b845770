"""Helpers for the array_math tests: build a typed function around an Emitter, verify it,
run the array half of the pipeline (fuse, lower, cleanup, ownership) and compile it."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ember.backend import compile_module
from ember.ir.builder import Builder
from ember.ir.core import FuncOp, Module, Operation, Value
from ember.ir.parser import parse_module
from ember.ir.passes import canonicalize, cse, dce, fuse_arrays, lower_arrays, ownership
from ember.ir.printer import print_module
from ember.ir.types import NONE, UNKNOWN, ArrayType, ScalarType, Type
from ember.ir.verifier import verify_module
from ember.typeinfer.array_ufuncs import from_numpy, np_dtype
from ember.typeinfer.emit import Emitter

OP = Operation("py.npcall", [], [], {"fn": "test", "kwnames": ""})
DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
          np.uint64, np.float32, np.float64]

Body = Callable[..., "Value | None"]


def typed_module(arg_types: list[Type], body: Body) -> Module:
    """One function @f whose body `body(em, *args)` builds; verified and round-tripped."""
    f = FuncOp("f", list(arg_types), UNKNOWN)
    em = Emitter(Builder(f.body.block))
    r = body(em, *f.args)
    f.return_type = r.type if r is not None else NONE
    em.b.op("func.return", [r] if r is not None else [], [])
    m = Module([f])
    verify_module(m, typed=True)
    text = print_module(m)
    assert print_module(parse_module(text)) == text
    return m


def compile_fn(arg_types: list[Type], body: Body) -> Callable:
    m = typed_module(arg_types, body)
    for p in (fuse_arrays, lower_arrays, canonicalize, cse, dce, ownership):
        p.run(m)
        verify_module(m, typed=True)

    def fallback(*args):
        raise AssertionError(f"fallback: arguments do not match {arg_types}: {args!r}")
    return compile_module(m, "f").make_callable(fallback)


def array_type(a: np.ndarray) -> ArrayType:
    layout = "C" if a.flags.c_contiguous else "F" if a.flags.f_contiguous else "A"
    return ArrayType(from_numpy(a.dtype), a.ndim, layout, not a.flags.writeable)


def scalar_type(dt) -> ScalarType:
    return from_numpy(np.dtype(dt))


def sample(dt, n: int = 23, seed: int = 0) -> np.ndarray:
    """Values that exercise the corners: zeros, negatives, extremes, nan and inf."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dt)
    if dt == np.bool_:
        return rng.integers(0, 2, n).astype(bool)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        special = [0, 1, 2, 3, info.max, info.min, info.max - 1, 7]
        if dt.kind == "i":
            special += [-1, -2, -7, info.min + 1]
        vals = rng.integers(max(info.min, -50), min(info.max, 50), n, endpoint=True).astype(dt)
        vals[: len(special)] = np.array(special, dtype=object).astype(dt)
        return vals
    special = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, -2.5, np.inf, -np.inf, np.nan, 3.0, 1e30]
    vals = rng.normal(0, 3, n)
    vals[: len(special)] = special
    return vals.astype(dt)


def same(got, want, exact: bool = True) -> None:
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if exact or want.dtype.kind not in "fc":
        np.testing.assert_array_equal(got, want)
    else:
        rtol = 1e-5 if want.dtype == np.float32 else 1e-13
        np.testing.assert_allclose(got, want, rtol=rtol, atol=0)


__all__ = ["OP", "DTYPES", "typed_module", "compile_fn", "array_type", "scalar_type", "sample",
           "same", "np_dtype"]
