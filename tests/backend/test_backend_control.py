"""scf.if / scf.for / scf.while, tuples and calls (with error propagation) run natively."""
from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.ir.core import SymbolRef
from ember.ir.types import BOOL, F64, I64, NONE, TupleType
from tests.backend.native import Native, compile_native, func, region

I64_MIN, I64_MAX = -(2 ** 63), 2 ** 63 - 1
T3 = TupleType((I64, I64, I64))


def wrap(v: int) -> int:
    v &= 2 ** 64 - 1
    return v - 2 ** 64 if v >= 2 ** 63 else v


def range_stats(lb: int, ub: int, step: int) -> tuple[int, int, int]:
    """(count, wrapped sum, last iv or -7) of range(lb, ub, step), as the IR loop computes it."""
    count = max(0, (ub - lb + step - (1 if step > 0 else -1)) // step)
    if count > 10 ** 6:
        return count, None, None  # type: ignore[return-value]
    r = range(lb, ub, step)
    return count, wrap(sum(r)), (r[-1] if count else -7)


def loop_func(step: int | None) -> Native:
    """f(lb, ub, step) -> (count, sum, last) by one scf.for; `step` constant unless None."""
    def body(b, lb, ub, st_arg):
        s = b.constant(step, I64) if step is not None else st_arg
        zero, minus7 = b.constant(0, I64), b.constant(-7, I64)

        def loop(lb_, iv, n, acc, last):
            one = lb_.constant(1, I64)
            return [lb_.value("arith.addi", [n, one], I64), lb_.value("arith.addi", [acc, iv], I64), iv]
        op = b.op("scf.for", [lb, ub, s, zero, zero, minus7], [I64, I64, I64],
                  regions=[region(loop, [I64, I64, I64, I64])])
        return b.value("tuple.make", list(op.results), T3)
    return compile_native(func("f", [I64, I64, I64], T3, body))


@lru_cache(maxsize=None)
def loop(step: int | None) -> Native:
    return loop_func(step)


CASES = [(0, 10), (10, 0), (0, 0), (-5, 5), (5, -5), (3, 4), (I64_MAX - 10, I64_MAX),
         (I64_MIN, I64_MIN + 10), (I64_MIN + 10, I64_MIN), (I64_MAX, I64_MAX - 10)]


@pytest.mark.parametrize("step", [1, -1, 2, -2, 3, -3, 7, 2 ** 62, -(2 ** 62), I64_MAX, I64_MIN])
def test_for_constant_steps(step):
    n = loop(step)
    for lb, ub in CASES + [(0, I64_MAX), (I64_MAX, 0), (I64_MIN, I64_MAX), (I64_MAX, I64_MIN)]:
        want = range_stats(lb, ub, step)
        if want[0] > 10 ** 6:
            continue
        assert n(lb, ub, 0) == want, (lb, ub, step)


def test_for_near_int64_end_terminates():
    # range(0, INT64_MAX, 2**62) has 2 iterations; a naive `iv < ub; iv += step` wraps forever.
    assert loop(2 ** 62)(0, I64_MAX, 0) == range_stats(0, I64_MAX, 2 ** 62)
    assert loop(None)(0, I64_MAX, 2 ** 62) == range_stats(0, I64_MAX, 2 ** 62)
    assert loop(None)(I64_MIN, I64_MAX, I64_MAX) == range_stats(I64_MIN, I64_MAX, I64_MAX)
    assert loop(None)(I64_MAX, I64_MIN, I64_MIN) == range_stats(I64_MAX, I64_MIN, I64_MIN)


@settings(max_examples=200, deadline=None)
@given(lb=st.integers(-300, 300), ub=st.integers(-300, 300),
       step=st.integers(-40, 40).filter(lambda s: s != 0))
def test_for_runtime_step(lb, ub, step):
    assert loop(None)(lb, ub, step) == range_stats(lb, ub, step)


@settings(max_examples=100, deadline=None)
@given(lb=st.integers(I64_MIN, I64_MAX), step=st.sampled_from([1, -1, 3, -3, 2 ** 40, -(2 ** 40)]),
       k=st.integers(0, 20))
def test_for_anywhere_in_i64(lb, step, k):
    ub = lb + k * step
    if not I64_MIN <= ub <= I64_MAX:
        return
    assert loop(None)(lb, ub, step) == range_stats(lb, ub, step)
    assert loop(step)(lb, ub, 0) == range_stats(lb, ub, step)


def collatz() -> Native:
    """Steps of the Collatz sequence from n to 1, with a while loop and an if inside it."""
    def body(b, n):
        def before(bb, x, steps):
            one = bb.constant(1, I64)
            return [bb.value("arith.cmpi", [x, one], BOOL, {"predicate": "sgt"}), x, steps]

        def after(ab, x, steps):
            two = ab.constant(2, I64)
            one = ab.constant(1, I64)
            even = ab.value("arith.cmpi", [ab.value("arith.floormodsi", [x, two], I64),
                                           ab.constant(0, I64)], BOOL, {"predicate": "eq"})
            then = region(lambda tb: [tb.value("arith.floordivsi", [x, two], I64)])
            other = region(lambda eb: [eb.value("arith.addi", [
                eb.value("arith.muli", [x, eb.constant(3, I64)], I64), one], I64)])
            nxt = ab.op("scf.if", [even], [I64], regions=[then, other]).result
            return [nxt, ab.value("arith.addi", [steps, one], I64)]
        w = b.op("scf.while", [n, b.constant(0, I64)], [I64, I64],
                 regions=[region(before, [I64, I64], "scf.condition"), region(after, [I64, I64])])
        return w.results[1]
    return compile_native(func("f", [I64], I64, body))


def test_while_with_if():
    def py(n):
        s = 0
        while n > 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            s += 1
        return s
    n = collatz()
    for x in (1, 2, 3, 7, 27, 97, 871, 0, -5):
        assert n(x) == py(x)


def test_nested_ifs_and_none_yield():
    """sign-and-size: nested scf.if yielding floats; an if with no results too."""
    def body(b, x):
        zero = b.constant(0.0, F64)
        neg = b.value("arith.cmpf", [x, zero], BOOL, {"predicate": "olt"})

        def pos_branch(pb):
            big = pb.value("arith.cmpf", [x, pb.constant(100.0, F64)], BOOL, {"predicate": "ogt"})
            inner = pb.op("scf.if", [big], [F64], regions=[
                region(lambda t: [t.constant(2.0, F64)]), region(lambda e: [e.constant(1.0, F64)])])
            return [inner.result]
        b.op("scf.if", [neg], [], regions=[region(lambda t: []), region(lambda e: [])])
        return b.op("scf.if", [neg], [F64], regions=[
            region(lambda t: [t.constant(-1.0, F64)]), region(pos_branch)]).result
    n = compile_native(func("f", [F64], F64, body))
    assert [n(v) for v in (-3.0, 0.0, 50.0, 1e3)] == [-1.0, 1.0, 1.0, 2.0]


def test_tuples_with_bools_and_zero_trip_loops():
    t = TupleType((BOOL, F64, TupleType((I64, BOOL))))

    def body(b, x, flag):
        inner = b.value("tuple.make", [x, flag], TupleType((I64, BOOL)))
        fx = b.value("arith.sitofp", [x], F64)
        whole = b.value("tuple.make", [flag, fx, inner], t)
        got = b.value("tuple.get", [whole], TupleType((I64, BOOL)), {"index": 2})
        back = b.value("tuple.get", [got], BOOL, {"index": 1})
        return b.value("tuple.make", [back, fx, inner], t)
    n = compile_native(func("f", [I64, BOOL], t, body))
    assert n(5, True) == (True, 5.0, (5, True))
    assert n(-2, False) == (False, -2.0, (-2, False))
    assert loop(1)(5, 5, 0) == (0, 0, -7)
    assert loop(None)(5, 5, -1) == (0, 0, -7)


def test_calls_propagate_errors():
    """checked_div asserts its divisor is nonzero; the entry calls it twice and a none helper."""
    callee = func("checked_div", [I64, I64], I64, lambda b, x, y: (
        b.op("cf.assert", [b.value("arith.cmpi", [y, b.constant(0, I64)], BOOL, {"predicate": "ne"})],
             [], {"exc": "ZeroDivisionError", "msg": "integer division or modulo by zero"}),
        b.value("arith.floordivsi", [x, y], I64))[1])
    pair = func("pair", [I64], TupleType((I64, BOOL)), lambda b, x: b.value(
        "tuple.make", [x, b.value("arith.cmpi", [x, b.constant(0, I64)], BOOL, {"predicate": "slt"})],
        TupleType((I64, BOOL))))

    def check_pos(b, x):
        ok = b.value("arith.cmpi", [x, b.constant(0, I64)], BOOL, {"predicate": "sge"})
        b.op("cf.assert", [ok], [], {"exc": "ValueError", "msg": "negative"})
        return None
    none_fn = func("check_pos", [I64], NONE, check_pos)

    def entry(b, x, y):
        q = b.op("func.call", [x, y], [I64], {"callee": SymbolRef("checked_div")}).result
        b.op("func.call", [q], [], {"callee": SymbolRef("check_pos")})
        p = b.op("func.call", [q], [TupleType((I64, BOOL))], {"callee": SymbolRef("pair")}).result
        first = b.value("tuple.get", [p], I64, {"index": 0})
        return b.op("func.call", [first, b.constant(2, I64)], [I64], {"callee": SymbolRef("checked_div")}).result
    n = compile_native(func("main", [I64, I64], I64, entry), callee, pair, none_fn)
    assert n(20, 3) == 3
    with pytest.raises(ZeroDivisionError, match="by zero"):
        n(1, 0)
    with pytest.raises(ValueError, match="negative"):
        n(-20, 3)
    assert sorted(n.cf.error_table) == sorted({("ZeroDivisionError", "integer division or modulo by zero"),
                                               ("ValueError", "negative")})
    # callees are internal: only the entry is visible
    assert "internal" in n.cf.llvm_ir and 'define i32 @"ember.fn.main"' in n.cf.llvm_ir


def test_none_entry():
    def body(b, x):
        ok = b.value("arith.cmpf", [x, b.constant(0.0, F64)], BOOL, {"predicate": "oge"})
        b.op("cf.assert", [ok], [], {"exc": "AssertionError", "msg": ""})
        return None
    n = compile_native(func("f", [F64], NONE, body))
    assert n(1.0) is None
    with pytest.raises(AssertionError):
        n(-1.0)
