"""Holes in derivatives at the layer level: the `none.make` op (verified, printed, parsed,
lowered, boxed to None, emitted as Python), reverse mode with respect to tuples and
records that mix ints with floats and arrays, and forward mode with such results. Every
derivative is checked against central differences; the public API is in
tests/face/test_grad_pytrees.py."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ember.autodiff import jvp
from ember.backend import compile_module
from ember.ir.builder import Builder
from ember.ir.core import FuncOp, Module
from ember.ir.errors import IRError
from ember.ir.location import Location
from ember.ir.parser import parse_module
from ember.ir.printer import print_module
from ember.ir.pysource import func_to_source
from ember.ir.types import F64, NONE, TupleType
from ember.ir.verifier import verify_module
from tests.autodiff.harness import central_difference, derive
from tests.autodiff.test_pytrees_util import assert_tree_close, reference
from tests.autodiff.test_reverse_util import derive_vjp

LOC = Location("test_pytrees_transforms.py", 1, 0)


def _pair_with_hole() -> Module:
    """@f(x: f64) -> tuple<f64, none>: (x, None), built by hand."""
    t = TupleType((F64, NONE))
    f = FuncOp("f", [F64], t, ["x"], LOC)
    b = Builder(f.body.block, LOC)
    hole = b.value("none.make", [], NONE)
    b.op("func.return", [b.value("tuple.make", [f.args[0], hole], t)])
    return Module([f])


def test_none_make_verifies_prints_parses_and_lowers():
    m = _pair_with_hole()
    verify_module(m, typed=True)
    text = print_module(m)
    assert "none.make" in text
    again = parse_module(text)
    verify_module(again, typed=True)
    assert print_module(again) == text
    call = compile_module(again, "f").make_callable(lambda *a: "fallback")
    assert call(2.5) == (2.5, None)
    src = func_to_source(m, "f")
    assert "None" in src


def test_none_make_result_must_be_none():
    f = FuncOp("g", [], F64, [], LOC)
    b = Builder(f.body.block, LOC)
    v = b.value("none.make", [], F64)
    b.op("func.return", [v])
    with pytest.raises(IRError, match="none.make result must be none"):
        verify_module(Module([f]), typed=True)


def mixed_tuple(p, s):
    x, n, w = p
    acc = s
    for i in range(n):
        acc = acc * math.cos(x) + w * i
    return acc * n


def mixed_record(d, y):
    return d["a"] * y ** d["k"] + math.exp(d["b"]) * d["k"]


def tuple_with_array(p):
    a, n, w = p
    s = 0.0
    for i in range(a.shape[0]):
        s += math.sin(a[i]) * (n + w * a[i])
    return s


def nested(p, q):
    (x, (k, m)), y = p
    return x * k + y * m * q


def test_reverse_tuple_mixing_ints_and_floats():
    args = ((0.7, 3, 1.25), 0.4)
    d = derive_vjp(mixed_tuple, args, (0, 1))
    out, (gp, gs) = d(*args, 1.0)
    assert out == mixed_tuple(*args)
    assert gp[1] is None
    assert_tree_close(gp, reference(mixed_tuple, args, 0))
    assert_tree_close(gs, reference(mixed_tuple, args, 1))


def test_reverse_record_mixing_ints_and_floats():
    args = ({"a": 1.5, "k": 3, "b": -0.2}, 0.9)
    d = derive_vjp(mixed_record, args, (0,))
    out, (gd,) = d(*args, 2.0)
    assert math.isclose(out, mixed_record(*args), rel_tol=1e-14)
    assert list(gd) == ["a", "k", "b"] and gd["k"] is None
    want = reference(lambda *a: 2.0 * mixed_record(*a), args, 0)
    assert_tree_close(gd, want)


def test_reverse_tuple_of_array_int_float_and_nested_int_tuple():
    a = np.linspace(0.1, 0.9, 5)
    args = ((a, 2, 0.5),)
    _, (g,) = derive_vjp(tuple_with_array, args, (0,))((a.copy(), 2, 0.5), 1.0)
    assert g[1] is None
    assert_tree_close(g, reference(tuple_with_array, args, 0))
    args2 = (((1.5, (2, 3)), 4.0), 0.5)
    _, (g2, gq) = derive_vjp(nested, args2, (0, 1))(*args2, 1.0)
    assert g2[0][1] is None  # the whole int sub-tuple is one hole
    assert_tree_close(g2, reference(nested, args2, 0))
    assert_tree_close(gq, reference(nested, args2, 1))


def pair_out(x, n):
    return (x * x * n, n, {"y": math.sin(x), "m": n + 1})


def test_forward_result_mixing_ints_and_floats():
    d = derive(pair_out, (0.8, 3), lambda m, e: jvp(m, e, (0,)))
    out, tan = d(0.8, 3, 0.5)
    assert out == pair_out(0.8, 3)
    assert tan[1] is None and tan[2]["m"] is None
    want = central_difference(lambda x: pair_out(x, 3)[0], [0.8], 0) * 0.5
    np.testing.assert_allclose(tan[0], want, rtol=1e-7)
    want_y = central_difference(lambda x: pair_out(x, 3)[2]["y"], [0.8], 0) * 0.5
    np.testing.assert_allclose(tan[2]["y"], want_y, rtol=1e-7)
