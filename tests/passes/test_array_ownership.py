"""ownership: a reference-count simulation over the IR after the whole array pipeline.

Every allocation's count must reach 0 except the returned array's (1: the caller's
reference), none may go below 0 or be used after it is freed (the interpreter asserts)."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.builder import Builder
from ember.ir.core import Block, Region, SymbolRef, Value
from ember.ir.passes import ownership
from ember.ir.printer import print_module
from ember.ir.types import BOOL, F64, I64, NONE
from tests.passes.array_build import A1, A1A, A2, amap, addf, areduce, dim, func, lower, module
from tests.passes.array_interp import Interp, Ref
from tests.passes.build import ops_named


def double(b: Builder, x: Value) -> Value:
    return amap(b, [x], A1, lambda bb, u: bb.value("arith.mulf", [u, bb.constant(2.0, F64)], F64))


def scf_for(b: Builder, n: Value, inits: list[Value], body) -> list[Value]:
    blk = Block([I64] + [v.type for v in inits])
    with b.at(blk):
        b.op("scf.yield", body(b, blk.args[0], *blk.args[1:]))
    return list(b.op("scf.for", [b.constant(0, I64), n, b.constant(1, I64)] + inits,
                     [v.type for v in inits], regions=[Region([blk])]).results)


def scf_if(b: Builder, cond: Value, then, other, types) -> list[Value]:
    regions = []
    for arm in (then, other):
        blk = Block()
        with b.at(blk):
            b.op("scf.yield", arm(b))
        regions.append(Region([blk]))
    return list(b.op("scf.if", [cond], types, regions=regions).results)


def total(b: Builder, x: Value) -> Value:
    return areduce(b, x, b.constant(0.0, F64), F64, -1, addf)


def run_counted(m, name, args):
    """Run @name after the pipeline; check every count; return (result, interpreter)."""
    lowered = lower(m)
    it = Interp(lowered)
    out = it.call(name, args)
    returned = out.buf if isinstance(out, Ref) else None
    for buf in it.buffers:
        assert buf.count == (1 if buf is returned else 0), print_module(lowered)
    return out, it


def test_returned_map_keeps_one_reference():
    m = module(func("f", [A1], A1, lambda b, x: amap(b, [double(b, x), x], A1, addf)))
    out, it = run_counted(m, "f", [np.arange(3.0)])
    assert np.array_equal(out.a, np.arange(3.0) * 3)


@pytest.mark.parametrize("n", [0, 1, 5])
def test_loop_overwrites_array_each_iteration(n):
    """x = x * 2 in a loop: each iteration's old array is freed."""
    def body(b, x, k):
        return scf_for(b, k, [x], lambda bb, i, y: [double(bb, y)])[0]
    m = module(func("f", [A1, I64], A1, body))
    out, it = run_counted(m, "f", [np.arange(3.0), n])
    assert np.array_equal(out.a if isinstance(out, Ref) else out, np.arange(3.0) * 2 ** n)
    assert len(it.buffers) == n


@pytest.mark.parametrize("n", [0, 3])
def test_loop_from_fresh_array_and_value_also_read_inside(n):
    """The init is fresh and also read (borrowed) inside the loop: it must outlive the loop."""
    def body(b, x, k):
        y0 = double(b, x)
        r = scf_for(b, k, [y0], lambda bb, i, y: [amap(bb, [y, y0], A1, addf)])[0]
        return amap(b, [r, y0], A1, addf)
    m = module(func("f", [A1, I64], A1, body))
    out, _ = run_counted(m, "f", [np.arange(3.0), n])
    y0 = np.arange(3.0) * 2
    assert np.array_equal(out.a, y0 * (n + 2))


@pytest.mark.parametrize("flag", [True, False])
def test_if_yields_fresh_array_or_argument(flag):
    def body(b, x, c):
        return scf_if(b, c, lambda bb: [double(bb, x)], lambda bb: [x], [A1])[0]
    m = module(func("f", [A1, BOOL], A1, body))
    x = np.arange(3.0)
    out, it = run_counted(m, "f", [x, flag])
    assert np.array_equal(out.a, x * 2 if flag else x)
    if not flag:
        assert out.buf is None and out.a is x


def test_while_carries_array_until_its_sum_is_large():
    def body(b, x):
        before, after = Block([A1]), Block([A1])
        with b.at(before):
            s = total(b, before.args[0])
            b.op("scf.condition", [b.value("arith.cmpf", [s, b.constant(100.0, F64)], BOOL,
                                           {"predicate": "olt"}), before.args[0]])
        with b.at(after):
            b.op("scf.yield", [double(b, after.args[0])])
        return b.op("scf.while", [x], [A1], regions=[Region([before]), Region([after])]).result
    m = module(func("f", [A1], A1, body))
    out, it = run_counted(m, "f", [np.array([1.0, 2.0])])
    assert np.array_equal(out.a, [64.0, 128.0])
    assert len(it.buffers) == 6


def test_calls_borrow_arguments_and_return_owned_arrays():
    g = func("g", [A1], A1, lambda b, x: double(b, x))
    ident = func("ident", [A1], A1, lambda b, x: x)

    def body(b, x):
        y = b.value("func.call", [x], A1, {"callee": SymbolRef("g")})
        z = b.value("func.call", [y], A1, {"callee": SymbolRef("g")})
        w = b.value("func.call", [z], A1, {"callee": SymbolRef("ident")})
        b.value("func.call", [w], A1, {"callee": SymbolRef("g")})  # result unused
        return w
    m = module(func("f", [A1], A1, body), g, ident)
    out, it = run_counted(m, "f", [np.arange(3.0)])
    assert np.array_equal(out.a, np.arange(3.0) * 4)
    assert len(it.buffers) == 3


def test_view_of_fresh_array_keeps_its_base_alive():
    def body(b, x):
        y = double(b, x)
        one, n = b.constant(1, I64), dim(b, y, 0)
        k = b.value("arith.subi", [n, one], I64)
        return b.value("array.subview", [y, one, k, one], A1A, {"kinds": "s"})
    m = module(func("f", [A1], A1A, body))
    out, it = run_counted(m, "f", [np.arange(4.0)])
    assert np.array_equal(out.a, [2.0, 4.0, 6.0])
    assert len(it.buffers) == 1 and it.buffers[0].count == 1


def test_unused_and_scalar_only_uses_are_released():
    def body(b, x):
        double(b, x)  # unused
        t = amap(b, [x, x], A1, addf)
        return total(b, amap(b, [t, t], A1, addf))  # t used twice: not fused, freed after
    m = module(func("f", [A1], F64, body))
    out, it = run_counted(m, "f", [np.arange(3.0)])
    assert out == 12.0


def test_loop_yields_same_array_twice_and_carries_a_2d_array():
    def body(b, x, k):
        def step(bb, i, u, v):
            w = amap(bb, [u, v], A1, addf)
            return [w, w]
        u, v = scf_for(b, k, [x, x], step)
        return amap(b, [u, v], A1, addf)
    m = module(func("f", [A1, I64], A1, body))
    out, it = run_counted(m, "f", [np.arange(2.0), 3])
    assert np.array_equal(out.a, np.arange(2.0) * 16)


def test_none_returning_function_frees_everything():
    def body(b, x, y):
        t = double(b, x)
        from tests.passes.array_build import aassign
        aassign(b, y, [t, t], addf)
        return None
    m = module(func("f", [A1, A1], NONE, body))
    x, y = np.arange(3.0), np.zeros(3)
    out, it = run_counted(m, "f", [x, y])
    assert out is None and np.array_equal(y, x * 4)


def test_ownership_is_not_applied_twice():
    def body(b, x):
        t = double(b, x)
        return amap(b, [t, t], A1, addf)
    m = module(func("f", [A1], A1, body))
    lower(m)
    n = len(ops_named(m, "array.release"))
    assert n == 1
    ownership.run(m)
    assert len(ops_named(m, "array.release")) == n


def test_tuples_of_arrays_own_their_elements():
    """A returned tuple keeps its arrays; a tuple consumed twice (returned from both arms of
    an if and read again) retains each array; an array read out of a tuple is owned."""
    from ember.ir.types import TupleType
    T = TupleType((A1, F64, A1))

    def body(b, x, c):
        y = double(b, x)
        t = b.value("tuple.make", [y, b.constant(1.0, F64), x], T)
        u = scf_if(b, c, lambda bb: [t], lambda bb: [t], [T])[0]
        first = b.value("tuple.get", [u], A1, {"index": 0})
        z = amap(b, [first, first], A1, addf)
        return b.value("tuple.make", [z, b.constant(2.0, F64), first], T)
    m = module(func("f", [A1, BOOL], T, body))
    lowered = lower(m)
    it = Interp(lowered)
    out = it.call("f", [np.arange(3.0), True])
    assert np.array_equal(out[0].a, np.arange(3.0) * 4) and np.array_equal(out[2].a, np.arange(3.0) * 2)
    assert sorted(b.count for b in it.buffers) == [1, 1]
