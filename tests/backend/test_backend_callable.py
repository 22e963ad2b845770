"""compile_module with the CPython wrapper: the builtin from make_callable runs the
native code, raises the error table's exceptions, and hands mismatches to the fallback."""
from __future__ import annotations

import pytest

from ember.backend import compile_module
from ember.ir.core import Module
from ember.ir.types import BOOL, F64, I64, TupleType
from tests.backend.native import func


def fallback(*args, **kwargs):
    return ("fallback", args)


def test_make_callable_divides_and_raises():
    def body(b, x, y):
        nz = b.value("arith.cmpi", [y, b.constant(0, I64)], BOOL, {"predicate": "ne"})
        b.op("cf.assert", [nz], [], {"exc": "ZeroDivisionError", "msg": "integer division or modulo by zero"})
        q = b.value("arith.floordivsi", [x, y], I64)
        r = b.value("arith.floormodsi", [x, y], I64)
        return b.value("tuple.make", [q, r], TupleType((I64, I64)))
    cf = compile_module(Module([func("dm", [I64, I64], TupleType((I64, I64)), body)]), "dm")
    dm = cf.make_callable(fallback)
    for x, y in ((7, 2), (-7, 2), (7, -2), (-(2 ** 63), -1)):
        want = (x // y, x % y) if (x, y) != (-(2 ** 63), -1) else (-(2 ** 63), 0)
        assert dm(x, y) == want
    with pytest.raises(ZeroDivisionError, match="by zero"):
        dm(1, 0)
    assert dm(1.5, 2) == ("fallback", (1.5, 2))


def test_make_callable_float():
    cf = compile_module(Module([func("h", [F64, F64], F64, lambda b, x, y: b.value(
        "math.hypot", [x, y], F64))]), "h")
    h = cf.make_callable(fallback)
    assert h(3.0, 4.0) == 5.0


def test_method_defs_outlive_the_module_at_exit():
    # A builtin still alive while the interpreter tears down ember's modules reads its
    # PyMethodDef when it is deallocated: each def holds one reference nobody releases
    # (a process with JAX loaded crashed at exit about one run in two without it).
    import sys

    from ember.backend import callable as cb

    def body(b, x, y):
        return b.value("arith.addf", [x, y], F64)

    cf = compile_module(Module([func("addx", [F64, F64], F64, body)]), "addx", {"tiered": False})
    assert cf.make_callable(fallback)(1.0, 2.5) == 3.5
    d = cb._defs[(cf.wrapper_address, cf.name)]
    # references: the dict, getrefcount's argument, the local name, and the leaked one
    assert sys.getrefcount(d) == 4
