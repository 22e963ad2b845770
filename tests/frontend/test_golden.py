"""Golden IR tests: each function's `# CHECK:` comments must appear in order in its printed
untyped IR (see tests/filecheck.py), so the source and the IR it becomes sit side by side."""
import math
from math import sqrt as root

import pytest

from ember.frontend import build_function
from ember.ir.printer import print_func
from tests.filecheck import directives, filecheck

from .structure import check_structure


def check_function(pyfunc: object) -> str:
    """Build `pyfunc`, print its IR and match the function's CHECK comments; returns the text."""
    checks = directives(pyfunc)
    assert checks, f"{pyfunc} has no CHECK lines"
    text = print_func(build_function(pyfunc))
    filecheck(text, checks)
    return text


def g_args_and_constants(x, n):
    # CHECK: func @g_args_and_constants(%x: ?, %n: ?) -> ? {
    a = 1
    # CHECK-NEXT: %a = arith.constant 1 : i64
    b = 2.5
    # CHECK-NEXT: %b = arith.constant 2.5 : f64
    c = True
    # CHECK-NEXT: %c = arith.constant true : bool
    d = -3
    # CHECK-NEXT: %d = arith.constant -3 : i64
    y = x * a + b
    # CHECK-NEXT: = py.mul %x, %a : ?
    # CHECK-NEXT: %y = py.add
    return y
    # CHECK: func.return %y : ?


def g_scalar_ops(a, b):
    # CHECK: py.floordiv %a, %b
    # CHECK: py.pow
    # CHECK: py.bitxor
    # CHECK: py.invert
    # CHECK: py.not %a : bool
    # CHECK: py.ge %a, %b
    return a // b + a ** b + (a ^ b) + ~a, not a, a >= b


def g_for_range(n):
    s = 0.0
    # CHECK: %s = arith.constant 0.0 : f64
    # The target i is not read after the loop: it is only the induction variable.
    # CHECK-NOT: py.undef
    # CHECK: %s_1 = scf.for %i = %0 to %n step %1 iter_args(%s_2 = %s) -> (?) {
    # CHECK-NOT: scf.while
    for i in range(n):
        s += i
    # CHECK: py.add %s_
    # CHECK: scf.yield
    return s


def g_for_break_is_while(n):
    # CHECK: %broke = arith.constant false : bool
    # CHECK: scf.while (%counter = %0, {{.*}}%broke
    # CHECK: py.not %broke
    # CHECK: scf.condition
    # CHECK: } do (
    # CHECK: %broke_{{.*}} = arith.constant true : bool
    # CHECK-NOT: scf.for
    for i in range(n):
        if i > 5:
            break
    return i


def g_return_flags(x):
    # CHECK: %returned = arith.constant false : bool
    # CHECK-NEXT: %retval = py.undef : ?
    # CHECK: %returned_{{.*}}, %retval_{{.*}} = scf.if
    # CHECK: py.not %returned_
    if x > 0:
        return 1
    return 2
    # CHECK: func.return %retval_


def g_math_resolution(x):
    # CHECK: math.sqrt %x : ?
    # CHECK: math.log
    # CHECK: math.log
    # CHECK: py.truediv
    # CHECK: arith.constant 3.141592653589793 : f64
    # CHECK: math.isnan {{.*}} : bool
    return root(x) + math.log(x, 10) + math.pi, math.isnan(x)


def g_tuple_unpack(t):
    # CHECK: %a = tuple.get %t {index = 0, unpack = 2}
    # CHECK: %b = tuple.get %t {index = 1, unpack = 2}
    a, b = t
    return b, a
    # CHECK: tuple.make %b, %a


def helper(u, v=2.0):
    return u * v


def g_call(x):
    # CHECK: arith.constant 2.0 : f64
    # CHECK: func.call @helper(%x, %{{.*}})
    return helper(x)


def g_short_circuit(a, b):
    # CHECK: py.truth %a : bool
    # CHECK: scf.if
    # CHECK: py.truediv
    # CHECK: } else {
    # CHECK: scf.yield %a
    return a and 1 / b


GOLDEN = [g_args_and_constants, g_scalar_ops, g_for_range, g_for_break_is_while, g_return_flags,
          g_math_resolution, g_tuple_unpack, g_call, g_short_circuit]


@pytest.mark.parametrize("fn", GOLDEN, ids=[f.__name__ for f in GOLDEN])
def test_golden(fn):
    check_function(fn)
    check_structure(build_function(fn))


def test_filecheck_itself():
    text = "a 1\nb 2\nc 3\n"
    filecheck(text, [("CHECK", "a"), ("CHECK-NEXT", "b"), ("CHECK", "3")])
    with pytest.raises(AssertionError):
        filecheck(text, [("CHECK", "b"), ("CHECK", "a")])
    with pytest.raises(AssertionError):
        filecheck(text, [("CHECK", "a"), ("CHECK-NEXT", "c")])
    with pytest.raises(AssertionError):
        filecheck(text, [("CHECK", "a"), ("CHECK-NOT", "b"), ("CHECK", "c")])
    filecheck(text, [("CHECK", "a"), ("CHECK-NOT", "x"), ("CHECK", "c")])
