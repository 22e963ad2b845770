"""Liveness: loops carry, and ifs yield, only the variables a later read needs (frontend/
liveness.py). Each case checks the shape of the IR and runs it against CPython."""
import pytest

from ember.frontend import build_function

from .interp import Interpreter
from .structure import check_structure


def build(fn):
    f = build_function(fn)
    check_structure(f)
    return f


def ops(f, name):
    return [op for op in f.walk() if op.name == name]


def carried(loop):
    """Names of the values a loop carries (its results)."""
    return [r.name for r in loop.results]


def same_as_cpython(fn, *arg_lists):
    ir = build(fn)
    for args in arg_lists:
        assert Interpreter().call(ir, list(args)) == fn(*args), args


# ---- what is carried / yielded -----------------------------------------------------------

def test_body_temporaries_are_local():
    def f(n):
        s = 0.0
        for i in range(n):
            for j in range(n):
                d = i - j          # a temporary: dead at the end of each iteration
                s += d * d
        return s

    ir = build(f)
    assert "py.undef" not in [op.name for op in ir.walk()]
    outer, inner = ops(ir, "scf.for")
    assert carried(outer) == ["s"] and carried(inner) == ["s"]
    same_as_cpython(f, (0,), (1,), (4,))


def test_if_yields_only_live_names():
    def f(a, b):
        c = a
        if a > b:
            t = a * 2     # t is dead after the if
            c = t + 1
        else:
            t = b
            c = t - 1
        return c

    ir = build(f)
    (ifop,) = ops(ir, "scf.if")
    assert [r.name for r in ifop.results] == ["c"]
    same_as_cpython(f, (3, 1), (1, 3))


def test_upward_exposed_read_is_carried():
    def f(n):
        prev = 0
        total = 0
        for i in range(n):
            total += prev    # reads the previous iteration's value
            prev = i * i
        return total

    ir = build(f)
    (loop,) = ops(ir, "scf.for")
    assert carried(loop) == ["total", "prev"]
    same_as_cpython(f, (0,), (5,))


def test_while_test_read_is_carried():
    def f(x):
        y = x
        while y > 1:
            z = y / 2        # local
            y = z
        return 0

    ir = build(f)
    (loop,) = ops(ir, "scf.while")
    assert carried(loop) == ["y"]
    same_as_cpython(f, (10.0,), (0.5,))


def test_next_iteration_of_enclosing_loop():
    def f(n):
        acc = 0
        last = 0
        for i in range(n):
            acc += last         # last: from the inner loop of the previous outer iteration
            for j in range(i):
                last = j
        return acc

    ir = build(f)
    outer, inner = ops(ir, "scf.for")
    assert carried(outer) == ["acc", "last"]
    assert carried(inner) == ["last"]
    same_as_cpython(f, (0,), (5,))


def test_read_after_enclosing_loop():
    def f(n):
        m = -1
        for i in range(n):
            for j in range(n):
                if i * j > 3:
                    m = i + j
        return m

    ir = build(f)
    outer, inner = ops(ir, "scf.for")
    assert carried(outer) == ["m"] and carried(inner) == ["m"]
    same_as_cpython(f, (0,), (3,))


def test_for_target_live_in_else_clause():
    def f(n):
        s = 0
        for i in range(n):
            s += 1
        else:
            s += 10 * i if n > 0 else 0
        return s

    ir = build(f)
    (loop,) = ops(ir, "scf.for")
    assert carried(loop) == ["i", "s"]
    same_as_cpython(f, (0,), (4,))


# ---- semantics kept: break / continue / return and possibly-unbound names ------------------

def test_value_set_before_break_survives():
    def f(n, p):
        x = 0
        i = 0
        while i < n:
            i += 1
            if i == p:
                x = 100 + i
                break
            x = i       # skipped on the break path
        return x

    same_as_cpython(f, (5, 3), (5, 9), (0, 1))


def test_value_set_before_continue_reaches_next_iteration():
    def f(n):
        x = 0
        s = 0
        for i in range(n):
            s += x
            if i % 2 == 0:
                x = i
                continue
            x = -i
        return s

    same_as_cpython(f, (0,), (6,))


def test_value_set_before_return_in_loop():
    def f(n):
        t = 0
        for i in range(n):
            t = i * 3
            if t > 7:
                return t
            t = t + 1
        return -t

    same_as_cpython(f, (0,), (2,), (9,))


def test_possibly_unbound_read_later_gets_undef_on_that_path():
    def f(a):
        if a > 0:
            d = a
        if a > 0:
            return d
        return 0

    ir = build(f)
    first_if = ops(ir, "scf.if")[0]
    assert [r.name for r in first_if.results] == ["d"]
    assert any(op.name == "py.undef" for op in first_if.regions[1].block.ops)
    same_as_cpython(f, (2,), (-1,))


@pytest.mark.parametrize("n", [0, 3])
def test_possibly_unbound_after_loop(n):
    def f(n):
        for i in range(n):
            last = i
        if n > 0:
            return last
        return -1

    ir = build(f)
    (loop,) = ops(ir, "scf.for")
    assert carried(loop) == ["last"]  # the target i is dead after the loop
    assert Interpreter().call(ir, [n]) == f(n)
