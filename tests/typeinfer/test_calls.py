"""Calls: specializations per argument types, symbols, recursion to a fixed point."""
from __future__ import annotations

import pytest

from ember.ir.core import SymbolRef
from ember.ir.errors import TypingError
from ember.ir.types import BOOL, F64, I64, NONE

from .untyped import UntypedBuilder, infer, ops_named


def helper(a, b):  # the Python functions stand for the callee targets
    return a


def other(a):
    return a


def rec(n):
    return n


def ping(n):
    return n


def pong(n):
    return n


def build_helper():
    fb = UntypedBuilder("helper", ["a", "b"])
    a, b = fb.args
    fb.ret(fb.py("mul", a, b))
    return fb.func


def build_fib():
    # def rec(n): return n if n < 2 else rec(n - 1) + rec(n - 2)
    fb = UntypedBuilder("rec", ["n"], line=10)
    (n,) = fb.args
    c = fb.py("lt", n, fb.const(2))

    def else_():
        r1 = fb.call(rec, fb.py("sub", n, fb.const(1)))
        r2 = fb.call(rec, fb.py("sub", n, fb.const(2)))
        return [fb.py("add", r1, r2)]
    (r,) = fb.if_(c, lambda: [n], else_, ["r"])
    fb.ret(r)
    return fb.func


class Registry:
    """get_untyped: builds each callee once and counts the requests."""

    def __init__(self, builders):
        self.builders = builders
        self.cache = {}
        self.asked = []

    def __call__(self, pyfunc):
        self.asked.append(pyfunc)
        if pyfunc not in self.cache:
            self.cache[pyfunc] = self.builders[pyfunc]()
        return self.cache[pyfunc]


def test_callee_specializations_per_argument_types():
    fb = UntypedBuilder("main", ["x", "n"])
    x, n = fb.args
    p = fb.call(helper, x, n, name="p")
    q = fb.call(helper, n, n, name="q")
    r = fb.call(helper, fb.const(2.0), fb.const(3), name="r")
    fb.ret(fb.py("add", fb.py("add", p, q), r))
    reg = Registry({helper: build_helper})
    m, f = infer(fb, F64, I64, get_untyped=reg)
    assert f.name == "main"
    assert sorted(m.funcs) == ["helper__f64_i64", "helper__i64_i64", "main"]
    assert m["helper__f64_i64"].return_type == F64
    assert m["helper__i64_i64"].return_type == I64
    calls = ops_named(f, "func.call")
    assert [c.attributes["callee"] for c in calls] == [
        SymbolRef("helper__f64_i64"), SymbolRef("helper__i64_i64"), SymbolRef("helper__f64_i64")]
    assert all(c.attributes["callee"].target is None for c in calls)
    assert reg.asked.count(helper) == 1  # cached per Python function within one inference


def test_same_name_different_functions_get_distinct_symbols():
    def build_other():
        fb = UntypedBuilder("helper", ["a"])  # another function also named helper
        fb.ret(fb.args[0])
        return fb.func

    fb = UntypedBuilder("main", ["x"])
    (x,) = fb.args
    fb.ret(fb.py("add", fb.call(helper, x, x), fb.call(other, x)))
    m, f = infer(fb, F64, get_untyped=Registry({helper: build_helper, other: build_other}))
    assert sorted(m.funcs) == ["helper__f64", "helper__f64_f64", "main"]
    fb = UntypedBuilder("main", ["x"])
    (x,) = fb.args

    def build_other2():
        g = UntypedBuilder("helper", ["a", "b"])
        g.ret(g.args[1])
        return g.func
    fb.ret(fb.py("add", fb.call(helper, x, x), fb.call(other, x, x)))
    m, f = infer(fb, F64, get_untyped=Registry({helper: build_helper, other: build_other2}))
    assert sorted(m.funcs) == ["helper__f64_f64", "helper__f64_f64_2", "main"]


def test_self_recursion_reaches_fixed_point():
    reg = Registry({rec: build_fib})
    fb = UntypedBuilder("main", ["n"])
    fb.ret(fb.call(rec, fb.args[0]))
    m, f = infer(fb, I64, get_untyped=reg)
    assert m["rec__i64"].return_type == I64 and f.return_type == I64
    inner = ops_named(m["rec__i64"], "func.call")
    assert [c.attributes["callee"].name for c in inner] == ["rec__i64", "rec__i64"]
    assert all(c.results[0].type == I64 for c in inner)


def test_recursive_entry_uses_its_own_symbol():
    reg = Registry({rec: build_fib})
    entry = reg(rec)
    from ember.typeinfer import infer_module
    from ember.ir.verifier import verify_module
    m, sym = infer_module(entry, [F64], reg)
    verify_module(m, typed=True)
    assert sym == "rec" and list(m.funcs) == ["rec"]
    assert m["rec"].return_type == F64
    assert {c.attributes["callee"].name for c in ops_named(m["rec"], "func.call")} == {"rec"}


def test_mutual_recursion():
    # ping(n) = 0.5 if n <= 0 else pong(n - 1);  pong(n) = ping(n) * 2
    def build_ping():
        fb = UntypedBuilder("ping", ["n"])
        (n,) = fb.args
        (r,) = fb.if_(fb.py("le", n, fb.const(0)), lambda: [fb.const(0.5)],
                      lambda: [fb.call(pong, fb.py("sub", n, fb.const(1)))], ["r"])
        fb.ret(r)
        return fb.func

    def build_pong():
        fb = UntypedBuilder("pong", ["n"])
        fb.ret(fb.py("mul", fb.call(ping, fb.args[0]), fb.const(2)))
        return fb.func

    fb = UntypedBuilder("main", ["n"])
    fb.ret(fb.call(pong, fb.args[0]))
    m, f = infer(fb, I64, get_untyped=Registry({ping: build_ping, pong: build_pong}))
    assert m["ping__i64"].return_type == F64
    assert m["pong__i64"].return_type == F64
    assert f.return_type == F64


def test_recursion_with_promotion_on_later_round():
    # rec(n) = 0 if n == 0 else rec(n - 1) + 0.5 : first guess i64, then f64
    def build():
        fb = UntypedBuilder("rec", ["n"])
        (n,) = fb.args
        (r,) = fb.if_(fb.py("eq", n, fb.const(0)), lambda: [fb.const(0)],
                      lambda: [fb.py("add", fb.call(rec, fb.py("sub", n, fb.const(1))),
                                     fb.const(0.5))], ["r"])
        fb.ret(r)
        return fb.func
    fb = UntypedBuilder("main", ["n"])
    fb.ret(fb.call(rec, fb.args[0]))
    m, f = infer(fb, I64, get_untyped=Registry({rec: build}))
    assert m["rec__i64"].return_type == F64
    (if_op,) = ops_named(m["rec__i64"], "scf.if")
    assert if_op.results[0].type == F64


def test_recursion_without_base_case_is_an_error():
    def build():
        fb = UntypedBuilder("rec", ["n"], line=20)
        fb.ret(fb.call(rec, fb.args[0]))
        return fb.func
    fb = UntypedBuilder("main", ["n"])
    fb.ret(fb.call(rec, fb.args[0]))
    with pytest.raises(TypingError, match="cannot infer the return type of recursive function rec"):
        infer(fb, I64, get_untyped=Registry({rec: build}))


def test_wrong_number_of_arguments_at_the_call():
    fb = UntypedBuilder("main", ["x"])
    fb.ret(fb.call(helper, fb.args[0], line=7))
    with pytest.raises(TypingError) as e:
        infer(fb, F64, get_untyped=Registry({helper: build_helper}))
    assert "helper() takes 2 positional arguments but 1 was given" in str(e.value)
    assert e.value.loc.line == 7


def test_call_of_none_function_has_no_result():
    def build():
        fb = UntypedBuilder("other", ["a"])
        fb.ret()
        return fb.func
    fb = UntypedBuilder("main", ["x"])
    fb.call(other, fb.args[0])
    fb.ret(fb.args[0])
    m, f = infer(fb, BOOL, get_untyped=Registry({other: build}))
    (call,) = ops_named(f, "func.call")
    assert call.results == [] and m["other__bool"].return_type == NONE


def test_none_result_used_in_arithmetic_is_an_error():
    def build():
        fb = UntypedBuilder("other", ["a"])
        fb.ret()
        return fb.func
    fb = UntypedBuilder("main", ["x"])
    fb.ret(fb.py("add", fb.call(other, fb.args[0], name="v"), fb.const(1), line=4))
    with pytest.raises(TypingError, match="unsupported operand types for \\+: 'None'"):
        infer(fb, F64, get_untyped=Registry({other: build}))


def test_only_final_specializations_are_emitted():
    # y = 0; for i: y = helper(y, x)  -> helper is first tried with (i64, f64), then (f64, f64)
    fb = UntypedBuilder("main", ["x", "n"])
    x, n = fb.args
    (y,) = fb.for_(fb.const(0), n, fb.const(1), [fb.const(0, name="y")],
                   lambda i, y: [fb.call(helper, y, x, name="y")], ["y"])
    fb.ret(y)
    m, f = infer(fb, F64, I64, get_untyped=Registry({helper: build_helper}))
    assert sorted(m.funcs) == ["helper__f64_f64", "main"]
