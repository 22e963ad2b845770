"""ownership on records (literal-key dicts) holding arrays: a reference-count simulation.

The array interpreter of tests/passes/array_interp.py, taught the three record ops, runs
hand-written IR after the array pipeline and `ownership`: every buffer's count must end at 0
except a returned one's (1), and no count may go below 0 or a freed buffer be read."""
from __future__ import annotations

import numpy as np
import pytest

from ember.ir.builder import Builder
from ember.ir.core import Block, Operation, Region, Value
from ember.ir.opdefs import record_keys
from ember.ir.printer import print_module
from ember.ir.types import BOOL, F64, I64, RecordType, Type
from tests.passes.array_build import A1, amap, addf, func, lower, module
from tests.passes.array_interp import Interp, Ref
from tests.passes.build import ops_named

R = RecordType(("a", "k"), (A1, F64))


class RecordInterp(Interp):
    """Records as Python dicts (values: a write makes a new dict)."""

    def op(self, op: Operation, env: dict) -> None:
        vals = [env[v] for v in op.operands]
        if op.name == "record.make":
            env[op.results[0]] = dict(zip(record_keys(op.attributes["keys"]), vals))
        elif op.name == "record.get":
            env[op.results[0]] = vals[0][str(op.attributes["key"])]
        elif op.name == "record.set":
            env[op.results[0]] = {**vals[0], str(op.attributes["key"]): vals[1]}
        else:
            super().op(op, env)


def double(b: Builder, x: Value) -> Value:
    return amap(b, [x], A1, lambda bb, u: bb.value("arith.mulf", [u, bb.constant(2.0, F64)], F64))


def make(b: Builder, a: Value, k: Value, t: Type = R) -> Value:
    return b.value("record.make", [a, k], t, {"keys": "a,k"})


def get(b: Builder, r: Value, key: str) -> Value:
    assert isinstance(r.type, RecordType)
    return b.value("record.get", [r], r.type.field(key), {"key": key})


def put(b: Builder, r: Value, key: str, v: Value) -> Value:
    return b.value("record.set", [r, v], r.type, {"key": key})


def run_counted(m, args, returned_refs):
    """Run @f after the pipeline; every buffer ends at 0 but those returned (1)."""
    lowered = lower(m)
    it = RecordInterp(lowered)
    out = it.call("f", args)
    kept = {id(r.buf) for r in returned_refs(out) if r.buf is not None}
    for buf in it.buffers:
        assert buf.count == (1 if id(buf) in kept else 0), print_module(lowered)
    return out, it


def test_returned_record_keeps_its_fresh_array_and_the_argument():
    # {"a": 2x, "k": 1.0} then {"a": x}: the argument is retained when stored, the
    # replaced fresh array is released by the set
    def body(b, x):
        r = make(b, double(b, x), b.constant(1.0, F64))
        s = get(b, r, "a")
        total = amap(b, [s, s], A1, addf)
        r2 = put(b, r, "k", b.constant(3.0, F64))
        return put(b, r2, "a", total)
    m = module(func("f", [A1], R, body))
    out, it = run_counted(m, [np.arange(3.0)], lambda o: [o["a"]])
    assert np.array_equal(out["a"].a, np.arange(3.0) * 4) and out["k"] == 3.0
    assert len(it.buffers) == 2  # 2x (freed by the set) and the sum (returned)


def test_field_read_before_a_set_outlives_it():
    # old = r["a"]; r["a"] = x; return old + r["a"]: `old` is borrowed from r, which is
    # kept alive (retained before the set consumes it) until old's last use
    def body(b, x):
        r = make(b, double(b, x), b.constant(1.0, F64))
        old = get(b, r, "a")
        r2 = put(b, r, "a", x)
        return amap(b, [old, get(b, r2, "a")], A1, addf)
    m = module(func("f", [A1], A1, body))
    out, _ = run_counted(m, [np.arange(3.0)], lambda o: [o])
    assert np.array_equal(out.a, np.arange(3.0) * 3)


def test_loop_carries_a_record_and_reads_fields_without_counting():
    def body(b, x, n):
        r = make(b, double(b, x), b.constant(0.5, F64))
        blk = Block([I64, R])
        with b.at(blk):
            cur = blk.args[1]
            a = get(b, cur, "a")
            b.op("scf.yield", [put(b, cur, "a", amap(b, [a, a], A1, addf))])
        (res,) = b.op("scf.for", [b.constant(0, I64), n, b.constant(1, I64), r], [R],
                      regions=[Region([blk])]).results
        return get(b, res, "a")
    m = module(func("f", [A1, I64], A1, body))
    for n in (0, 1, 4):
        out, it = run_counted(m, [np.ones(2), n], lambda o: [o])
        assert np.array_equal(out.a, np.ones(2) * 2 * 2 ** n)
    (loop,) = [o for o in ops_named(m, "scf.for") if o.results]
    # the reads in the body are borrowed: the only counting is the set's release of the old field
    body_ops = [o.name for o in loop.regions[0].blocks[0].ops]
    assert body_ops.count("array.retain") == 0 and body_ops.count("array.release") == 1


@pytest.mark.parametrize("flag", [True, False])
def test_if_returns_a_field_of_a_record_or_a_fresh_array(flag):
    def body(b, x, c):
        r = make(b, double(b, x), b.constant(1.0, F64))
        regions = []
        for arm in (lambda bb: get(bb, r, "a"), lambda bb: double(bb, x)):
            blk = Block()
            with b.at(blk):
                b.op("scf.yield", [arm(b)])
            regions.append(Region([blk]))
        return b.op("scf.if", [c], [A1], regions=regions).result
    m = module(func("f", [A1, BOOL], A1, body))
    out, _ = run_counted(m, [np.arange(3.0), flag], lambda o: [o])
    assert np.array_equal(out.a, np.arange(3.0) * 2)
