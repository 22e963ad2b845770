"""Type inference of real Python functions, through the frontend (`build_function`)."""
from __future__ import annotations

import math

import pytest

from ember.frontend import build_function
from ember.ir.errors import TypingError
from ember.ir.types import BOOL, F64, I64, TupleType
from ember.ir.verifier import verify_module
from ember.typeinfer import infer_module

from tests.helpers import assert_roundtrip

from .untyped import ops_named


def compile_types(fn, *types):
    cache: dict = {}

    def get(pyfunc):
        if pyfunc not in cache:
            cache[pyfunc] = build_function(pyfunc)
        return cache[pyfunc]
    m, sym = infer_module(get(fn), list(types), get)
    verify_module(m, typed=True)
    assert_roundtrip(m)
    return m, m[sym]


def accumulate(x, n):
    s = 0
    for i in range(n):
        s += x / (i + 1)
    return s


def scale(a, b):
    return a * b + 1


def uses_helper(x, k):
    y = 0
    while k > 0 and y < 100:
        y = y * 2 + scale(x, k)
        k -= 1
    return y


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def mixed_returns(x):
    if x > 0:
        return 1
    return 0.5


def conflict(c, a):
    x = a * 2.0
    if c:
        x = (1, 2)
    return x


def math_stuff(x, n):
    return math.sqrt(abs(x)) + min(x, n) + round(x, 2) // 3 + math.floor(x)


def pairs(a, b):
    q, r = divmod(a, b)
    return q, r


def test_accumulate_promotes_loop_carried_sum():
    m, f = compile_types(accumulate, F64, I64)
    (loop,) = ops_named(f, "scf.for")
    assert F64 in [r.type for r in loop.results]
    assert f.return_type == F64
    m, f = compile_types(accumulate, I64, I64)
    assert f.return_type == F64  # `/` is always float


def test_helper_specialized_in_while_loop():
    m, f = compile_types(uses_helper, F64, I64)
    assert f.return_type == F64
    assert "scale__f64_i64" in m.funcs


def test_recursive_fib():
    m, f = compile_types(fib, I64)
    assert f.name == "fib" and list(m.funcs) == ["fib"] and f.return_type == I64
    m, f = compile_types(fib, F64)
    assert f.return_type == F64


def test_mixed_returns_are_float():
    m, f = compile_types(mixed_returns, I64)
    assert f.return_type == F64


def test_conflict_error_names_variable_and_lines():
    with pytest.raises(TypingError) as e:
        compile_types(conflict, BOOL, F64)
    msg = str(e.value)
    first = conflict.__code__.co_firstlineno
    assert "variable 'x'" in msg
    assert f"line {first + 1}" in msg and f"line {first + 3}" in msg


def test_math_and_builtins():
    m, f = compile_types(math_stuff, F64, I64)
    assert f.return_type == F64
    assert ops_named(f, "math.check") and ops_named(f, "math.roundeven")


def test_divmod_tuple():
    m, f = compile_types(pairs, I64, I64)
    assert f.return_type == TupleType((I64, I64))
