"""Formatted cf.assert messages: the failing check stores its i64 operands in the runtime's
`ember_rt_err_args`, and `ember_rt_raise` formats the table entry with them, through the
CPython wrapper, exactly as NumPy and CPython word their errors."""
from __future__ import annotations

import pytest

from ember.backend import compile_module, runtime_helpers as rt
from ember.backend.errors_table import ErrorTable, format_message, python_message
from ember.ir.core import Module
from ember.ir.types import BOOL, I64
from tests.backend.native import func

INDEX_MSG = "index {} is out of bounds for axis {} with size {}"


def checked_index(exc: str = "IndexError", msg: str = INDEX_MSG, nargs: int = 3):
    """f(i, n) -> i, raising exc(msg.format(i, 0, n)) unless -n <= i < n (wrapper built)."""
    def body(b, i, n):
        zero = b.constant(0, I64)
        lo = b.value("arith.cmpi", [i, b.value("arith.subi", [zero, n], I64)], BOOL, {"predicate": "sge"})
        hi = b.value("arith.cmpi", [i, n], BOOL, {"predicate": "slt"})
        ok = b.value("arith.andi", [lo, hi], BOOL)
        b.op("cf.assert", [ok, i, zero, n][:1 + nargs], attributes={"exc": exc, "msg": msg})
        return i
    cf = compile_module(Module([func("f", [I64, I64], I64, body)]), "f")
    return cf.make_callable(lambda *a: ("fallback", a))


def test_index_error_names_index_axis_and_size():
    f = checked_index()
    assert f(2, 3) == 2 and f(-3, 3) == -3
    for i, n in [(3, 3), (-4, 3), (2**63 - 1, 5), (-(2**63), 1), (0, 0)]:
        with pytest.raises(IndexError) as info:
            f(i, n)
        assert str(info.value) == f"index {i} is out of bounds for axis 0 with size {n}"


def test_percent_braces_and_unicode_are_literal():
    msg = "50% of {} {x} ü }{ %d %lld"
    f = checked_index("ValueError", msg, nargs=1)
    with pytest.raises(ValueError) as info:
        f(7, 1)
    assert str(info.value) == msg.replace("{}", "7", 1)


def test_plain_messages_are_unchanged():
    f = checked_index("AssertionError", "{weird} 100%", nargs=0)
    with pytest.raises(AssertionError) as info:
        f(9, 1)
    assert str(info.value) == "{weird} 100%"


def test_table_formats_and_python_rendering():
    t = ErrorTable()
    assert t.code("IndexError", INDEX_MSG) == t.code("IndexError", INDEX_MSG) == 1
    assert t.code("ValueError", "a {b}") == 2
    assert t.entries[1] == ("ValueError", "a {{b}}")
    assert python_message(format_message(INDEX_MSG), [5, 1, 3]) == "index 5 is out of bounds for axis 1 with size 3"
    assert python_message(format_message("{} and {}"), [1, 2, 99]) == "1 and 2"


def test_failing_check_stores_its_arguments():
    from tests.backend.test_backend_array_kit import ArrayNative

    def body(b, i, n):
        ok = b.value("arith.cmpi", [i, n], BOOL, {"predicate": "slt"})
        b.op("cf.assert", [ok, i, n, i], attributes={"exc": "IndexError", "msg": "{} {} {}"})
        return i
    f = ArrayNative(func("f", [I64, I64], I64, body))
    with pytest.raises(IndexError, match="^12 4 12$"):
        f(12, 4)
    assert rt.error_args()[:3] == [12, 4, 12]
