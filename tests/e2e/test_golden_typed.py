"""Golden tests of the typed and optimized IR: the `# CHECK:` comments beside each function
must appear in order in the stage named by its decorator, so a reader sees the Python and the
IR it must become side by side."""
import math

import pytest

import ember
from tests.filecheck import directives, filecheck


def t_promote_in_loop(n):
    # CHECK: func @t_promote_in_loop(%n: i64) -> f64
    # CHECK: %s = arith.constant 0 : i64
    # CHECK: arith.sitofp %s : f64
    # CHECK: scf.for
    # CHECK: arith.addf
    s = 0
    for i in range(n):
        s += 0.5 * i
    return s


def t_int_floordiv(a, b):
    # CHECK: arith.cmpi %b, {{%\w+}} {predicate = "ne"} : bool
    # CHECK-NEXT: cf.assert {{%\w+}} {exc = "ZeroDivisionError", msg = "integer division or modulo by zero"}
    # CHECK-NEXT: arith.floordivsi %a, %b : i64
    return a // b


def t_mixed_compare(i, x):
    # CHECK: arith.cmpif %i, %x {predicate = "lt"} : bool
    return i < x


def t_math_checked(x):
    # CHECK: %0 = math.sqrt %x : f64
    # CHECK-NEXT: math.check %0, %x {overflow = false}
    return math.sqrt(x)


def t_folded(x):
    # optimized: the constant divisor's zero check folds away
    # CHECK-NOT: cf.assert
    # CHECK: arith.divf %x
    return x / 4.0


CASES = [
    (t_promote_in_loop, "typed", "int"),
    (t_int_floordiv, "typed", "int,int"),
    (t_mixed_compare, "typed", "int,float"),
    (t_math_checked, "typed", "float"),
    (t_folded, "optimized", "float"),
]


@pytest.mark.parametrize("fn,stage,sig", CASES, ids=[c[0].__name__ for c in CASES])
def test_golden(fn, stage, sig):
    text = ember.jit(fn).inspect_ir(stage, signature=sig)
    filecheck(text, directives(fn))
