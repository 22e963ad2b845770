"""Globals, closure cells, math however imported, builtins and callees."""
import math
import math as m
from math import cos, sin

import numpy as np

from ember.frontend import build_function
from ember.ir.core import SymbolRef
from ember.ir.types import BOOL, F32, F64, I32, I64, UNKNOWN

from . import interp
from .structure import check_structure

G_INT = 7
G_FLOAT = 0.25
G_BOOL = True
G_NP32 = np.float32(1.5)
G_NPI32 = np.int32(-4)
G_TUPLE = (1, (2.5, False))


def ops(fn):
    f = build_function(fn)
    check_structure(f)
    return f, [op for op in f.walk()]


def names(oplist):
    return [op.name for op in oplist]


def callee(a, b=3, *, c=1.5):
    return a + b * c


class FakeDispatcher:
    """Stands in for an ember dispatcher: the frontend calls its Python function."""

    def __init__(self, fn):
        self.__ember_function__ = fn

    def __call__(self, *args, **kwargs):
        return self.__ember_function__(*args, **kwargs)


jitted_callee = FakeDispatcher(callee)


def test_math_however_imported():
    def f(x):
        return math.sin(x) + m.cos(x) + sin(x) * cos(x) + m.pi + math.tau + m.inf

    _, oplist = ops(f)
    n = names(oplist)
    assert n.count("math.sin") == 2 and n.count("math.cos") == 2
    consts = [op.attributes["value"] for op in oplist if op.name == "arith.constant"]
    assert consts == [math.pi, math.tau, math.inf]
    assert all(op.results[0].type == F64 for op in oplist if op.name == "arith.constant")


def test_math_names_map_to_ops():
    def f(x, y):
        return (math.exp(x), math.expm1(x), math.log1p(x), math.log10(x), math.log2(x),
                math.cbrt(x), math.fabs(x), math.gamma(x), math.lgamma(x), math.erf(x),
                math.erfc(x), math.asinh(x), math.pow(x, y), math.fmod(x, y), math.hypot(x, y),
                math.isinf(x), math.isfinite(x), math.floor(x), math.ceil(x), math.trunc(x))

    _, oplist = ops(f)
    got = [n for n in names(oplist) if n.startswith("math.")]
    assert got == ["math.exp", "math.expm1", "math.log1p", "math.log10", "math.log2",
                   "math.cbrt", "math.fabs", "math.gamma", "math.lgamma", "math.erf",
                   "math.erfc", "math.asinh", "math.pow", "math.fmod", "math.hypot",
                   "math.isinf", "math.isfinite", "math.floor", "math.ceil", "math.trunc"]


def test_global_constants():
    def f(x):
        return x + G_INT + G_FLOAT + G_BOOL + G_NP32 + G_NPI32

    _, oplist = ops(f)
    consts = [(op.attributes["value"], op.results[0].type) for op in oplist
              if op.name == "arith.constant"]
    assert consts == [(7, I64), (0.25, F64), (True, BOOL), (1.5, F32), (-4, I32)]
    assert type(consts[3][0]) is float and type(consts[4][0]) is int


def test_global_tuple_constant():
    def f(x):
        a, (b, c) = G_TUPLE
        return a + b + x

    _, oplist = ops(f)
    assert names(oplist).count("tuple.make") == 2
    assert interp.run(f, 1.0) == f(1.0)


def test_closure_cells():
    k = 3
    scale = 0.5

    def inner(x):
        return x * k + scale

    _, oplist = ops(inner)
    consts = [op.attributes["value"] for op in oplist if op.name == "arith.constant"]
    assert consts == [3, 0.5]
    assert interp.run(inner, 2) == inner(2)


def test_closure_function_and_dispatcher_calls():
    def local_helper(a):
        return a * 2

    def f(x):
        return local_helper(x) + jitted_callee(x, c=2.0)

    _, oplist = ops(f)
    calls = [op for op in oplist if op.name == "func.call"]
    assert [c.attributes["callee"].name for c in calls] == ["local_helper", "callee"]
    assert calls[0].attributes["callee"].target is local_helper
    assert calls[1].attributes["callee"].target is callee
    assert isinstance(calls[1].attributes["callee"], SymbolRef)
    # a, b (default 3), c: bound to the callee's parameter order
    assert len(calls[1].operands) == 3
    assert all(c.results[0].type == UNKNOWN for c in calls)
    assert interp.run(f, 5) == f(5)


def test_build_function_unwraps_dispatcher():
    f = build_function(jitted_callee)
    assert f.name == "callee" and [a.name for a in f.args] == ["a", "b", "c"]


def test_builtins_become_py_ops():
    def f(a, b):
        return abs(a), min(a, b), max(a, b, 1), int(a), float(a), bool(a), round(a), \
            round(a, 1), divmod(a, b)

    _, oplist = ops(f)
    got = [n for n in names(oplist) if n.startswith("py.")]
    assert got == ["py.abs", "py.min", "py.max", "py.int", "py.float", "py.bool", "py.round",
                   "py.round", "py.divmod"]


def test_shadowed_builtin_is_a_call():
    def abs(x):  # noqa: A001 - a user function named like a builtin
        return x

    def f(x):
        return abs(x)

    _, oplist = ops(f)
    assert "func.call" in names(oplist) and "py.abs" not in names(oplist)


def test_module_attribute_function_call():
    import tests.frontend.test_resolve as here

    def f(x):
        return here.callee(x)

    _, oplist = ops(f)
    assert [op.attributes["callee"].target for op in oplist if op.name == "func.call"] == [callee]


def test_local_shadowing_global_name():
    def f(x):
        G_INT = x
        return G_INT

    _, oplist = ops(f)
    assert "arith.constant" not in names(oplist)
