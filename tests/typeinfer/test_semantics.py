"""The lowering rules: CPython semantics made explicit as typed ops, casts and checks.

These check structure and types (the backend executes them; its tests compare with CPython).
"""
from __future__ import annotations

import pytest

from ember.ir.errors import TypingError
from ember.ir.types import BOOL, F32, F64, I32, I64, TupleType

from .untyped import UntypedBuilder, asserts, infer, op_names, ops_named


def unary_fn(build, *types):
    fb = UntypedBuilder("f", [f"a{i}" for i in range(len(types))])
    fb.ret(build(fb, *fb.args))
    return infer(fb, *types)[1]


def binop(kind, a, b):
    return unary_fn(lambda fb, x, y: fb.py(kind, x, y), a, b)


def test_int_arithmetic_is_i64_and_bool_extends():
    f = binop("add", I64, I64)
    assert "arith.addi" in op_names(f) and f.return_type == I64
    f = binop("mul", BOOL, BOOL)
    assert op_names(f).count("arith.extui") == 2 and "arith.muli" in op_names(f)
    assert f.return_type == I64
    f = binop("sub", I32, I64)
    assert "arith.extsi" in op_names(f) and f.return_type == I64


def test_mixed_arithmetic_converts_the_int():
    f = binop("add", I64, F64)
    assert op_names(f)[:2] == ["arith.sitofp", "arith.addf"]
    f = binop("add", F32, F32)
    assert f.return_type == F32
    f = binop("add", F32, I64)
    assert f.return_type == F64


def test_true_division_is_float_and_checked():
    f = binop("truediv", I64, I64)
    assert f.return_type == F64 and op_names(f).count("arith.sitofp") == 2
    assert asserts(f) == [("ZeroDivisionError", "division by zero")]  # CPython's int / int
    assert asserts(binop("truediv", I64, F64)) == [("ZeroDivisionError", "float division by zero")]
    assert "arith.divf" in op_names(f)


def test_floor_division_and_modulo_messages():
    assert asserts(binop("floordiv", I64, I64)) == [
        ("ZeroDivisionError", "integer division or modulo by zero")]
    assert asserts(binop("mod", I64, I64)) == [("ZeroDivisionError", "integer modulo by zero")]
    assert asserts(binop("floordiv", F64, I64)) == [
        ("ZeroDivisionError", "float floor division by zero")]
    assert asserts(binop("mod", F64, F64)) == [("ZeroDivisionError", "float modulo")]
    assert "arith.floordivsi" in op_names(binop("floordiv", I64, BOOL))
    assert "arith.floormodf" in op_names(binop("mod", F64, F64))


def test_int_power_checks_negative_exponent():
    f = binop("pow", I64, I64)
    assert "arith.powi" in op_names(f) and f.return_type == I64
    (zero, neg) = asserts(f)
    assert zero == ("ZeroDivisionError", "0.0 cannot be raised to a negative power")
    assert neg[0] == "ValueError" and "float(x) ** n" in neg[1]


def test_float_power_checks():
    f = binop("pow", F64, I64)
    assert "arith.powf" in op_names(f) and f.return_type == F64
    excs = asserts(f)
    assert excs[0] == ("ZeroDivisionError", "0.0 cannot be raised to a negative power")
    assert excs[1][0] == "ValueError" and "complex" in excs[1][1]
    assert excs[2] == ("OverflowError", "(34, 'Numerical result out of range')")


def test_shifts_and_bitwise():
    f = binop("lshift", I64, I64)
    assert asserts(f) == [("ValueError", "negative shift count")] and "arith.shli" in op_names(f)
    assert "arith.shrsi" in op_names(binop("rshift", I64, BOOL))
    f = binop("bitand", BOOL, BOOL)
    assert f.return_type == BOOL and "arith.andi" in op_names(f)
    assert binop("bitxor", BOOL, I64).return_type == I64
    with pytest.raises(TypingError, match="bitwise operators need integers"):
        binop("bitor", F64, I64)


def test_unary_ops():
    f = unary_fn(lambda fb, x: fb.py("neg", x), I64)
    (sub,) = ops_named(f, "arith.subi")
    assert sub.operands[0].op.attributes["value"] == 0
    assert "arith.negf" in op_names(unary_fn(lambda fb, x: fb.py("neg", x), F64))
    f = unary_fn(lambda fb, x: fb.py("invert", x), BOOL)
    assert f.return_type == I64 and "arith.extui" in op_names(f)
    (x,) = ops_named(f, "arith.xori")
    assert x.operands[1].op.attributes["value"] == -1
    f = unary_fn(lambda fb, x: fb.py("not", x), F64)
    assert f.return_type == BOOL
    assert [o.attributes["predicate"] for o in ops_named(f, "arith.cmpf")] == ["une"]
    assert "arith.xori" in op_names(f)
    with pytest.raises(TypingError, match="bad operand type for unary ~"):
        unary_fn(lambda fb, x: fb.py("invert", x), F64)


def test_comparisons():
    f = binop("lt", I64, BOOL)
    (c,) = ops_named(f, "arith.cmpi")
    assert c.attributes["predicate"] == "slt" and c.operands[1].type == I64
    f = binop("ne", F64, F64)
    assert ops_named(f, "arith.cmpf")[0].attributes["predicate"] == "une"  # nan != nan
    f = binop("le", I64, F64)
    (c,) = ops_named(f, "arith.cmpif")
    assert c.attributes["predicate"] == "le" and c.operands[0].type == I64
    f = binop("lt", F64, I64)  # float on the left: swapped operands, flipped predicate
    (c,) = ops_named(f, "arith.cmpif")
    assert c.attributes["predicate"] == "gt" and c.operands[0].type == I64
    assert c.operands[1] is f.args[0]


def test_truth_rules():
    assert op_names(unary_fn(lambda fb, x: fb.py("truth", x), BOOL)) == ["func.return"]
    f = unary_fn(lambda fb, x: fb.py("bool", x), I64)
    assert ops_named(f, "arith.cmpi")[0].attributes["predicate"] == "ne"


def test_abs_min_max():
    f = unary_fn(lambda fb, x: fb.py("abs", x), I64)
    assert "arith.select" in op_names(f) and f.return_type == I64
    assert "math.fabs" in op_names(unary_fn(lambda fb, x: fb.py("abs", x), F64))
    f = unary_fn(lambda fb, a, b, c: fb.py("min", a, b, c), F64, I64, F64)
    assert f.return_type == F64
    sel = ops_named(f, "arith.select")
    assert len(sel) == 2
    # min(a, b): b if b < a else a, so the comparison is (b < a) with b first
    (first_cmp,) = [o for o in ops_named(f, "arith.cmpif")]
    assert first_cmp.attributes["predicate"] == "lt" and first_cmp.operands[0] is f.args[1]
    f = unary_fn(lambda fb, a, b: fb.py("max", a, b), F64, F64)
    assert ops_named(f, "arith.cmpf")[0].attributes["predicate"] == "ogt"
    assert ops_named(f, "arith.cmpf")[0].operands[0] is f.args[1]


def test_int_float_bool_conversions():
    f = unary_fn(lambda fb, x: fb.py("int", x), F64)
    assert f.return_type == I64 and "arith.fptosi" in op_names(f)
    msgs = asserts(f)
    assert msgs[0] == ("ValueError", "cannot convert float NaN to integer")
    assert msgs[1] == ("OverflowError", "cannot convert float infinity to integer")
    assert msgs[2][0] == "OverflowError"
    assert op_names(unary_fn(lambda fb, x: fb.py("int", x), BOOL)) == ["arith.extui", "func.return"]
    f = unary_fn(lambda fb, x: fb.py("float", x), BOOL)
    assert f.return_type == F64 and "arith.uitofp" in op_names(f)
    assert unary_fn(lambda fb, x: fb.py("float", x), F32).return_type == F64


def test_round():
    f = unary_fn(lambda fb, x: fb.py("round", x), F64)
    assert f.return_type == I64 and op_names(f)[0] == "math.roundeven"
    assert "arith.fptosi" in op_names(f)
    assert unary_fn(lambda fb, x: fb.py("round", x), I64).return_type == I64
    f = unary_fn(lambda fb, x, n: fb.py("round", x, n), F64, I64)
    assert f.return_type == F64 and "math.roundeven" in op_names(f)
    f = unary_fn(lambda fb, x, n: fb.py("round", x, n), I64, I64)
    assert f.return_type == I64 and "arith.powi" in op_names(f)
    with pytest.raises(TypingError, match="digits must be an integer"):
        unary_fn(lambda fb, x, n: fb.py("round", x, n), F64, F64)


def test_divmod():
    f = unary_fn(lambda fb, a, b: fb.py("divmod", a, b), I64, I64)
    assert f.return_type == TupleType((I64, I64))
    assert asserts(f) == [("ZeroDivisionError", "integer division or modulo by zero")]
    f = unary_fn(lambda fb, a, b: fb.py("divmod", a, b), F64, I64)
    assert f.return_type == TupleType((F64, F64))
    assert asserts(f) == [("ZeroDivisionError", "float divmod()")]


def math_fn(name, *types):
    return unary_fn(lambda fb, *xs: fb.math(name, *xs), *types)


@pytest.mark.parametrize("name,overflow", [("exp", True), ("cosh", True), ("sqrt", False),
                                           ("log1p", False), ("atanh", False), ("asin", False),
                                           ("expm1", True), ("lgamma", True), ("sin", False)])
def test_math_check_flags(name, overflow):
    f = math_fn(name, I64)
    assert op_names(f)[0] == "arith.sitofp" and f.return_type == F64
    (chk,) = ops_named(f, "math.check")
    assert chk.attributes["overflow"] is overflow


def test_math_explicit_prechecks():
    assert asserts(math_fn("log", F64)) == [("ValueError", "math domain error")]
    assert asserts(math_fn("gamma", F64)) == [("ValueError", "math domain error")]
    assert asserts(math_fn("lgamma", F64)) == [("ValueError", "math domain error")]
    assert asserts(math_fn("pow", F64, I64)) == [("ValueError", "math domain error")]
    f = math_fn("fmod", F64, F64)
    assert asserts(f) == [("ValueError", "math domain error")] and not ops_named(f, "math.check")
    assert ops_named(math_fn("pow", F64, F64), "math.check")[0].attributes["overflow"] is True


def test_math_types():
    assert math_fn("sin", F32).return_type == F32
    assert math_fn("atan2", F32, F64).return_type == F64
    f = math_fn("floor", F64)
    assert f.return_type == I64 and "arith.fptosi" in op_names(f)
    assert op_names(math_fn("floor", I64)) == ["func.return"]
    assert math_fn("fabs", I64).return_type == F64
    f = math_fn("isnan", I64)
    assert f.return_type == BOOL and op_names(f)[:2] == ["arith.sitofp", "math.isnan"]
    with pytest.raises(TypingError, match="math.sin\\(\\) needs real numbers"):
        unary_fn(lambda fb, x: fb.math("sin", fb.tuple(x, x)), F64)
