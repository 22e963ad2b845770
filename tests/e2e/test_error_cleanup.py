"""Nothing leaks when compiled code raises: the arrays, lists and dicts a function (and
every caller up the chain, and every loop level) owns at the failing point are released
(ir/passes/error_cleanup.py). Each case raises many times and checks the runtime's count of
live blocks, and that results and exceptions still equal CPython's.
"""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.backend import runtime_helpers as rt
from ember.ir.parser import parse_module
from ember.ir.printer import print_module


def temporaries_then_bad_index(x, i):
    a = np.zeros(3) + x
    b = a * 2.0
    return b[i]


def temporaries_in_loop(n, i):
    xs = [0.5] * n
    t = (np.ones(2), xs)
    s = 0.0
    for k in range(n):
        tmp = np.ones(3)
        s += tmp[i] + t[1][k]
    return s


def dict_of_lists_missing_key(n):
    d = {}
    for k in range(n):
        d[k] = [k * 1.0]
    return d[n - 1][0]


def _helper_raises(a, k):
    b = a + 1.0
    if k > 2:
        raise ValueError("k too big")
    return b.sum()


def caller_owns_arrays(k):
    a = np.ones(4)
    c = np.arange(4.0)
    return _helper_raises(a, k) + c[0]


def caught_inside_loop(n, i):
    s = 0.0
    for k in range(n):
        a = np.ones(3)
        try:
            s += a[i + k]
        except IndexError:
            s -= 1.0
    return s


def raise_in_nested_loops(n):
    out = 0.0
    for i in range(n):
        row = np.zeros(n)
        for j in range(n):
            col = np.ones(2)
            if i * j > 6:
                raise RuntimeError(f"stop at {i}, {j}")
            row[j] = col[0] + i
        out += row.sum()
    return out


CASES = [
    (temporaries_then_bad_index, (1.0, 1), (1.0, 5)),
    (temporaries_in_loop, (3, 1), (3, 7)),
    (dict_of_lists_missing_key, (3,), (0,)),
    (caller_owns_arrays, (1,), (5,)),
    (caught_inside_loop, (5, 0), (5, 0)),
    (raise_in_nested_loops, (2,), (5,)),
]


def outcome(fn, args):
    try:
        return ("value", fn(*args))
    except Exception as e:  # compared with CPython's
        return ("raise", type(e), str(e))


@pytest.mark.parametrize("fn, good, bad", CASES, ids=[c[0].__name__ for c in CASES])
def test_raising_calls_do_not_leak(fn, good, bad):
    fast = ember.jit(fn)
    assert outcome(fast, good) == outcome(fn, good)
    assert outcome(fast, bad) == outcome(fn, bad)
    before = rt.live_blocks()
    for _ in range(30):
        outcome(fast, bad)
    assert rt.live_blocks() == before
    text = fast.inspect_ir("optimized")
    assert print_module(parse_module(text)) == text


def handler_ignores_the_body_array(n, bad):
    total = 0.0
    try:
        a = np.arange(float(n))
        total = a[bad] * 2.0
    except IndexError:
        total = -1.0
    return total


def test_try_body_array_the_handler_does_not_read_is_released():
    fast = ember.jit(handler_ignores_the_body_array)
    for args in ((4, 1), (4, 9)):
        assert outcome(fast, args) == outcome(handler_ignores_the_body_array, args)
    before = rt.live_blocks()
    for _ in range(30):
        fast(4, 9)
    assert rt.live_blocks() == before
