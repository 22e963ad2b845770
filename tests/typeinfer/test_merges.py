"""Type inference of merges: if branches, loop-carried values, returns, undef, conflicts."""
from __future__ import annotations

import pytest

from ember.ir.errors import TypingError
from ember.ir.types import BOOL, F32, F64, I32, I64, NONE, TupleType
from ember.typeinfer.lattice import unify

from .untyped import UntypedBuilder, infer, op_names, ops_named


def test_unify_promotion():
    assert unify(BOOL, I64) == I64
    assert unify(I64, F64) == F64
    assert unify(I32, I64) == I64
    assert unify(F32, F64) == F64
    assert unify(I64, F32) == F64
    assert unify(TupleType((I64, BOOL)), TupleType((F64, I64))) == TupleType((F64, I64))
    assert unify(TupleType((I64,)), TupleType((I64, I64))) is None
    assert unify(TupleType((I64,)), F64) is None
    assert unify(NONE, F64) is None


def test_if_merge_promotes_int_branch_and_casts_before_yield():
    fb = UntypedBuilder("f", ["c"])
    (c,) = fb.args
    (x,) = fb.if_(c, lambda: [fb.const(1)], lambda: [fb.const(2.5)], ["x"], line=2)
    fb.ret(x)
    m, f = infer(fb, BOOL)
    (if_op,) = ops_named(f, "scf.if")
    assert if_op.results[0].type == F64 and if_op.results[0].name == "x"
    then_ops = [op.name for op in if_op.regions[0].block.ops]
    assert then_ops == ["arith.constant", "arith.sitofp", "scf.yield"]
    assert [op.name for op in if_op.regions[1].block.ops] == ["arith.constant", "scf.yield"]
    assert f.return_type == F64


def test_if_condition_goes_through_truth():
    fb = UntypedBuilder("f", ["x"])
    (x,) = fb.args
    (y,) = fb.if_(x, lambda: [fb.const(1)], lambda: [fb.const(0)], ["y"])
    fb.ret(y)
    m, f = infer(fb, F64)
    (cmp,) = ops_named(f, "arith.cmpf")
    assert cmp.attributes["predicate"] == "une"  # bool(nan) is True
    assert f.return_type == I64


def test_loop_carried_int_receiving_floats_is_f64_and_init_cast():
    fb = UntypedBuilder("f", ["x", "n"])
    x, n = fb.args
    s0 = fb.const(0, name="s", line=2)
    (s,) = fb.for_(fb.const(0), n, fb.const(1), [s0],
                   lambda i, s: [fb.py("add", s, x, name="s", line=4)], ["s"], line=3)
    fb.ret(s, line=5)
    m, f = infer(fb, F64, I64)
    (loop,) = ops_named(f, "scf.for")
    assert loop.results[0].type == F64
    body = loop.regions[0].block
    assert [a.type for a in body.args] == [I64, F64]
    init = loop.operands[3]
    assert init.op.name == "arith.sitofp" and init.op.operands[0] is not None
    assert "arith.addf" in op_names(f)
    assert f.return_type == F64


def test_loop_fixed_point_through_two_variables():
    # a = 0; b = 0; for i: a = b; b = x  -> both become f64 after two rounds
    fb = UntypedBuilder("f", ["x", "n"])
    x, n = fb.args
    a0, b0 = fb.const(0, name="a"), fb.const(0, name="b")
    a, b = fb.for_(fb.const(0), n, fb.const(1), [a0, b0], lambda i, a, b: [b, x], ["a", "b"])
    fb.ret(fb.py("add", a, b))
    m, f = infer(fb, F64, I64)
    (loop,) = ops_named(f, "scf.for")
    assert [r.type for r in loop.results] == [F64, F64]


def test_for_bounds_bool_and_variable_step_is_checked():
    fb = UntypedBuilder("f", ["n", "k"])
    n, k = fb.args
    (s,) = fb.for_(fb.const(True), n, k, [fb.const(0)],
                   lambda i, s: [fb.py("add", s, i)], ["s"])
    fb.ret(s)
    m, f = infer(fb, I64, I64)
    (loop,) = ops_named(f, "scf.for")
    assert loop.operands[0].op.name == "arith.extui"
    checks = [op.attributes["msg"] for op in ops_named(f, "cf.assert")]
    assert checks == ["range() arg 3 must not be zero"]


def test_for_constant_step_has_no_check_and_float_bound_is_an_error():
    fb = UntypedBuilder("f", ["n"])
    (n,) = fb.args
    (s,) = fb.for_(fb.const(0), n, fb.const(2), [fb.const(0)], lambda i, s: [i], ["s"])
    fb.ret(s)
    m, f = infer(fb, I64)
    assert not ops_named(f, "cf.assert")
    with pytest.raises(TypingError, match="range\\(\\) arguments must be integers.*'n' is float64"):
        infer(fb, F64)


def test_while_loop_carried_and_forwarded():
    # x = 0; while x < 10: x = x + 0.5
    fb = UntypedBuilder("f", [])
    x0 = fb.const(0, name="x")
    (x,) = fb.while_([x0], lambda x: (fb.py("lt", x, fb.const(10)), [x]),
                     lambda x: [fb.py("add", x, fb.const(0.5), name="x")], ["x"])
    fb.ret(x)
    m, f = infer(fb)
    (loop,) = ops_named(f, "scf.while")
    assert loop.results[0].type == F64
    assert [a.type for a in loop.regions[0].block.args] == [F64]
    assert loop.operands[0].op.name == "arith.sitofp"
    (cmp,) = ops_named(f, "arith.cmpif")  # f64 < i64: exact mixed comparison, int first
    assert cmp.attributes["predicate"] == "gt" and cmp.operands[0].type == I64


def test_while_condition_truth_of_int():
    fb = UntypedBuilder("f", ["n"])
    (n,) = fb.args
    (k,) = fb.while_([n], lambda k: (k, [k]), lambda k: [fb.py("sub", k, fb.const(1))], ["k"])
    fb.ret(k)
    m, f = infer(fb, I64)
    (loop,) = ops_named(f, "scf.while")
    cond = loop.regions[0].block.ops[-1]
    assert cond.name == "scf.condition" and cond.operands[0].type == BOOL
    assert cond.operands[0].op.attributes["predicate"] == "ne"


def test_undef_becomes_zero_of_merged_type():
    fb = UntypedBuilder("f", ["c", "x"])
    c, x = fb.args
    (y,) = fb.if_(c, lambda: [fb.py("mul", x, fb.const(2))], lambda: [fb.undef("y")], ["y"])
    fb.ret(y)
    m, f = infer(fb, BOOL, F64)
    (if_op,) = ops_named(f, "scf.if")
    else_ops = if_op.regions[1].block.ops
    assert [op.name for op in else_ops] == ["arith.constant", "scf.yield"]
    assert else_ops[0].attributes["value"] == 0.0 and else_ops[0].results[0].type == F64


def test_variable_first_assigned_in_loop_takes_its_type():
    fb = UntypedBuilder("f", ["n"])
    (n,) = fb.args
    (t,) = fb.for_(fb.const(0), n, fb.const(1), [fb.undef("t")],
                   lambda i, t: [fb.py("truediv", i, fb.const(2), name="t")], ["t"])
    fb.ret(t)
    m, f = infer(fb, I64)
    (loop,) = ops_named(f, "scf.for")
    assert loop.results[0].type == F64
    assert loop.operands[3].op.name == "arith.constant"


def test_use_of_unassigned_variable_is_an_error():
    fb = UntypedBuilder("f", ["c"])
    (c,) = fb.args
    u = fb.undef("z")
    fb.ret(fb.py("add", u, fb.const(1), line=3))
    with pytest.raises(TypingError, match="'z' is used before it is assigned"):
        infer(fb, BOOL)


def test_return_int_and_float_on_different_paths_is_f64():
    fb = UntypedBuilder("f", ["c"])
    (c,) = fb.args
    (r,) = fb.if_(c, lambda: [fb.const(1)], lambda: [fb.const(2.0)], ["r"])
    fb.ret(r)
    m, f = infer(fb, BOOL)
    assert f.return_type == F64


def test_none_function():
    fb = UntypedBuilder("f", ["x"])
    fb.ret()
    m, f = infer(fb, F64)
    assert f.return_type == NONE
    assert ops_named(f, "func.return")[0].operands == []


def test_conflict_names_variable_and_both_lines():
    fb = UntypedBuilder("f", ["c", "a"])
    c, a = fb.args
    x1 = fb.py("mul", a, fb.const(2.0), name="x", line=4)
    (x,) = fb.if_(c, lambda: [fb.tuple(fb.const(1), fb.const(2), name="x", line=7)],
                  lambda: [x1], ["x"], line=6)
    fb.ret(x, line=9)
    with pytest.raises(TypingError) as e:
        infer(fb, BOOL, F64)
    msg = str(e.value)
    assert "variable 'x' is tuple<i64, i64> at line 7 but float64 at line 4" in msg
    assert e.value.loc.line == 6


def test_loop_carried_conflict_names_init_and_body_lines():
    fb = UntypedBuilder("f", ["n"])
    (n,) = fb.args
    x0 = fb.const(1.5, name="x", line=2)
    (x,) = fb.for_(fb.const(0), n, fb.const(1), [x0],
                   lambda i, x: [fb.tuple(i, i, name="x", line=4)], ["x"], line=3)
    fb.ret(x)
    with pytest.raises(TypingError) as e:
        infer(fb, I64)
    assert "variable 'x' is float64 at line 2 but tuple<i64, i64> at line 4" in str(e.value)
    assert e.value.loc.line == 3


def test_tuple_merge_elementwise_promotion():
    fb = UntypedBuilder("f", ["c"])
    (c,) = fb.args
    (t,) = fb.if_(c, lambda: [fb.tuple(fb.const(1), fb.const(2.0))],
                  lambda: [fb.tuple(fb.const(1.0), fb.const(True))], ["t"])
    fb.ret(fb.get(t, 1))
    m, f = infer(fb, BOOL)
    (if_op,) = ops_named(f, "scf.if")
    assert if_op.results[0].type == TupleType((F64, F64))
    assert f.return_type == F64


def test_tuple_unpack_wrong_arity_and_index_errors():
    fb = UntypedBuilder("f", ["x"])
    (x,) = fb.args
    t = fb.tuple(x, x, x, name="t")
    fb.ret(fb.get(t, 0, unpack=2, line=3))
    with pytest.raises(TypingError, match="3 elements, not the 2 names"):
        infer(fb, F64)
    fb = UntypedBuilder("f", ["x"])
    (x,) = fb.args
    fb.ret(fb.get(fb.tuple(x, x), -1))
    m, f = infer(fb, F64)
    assert ops_named(f, "tuple.get")[0].attributes["index"] == 1
    fb = UntypedBuilder("f", ["x"])
    (x,) = fb.args
    fb.ret(fb.get(x, 0))
    with pytest.raises(TypingError, match="is not a tuple"):
        infer(fb, F64)


def test_operator_on_tuple_is_an_error_at_its_line():
    fb = UntypedBuilder("f", ["x"])
    (x,) = fb.args
    t = fb.tuple(x, x, name="t", line=2)
    fb.ret(fb.py("add", t, x, line=3))
    with pytest.raises(TypingError) as e:
        infer(fb, F64)
    assert "unsupported operand types for +" in str(e.value) and "'t'" in str(e.value)
    assert e.value.loc.line == 3
