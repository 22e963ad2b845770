"""The Python-source emitter (ir/pysource.py) on scalar programs: the emitted function, run,
gives the native result and CPython's, from the optimized IR, from the scalarized IR
autodiff gets (counted=False) and from the typed IR; its text parses and names the user's
source lines.

`run_both` is the check the other test_pysource_*.py files use too.
"""
from __future__ import annotations

import ast
import copy
import math
from typing import Any, Callable

import numpy as np
import pytest

import ember
from ember.compiler import untyped_ir
from ember.ir.passes import optimize
from ember.ir.pysource import func_to_ast, func_to_python, func_to_source
from ember.typeinfer import infer_module
from ember.typeof import typeof
from tests.e2e.differential import outcome, same
from tests.e2e import test_calls_and_math as CM
from tests.e2e import test_iteration as IT
from tests.programs import (continue_odd, damped, early_return, elif_chain, last_index,
                            nested_flags, newton_sqrt, return_in_while, while_else)

_jitted: dict[Callable[..., Any], Any] = {}
_emitted: dict[tuple, tuple[Callable[..., Any], str]] = {}


def typed_module(fn: Callable[..., Any], args: tuple, counted: bool | None) -> tuple[Any, str]:
    """The module ember compiles for `fn` at `args`' types: optimized (counted=True), the
    scalarized module before reference counting that autodiff transforms get (False), or
    type inference's output, whole-array ops not yet lowered (None)."""
    types = [typeof(v, f"arg{i}") for i, v in enumerate(args)]
    module, entry = infer_module(untyped_ir(fn), types, untyped_ir, {"boundscheck": True})
    module[entry].attributes["boundscheck"] = True
    if counted is not None:
        optimize(module, entry, counted=counted)
    return module, entry


def emitted(fn: Callable[..., Any], args: tuple,
            counted: bool | None) -> tuple[Callable[..., Any], str]:
    """The Python function emitted for `fn` at `args`' types, and its source (cached)."""
    key = (fn, tuple(typeof(v, "a") for v in args), counted)
    if key not in _emitted:
        module, entry = typed_module(fn, args, counted)
        source = func_to_source(module, entry)
        ast.parse(source)
        _emitted[key] = (func_to_python(module, entry), source)
    return _emitted[key]


def native(fn: Callable[..., Any]) -> Any:
    if fn not in _jitted:
        _jitted[fn] = ember.jit(fn)
    return _jitted[fn]


def run_both(fn: Callable[..., Any], *args: Any, cpython: bool | str = True) -> Any:
    """Run the emitted Python (from the three IR stages), the native function and, unless
    `cpython` is False, `fn` itself on copies of `args`: results (or exception type and
    message) and the arguments afterwards (writes into arrays) must agree exactly, except
    that NumPy's scalars count as Python's numbers in CPython's result and, with
    cpython="close", CPython's floats may differ by rounding (NumPy sums pairwise)."""
    base_args = copy.deepcopy(args)
    fast = native(fn)
    want = outcome(fast, base_args)
    if cpython:
        theirs = outcome(fn, copy.deepcopy(args))
        if theirs[0] == "value":
            theirs = ("value", plain(theirs[1]))
        if cpython == "close" and theirs[0] == want[0] == "value":
            assert close(theirs[1], want[1]), f"CPython {theirs[1]!r} vs native {want[1]!r}"
        else:
            _agree(theirs, want, f"CPython vs native for {fn.__name__}{args}")
    for counted in (True, False, None):
        emitted_fn, source = emitted(fn, args, counted)
        mine_args = copy.deepcopy(args)
        got = outcome(emitted_fn, mine_args)
        _agree(got, want, f"emitted (counted={counted}) vs native for {fn.__name__}{args}\n{source}")
        assert exact(list(mine_args), list(base_args)), f"arguments written differently\n{source}"
    return want


def plain(v: Any) -> Any:
    """NumPy scalars as Python numbers (what ember returns), inside tuples and lists too."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, tuple):
        return tuple(plain(x) for x in v)
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def exact(a: Any, b: Any) -> bool:
    """differential.same, with complex numbers compared part by part (nan parts equal)."""
    if isinstance(a, complex) and isinstance(b, complex):
        return same(a.real, b.real) and same(a.imag, b.imag)
    if isinstance(a, (tuple, list)) and type(a) is type(b):
        return len(a) == len(b) and all(exact(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(exact(a[k], b[k]) for k in a)
    return same(a, b)


def close(a: Any, b: Any) -> bool:
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(
            np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12) or (math.isnan(a) and math.isnan(b))
    return exact(a, b)


def _agree(a: tuple[str, Any], b: tuple[str, Any], what: str) -> None:
    if a[0] == "value" and b[0] == "value":
        assert exact(a[1], b[1]), f"{what}: {a[1]!r} != {b[1]!r}"
    else:
        assert a == b, f"{what}: {a} != {b}"


# ---- programs -------------------------------------------------------------------------------
def poly(x, n):
    s = 0.0
    p = 1.0
    for i in range(n):
        s += p * (i + 1)
        p *= x
    return s


def int_ops(a, b):
    return a + b, a - b, a * b, a // b, a % b, -a, a ** 2, a & b, a | b, a ^ b, a << 3, a >> 2


def float_ops(x, y):
    return x + y, x - y, x * y, x / y, x // y, x % y, -x, x ** y, abs(x), x < y, x == y


def mixed(a, x):
    return a < x, a == x, a >= x, a + x, float(a), int(x)


def mathy(x):
    return (math.sin(x) + math.cos(x) * math.exp(-x) + math.log1p(abs(x)) + math.atan2(x, 2.0)
            + math.hypot(x, 3.0) + math.floor(x) + math.tanh(x) + math.erf(x))


def domain(x):
    return math.sqrt(x) + math.log(x)


def branchy(x, k):
    if x > 0 and k % 2 == 0:
        y = x * 2.0
    elif x < -1.0 or k > 5:
        y = -x
    else:
        y = 0.0
    return y + (1.0 if k > 3 else 2.0)


def tuples(x, n):
    t = (x, n, x * n)
    a, b, c = t
    return (c, a), b


def ternary_chain(a, b):
    return max(a, b) - min(a, b) + (a if a > 0 else -a)


def bools(p, q):
    return (p and not q) or (q and not p), p != q


def try_div(x, y):
    try:
        r = x / y
    except ZeroDivisionError:
        r = -1.0
    return r


def raising(x):
    if x > 3.0:
        raise ValueError(f"x too big: {x:.2f}")
    assert x > -3.0, "x too small"
    return x


def index_error(n):
    t = 0
    for i in range(n):
        t += i
        if t > 10:
            raise IndexError("index %d too big" % t)
    return t


def rows(x, m, n):
    total = 0.0
    for j in range(m):
        t = x  # x itself is read again by the next j: the inner loop must not reuse its name
        for i in range(n):
            t = t * 0.5 + i
        total += t
    return total


def branch_reads(x, n):
    c = x
    s = 0.0
    for i in range(n):
        if i % 2 == 0:
            t = c * 2.0
            u = c + 1.0  # reads the old c after t, the new c, is computed
            c = t
            s += u
    return c, s


PROGRAMS = [
    (rows, (3.0, 3, 4)), (branch_reads, (1.5, 5)),
    (damped, (1.5, 20)), (damped, (-0.5, 7)), (last_index, (5,)), (last_index, (0,)),
    (while_else, (10,)), (while_else, (3,)), (continue_odd, (9,)), (early_return, (6,)),
    (early_return, (2,)), (return_in_while, (100.0,)), (nested_flags, (12,)),
    (elif_chain, (-2.0,)), (elif_chain, (0.0,)), (elif_chain, (-0.5,)), (newton_sqrt, (2.0,)),
    (poly, (0.5, 10)), (int_ops, (17, 5)), (int_ops, (-17, 5)), (float_ops, (7.5, -2.0)),
    (float_ops, (-7.5, 0.0)), (mixed, (3, 2.5)), (mixed, (2**53 + 1, 2.0**53)), (mathy, (0.7,)),
    (mathy, (-2.5,)), (domain, (4.0,)), (domain, (-1.0,)), (domain, (0.0,)),
    (branchy, (1.0, 2)), (branchy, (-2.0, 1)), (branchy, (0.5, 3)), (tuples, (1.5, 3)),
    (ternary_chain, (3.0, -4.0)), (bools, (True, False)), (bools, (True, True)),
    (try_div, (1.0, 0.0)), (try_div, (1.0, 4.0)), (raising, (5.0,)), (raising, (1.0,)),
    (index_error, (3,)), (index_error, (10,)),
    (CM.uses_helpers, (1.5, 2.0)), (CM.fact, (10,)), (CM.fib, (12,)), (CM.is_even, (7,)),
    (CM.rounding, (2.675, 2)), (CM.constants, ()),
    (IT.enum_sum, ((1.0, 2.0, 3.0), 2)), (IT.zip_three, ((1.0, 2.0), 3, 4)),
    (IT.reversed_forms, ((1.0, 2.0, 3.0), 1, 5, 2)), (IT.pair_target, ((1.0, 2.0),)),
    (IT.reductions, ((1.0, 2.0), (3.0, 4.0), 5)), (IT.short_circuit, ((1.0, 5.0, 2.0), 3.0)),
    (IT.sum_start, ((1.0, 2.0),)),
]


@pytest.mark.parametrize("fn,args", PROGRAMS, ids=[f"{f.__name__}{a}" for f, a in PROGRAMS])
def test_program(fn, args):
    run_both(fn, *args)


def test_assert_message():
    # pytest rewrites the asserts of this file, so CPython's message is not the plain one
    assert run_both(raising, -5.0, cpython=False) == ("raise", (AssertionError, "x too small"))


def test_builtins_promote_like_native():
    # min/max of an int and a float give ember's float (docs/language.md): native is the reference
    run_both(CM.builtins_mix, 3.5, -2, cpython=False)


def test_recursive_calls_are_python_calls():
    module, entry = typed_module(CM.fib, (12,), counted=True)
    source = func_to_source(module, entry)
    tree = ast.parse(source)
    defs = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert defs[0] == "fib" and len(defs) >= 1
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name)}
    assert set(defs) & calls, source  # the recursion is a call of an emitted def


def test_int64_wraps_like_native():
    r = run_both(int_ops, 2**62, 3, cpython=False)
    assert r[1][2] == ((2**62 * 3 + 2**63) % 2**64) - 2**63


def test_float_specials():
    for x, y in [(math.inf, 1.0), (math.nan, 2.0), (-0.0, 5.0), (1e308, 1e308), (5.0, math.inf)]:
        run_both(float_ops, x, y)


# ---- the text ---------------------------------------------------------------------------------
def test_source_reads_like_the_function():
    module, entry = typed_module(poly, (0.5, 3), counted=False)
    source = func_to_source(module, entry)
    tree = ast.parse(source)
    assert [n.name for n in tree.body if isinstance(n, ast.FunctionDef)] == ["poly"]
    lines = source.splitlines()
    assert "def poly(x, n):" in lines
    # the user's variable names, loops as loops, no temporaries for constants
    assert any(line.strip().startswith("for i in range(n):") for line in lines)
    assert any("s = s + p * f64(i + 1)" in line for line in lines), source
    assert any("p = p * x" in line for line in lines), source
    first = poly.__code__.co_firstlineno
    loop_line = next(line for line in lines if "for i in range" in line)
    assert loop_line.endswith(f"# line {first + 3}"), source


def test_func_to_ast_keeps_the_lines_as_attributes():
    module, entry = typed_module(damped, (1.0, 3), counted=True)
    tree = func_to_ast(module, entry)
    assert isinstance(tree, ast.Module)
    first = damped.__code__.co_firstlineno
    lines = {getattr(n, "ember_line", None) for n in ast.walk(tree) if isinstance(n, ast.stmt)}
    assert {first + 4, first + 5, first + 10} <= lines  # the while, the if, the return
    assert compile(tree, "<ast>", "exec") is not None  # a complete, compilable module


def test_every_statement_has_its_line():
    module, entry = typed_module(damped, (1.0, 3), counted=False)
    source = func_to_source(module, entry)
    body = [line for line in source.splitlines()
            if line.startswith("    ") and not line.strip().startswith(("else", "except"))]
    assert body and all("# line " in line for line in body), source
